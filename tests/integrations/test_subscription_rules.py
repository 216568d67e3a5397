"""Who may subscribe to what: only event types the owner could ever receive, scopes only for integrators."""

import pytest

from accounts.models import Role
from core.errors import PermissionDenied, ValidationFailed
from integrations.models import WebhookSubscription
from integrations.services import webhook_subscription_create, webhook_subscription_update
from tests.onboarding.factories import partner_with_owner

pytestmark = pytest.mark.django_db

BASE = "/api/v1/webhooks/subscriptions/"


def test_a_partner_owner_subscribes_to_its_own_kinds_of_events(token_client, receiver):
    _partner, owner = partner_with_owner()
    response = token_client(owner).post(BASE, {"url": receiver.url, "event_types": ["claim.paid", "route.published"]},
                                        format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["scopes"] == []


def test_a_partner_owner_cannot_subscribe_to_hub_events(token_client, receiver):
    _partner, owner = partner_with_owner()
    response = token_client(owner).post(BASE, {"url": receiver.url, "event_types": ["parcel.delivered"]},
                                        format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "event_type_not_receivable" and "parcel.delivered" in body["fields"]["event_types"][0]
    assert WebhookSubscription.objects.count() == 0


def test_a_partner_owner_cannot_take_program_wide_scopes(token_client, receiver):
    _partner, owner = partner_with_owner()
    response = token_client(owner).post(BASE, {"url": receiver.url, "event_types": ["order.decided"],
                                               "scopes": ["procurement:read"]}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "scope_not_allowed" and "scopes" in response.json()["fields"]


def test_an_integrator_needs_the_areas_scope_and_never_gets_claims(integrator, token_client, receiver):
    client = token_client(integrator)
    unscoped = client.post(BASE, {"url": receiver.url, "event_types": ["route.published"]}, format="json")
    assert unscoped.status_code == 400 and "routes:read" in unscoped.json()["detail"]
    claims = client.post(BASE, {"url": receiver.url, "event_types": ["claim.paid"], "scopes": ["routes:read"]},
                         format="json")
    assert claims.status_code == 400 and claims.json()["code"] == "event_type_not_receivable"
    forbidden_scope = client.post(BASE, {"url": receiver.url, "event_types": ["route.published"],
                                         "scopes": ["routes:read", "claims:read"]}, format="json")
    assert forbidden_scope.status_code == 400 and forbidden_scope.json()["code"] == "scope_not_allowed"


def test_dropping_a_scope_the_subscription_needs_is_refused(integrator, receiver):
    subscription, _secret = webhook_subscription_create(owner=integrator, url=receiver.url,
                                                        event_types=["route.published"], scopes=["routes:read"])
    with pytest.raises(ValidationFailed) as refused:
        webhook_subscription_update(subscription=subscription, scopes=["hubs:read"])
    assert refused.value.code == "event_type_not_receivable"
    subscription.refresh_from_db()
    assert subscription.scopes == ["routes:read"]


def test_a_role_that_receives_nothing_cannot_subscribe(make_user, receiver):
    with pytest.raises(PermissionDenied):
        webhook_subscription_create(owner=make_user(Role.DRIVER), url=receiver.url, event_types=["route.published"])


def test_the_page_offers_only_what_the_owner_could_receive(client, integrator):
    _partner, owner = partner_with_owner()
    client.force_login(owner)
    page = client.get("/integrations/webhooks/").content.decode()
    assert 'value="claim.paid"' in page and 'value="parcel.delivered"' not in page
    assert 'name="scopes"' not in page
    client.force_login(integrator)
    page = client.get("/integrations/webhooks/").content.decode()
    assert 'value="route.published"' in page and 'value="claim.paid"' not in page and 'value="payout.paid"' not in page
    assert 'value="routes:read"' in page and 'value="claims:read"' not in page
