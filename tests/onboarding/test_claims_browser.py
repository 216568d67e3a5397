"""The whole reimbursement flow in Chromium: the veteran connects Stripe and files a claim with a receipt, an
admin partially approves it and runs payouts, Stripe's webhook marks it paid, the page shows what remains."""

import re
from datetime import timedelta

import pytest

from core.servicedays import service_today
from onboarding.claims.models import Claim
from payments.models import ConnectedAccount, Transfer
from tests.conftest import login
from tests.factories import AdminFactory
from tests.onboarding.claim_factories import category, veteran_partner
from tests.onboarding.conftest import PDF_BYTES

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sign_out(page):
    page.context.clear_cookies()


def test_file_partially_approve_pay_and_see_what_remains(page, screenshot, tmp_path, stripe_fake, client):
    partner, owner = veteran_partner(legal_name="Rivera Veteran Logistics LLC")
    legal = category("legal_accounting")
    admin = AdminFactory(email="reviewer@example.com")
    receipt = tmp_path / "attorney-invoice.pdf"
    receipt.write_bytes(PDF_BYTES)

    # The veteran owner connects Stripe (the hosted pages are Stripe's; the fake stands in) and comes back.
    login(page, owner.email)
    page.get_by_role("link", name="Reimbursement").first.click()
    page.wait_for_selector("#sum-remaining")
    assert page.inner_text("#sum-remaining") == "$10,000.00"
    page.click("#connect-stripe")
    page.wait_for_url(re.compile(r"/connect/setup/acct_"))
    account = ConnectedAccount.objects.get(holder=f"partner:{partner.pk}")
    stripe_fake.complete_account_onboarding(account.stripe_account_id)
    page.goto("/onboarding/reimbursement/?stripe=return")
    page.wait_for_selector("#stripe-ready")

    # ... and files a claim with its receipt.
    page.click("#file-claim")
    page.select_option("#id_category", str(legal.pk))
    page.fill("#id_vendor", "Peachtree Business Law")
    page.fill("#id_incurred_on", (service_today() - timedelta(days=6)).isoformat())
    page.fill("#id_amount", "1200.50")
    page.fill("#id_description", "Operating agreement and LLC formation advice.")
    page.set_input_files("#id_receipts", str(receipt))
    screenshot(page, "claims-01-file-a-claim")
    page.click("#submit-claim")
    page.wait_for_selector("text=is filed for review")
    assert "Peachtree Business Law" in page.inner_text("#claims")
    assert page.inner_text("#sum-review") == "$1,200.50"
    screenshot(page, "claims-02-reimbursement-submitted")
    claim = Claim.objects.get()

    # An admin partially approves it from the queue.
    _sign_out(page)
    login(page, admin.email)
    page.get_by_role("link", name="Claims").first.click()
    page.wait_for_selector(f"#claim-queue tr[data-claim='{claim.pk}']")
    screenshot(page, "claims-03-admin-queue")
    page.click(f"#claim-queue tr[data-claim='{claim.pk}'] a >> nth=0")
    page.wait_for_selector("#decision-form")
    assert "attorney-invoice.pdf" in page.inner_text("#receipts")
    page.check("input[name=decision][value=partial]")
    page.fill("#id_approved_amount", "1000.00")
    page.fill("#id_note", "The notary fee is not a start-up cost.")
    screenshot(page, "claims-04-admin-decides")
    page.click("#decide")
    page.wait_for_selector("[data-status=partially_approved]")
    assert page.inner_text("#approved") == "$1,000.00"

    # ... and runs the payouts: one Stripe transfer.
    page.get_by_role("link", name="Claims").first.click()
    page.click("#payout-run")
    page.wait_for_selector("text=1 sent, 0 failed, 0 waiting")
    screenshot(page, "claims-05-payout-run")
    assert stripe_fake.count("transfer") == 1
    transfer = Transfer.objects.get(reference=f"claim:{claim.pk}")

    # Stripe confirms it by webhook.
    assert stripe_fake.send_webhook(client, "transfer.paid", transfer.stripe_transfer_id).status_code == 200
    claim.refresh_from_db()
    assert claim.status == Claim.Status.PAID

    # The veteran sees it paid and what remains under the cap.
    _sign_out(page)
    login(page, owner.email)
    page.goto("/onboarding/reimbursement/")
    page.wait_for_selector(f"[data-claim='{claim.pk}'] [data-status=paid]")
    assert page.inner_text("#sum-paid") == "$1,000.00"
    assert page.inner_text("#sum-remaining") == "$9,000.00"
    page.click(f"[data-claim='{claim.pk}'] summary")
    screenshot(page, "claims-06-paid-and-remaining")
