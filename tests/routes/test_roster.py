"""The roster seen from routes: shift starts from the station's waves, the hours rules on the roster page and in
the assignment, the break in long routes, the commitment that follows the roster, the driver's week."""

from datetime import time, timedelta

import pytest
from django.urls import reverse
from freezegun import freeze_time

from accounts.models import Role
from core.errors import ValidationFailed
from fleet.models import HoursRule, Shift, ShiftSwap, TimeOff
from routes.models import Plan, PlanStatus, Route
from routes.services import plan_build, route_assign, routes_auto_assign
from routes.services.breaks import place_break
from routes.services.fleetday import commitments, fleet_for_day, roster_variance
from tests.onboarding.factories import partner_with_owner
from tests.routes.factories import partner_with_fleet

pytestmark = pytest.mark.django_db

H = 3600


@pytest.fixture(autouse=True)
def frozen(request):
    """Sunday 11:00 in Seattle; `day` is the Tuesday after. Not for planning: the solver's time budget runs on
    the real clock (frozen, it would never end)."""
    if "planned_route" in request.node.name:
        yield
        return
    with freeze_time("2026-11-29 19:00:00"):
        yield


@pytest.fixture
def rule():
    HoursRule.objects.exclude(state="").delete()
    row, _ = HoursRule.objects.update_or_create(state="", defaults={
        "max_day_minutes": 600, "max_week_minutes": 2400, "min_rest_minutes": 600, "break_after_minutes": 360,
        "break_minutes": 30})
    return row


@pytest.fixture
def crew(station, day, rule):
    station.waves = ["07:30", "08:00"]
    station.save(update_fields=["waves"])
    return partner_with_fleet(station=station, routes=3, vans=3, drivers=3, on=day)


def _shift(partner, driver, day, station, start=time(8, 0), minutes=540, brk=30):
    return Shift.objects.create(partner=partner, driver=driver, day=day, starts_at=start, minutes=minutes,
                                break_minutes=brk, station_id=station.pk)


def _route(station, day, partner, *, start_h=8, hours=9.0, brk=30, sequence=1):
    plan, _ = Plan.objects.get_or_create(station=station, service_date=day, defaults={"status": PlanStatus.READY})
    start = int(start_h * H)
    return Route.objects.create(plan=plan, service_date=day, sequence=sequence, partner=partner, capacity=275,
                                load=10, start_s=start, end_s=start + int(hours * H), break_s=brk * 60,
                                break_start_s=start + 4 * H if brk else None, stop_count=5)


# -- the roster page -----------------------------------------------------------------------------------

def test_the_roster_page_offers_the_waves_and_refuses_a_shift_that_breaks_a_rule_naming_it(client, crew, day,
                                                                                             station):
    partner, owner, _vans, drivers = crew
    client.force_login(owner)
    page = client.get(reverse("routes:roster"), {"date": day.isoformat()}).content.decode()
    assert '<option value="07:30">' in page and '<option value="08:00">' in page
    url = reverse("routes:roster_shift_add")
    base = {"driver": drivers[0].pk, "day": day.isoformat(), "wave": "07:30"}
    too_long = client.post(url, {**base, "minutes": 700, "break_minutes": 30})
    assert too_long.status_code == 400 and "Daily hours rule" in too_long.content.decode()
    no_break = client.post(url, {**base, "minutes": 480, "break_minutes": 0})
    assert no_break.status_code == 400 and "Break rule" in no_break.content.decode()
    off_wave = client.post(url, {**base, "wave": "09:15", "minutes": 480})
    assert off_wave.status_code == 400
    assert not Shift.objects.exists()
    good = client.post(url, {**base, "minutes": 480})
    assert good.status_code == 302
    shift = Shift.objects.get()
    assert (shift.starts_at, shift.break_minutes, shift.station_id) == (time(7, 30), 30, station.pk)


def test_the_roster_page_refuses_the_weekly_and_rest_rules_by_name(client, crew, day, station):
    partner, owner, _vans, drivers = crew
    client.force_login(owner)
    for n in (0, 1, 3, 4):  # Sunday, Monday, Wednesday, Thursday: 4 × 9 h 30 of the 40 h
        _shift(partner, drivers[0], day - timedelta(days=2) + timedelta(days=n), station, minutes=600)
    _shift(partner, drivers[1], day - timedelta(days=1), station, start=time(13, 0), minutes=600)  # ends 23:00
    url = reverse("routes:roster_shift_add")
    week = client.post(url, {"driver": drivers[0].pk, "day": day.isoformat(), "wave": "08:00", "minutes": 600})
    assert "Weekly hours rule" in week.content.decode()
    rest = client.post(url, {"driver": drivers[1].pk, "day": day.isoformat(), "wave": "07:30", "minutes": 480})
    assert "Rest rule" in rest.content.decode()
    assert not Shift.objects.filter(day=day).exists()


def test_the_roster_page_shows_routes_offered_against_routes_rostered(client, crew, day, station):
    partner, owner, _vans, drivers = crew
    for d in drivers[:2]:
        _shift(partner, d, day, station)
    for n in (1, 2, 3):
        _route(station, day, partner, sequence=n)
    rows = {r.day: r for r in roster_variance(partner=partner, station=station,
                                              days=[day + timedelta(days=n) for n in range(-2, 5)])}
    assert (rows[day].offered, rows[day].rostered, rows[day].committed, rows[day].variance) == (3, 2, 2, 1)
    client.force_login(owner)
    html = client.get(reverse("routes:roster"), {"date": day.isoformat()}).content.decode()
    assert 'id="variance"' in html and "+1" in html


def test_another_partners_roster_time_off_and_swaps_are_404(client, crew, day, station):
    partner, owner, _vans, drivers = crew
    shift = _shift(partner, drivers[0], day, station)
    time_off = TimeOff.objects.create(partner=partner, driver=drivers[0], first_day=day, last_day=day)
    swap = ShiftSwap.objects.create(partner=partner, shift=shift, from_driver=drivers[0], to_driver=drivers[1])
    _other, stranger = partner_with_owner()
    client.force_login(stranger)
    assert client.post(reverse("routes:roster_shift_delete", args=[shift.pk])).status_code == 404
    assert client.post(reverse("routes:roster_timeoff_decide", args=[time_off.pk]),
                       {"decision": "approve"}).status_code == 404
    assert client.post(reverse("routes:roster_swap_decide", args=[swap.pk]), {"decision": "approve"}).status_code == 404
    assert client.post(reverse("routes:roster_availability", args=[drivers[0].pk]),
                       {"weekday": ["0"]}).status_code == 404
    assert Shift.objects.filter(pk=shift.pk, driver=drivers[0]).exists()
    time_off.refresh_from_db()
    swap.refresh_from_db()
    assert time_off.status == swap.status == "requested"


# -- the assignment ------------------------------------------------------------------------------------

@pytest.mark.parametrize(("setup", "code"), [
    ("no_break", "hours_rule_break"), ("too_long", "hours_rule_day"), ("week", "hours_rule_week"),
    ("rest", "hours_rule_rest"), ("time_off", "time_off"),
])
def test_the_assignment_refuses_a_driver_the_rules_forbid_naming_the_rule(crew, day, station, setup, code):
    partner, _owner, vans, drivers = crew
    driver = drivers[0]
    route = _route(station, day, partner, hours=11 if setup == "too_long" else 9, brk=0 if setup == "no_break" else 30)
    if setup == "week":
        for n in (0, 1, 3, 4):
            _shift(partner, driver, day - timedelta(days=2) + timedelta(days=n), station, minutes=600)
    if setup == "rest":
        _shift(partner, driver, day - timedelta(days=1), station, start=time(14, 0), minutes=540)  # ends 23:00
    if setup == "time_off":
        TimeOff.objects.create(partner=partner, driver=driver, first_day=day, last_day=day, status="approved")
    with pytest.raises(ValidationFailed) as exc:
        route_assign(route=route, driver=driver, vehicle=vans[0])
    assert exc.value.code == code
    route.refresh_from_db()
    assert route.driver_id is None


def test_the_dispatch_page_says_which_rule_refused_the_driver(client, crew, day, station):
    partner, owner, vans, drivers = crew
    route = _route(station, day, partner, brk=0)
    client.force_login(owner)
    page = client.post(reverse("routes:route_assign", args=[route.pk]),
                       {f"r{route.pk}-driver": drivers[0].pk, f"r{route.pk}-vehicle": vans[0].pk}, follow=True)
    assert "Break rule" in page.content.decode()
    route.refresh_from_db()
    assert route.driver_id is None


def test_auto_assign_takes_the_rostered_drivers_and_passes_over_one_the_rules_forbid(crew, day, station):
    partner, _owner, _vans, drivers = crew
    TimeOff.objects.create(partner=partner, driver=drivers[0], first_day=day, last_day=day, status="approved")
    _shift(partner, drivers[2], day, station)
    route = _route(station, day, partner)
    routes_auto_assign(partner=partner, service_date=day)
    route.refresh_from_db()
    assert route.driver_id == drivers[2].pk


# -- the break in long routes ------------------------------------------------------------------------------

def test_the_break_goes_after_the_last_stop_before_the_threshold_and_moves_later_stops():
    rule = {"after_s": 6 * H, "length_s": 1800}
    placed = place_break(start=8 * H, end=17 * H, arrivals=[9 * H, 12 * H, 14 * H, 16 * H], services=[300] * 4,
                         rule=rule)
    assert placed.break_s == 1800 and placed.break_start_s == 12 * H + 300
    assert placed.arrivals == [9 * H, 12 * H, 14 * H + 1800, 16 * H + 1800]
    short = place_break(start=8 * H, end=13 * H, arrivals=[9 * H], services=[300], rule=rule)
    assert short.break_s == 0 and short.break_start_s is None


def test_a_planned_route_longer_than_the_threshold_has_its_break_and_ends_inside_its_shift(station, day, crew,
                                                                                          imported):
    imported(300)
    plan = plan_build(station=station, service_date=day, seconds=1)
    assert plan.status == PlanStatus.READY
    routes = list(plan.routes.all())
    long = [r for r in routes if r.end_s - r.break_s - r.start_s > 360 * 60]
    assert long, "the fixture's manifest makes at least one long route"
    for r in routes:
        if r in long:
            assert r.break_s == 1800 and r.start_s <= r.break_start_s <= r.end_s - r.break_s
            stops = list(r.stops.order_by("sequence"))
            after = [s for s in stops if s.planned_arrival_s >= r.break_start_s]
            assert all(s.planned_arrival_s >= r.break_start_s + r.break_s for s in after)
        else:
            assert r.break_s == 0
        assert r.end_s <= station.shift_end_s
        assert r.end_s - r.start_s - r.break_s <= 600 * 60  # a day's work under the rule
    assert any(r.break_label for r in long)


# -- the commitment -----------------------------------------------------------------------------------------

def test_the_commitment_follows_the_roster(crew, day, station):
    partner, _owner, _vans, drivers = crew
    assert commitments(station=station, service_date=day) == {partner.pk: 3}  # typed, no roster yet
    for d in drivers[:2]:
        _shift(partner, d, day, station)
    assert commitments(station=station, service_date=day) == {partner.pk: 2}
    assert [len(p.capacities) for p in fleet_for_day(station=station, service_date=day)] == [2]
    assert commitments(station=station, service_date=day + timedelta(days=1)) == {}  # rostered week, nobody on
    assert commitments(station=station, service_date=day + timedelta(days=7)) == {partner.pk: 3}  # next week: typed
    drivers[1].status = "suspended"
    drivers[1].save(update_fields=["status"])
    assert commitments(station=station, service_date=day) == {partner.pk: 1}


# -- the driver's week ------------------------------------------------------------------------------------------

def test_the_driver_sees_the_week_asks_for_time_off_and_a_swap(client, crew, day, station, make_user):
    partner, _owner, _vans, drivers = crew
    me, colleague = drivers[0], drivers[1]
    me.user = make_user(role=Role.DRIVER)
    me.save(update_fields=["user"])
    shift = _shift(partner, me, day, station, start=time(7, 30))
    theirs = _shift(partner, colleague, day + timedelta(days=1), station)
    client.force_login(me.user)
    page = client.get(reverse("routes:my_week")).content.decode()
    assert 'id="my-shifts"' in page and "Start 07:30" in page
    client.post(reverse("routes:my_timeoff_request"), {"first_day": (day + timedelta(days=5)).isoformat(),
                                                       "last_day": (day + timedelta(days=6)).isoformat(),
                                                       "reason": "Moving house"})
    assert TimeOff.objects.get(driver=me).status == "requested"
    backwards = client.post(reverse("routes:my_timeoff_request"), {"first_day": day.isoformat(),
                                                                   "last_day": (day - timedelta(days=1)).isoformat()})
    assert backwards.status_code == 400 and TimeOff.objects.filter(driver=me).count() == 1
    client.post(reverse("routes:my_shift_swap", args=[shift.pk]), {"to_driver": colleague.pk, "note": "Dentist"})
    assert ShiftSwap.objects.get(shift=shift).to_driver_id == colleague.pk
    assert client.post(reverse("routes:my_shift_swap", args=[theirs.pk]),
                       {"to_driver": drivers[2].pk}).status_code == 404
    assert not ShiftSwap.objects.filter(shift=theirs).exists()


def test_a_planned_route_at_a_station_without_a_state_keeps_the_break_its_partners_drivers_need(station, day, rule,
                                                                                                imported):
    """The station has no state: its partner's drivers work under their region's rule (a break after 5 hours,
    not the program's 6). Every route of more than 5 hours has that break, so each can be staffed."""
    HoursRule.objects.create(state="GA", max_day_minutes=600, max_week_minutes=2400, min_rest_minutes=600,
                             break_after_minutes=300, break_minutes=45)
    station.state = ""
    station.save(update_fields=["state"])
    partner, _owner, _vans, _drivers = partner_with_fleet(station=station, routes=3, vans=3, drivers=3, on=day,
                                                          partner_kwargs={"state_of_formation": "GA"})
    imported(300)

    plan = plan_build(station=station, service_date=day, seconds=1)

    assert plan.status == PlanStatus.READY
    routes = list(plan.routes.all())
    assert any(r.end_s - r.break_s - r.start_s > 300 * 60 for r in routes)
    for r in routes:
        worked = r.end_s - r.break_s - r.start_s
        assert r.break_s == (45 * 60 if worked > 300 * 60 else 0)
        assert r.end_s <= station.shift_end_s
    routes_auto_assign(partner=partner, service_date=day)
    assert all(r.driver_id and r.vehicle_id for r in plan.routes.all())
