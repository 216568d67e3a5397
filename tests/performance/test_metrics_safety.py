"""Safety on a hand-made week: pre-trip inspection completion per route-day, and speeding events per 100
route-hours from the position pings (speed derived between consecutive pings); every figure worked out by hand."""

import math
from datetime import UTC, date, datetime, timedelta

import pytest
from freezegun import freeze_time

from fleet.models import Inspection
from performance.models import DriverScore, Scorecard, Tier, TierRuleSet
from performance.services.metrics import inspection_defects, speeding_defects
from performance.services.scoring import scorecards_compute
from routes.models import Route, RoutePosition
from tests.fleet.factories import DriverFactory, VehicleFactory
from tests.onboarding.factories import partner_with_owner
from tests.performance.factories import route_with
from tests.routes.factories import StationFactory

pytestmark = pytest.mark.django_db

WEEK = date(2026, 3, 1)  # Sunday; scored on Monday March 9 at 19:00 UTC
LAST = WEEK + timedelta(days=6)
EARTH_KM = 6371.0088


def at(day: date, hh: int, mm: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hh, mm, tzinfo=UTC)


def ran(route: Route, start: datetime, end: datetime | None = None) -> Route:
    Route.objects.filter(pk=route.pk).update(status="completed" if end else "started", started_at=start,
                                             completed_at=end)
    route.refresh_from_db()
    return route


def pretrip(route: Route, *, when: datetime, result="passed", kind="pre_trip", day=None) -> Inspection:
    return Inspection.objects.create(partner=route.partner, vehicle=route.vehicle, driver=route.driver, kind=kind,
                                     service_date=day or route.service_date, result=result, created_at=when)


def pings(route: Route, start: datetime, speeds_kmh: list[float], *, every_s: int = 60, lat: float = 47.6):
    """A ping at `start`, then one every `every_s` seconds, each moving north at the next speed of the list."""
    rows = [RoutePosition(route=route, recorded_at=start, latitude=lat, longitude=-122.33)]
    for i, kmh in enumerate(speeds_kmh, start=1):
        lat += math.degrees(kmh * every_s / 3600 / EARTH_KM)  # due north: the distance is all latitude
        rows.append(RoutePosition(route=route, recorded_at=start + timedelta(seconds=i * every_s), latitude=lat,
                                  longitude=-122.33))
    RoutePosition.objects.bulk_create(rows)


@freeze_time("2026-03-09 19:00:00")
def test_pre_trip_inspection_completion_on_a_hand_made_week():
    partner, _owner = partner_with_owner()
    station = StationFactory()
    van_a, van_b = VehicleFactory(partner=partner), VehicleFactory(partner=partner)
    ada, ben = DriverFactory(partner=partner), DriverFactory(partner=partner)
    days = [WEEK + timedelta(days=i) for i in range(1, 7)]  # Monday .. Saturday

    def route(day, van, driver):
        r = route_with(partner=partner, station=station, day=day, driver=driver, delivered=1)
        Route.objects.filter(pk=r.pk).update(vehicle=van)
        r.refresh_from_db()
        return r

    ok1 = ran(route(days[0], van_a, ada), at(days[0], 15, 30))
    pretrip(ok1, when=at(days[0], 15))                              # passed at 15:00, started 15:30: compliant
    late = ran(route(days[1], van_a, ada), at(days[1], 15, 30))
    pretrip(late, when=at(days[1], 16))                             # passed only after the start: a defect
    failed = ran(route(days[2], van_b, ben), at(days[2], 15, 30))
    pretrip(failed, when=at(days[2], 15), result="failed")          # failed: a defect
    other_day = ran(route(days[3], van_b, ben), at(days[3], 15, 30))
    pretrip(other_day, when=at(days[1], 15), day=days[1])           # Tuesday's inspection, Thursday's route
    pretrip(other_day, when=at(days[3], 15), kind="post_trip")      # a post-trip is not a pre-trip: a defect
    ok2 = ran(route(days[4], van_a, ben), at(days[4], 15, 30))
    pretrip(ok2, when=at(days[4], 15, 30))                          # recorded the minute it started: compliant
    route(days[5], van_b, ada)                                      # never started: not a route-day of the metric

    scorecards_compute(week_start=WEEK)

    m = Scorecard.objects.get(partner=partner).metrics["inspection"]
    # 2 of 5 started routes had a passed pre-trip before the start = 40%: Poor (Fair needs 95%)
    assert (m["numerator"], m["denominator"], m["value"], m["tier"]) == (2, 5, "40.00", Tier.POOR)
    assert "= 2 ÷ 5 × 100 = 40.00%" in m["formula"]
    drivers = {d.driver_id: d.metrics["inspection"] for d in DriverScore.objects.filter(scorecard__partner=partner)}
    assert (drivers[ada.pk]["numerator"], drivers[ada.pk]["denominator"], drivers[ada.pk]["value"]) == (1, 2, "50.00")
    assert (drivers[ben.pk]["numerator"], drivers[ben.pk]["denominator"], drivers[ben.pk]["value"]) == (1, 3, "33.33")
    defects = inspection_defects(partner_id=partner.pk, first=WEEK, last=LAST)
    assert sorted(r.pk for r in defects) == sorted([late.pk, failed.pk, other_day.pk])
    assert [r.pk for r in inspection_defects(partner_id=partner.pk, first=WEEK, last=LAST, driver_id=ada.pk)] \
        == [late.pk]


@freeze_time("2026-03-09 19:00:00")
def test_speeding_events_per_100_route_hours_on_a_hand_made_week():
    partner, _owner = partner_with_owner()
    station = StationFactory()
    ada, ben = DriverFactory(partner=partner), DriverFactory(partner=partner)
    monday, tuesday = WEEK + timedelta(days=1), WEEK + timedelta(days=2)
    fast = ran(route_with(partner=partner, station=station, day=monday, driver=ada, delivered=1),
               at(monday, 16), at(monday, 18))                      # 2 route-hours
    # one minute apart (threshold 105 km/h): 50, 110 (event 1), 120 (same run), 100, 130 (event 2), 104, 106
    # (event 3), 90 -> 3 events
    pings(fast, at(monday, 16), [50, 110, 120, 100, 130, 104, 106, 90])
    # a fast ping before the start and after the end does not count
    RoutePosition.objects.create(route=fast, recorded_at=at(monday, 15, 50), latitude=40.0, longitude=-122.33)
    RoutePosition.objects.create(route=fast, recorded_at=at(monday, 18, 30), latitude=40.0, longitude=-122.33)
    calm = ran(route_with(partner=partner, station=station, day=tuesday, driver=ben, delivered=1),
               at(tuesday, 15), at(tuesday, 19, 30))                # 4.5 route-hours, nothing above 105
    pings(calm, at(tuesday, 15), [60, 80, 104, 70])
    ran(route_with(partner=partner, station=station, day=tuesday, driver=ada, delivered=1),
        at(tuesday, 15))                                            # still running: not in the hours yet

    scorecards_compute(week_start=WEEK)

    m = Scorecard.objects.get(partner=partner).metrics["speeding"]
    # 3 events in 6.5 route-hours x 100 = 46.15 per 100 route-hours: Poor (Fair allows at most 4)
    assert (m["numerator"], m["denominator"], m["value"], m["tier"]) == (3, 6.5, "46.15", Tier.POOR)
    assert m["formula"] == "speeding events ÷ route-hours × 100 = 3 ÷ 6.50 × 100 = 46.15"
    drivers = {d.driver_id: d.metrics["speeding"] for d in DriverScore.objects.filter(scorecard__partner=partner)}
    assert (drivers[ada.pk]["numerator"], drivers[ada.pk]["denominator"]) == (3, 2.0)
    assert drivers[ada.pk]["value"] == "150.00"  # 3 ÷ 2 h × 100
    assert (drivers[ben.pk]["numerator"], drivers[ben.pk]["value"], drivers[ben.pk]["tier"]) == (0, "0.00",
                                                                                               Tier.FANTASTIC_PLUS)
    assert [r.pk for r in speeding_defects(partner_id=partner.pk, first=WEEK, last=LAST)] == [fast.pk]


@freeze_time("2026-03-09 19:00:00")
def test_the_threshold_is_the_weeks_program_setting():
    """The same pings, a threshold of 125 km/h in this week's rules: only the 130 km/h minute is an event."""
    TierRuleSet.objects.filter(pk=TierRuleSet.in_force(WEEK).pk).update(speeding_threshold_kmh=125)
    partner, _owner = partner_with_owner()
    monday = WEEK + timedelta(days=1)
    route = ran(route_with(partner=partner, station=StationFactory(), day=monday, delivered=1),
                at(monday, 16), at(monday, 18))
    pings(route, at(monday, 16), [50, 110, 120, 100, 130, 104, 106, 90])
    scorecards_compute(week_start=WEEK)
    m = Scorecard.objects.get(partner=partner).metrics["speeding"]
    assert (m["numerator"], m["value"]) == (1, "50.00")  # 1 ÷ 2 h × 100


def _week_of_routes(partner, station, hours: list[int], event_on_first: bool):
    """Routes of `hours` each (one a day, Monday on), the first with one speeding run (110 then 120 km/h)."""
    for i, h in enumerate(hours):
        day = WEEK + timedelta(days=1 + i)
        route = ran(route_with(partner=partner, station=station, day=day, delivered=1), at(day, 8), at(day, 8 + h))
        pings(route, at(day, 8), [90, 110, 120, 90] if event_on_first and i == 0 else [90, 95])


@freeze_time("2026-03-09 19:00:00")
def test_speeding_tier_boundary():
    """Great allows at most 2.0 events per 100 route-hours: 1 event in 50 h = 2.00 is Great; 1 in 49 h = 2.04 is
    Fair; and without the event the same 49 h are 0.00, Fantastic+ (at most 0.5)."""
    station = StationFactory()
    at_edge, _o = partner_with_owner()
    over, _o = partner_with_owner()
    clean, _o = partner_with_owner()
    _week_of_routes(at_edge, station, [10, 10, 10, 10, 10], event_on_first=True)   # 50 h
    _week_of_routes(over, station, [10, 10, 10, 10, 9], event_on_first=True)       # 49 h
    _week_of_routes(clean, station, [10, 10, 10, 10, 9], event_on_first=False)     # 49 h
    scorecards_compute(week_start=WEEK)
    figure = {p: Scorecard.objects.get(partner=p).metrics["speeding"] for p in (at_edge, over, clean)}
    assert (figure[at_edge]["numerator"], figure[at_edge]["denominator"]) == (1, 50.0)
    assert (figure[at_edge]["value"], figure[at_edge]["tier"]) == ("2.00", Tier.GREAT)
    assert (figure[over]["value"], figure[over]["tier"]) == ("2.04", Tier.FAIR)
    assert (figure[clean]["value"], figure[clean]["tier"]) == ("0.00", Tier.FANTASTIC_PLUS)
