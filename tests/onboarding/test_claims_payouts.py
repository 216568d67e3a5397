"""Paying approved claims through Stripe (the local fake): once per claim, confirmed by a signed webhook."""

from decimal import Decimal

import pytest
from django.core import mail

from core.audience import Audience
from core.models import OutboxEvent
from onboarding.claims.models import Claim
from onboarding.claims.payouts import claim_payout_retry, claims_payout_run, partner_holder
from onboarding.tasks import claims_payout_run as claims_payout_run_task
from payments.models import StripeEvent, Transfer
from payments.services import connected_account_get_or_create
from tests.onboarding.claim_factories import approved_claim, veteran_partner

pytestmark = pytest.mark.django_db


@pytest.fixture
def paid_partner(stripe_fake):
    """A veteran partner whose owner connected a Stripe account and finished onboarding."""
    partner, owner = veteran_partner()
    account = connected_account_get_or_create(holder=partner_holder(partner.pk), email=owner.email)
    stripe_fake.complete_account_onboarding(account.stripe_account_id)
    return partner, owner


def _transfer(claim):
    return Transfer.objects.get(reference=f"claim:{claim.pk}")


def test_a_payout_run_executed_twice_pays_once(stripe_fake, paid_partner):
    partner, owner = paid_partner
    claim = approved_claim(partner, owner, "1200.00", partial="900.00")

    first = claims_payout_run()
    second = claims_payout_run_task.delay().get()

    assert first.sent == [claim.pk] and second["sent"] == [claim.pk]
    assert stripe_fake.count("transfer") == 1
    transfer = _transfer(claim)
    assert (transfer.amount, transfer.idempotency_key, transfer.purpose) == (Decimal("900.00"), f"claim-{claim.pk}",
                                                                               "claim")
    assert stripe_fake.get(transfer.stripe_transfer_id)["amount"] == 90000
    claim.refresh_from_db()
    assert claim.status == Claim.Status.PAYOUT_PENDING


def test_the_transfer_paid_webhook_marks_the_claim_paid_and_records_the_event(client, stripe_fake, paid_partner,
                                                                              django_capture_on_commit_callbacks):
    partner, owner = paid_partner
    claim = approved_claim(partner, owner, "500.00")
    claims_payout_run()

    with django_capture_on_commit_callbacks(execute=True):
        response = stripe_fake.send_webhook(client, "transfer.paid", _transfer(claim).stripe_transfer_id)

    assert response.status_code == 200
    claim.refresh_from_db()
    assert claim.status == Claim.Status.PAID and claim.paid_at is not None
    assert claim.events.last().to_status == "paid"
    event = OutboxEvent.objects.get(type="claim.paid")
    assert event.payload == {"id": claim.pk, "partner_id": partner.pk, "amount": "500.00"}
    assert event.audience == Audience.partner(partner.pk)
    assert [(m.to, m.subject.endswith(f"claim #{claim.pk} was paid")) for m in mail.outbox] == [([owner.email], True)]
    assert "$500.00" in mail.outbox[0].body


def test_a_webhook_with_a_bad_signature_is_400_and_changes_nothing(client, stripe_fake, paid_partner):
    partner, owner = paid_partner
    claim = approved_claim(partner, owner, "500.00")
    claims_payout_run()

    response = stripe_fake.send_webhook(client, "transfer.paid", _transfer(claim).stripe_transfer_id,
                                        secret="whsec_forged")

    assert response.status_code == 400
    claim.refresh_from_db()
    assert claim.status == Claim.Status.PAYOUT_PENDING
    assert not StripeEvent.objects.exists() and not OutboxEvent.objects.filter(type="claim.paid").exists()


def test_a_replayed_webhook_is_a_no_op(client, stripe_fake, paid_partner):
    partner, owner = paid_partner
    claim = approved_claim(partner, owner, "500.00")
    claims_payout_run()
    transfer_id = _transfer(claim).stripe_transfer_id
    first = stripe_fake.send_webhook(client, "transfer.paid", transfer_id)
    events = claim.events.count()

    replay = stripe_fake.send_webhook(client, "transfer.paid", transfer_id, event_id=first.event_id)

    assert replay.status_code == 200
    assert claim.events.count() == events
    assert OutboxEvent.objects.filter(type="claim.paid").count() == 1
    assert StripeEvent.objects.count() == 1


def test_a_webhook_body_that_lies_is_not_believed(client, stripe_fake, paid_partner):
    partner, owner = paid_partner
    claim = approved_claim(partner, owner, "500.00")
    claims_payout_run()
    transfer = _transfer(claim)
    stripe_fake.set_transfer_status(transfer.stripe_transfer_id, "pending")

    stripe_fake.send_webhook(client, "transfer.paid", transfer.stripe_transfer_id, overrides={"status": "paid"})

    claim.refresh_from_db()
    assert claim.status == Claim.Status.PAYOUT_PENDING


def test_a_refused_transfer_fails_the_payout_and_a_retry_pays_it(client, stripe_fake, paid_partner,
                                                                 django_capture_on_commit_callbacks):
    partner, owner = paid_partner
    claim = approved_claim(partner, owner, "700.00")
    stripe_fake.fail_next_transfer("Insufficient funds in Stripe account.")

    with django_capture_on_commit_callbacks(execute=True):
        run = claims_payout_run()

    claim.refresh_from_db()
    assert run.failed == [claim.pk] and claim.status == Claim.Status.PAYOUT_FAILED
    assert "Insufficient funds" in claim.events.last().note
    failed = [m for m in mail.outbox if "payout" in m.subject and "failed" in m.subject]
    assert [m.to for m in failed] == [[owner.email]] and "Insufficient funds" in failed[0].body
    assert claims_payout_run().sent == []  # a failed payout waits for a deliberate retry

    claim = claim_payout_retry(claim=claim)
    assert claim.status == Claim.Status.PAYOUT_PENDING
    stripe_fake.send_webhook(client, "transfer.paid", _transfer(claim).stripe_transfer_id)
    claim.refresh_from_db()
    assert claim.status == Claim.Status.PAID
    assert stripe_fake.count("transfer") == 1


def test_claims_of_a_partner_without_a_ready_account_stay_approved_and_are_paid_later(stripe_fake):
    partner, owner = veteran_partner()
    claim = approved_claim(partner, owner, "300.00")
    assert claims_payout_run().waiting == [claim.pk]

    account = connected_account_get_or_create(holder=partner_holder(partner.pk), email=owner.email)
    assert claims_payout_run().waiting == [claim.pk]  # created, onboarding not finished
    claim.refresh_from_db()
    assert claim.status == Claim.Status.APPROVED

    stripe_fake.complete_account_onboarding(account.stripe_account_id)
    assert claims_payout_run().sent == [claim.pk]
    assert stripe_fake.count("transfer") == 1
