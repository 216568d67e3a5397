"""Rescues and call-outs during the day, on the hand-made day of live_day.py: the receiving route is re-sequenced
by the solver and checked here by the independent evaluator (tests/routes/evaluator.py), never by the numbers the
service reports."""

from datetime import timedelta

import pytest
from django.db.models import Sum

from core.errors import Conflict, ValidationFailed
from core.models import OutboxEmail, OutboxEvent
from routes.models import Route, RouteChange, RouteStop, StopStatus
from routes.services.live import local_seconds
from routes.services.rescue import resequence_problem, route_callout, stops_rescue
from routes.solver.types import Route as SolvedRoute
from routes.solver.types import Solution
from tests.routes import evaluator
from tests.routes.live_day import live_day, local

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return live_day()


def _serve(route, upto, at):
    for k, stop in enumerate(route.stops.order_by("sequence")[:upto]):
        RouteStop.objects.filter(pk=stop.pk).update(status=StopStatus.DELIVERED,
                                                    outcome_at=at - timedelta(minutes=upto - 1 - k))


def _independent_check(route, now, start):
    """Rebuild the route's remaining work from the database, in its stored order, and let the independent
    evaluator drive it from `start` leaving now: [] when it fits the van, the windows and the shift."""
    route = Route.objects.select_related("plan__station", "vehicle").get(pk=route.pk)
    pending = list(route.stops.filter(status=StopStatus.PENDING).order_by("sequence"))
    depart = max(local_seconds(now, route.service_date, route.plan.station.tz), route.start_s)
    problem = resequence_problem(route=route, stops=pending, start=start, depart_s=depart)
    solution = Solution(routes=[SolvedRoute(vehicle_type=0, stops=list(range(len(pending))))], unassigned=[])
    return evaluator.violations(problem, solution), pending


def _fingerprint(*routes):
    return [(s.pk, s.route_id, s.sequence, s.planned_arrival_s)
            for s in RouteStop.objects.filter(route__in=routes).order_by("pk")]


def test_a_rescue_moves_stops_and_keeps_both_routes_within_van_and_shift(world, django_capture_on_commit_callbacks):
    giver, taker = world.routes
    now = local(9, 50)
    _serve(giver, 2, local(9, 45))
    _serve(taker, 2, local(9, 40))
    moving = list(giver.stops.filter(sequence__in=[4, 5]).values_list("pk", flat=True))
    with django_capture_on_commit_callbacks(execute=True):
        plan = stops_rescue(from_route=giver, to_route=taker, stop_ids=moving, by=world.owner, now=now, seconds=0.3)
    assert set(moving) <= {s.pk for s in plan.stops}
    assert set(RouteStop.objects.filter(pk__in=moving).values_list("route_id", flat=True)) == {taker.pk}
    # served stops kept their numbers; the receiving route's remaining stops follow them, 3..7
    taker_seq = list(taker.stops.order_by("sequence").values_list("sequence", "status"))
    assert [n for n, _s in taker_seq] == list(range(1, 8))
    assert [s for _n, s in taker_seq[:2]] == [StopStatus.DELIVERED] * 2
    # both routes, read back from the database, pass the independent evaluator from where their drivers are
    last_taker = taker.stops.filter(sequence=2).values_list("latitude", "longitude").get()
    found, pending = _independent_check(taker, now, (float(last_taker[0]), float(last_taker[1])))
    assert found == [] and len(pending) == 5
    last_giver = giver.stops.filter(sequence=2).values_list("latitude", "longitude").get()
    found, pending = _independent_check(giver, now, (float(last_giver[0]), float(last_giver[1])))
    assert found == [] and len(pending) == 1
    # the planned arrivals stored are the evaluator's, in order, and the route totals follow the stops
    arrivals = [s.planned_arrival_s for s in taker.stops.filter(status=StopStatus.PENDING).order_by("sequence")]
    assert arrivals == sorted(arrivals) and arrivals[0] >= local_seconds(now, taker.service_date, taker.plan.station.tz)
    giver.refresh_from_db()
    taker.refresh_from_db()
    assert (giver.stop_count, taker.stop_count) == (3, 7) and giver.load + taker.load == 10
    assert taker.load == taker.stops.aggregate(n=Sum("package_count"))["n"]
    # logged on both routes, both drivers e-mailed, integrators told
    assert RouteChange.objects.filter(route__in=[giver, taker], kind="rescue").count() == 2
    assert OutboxEmail.objects.filter(to__contains=[world.drivers[0].email]).exists()
    assert OutboxEmail.objects.filter(to__contains=[world.drivers[1].email]).exists()
    event = OutboxEvent.objects.get(type="route.rescued")
    assert event.payload["stops"] == sorted(moving) and event.payload["to_route"] == taker.pk


def test_a_rescue_over_the_vans_capacity_is_refused_and_changes_nothing():
    world = live_day(capacity=6)  # five packages on each route: three more would overload the van
    giver, taker = world.routes
    before = _fingerprint(giver, taker)
    with pytest.raises(Conflict) as exc:
        stops_rescue(from_route=giver, to_route=taker, stop_ids=list(giver.stops.values_list("pk", flat=True))[:3],
                     now=local(9, 0), seconds=0.2)
    assert exc.value.code == "rescue_over_capacity" and "holds 6" in exc.value.detail
    assert _fingerprint(giver, taker) == before and not RouteChange.objects.exists()


def test_a_rescue_past_the_shift_is_refused_and_changes_nothing(world):
    giver, taker = world.routes
    before = _fingerprint(giver, taker)
    # at 18:40 with five stops of its own left, the receiving driver cannot also take three more by 19:00
    with pytest.raises(Conflict) as exc:
        stops_rescue(from_route=giver, to_route=taker, stop_ids=list(giver.stops.values_list("pk", flat=True))[:3],
                     now=local(18, 40), seconds=0.2)
    assert exc.value.code == "rescue_does_not_fit"
    assert _fingerprint(giver, taker) == before and not OutboxEvent.objects.filter(type="route.rescued").exists()


def test_only_remaining_stops_of_the_route_move(world):
    giver, taker = world.routes
    _serve(giver, 1, local(9, 2))
    done = giver.stops.get(sequence=1)
    with pytest.raises(ValidationFailed) as exc:
        stops_rescue(from_route=giver, to_route=taker, stop_ids=[done.pk], now=local(9, 10), seconds=0.2)
    assert exc.value.code == "stops_not_remaining"
    with pytest.raises(ValidationFailed):
        stops_rescue(from_route=giver, to_route=taker, stop_ids=[taker.stops.first().pk], now=local(9, 10))
    with pytest.raises(ValidationFailed):
        stops_rescue(from_route=giver, to_route=giver, stop_ids=[giver.stops.last().pk], now=local(9, 10))
    with pytest.raises(ValidationFailed):
        stops_rescue(from_route=giver, to_route=taker, stop_ids=[], now=local(9, 10))


def test_a_callout_hands_the_route_to_a_free_driver_who_starts_from_the_station(
        world, django_capture_on_commit_callbacks):
    route = world.routes[0]
    sick, spare = world.drivers[0], world.spare_driver
    _serve(route, 1, local(9, 5))
    with django_capture_on_commit_callbacks(execute=True):
        route_callout(route=route, driver=spare, by=world.owner, now=local(10, 0), seconds=0.3)
    route.refresh_from_db()
    assert route.driver_id == spare.pk and route.vehicle_id == world.vans[0].pk
    station = route.plan.station
    found, pending = _independent_check(route, local(10, 0), (float(station.latitude), float(station.longitude)))
    assert found == [] and len(pending) == 4
    assert pending[0].planned_arrival_s > 10 * 3600
    change = RouteChange.objects.get(route=route)
    assert sick.full_name in change.detail and spare.full_name in change.detail
    assert OutboxEmail.objects.filter(to__contains=[sick.email]).exists()
    assert OutboxEmail.objects.filter(to__contains=[spare.email]).exists()
    event = OutboxEvent.objects.get(type="route.reassigned")
    assert (event.payload["from_driver"], event.payload["to_driver"], event.payload["remaining_stops"]) == (
        sick.pk, spare.pk, 4)


def test_a_callout_to_a_driver_who_already_drives_today_is_refused(world):
    route = world.routes[0]
    with pytest.raises(Conflict) as exc:
        route_callout(route=route, driver=world.drivers[1], now=local(10, 0), seconds=0.2)
    assert exc.value.code == "driver_taken"
    route.refresh_from_db()
    assert route.driver_id == world.drivers[0].pk and not OutboxEvent.objects.filter(type="route.reassigned").exists()


def test_the_api_rescues_and_reassigns_and_another_partners_route_is_404(world, token_client, make_user):
    from accounts.models import Role
    from tests.routes.factories import partner_with_fleet

    giver, taker = world.routes
    client = token_client(world.owner)
    stop = giver.stops.order_by("-sequence").first()
    answer = client.post(f"/api/v1/routes/routes/{giver.pk}/rescue/", {"to_route": taker.pk, "stops": [stop.pk]},
                         format="json")
    assert answer.status_code == 200, answer.content
    assert stop.pk in answer.json()["order"]
    stranger_partner, stranger, *_ = partner_with_fleet(station=world.station, routes=1, vans=1, drivers=1)
    other = token_client(stranger)
    for path, body in ((f"/api/v1/routes/routes/{giver.pk}/rescue/", {"to_route": taker.pk, "stops": [stop.pk]}),
                       (f"/api/v1/routes/routes/{giver.pk}/reassign/", {"driver": world.spare_driver.pk})):
        assert other.post(path, body, format="json").status_code == 404
    assert other.get(f"/api/v1/routes/routes/{giver.pk}/track/").status_code == 404
    driver_client = token_client(make_user(role=Role.DRIVER))
    assert driver_client.get(f"/api/v1/routes/routes/{giver.pk}/track/").status_code == 404
    bad = client.post(f"/api/v1/routes/routes/{giver.pk}/reassign/", {"driver": 987654}, format="json")
    assert bad.status_code == 400 and bad.json()["code"] == "not_yours"
