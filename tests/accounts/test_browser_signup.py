"""A person signs up in Chromium, follows the verification link from the e-mail, and lands on the dashboard."""

import re

import pytest
from django.core import mail

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_sign_up_verify_and_land_on_the_dashboard(page, screenshot):
    page.goto("/")
    page.get_by_role("link", name="Apply").click()
    page.wait_for_url("**/accounts/signup/")
    page.fill("input[name=full_name]", "Jordan Lee")
    page.fill("input[name=email]", "jordan@example.com")
    page.fill("input[name=password1]", "a-long-pass-phrase")
    page.fill("input[name=password2]", "a-long-pass-phrase")
    screenshot(page, "signup-form")
    page.get_by_role("button", name="Sign Up").click()
    page.wait_for_url("**/accounts/confirm-email/")
    assert "Verify Your Email Address" in page.content()

    assert len(mail.outbox) == 1
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", mail.outbox[0].body).group(0)
    page.goto(link)
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_url("**/dashboard/")
    assert page.get_by_role("heading", name=re.compile("Welcome")).is_visible()
    assert "Welcome, Jordan" in page.content()
    assert "Applicant" in page.content()
    screenshot(page, "dashboard-after-signup")
