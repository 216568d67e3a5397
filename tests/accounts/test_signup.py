"""Sign-up, mandatory e-mail verification and login through allauth."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.core import mail

from accounts.models import Role, User

pytestmark = pytest.mark.django_db


def _confirmation_link(message):
    match = re.search(r"https?://[^/\s]+(/accounts/confirm-email/[^\s]+/)", message.body)
    assert match, message.body
    return match.group(1)


def test_sign_up_sends_a_verification_email_and_blocks_login_until_verified(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):  # the mail is sent after commit (core.mail)
        response = client.post("/accounts/signup/", {"email": "new@example.com", "password1": "a-long-pass-phrase",
                                                     "password2": "a-long-pass-phrase", "full_name": "Pat Doe"})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    user = User.objects.get(email="new@example.com")
    assert user.role == Role.APPLICANT
    assert not EmailAddress.objects.get(user=user).verified
    assert len(mail.outbox) == 1
    assert "new@example.com" in mail.outbox[0].to
    # The mail speaks for the program, not for the host the request came in on.
    assert mail.outbox[0].subject.startswith(f"[{settings.PROGRAM_NAME}] ")
    assert f"Hello from {settings.PROGRAM_NAME}!" in mail.outbox[0].body

    client.logout()
    response = client.post("/accounts/login/", {"login": "new@example.com", "password": "a-long-pass-phrase"})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"  # not the dashboard: unverified
    assert client.get("/dashboard/").status_code == 302


def test_following_the_emailed_link_verifies_and_signs_in(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/signup/", {"email": "vet@example.com", "password1": "a-long-pass-phrase",
                                          "password2": "a-long-pass-phrase", "full_name": "Pat Doe"})
    link = _confirmation_link(mail.outbox[0])
    assert client.get(link).status_code == 200  # confirmation page (no change on GET)
    response = client.post(link)
    assert response.status_code == 302
    assert EmailAddress.objects.get(email="vet@example.com").verified
    assert client.get("/dashboard/").status_code == 200


def test_verified_user_logs_in_and_out(client, user, password):
    response = client.post("/accounts/login/", {"login": user.email, "password": password})
    assert response.status_code == 302
    assert response["Location"] == "/dashboard/"
    page = client.get("/dashboard/")
    assert user.get_short_name() in page.content.decode()
    client.post("/accounts/logout/")
    assert client.get("/dashboard/").status_code == 302


def test_wrong_password_is_refused_with_a_form_error(client, user):
    response = client.post("/accounts/login/", {"login": user.email, "password": "not-it-at-all"})
    assert response.status_code == 200
    assert "not correct" in response.content.decode()


def test_signup_cannot_make_itself_an_admin(client):
    client.post("/accounts/signup/", {"email": "sneaky@example.com", "password1": "a-long-pass-phrase",
                                      "password2": "a-long-pass-phrase", "full_name": "Pat Doe",
                                      "role": "program_admin", "is_staff": "on"})
    user = User.objects.get(email="sneaky@example.com")
    assert user.role == Role.APPLICANT
    assert not user.is_staff and not user.is_superuser


def test_password_reset_mails_a_link(client, user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/password/reset/", {"email": user.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert "/accounts/password/reset/key/" in mail.outbox[0].body
