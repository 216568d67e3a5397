"""With REQUIRE_ADMIN_MFA on (production), an admin without TOTP can neither use the API from the browser
nor mint tokens, by page or API (issue #13, item 2). Tokens issued earlier keep working but cannot mint."""

from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import ApiToken, Role
from accounts.services import api_token_create
from core.errors import PermissionDenied

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("_mfa_required")]

SETUP_URL = "/accounts/2fa/totp/activate/"


@pytest.fixture
def _mfa_required():
    with override_settings(REQUIRE_ADMIN_MFA=True):
        yield


@pytest.fixture
def admin_session(admin_user, password):
    client = APIClient()
    client.login(email=admin_user.email, password=password)
    return client


def _activate_totp(user):
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    TOTP.activate(user, generate_totp_secret())


def test_admin_session_without_totp_cannot_read_the_api(admin_session):
    response = admin_session.get("/api/v1/me/")
    assert response.status_code == 403
    body = response.json()
    assert body["code"] == "mfa_required"
    assert SETUP_URL in body["detail"]


def test_admin_session_without_totp_cannot_mint_a_token_over_the_api(admin_session):
    response = admin_session.post("/api/v1/tokens/", {"name": "all", "scopes": ["claims:write"]}, format="json")
    assert response.status_code == 403
    assert response.json()["code"] == "mfa_required"
    assert not ApiToken.objects.exists()


def test_admin_without_totp_cannot_mint_a_token_on_the_page(client, admin_user, password):
    client.login(email=admin_user.email, password=password)
    response = client.post("/account/tokens/", {"name": "all", "scopes": ["claims:write"]})
    assert response.status_code == 302
    assert response["Location"] == SETUP_URL
    assert not ApiToken.objects.exists()


def test_no_service_mints_a_token_by_or_for_an_admin_without_totp(admin_user, make_user):
    with pytest.raises(PermissionDenied) as by_them:
        api_token_create(user=admin_user, created_by=admin_user, name="x", scopes=["claims:read"])
    assert by_them.value.code == "mfa_required"
    colleague = make_user(Role.PROGRAM_ADMIN)
    _activate_totp(colleague)
    with pytest.raises(PermissionDenied) as for_them:
        api_token_create(user=admin_user, created_by=colleague, name="x", scopes=["claims:read"])
    assert for_them.value.code == "mfa_required"
    assert admin_user.email in for_them.value.detail
    assert not ApiToken.objects.exists()


def test_admin_with_totp_uses_the_api_and_mints_tokens_from_the_browser(admin_session, admin_user):
    _activate_totp(admin_user)
    assert admin_session.get("/api/v1/me/").status_code == 200
    response = admin_session.post("/api/v1/tokens/", {"name": "ok", "scopes": ["claims:read"]}, format="json")
    assert response.status_code == 201


def test_a_token_issued_before_keeps_working_but_cannot_mint(admin_user):
    with override_settings(REQUIRE_ADMIN_MFA=False):
        _token, raw = api_token_create(user=admin_user, created_by=admin_user, name="old",
                                       scopes=["account:write", "tokens:write"])
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert client.get("/api/v1/me/").status_code == 200
    response = client.post("/api/v1/tokens/", {"name": "new", "scopes": ["account:read"],
                                               "expires_at": (timezone.now() + timedelta(days=1)).isoformat()},
                           format="json")
    assert response.status_code == 403
    assert response.json()["code"] == "mfa_required"
    assert ApiToken.objects.count() == 1


def test_other_roles_use_the_api_from_the_browser_without_totp(make_user, password):
    owner = make_user(Role.PARTNER_OWNER)
    client = APIClient()
    client.login(email=owner.email, password=password)
    assert client.get("/api/v1/me/").status_code == 200
