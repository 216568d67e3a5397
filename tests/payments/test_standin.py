"""The local Stripe stand-in `make run` uses: its hosted pages, and that real keys switch it off."""

import io
import re
from decimal import Decimal

import pytest
import requests
from django.core.management import call_command

from payments.models import Payment
from payments.selectors import payment_checkout_url
from payments.services import connected_account_get_or_create, connected_account_onboarding_link

pytestmark = pytest.mark.django_db


def test_the_account_link_page_completes_onboarding_and_returns_to_the_portal(stripe_fake):
    account = connected_account_get_or_create(holder="hub:7", email="shop@example.com")
    url = connected_account_onboarding_link(account=account, return_url="http://portal.test/back/?stripe=return",
                                            refresh_url="http://portal.test/again/")

    page = requests.get(url, timeout=5)
    done = requests.post(url, allow_redirects=False, timeout=5)

    assert page.status_code == 200 and "Complete onboarding" in page.text
    assert (done.status_code, done.headers["Location"]) == (303, "http://portal.test/back/?stripe=return")
    assert stripe_fake.get(account.stripe_account_id)["capabilities"] == {"transfers": "active"}


def test_a_made_up_account_link_is_refused(stripe_fake):
    account = connected_account_get_or_create(holder="hub:8", email="shop@example.com")
    response = requests.get(f"{stripe_fake.url}/connect/setup/{account.stripe_account_id}/forged", timeout=5)
    assert response.status_code == 404


def test_the_card_page_pays_the_intent_and_goes_back(stripe_fake, settings):
    from payments.services import payment_intent_create

    payment = payment_intent_create(amount=Decimal("120.00"), purpose="order_deposit", reference="order:1",
                                    idempotency_key="order-deposit:1")
    url = payment_checkout_url(payment=payment, return_url="http://portal.test/fleet/orders/1/")
    assert re.fullmatch(rf"{re.escape(stripe_fake.url)}/pay/pi_\w+\?return_url=http%3A%2F%2F.+", url)

    page = requests.get(url, timeout=5)
    paid = requests.post(url, allow_redirects=False, timeout=5)

    assert "Pay 120.00 USD" in page.text
    assert (paid.status_code, paid.headers["Location"]) == (303, "http://portal.test/fleet/orders/1/?stripe=paid")
    assert stripe_fake.get(payment.stripe_payment_intent_id)["status"] == "succeeded"


def test_with_a_real_key_there_is_no_card_page_and_no_stand_in(settings):
    settings.STRIPE_STANDIN = False
    payment = Payment(stripe_payment_intent_id="pi_123", status=Payment.Status.REQUIRES_PAYMENT)
    assert payment_checkout_url(payment=payment, return_url="http://portal.test/") == ""
    out = io.StringIO()
    call_command("stripe_standin", stdout=out)
    assert "no stand-in is started" in out.getvalue()


def test_settings_use_the_stand_in_without_a_key_and_stripe_with_one():
    import subprocess
    import sys

    code = "from django.conf import settings as s; print(s.STRIPE_STANDIN, s.STRIPE_API_BASE)"
    env = {"DJANGO_SETTINGS_MODULE": "dsp_portal.settings", "PATH": "/usr/bin:/bin"}
    run = [sys.executable, "-c", f"import django; django.setup(); {code}"]
    without = subprocess.run(run, env=env, capture_output=True, text=True, check=True).stdout.split()
    with_key = subprocess.run(run, env={**env, "STRIPE_SECRET_KEY": "sk_test_real"}, capture_output=True, text=True,
                              check=True).stdout.split()
    assert without == ["True", "http://127.0.0.1:8420"]
    assert with_key == ["False", "https://api.stripe.com"]
