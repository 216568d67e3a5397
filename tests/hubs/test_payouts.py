from datetime import date

import pytest
from freezegun import freeze_time

from core.audience import Audience
from core.models import OutboxEvent
from hubs import tasks
from hubs.models import Statement
from hubs.services import statements_compute
from payments.models import Transfer
from payments.services import connected_account_get_or_create
from tests.hubs.factories import ParcelFactory

pytestmark = pytest.mark.django_db

MONDAY = date(2026, 3, 2)


@pytest.fixture
def statement(hub):
    for _ in range(30):
        ParcelFactory(hub=hub, service_date=MONDAY, status="delivered")
    [statement] = statements_compute(week_start=MONDAY)
    return statement


@freeze_time("2026-03-09 10:00:00")
def test_the_statement_payout_is_made_once_when_the_job_runs_twice(stripe_fake, client, hub, statement):
    account = connected_account_get_or_create(holder=f"hub:{hub.pk}", email=hub.owner.email)
    stripe_fake.complete_account_onboarding(account.stripe_account_id)

    tasks.statements_weekly.delay()
    tasks.statements_weekly.delay()

    assert stripe_fake.count("transfer") == 1
    transfer = Transfer.objects.get()
    assert (transfer.amount, transfer.purpose, transfer.idempotency_key) == (
        statement.earnings, "hub_statement", f"hub-statement-{statement.pk}")
    assert stripe_fake.get(transfer.stripe_transfer_id)["amount"] == 7500  # 30 x $2.50

    stripe_fake.send_webhook(client, "transfer.paid", transfer.stripe_transfer_id)
    statement.refresh_from_db()
    assert statement.status == "paid"
    assert OutboxEvent.objects.get(type="statement.paid").audience == Audience.hub(statement.hub_id)

    tasks.statements_weekly.delay()
    assert stripe_fake.count("transfer") == 1
    assert Statement.objects.get().status == "paid"


@freeze_time("2026-03-09 10:00:00")
def test_a_hub_without_finished_onboarding_is_not_paid_yet(stripe_fake, statement):
    tasks.statements_weekly.delay()
    assert stripe_fake.count("transfer") == 0
    statement.refresh_from_db()
    assert statement.status == "open"


def test_the_weekly_job_waits_until_the_week_has_ended_at_the_westernmost_hub(stripe_fake, hub):
    """Monday 09:00 UTC is Monday in Los Angeles but still Sunday evening in Honolulu: the week (Mon 2 – Sun 8
    March) is not over there."""
    hub.time_zone = "Pacific/Honolulu"
    hub.save(update_fields=["time_zone"])
    account = connected_account_get_or_create(holder=f"hub:{hub.pk}", email=hub.owner.email)
    stripe_fake.complete_account_onboarding(account.stripe_account_id)
    ParcelFactory(hub=hub, service_date=date(2026, 3, 8), status="delivered")

    with freeze_time("2026-03-09 09:00:00"):
        tasks.statements_weekly.delay()
    assert not Statement.objects.filter(week_start=MONDAY).exists()
    assert stripe_fake.count("transfer") == 0

    with freeze_time("2026-03-09 11:00:00"):  # 01:00 on Monday in Honolulu
        tasks.statements_weekly.delay()
    statement = Statement.objects.get(week_start=MONDAY)
    assert statement.delivered == 1
    assert stripe_fake.count("transfer") == 1
