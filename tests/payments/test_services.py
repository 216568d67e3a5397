from decimal import Decimal

import pytest

from core.audience import Audience
from core.errors import Conflict, DomainError, Unprocessable
from core.models import OutboxEvent
from payments import hooks
from payments.models import ConnectedAccount, Payment, Refund, Transfer
from payments.services import (
    connected_account_get_or_create,
    connected_account_onboarding_link,
    connected_account_refresh,
    payment_intent_create,
    payment_refund,
    payment_sync,
    transfer_create,
    transfer_retry,
    transfer_sync,
)

pytestmark = pytest.mark.django_db

DECLINED_CARD = "4000000000000341"  # localstripe declines it at charge time


def _pay(account, key="hub-statement:3", amount="75.00", reference="statement:3"):
    return transfer_create(account=account, amount=Decimal(amount), purpose="hub_statement", reference=reference,
                           idempotency_key=key)


# --- Connected accounts ---------------------------------------------------------------------


def test_connected_account_is_created_at_stripe_once_per_holder(stripe_fake):
    first = connected_account_get_or_create(holder="partner:12", email="owner@example.com")
    second = connected_account_get_or_create(holder="partner:12", email="owner@example.com")

    assert first.pk == second.pk
    assert first.stripe_account_id.startswith("acct_")
    assert stripe_fake.count("account") == 1
    assert stripe_fake.get(first.stripe_account_id)["metadata"] == {"holder": "partner:12"}


def test_onboarding_link_then_refresh_stores_that_the_account_can_be_paid(stripe_fake):
    account = connected_account_get_or_create(holder="partner:12", email="owner@example.com")

    url = connected_account_onboarding_link(account=account, return_url="https://portal.example/return",
                                            refresh_url="https://portal.example/refresh")
    assert url.startswith("http") and account.stripe_account_id in url
    assert stripe_fake.count("account_link") == 1
    assert account.payouts_enabled is False

    stripe_fake.complete_account_onboarding(account.stripe_account_id)
    connected_account_refresh(account=account)

    account.refresh_from_db()
    assert account.details_submitted and account.payouts_enabled and account.transfers_active
    assert account.ready_for_transfers


def test_transfer_to_a_payee_who_has_not_finished_onboarding_is_refused_without_a_row(stripe_fake):
    account = connected_account_get_or_create(holder="hub:9", email="shop@example.com")

    with pytest.raises(Conflict) as excinfo:
        _pay(account)
    assert excinfo.value.code == "account_not_ready"
    assert not Transfer.objects.exists()
    assert stripe_fake.count("transfer") == 0


def test_transfer_refreshes_a_stale_account_that_finished_onboarding(stripe_fake):
    account = connected_account_get_or_create(holder="hub:9", email="shop@example.com")
    stripe_fake.complete_account_onboarding(account.stripe_account_id)

    transfer = _pay(account)

    assert transfer.status == Transfer.Status.SUBMITTED
    assert ConnectedAccount.objects.get(pk=account.pk).payouts_enabled


# --- Transfers -------------------------------------------------------------------------------


def test_transfer_is_created_once_when_the_service_is_called_twice_with_the_same_key(stripe_fake,
                                                                                      onboarded_account):
    first = _pay(onboarded_account)
    second = _pay(onboarded_account)

    assert first.pk == second.pk
    assert first.status == Transfer.Status.SUBMITTED
    assert first.stripe_transfer_id.startswith("tr_")
    assert stripe_fake.posts("/v1/transfers") == 1
    assert stripe_fake.count("transfer") == 1
    sent = stripe_fake.get(first.stripe_transfer_id)
    assert sent["amount"] == 7500 and sent["currency"] == "usd"
    assert sent["destination"] == onboarded_account.stripe_account_id
    assert sent["metadata"]["purpose"] == "hub_statement" and sent["metadata"]["reference"] == "statement:3"
    assert list(first.log.values_list("from_status", "to_status")) == [("", "pending"), ("pending", "submitted")]


def test_reusing_a_key_for_a_different_amount_is_refused(stripe_fake, onboarded_account):
    _pay(onboarded_account)

    with pytest.raises(Unprocessable) as excinfo:
        _pay(onboarded_account, amount="80.00")
    assert excinfo.value.code == "idempotency_key_reused"
    assert stripe_fake.count("transfer") == 1


def test_refused_transfer_is_left_failed_and_a_retry_reuses_the_key_and_pays_once(stripe_fake, onboarded_account):
    stripe_fake.fail_next_transfer("Insufficient funds in Stripe account.")

    failed = _pay(onboarded_account)
    assert failed.status == Transfer.Status.FAILED
    assert failed.failure_code == "stripe_rejected"
    assert "Insufficient funds" in failed.failure_message
    assert failed.stripe_transfer_id == ""
    assert stripe_fake.count("transfer") == 0

    assert _pay(onboarded_account).status == Transfer.Status.FAILED  # a re-run does not resend on its own

    retried = transfer_retry(transfer=failed)
    again = transfer_retry(transfer=retried)

    assert retried.status == again.status == Transfer.Status.SUBMITTED
    assert retried.stripe_idempotency_key == "hub-statement:3"
    assert stripe_fake.count("transfer") == 1
    assert stripe_fake.posts("/v1/transfers") == 1


def test_unreachable_stripe_leaves_the_transfer_failed_with_a_stable_code(stripe_fake, onboarded_account):
    stripe_fake.unreachable()

    transfer = _pay(onboarded_account)

    assert transfer.status == Transfer.Status.FAILED
    assert transfer.failure_code == "stripe_unreachable"
    stripe_fake.reachable()
    assert transfer_retry(transfer=transfer).status == Transfer.Status.SUBMITTED
    assert stripe_fake.count("transfer") == 1


def test_unreachable_stripe_is_a_503_domain_error_for_calls_that_move_no_money(stripe_fake):
    stripe_fake.unreachable()

    with pytest.raises(DomainError) as excinfo:
        connected_account_get_or_create(holder="partner:1", email="a@example.com")
    assert excinfo.value.code == "stripe_unreachable"
    assert excinfo.value.status_code == 503
    assert not ConnectedAccount.objects.exists()


def test_transfer_sync_marks_paid_and_records_the_payout_event(stripe_fake, onboarded_account):
    transfer = transfer_sync(transfer=_pay(onboarded_account))

    assert transfer.status == Transfer.Status.PAID
    assert transfer.paid_at is not None
    event = OutboxEvent.objects.get(type="payout.paid")
    assert event.payload == {"transfer_id": transfer.pk, "amount": "75.00"}
    assert event.audience == Audience.hub(7)  # the recipient the account's holder names


def test_transfer_that_stripe_later_fails_is_retried_as_a_new_stripe_transfer(stripe_fake, onboarded_account):
    transfer = _pay(onboarded_account)
    stripe_fake.set_transfer_status(transfer.stripe_transfer_id, "failed", "The bank account was closed.")
    transfer = transfer_sync(transfer=transfer)
    assert transfer.status == Transfer.Status.FAILED
    assert transfer.failure_message == "The bank account was closed."

    retried = transfer_retry(transfer=transfer)

    assert retried.status == Transfer.Status.SUBMITTED
    assert retried.stripe_idempotency_key == "hub-statement:3:attempt-2"
    assert stripe_fake.count("transfer") == 2


# --- Listeners -------------------------------------------------------------------------------


def test_listener_is_called_inside_the_transaction_on_each_status_change(stripe_fake, onboarded_account):
    from django.db import connection

    seen = []

    @hooks.transfer_changed.receiver("hub_statement")
    def on_statement_transfer(*, transfer, previous_status):
        seen.append((previous_status, transfer.status, connection.in_atomic_block,
                     Transfer.objects.get(pk=transfer.pk).status))

    @hooks.transfer_changed.receiver("claim")
    def on_claim_transfer(*, transfer, previous_status):
        raise AssertionError("another purpose's listener must not be called")

    try:
        transfer_sync(transfer=_pay(onboarded_account))
    finally:
        hooks.transfer_changed.unregister(on_statement_transfer, key="hub_statement")
        hooks.transfer_changed.unregister(on_claim_transfer, key="claim")

    assert seen == [("pending", "submitted", True, "submitted"), ("submitted", "paid", True, "paid")]


def test_a_failing_listener_rolls_the_status_change_back(stripe_fake, onboarded_account):
    transfer = _pay(onboarded_account)

    @hooks.transfer_changed.receiver("hub_statement")
    def refuse(*, transfer, previous_status):
        raise RuntimeError("downstream refused")

    try:
        with pytest.raises(RuntimeError):
            transfer_sync(transfer=transfer)
    finally:
        hooks.transfer_changed.unregister(refuse, key="hub_statement")

    transfer.refresh_from_db()
    assert transfer.status == Transfer.Status.SUBMITTED
    assert not OutboxEvent.objects.filter(type="payout.paid").exists()


# --- Payments in and refunds ------------------------------------------------------------------


def test_payment_intent_and_refund_round_trip(stripe_fake):
    changes = []

    @hooks.payment_changed.receiver("order_deposit")
    def on_deposit(*, payment, previous_status):
        changes.append((previous_status, payment.status))

    try:
        payment = payment_intent_create(amount=Decimal("500.00"), purpose="order_deposit", reference="order:17",
                                        idempotency_key="order-deposit:17", description="Deposit for order 17")
        assert payment_intent_create(amount=Decimal("500.00"), purpose="order_deposit", reference="order:17",
                                     idempotency_key="order-deposit:17").pk == payment.pk
        assert payment.stripe_payment_intent_id.startswith("pi_")
        assert payment.client_secret.startswith(payment.stripe_payment_intent_id + "_secret_")
        assert stripe_fake.count("payment_intent") == 1
        assert stripe_fake.get(payment.stripe_payment_intent_id)["amount"] == 50000

        assert stripe_fake.pay_payment_intent(payment.stripe_payment_intent_id) == "succeeded"
        payment = payment_sync(payment=payment)
        assert payment.status == Payment.Status.SUCCEEDED
        assert payment.stripe_charge_id.startswith("ch_")

        refund = payment_refund(payment=payment, idempotency_key="order-refund:17")
        again = payment_refund(payment=payment, idempotency_key="order-refund:17")
    finally:
        hooks.payment_changed.unregister(on_deposit, key="order_deposit")

    assert refund.pk == again.pk
    assert refund.status == Refund.Status.SUCCEEDED and refund.stripe_refund_id.startswith("re_")
    assert refund.amount == Decimal("500.00")
    assert stripe_fake.count("refund") == 1
    payment.refresh_from_db()
    assert payment.status == Payment.Status.REFUNDED
    assert payment.amount_refunded == Decimal("500.00")
    assert changes == [("requires_payment", "succeeded"), ("succeeded", "refunded")]


def test_declined_card_marks_the_payment_failed_and_it_cannot_be_refunded(stripe_fake):
    payment = payment_intent_create(amount=Decimal("120.00"), purpose="order_deposit", reference="order:18",
                                    idempotency_key="order-deposit:18")
    stripe_fake.pay_payment_intent(payment.stripe_payment_intent_id, card=DECLINED_CARD)

    payment = payment_sync(payment=payment)

    assert payment.status == Payment.Status.FAILED
    assert "declined" in payment.failure_message
    with pytest.raises(DomainError) as excinfo:
        payment_refund(payment=payment, idempotency_key="order-refund:18")
    assert excinfo.value.code == "payment_not_refundable"


def test_partial_refund_cannot_exceed_what_was_paid(stripe_fake):
    payment = payment_intent_create(amount=Decimal("100.00"), purpose="order_deposit", reference="order:19",
                                    idempotency_key="order-deposit:19")
    stripe_fake.pay_payment_intent(payment.stripe_payment_intent_id)
    payment = payment_sync(payment=payment)

    part = payment_refund(payment=payment, idempotency_key="r-1", amount=Decimal("40.00"))
    assert part.status == Refund.Status.SUCCEEDED
    payment.refresh_from_db()
    assert payment.status == Payment.Status.SUCCEEDED and payment.amount_refunded == Decimal("40.00")

    with pytest.raises(DomainError) as excinfo:
        payment_refund(payment=payment, idempotency_key="r-2", amount=Decimal("60.01"))
    assert excinfo.value.code == "refund_too_large"


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_payout_runs_with_the_same_key_pay_once(stripe_fake, onboarded_account):
    import threading

    from django.db import connection

    barrier = threading.Barrier(2)
    results, errors = [], []

    def run():
        try:
            barrier.wait(5)
            results.append(_pay(onboarded_account).pk)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert errors == []
    assert len(set(results)) == 1
    assert Transfer.objects.get().status == Transfer.Status.SUBMITTED
    assert stripe_fake.count("transfer") == 1
    assert stripe_fake.posts("/v1/transfers") == 1


def test_reconcile_task_confirms_transfers_whose_webhook_never_came(stripe_fake, onboarded_account):
    from datetime import timedelta

    from freezegun import freeze_time

    from payments.tasks import transfers_reconcile

    transfer = _pay(onboarded_account)
    assert transfers_reconcile() == 0  # too recent: the webhook may still arrive

    with freeze_time(timedelta(hours=2), tick=True):
        assert transfers_reconcile() == 1

    transfer.refresh_from_db()
    assert transfer.status == Transfer.Status.PAID
