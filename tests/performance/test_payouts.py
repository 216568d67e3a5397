"""One Stripe transfer per statement: paying twice, or two admins paying at once on PostgreSQL, pays once;
the webhook marks the statement paid."""

import pytest

from core.models import OutboxEvent
from onboarding.claims.payouts import partner_holder
from payments.models import Transfer
from payments.services import connected_account_get_or_create
from performance.models import Statement, StatementStatus
from performance.services.payouts import statement_pay
from performance.services.statements import statement_approve
from tests.concurrency import run_at_once
from tests.factories import AdminFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _ready(stripe_fake, statement, owner):
    account = connected_account_get_or_create(holder=partner_holder(statement.partner_id), email=owner.email)
    stripe_fake.complete_account_onboarding(account.stripe_account_id)
    return statement_approve(statement=statement, by=AdminFactory())


def test_paying_twice_makes_one_transfer_and_the_webhook_marks_it_paid(stripe_fake, client, issued):
    statement, owner = issued
    _ready(stripe_fake, statement, owner)
    statement_pay(statement_id=statement.pk)
    statement_pay(statement_id=statement.pk)
    transfer = Transfer.objects.get()
    assert stripe_fake.count("transfer") == 1
    assert (transfer.amount, transfer.idempotency_key) == (statement.total, f"partner-statement-{statement.pk}")
    assert stripe_fake.get(transfer.stripe_transfer_id)["amount"] == 29500
    stripe_fake.send_webhook(client, "transfer.paid", transfer.stripe_transfer_id)
    statement.refresh_from_db()
    assert (statement.status, statement.transfer_id) == (StatementStatus.PAID, transfer.pk)
    event = OutboxEvent.objects.get(type="partner_statement.paid")
    assert event.audience.partner_ids == {statement.partner_id}
    assert statement_pay(statement_id=statement.pk).status == StatementStatus.PAID
    assert stripe_fake.count("transfer") == 1


def test_concurrent_payments_of_one_statement_pay_once(stripe_fake, issued):
    statement, owner = issued
    _ready(stripe_fake, statement, owner)
    outcomes = run_at_once([lambda: statement_pay(statement_id=statement.pk) for _ in range(4)])
    assert all(o[0] == "ok" for o in outcomes), outcomes
    assert Transfer.objects.count() == 1
    assert stripe_fake.count("transfer") == 1
    assert Statement.objects.get().transfer_id == Transfer.objects.get().pk


def test_a_statement_not_approved_cannot_be_paid(stripe_fake, issued):
    from core.errors import Conflict

    statement, _owner = issued
    with pytest.raises(Conflict):
        statement_pay(statement_id=statement.pk)
    assert not Transfer.objects.exists()
