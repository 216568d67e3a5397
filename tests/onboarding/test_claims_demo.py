import io
from decimal import Decimal

import pytest
from django.core.management import call_command

from onboarding.claims.models import Claim
from onboarding.claims.selectors import claim_list, claim_summary
from onboarding.selectors import partner_for_user, veteran_verified
from payments.models import Transfer

pytestmark = pytest.mark.django_db


def test_the_demo_veteran_owner_has_a_paid_a_partial_and_a_flagged_claim_and_seeding_twice_changes_nothing(
        django_user_model, client):
    call_command("seed_demo", stdout=io.StringIO())
    call_command("seed_demo", stdout=io.StringIO())
    owner = django_user_model.objects.get(email="owner@demo.dspportal.example")
    partner = partner_for_user(user=owner)
    assert veteran_verified(partner=partner)
    assert sorted(Claim.objects.filter(partner=partner).values_list("status", flat=True)) == [
        "paid", "partially_approved", "submitted"]
    transfer = Transfer.objects.get(purpose="claim")
    assert transfer.status == "paid" and transfer.stripe_transfer_id.startswith("tr_demo_")
    summary = claim_summary(partner=partner)
    assert (summary.approved, summary.paid, summary.remaining) == (
        Decimal("4450.00"), Decimal("2450.00"), Decimal("5550.00"))
    submitted = claim_list(fetched_by=owner).get(status="submitted")
    assert submitted.dup_receipt
    client.force_login(owner)
    page = client.get("/onboarding/reimbursement/").content.decode()
    assert "$5,550.00" in page and "Georgia Secretary of State" in page


def test_the_demo_owner_connects_stripe_then_the_payout_run_pays_the_partial_claim(stripe_fake, django_user_model):
    """The seeded payout account has no Stripe id, so it is created at the Stripe the demo talks to (was a made-up
    `acct_demo_` id that no Stripe knows: every payout run left the claim `payout_failed`)."""
    from onboarding.claims.payouts import claims_payout_run, payout_account_connect_link
    from payments.models import ConnectedAccount

    call_command("seed_demo", stdout=io.StringIO())
    owner = django_user_model.objects.get(email="owner@demo.dspportal.example")
    partner = partner_for_user(user=owner)
    payout_account_connect_link(partner=partner, user=owner, return_url="http://x.test/", refresh_url="http://x.test/")
    account = ConnectedAccount.objects.get(holder=f"partner:{partner.pk}")
    stripe_fake.complete_account_onboarding(account.stripe_account_id)

    run = claims_payout_run()

    assert (len(run.sent), run.failed) == (1, [])
    assert Claim.objects.get(pk=run.sent[0]).status == "payout_pending"
