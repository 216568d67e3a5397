"""Core tasks. Handing work to Celery after commit (`enqueue_on_commit`, `task_named`) lives in
`core.taskqueue`, which services may import (this module imports services)."""

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from core import mail
from core.models import IdempotencyRecord


@shared_task(acks_late=True)
def idempotency_purge():
    """Forget stored idempotent responses older than IDEMPOTENCY_KEY_TTL."""
    cutoff = timezone.now() - settings.IDEMPOTENCY_KEY_TTL
    deleted, _ = IdempotencyRecord.objects.filter(created_at__lt=cutoff).delete()
    return deleted


@shared_task(acks_late=True, ignore_result=True)
def mail_send(email_id: int):
    """Send one outbox e-mail (leased, so a duplicate task sends nothing)."""
    mail.outbox_email_send(email_id=email_id)


@shared_task(acks_late=True, ignore_result=True)
def mail_sweep() -> int:
    """Every minute: send what the after-commit task did not (broker or mail server was down, a worker died).

    Sends in this task rather than queueing one task each, so catching up needs nothing but the database."""
    sent = 0
    for email_id in mail.outbox_email_due_ids():
        email = mail.outbox_email_send(email_id=email_id)
        sent += int(bool(email and email.sent_at))
    return sent
