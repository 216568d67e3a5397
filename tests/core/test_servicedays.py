"""A service day is the station's or hub's local date, at every awkward hour."""

from datetime import UTC, date, datetime

import pytest
from freezegun import freeze_time

from core.servicedays import service_today, service_tomorrow, service_week
from hubs.models import ParcelStatus
from routes.models import PlanStatus
from tests.hubs.factories import HubFactory, ParcelFactory
from tests.routes.factories import StationFactory

SEATTLE, BOSTON = "America/Los_Angeles", "America/New_York"


@pytest.mark.parametrize(("utc", "zone", "today"), [
    (datetime(2026, 11, 30, 2, 30, tzinfo=UTC), SEATTLE, date(2026, 11, 29)),  # 18:30 Pacific: still the 29th
    (datetime(2026, 11, 30, 2, 30, tzinfo=UTC), BOSTON, date(2026, 11, 29)),  # 21:30 Eastern
    (datetime(2026, 11, 30, 0, 30, tzinfo=UTC), "UTC", date(2026, 11, 30)),  # 00:30 UTC
    (datetime(2026, 11, 30, 0, 30, tzinfo=UTC), BOSTON, date(2026, 11, 29)),  # 19:30 Eastern
    (datetime(2026, 11, 30, 8, 0, tzinfo=UTC), SEATTLE, date(2026, 11, 30)),  # midnight Pacific
    (datetime(2026, 11, 30, 7, 59, tzinfo=UTC), SEATTLE, date(2026, 11, 29)),  # a minute before
    # DST ends 1 Nov 2026 at 02:00 PDT: 07:30 UTC is 00:30 PDT, 08:30 UTC is 01:30 PST (the hour repeats).
    (datetime(2026, 11, 1, 6, 30, tzinfo=UTC), SEATTLE, date(2026, 10, 31)),
    (datetime(2026, 11, 1, 7, 30, tzinfo=UTC), SEATTLE, date(2026, 11, 1)),
    (datetime(2026, 11, 1, 9, 30, tzinfo=UTC), SEATTLE, date(2026, 11, 1)),
    # DST starts 8 Mar 2026 at 02:00 PST (the hour is skipped): 07:59 UTC is 23:59 on the 7th.
    (datetime(2026, 3, 8, 7, 59, tzinfo=UTC), SEATTLE, date(2026, 3, 7)),
    (datetime(2026, 3, 8, 8, 0, tzinfo=UTC), SEATTLE, date(2026, 3, 8)),
])
def test_today_is_the_places_local_date(utc, zone, today):
    assert service_today(zone, now=utc) == today
    assert (service_tomorrow(zone, now=utc) - today).days == 1


def test_a_station_and_a_hub_answer_from_their_own_zone(db):
    station, hub = StationFactory(time_zone=SEATTLE), HubFactory(time_zone=BOSTON)
    with freeze_time("2026-11-30 04:30:00"):  # 20:30 in Seattle, 23:30 in Boston, 04:30 in UTC
        assert station.local_today() == date(2026, 11, 29)
        assert hub.local_today() == date(2026, 11, 29)
    with freeze_time("2026-11-30 05:30:00"):  # 00:30 in Boston, still 21:30 in Seattle
        assert station.local_today() == date(2026, 11, 29)
        assert hub.local_today() == date(2026, 11, 30)


def test_the_service_week_runs_sunday_to_saturday_unless_told_otherwise():
    saturday_night_seattle = datetime(2026, 12, 6, 6, 0, tzinfo=UTC)  # Sat 5 Dec 22:00 PST; Sunday in UTC
    assert service_week(SEATTLE, now=saturday_night_seattle) == (date(2026, 11, 29), date(2026, 12, 5))
    assert service_week(SEATTLE, now=saturday_night_seattle, first_weekday=0) == (date(2026, 11, 30),
                                                                                 date(2026, 12, 6))


def test_the_console_counts_each_stations_own_tomorrow(db):
    from routes.models import Plan
    from routes.selectors import console_figures

    seattle, boston = StationFactory(time_zone=SEATTLE), StationFactory(time_zone=BOSTON)
    # 06:30 UTC on Dec 1: 22:30 on Nov 30 in Seattle (tomorrow = Dec 1), 01:30 on Dec 1 in Boston (tomorrow = Dec 2).
    Plan.objects.create(station=seattle, service_date=date(2026, 12, 1), status=PlanStatus.READY)
    Plan.objects.create(station=boston, service_date=date(2026, 12, 2), status=PlanStatus.READY)
    Plan.objects.create(station=boston, service_date=date(2026, 12, 1), status=PlanStatus.FAILED)  # Boston's today
    figures = console_figures(now=datetime(2026, 12, 1, 6, 30, tzinfo=UTC))
    assert figures["plans"] == {PlanStatus.READY: 2}


def test_the_console_counts_each_hubs_own_today(db):
    from hubs.selectors import console_figures

    seattle, boston = HubFactory(time_zone=SEATTLE), HubFactory(time_zone=BOSTON)
    ParcelFactory(hub=seattle, service_date=date(2026, 11, 30), status=ParcelStatus.DELIVERED)
    ParcelFactory(hub=boston, service_date=date(2026, 12, 1), status=ParcelStatus.DELIVERED)
    ParcelFactory(hub=boston, service_date=date(2026, 11, 30), status=ParcelStatus.DELIVERED)  # Boston's yesterday
    figures = console_figures(now=datetime(2026, 12, 1, 6, 30, tzinfo=UTC))  # Seattle 22:30 Nov 30, Boston Dec 1
    assert (figures["total"], figures["delivered"]) == (2, 2)


def test_a_hub_sees_this_weeks_earnings_before_any_statement(db):
    from hubs.selectors import hub_week_so_far

    hub = HubFactory(time_zone=SEATTLE)
    ParcelFactory(hub=hub, service_date=date(2026, 11, 30), status=ParcelStatus.DELIVERED)  # Monday
    ParcelFactory(hub=hub, service_date=date(2026, 12, 1), status=ParcelStatus.DELIVERED)
    ParcelFactory(hub=hub, service_date=date(2026, 12, 1), status=ParcelStatus.ATTEMPTED)
    ParcelFactory(hub=hub, service_date=date(2026, 11, 29), status=ParcelStatus.DELIVERED)  # last week
    week = hub_week_so_far(hub=hub, now=datetime(2026, 12, 2, 6, 0, tzinfo=UTC))  # Tue 1 Dec 22:00 in Seattle
    assert week["week_start"] == date(2026, 11, 30) and week["today"] == date(2026, 12, 1)
    assert (week["delivered"], week["attempted"]) == (2, 1)
    assert [d["date"] for d in week["days"]] == ["2026-11-30", "2026-12-01"]
    assert week["earnings"] > 0
