"""API tokens: valid, expired, revoked and wrong-scope; stored hashed; shown once."""

from datetime import timedelta

import pytest
from django.utils import timezone
from freezegun import freeze_time
from rest_framework.test import APIClient

from accounts.authentication import token_for_request
from accounts.models import ApiToken, Role
from accounts.services import api_token_create, api_token_revoke
from core.errors import PermissionDenied

pytestmark = pytest.mark.django_db


def _client(raw):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


def test_valid_token_authenticates_as_its_owner(user):
    _token, raw = api_token_create(user=user, created_by=user, name="sync", scopes=["account:read"])
    response = _client(raw).get("/api/v1/me/")
    assert response.status_code == 200
    assert response.json()["email"] == user.email


def test_token_is_stored_only_as_a_hash(user):
    token, raw = api_token_create(user=user, created_by=user, name="sync", scopes=["account:read"])
    token.refresh_from_db()
    assert raw not in (token.key_hash, token.key_prefix)
    assert token.key_hash == ApiToken.hash(raw)
    assert raw.startswith(f"dsp_{token.key_prefix}_")


def test_expired_token_is_refused(user):
    _token, raw = api_token_create(user=user, created_by=user, name="sync", scopes=["account:read"],
                                   expires_at=timezone.now() + timedelta(days=1))
    assert _client(raw).get("/api/v1/me/").status_code == 200
    with freeze_time(timezone.now() + timedelta(days=2)):
        response = _client(raw).get("/api/v1/me/")
    assert response.status_code == 401
    assert response.json() == {"code": "authentication_failed", "detail": "This API token has expired.", "fields": {}}


def test_revoked_token_is_refused(user):
    token, raw = api_token_create(user=user, created_by=user, name="sync", scopes=["account:read"])
    api_token_revoke(token_id=token.pk, revoked_by=user)
    response = _client(raw).get("/api/v1/me/")
    assert response.status_code == 401
    assert response.json()["detail"] == "This API token was revoked."


def test_unknown_token_is_refused(db):
    response = _client("dsp_deadbeef_not-a-real-token").get("/api/v1/me/")
    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"


def test_token_without_the_scope_is_refused_with_403(user):
    _token, raw = api_token_create(user=user, created_by=user, name="hubs only", scopes=["hubs:read"])
    response = _client(raw).get("/api/v1/me/")
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert "account:read" in response.json()["detail"]


def test_read_scope_cannot_write(user):
    _token, raw = api_token_create(user=user, created_by=user, name="ro", scopes=["account:read"])
    response = _client(raw).post("/api/v1/tokens/", {"name": "x", "scopes": ["account:read"]}, format="json")
    assert response.status_code == 403
    assert ApiToken.objects.count() == 1


def test_write_scope_implies_read(user):
    _token, raw = api_token_create(user=user, created_by=user, name="rw", scopes=["account:write"])
    assert _client(raw).get("/api/v1/me/").status_code == 200


def test_last_used_time_is_recorded(user):
    token, raw = api_token_create(user=user, created_by=user, name="sync", scopes=["account:read"])
    assert token.last_used_at is None
    _client(raw).get("/api/v1/me/")
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_the_token_and_its_user_come_back_whole_and_a_refused_token_is_not_stamped(user, make_user):
    """The one-statement lookup (PostgreSQL) builds token and user as the ORM would: scopes a list, times aware."""
    token, raw = api_token_create(user=user, created_by=user, name="sync", scopes=["account:read", "hubs:read"])
    found = token_for_request(ApiToken.hash(raw), now=timezone.now())
    assert (found.pk, found.scopes, found.user.pk, found.user.email) == (token.pk, token.scopes, user.pk, user.email)
    assert found.created_at == token.created_at and found.user.is_active is True
    token.refresh_from_db()
    stamped = token.last_used_at
    assert stamped is not None
    again = token_for_request(ApiToken.hash(raw), now=timezone.now())  # within the resolution: no write
    token.refresh_from_db()
    assert token.last_used_at == stamped == again.last_used_at

    revoked, raw_revoked = api_token_create(user=user, created_by=user, name="old", scopes=["account:read"])
    ApiToken.objects.filter(pk=revoked.pk).update(revoked_at=timezone.now())
    idle = make_user()
    disabled, raw_disabled = api_token_create(user=idle, created_by=idle, name="idle", scopes=["account:read"])
    type(idle).objects.filter(pk=idle.pk).update(is_active=False)
    for refused, raw_refused in ((revoked, raw_revoked), (disabled, raw_disabled)):
        assert _client(raw_refused).get("/api/v1/me/").status_code == 401
        refused.refresh_from_db()
        assert refused.last_used_at is None
    assert token_for_request(ApiToken.hash("dsp_nothing"), now=timezone.now()) is None


def test_token_created_over_the_api_is_shown_once(user, token_client):
    client = token_client(user)
    response = client.post("/api/v1/tokens/", {"name": "ci", "scopes": ["routes:read"],
                                                "expires_at": (timezone.now() + timedelta(days=1)).isoformat()},
                           format="json")
    assert response.status_code == 201
    raw = response.json()["token"]
    listed = client.get(f"/api/v1/tokens/{response.json()['id']}/").json()
    assert "token" not in listed
    assert _client(raw).get("/api/v1/me/").status_code == 403  # routes:read only


def test_admin_issues_a_token_for_an_integrator(admin_user, make_user, token_client):
    integrator = make_user(Role.INTEGRATOR)
    response = token_client(admin_user).post(
        "/api/v1/tokens/", {"name": "Acme", "scopes": ["account:read"], "user_id": integrator.pk,
                            "expires_at": (timezone.now() + timedelta(days=90)).isoformat()}, format="json")
    assert response.status_code == 201
    me = _client(response.json()["token"]).get("/api/v1/me/").json()
    assert me["email"] == integrator.email


def test_non_admin_cannot_issue_a_token_for_someone_else(user, make_user, token_client):
    other = make_user()
    response = token_client(user).post("/api/v1/tokens/", {"name": "x", "scopes": ["account:read"],
                                                           "user_id": other.pk}, format="json")
    assert response.status_code == 403
    assert not ApiToken.objects.filter(user=other).exists()
    with pytest.raises(PermissionDenied):
        api_token_create(user=other, created_by=user, name="x", scopes=["account:read"])


def test_unknown_scope_is_a_field_error(user, token_client):
    response = token_client(user).post("/api/v1/tokens/", {"name": "x", "scopes": ["everything"]}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "validation_failed"
    assert "scopes" in body["fields"]


def test_another_users_token_is_404_and_cannot_be_revoked(user, make_user, token_client):
    other = make_user()
    theirs, _raw = api_token_create(user=other, created_by=other, name="theirs", scopes=["account:read"])
    client = token_client(user)
    assert client.get(f"/api/v1/tokens/{theirs.pk}/").status_code == 404
    assert client.post(f"/api/v1/tokens/{theirs.pk}/revoke/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.revoked_at is None


def test_tokens_page_creates_and_revokes(client, user, password):
    client.login(email=user.email, password=password)
    response = client.post("/account/tokens/", {"name": "laptop", "scopes": ["account:read"]})
    assert response.status_code == 200
    token = ApiToken.objects.get(user=user)
    assert f"dsp_{token.key_prefix}_" in response.content.decode()  # shown once, on this response
    assert f"dsp_{token.key_prefix}_" not in client.get("/account/tokens/").content.decode()
    client.post(f"/account/tokens/{token.pk}/revoke/")
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_admin_issues_an_integrator_token_from_the_page(client, admin_user, make_user, password):
    integrator = make_user(Role.INTEGRATOR)
    client.login(email=admin_user.email, password=password)
    response = client.post("/account/tokens/", {"issue_to": integrator.email, "name": "Acme sync",
                                                "scopes": ["routes:read"]})
    assert response.status_code == 200
    token = ApiToken.objects.get(user=integrator)
    assert token.created_by == admin_user
    assert f"dsp_{token.key_prefix}_" in response.content.decode()


def test_the_issue_to_field_is_ignored_for_non_admins(client, user, make_user, password):
    other = make_user()
    client.login(email=user.email, password=password)
    assert "issue_to" not in client.get("/account/tokens/").content.decode()
    client.post("/account/tokens/", {"issue_to": other.email, "name": "x", "scopes": ["routes:read"]})
    assert not ApiToken.objects.filter(user=other).exists()
    assert ApiToken.objects.get(user=user).name == "x"


@pytest.mark.parametrize("token_id", ["abc", "99999999999999999999"])
def test_revoking_a_malformed_or_out_of_range_id_over_the_api_is_404(user, token_client, token_id):
    response = token_client(user).post(f"/api/v1/tokens/{token_id}/revoke/")
    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "detail": "Not found.", "fields": {}}


@pytest.mark.parametrize("token_id", ["theirs", "99999999999999999999"])
def test_revoking_another_users_or_a_missing_token_on_the_page_is_404(client, user, make_user, password, token_id):
    other = make_user()
    theirs, _raw = api_token_create(user=other, created_by=other, name="theirs", scopes=["account:read"])
    client.login(email=user.email, password=password)
    response = client.post(f"/account/tokens/{theirs.pk if token_id == 'theirs' else token_id}/revoke/")
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.revoked_at is None
