"""The demo integrator's webhook: a loopback subscription with a delivery that failed twice, then
succeeded. Idempotent (fixed ids, get_or_create) and offline: the attempts are written, not sent."""

import uuid
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from accounts.demo import demo_user
from core.models import OutboxEvent
from integrations import crypto
from integrations.models import WebhookAttempt, WebhookDelivery, WebhookSubscription

INTEGRATOR = "integrator@demo.dspportal.example"
URL = "http://127.0.0.1:8765/dsp-webhooks"
DEMO_EVENT_ID = uuid.uuid5(uuid.NAMESPACE_URL, "https://dsp-portal.example/demo/webhook-event/1")
ATTEMPTS = [(500, "upstream unavailable", False, 412), (500, "upstream unavailable", False, 380),
            (200, '{"ok":true}', True, 96)]


def seed(*, log):
    owner = demo_user(INTEGRATOR)
    # Direct creation, not the service: the service refuses loopback URLs outside development.
    subscription, created = WebhookSubscription.objects.get_or_create(
        owner=owner, url=URL,
        defaults={"description": "Acme Dispatch Sync (local receiver)",
                  # Integrators never receive payouts; the scopes let it hear these areas program-wide.
                  "event_types": ["application.decided", "route.published", "parcel.delivered"],
                  "scopes": ["hubs:read", "onboarding:read", "routes:read"],
                  "secret_encrypted": crypto.encrypt("whsec_demo_not_a_real_secret")},
    )
    now = timezone.now().replace(microsecond=0)
    event, _new = OutboxEvent.objects.get_or_create(
        pk=DEMO_EVENT_ID,
        defaults={"type": "route.published", "subject_type": "routes.plan", "subject_id": "0",
                  "payload": {"plan_id": 0, "station": "DEMO1", "service_date": str(now.date()), "routes": 42},
                  "created_at": now - timedelta(minutes=10), "dispatched_at": now - timedelta(minutes=10)},
    )
    delivery, new_delivery = WebhookDelivery.objects.get_or_create(
        subscription=subscription, event=event,
        defaults={"status": WebhookDelivery.Status.SUCCEEDED, "attempts": len(ATTEMPTS),
                  "last_attempt_at": now - timedelta(minutes=7),
                  "retry_until": event.created_at + settings.WEBHOOKS_RETRY_WINDOW},
    )
    if new_delivery:
        started = event.created_at
        for number, (code, body, ok, latency) in enumerate(ATTEMPTS, start=1):
            WebhookAttempt.objects.create(delivery=delivery, number=number, started_at=started, status_code=code,
                                          response_excerpt=body, succeeded=ok, latency_ms=latency)
            started += timedelta(minutes=number)
    if created:
        log(f"  webhook subscription for {INTEGRATOR} → {URL}")
    return []
