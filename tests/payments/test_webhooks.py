"""POST /payments/stripe/webhook/: signed, de-duplicated, and the re-fetched object wins."""

import json
import time
from decimal import Decimal

import pytest

from payments import gateway, hooks
from payments.models import ConnectedAccount, Payment, StripeEvent, Transfer
from payments.services import connected_account_get_or_create, payment_intent_create, transfer_create

pytestmark = pytest.mark.django_db

URL = "/payments/stripe/webhook/"


@pytest.fixture
def transfer(stripe_fake, onboarded_account):
    return transfer_create(account=onboarded_account, amount=Decimal("75.00"), purpose="hub_statement",
                           reference="statement:3", idempotency_key="hub-statement:3")


def test_transfer_paid_webhook_marks_the_transfer_paid(client, stripe_fake, transfer):
    response = stripe_fake.send_webhook(client, "transfer.paid", transfer.stripe_transfer_id)

    assert response.status_code == 200
    transfer.refresh_from_db()
    assert transfer.status == Transfer.Status.PAID
    assert StripeEvent.objects.get(event_id=response.event_id).processed_at is not None


def test_webhook_with_a_bad_signature_is_400_and_changes_nothing(client, stripe_fake, transfer):
    response = stripe_fake.send_webhook(client, "transfer.paid", transfer.stripe_transfer_id, secret="whsec_forged")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_signature"
    transfer.refresh_from_db()
    assert transfer.status == Transfer.Status.SUBMITTED
    assert not StripeEvent.objects.exists()


def test_webhook_signed_outside_the_replay_tolerance_is_400(client, stripe_fake, transfer):
    response = stripe_fake.send_webhook(client, "transfer.paid", transfer.stripe_transfer_id,
                                        timestamp=time.time() - 3600)

    assert response.status_code == 400
    transfer.refresh_from_db()
    assert transfer.status == Transfer.Status.SUBMITTED


def test_webhook_without_a_signature_or_with_garbage_is_400(client, stripe_fake):
    assert client.post(URL, data="{}", content_type="application/json").status_code == 400
    assert client.post(URL, data="not json", content_type="application/json",
                       HTTP_STRIPE_SIGNATURE=stripe_fake.sign("not json")).status_code == 400
    assert client.get(URL).status_code == 405


def test_replayed_webhook_event_is_a_no_op(client, stripe_fake, transfer):
    stripe_fake.set_transfer_status(transfer.stripe_transfer_id, "pending")
    first = stripe_fake.send_webhook(client, "transfer.updated", transfer.stripe_transfer_id)
    transfer.refresh_from_db()
    assert transfer.status == Transfer.Status.SUBMITTED  # Stripe still says pending

    stripe_fake.set_transfer_status(transfer.stripe_transfer_id, "paid")
    replay = stripe_fake.send_webhook(client, "transfer.updated", transfer.stripe_transfer_id,
                                      event_id=first.event_id)

    assert replay.status_code == 200
    assert replay.json()["outcome"] == "duplicate"
    transfer.refresh_from_db()
    assert transfer.status == Transfer.Status.SUBMITTED
    assert StripeEvent.objects.count() == 1

    stripe_fake.send_webhook(client, "transfer.updated", transfer.stripe_transfer_id)
    transfer.refresh_from_db()
    assert transfer.status == Transfer.Status.PAID


def test_webhook_body_that_claims_paid_loses_to_the_object_refetched_from_stripe(client, stripe_fake, transfer):
    stripe_fake.set_transfer_status(transfer.stripe_transfer_id, "failed", "The bank account was closed.")

    response = stripe_fake.send_webhook(client, "transfer.paid", transfer.stripe_transfer_id,
                                        overrides={"status": "paid", "failure_message": None})

    assert response.status_code == 200
    transfer.refresh_from_db()
    assert transfer.status == Transfer.Status.FAILED
    assert transfer.failure_message == "The bank account was closed."


def test_transfer_reversed_webhook_marks_a_paid_transfer_reversed(client, stripe_fake, transfer):
    stripe_fake.send_webhook(client, "transfer.paid", transfer.stripe_transfer_id)
    stripe_fake.reverse_transfer(transfer.stripe_transfer_id)

    stripe_fake.send_webhook(client, "transfer.reversed", transfer.stripe_transfer_id)

    transfer.refresh_from_db()
    assert transfer.status == Transfer.Status.REVERSED
    assert list(transfer.log.values_list("to_status", flat=True)) == ["pending", "submitted", "paid", "reversed"]


def test_listener_learns_of_the_payout_through_the_webhook_once(client, stripe_fake, transfer):
    calls = []

    @hooks.transfer_changed.receiver("hub_statement")
    def on_statement(*, transfer, previous_status):
        calls.append((transfer.reference, previous_status, transfer.status))

    try:
        first = stripe_fake.send_webhook(client, "transfer.paid", transfer.stripe_transfer_id)
        stripe_fake.send_webhook(client, "transfer.paid", transfer.stripe_transfer_id, event_id=first.event_id)
        stripe_fake.send_webhook(client, "transfer.updated", transfer.stripe_transfer_id)
    finally:
        hooks.transfer_changed.unregister(on_statement, key="hub_statement")

    assert calls == [("statement:3", "submitted", "paid")]


def test_payment_intent_and_charge_refunded_webhooks_follow_stripe(client, stripe_fake):
    payment = payment_intent_create(amount=Decimal("250.00"), purpose="order_deposit", reference="order:5",
                                    idempotency_key="order-deposit:5")
    stripe_fake.send_webhook(client, "payment_intent.succeeded", payment.stripe_payment_intent_id,
                             overrides={"status": "succeeded"})
    payment.refresh_from_db()
    assert payment.status == Payment.Status.REQUIRES_PAYMENT  # the buyer has not paid: the body lied

    stripe_fake.pay_payment_intent(payment.stripe_payment_intent_id)
    stripe_fake.send_webhook(client, "payment_intent.succeeded", payment.stripe_payment_intent_id)
    payment.refresh_from_db()
    assert payment.status == Payment.Status.SUCCEEDED

    # Refunded from Stripe's dashboard, not through payment_refund: the webhook tells us.
    gateway.client().v1.refunds.create(params={"payment_intent": payment.stripe_payment_intent_id})
    stripe_fake.send_webhook(client, "charge.refunded", payment.stripe_charge_id)
    payment.refresh_from_db()
    assert payment.status == Payment.Status.REFUNDED
    assert payment.amount_refunded == Decimal("250.00")


def test_account_updated_webhook_stores_the_onboarding_flags(client, stripe_fake):
    account = connected_account_get_or_create(holder="partner:12", email="owner@example.com")
    stripe_fake.complete_account_onboarding(account.stripe_account_id)

    stripe_fake.send_webhook(client, "account.updated", account.stripe_account_id)

    account = ConnectedAccount.objects.get(pk=account.pk)
    assert account.payouts_enabled and account.details_submitted and account.ready_for_transfers


def test_event_types_it_ignores_and_objects_it_does_not_know_answer_200(client, stripe_fake, onboarded_account):
    stranger = gateway.client().v1.transfers.create(
        params={"amount": 100, "currency": "usd", "destination": onboarded_account.stripe_account_id})

    ignored = stripe_fake.send_webhook(client, "customer.created", stranger.id)
    unknown = stripe_fake.send_webhook(client, "transfer.paid", stranger.id)

    assert ignored.status_code == unknown.status_code == 200
    assert ignored.json()["outcome"] == "ignored"
    assert not Transfer.objects.exists()


def test_webhook_answers_503_when_stripe_cannot_be_reached_so_stripe_redelivers(client, stripe_fake, transfer):
    event = stripe_fake.event("transfer.paid", transfer.stripe_transfer_id)
    stripe_fake.unreachable()
    payload = json.dumps(event)
    response = client.post(URL, data=payload, content_type="application/json",
                           HTTP_STRIPE_SIGNATURE=stripe_fake.sign(payload))

    assert response.status_code == 503
    assert response.json()["code"] == "stripe_unreachable"
    assert not StripeEvent.objects.exists()
    stripe_fake.reachable()
    assert client.post(URL, data=payload, content_type="application/json",
                       HTTP_STRIPE_SIGNATURE=stripe_fake.sign(payload)).status_code == 200
    transfer.refresh_from_db()
    assert transfer.status == Transfer.Status.PAID


@pytest.mark.parametrize("payload", [
    "[]", "{}", '{"id": "evt_1"}', '{"type": "transfer.paid"}', '{"id": "evt_1", "type": 7}',
    '{"id": "evt_1", "type": "transfer.paid", "data": []}', '{"id": "evt_1", "type": "transfer.paid", "data": "x"}',
    '{"id": "evt_1", "type": "transfer.paid", "data": {"object": []}}', "[" * 5000 + "]" * 5000, '"evt"', "null",
], ids=["list", "empty", "no-type", "no-id", "type-number", "data-list", "data-string", "object-list", "deep",
        "string", "null"])
def test_signed_body_that_is_not_an_event_object_is_400_and_changes_nothing(client, stripe_fake, transfer, payload):
    response = client.post(URL, data=payload, content_type="application/json",
                           HTTP_STRIPE_SIGNATURE=stripe_fake.sign(payload))

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_event"
    assert set(response.json()) == {"code", "detail", "fields"}
    assert not StripeEvent.objects.exists()
    transfer.refresh_from_db()
    assert transfer.status == Transfer.Status.SUBMITTED
