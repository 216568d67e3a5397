"""Positions from the phone and the live board's pace, on the hand-made day of live_day.py."""

import time
from datetime import timedelta

import pytest
from django.utils import timezone
from freezegun import freeze_time

from core.errors import ValidationFailed
from routes.models import LiveSettings, RoutePosition, RouteStop, StopStatus
from routes.selectors_live import board_for
from routes.services.live import positions_purge, positions_record
from tests.routes.live_day import DAY, live_day, local

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return live_day()


@pytest.fixture(autouse=True)
def _throttle_clock(monkeypatch):
    """DRF's throttle keeps `time.time` as a class attribute; freezegun's stand-in would be called as a method."""
    from rest_framework.throttling import SimpleRateThrottle

    monkeypatch.setattr(SimpleRateThrottle, "timer", staticmethod(lambda: time.time()))


def _fix(when, lat=47.55, lng=-122.32):
    return {"at": when.isoformat(), "lat": lat, "lng": lng, "accuracy": 12}


def _serve(route, *, upto, at, status=StopStatus.DELIVERED):
    """Mark stops 1..upto served, the last one at `at` (earlier ones a minute apart before it)."""
    stops = list(route.stops.order_by("sequence")[:upto])
    for k, stop in enumerate(stops):
        RouteStop.objects.filter(pk=stop.pk).update(status=status, outcome_at=at - timedelta(minutes=upto - 1 - k))


# -- positions ---------------------------------------------------------------------------------------------------

@freeze_time("2026-12-01 18:00:00")  # 10:00 in Seattle
def test_positions_queued_offline_arrive_once_and_in_order(world, token_client):
    route = world.routes[0]
    client = token_client(world.driver_users[0])
    url = f"/api/v1/routes/routes/{route.pk}/positions/"
    early = [_fix(local(9, m), lng=-122.3 - m / 1000) for m in range(0, 10)]
    late = [_fix(local(9, m), lng=-122.3 - m / 1000) for m in range(10, 20)]
    # the phone was offline: its later batch reaches the server first, then the earlier one is resent twice
    assert client.post(url, {"points": late}, format="json").status_code == 200
    assert client.post(url, {"points": early}, format="json").json()["received"] == 10
    replay = client.post(url, {"points": early}, format="json")
    assert replay.status_code == 200
    stored = list(RoutePosition.objects.filter(route=route).order_by("id").values_list("recorded_at", flat=True))
    assert len(stored) == 20 and len(set(stored)) == 20
    track = client.get(f"/api/v1/routes/routes/{route.pk}/track/").json()["points"]
    assert [p["lng"] for p in track] == [round(-122.3 - m / 1000, 6) for m in range(20)]
    since = client.get(f"/api/v1/routes/routes/{route.pk}/track/",
                       {"since": local(9, 14).isoformat()}).json()["points"]
    assert len(since) == 5


@freeze_time("2026-12-01 18:00:00")
def test_a_bad_point_stores_nothing_and_says_which(world, token_client):
    route = world.routes[0]
    client = token_client(world.driver_users[0])
    url = f"/api/v1/routes/routes/{route.pk}/positions/"
    bad = client.post(url, {"points": [_fix(local(9)), {"at": local(9, 1).isoformat(), "lat": 123, "lng": 0}]},
                      format="json")
    assert bad.status_code == 400 and "Point 2" in bad.json()["detail"]
    yesterday = client.post(url, {"points": [_fix(local(9) - timedelta(days=1))]}, format="json")
    assert yesterday.status_code == 400 and yesterday.json()["code"] == "position_off_day"
    naive = client.post(url, {"points": [{"at": "2026-12-01T09:00:00", "lat": 47.5, "lng": -122.3}]}, format="json")
    assert naive.status_code == 400
    empty = client.post(url, {"points": []}, format="json")
    assert empty.status_code == 400
    assert not RoutePosition.objects.exists()


@freeze_time("2026-12-01 18:00:00")
def test_a_batch_is_a_fixed_number_of_queries(world, django_assert_max_num_queries):
    route = world.routes[0]
    for size in (1, 50, 400):
        points = [_fix(local(8) + timedelta(seconds=5 * k + size)) for k in range(size)]
        with django_assert_max_num_queries(3):
            positions_record(route=route, points=points)
    assert RoutePosition.objects.filter(route=route).count() == 451


@freeze_time("2026-12-01 18:00:00")
def test_another_drivers_route_takes_no_positions(world, token_client):
    other = token_client(world.driver_users[1])
    answer = other.post(f"/api/v1/routes/routes/{world.routes[0].pk}/positions/",
                        {"points": [_fix(timezone.now())]}, format="json")
    assert answer.status_code == 404 and not RoutePosition.objects.exists()


@freeze_time("2026-12-01 18:00:00")
def test_old_tracks_are_deleted_after_the_programs_retention(world):
    route = world.routes[0]
    positions_record(route=route, points=[_fix(local(9))])
    settings = LiveSettings.load()
    settings.track_retention_days = 3
    settings.save()
    assert positions_purge(now=timezone.now() + timedelta(days=2)) == 0
    assert positions_purge(now=timezone.now() + timedelta(days=4)) == 1
    with pytest.raises(ValidationFailed):
        positions_record(route=route, points="not a list")


# -- pace --------------------------------------------------------------------------------------------------------

def _row(world, now, route=0):
    board = board_for(user=world.owner, station=world.station, day=DAY, now=now)
    return {r.route.pk: r for r in board.rows}[world.routes[route].pk]


def test_the_board_shows_a_route_behind_and_its_projected_finish(world):
    route = world.routes[0]
    # stop 2 was planned 09:30 + 2 min; served at 09:45: 13 minutes behind, back at 12:13 instead of 12:00
    _serve(route, upto=2, at=local(9, 45))
    row = _row(world, local(9, 50))
    assert (row.pace.done, row.pace.left, row.pace.attempted) == (2, 3, 0)
    assert row.pace.delay_min == 13
    assert row.pace.projected_end_s == 12 * 3600 + 13 * 60
    assert row.pace.over_shift_s == 0 and row.alerts == ["no position from the phone"]


def test_a_route_ahead_of_plan_counts_minutes_ahead(world):
    _serve(world.routes[0], upto=2, at=local(9, 20))
    row = _row(world, local(9, 25))
    assert row.pace.delay_min == -12 and row.pace.ahead_min == 12
    assert row.pace.projected_end_s == 12 * 3600 - 12 * 60


def test_a_driver_who_stopped_falls_behind_as_the_next_stop_becomes_overdue(world):
    route = world.routes[0]
    _serve(route, upto=2, at=local(9, 32))  # on time ...
    positions_record(route=route, points=[_fix(local(9, 33))], now=local(9, 33))
    row = _row(world, local(11, 0))  # ... but nothing since: stop 3 (10:00) is an hour overdue
    assert row.pace.delay_min == 60 and row.pace.projected_end_s == 13 * 3600
    assert "60 min behind" in row.alerts
    assert any(a == "phone silent for 87 min" for a in row.alerts)


def test_a_finish_past_the_shift_end_is_an_alert_and_an_attempt_counts(world):
    route = world.routes[0]
    _serve(route, upto=1, at=local(16, 30), status=StopStatus.ATTEMPTED)  # 7.5 hours late at stop 1
    positions_record(route=route, points=[_fix(local(16, 30))], now=local(16, 31))
    row = _row(world, local(16, 31))
    assert row.pace.attempted == 1
    assert row.pace.projected_end_s == 19 * 3600 + 28 * 60 > world.station.shift_end_s == 19 * 3600
    assert row.pace.over_shift_s == 28 * 60
    assert any(a.startswith("finishes") for a in row.alerts)


def test_a_route_not_started_long_after_dispatch_is_an_alert_and_a_finished_one_none(world):
    _serve(world.routes[1], upto=5, at=local(11, 0))
    board = board_for(user=world.owner, station=world.station, day=DAY, now=local(9, 0))
    rows = {r.route.pk: r for r in board.rows}
    assert rows[world.routes[0].pk].alerts == ["not started"]
    assert rows[world.routes[1].pk].pace.finished and rows[world.routes[1].pk].alerts == []


@freeze_time("2026-12-01 18:00:00")
def test_the_board_is_a_fixed_number_of_queries_for_any_number_of_routes(world, django_assert_max_num_queries):
    for route in world.routes:
        positions_record(route=route, points=[_fix(timezone.now())])
    with django_assert_max_num_queries(6):
        board = board_for(user=world.owner, station=world.station, day=DAY, now=local(9, 0))
    assert len(board.rows) == 2 and all(r.position for r in board.rows)
