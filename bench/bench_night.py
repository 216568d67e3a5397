"""The national night, measured: N station-days planned by K real Celery solver workers over the Redis broker.

For each K (default 1 and 2): N station-days (a mix of sizes, in several metros, imported in bulk into a benchmark
database) are planned by the nightly job (`routes.services.nightly.night_start`, exactly what beat runs), on K
solver worker processes in the production shape (`celery worker -Q solver --pool prefork --concurrency 1`, one per
core) beside one `short` worker. In the middle of the night a webhook task is sent; its queue wait is how long it
stood in line. Printed: stations/hour, core-seconds per 1,000 packages, p50/p95 station time, the webhook's wait,
peak memory per worker, each with the load average (the machine is shared), then the pool that plans
1,000 stations x 10,000 packages inside a 2-hour window:

    workers = ceil(S x P/1000 x c / (W x e))     S stations, P packages each, W window (s),
                                                 c core-seconds per 1,000 packages, e parallel efficiency

Uses its own database (default postgres://postgres@127.0.0.1:5432/dsp_bench_night, created and migrated here) and
database 15 of the Redis at REDIS_URL (BENCH_NIGHT_REDIS_URL to choose; its queues are emptied first).

    python bench/bench_night.py                      # 4 station-days of 1,000-4,000 packages, 5 s budget: minutes
    python bench/bench_night.py --big                # 8 station-days of 1,000-10,000 packages, 20 s budget
    python bench/bench_night.py --stations 6 --sizes 1000,10000 --seconds 10 --workers 1,2,4
"""

import argparse
import math
import os
import signal
import statistics
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/dsp_bench_night"
# (code, name, time zone, station lat, lng): the synthetic Seattle day is moved to each metro.
METROS = [("sea", "Seattle", "America/Los_Angeles", 47.548, -122.323, "WA", "98101"),
          ("den", "Denver", "America/Denver", 39.739, -104.990, "CO", "80202"),
          ("chi", "Chicago", "America/Chicago", 41.850, -87.650, "IL", "60601"),
          ("atl", "Atlanta", "America/New_York", 33.749, -84.388, "GA", "30303")]
VAN_CAPACITY, PARTNERS = 275, 2
TARGET = {"stations": 1000, "packages": 10000, "window_s": 7200}


def _setup(db_url: str, redis_url: str):
    os.environ["DATABASE_URL"] = db_url
    os.environ["REDIS_URL"] = redis_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "dsp_portal.settings"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    _create_database(db_url)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _create_database(url):
    import psycopg2

    base, name = url.rsplit("/", 1)
    conn = psycopg2.connect(f"{base}/postgres")
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if not cur.fetchone():
            cur.execute(f'CREATE DATABASE "{name}"')
    conn.close()


# -- the station-days -------------------------------------------------------------------------------------

def _station(k: int):
    from datetime import time as clock
    from decimal import Decimal

    from routes.models import Station

    code, name, tz, lat, lng, _state, _zip = METROS[k % len(METROS)]
    station, _ = Station.objects.update_or_create(code=f"bn-{code}{k}", defaults={
        "name": f"{name} bench {k}", "latitude": Decimal(f"{lat:.6f}"), "longitude": Decimal(f"{lng:.6f}"),
        "time_zone": tz, "dispatch_start": clock(8, 0), "shift_minutes": 660, "active": True})
    return station


def _fleet(station, day, size: int, k: int):
    """PARTNERS partners with enough insured vans and drivers for the day, committed on that date (bulk)."""
    from fleet.models import Coverage, Driver, InsurancePolicy, Vehicle
    from fleet.vin import vin_check_digit
    from onboarding.models import Partner
    from routes.models import PartnerCapacity

    vans_each = math.ceil(size / VAN_CAPACITY * 1.25 / PARTNERS) + 1
    for p in range(PARTNERS):
        partner, created = Partner.objects.get_or_create(legal_name=f"Night Bench {k}-{p} LLC", defaults={
            "entity_type": "llc", "state_of_formation": "WA", "status": Partner.Status.ACTIVE})
        have = Vehicle.objects.filter(partner=partner).count()
        if have < vans_each:
            vehicles, drivers = [], []
            for v in range(have, vans_each):
                body = f"1FTBW3XG0P{k:03d}{p}{v:03d}"[:17].ljust(17, "0")
                vehicles.append(Vehicle(partner=partner, vin=body[:8] + vin_check_digit(body) + body[9:],
                                        plate=f"N{k}{p}{v:03d}"[:8], plate_state="WA", make="Ford",
                                        model="Transit", year=2024, package_capacity=VAN_CAPACITY))
                drivers.append(Driver(partner=partner, first_name=f"D{v}", last_name=f"N{k}{p}",
                                      licence_number=f"N{k:03d}{p}{v:04d}", licence_state="WA",
                                      licence_expires_on=day + timedelta(days=700), status=Driver.Status.ACTIVE))
            Vehicle.objects.bulk_create(vehicles)
            Driver.objects.bulk_create(drivers)
        for coverage in (Coverage.GENERAL_LIABILITY, Coverage.WORKERS_COMP, Coverage.AUTO_LIABILITY, Coverage.CARGO):
            InsurancePolicy.objects.get_or_create(
                partner=partner, coverage=coverage, policy_number=f"NB-{k}-{p}-{coverage}",
                defaults={"carrier": "Bench Mutual", "per_occurrence_limit": 1_000_000,
                          "effective_on": day - timedelta(days=30), "expires_on": day + timedelta(days=365),
                          "covers_all_vehicles": True})
        PartnerCapacity.objects.update_or_create(partner=partner, station=station, date=day,
                                                 defaults={"routes": vans_each})


def _rows(size: int, k: int, station):
    from routes.solver import NO_LIMIT, synthetic

    dlat, dlng = float(station.latitude) - synthetic.STATION.y, float(station.longitude) - synthetic.STATION.x
    _code, city, _tz, _lat, _lng, state, postal = METROS[k % len(METROS)]

    def hhmm(s):
        return f"{s // 3600:02d}:{s % 3600 // 60:02d}"

    return [{"tracking_id": f"N{k:03d}{p.tracking_id}", "recipient_name": "Bench", "address_line1": f"{p.address} St",
             "city": city, "state": state, "postal_code": postal, "latitude": f"{p.lat + dlat:.6f}",
             "longitude": f"{p.lon + dlng:.6f}", "size": "M", "weight_kg": "1.0",
             "window_start": hhmm(p.early) if p.late < NO_LIMIT else "",
             "window_end": hhmm(p.late) if p.late < NO_LIMIT else "", "signature_required": "no"}
            for p in synthetic.packages(size, seed=k)]


def generate(n: int, sizes: list[int]) -> list[tuple]:
    """N station-days (station, tomorrow there, packages), written in bulk; kept between runs of the bench."""
    from routes.models import Package, Station
    from routes.services import manifest_import
    from routes.services.nightly import station_tomorrow

    Station.objects.exclude(code__startswith="bn-").update(active=False)
    Station.objects.filter(code__startswith="bn-").update(active=False)
    days = []
    for k in range(n):
        size, station = sizes[k % len(sizes)], _station(k)
        day = station_tomorrow(station)
        if Package.objects.filter(station=station, service_date=day).count() != size:
            Package.objects.filter(station=station, service_date=day).delete()
            manifest_import(station=station, service_date=day, rows=_rows(size, k, station))
        _fleet(station, day, size, k)
        days.append((station, day, size))
    return days


def reset(days) -> None:
    """Forget the last run's plans and night, so each K plans the same station-days from scratch."""
    from routes.models import Package, PackageStatus, Plan, PlanningNight, PlanningRun

    for station, day, _size in days:
        PlanningRun.objects.filter(station=station).delete()
        Plan.objects.filter(station=station, service_date=day).delete()
        Package.objects.filter(station=station, service_date=day).update(status=PackageStatus.PENDING, hub=None,
                                                                         stop=None)
    PlanningNight.objects.all().delete()


# -- the workers ------------------------------------------------------------------------------------------

class Worker:
    """A `celery worker` process; samples its (and its pool processes') memory and CPU while it runs."""

    def __init__(self, name: str, queue: str, concurrency: int, env: dict, log: Path):
        import psutil

        command = [sys.executable, "-m", "celery", "-A", "dsp_portal", "worker", "-Q", queue, "--pool", "prefork",
                   "--concurrency", str(concurrency), "--prefetch-multiplier", "1", "-n", f"{name}@%h",
                   "-l", "WARNING", "--without-gossip", "--without-mingle"]
        self.name, self.log = name, log
        self.proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT,
                                     start_new_session=True)
        self.ps = psutil.Process(self.proc.pid)
        self.peak_mb, self.cpu = 0.0, {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _tree(self):
        import psutil

        try:
            return [self.ps, *self.ps.children(recursive=True)]
        except psutil.NoSuchProcess:
            return []

    def _sample(self):
        import psutil

        while not self._stop.is_set():
            rss = 0
            for p in self._tree():
                try:
                    rss += p.memory_info().rss
                    times = p.cpu_times()
                    self.cpu[p.pid] = times.user + times.system
                except psutil.NoSuchProcess:
                    continue
            self.peak_mb = max(self.peak_mb, rss / 2**20)
            self._stop.wait(0.5)

    def cpu_seconds(self) -> float:
        return sum(self.cpu.values())

    def stop(self):
        self._stop.set()
        self._thread.join()
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()


def _purge(redis_url: str):
    import redis

    redis.Redis.from_url(redis_url).delete("solver", "short", "unacked", "unacked_index", "unacked_mutex")


def _webhook_wait(sent_at: float, result) -> float | None:
    """Seconds the webhook task stood in line: its finish (stored by the worker) minus when it was sent, less its
    own run time (a delivery id that does not exist: it returns at once)."""
    try:
        result.get(timeout=600, propagate=False)
    except Exception:  # noqa: BLE001 - a lost probe is reported as such
        return None
    done = result.date_done
    return None if done is None else max(0.0, done.timestamp() - sent_at)


def night(days, k: int, seconds: float, redis_url: str, logs: Path) -> dict:
    from integrations.tasks import webhook_deliver
    from routes.models import PlanningNight, PlanningRun
    from routes.services.nightly import night_start

    reset(days)
    _purge(redis_url)
    env = {**os.environ, "ROUTES_SOLVER_SECONDS": str(seconds), "ROUTES_CHORD_WORKERS": str(k)}
    solvers = [Worker(f"solver{j}", "solver", 1, env, logs / f"solver{j}-k{k}.log") for j in range(k)]
    short = Worker("short", "short", 2, env, logs / f"short-k{k}.log")
    time.sleep(5)  # the workers connect before the night starts (their start-up is not the night's)
    loads, waits = [os.getloadavg()[0]], []
    started = time.time()
    night_start()
    record = PlanningNight.objects.get()
    total = record.stations
    probe = None
    while True:
        time.sleep(1)
        loads.append(os.getloadavg()[0])
        done = PlanningRun.objects.filter(night=record).exclude(result__in=PlanningRun.ACTIVE).count()
        if probe is None and done >= max(1, total // 2):  # the middle of the night: a webhook task is sent
            probe_sent = time.time()
            probe = webhook_deliver.apply_async(args=[987654321], ignore_result=False)
        if done >= total:
            break
        if time.time() - started > 6 * 3600:
            sys.exit("the night did not finish in 6 hours")
    wall = time.time() - started
    if probe is not None:
        waits.append(_webhook_wait(probe_sent, probe))
    for w in [*solvers, short]:
        w.stop()
    runs = list(PlanningRun.objects.filter(night=record).select_related("plan"))
    station_s = sorted((r.finished_at - r.started_at).total_seconds() for r in runs if r.finished_at)
    packages = sum(size for _s, _d, size in days)
    core_s = sum(w.cpu_seconds() for w in solvers)
    return {
        "k": k, "stations": total, "packages": packages, "wall_s": wall,
        "saved": sum(r.result == "planned" for r in runs), "failed": [r.detail for r in runs if r.result == "failed"],
        "per_hour": total / wall * 3600, "core_s_per_1000": core_s / packages * 1000, "core_s": core_s,
        "p50": statistics.median(station_s), "p95": _pct(station_s, 95),
        "webhook_wait_s": waits[0] if waits else None,
        "peak_mb": [round(w.peak_mb) for w in solvers], "short_peak_mb": round(short.peak_mb),
        "load_mean": statistics.mean(loads), "load_max": max(loads),
    }


def _pct(values, q):
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(q / 100 * len(ordered)) - 1)]


def _bench_redis() -> str:
    from urllib.parse import urlsplit, urlunsplit

    url = urlsplit(os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0")
    return urlunsplit(url._replace(path="/15"))


def pool(c: float, efficiency: float, stations=TARGET["stations"], packages=TARGET["packages"],
         window_s=TARGET["window_s"]) -> int:
    return math.ceil(stations * packages / 1000 * c / (window_s * efficiency))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stations", type=int, default=None, help="station-days (default 4; --big 8)")
    parser.add_argument("--sizes", default=None, help="packages per station-day, cycled (default 1000,2000,3000,4000)")
    parser.add_argument("--seconds", type=float, default=None, help="solver budget per station (default 5; --big 20)")
    parser.add_argument("--workers", default="1,2", help="solver worker processes to try, e.g. 1,2")
    parser.add_argument("--big", action="store_true", help="8 station-days of 1,000 to 10,000 packages, 20 s each")
    parser.add_argument("--db", default=os.environ.get("BENCH_NIGHT_DATABASE_URL", DEFAULT_DB))
    parser.add_argument("--redis", default=os.environ.get("BENCH_NIGHT_REDIS_URL") or _bench_redis(),
                        help="the broker (default: REDIS_URL's server, database 15: the bench empties its queues)")
    args = parser.parse_args()
    n = args.stations or (8 if args.big else 4)
    sizes = [int(s) for s in (args.sizes or ("1000,2500,5000,10000" if args.big else "1000,2000,3000,4000"))
             .split(",")]
    seconds = args.seconds or (20.0 if args.big else 5.0)
    _setup(args.db, args.redis)
    logs = ROOT / "var" / "bench-night"
    logs.mkdir(parents=True, exist_ok=True)
    t0 = time.time()
    days = generate(n, sizes)
    print(f"{n} station-days ({', '.join(str(s) for _st, _d, s in days)} packages) in "
          f"{len({st.time_zone for st, _d, _s in days})} metros, written in {time.time() - t0:.0f} s; solver budget "
          f"{seconds:g} s per station; {os.cpu_count()} cores, shared: load average with each figure.")
    results = []
    for k in (int(x) for x in args.workers.split(",")):
        r = night(days, k, seconds, args.redis, logs)
        results.append(r)
        load = f"[load {r['load_mean']:.1f} mean, {r['load_max']:.1f} max]"
        wait = "lost" if r["webhook_wait_s"] is None else f"{r['webhook_wait_s']:.2f} s"
        print(f"K={k} solver worker(s): {r['stations']} stations in {r['wall_s']:.0f} s = {r['per_hour']:.0f} "
              f"stations/hour {load}")
        print(f"  {r['core_s_per_1000']:.1f} core-seconds per 1,000 packages ({r['core_s']:.0f} core-s for "
              f"{r['packages']}) {load}")
        print(f"  station time p50 {r['p50']:.1f} s, p95 {r['p95']:.1f} s; saved {r['saved']}/{r['stations']}"
              f"{'; failed: ' + '; '.join(r['failed']) if r['failed'] else ''} {load}")
        print(f"  webhook task sent mid-night waited {wait} on the short queue {load}")
        print(f"  peak memory per solver worker {r['peak_mb']} MB (short worker {r['short_peak_mb']} MB) {load}")
        sys.stdout.flush()
    base = results[0]
    best = max(results, key=lambda r: r["per_hour"] / r["k"])
    eff = min(1.0, results[-1]["per_hour"] / (base["per_hour"] * results[-1]["k"] / base["k"])) \
        if len(results) > 1 else 1.0
    c = statistics.mean(r["core_s_per_1000"] for r in results)
    print(f"Parallel efficiency K={base['k']} -> K={results[-1]['k']}: {eff:.2f}; c = {c:.1f} core-seconds per "
          f"1,000 packages at a {seconds:g} s budget (best per worker: K={best['k']}).")
    print("Pool for 1,000 stations x 10,000 packages in a 2-hour window: workers = ceil(S x P/1000 x c / (W x e))")
    print(f"  with this bench's c = {c:.1f} and e = {eff:.2f}: {pool(c, eff)} single-core solver workers")
    held = statistics.mean(r["k"] * r["wall_s"] / r["packages"] * 1000 for r in results)
    print(f"  with worker-seconds per 1,000 packages (K x night / packages, {held:.1f}: the time a worker is held, "
          f"what a shared host like this one gives) and the same e: {pool(held, eff)} solver worker processes")
    reference = 100 * 2 / 10  # one 10,000-package station-day: ~100 s on two cores at the production budget
    print(f"  at the production budget (~100 s on 2 cores per 10,000-package day: c = {reference:.0f}) and the same "
          f"e: {pool(reference, eff)} single-core solver workers")
    print("  (the solver stops at a wall-clock budget: on a shared core it burns fewer core-seconds, so this bench's c "
          "is a floor; plan by the larger figures)")


if __name__ == "__main__":
    main()
