from datetime import date

import pytest
from freezegun import freeze_time

from performance.models import Statement
from performance.services.scoring import scorecards_compute
from performance.services.settlement import statements_compute
from performance.services.statements import week_issue
from tests.onboarding.factories import partner_with_owner
from tests.performance.factories import route_with
from tests.routes.factories import StationFactory

WEEK = date(2026, 3, 1)


@pytest.fixture
def issued():
    """A partner's statement for the week of March 1, issued on Monday March 9 at 19:00 UTC: 100 delivered
    on one 8-hour route = $235 base + $40 packages + $20 Fantastic+ incentive = $295."""
    station = StationFactory()
    partner, owner = partner_with_owner()
    with freeze_time("2026-03-09 19:00:00"):
        route_with(partner=partner, station=station, day=date(2026, 3, 2), delivered=100)
        scorecards_compute(week_start=WEEK)
        statements_compute(week_start=WEEK)
        week_issue(week_start=WEEK)
    return Statement.objects.get(partner=partner), owner
