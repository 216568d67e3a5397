"""E-mail through the outbox (core.mail): written with the change, sent after commit, retried, never twice."""

import smtplib
from datetime import timedelta

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django.utils import timezone

from core.mail import mail_queue
from core.models import OutboxEmail
from core.tasks import mail_sweep

pytestmark = pytest.mark.django_db


class RefusingBackend(BaseEmailBackend):
    """A mail server that is down."""

    def send_messages(self, email_messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


def _sweep_a_minute_later():
    OutboxEmail.objects.filter(sent_at__isnull=True).update(created_at=timezone.now() - timedelta(minutes=2))
    return mail_sweep()


def test_an_email_is_sent_only_after_its_change_commits_and_not_at_all_when_it_rolls_back(
        django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        mail_queue(to=["a@example.com"], subject="Kept", body="Committed.")
        assert mail.outbox == []
    with pytest.raises(RuntimeError), django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        mail_queue(to=["b@example.com"], subject="Undone", body="Rolled back.")
        raise RuntimeError("the change failed")
    assert [m.subject for m in mail.outbox] == ["Kept"]
    assert list(OutboxEmail.objects.values_list("subject", flat=True)) == ["Kept"]


def test_with_the_mail_server_down_the_email_waits_and_the_sweep_sends_it_once_it_is_back(
        settings, django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = f"{__name__}.RefusingBackend"
    with django_capture_on_commit_callbacks(execute=True):
        email = mail_queue(to=["a@example.com"], subject="Later", body="When the server is back.")
    email.refresh_from_db()
    assert email.sent_at is None and email.attempts == 1 and "SMTPServerDisconnected" in email.last_error
    assert _sweep_a_minute_later() == 0  # its retry time has not come

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    OutboxEmail.objects.filter(pk=email.pk).update(next_attempt_at=timezone.now())
    assert _sweep_a_minute_later() == 1
    assert _sweep_a_minute_later() == 0
    assert [m.subject for m in mail.outbox] == ["Later"]


def test_the_same_dedupe_key_twice_sends_one_email(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = mail_queue(to=["a@example.com"], subject="Reminder", body="x", dedupe_key="reminder:1")
        again = mail_queue(to=["a@example.com"], subject="Reminder", body="x", dedupe_key="reminder:1")
    assert again.pk == first.pk
    assert len(mail.outbox) == 1


def test_nobody_to_write_to_writes_nothing():
    assert mail_queue(to=["", None], subject="x", body="y") is None
    assert not OutboxEmail.objects.exists()
