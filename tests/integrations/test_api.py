"""Webhooks over REST and HTML: secrets shown once, tenancy, SSRF refusals, redeliver, quota headers."""

import pytest
from django.test import override_settings

from accounts.models import Role
from core.errors import ValidationFailed
from core.events import EVENT_TYPES
from integrations.models import WebhookDelivery, WebhookSubscription
from integrations.urlguard import webhook_url_check

pytestmark = pytest.mark.django_db

BASE = "/api/v1/webhooks"


def test_an_integrator_subscribes_and_sees_the_secret_only_once(integrator, token_client, receiver):
    client = token_client(integrator, scopes=["webhooks:write"])
    wanted = {"url": receiver.url, "event_types": ["route.published"], "scopes": ["routes:read"]}
    response = client.post(f"{BASE}/subscriptions/", wanted, format="json", HTTP_IDEMPOTENCY_KEY="sub-1")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["secret"].startswith("whsec_") and body["active"] is True and body["scopes"] == ["routes:read"]
    replay = client.post(f"{BASE}/subscriptions/", wanted, format="json", HTTP_IDEMPOTENCY_KEY="sub-1")
    assert replay.headers["Idempotent-Replayed"] == "true"
    assert WebhookSubscription.objects.count() == 1

    listed = client.get(f"{BASE}/subscriptions/").json()["results"]
    assert [s["id"] for s in listed] == [body["id"]]
    assert "secret" not in listed[0]
    assert "secret" not in client.get(f"{BASE}/subscriptions/{body['id']}/").json()

    rotated = client.post(f"{BASE}/subscriptions/{body['id']}/rotate/", {"overlap_hours": 2}, format="json").json()
    assert rotated["secret"] != body["secret"] and rotated["secret_rotation_overlap_until"]


def test_another_owners_subscription_is_not_found(integrator, make_user, token_client, subscribe, receiver, client):
    subscription, _secret = subscribe(receiver.url)
    other = make_user(Role.INTEGRATOR)
    api = token_client(other)
    assert api.get(f"{BASE}/subscriptions/{subscription.pk}/").status_code == 404
    assert api.patch(f"{BASE}/subscriptions/{subscription.pk}/", {"active": False}, format="json").status_code == 404
    assert api.post(f"{BASE}/subscriptions/{subscription.pk}/rotate/").status_code == 404
    assert api.get(f"{BASE}/subscriptions/").json()["results"] == []
    client.force_login(other)
    assert client.get(f"/integrations/webhooks/{subscription.pk}/").status_code == 404
    assert client.post(f"/integrations/webhooks/{subscription.pk}/rotate/").status_code == 404
    subscription.refresh_from_db()
    assert subscription.active


def test_a_program_admin_sees_every_subscription(admin_user, token_client, subscribe, receiver):
    subscription, _secret = subscribe(receiver.url)
    listed = token_client(admin_user).get(f"{BASE}/subscriptions/").json()["results"]
    assert [s["id"] for s in listed] == [subscription.pk]


def test_roles_without_webhooks_are_refused(make_user, token_client):
    for role in (Role.APPLICANT, Role.DRIVER, Role.HUB_OWNER):
        response = token_client(make_user(role)).get(f"{BASE}/subscriptions/")
        assert response.status_code == 403
        assert response.json()["code"] == "permission_denied"


def test_bad_input_gets_field_errors(integrator, token_client):
    client = token_client(integrator)
    response = client.post(f"{BASE}/subscriptions/", {"url": "not a url", "event_types": ["nope"]}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "validation_failed" and {"url", "event_types"} <= set(body["fields"])


PRIVATE_URLS = [
    "https://10.1.2.3/hook", "https://192.168.0.10/hook", "https://172.16.5.4/hook", "https://127.0.0.1/hook",
    "http://127.0.0.1:8000/hook", "https://169.254.169.254/latest/meta-data", "https://[::1]/hook",
    "https://0.0.0.0/hook", "https://localhost/hook", "https://[::ffff:10.0.0.1]/hook", "https://100.64.0.1/",
    "http://93.184.216.34/hook",  # public, but plain http
]


@override_settings(WEBHOOKS_ALLOW_LOOPBACK=False)
@pytest.mark.parametrize("url", PRIVATE_URLS)
def test_a_subscription_to_a_private_address_is_refused_in_production(url, integrator, token_client):
    with pytest.raises(ValidationFailed) as refused:
        webhook_url_check(url)
    assert refused.value.code == "webhook_url_refused"
    response = token_client(integrator).post(f"{BASE}/subscriptions/", {"url": url, "event_types": ["payout.paid"]},
                                             format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "webhook_url_refused" and "url" in response.json()["fields"]
    assert WebhookSubscription.objects.count() == 0


@override_settings(WEBHOOKS_ALLOW_LOOPBACK=False)
def test_a_public_https_address_is_accepted_in_production():
    assert webhook_url_check("https://93.184.216.34/hook") == "https://93.184.216.34/hook"


def test_delivery_rechecks_the_address(subscribe, receiver, record_event, django_capture_on_commit_callbacks):
    subscribe(receiver.url)
    with override_settings(WEBHOOKS_ALLOW_LOOPBACK=False), django_capture_on_commit_callbacks(execute=True):
        record_event()
    assert receiver.requests == []
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == WebhookDelivery.Status.FAILED
    assert "https" in delivery.attempt_log.get().error


def test_deliveries_list_and_redeliver(integrator, token_client, subscribe, receiver, record_event,
                                       django_capture_on_commit_callbacks):
    subscription, _secret = subscribe(receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        record_event()
    client = token_client(integrator)
    deliveries = client.get(f"{BASE}/deliveries/", {"subscription": subscription.pk}).json()["results"]
    assert len(deliveries) == 1 and deliveries[0]["status"] == "succeeded"
    assert [a["status_code"] for a in deliveries[0]["attempt_log"]] == [200]

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{BASE}/deliveries/{deliveries[0]['id']}/redeliver/")
    assert response.status_code == 202
    assert len(receiver.requests) == 2
    again = client.get(f"{BASE}/deliveries/{deliveries[0]['id']}/").json()
    assert [a["number"] for a in again["attempt_log"]] == [1, 2]


def test_event_types_list_the_catalogue(integrator, token_client):
    body = token_client(integrator, scopes=["webhooks:read"]).get(f"{BASE}/event-types/").json()
    assert {e["type"] for e in body} == set(EVENT_TYPES)
    route = next(e for e in body if e["type"] == "route.published")
    assert route["payload"]["service_date"] == "date"


def test_responses_carry_the_remaining_quota(integrator, token_client):
    client = token_client(integrator)
    first = client.get(f"{BASE}/event-types/")
    second = client.get(f"{BASE}/event-types/")
    assert int(first.headers["X-RateLimit-Limit"]) > 0
    assert int(second.headers["X-RateLimit-Remaining"]) == int(first.headers["X-RateLimit-Remaining"]) - 1


def test_a_rate_limited_client_gets_429_with_retry_after(integrator, token_client, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK,
                               "DEFAULT_THROTTLE_RATES": {"anon": "2/min", "user": "2/min"}}
    from rest_framework.throttling import SimpleRateThrottle

    original = SimpleRateThrottle.THROTTLE_RATES
    SimpleRateThrottle.THROTTLE_RATES = {"anon": "2/min", "user": "2/min"}
    try:
        client = token_client(integrator)
        assert client.get(f"{BASE}/event-types/").status_code == 200
        assert client.get(f"{BASE}/event-types/").headers["X-RateLimit-Remaining"] == "0"
        throttled = client.get(f"{BASE}/event-types/")
    finally:
        SimpleRateThrottle.THROTTLE_RATES = original
    assert throttled.status_code == 429
    assert int(throttled.headers["Retry-After"]) > 0
    assert throttled.json()["code"] == "throttled"
    assert throttled.headers["X-RateLimit-Remaining"] == "0"


def test_the_schema_documents_the_error_envelope_and_the_catalogue(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    assert schema["components"]["schemas"]["Error"]["required"] == ["code", "detail", "fields"]
    operation = schema["paths"]["/api/v1/webhooks/subscriptions/{id}/"]["get"]
    assert operation["responses"]["404"]["content"]["application/json"]["schema"]["$ref"].endswith("/Error")
    assert "route.published" in schema["info"]["description"]


def test_owner_pages_create_show_the_secret_once_and_list_attempts(integrator, client, receiver, record_event,
                                                                   django_capture_on_commit_callbacks):
    client.force_login(integrator)
    page = client.get("/integrations/webhooks/")
    assert page.status_code == 200
    created = client.post("/integrations/webhooks/", {"url": receiver.url, "event_types": ["application.decided"],
                                                      "scopes": ["onboarding:read"], "description": "ops"})
    assert created.status_code == 200
    assert "whsec_" in created.content.decode()
    subscription = WebhookSubscription.objects.get()
    receiver.statuses = [500]
    with django_capture_on_commit_callbacks(execute=True):
        record_event()
    detail = client.get(f"/integrations/webhooks/{subscription.pk}/").content.decode()
    assert "whsec_" not in detail
    assert "receiver exploded" in detail and "Redeliver" in detail
    delivery = WebhookDelivery.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/integrations/webhooks/deliveries/{delivery.pk}/redeliver/")
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.SUCCEEDED and delivery.attempts == 2
    client.post(f"/integrations/webhooks/{subscription.pk}/active/", {"active": "0"})
    subscription.refresh_from_db()
    assert not subscription.active


@override_settings(WEBHOOKS_ALLOW_LOOPBACK=False)
def test_the_page_form_shows_the_ssrf_refusal(integrator, client):
    client.force_login(integrator)
    response = client.post("/integrations/webhooks/", {"url": "https://10.0.0.8/hook",
                                                       "event_types": ["application.decided"]})
    assert response.status_code == 200
    assert "public address" in response.content.decode()
    assert WebhookSubscription.objects.count() == 0


def test_seed_demo_gives_the_integrator_a_subscription_with_logged_attempts():
    from django.core.management import call_command

    call_command("seed_demo")
    call_command("seed_demo")
    subscription = WebhookSubscription.objects.get(owner__email="integrator@demo.dspportal.example")
    delivery = subscription.deliveries.get()
    assert [a.status_code for a in delivery.attempt_log.order_by("number")] == [500, 500, 200]
