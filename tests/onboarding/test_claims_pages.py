"""Claim pages: the owner's reimbursement page and form, the admins' queue, detail, CSV and payout run."""

from datetime import timedelta

import pytest
from django.urls import reverse

from core.servicedays import service_today
from onboarding.claims.models import Claim
from onboarding.claims.payouts import partner_holder
from onboarding.models import PartnerMembership
from payments.models import ConnectedAccount
from tests.factories import AdminFactory
from tests.onboarding.claim_factories import approved_claim, category, receipt, submitted_claim, veteran_partner
from tests.onboarding.conftest import EXE_BYTES, PDF_BYTES

pytestmark = pytest.mark.django_db

# Within the claimable look-back before approval, whatever the date the tests run on.
RECENT = (service_today() - timedelta(days=30)).isoformat()


def _form(**overrides):
    data = {"category": category().pk, "vendor": "Peach State Filings", "incurred_on": RECENT,
            "amount": "250.00", "description": "LLC formation fee.", "receipts": receipt()}
    data.update(overrides)
    return data


def test_the_owner_files_a_claim_from_the_form_and_sees_it_on_the_reimbursement_page(client):
    partner, owner = veteran_partner()
    client.force_login(owner)
    response = client.post(reverse("onboarding:claim_new"), _form())
    assert response.status_code == 302
    claim = Claim.objects.get()
    assert claim.status == "submitted" and claim.receipts.count() == 1
    page = client.get(reverse("onboarding:reimbursement")).content.decode()
    assert "Peach State Filings" in page and 'id="sum-remaining">$10,000.00' in page
    assert "chart.umd.min.js" in page and "Connect Stripe" in page


@pytest.mark.parametrize(("overrides", "message"), [
    ({"amount": "12.345"}, "at most two decimal places"),
    ({"amount": "-5"}, "more than zero"),
    ({"receipts": receipt("receipt.pdf", EXE_BYTES)}, "content is not one of them"),
])
def test_the_form_refuses_bad_amounts_and_non_receipts_with_a_clear_message(client, overrides, message):
    partner, owner = veteran_partner()
    client.force_login(owner)
    response = client.post(reverse("onboarding:claim_new"), _form(**overrides))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Claim.objects.exists()


def test_a_non_veteran_owner_sees_why_they_cannot_claim(client):
    partner, owner = veteran_partner(verified=False)
    client.force_login(owner)
    page = client.get(reverse("onboarding:reimbursement")).content.decode()
    assert 'data-code="veteran_not_verified"' in page and 'id="file-claim"' not in page
    response = client.post(reverse("onboarding:claim_new"), _form())
    assert "veteran service has not been verified" in response.content.decode()


def test_another_partners_claim_and_receipt_are_404(client):
    partner, owner = veteran_partner()
    claim = submitted_claim(partner, owner)
    _other, other_owner = veteran_partner()
    client.force_login(other_owner)
    assert client.get(reverse("onboarding:claim", args=[claim.pk])).status_code == 404
    receipt_id = claim.receipts.get().pk
    assert client.get(reverse("onboarding:claim_receipt", args=[claim.pk, receipt_id])).status_code == 404
    client.force_login(owner)
    response = client.get(reverse("onboarding:claim_receipt", args=[claim.pk, receipt_id]))
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(PDF_BYTES[:8])


def test_the_admin_queue_flags_duplicates_and_exports_csv(client):
    partner, owner = veteran_partner()
    first = submitted_claim(partner, owner, "80.00", content=PDF_BYTES + b"same")
    submitted_claim(partner, owner, "90.00", content=PDF_BYTES + b"same")
    client.force_login(AdminFactory())
    page = client.get(reverse("onboarding:claim_queue")).content.decode()
    assert page.count("Likely duplicate") >= 2
    csv = client.get(reverse("onboarding:claim_queue") + "?status=&format=csv").content.decode()
    assert csv.splitlines()[0].startswith("id,partner_id,partner,status")
    assert f"{first.pk},{partner.pk}," in csv and ",yes" in csv


def test_an_admin_partially_approves_on_the_detail_page_and_a_reason_is_needed(client):
    partner, owner = veteran_partner()
    claim = submitted_claim(partner, owner, "800.00")
    client.force_login(AdminFactory())
    url = reverse("onboarding:claim_decide", args=[claim.pk])
    client.post(url, {"decision": "partial", "approved_amount": "500.00", "note": ""})
    claim.refresh_from_db()
    assert claim.status == "submitted"
    client.post(url, {"decision": "partial", "approved_amount": "500.00", "note": "Only the filing fee."})
    claim.refresh_from_db()
    assert (claim.status, str(claim.approved_amount)) == ("partially_approved", "500.00")


def test_an_admin_who_belongs_to_the_partner_cannot_approve_on_the_page(client):
    partner, owner = veteran_partner()
    claim = submitted_claim(partner, owner, "800.00")
    insider = AdminFactory()
    PartnerMembership.objects.create(partner=partner, user=insider, role=PartnerMembership.Role.MANAGER)
    client.force_login(insider)
    assert "another admin must decide" in client.get(reverse("onboarding:claim", args=[claim.pk])).content.decode()
    response = client.post(reverse("onboarding:claim_decide", args=[claim.pk]), {"decision": "approve"}, follow=True)
    assert "another admin must decide" in response.content.decode()
    claim.refresh_from_db()
    assert claim.status == "submitted"


def test_connecting_stripe_goes_to_an_account_link_and_returning_refreshes_the_flags(client, stripe_fake):
    partner, owner = veteran_partner()
    client.force_login(owner)
    response = client.post(reverse("onboarding:reimbursement_connect"))
    assert response.status_code == 302 and "/connect/setup/" in response["Location"]
    account = ConnectedAccount.objects.get(holder=partner_holder(partner.pk))
    stripe_fake.complete_account_onboarding(account.stripe_account_id)
    page = client.get(reverse("onboarding:reimbursement") + "?stripe=return").content.decode()
    account.refresh_from_db()
    assert account.ready_for_transfers and 'id="stripe-ready"' in page


def test_the_payout_run_button_pays_approved_claims(client, stripe_fake):
    partner, owner = veteran_partner()
    claim = approved_claim(partner, owner, "400.00")
    client.force_login(AdminFactory())
    response = client.post(reverse("onboarding:claim_payout_run"), follow=True)
    assert "0 sent, 0 failed, 1 waiting" in response.content.decode()
    claim.refresh_from_db()
    assert claim.status == "approved"


def test_pages_need_their_permission(client):
    partner, owner = veteran_partner()
    client.force_login(owner)
    assert client.get(reverse("onboarding:claim_queue")).status_code == 403
    assert client.post(reverse("onboarding:claim_payout_run")).status_code == 403
    client.force_login(AdminFactory())
    assert client.get(reverse("onboarding:reimbursement")).status_code == 403


def test_the_console_shows_the_claims_panel(client):
    partner, owner = veteran_partner()
    submitted_claim(partner, owner, "80.00", content=PDF_BYTES + b"same")
    submitted_claim(partner, owner, "90.00", content=PDF_BYTES + b"same")
    client.force_login(AdminFactory())
    page = client.get(reverse("console")).content.decode()
    assert "Reimbursement claims" in page and "Claims to decide" in page and "Likely duplicates" in page
