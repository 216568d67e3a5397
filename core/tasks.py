"""Core tasks, and the one way a request hands work to Celery after commit (`enqueue_on_commit`)."""

import functools
import logging

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from kombu.exceptions import OperationalError
from redis.exceptions import RedisError

from core import mail
from core.models import IdempotencyRecord

logger = logging.getLogger(__name__)

# What `.delay` raises when the broker is unreachable (kombu wraps most of it; the rest leaks through).
BROKER_ERRORS = (OperationalError, RedisError, OSError)


def enqueue(task, *args, **kwargs) -> bool:
    """`task.delay(...)`, except that an unreachable broker is a log line, not an error: False then.

    Only for work a periodic sweep finds again from the database (mail, webhook events and deliveries)."""
    try:
        task.delay(*args, **kwargs)
    except BROKER_ERRORS as exc:
        where = "in-process" if task.app.conf.task_always_eager else "broker unreachable"
        logger.warning("Task %s not queued (%s: %s: %s); the periodic sweep will pick the work up", task.name,
                       where, type(exc).__name__, exc)
        return False
    return True


def enqueue_on_commit(task, *args, **kwargs) -> None:
    """Queue `task` once the current transaction commits (at once outside one). A committed request never turns
    into a 500 because the broker is down: the failure is logged and the task's sweep does the work later."""
    transaction.on_commit(functools.partial(enqueue, task, *args, **kwargs), robust=True)


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
