"""Outcome ingest as clients arrive: several hubs posting their day's outcomes at once, through the API path.

W writer processes (default 2, this machine's cores), each posting batches of 30 outcomes for its own hubs to
`POST /api/v1/hubs/outcomes/batch/` with a token and an `Idempotency-Key`, through Django's whole stack
(middleware, authentication, throttle, idempotency, serializer, the service, the JSON answer) in process, called
as a WSGI server calls it: no socket, so the figure is the application's and the database's, not the HTTP
server's. Prints outcomes/s over the wall clock, p50/p99 per batch, the writers' CPU ms per batch (Django's
share; PostgreSQL's is not in it) and the load average. Goal (issue #20): >= 5,000 outcomes/s on this machine.
Uses its own database (dsp_bench_outcomes on the DATABASE_URL server), recreated here.

    python bench/bench_outcomes_api.py [--hubs 1000] [--writers 2] [--rounds 3]
    python bench/bench_outcomes_api.py --kind driver [--routes 100] [--stops 60] [--writers 2] [--rounds 3]
    python bench/bench_outcomes_api.py --kind mixed [--routes 100] [--stops 60] [--writers 2] [--rounds 3]

Each round: fresh hubs, the writers started, one batch per hub.
`--kind driver`: drivers' stop outcomes instead, as their phones send them (issue #20: "the same path serves drivers'
stop outcomes"): fresh started routes each round (a driver with a token, a van, one package a stop, proof rules that
ask nothing of a plain package), each writer posting, route after route, batches of 30 `delivered` items (one in ten
`attempted` with a reason) to `POST /api/v1/routes/driver/batch/`. Its own database, dsp_bench_driver_outcomes.
`--kind mixed`: both at once, as the issue has clients arrive ("several hubs and drivers posting at once"):
`--writers` hub writers and as many driver writers in one database, started together, each kind with as many
outcomes to post (unless --hubs says otherwise); outcomes/s over all of them, and each kind's outcomes and p99.
Its own database, dsp_bench_mixed_outcomes.
Also prints the PostgreSQL backends' CPU per batch
(the writers' own connections, read from /proc), so the two sides of the cost are both in view.
"""

import argparse
import json
import multiprocessing
import os
import statistics
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from pg_stats import analyse_seeded  # noqa: E402  (bench/, beside this file)
from proc_cpu import TICK, backend_ticks  # noqa: E402

PARCELS = 30


def _setup(url: str):
    # Production settings, as the service runs (DEBUG off: no query log), requests arriving over HTTPS.
    os.environ.update(DATABASE_URL=url, DJANGO_SETTINGS_MODULE="dsp_portal.settings", DJANGO_ENV="production",
                      SECRET_KEY="bench-" + "x" * 50, ALLOWED_HOSTS="testserver", THROTTLE_USER="100000000/min",
                      LOG_LEVEL="WARNING")
    os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/0")
    import django

    django.setup()


def _seed(hubs: int) -> tuple[list, str]:
    from django.core.management import call_command
    from django.utils import timezone

    from accounts.models import Role, User
    from hubs.models import Hub, Parcel, ParcelStatus

    call_command("migrate", verbosity=0)
    now = timezone.now()
    users = User.objects.bulk_create([User(email=f"hub{i}@bench.example", role=Role.HUB_OWNER)
                                      for i in range(hubs)], batch_size=5000)
    made = Hub.objects.bulk_create([
        Hub(owner=u, legal_name=f"Bench hub {i}", kind="florist", street="1 Main St", city="Seattle", state="WA",
            postal_code="98101", latitude="47.6", longitude="-122.3", time_zone="America/Los_Angeles",
            storage_size=40, storage_attested=True, delivery_means=["foot"], terms_accepted_at=now,
            capacity=PARCELS, radius_miles="2.00", status="active") for i, u in enumerate(users)], batch_size=5000)
    day = made[0].local_today()
    Parcel.objects.bulk_create([
        Parcel(hub=h, service_date=day, tracking_id=f"B{h.pk:06d}{j:03d}", recipient_name="R",
               recipient_address="1 Pine St", status=ParcelStatus.RECEIVED, allocated_at=now, updated_at=now)
        for h in made for j in range(PARCELS)], batch_size=10_000)
    raws = _tokens(users, "hubs:write")
    return [(h.pk, raw) for h, raw in zip(made, raws, strict=True)], day.isoformat()


def _tokens(users, scope: str) -> list[str]:
    """One API token per user, with `scope`, in bulk; their raw values in the users' order."""
    from accounts.models import ApiToken

    tokens, raws = [], []
    for u in users:
        raw, prefix = ApiToken.generate()
        raws.append(raw)
        tokens.append(ApiToken(user=u, created_by=u, name="bench", key_prefix=prefix, key_hash=ApiToken.hash(raw),
                               scopes=[scope]))
    ApiToken.objects.bulk_create(tokens, batch_size=5000)
    return raws


def _body(hub_id: int, day: str) -> dict:
    return {"items": [_one_in_ten_attempted(
        j, {"client_id": str(uuid.uuid4()), "tracking_id": f"B{hub_id:06d}{j:03d}", "service_date": day},
        attempted={"outcome": "attempted", "reason": "nobody_home"},
        delivered={"outcome": "delivered", "recipient_name": "Front desk"}) for j in range(PARCELS)]}


def _one_in_ten_attempted(j: int, item: dict, *, attempted: dict, delivered: dict) -> dict:
    return {**item, **(attempted if j % 10 == 9 else delivered)}




# -- drivers' stop outcomes (--kind driver) ------------------------------------------------------------------------


def _seed_driver(routes: int, stops: int, contacts: bool = False) -> tuple[list, str]:
    """`routes` started routes of `stops` stops (one package each) on one published plan, each with its own driver,
    van and token; in bulk, so a few thousand stops seed in seconds. With `contacts`, every recipient gave an
    e-mail address (they hear of each outcome and of the driver a few stops away: some 60 e-mails a batch)."""
    from datetime import time as clock

    from django.utils import timezone

    from accounts.models import Role, User
    from core.servicedays import service_today
    from fleet.models import Driver, Vehicle
    from routes.models import Package, Plan, PlanStatus, Route, RouteStatus, RouteStop, Station
    from tests.onboarding.factories import partner_with_owner

    now = timezone.now()
    partner, _owner = partner_with_owner()
    partner.status = "active"
    partner.save(update_fields=["status"])
    station = Station.objects.create(code="bench", name="Bench station", latitude="47.548000",
                                     longitude="-122.323000", time_zone="America/Los_Angeles",
                                     dispatch_start=clock(8, 0), shift_minutes=660, speed_kmh=25.0, circuity=1.3)
    day = service_today(station)
    plan = Plan.objects.create(station=station, service_date=day, status=PlanStatus.PUBLISHED, published_at=now)
    users = User.objects.bulk_create([User(email=f"driver{i}@bench.example", role=Role.DRIVER)
                                      for i in range(routes)], batch_size=5000)
    drivers = Driver.objects.bulk_create([
        Driver(partner=partner, user=u, first_name="Bench", last_name=f"Driver {i}", email=u.email,
               licence_number=f"B{i:08d}", licence_state="WA", licence_expires_on=day.replace(year=day.year + 2),
               status=Driver.Status.ACTIVE) for i, u in enumerate(users)], batch_size=5000)
    vans = Vehicle.objects.bulk_create([
        Vehicle(partner=partner, vin=f"BENCH{i:012d}", plate=f"BN{i:05d}", plate_state="WA", make="Ford",
                model="Transit 250", year=2023, package_capacity=250, status=Vehicle.Status.ACTIVE)
        for i in range(routes)], batch_size=5000)
    made = Route.objects.bulk_create([
        Route(plan=plan, service_date=day, sequence=i + 1, partner=partner, driver=d, vehicle=v, capacity=250,
              stop_count=stops, load=stops, start_s=8 * 3600, end_s=18 * 3600, status=RouteStatus.STARTED,
              started_at=now) for i, (d, v) in enumerate(zip(drivers, vans, strict=True))], batch_size=5000)
    stop_rows = RouteStop.objects.bulk_create([
        RouteStop(route=r, sequence=j + 1, latitude="47.600000", longitude="-122.300000", address=f"{j} Pine St",
                  recipient="R", planned_arrival_s=8 * 3600 + 600 * j) for r in made for j in range(stops)],
        batch_size=10_000)
    Package.objects.bulk_create([
        Package(station=station, service_date=day, tracking_id=f"D{s.route_id:06d}{s.sequence:04d}",
                recipient_name="R", address_line1=s.address, latitude=s.latitude, longitude=s.longitude,
                address_key=f"{s.route_id}:{s.sequence}", stop=s, status="routed",
                recipient_email=f"r{s.pk}@bench.example" if contacts else "") for s in stop_rows],
        batch_size=10_000)
    raws = _tokens(users, "routes:write")
    by_route = {}
    for s in stop_rows:
        by_route.setdefault(s.route_id, []).append(s.pk)
    return [(by_route[r.pk], raw) for r, raw in zip(made, raws, strict=True)], day.isoformat()


def _driver_bodies(stop_ids: list) -> list[str]:
    """The route's stops in batches of PARCELS items, one in ten attempted (nobody home)."""
    from django.utils import timezone

    now = timezone.now().isoformat()
    items = [_one_in_ten_attempted(j, {"client_id": str(uuid.uuid4()), "stop": stop_id, "occurred_at": now},
                                   attempted={"kind": "attempted", "reason": "nobody_home"},
                                   delivered={"kind": "delivered", "note": "Front desk"})
             for j, stop_id in enumerate(stop_ids)]
    return [json.dumps({"items": items[k:k + PARCELS]}) for k in range(0, len(items), PARCELS)]


PATHS = {"hub": "/api/v1/hubs/outcomes/batch/", "driver": "/api/v1/routes/driver/batch/"}


def _writer(url: str, work: list, day: str, start, out, kind: str = "hub"):
    _setup(url)
    from django.core.handlers.wsgi import WSGIHandler

    post = _poster(WSGIHandler())
    if kind == "driver":
        bodies = [(raw, body) for stop_ids, raw in work for body in _driver_bodies(stop_ids)]
    else:
        bodies = [(raw, json.dumps(_body(hub_id, day))) for hub_id, raw in work]
    path = PATHS[kind]
    post(path, "{}", {})  # imports
    if kind == "driver":  # the tasks modules, imported by the first task a process queues (once; not the batch's cost)
        from core.taskqueue import task_named

        task_named("routes.recipient_mails_send")
    start.wait()
    latencies, applied, cpu = [], 0, time.process_time()
    for raw, body in bodies:
        t0 = time.perf_counter()
        status, content = post(path, body, {"HTTP_AUTHORIZATION": f"Bearer {raw}",
                                            "HTTP_IDEMPOTENCY_KEY": str(uuid.uuid4())})
        latencies.append(time.perf_counter() - t0)
        assert status == 200, content[:300]
        applied += sum(1 for r in json.loads(content)["results"] if r["result"] == "applied")
    out.put((applied, latencies, time.process_time() - cpu, kind))


def _poster(handler):
    """POST a JSON body to the WSGI application as a server (gunicorn) calls it, over HTTPS behind the proxy:
    the environ, the call, the body read and the response closed (Django's end-of-request work). Django's test
    client does more (signals connected per request, the response decorated for assertions), which is not the
    service's cost."""
    import io

    base = {"REQUEST_METHOD": "POST", "SCRIPT_NAME": "", "QUERY_STRING": "", "SERVER_NAME": "testserver",
            "SERVER_PORT": "443", "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "127.0.0.1",
            "CONTENT_TYPE": "application/json", "wsgi.version": (1, 0), "wsgi.url_scheme": "https",
            "wsgi.errors": sys.stderr, "wsgi.multithread": False, "wsgi.multiprocess": True, "wsgi.run_once": False}
    answer = {}

    def start_response(status, headers, exc_info=None):
        answer["status"] = int(status.split(" ", 1)[0])

    def post(path: str, body: str, headers: dict) -> tuple[int, bytes]:
        data = body.encode()
        environ = {**base, **headers, "PATH_INFO": path, "CONTENT_LENGTH": str(len(data)),
                   "wsgi.input": io.BytesIO(data)}
        response = handler(environ, start_response)
        try:
            content = b"".join(response)
        finally:
            response.close()
        return answer["status"], content

    return post


def _round(url: str, parts: list[tuple[str, list, str]], writers: int) -> dict:
    """One round: for each (kind, work, day) of `parts`, `writers` processes sharing its work, all started at once."""
    ctx = multiprocessing.get_context("spawn")
    start, out = ctx.Barrier(writers * len(parts) + 1), ctx.Queue()
    procs = [ctx.Process(target=_writer, args=(url, work[k::writers], day, start, out, kind))
             for kind, work, day in parts for k in range(writers)]
    for p in procs:
        p.start()
    start.wait()
    database = url.rsplit("/", 1)[1]
    ticks, t0 = backend_ticks(database), time.perf_counter()
    results = [out.get() for _ in procs]
    elapsed = time.perf_counter() - t0
    db_ticks = backend_ticks(database) - ticks  # the writers' backends are still connected: they exit below
    for p in procs:
        p.join()
    applied = sum(a for a, _, _, _ in results)
    latencies = sorted(x for _, lat, _, _ in results for x in lat)
    cpu = sum(c for _, _, c, _ in results)
    figures = {"batches": len(latencies), "applied": applied, "seconds": round(elapsed, 2),
               "outcomes_per_s": round(applied / elapsed),
               "batch_p50_ms": round(statistics.median(latencies) * 1000, 1),
               "batch_p99_ms": round(_p99(latencies) * 1000, 1),
               "app_cpu_ms_per_batch": round(cpu * 1000 / len(latencies), 1),
               "db_cpu_ms_per_batch": round(db_ticks * 1000 / TICK / len(latencies), 1),
               "loadavg": [round(x, 2) for x in os.getloadavg()]}
    if len(parts) > 1:  # each kind's own share: its outcomes and its batches' p99
        for kind, *_ in parts:
            mine = [r for r in results if r[3] == kind]
            figures[f"{kind}_outcomes"] = sum(a for a, _, _, _ in mine)
            figures[f"{kind}_batch_p99_ms"] = round(_p99(sorted(x for _, lat, _, _ in mine for x in lat)) * 1000, 1)
    return figures


def _p99(latencies: list) -> float:
    return latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--kind", choices=["hub", "driver", "mixed"], default="hub",
                        help="hub parcel outcomes, drivers' stop outcomes through the phone's batch, or both at once "
                             "(--writers of each)")
    parser.add_argument("--hubs", type=int, default=None,
                        help="hubs per round; each posts one batch of 30 (default 1,000; mixed: as many outcomes as "
                             "the drivers post, routes x stops / 30)")
    parser.add_argument("--routes", type=int, default=100, help="--kind driver: started routes per round")
    parser.add_argument("--stops", type=int, default=60, help="--kind driver: stops a route (batches of 30)")
    parser.add_argument("--contacts", action="store_true",
                        help="--kind driver: recipients with an e-mail address (told of each outcome)")
    parser.add_argument("--writers", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--database", default="",
                        help="the database to recreate and use on the DATABASE_URL server (default "
                             "dsp_bench_driver_outcomes / dsp_bench_outcomes): one of your own when several people "
                             "measure on one server")
    args = parser.parse_args()
    if args.hubs is None:
        args.hubs = args.routes * args.stops // PARCELS if args.kind == "mixed" else 1000
    from bench.bench_hubs import _database_url, _recreate

    url = _database_url(args.database or {"driver": "dsp_bench_driver_outcomes", "hub": "dsp_bench_outcomes"}.get(
        args.kind, "dsp_bench_mixed_outcomes"))
    _recreate(url)
    _setup(url)
    seeded, expected = {}, 0
    if args.kind in ("hub", "mixed"):
        print(f"seeding {args.hubs * args.rounds} hubs x {PARCELS} parcels ...", flush=True)
        seeded["hub"] = (*_seed(args.hubs * args.rounds), args.hubs)  # (work, day, per round)
        expected += args.hubs * PARCELS
    if args.kind in ("driver", "mixed"):
        from django.core.management import call_command

        print(f"seeding {args.routes * args.rounds} started routes x {args.stops} stops ...", flush=True)
        t0 = time.perf_counter()
        call_command("migrate", verbosity=0)
        t1 = time.perf_counter()
        seeded["driver"] = (*_seed_driver(args.routes * args.rounds, args.stops, args.contacts), args.routes)
        print(f"migrated in {t1 - t0:.1f} s, seeded in {time.perf_counter() - t1:.1f} s", flush=True)
        expected += args.routes * args.stops
    from django.db import connection, connections

    with connection.cursor() as cursor:
        analyse_seeded(cursor)
    connections.close_all()
    rounds = []
    head = {"kind": args.kind, "contacts": args.contacts} if args.kind != "hub" else {}
    for k in range(args.rounds):
        parts = [(kind, work[k * each:(k + 1) * each], day) for kind, (work, day, each) in seeded.items()]
        figures = _round(url, parts, args.writers)
        print(json.dumps({**head, "round": k + 1, "writers": args.writers * len(parts), "batch": PARCELS,
                          **figures}), flush=True)
        rounds.append(figures)
    best = max(rounds, key=lambda r: r["outcomes_per_s"])
    app, db = (round(statistics.median(r[name] for r in rounds), 1)
               for name in ("app_cpu_ms_per_batch", "db_cpu_ms_per_batch"))
    print(json.dumps({**head, "writers": args.writers * len(seeded), "batch": PARCELS, "rounds": args.rounds,
                      "outcomes_per_s_median": round(statistics.median(r["outcomes_per_s"] for r in rounds)),
                      "outcomes_per_s_best": best["outcomes_per_s"],
                      "batch_p99_ms_median": round(statistics.median(r["batch_p99_ms"] for r in rounds), 1),
                      "cpu_ms_per_batch_app_db": [app, db],
                      "goal_outcomes_per_s": 5000}))
    return 0 if all(r["applied"] == expected for r in rounds) else 1


if __name__ == "__main__":
    sys.exit(main())
