"""API throughput against the framework's own ceiling: our hot lists beside a bare DRF list, same machine, same run.

Starts the project under gunicorn (-w 2, production settings: DJANGO_ENV=production, behind a proxy that says https)
on its own database (dsp_bench_api), and the bare reference app of `bench/bare_drf/` (one model, a cursor-paginated
list of 50 rows of five fields, no authentication, DRF's JSON renderer) on dsp_bench_bare, both on the DATABASE_URL
server. Runs `wrk -t2 -c32` against each pair back to back, several rounds, and prints req/s, mean and p99 latency,
CPU ms per request (the gunicorn processes, wrk, and the whole machine: what is left is mostly PostgreSQL) and the
ratio ours / bare, with the load average beside each pair (the machine is shared; the ratio is the figure). Then
queries per request at 10, 50-of-1,000 and 500-of-1,000 rows (the page-size cap) for each list: constant. Both
databases are analysed after seeding (`pg_stats.analyse_seeded`), as autovacuum keeps a live one.

    python bench/bench_api.py [--seconds 8] [--rounds 3] [--port 16385] [--only expand]

The two databases are named after DATABASE_URL's (`dsp` gives dsp_bench_api and dsp_bench_bare), so benches of
several checkouts on one server do not drop each other's; `--port` (and the next one, for the reference) likewise.
`--only` runs the lists whose name holds that text (several times to run several).

Needs `wrk` (Debian: apt-get install wrk) and Redis at REDIS_URL (the throttle's counters).
"""

import argparse
import http.client
import json
import os
import re
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from pg_stats import analyse_seeded  # noqa: E402  (bench/, beside this file)
from proc_cpu import TICK, machine_ticks  # noqa: E402

PY = sys.executable
GUNICORN = str(Path(PY).with_name("gunicorn"))
DAY = date(2026, 3, 10)  # the routes' day; the hub's "today" is its local today
THROTTLE_USER = "100000000/min"  # the bench measures the lists, not the rate limit (which still runs: one round trip)


def _server() -> tuple[str, str]:
    """The database server's URL and the name of DATABASE_URL's database (the prefix of the bench's own)."""
    import environ

    environ.Env.read_env(ROOT / ".env.example", overwrite=False)
    server, name = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/dsp").rsplit("/", 1)
    return server, name.split("?", 1)[0] or "dsp"


def _recreate(server: str, name: str) -> str:
    import psycopg2

    conn = psycopg2.connect(server + "/postgres")
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}"')
    conn.close()
    return f"{server}/{name}"


def _analyse(url: str) -> None:
    import psycopg2

    conn = psycopg2.connect(url)
    conn.autocommit = True
    with conn.cursor() as cursor:
        analyse_seeded(cursor)
    conn.close()


BARE_SEED = """
import django, datetime
django.setup()
from django.core.management import call_command
call_command("migrate", run_syncdb=True, verbosity=0)
from django.utils import timezone
from bare_drf.models import Item
now = timezone.now()
Item.objects.bulk_create([Item(name=f"item {i}", status="active", quantity=i, created=now) for i in range(1000)])
"""


def _seed_bare(url: str) -> None:
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "bare_drf.settings"}
    subprocess.run([PY, "-c", BARE_SEED], cwd=ROOT / "bench", env=env, check=True)


# --- our side ---------------------------------------------------------------------------------------------------

def _vehicles(partner, n, start):
    from fleet.models import Vehicle

    Vehicle.objects.bulk_create([
        Vehicle(partner=partner, vin=f"1FTBW3XG0PK{start + k:06d}", plate=f"P{start + k:06d}", plate_state="WA",
                make="Ford", model="Transit", year=2024, package_capacity=275) for k in range(n)])


def _partner(email, vans, start):
    from accounts.models import Role, User
    from onboarding.models import Partner, PartnerMembership

    owner = User.objects.create(email=email, role=Role.PARTNER_OWNER)
    partner = Partner.objects.create(legal_name=f"{email} LLC", entity_type="llc", state_of_formation="WA",
                                     status=Partner.Status.ACTIVE)
    PartnerMembership.objects.create(user=owner, partner=partner, role=PartnerMembership.Role.OWNER)
    _vehicles(partner, vans, start)
    return owner, partner


def _hub(email):
    from django.utils import timezone

    from accounts.models import Role, User
    from hubs.models import Hub, Parcel, ParcelStatus

    owner = User.objects.create(email=email, role=Role.HUB_OWNER)
    now = timezone.now()
    hub = Hub.objects.create(owner=owner, legal_name="Bench florist", kind="florist", street="1 Main St",
                             city="Seattle", state="WA", postal_code="98101", latitude="47.6", longitude="-122.3",
                             time_zone="America/Los_Angeles", storage_size=2000, storage_attested=True,
                             delivery_means=["foot"], terms_accepted_at=now, capacity=2000, radius_miles="2.00",
                             status="active")
    today = hub.local_today()
    days = {today: 30, DAY: 10, DAY + timedelta(days=1): 1000}
    Parcel.objects.bulk_create([
        Parcel(hub=hub, service_date=day, tracking_id=f"H{day:%m%d}{k:05d}", recipient_name="Recipient Name",
               recipient_address="1 Pine St, Seattle WA 98101", status=ParcelStatus.RECEIVED, allocated_at=now,
               received_at=now, updated_at=now) for day, n in days.items() for k in range(n)])
    return owner, today


def _routes(partner, day, routes, stops, station_code):
    from decimal import Decimal

    from routes.models import Package, Plan, PlanStatus, Route, RouteStop, Station

    station, _ = Station.objects.get_or_create(code=station_code, defaults={
        "name": "Benchmark station", "latitude": Decimal("47.548000"), "longitude": Decimal("-122.323000")})
    plan = Plan.objects.create(station=station, service_date=day, status=PlanStatus.PUBLISHED)
    made = Route.objects.bulk_create([Route(plan=plan, service_date=day, sequence=k + 1, partner=partner,
                                            capacity=275, stop_count=stops) for k in range(routes)])
    stop_rows = RouteStop.objects.bulk_create([
        RouteStop(route=r, sequence=s + 1, latitude=Decimal("47.6"), longitude=Decimal("-122.3"),
                  address=f"{s + 1} Pine St, Seattle WA 98101", recipient="Recipient Name", planned_arrival_s=3600)
        for r in made for s in range(stops)])
    Package.objects.bulk_create([
        Package(station=station, service_date=day, tracking_id=f"R{day:%m%d}{st.pk:07d}", address_line1="1 Pine St",
                latitude=Decimal("47.6"), longitude=Decimal("-122.3"), address_key=f"k{st.pk}", stop=st)
        for st in stop_rows])


def _token(user, scopes):
    from accounts.services import api_token_create

    return api_token_create(user=user, created_by=user, name="bench", scopes=scopes)[1]


def _seed_ours(url: str) -> dict:
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "dsp_portal.settings"
    # The queries-per-request phase runs in this process after the load phase, against the same Redis counters
    # the servers filled for the same users: with the default rate it would be throttled (429), not measured.
    os.environ["THROTTLE_USER"] = THROTTLE_USER
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    big_owner, big = _partner("big@bench.example", 1000, 0)
    small_owner, small = _partner("small@bench.example", 10, 5000)
    hub_owner, hub_today = _hub("hub@bench.example")
    _routes(big, DAY, 4, 60, "bench")  # ~96 KB with every stop nested, as in the issue
    _routes(small, DAY, 10, 0, "bench2")
    # 1,000 routes of one partner on another day: a list that long stays paged and its queries constant
    _routes(big, DAY + timedelta(days=1), 1000, 0, "bench")
    scopes = ["fleet:read", "routes:read"]
    return {"big": _token(big_owner, scopes), "small": _token(small_owner, scopes),
            "hub": _token(hub_owner, ["hubs:read"]), "hub_today": hub_today.isoformat()}


# --- servers and load --------------------------------------------------------------------------------------------

def _start(cmd, env, cwd, port, log):
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/nowhere", headers={"X-Forwarded-Proto": "https"})
            conn.getresponse().read()
            conn.close()
        except OSError:
            time.sleep(0.3)
            continue
        return proc
    proc.kill()
    raise SystemExit(f"server on :{port} did not start; see {log.name}")


def _stop(proc):
    os.killpg(proc.pid, signal.SIGTERM)
    proc.wait(timeout=30)


def _cpu_ticks(proc) -> int:
    pids = [proc.pid]
    children = Path(f"/proc/{proc.pid}/task/{proc.pid}/children")
    if children.exists():
        pids += [int(p) for p in children.read_text().split()]
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime + stime
    return total


def _children_cpu() -> float:
    """CPU seconds of this process's waited-for children (wrk's runs)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m|h)", text).groups()  # wrk's units (minutes on a stalled run)
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}[unit]


def _wrk(url, headers, seconds, proc) -> dict:
    """wrk's figures, and CPU ms per request of the server's processes, of wrk itself and of the whole machine (the
    server, its database backends, wrk and the kernel's loopback work)."""
    cmd = ["wrk", "-t2", "-c32", f"-d{seconds}s", "--timeout", "10s", "--latency", url]
    for header in headers:
        cmd[1:1] = ["-H", header]
    before, all_before, wrk_before = _cpu_ticks(proc), machine_ticks(), _children_cpu()
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    ticks, all_ticks = _cpu_ticks(proc) - before, machine_ticks() - all_before
    wrk_s = _children_cpu() - wrk_before
    if "Non-2xx" in out:
        raise SystemExit(f"errors under load for {url}:\n{out}")
    try:
        requests = int(re.search(r"(\d+) requests in", out).group(1))
        return {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
                "mean_ms": _ms(re.search(r"Latency\s+(\S+)", out).group(1)),
                # the distribution's own line: "52.99%" in a +/- Stdev column must not pass for the 99th percentile
                "p99_ms": _ms(re.search(r"^\s+99%\s+(\S+)", out, re.MULTILINE).group(1)),
                "cpu_ms": ticks * 1000 / TICK / max(requests, 1),
                "all_ms": all_ticks * 1000 / TICK / max(requests, 1), "wrk_ms": wrk_s * 1000 / max(requests, 1)}
    except (AttributeError, ValueError):
        raise SystemExit(f"could not read wrk's figures for {url}:\n{out}") from None


def _loadavg() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


# --- queries per request -----------------------------------------------------------------------------------------

def _queries(tokens) -> list[tuple]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    rows = []
    hub_days = {"10": DAY, "50 of 1,000": DAY + timedelta(days=1), "500 of 1,000": DAY + timedelta(days=1)}
    cases = {
        "fleet/vehicles": [("10", "small", {}), ("50 of 1,000", "big", {}),
                           ("500 of 1,000", "big", {"page_size": 500})],
        "hubs/parcels": [(label, "hub", {"date": hub_days[label].isoformat(), **({"page_size": 500} if "500" in label
                                                                                  else {})}) for label in hub_days],
        "routes/routes": [("10", "small", {"date": DAY.isoformat()}),
                          ("50 of 1,000", "big", {"date": (DAY + timedelta(days=1)).isoformat()}),
                          ("500 of 1,000", "big", {"date": (DAY + timedelta(days=1)).isoformat(), "page_size": 500}),
                          # ?expand=stops: one more query, whether the routes have no stops or 60 each
                          ("10, expand=stops", "small", {"date": DAY.isoformat(), "expand": "stops"}),
                          ("4 (240 stops), expand", "big", {"date": DAY.isoformat(), "expand": "stops"}),
                          ("50 of 1,000, expand", "big", {"date": (DAY + timedelta(days=1)).isoformat(),
                                                          "expand": "stops"})],
    }
    for path, runs in cases.items():
        for label, who, params in runs:
            auth = {"HTTP_AUTHORIZATION": f"Bearer {tokens[who]}"}
            client.get(f"/api/v1/{path}/", params, **auth)  # the token's last-used stamp is written once a minute
            with CaptureQueriesContext(connection) as ctx:
                response = client.get(f"/api/v1/{path}/", params, **auth)
            assert response.status_code == 200, response.content[:300]
            rows.append((path, label, len(response.json()["results"]), len(ctx)))
    return rows


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--port", type=int, default=16385, help="ours; the reference listens on the next one")
    parser.add_argument("--only", action="append", default=[], help="run only the lists whose name holds this")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: apt-get install wrk")
    server, prefix = _server()
    bare_url = _recreate(server, f"{prefix}_bench_bare")
    ours_url = _recreate(server, f"{prefix}_bench_api")
    print("seeding ...", flush=True)
    _seed_bare(bare_url)
    tokens = _seed_ours(ours_url)
    _analyse(bare_url)
    _analyse(ours_url)

    logdir = ROOT / "var"
    logdir.mkdir(exist_ok=True)
    common = {**os.environ, "PYTHONPATH": str(ROOT)}
    ours_env = {**common, "DATABASE_URL": ours_url, "DJANGO_ENV": "production", "SECRET_KEY": "bench-" + "x" * 50,
                "ALLOWED_HOSTS": "127.0.0.1", "THROTTLE_USER": THROTTLE_USER, "DJANGO_SETTINGS_MODULE":
                "dsp_portal.settings", "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
                "LOG_LEVEL": "WARNING"}
    bare_env = {**common, "DATABASE_URL": bare_url, "DJANGO_SETTINGS_MODULE": "bare_drf.settings"}
    gunicorn = [GUNICORN, "-w", "2", "--log-level", "warning"]
    with open(logdir / "bench_api_ours.log", "w") as ours_log, open(logdir / "bench_api_bare.log", "w") as bare_log:
        ours = _start([*gunicorn, "-b", f"127.0.0.1:{args.port}", "dsp_portal.wsgi"], ours_env, ROOT, args.port,
                      ours_log)
        bare = _start([*gunicorn, "-b", f"127.0.0.1:{args.port + 1}", "bare_drf.wsgi"], bare_env, ROOT / "bench",
                      args.port + 1, bare_log)
        try:
            figures = _load(args, tokens, ours, bare)
        finally:
            _stop(ours)
            _stop(bare)
    print()
    print("queries per request (must not grow with the rows):")
    for path, label, count, queries in _queries(tokens):
        print(f"  {path:<15} {label:>22} rows: {count:>4} returned, {queries} queries")
    print()
    print(json.dumps(figures))


def _load(args, tokens, ours, bare) -> dict:
    proxy = "X-Forwarded-Proto: https"
    base = f"http://127.0.0.1:{args.port}/api/v1"
    targets = {
        "fleet/vehicles (page of 50)": (f"{base}/fleet/vehicles/", "big"),
        "hubs/parcels (today, 30)": (f"{base}/hubs/parcels/?date={tokens['hub_today']}", "hub"),
        "routes/routes?date= (4 routes)": (f"{base}/routes/routes/?date={DAY.isoformat()}", "big"),
        "routes/routes?date=&expand=stops": (f"{base}/routes/routes/?date={DAY.isoformat()}&expand=stops", "big"),
    }
    if args.only:
        targets = {name: target for name, target in targets.items() if any(part in name for part in args.only)}
    bare_url = f"http://127.0.0.1:{args.port + 1}/items/"
    for url, who in targets.values():  # warm both (imports, connections)
        _wrk(url, [proxy, f"Authorization: Bearer {tokens[who]}"], 3, ours)
    _wrk(bare_url, [], 3, bare)
    figures = {}
    print(f"{'list':<34} {'round':>5} {'ours r/s':>9} {'bare r/s':>9} {'ratio':>6} {'mean ms':>13} "
          f"{'p99 ms':>13} {'app ms/req':>11} {'wrk ms/req':>11} {'all ms/req':>11}  load average")
    for name, (url, who) in targets.items():
        ratios = []
        for k in range(args.rounds):
            b = _wrk(bare_url, [], args.seconds, bare)
            o = _wrk(url, [proxy, f"Authorization: Bearer {tokens[who]}"], args.seconds, ours)
            ratios.append(o["rps"] / b["rps"])
            print(f"{name:<34} {k + 1:>5} {o['rps']:>9.0f} {b['rps']:>9.0f} {ratios[-1]:>6.2f} "
                  f"{o['mean_ms']:>6.1f}/{b['mean_ms']:<6.1f} {o['p99_ms']:>6.1f}/{b['p99_ms']:<6.1f} "
                  f"{o['cpu_ms']:>5.1f}/{b['cpu_ms']:<5.1f} {o['wrk_ms']:>5.1f}/{b['wrk_ms']:<5.1f} "
                  f"{o['all_ms']:>5.1f}/{b['all_ms']:<5.1f}  {_loadavg()}", flush=True)
        figures[name] = {"ratio_median": round(statistics.median(ratios), 2), "ratios": [round(r, 2) for r in ratios],
                         "goal": 0.5}
    return figures


if __name__ == "__main__":
    main()
