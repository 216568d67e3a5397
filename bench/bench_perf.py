"""Benchmark: score and settle a national week (issue #17).

The national program: 4,000 partners, 20,000 routes a day, 20 M packages a day (1,000 a route, 5 a stop), i.e.
140 M package rows in a week. `--scale 1` generates that; the default `--scale 0.01` (40 partners, 200 routes and
200,000 packages a day) finishes in a few minutes on a laptop and is what `make bench` runs. Rows are generated in
bulk with INSERT ... SELECT over generate_series in a benchmark database of its own (dsp_bench_perf on the
DATABASE_URL server, dropped and created here).

Prints, for the whole week: seconds for the scorecards, the statements and issuing them; the queries each took
for half of the partners and for all of them (they must be equal: set-based SQL, no loop per partner or driver);
the Python heap peak (tracemalloc) and the process's peak RSS; and, as the reference in the same run, the
seconds of one plain counting scan over the week's packages (the ratio is what to compare across machines).

    .venv/bin/python bench/bench_perf.py [--scale 0.01]
"""

import argparse
import os
import resource
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dsp_portal.test_settings")

NATIONAL = {"partners": 4000, "routes_per_day": 20_000, "packages_per_day": 20_000_000, "stations": 1000}
PACKAGES_PER_STOP = 5
WEEK = date(2026, 3, 1)  # a Sunday


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


def _insert_select(model, exprs: dict, source: str):
    """INSERT INTO model's table SELECT ... FROM source: `exprs` gives SQL for some columns, every other column
    takes the field's default (so a column added later with a default does not break the benchmark)."""
    from django.db import connection

    columns, values, args = [], [], []
    for field in model._meta.concrete_fields:
        if field.primary_key:
            continue
        columns.append(connection.ops.quote_name(field.column))
        if field.column in exprs:
            expr = exprs[field.column]
            sql_part, part_args = expr if isinstance(expr, tuple) else (expr, ())
            values.append(sql_part)
            args.extend(part_args)
        else:
            default = field.get_default()  # "" for a blank text field, None for a nullable one
            if default is None and not field.null:
                raise SystemExit(f"bench_perf: {model.__name__}.{field.name} has no default: give it an expression")
            values.append("%s")
            args.append(field.get_db_prep_save(default, connection))
    sql = f"INSERT INTO {model._meta.db_table} ({', '.join(columns)}) SELECT {', '.join(values)} FROM {source}"
    with connection.cursor() as cursor:
        cursor.execute(sql, args)
        return cursor.rowcount


def _seed(scale: float):
    from django.db import connection
    from django.utils import timezone

    from fleet.models import Driver
    from onboarding.models import Partner
    from routes.models import Package, Plan, Route, RouteStop, Station

    partners_n = max(2, round(NATIONAL["partners"] * scale))
    routes_n = max(partners_n, round(NATIONAL["routes_per_day"] * scale))
    stations_n = max(1, round(NATIONAL["stations"] * scale))
    per_route = NATIONAL["packages_per_day"] // NATIONAL["routes_per_day"]
    stops_per_route = per_route // PACKAGES_PER_STOP
    drivers_per_partner = -(-routes_n // partners_n)
    now = timezone.now()
    print(f"scale {scale:g}: {partners_n:,} partners, {routes_n:,} routes a day, {routes_n * per_route:,} packages a "
          f"day ({routes_n * per_route * 7:,} in the week), {stations_n:,} stations", flush=True)
    t = time.perf_counter()
    partners = Partner.objects.bulk_create([
        Partner(legal_name=f"Bench DSP {i:05d} LLC", entity_type="llc", state_of_formation="WA", status="active")
        for i in range(partners_n)], batch_size=5000)
    Driver.objects.bulk_create([
        Driver(partner=p, first_name="D", last_name=f"{p.pk}-{j}", email=f"d{p.pk}-{j}@bench.example",
               licence_number=f"B{p.pk:06d}{j:03d}", licence_state="WA", licence_expires_on=date(2030, 1, 1))
        for p in partners for j in range(drivers_per_partner)], batch_size=10_000)
    stations = Station.objects.bulk_create([
        Station(code=f"b{i:04d}", name=f"Bench {i}", latitude="47.6", longitude="-122.3") for i in range(stations_n)])
    Plan.objects.bulk_create([Plan(station=s, service_date=WEEK + timedelta(days=d), status="published",
                                   published_at=now) for s in stations for d in range(7)])
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE bp AS SELECT row_number() OVER (ORDER BY id) - 1 AS i, id FROM "
                       "onboarding_partner")
        cursor.execute("CREATE TEMP TABLE bd AS SELECT partner_id, row_number() OVER (PARTITION BY partner_id "
                       "ORDER BY id) - 1 AS j, id FROM fleet_driver")
        cursor.execute("CREATE TEMP TABLE bs AS SELECT row_number() OVER (ORDER BY id) - 1 AS i, id "
                       "FROM routes_station")
        cursor.execute("CREATE TEMP TABLE bl AS SELECT p.id, p.service_date, bs.i AS s FROM routes_plan p "
                       "JOIN bs ON bs.id = p.station_id")
    # route r of day d: partner r % P, its driver r / P, station r % S; 5 to 10 hours long.
    _insert_select(Route, {
        "plan_id": "bl.id", "service_date": "bl.service_date", "sequence": f"g.r / {stations_n} + 1",
        "partner_id": "bp.id", "driver_id": "bd.id", "capacity": "300", "duration_s": "18000 + (g.r * 7919) %% 18000",
        "stop_count": str(stops_per_route), "load": str(per_route)},
        f"generate_series(0, {routes_n - 1}) AS g(r) JOIN bp ON bp.i = g.r %% {partners_n} "
        f"JOIN bd ON bd.partner_id = bp.id AND bd.j = g.r / {partners_n} JOIN bl ON bl.s = g.r %% {stations_n}")
    # about 1.5% of stops attempted, the rest delivered
    _insert_select(RouteStop, {
        "route_id": "r.id", "sequence": "g.k", "kind": "'address'", "latitude": "47.6", "longitude": "-122.3",
        "address": "'1 Bench St'", "package_count": str(PACKAGES_PER_STOP),
        "status": "CASE WHEN (r.id * 31 + g.k) %% 67 = 0 THEN 'attempted' ELSE 'delivered' END",
        "attempt_reason": "CASE WHEN (r.id * 31 + g.k) %% 67 = 0 THEN 'nobody_home' ELSE '' END",
        "outcome_at": ("%s", [now])},
        f"routes_route r CROSS JOIN generate_series(1, {stops_per_route}) AS g(k)")
    _insert_select(Package, {
        "station_id": "p.station_id", "service_date": "r.service_date",
        "tracking_id": "'B' || s.id || '-' || g.k", "address_line1": "'1 Bench St'", "latitude": "47.6",
        "longitude": "-122.3", "address_key": "'k' || s.id", "stop_id": "s.id", "created_at": ("%s", [now]),
        "status": "CASE WHEN s.status = 'delivered' THEN 'delivered' ELSE 'attempted' END"},
        f"routes_routestop s JOIN routes_route r ON r.id = s.route_id JOIN routes_plan p ON p.id = r.plan_id "
        f"CROSS JOIN generate_series(1, {PACKAGES_PER_STOP}) AS g(k)")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"  generated in {time.perf_counter() - t:.1f} s", flush=True)
    return [p.pk for p in partners]


def _rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _measure(label, fn, *, rollback=False):
    """Seconds and queries of `fn()`; with `rollback`, its writes are undone (a query count on a fresh week)."""
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    with transaction.atomic():
        with CaptureQueriesContext(connection) as queries:
            t = time.perf_counter()
            result = fn()
            seconds = time.perf_counter() - t
        transaction.set_rollback(rollback)
    print(f"  {label:<40} {seconds:8.2f} s  {len(queries):5d} queries  {result}", flush=True)
    return seconds, len(queries)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=float, default=0.01, help="1 = the national week (4,000 partners, 20,000 "
                                                                    "routes and 20 M packages a day)")
    args = parser.parse_args()
    url = _database_url("dsp_bench_perf")
    os.environ["DATABASE_URL"] = url
    _recreate(url)

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    partner_ids = _seed(args.scale)
    from performance.services.scoring import scorecards_compute
    from performance.services.settlement import statements_compute
    from performance.services.statements import week_issue

    last = WEEK + timedelta(days=6)

    def scan():
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*), count(*) FILTER (WHERE status = 'delivered') FROM routes_package "
                           "WHERE service_date BETWEEN %s AND %s", [WEEK, last])
            return cursor.fetchone()

    def both(ids):
        return {**scorecards_compute(week_start=WEEK, partner_ids=ids),
                **statements_compute(week_start=WEEK, partner_ids=ids)}

    quarter = partner_ids[: max(1, len(partner_ids) // 4)]
    print("queries on a fresh week, for a quarter of the partners and for all (rolled back):", flush=True)
    _s, q_quarter = _measure(f"{len(quarter)} partners", lambda: both(quarter), rollback=True)
    _s, q_all = _measure(f"{len(partner_ids)} partners", lambda: both(None), rollback=True)
    rss_before = _rss_mib()
    print("the whole week (reference first):", flush=True)
    reference, _q = _measure("reference: one counting scan", scan)
    cards, _q = _measure("scorecards", lambda: scorecards_compute(week_start=WEEK))
    statements, _q = _measure("statements", lambda: statements_compute(week_start=WEEK))
    issue, _q = _measure("issue the week", lambda: {"issued": week_issue(week_start=WEEK)})
    total = cards + statements + issue
    print(f"whole week: {total:.2f} s = {total / reference:.1f}x the reference scan ({reference:.2f} s); "
          f"peak RSS {_rss_mib():.0f} MiB (after generating: {rss_before:.0f} MiB)", flush=True)
    # Only the INSERT batches (2,000 statements / 5,000 lines a query) may add queries as the week grows.
    print(f"queries: {q_quarter} for {len(quarter)} partners, {q_all} for {len(partner_ids)} "
          f"(the difference is insert batches of 2,000-5,000 rows, not a query per partner or driver)", flush=True)
    if q_all - q_quarter > 2 + len(partner_ids) * 80 // 5000:
        print("QUERIES GROW WITH PARTNERS", flush=True)
        sys.exit(1)


if __name__ == "__main__":
    main()
