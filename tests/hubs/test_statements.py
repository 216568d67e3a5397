from datetime import date
from decimal import Decimal

import pytest

from hubs.models import HubSettings, Statement
from hubs.services import statements_compute
from tests.hubs.factories import HubFactory, ParcelFactory

pytestmark = pytest.mark.django_db

MONDAY = date(2026, 3, 2)


def parcels(hub, day, **counts):
    for status, n in counts.items():
        for _ in range(n):
            ParcelFactory(hub=hub, service_date=day, status=status)


def test_weekly_statement_counts_and_earnings_checked_by_hand(hub):
    parcels(hub, date(2026, 3, 2), delivered=28, attempted=1, returned=1)       # Monday
    parcels(hub, date(2026, 3, 4), delivered=25, attempted=3, received=2)       # Wednesday, 2 still open
    parcels(hub, date(2026, 3, 8), delivered=30)                                 # Sunday
    parcels(hub, date(2026, 3, 9), delivered=30)                                 # next Monday: not this week
    parcels(hub, date(2026, 3, 1), delivered=30)                                 # Sunday before: not this week
    parcels(HubFactory(), date(2026, 3, 2), delivered=5)                         # another hub

    statements_compute(week_start=MONDAY)

    statement = Statement.objects.get(hub=hub, week_start=MONDAY)
    # delivered 28 + 25 + 30 = 83; attempted 1 + 3 = 4; returned 1
    assert (statement.delivered, statement.attempted, statement.returned) == (83, 4, 1)
    # 83 x $2.50 = $207.50; attempts and returns earn $0 by default
    assert statement.earnings == Decimal("207.50")
    assert statement.week_end == date(2026, 3, 8)
    assert [d["date"] for d in statement.days][0] == "2026-03-02"
    assert len(statement.days) == 7
    assert statement.days[0] == {"date": "2026-03-02", "delivered": 28, "attempted": 1, "returned": 1,
                                 "earnings": "70.00"}
    assert statement.days[2]["earnings"] == "62.50"   # 25 x 2.50
    assert statement.days[1]["delivered"] == 0
    assert statement.days[6]["earnings"] == "75.00"   # 30 x 2.50


def test_rates_are_program_data(hub):
    HubSettings.objects.filter(pk=1).update(delivered_rate=Decimal("3.00"), attempted_rate=Decimal("0.50"))
    parcels(hub, MONDAY, delivered=10, attempted=4)
    statements_compute(week_start=MONDAY)
    assert Statement.objects.get(hub=hub).earnings == Decimal("32.00")  # 10 x 3.00 + 4 x 0.50


def test_recomputing_updates_an_open_statement_and_never_a_paid_one(hub):
    parcels(hub, MONDAY, delivered=2)
    statements_compute(week_start=MONDAY)
    parcels(hub, MONDAY, delivered=1)
    statements_compute(week_start=MONDAY)
    statement = Statement.objects.get(hub=hub)
    assert (statement.delivered, Statement.objects.count()) == (3, 1)
    Statement.objects.filter(pk=statement.pk).update(status="paid")
    parcels(hub, MONDAY, delivered=1)
    statements_compute(week_start=MONDAY)
    assert Statement.objects.get(hub=hub).delivered == 3
