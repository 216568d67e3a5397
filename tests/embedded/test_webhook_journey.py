"""An integrator's webhook on the embedded default (SQLite, in-process tasks): a subscription made through the API,
with read scopes, to a receiver on 127.0.0.1 (loopback is allowed outside production: WEBHOOKS_ALLOW_LOOPBACK);
an admin approves an application on the review page, and the signed `application.decided` arrives once."""

import json
import uuid

import pytest

from accounts.models import Role
from integrations import signing
from integrations.models import WebhookDelivery
from integrations.tasks import webhooks_sweep
from tests.conftest import login
from tests.embedded.conftest import eventually
from tests.onboarding.factories import application_in, clear_checks

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_an_integrator_receives_one_signed_delivery_when_an_application_is_approved(
        page, make_user, admin_user, token_client, hook_receiver, settings, screenshot):
    assert settings.WEBHOOKS_ALLOW_LOOPBACK  # the embedded default is not production
    integrator = make_user(Role.INTEGRATOR)
    api = token_client(integrator, scopes=["webhooks:read", "webhooks:write"])
    created = api.post("/api/v1/webhooks/subscriptions/", {
        "url": hook_receiver.url, "description": "Dispatch sync",
        "event_types": ["application.decided", "route.published"], "scopes": ["onboarding:read", "routes:read"],
    }, format="json", HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()))
    assert created.status_code == 201, created.content
    secret = created.json()["secret"]
    assert created.json()["scopes"] == ["onboarding:read", "routes:read"]

    application = application_in("in_review", entity_name="Harbor Line Delivery LLC")
    clear_checks(application)
    login(page, admin_user.email)
    page.goto(f"/onboarding/review/{application.pk}/")
    page.fill("#decision-note", "Welcome to the program.")
    page.click("#approve")
    page.wait_for_selector("text=Approved: the Partner is created")
    screenshot(page, "embedded-webhook-application-approved")

    assert eventually(lambda: len(hook_receiver.requests) >= 1)
    received = hook_receiver.requests[0]
    assert signing.verify(secret=secret, header=received.headers["X-DSP-Signature"], body=received.body)
    body = json.loads(received.body)
    assert (body["type"], received.headers["X-DSP-Event-Type"]) == ("application.decided", "application.decided")
    assert body["data"]["status"] == "approved"

    # Once: the minute sweep finds nothing left to send, and the delivery log says so.
    webhooks_sweep()
    assert len(hook_receiver.requests) == 1
    deliveries = api.get("/api/v1/webhooks/deliveries/")
    assert deliveries.status_code == 200, deliveries.content
    assert [(d["event_type"], d["status"], d["attempts"]) for d in deliveries.json()["results"]] == [
        ("application.decided", WebhookDelivery.Status.SUCCEEDED, 1)]
