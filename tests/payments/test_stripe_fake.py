"""The fake itself: the parts localstripe lacks, spoken to through the real stripe client."""

import pytest
import stripe

from payments import gateway


def test_same_idempotency_key_and_body_replays_the_same_transfer(stripe_fake, onboarded_account):
    client = gateway.client()
    params = {"amount": 1250, "currency": "usd", "destination": onboarded_account.stripe_account_id}

    first = client.v1.transfers.create(params=params, options={"idempotency_key": "k-1"})
    second = client.v1.transfers.create(params=params, options={"idempotency_key": "k-1"})

    assert first.id == second.id
    assert first.id.startswith("tr_") and first.object == "transfer" and first.livemode is False
    assert stripe_fake.count("transfer") == 1
    assert stripe_fake.posts("/v1/transfers") == 1


def test_same_idempotency_key_with_another_body_is_an_idempotency_error(stripe_fake, onboarded_account):
    client = gateway.client()
    params = {"amount": 1250, "currency": "usd", "destination": onboarded_account.stripe_account_id}
    client.v1.transfers.create(params=params, options={"idempotency_key": "k-2"})

    with pytest.raises(stripe.IdempotencyError):
        client.v1.transfers.create(params={**params, "amount": 9999}, options={"idempotency_key": "k-2"})
    assert stripe_fake.count("transfer") == 1


def test_transfer_to_an_account_that_has_not_onboarded_is_refused(stripe_fake, db):
    client = gateway.client()
    account = client.v1.accounts.create(params={"type": "express", "email": "a@example.com"})
    assert account.id.startswith("acct_") and account.payouts_enabled is False

    with pytest.raises(stripe.InvalidRequestError) as excinfo:
        client.v1.transfers.create(params={"amount": 100, "currency": "usd", "destination": account.id})
    assert excinfo.value.code == "insufficient_capabilities_for_transfer"


def test_unknown_transfer_is_a_stripe_404(stripe_fake):
    with pytest.raises(stripe.InvalidRequestError) as excinfo:
        gateway.client().v1.transfers.retrieve("tr_missing")
    assert excinfo.value.http_status == 404
