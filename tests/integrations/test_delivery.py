"""Events are never lost: outbox, fan-out after commit, signed POSTs, retries, disabling."""

import json
from datetime import timedelta

import pytest
from django.core import mail
from django.db import transaction
from django.test import override_settings
from django.utils import timezone
from freezegun import freeze_time

from core.audience import Audience
from core.events import event_record
from core.models import OutboxEvent
from integrations import signing
from integrations.models import WebhookAttempt, WebhookDelivery
from integrations.services import webhook_secret_rotate
from integrations.tasks import webhooks_sweep

pytestmark = pytest.mark.django_db


def test_a_rolled_back_change_leaves_no_event(integrator, subscribe, receiver, django_capture_on_commit_callbacks):
    subscribe(receiver.url)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        event_record(type="application.decided", subject=integrator, payload={"id": 1, "status": "approved"},
                     audience=Audience())
        raise RuntimeError("the change failed after the event was written")
    webhooks_sweep()
    assert OutboxEvent.objects.count() == 0
    assert receiver.requests == []


def test_a_committed_event_is_posted_to_its_subscribers(subscribe, receiver, record_event,
                                                          django_capture_on_commit_callbacks):
    subscription, secret = subscribe(receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        event = record_event(payload={"id": 7, "status": "approved", "note": "welcome"})
    assert len(receiver.requests) == 1
    received = receiver.requests[0]
    assert json.loads(received.body) == {"id": str(event.pk), "type": "application.decided",
                                         "created": event.created_at.isoformat(),
                                         "data": {"id": 7, "status": "approved", "note": "welcome"}}
    assert received.headers["X-DSP-Event-Id"] == str(event.pk)
    assert received.headers["X-DSP-Event-Type"] == "application.decided"
    assert signing.verify(secret=secret, header=received.headers["X-DSP-Signature"], body=received.body)
    assert not signing.verify(secret="whsec_wrong", header=received.headers["X-DSP-Signature"], body=received.body)


def test_only_subscribed_event_types_are_delivered(subscribe, receiver, record_event,
                                                   django_capture_on_commit_callbacks):
    subscribe(receiver.url, event_types=["route.published"])
    with django_capture_on_commit_callbacks(execute=True):
        record_event(type="application.decided")
    assert receiver.requests == []
    assert WebhookDelivery.objects.count() == 0


def test_an_event_survives_a_worker_that_died_before_delivery(subscribe, receiver, record_event):
    subscribe(receiver.url)
    event = record_event()  # committed, but its after-commit dispatch never ran (the worker died)
    assert receiver.requests == [] and WebhookDelivery.objects.count() == 0

    webhooks_sweep()  # celery beat, a minute later

    assert len(receiver.requests) == 1
    assert json.loads(receiver.requests[0].body)["id"] == str(event.pk)
    assert WebhookDelivery.objects.get().status == WebhookDelivery.Status.SUCCEEDED
    webhooks_sweep()
    assert len(receiver.requests) == 1, "a second sweep sends nothing again"


def test_a_failing_receiver_is_retried_with_backoff_and_the_log_shows_three_attempts(
        subscribe, receiver, record_event, django_capture_on_commit_callbacks):
    subscription, secret = subscribe(receiver.url)
    receiver.statuses = [500, 500, 200]
    start = timezone.now()
    with freeze_time(start) as clock:
        with django_capture_on_commit_callbacks(execute=True):
            record_event()
        delivery = WebhookDelivery.objects.get()
        assert delivery.status == WebhookDelivery.Status.FAILED

        clock.tick(timedelta(seconds=30))
        webhooks_sweep()  # not due yet
        assert len(receiver.requests) == 1

        clock.tick(timedelta(seconds=31))  # first retry after 1 minute
        webhooks_sweep()
        assert len(receiver.requests) == 2
        clock.tick(timedelta(minutes=1))
        webhooks_sweep()
        assert len(receiver.requests) == 2, "the second retry waits 2 minutes"
        clock.tick(timedelta(minutes=1, seconds=1))
        webhooks_sweep()

    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.SUCCEEDED
    attempts = list(delivery.attempt_log.order_by("number"))
    assert [(a.number, a.status_code, a.succeeded) for a in attempts] == [(1, 500, False), (2, 500, False),
                                                                          (3, 200, True)]
    assert attempts[0].response_excerpt == "receiver exploded"
    for received in receiver.requests:
        timestamp = int(received.headers["X-DSP-Signature"].split(",")[0][2:])
        assert signing.verify(secret=secret, header=received.headers["X-DSP-Signature"], body=received.body,
                              now=timestamp)
    subscription.refresh_from_db()
    assert subscription.consecutive_failures == 0 and subscription.active


def test_a_delivery_gives_up_after_24_hours(subscribe, receiver, record_event, django_capture_on_commit_callbacks):
    subscribe(receiver.url)
    receiver.statuses = [503] * 100
    start = timezone.now()
    with freeze_time(start) as clock, override_settings(WEBHOOKS_MAX_CONSECUTIVE_FAILURES=1000):
        with django_capture_on_commit_callbacks(execute=True):
            record_event()
        for _ in range(30):
            clock.tick(timedelta(hours=1))
            webhooks_sweep()
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == WebhookDelivery.Status.GAVE_UP
    assert delivery.attempt_log.count() == len(receiver.requests) < 20
    assert delivery.attempt_log.order_by("-started_at").first().started_at < start + timedelta(hours=24)


@override_settings(WEBHOOKS_MAX_CONSECUTIVE_FAILURES=3)
def test_a_run_of_failures_disables_the_subscription_and_emails_its_owner(
        integrator, subscribe, receiver, record_event, django_capture_on_commit_callbacks):
    subscription, _secret = subscribe(receiver.url)
    receiver.statuses = [500] * 10
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(3):
            record_event()
    subscription.refresh_from_db()
    assert not subscription.active
    assert subscription.consecutive_failures == 3
    assert "3 failed deliveries" in subscription.disabled_reason
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [integrator.email]
    assert subscription.url in mail.outbox[0].subject

    with django_capture_on_commit_callbacks(execute=True):
        record_event()
    assert len(receiver.requests) == 3, "a disabled subscription receives nothing"


def test_a_rotated_secret_still_verifies_during_the_overlap_and_not_after(
        subscribe, receiver, record_event, django_capture_on_commit_callbacks):
    subscription, old_secret = subscribe(receiver.url)
    start = timezone.now()
    with freeze_time(start) as clock:
        subscription, new_secret = webhook_secret_rotate(subscription=subscription, overlap=timedelta(hours=24))
        assert new_secret != old_secret

        clock.tick(timedelta(hours=23))
        with django_capture_on_commit_callbacks(execute=True):
            record_event()
        during = receiver.requests[-1]
        header = during.headers["X-DSP-Signature"]
        assert header.count("v1=") == 2
        assert signing.verify(secret=old_secret, header=header, body=during.body)
        assert signing.verify(secret=new_secret, header=header, body=during.body)

        clock.tick(timedelta(hours=2))
        with django_capture_on_commit_callbacks(execute=True):
            record_event()
        after = receiver.requests[-1]
        header = after.headers["X-DSP-Signature"]
        assert header.count("v1=") == 1
        assert not signing.verify(secret=old_secret, header=header, body=after.body)
        assert signing.verify(secret=new_secret, header=header, body=after.body)


def test_a_stale_signature_is_refused_by_the_receiver_helper():
    body = b'{"id":"x"}'
    header = signing.sign(secrets=["whsec_a"], timestamp=1_000_000, body=body)
    assert signing.verify(secret="whsec_a", header=header, body=body, now=1_000_100)
    assert not signing.verify(secret="whsec_a", header=header, body=body, now=1_000_000 + 3600)
    assert not signing.verify(secret="whsec_a", header=header, body=body + b" ", now=1_000_100)


def test_attempts_are_logged_when_the_receiver_is_unreachable(subscribe, record_event,
                                                             django_capture_on_commit_callbacks):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again at once: nothing listens there
    subscribe(f"http://127.0.0.1:{port}/hook")
    with django_capture_on_commit_callbacks(execute=True):
        record_event()
    attempt = WebhookAttempt.objects.get()
    assert attempt.status_code is None and "ConnectionError" in attempt.error
    assert WebhookDelivery.objects.get().status == WebhookDelivery.Status.FAILED
