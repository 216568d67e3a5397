"""A token creates tokens only with `tokens:write`, never wider or longer-lived than itself (issue #13, item 3)."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import ApiToken, Role
from accounts.services import api_token_create

pytestmark = pytest.mark.django_db


def _client(raw):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


def _parent(user, scopes, expires_in=None):
    expires_at = timezone.now() + expires_in if expires_in else None
    return api_token_create(user=user, created_by=user, name="parent", scopes=scopes, expires_at=expires_at)


def _mint(raw, scopes, expires_at=None):
    body = {"name": "child", "scopes": scopes}
    if expires_at is not None:
        body["expires_at"] = expires_at.isoformat()
    return _client(raw).post("/api/v1/tokens/", body, format="json")


def test_a_token_with_only_account_write_cannot_mint_a_token_with_every_scope(user, make_user):
    _parent_row, raw = _parent(user, ["account:write"])
    every_write = ["account:write", "onboarding:write", "claims:write", "fleet:write", "procurement:write",
                   "hubs:write", "routes:write", "webhooks:write"]
    response = _mint(raw, every_write)
    assert response.status_code == 403
    assert response.json()["code"] == "token_mint_denied"
    assert "tokens:write" in response.json()["detail"]
    assert ApiToken.objects.count() == 1


def test_a_token_cannot_mint_scopes_it_does_not_hold(user):
    _parent_row, raw = _parent(user, ["account:write", "tokens:write"], expires_in=timedelta(days=2))
    response = _mint(raw, ["account:read", "claims:read"], timezone.now() + timedelta(days=1))
    assert response.status_code == 403
    body = response.json()
    assert body["code"] == "token_scope_exceeded"
    assert body["detail"] == "A token cannot create a token with scopes it does not hold: claims:read."
    assert ApiToken.objects.count() == 1


def test_a_token_cannot_mint_a_token_that_outlives_it(user):
    parent, raw = _parent(user, ["account:write", "tokens:write"], expires_in=timedelta(days=2))
    for expires_at in (timezone.now() + timedelta(days=3), None):
        response = _mint(raw, ["account:read"], expires_at)
        assert response.status_code == 400
        body = response.json()
        assert body["code"] == "token_expiry_exceeded"
        assert parent.expires_at.isoformat() in body["fields"]["expires_at"][0]
    assert ApiToken.objects.count() == 1


def test_a_token_that_never_expires_mints_only_tokens_that_do(user):
    _parent_row, raw = _parent(user, ["account:write", "tokens:write"])
    response = _mint(raw, ["account:read"])
    assert response.status_code == 400
    assert response.json()["fields"]["expires_at"] == ["A token created with a token must have an expiry."]
    assert _mint(raw, ["account:read"], timezone.now() + timedelta(days=30)).status_code == 201


def test_a_token_mints_a_narrower_shorter_lived_token_that_works(user):
    _parent_row, raw = _parent(user, ["account:write", "tokens:write", "routes:write"], expires_in=timedelta(days=2))
    response = _mint(raw, ["account:read", "routes:read"], timezone.now() + timedelta(days=1))
    assert response.status_code == 201
    child = ApiToken.objects.get(pk=response.json()["id"])
    assert child.scopes == ["account:read", "routes:read"]
    me = _client(response.json()["token"]).get("/api/v1/me/")
    assert me.status_code == 200
    assert _mint(response.json()["token"], ["account:read"], timezone.now() + timedelta(hours=1)).status_code == 403


def test_an_admin_token_issues_an_integrator_token_within_its_own_bounds(admin_user, make_user):
    integrator = make_user(Role.INTEGRATOR)
    _parent_row, raw = _parent(admin_user, ["account:write", "tokens:write", "routes:write"])
    body = {"name": "Acme", "scopes": ["routes:read"], "user_id": integrator.pk,
            "expires_at": (timezone.now() + timedelta(days=90)).isoformat()}
    response = _client(raw).post("/api/v1/tokens/", body, format="json")
    assert response.status_code == 201
    assert ApiToken.objects.get(pk=response.json()["id"]).user == integrator


def test_a_browser_session_issues_within_the_role_without_these_bounds(api_client, user, password):
    api_client.login(email=user.email, password=password)
    response = api_client.post("/api/v1/tokens/", {"name": "laptop", "scopes": ["claims:write", "tokens:write"]},
                               format="json")
    assert response.status_code == 201
    assert response.json()["expires_at"] is None


def test_the_tokens_page_offers_the_tokens_write_scope(client, user, password):
    client.login(email=user.email, password=password)
    client.post("/account/tokens/", {"name": "automation", "scopes": ["account:write", "tokens:write"]})
    assert ApiToken.objects.get(user=user).scopes == ["account:write", "tokens:write"]
