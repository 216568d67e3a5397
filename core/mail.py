"""E-mail through the outbox: one row per e-mail, written in the caller's transaction, sent after commit.

`mail_queue(...)` is the only way the portal sends mail. The row commits with the change it reports (a rolled-back
change sends nothing); after commit a task sends it. With the broker down the task is never queued and with the
mail server down the send fails: either way the row waits, and `mail_sweep` (every minute) sends what is still
unsent a minute after it was written. On the embedded default (in-process Celery) the send runs right after
commit in the same process.

Sent once: a sender first leases the row (`next_attempt_at` pushed LEASE ahead, in a short transaction that skips
rows another sender holds), sends outside any transaction, then marks it sent. The send is external, so it cannot
share a transaction with the mark: a process killed after the mail server accepted the message and before the mark
commits leaves the row leased but unsent, and it is sent again once the lease runs out. That window (milliseconds)
is the only way an e-mail goes out twice; it never goes out twice otherwise, and is never lost."""

import logging
import smtplib
from datetime import timedelta

from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from core.models import OutboxEmail
from core.taskqueue import enqueue_on_commit

logger = logging.getLogger(__name__)

LEASE = timedelta(minutes=2)  # longer than an SMTP conversation: a crashed send is retried after it
SWEEP_GRACE = timedelta(minutes=1)  # the after-commit send has this long before the sweep takes over
MAX_ATTEMPTS = 10
BACKOFF_BASE = timedelta(minutes=1)
BACKOFF_CAP = timedelta(hours=4)
SEND_ERRORS = (smtplib.SMTPException, OSError)


def mail_queue(*, to, subject: str, body: str, html: str = "", from_email: str = "",
               dedupe_key: str = "") -> OutboxEmail | None:
    """Write one e-mail to the outbox in the caller's transaction and send it after commit.

    None when there is nobody to send to. With `dedupe_key`, a second call with the same key (a re-run batch)
    returns the first row and queues nothing."""
    recipients = list(dict.fromkeys(addr for addr in to if addr))
    if not recipients:
        return None
    fields = {"to": recipients, "subject": subject, "body": body, "html": html, "from_email": from_email or ""}
    if dedupe_key:
        with transaction.atomic():
            email, created = OutboxEmail.objects.get_or_create(dedupe_key=dedupe_key, defaults=fields)
        if not created:
            return email
    else:
        email = OutboxEmail.objects.create(**fields)
    enqueue_on_commit("core.tasks.mail_send", email.pk)
    return email


def _backoff(attempts: int) -> timedelta:
    return min(BACKOFF_BASE * (2 ** max(attempts - 1, 0)), BACKOFF_CAP)


def _lease(email_id: int) -> OutboxEmail | None:
    """Take an unsent e-mail for one attempt, or None when it is sent, leased by another sender or not due."""
    with transaction.atomic():
        email = (OutboxEmail.objects.select_for_update(skip_locked=True)
                 .filter(pk=email_id, sent_at__isnull=True).first())
        now = timezone.now()
        if email is None or email.attempts >= MAX_ATTEMPTS or (email.next_attempt_at and email.next_attempt_at > now):
            return None
        email.attempts += 1
        email.next_attempt_at = now + LEASE
        email.save(update_fields=["attempts", "next_attempt_at"])
        return email


def outbox_email_send(*, email_id: int) -> OutboxEmail | None:
    """Send one outbox e-mail if it is due; None when there was nothing to do. Safe to call twice."""
    email = _lease(email_id)
    if email is None:
        return None
    message = EmailMultiAlternatives(email.subject, email.body, email.from_email or None, email.to)
    if email.html:
        message.attach_alternative(email.html, "text/html")
    try:
        message.send()
    except SEND_ERRORS as exc:
        error = f"{type(exc).__name__}: {exc}"[:500]
        logger.warning("E-mail %s not sent (attempt %s): %s", email.pk, email.attempts, error)
        OutboxEmail.objects.filter(pk=email.pk).update(last_error=error,
                                                       next_attempt_at=timezone.now() + _backoff(email.attempts))
        return email
    OutboxEmail.objects.filter(pk=email.pk).update(sent_at=timezone.now(), next_attempt_at=None, last_error="")
    email.refresh_from_db()
    return email


def outbox_email_due_ids(*, limit: int = 500) -> list[int]:
    """Unsent e-mails older than SWEEP_GRACE whose lease or retry time has passed, oldest first."""
    now = timezone.now()
    return list(
        OutboxEmail.objects.filter(sent_at__isnull=True, created_at__lte=now - SWEEP_GRACE, attempts__lt=MAX_ATTEMPTS)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .order_by("created_at").values_list("pk", flat=True)[:limit]
    )
