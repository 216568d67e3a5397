"""Money on the embedded default, end to end through the local Stripe stand-in: nothing here calls the
stand-in's test handle to move things along; the browser follows the stand-in's pages and the stand-in's
signed events reach the portal's webhook endpoint, as under `make run`."""

import re

import pytest

from onboarding.claims.models import Claim
from payments.models import ConnectedAccount, StripeEvent, Transfer
from procurement.models import Order
from procurement.services import order_approve, order_submit, quote_line_set
from tests.conftest import login
from tests.embedded.conftest import eventually
from tests.factories import AdminFactory
from tests.onboarding.claim_factories import approved_claim, veteran_partner
from tests.onboarding.factories import ApplicationFactory, partner_with_owner
from tests.procurement.factories import VanItemFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def connect_stripe(page, owner):
    """The owner clicks "Connect Stripe", completes the stand-in's onboarding page and lands back."""
    login(page, owner.email)
    page.goto("/onboarding/reimbursement/")
    page.click("#connect-stripe")
    page.wait_for_url(re.compile(r"/connect/setup/acct_"))
    page.get_by_role("button", name="Complete onboarding").click()
    page.wait_for_url("**/onboarding/reimbursement/**")
    page.wait_for_selector("#stripe-ready")


def test_connect_stripe_goes_through_the_stand_ins_onboarding_and_back(page, screenshot, standin):
    partner, owner = veteran_partner(legal_name="Rivera Veteran Logistics LLC")

    connect_stripe(page, owner)

    screenshot(page, "embedded-connect-stripe-ready")
    account = ConnectedAccount.objects.get(holder=f"partner:{partner.pk}")
    assert account.ready_for_transfers


def test_claim_approved_then_paid_by_the_payout_run_and_the_stand_ins_webhook(page, screenshot, standin):
    partner, owner = veteran_partner(legal_name="Rivera Veteran Logistics LLC")
    connect_stripe(page, owner)
    claim = approved_claim(partner, owner, "1200.50")
    page.context.clear_cookies()

    login(page, AdminFactory().email)
    page.goto("/onboarding/claims/")
    page.click("#payout-run")
    page.wait_for_selector("text=1 sent, 0 failed, 0 waiting")
    screenshot(page, "embedded-payout-run")

    # The stand-in sends `transfer.created` (signed) a second later; the portal re-fetches the transfer.
    assert eventually(lambda: Claim.objects.get(pk=claim.pk).status == Claim.Status.PAID)
    transfer = Transfer.objects.get(reference=f"claim:{claim.pk}")
    assert (transfer.status, transfer.amount, standin.get(transfer.stripe_transfer_id)["amount"]) == (
        "paid", claim.approved_amount, 120050)


def test_an_order_deposit_is_paid_by_card_on_the_stand_ins_page(page, screenshot, standin):
    partner, owner = partner_with_owner(application=ApplicationFactory(planned_vans=5))
    quote_line_set(partner=partner, item=VanItemFactory(name="Branded step van 2026"), quantity=2, by=owner)
    order = order_approve(order=order_submit(order=Order.objects.get(partner=partner, status="draft"), by=owner),
                          by=AdminFactory())

    login(page, owner.email)
    page.goto(f"/fleet/orders/{order.pk}/")
    page.get_by_role("button", name="Pay deposit").click()
    page.click("#pay-by-card")
    page.wait_for_url(re.compile(r"/pay/pi_"))
    screenshot(page, "embedded-deposit-card-page")
    page.get_by_role("button", name=re.compile(r"^Pay ")).click()
    page.wait_for_url(f"**/fleet/orders/{order.pk}/**")

    assert "Deposit paid" in page.locator("h1").inner_text()
    screenshot(page, "embedded-deposit-paid")
    # The stand-in's signed `payment_intent.succeeded` reaches the webhook endpoint too (a harmless repeat).
    assert eventually(lambda: StripeEvent.objects.filter(type="payment_intent.succeeded",
                                                         processed_at__isnull=False).exists())
    order.refresh_from_db()
    assert (order.status, order.deposit_payment.status) == ("deposit_paid", "succeeded")
