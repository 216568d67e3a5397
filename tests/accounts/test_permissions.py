import pytest
from django.test import override_settings

from accounts.models import Role
from accounts.permissions import PERMISSIONS, user_has_perm

pytestmark = pytest.mark.django_db


def test_console_refuses_an_applicant_with_403(client, make_user, password):
    applicant = make_user(Role.APPLICANT)
    client.login(email=applicant.email, password=password)
    response = client.get("/console/")
    assert response.status_code == 403
    assert "Not allowed" in response.content.decode()


def test_console_sends_a_signed_out_visitor_to_login(client):
    response = client.get("/console/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_console_opens_for_a_program_admin(client, admin_user, password):
    client.login(email=admin_user.email, password=password)
    response = client.get("/console/")
    assert response.status_code == 200
    assert "Program console" in response.content.decode()


def test_navigation_shows_only_what_the_role_may_use(client, make_user, admin_user, password):
    driver = make_user(Role.DRIVER)
    client.login(email=driver.email, password=password)
    assert 'href="/console/"' not in client.get("/dashboard/").content.decode()
    client.login(email=admin_user.email, password=password)
    assert 'href="/console/"' in client.get("/dashboard/").content.decode()


def test_every_permission_names_only_real_roles():
    roles = set(Role.values)
    for name, holders in PERMISSIONS.items():
        assert holders <= roles, name


def test_unknown_permission_name_is_a_programming_error(user):
    with pytest.raises(KeyError):
        user_has_perm(user, "no.such.permission")


@override_settings(REQUIRE_ADMIN_MFA=True)
def test_admin_without_totp_is_sent_to_set_it_up(client, admin_user, password):
    client.login(email=admin_user.email, password=password)
    response = client.get("/console/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/totp/activate/"


@override_settings(REQUIRE_ADMIN_MFA=True)
def test_admin_with_totp_reaches_the_console(client, admin_user, password):
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    TOTP.activate(admin_user, generate_totp_secret())
    client.login(email=admin_user.email, password=password)
    assert client.get("/console/").status_code == 200


@override_settings(REQUIRE_ADMIN_MFA=True)
def test_mfa_requirement_does_not_touch_other_roles(client, user, password):
    client.login(email=user.email, password=password)
    assert client.get("/dashboard/").status_code == 200


def test_program_admin_uses_the_django_admin_by_role(client, admin_user, password):
    assert not admin_user.is_superuser
    client.login(email=admin_user.email, password=password)
    assert client.get("/admin/accounts/user/").status_code == 200


def test_other_roles_cannot_enter_the_django_admin(client, make_user, password):
    owner = make_user(Role.PARTNER_OWNER)
    client.login(email=owner.email, password=password)
    response = client.get("/admin/accounts/user/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_promoting_to_program_admin_grants_the_django_admin(make_user):
    from accounts.services import user_set_role

    person = make_user(Role.APPLICANT)
    user_set_role(user=person, role=Role.PROGRAM_ADMIN)
    assert person.is_staff
    user_set_role(user=person, role=Role.PARTNER_OWNER)
    assert not person.is_staff


def test_grouped_navigation_folds_into_dropdowns():
    from dsp_portal.navigation import nav_bar

    items = [{"label": "Fleet", "url": "/f/", "icon": "truck", "group": ""},
             {"label": "Catalog", "url": "/c/", "icon": "bag", "group": "Purchasing"},
             {"label": "Tokens", "url": "/t/", "icon": "key", "group": "Developers"},
             {"label": "Orders", "url": "/o/", "icon": "receipt", "group": "Purchasing"}]
    bar = nav_bar(items)
    assert [entry["label"] for entry in bar] == ["Fleet", "Purchasing", "Tokens"]  # a lone group item stays a link
    assert [child["label"] for child in bar[1]["children"]] == ["Catalog", "Orders"]
