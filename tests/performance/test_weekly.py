"""The weekly beat: last week final (scorecards and draft statements), this week provisional (a scorecard, no
statement); running it twice changes nothing."""

from datetime import date

import pytest
from freezegun import freeze_time

from performance import tasks
from performance.models import Scorecard, Statement, StatementLine

pytestmark = pytest.mark.django_db


@freeze_time("2026-03-10 19:00:00")  # Tuesday: last week is March 1-7, this week started Sunday March 8
def test_the_weekly_beat_scores_both_weeks_settles_only_the_finished_one_and_is_idempotent():
    from tests.onboarding.factories import partner_with_owner
    from tests.performance.factories import route_with
    from tests.routes.factories import StationFactory

    station = StationFactory()
    partner, _owner = partner_with_owner()
    route_with(partner=partner, station=station, day=date(2026, 3, 4), delivered=20)
    route_with(partner=partner, station=station, day=date(2026, 3, 9), delivered=5, attempted=1)

    tasks.weeks_compute.delay()
    first = (list(Scorecard.objects.order_by("week_start").values_list("week_start", "delivered", "dispatched")),
             list(StatementLine.objects.order_by("id").values_list("kind", "amount")))
    tasks.weeks_compute.delay()

    assert first[0] == [(date(2026, 3, 1), 20, 20), (date(2026, 3, 8), 5, 6)]
    assert list(Statement.objects.values_list("week_start", flat=True)) == [date(2026, 3, 1)]
    assert list(Scorecard.objects.order_by("week_start").values_list("week_start", "delivered", "dispatched")) \
        == first[0]
    assert list(StatementLine.objects.values_list("kind", "amount")) == first[1]
