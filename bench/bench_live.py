"""Benchmark: live dispatch. Two figures, each against a reference measured in the same run.

1. Position ingest for a national day: 20,000 routes x a fix every 30 s over 10 h = 24 M points, i.e. 667 points/s
   on average. Phones send batches (one fix when online, a queued stretch after a dead zone); this stores batches
   of 1 and of 20 fixes through the service for a while, round-robin over the routes, and prints points/s, the
   headroom against 667/s, the queries per batch (constant: the same for 1, 20 and 500 fixes) and the bytes a
   point takes in PostgreSQL (so: the day's track table). The reference is a bare one-row INSERT loop.
2. The live board of a station with 60 routes of 200 stops (half served, a position each), rendered as a page,
   against the same page for a station with no routes (the reference); and the board's queries for 10 and for
   60 routes (the same number).

Uses its own PostgreSQL database (dsp_bench_live on the DATABASE_URL server), recreated here.

    .venv/bin/python bench/bench_live.py [--routes 20000] [--seconds 15]
"""

import argparse
import os
import statistics
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dsp_portal.test_settings")

DAY = date(2026, 12, 1)


def _database_url(name: str) -> str:
    import environ

    environ.Env.read_env(ROOT / ".env.example", overwrite=False)
    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/dsp")
    return base.rsplit("/", 1)[0] + "/" + name


def _recreate(url: str):
    import psycopg2

    server, name = url.rsplit("/", 1)
    conn = psycopg2.connect(server + "/postgres")
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}"')
    conn.close()


def _stations(n, prefix="b"):
    from routes.models import Plan, Station

    stations = Station.objects.bulk_create([
        Station(code=f"{prefix}{i:05d}", name=f"Bench {i}", latitude="47.548000", longitude="-122.323000",
                time_zone="America/Los_Angeles") for i in range(n)])
    plans = Plan.objects.bulk_create([Plan(station=s, service_date=DAY, status="published") for s in stations])
    return stations, plans


def _routes(plans, per_plan, stops=0, served=0):
    from decimal import Decimal

    from routes.models import Route, RouteStop

    routes = Route.objects.bulk_create([
        Route(plan=p, service_date=DAY, sequence=k + 1, start_s=8 * 3600, end_s=17 * 3600, stop_count=stops,
              load=stops, status="started") for p in plans for k in range(per_plan)], batch_size=5000)
    if stops:
        RouteStop.objects.bulk_create([
            RouteStop(route=r, sequence=j + 1, latitude=Decimal("47.5") + Decimal(j) / 1000,
                      longitude=Decimal("-122.4") + Decimal(r.sequence) / 100, address=f"{j} Pine St",
                      planned_arrival_s=9 * 3600 + 120 * j, service_s=60,
                      status="delivered" if j < served else "pending",
                      outcome_at=datetime(2026, 12, 1, 17, 0, tzinfo=UTC) + timedelta(minutes=2 * j)
                      if j < served else None)
            for r in routes for j in range(stops)], batch_size=10_000)
    return routes


def _points(start, n, offset):
    return [{"at": (start + timedelta(seconds=30 * k + offset)).isoformat(), "lat": 47.55 + k * 1e-5,
             "lng": -122.3 - k * 1e-5, "accuracy": 9} for k in range(n)]


def ingest(args):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from routes.models import RoutePosition
    from routes.services.live import positions_record

    print(f"seeding {args.routes} routes ...", flush=True)
    _stations_, plans = _stations(max(1, args.routes // 60))
    routes = _routes(plans, 60)[: args.routes]
    tz = routes[0].plan.station.tz
    start = datetime(2026, 12, 1, 8, 0, tzinfo=tz)
    now = datetime(2026, 12, 1, 23, 0, tzinfo=tz)

    # queries per batch, by batch size
    per_size = {}
    for n, size in enumerate((1, 20, 500)):
        with CaptureQueriesContext(connection) as ctx:
            positions_record(route=routes[n], points=_points(start, size, 0), now=now)
        per_size[size] = len(ctx.captured_queries)

    # reference: the cheapest possible write, one row per INSERT in its own transaction
    with connection.cursor() as c:
        c.execute("CREATE TABLE bench_ref (id bigserial primary key, a double precision)")
    ref_n, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < args.seconds / 3:
        with connection.cursor() as c:
            c.execute("INSERT INTO bench_ref (a) VALUES (%s)", [ref_n])
        ref_n += 1
    ref_rate = ref_n / (time.perf_counter() - t0)

    results = {}
    for size in (1, 20):
        sent, batches, k, t0 = 0, 0, 0, time.perf_counter()
        while time.perf_counter() - t0 < args.seconds:
            route = routes[k % len(routes)]
            # each route's phone moves on by one batch per lap of the routes
            offset = 1 + (k // len(routes)) * size * 30 + (0 if size == 1 else 7)
            sent += positions_record(route=route, points=_points(start, size, offset), now=now)
            batches += 1
            k += 1
        elapsed = time.perf_counter() - t0
        results[size] = (sent / elapsed, batches / elapsed)
    stored = RoutePosition.objects.count()
    with connection.cursor() as c:
        c.execute("SELECT pg_total_relation_size('routes_routeposition')")
        size_bytes = c.fetchone()[0]
    need = 20_000 * 1200 / (10 * 3600)
    print(f"\nposition ingest ({len(routes)} routes, one process, PostgreSQL):")
    print(f"  reference: one-row INSERT per transaction   {ref_rate:10.0f} rows/s")
    for size, (pts, bat) in results.items():
        print(f"  batches of {size:3d} fix(es)                 {pts:10.0f} points/s  ({bat:.0f} batches/s, "
              f"{pts / ref_rate:.2f}x the reference, {pts / need:.1f}x the national day's {need:.0f}/s)")
    print(f"  queries per batch of 1 / 20 / 500 fixes:   {per_size[1]} / {per_size[20]} / {per_size[500]}")
    print(f"  storage: {size_bytes / max(stored, 1):.0f} bytes per point with indexes "
          f"(24 M points/day ~ {24e6 * size_bytes / max(stored, 1) / 1e9:.1f} GB a day before the retention purge)")


def board(args):
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from accounts.models import Role, User
    from routes.models import RoutePosition, Station
    from routes.selectors_live import board_for

    stations, plans = _stations(2, prefix="board")
    small_station, _plans = _stations(1, prefix="empty")
    print("\nseeding a station of 60 routes x 200 stops ...", flush=True)
    routes = _routes(plans[:1], 60, stops=200, served=100)
    _routes(plans[1:2], 10, stops=200, served=100)
    tz = routes[0].plan.station.tz
    at = datetime(2026, 12, 1, 12, 0, tzinfo=tz)
    RoutePosition.objects.bulk_create([RoutePosition(route=r, recorded_at=at, latitude=47.55, longitude=-122.3)
                                       for r in routes])
    admin = User.objects.create(email="bench-admin@example.com", role=Role.PROGRAM_ADMIN, is_active=True)
    client = Client()
    client.force_login(admin)
    empty = small_station[0].code
    from unittest import mock

    from django.utils import timezone

    frozen = datetime(2026, 12, 1, 12, 30, tzinfo=tz)

    def timed(code, n):
        out = []
        for _ in range(n):
            t0 = time.perf_counter()
            response = client.get("/routes/live/", {"station": code})
            out.append(time.perf_counter() - t0)
            assert response.status_code == 200
        return statistics.median(out) * 1000, response

    with mock.patch("core.servicedays.timezone.now", return_value=frozen), \
            mock.patch("routes.selectors_live.timezone.now", return_value=frozen):
        timed(stations[0].code, 2)  # warm
        big_ms, response = timed(stations[0].code, args.repeat)
        ref_ms, _r = timed(empty, args.repeat)
        counts = {}
        for station in stations:
            with CaptureQueriesContext(connection) as ctx:
                board_for(user=admin, station=Station.objects.get(pk=station.pk), day=DAY, now=timezone.now())
            counts[station.pk] = len(ctx.captured_queries)
    rows = response.content.decode().count('id="board-route-')
    print(f"live board (median of {args.repeat} renders, one process):")
    print(f"  reference: the same page, a station with no routes   {ref_ms:7.1f} ms")
    print(f"  a station of {rows} routes x 200 stops (table + SVG)     {big_ms:7.1f} ms  "
          f"({big_ms / ref_ms:.1f}x the reference; target < 200 ms)")
    print(f"  the board's queries for 60 / 10 routes: {counts[stations[0].pk]} / {counts[stations[1].pk]}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--routes", type=int, default=20_000)
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    url = _database_url("dsp_bench_live")
    os.environ["DATABASE_URL"] = url
    _recreate(url)

    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    ingest(args)
    board(args)


if __name__ == "__main__":
    main()
