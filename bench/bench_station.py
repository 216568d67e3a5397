"""Station-day planning benchmark (engine only: generate/import, plan, check; assignment and saving
arrive with the fleet app). For each size, in a fresh process so peak memory is its own: seconds,
peak RSS, routes, km, capacity/shift/window violations (recomputed here), and the same day solved
as one whole PyVRP problem given the same wall time. Not a test: figures only.

    python bench/bench_station.py [--sizes 1000,5000,10000] [--seconds S] [--no-baseline]
    python bench/bench_station.py --manifest ../shared/samples/manifest-seattle-1000.csv [--seconds 10]
"""

import argparse
import csv
import json
import math
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from routes.solver import NO_LIMIT, Point, VehicleType, solve, solve_single, synthetic  # noqa: E402

BUDGET = {1000: 20, 5000: 60, 10000: 90}  # solver seconds; the rest of the 120 s is for import and saving


def _metres(a: Point, b: Point) -> float:
    la1, la2 = math.radians(a.y), math.radians(b.y)
    h = math.sin((la2 - la1) / 2) ** 2 + math.cos(la1) * math.cos(la2) * math.sin(math.radians(b.x - a.x) / 2) ** 2
    return 2 * 6_371_008.8 * math.asin(math.sqrt(min(1.0, h))) * 1.3


def violations(problem, solution) -> int:
    """Count broken rules, recomputed from coordinates (earliest departure, waiting for windows)."""
    bad = 0
    seen = [0] * len(problem.stops)
    for r in solution.routes:
        v = problem.vehicles[r.vehicle_type]
        bad += sum(problem.stops[i].demand for i in r.stops) > v.capacity
        t, here = v.shift_start, problem.depot
        for i in r.stops:
            s = problem.stops[i]
            seen[i] += 1
            t += round(_metres(here, s.point) / (25 / 3.6))
            bad += t > s.late
            t, here = max(t, s.early) + s.service, s.point
        bad += t + round(_metres(here, problem.depot) / (25 / 3.6)) > v.shift_end
    for u in solution.unassigned:
        seen[u.stop] += 1
    return bad + sum(1 for n in seen if n != 1)


def km(problem, solution) -> float:
    total = 0.0
    for r in solution.routes:
        pts = [problem.depot, *(problem.stops[i].point for i in r.stops), problem.depot]
        total += sum(_metres(a, b) for a, b in zip(pts, pts[1:], strict=False))
    return total / 1000


def station_day(size: int, seed: int):
    started = time.monotonic()
    pkgs = [p for p in synthetic.packages(size, seed=seed) if not p.hub]  # hub parcels leave the VRP
    stops, _ = synthetic.merge_stops(pkgs)
    return synthetic.station_problem(stops), len(pkgs), time.monotonic() - started


def manifest_day(path: str):
    started = time.monotonic()
    pkgs = []
    with open(path, newline="") as fh:
        for row in csv.DictReader(fh):
            pkgs.append(synthetic.Package(
                tracking_id=row["tracking_id"], lon=float(row["longitude"]), lat=float(row["latitude"]),
                address=f"{row['address_line1'].strip().lower()}|{row['postal_code']}",
                early=_clock(row["window_start"]) if row["window_start"] else 0,
                late=_clock(row["window_end"]) if row["window_end"] else NO_LIMIT,
            ))
    stops, _ = synthetic.merge_stops(pkgs)
    fleet = [VehicleType(count=60, capacity=275, shift_start=synthetic.DISPATCH, shift_end=synthetic.RETURN_BY)]
    return synthetic.station_problem(stops, vehicles=fleet), len(pkgs), time.monotonic() - started


def _clock(text: str) -> int:
    hours, minutes = text.split(":")
    return int(hours) * 3600 + int(minutes) * 60


def measure(args) -> dict:
    problem, packages, prep = manifest_day(args.manifest) if args.manifest else station_day(args.one, args.seed)
    started = time.monotonic()
    if args.whole:
        solution = solve_single(problem, seconds=args.seconds, seed=args.seed)
    else:
        solution = solve(problem, seconds=args.seconds, seed=args.seed)
    plan = time.monotonic() - started
    return {
        "packages": packages, "stops": len(problem.stops), "prepare_s": round(prep, 1), "plan_s": round(plan, 1),
        "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024), "routes": len(solution.routes),
        "km": round(km(problem, solution), 1), "unassigned": len(solution.unassigned),
        "violations": violations(problem, solution), "sectors": solution.sectors,
    }


def child(*extra) -> dict:
    out = subprocess.run([sys.executable, __file__, *extra], check=True, capture_output=True, text=True, cwd=ROOT)
    return json.loads(out.stdout.strip().splitlines()[-1])


def report(label: str, plan: dict, whole: dict | None):
    print(f"{label}: {plan['packages']} packages -> {plan['stops']} stops, {plan['sectors']} sector(s)")
    print(f"  plan   {plan['prepare_s'] + plan['plan_s']:6.1f} s (prepare {plan['prepare_s']} s), peak "
          f"{plan['peak_mb']} MB, {plan['routes']} routes, {plan['km']} km, unassigned {plan['unassigned']}, "
          f"violations {plan['violations']}")
    if whole:
        delta = 100 * (plan["km"] - whole["km"]) / whole["km"] if whole["km"] else float("nan")
        print(f"  whole  {whole['plan_s']:6.1f} s, peak {whole['peak_mb']} MB, {whole['routes']} routes, "
              f"{whole['km']} km, unassigned {whole['unassigned']}, violations {whole['violations']}  "
              f"-> decomposed is {delta:+.1f} % distance")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1000,5000,10000")
    parser.add_argument("--seconds", type=float, default=None)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--manifest", default=None)
    parser.add_argument("--no-baseline", action="store_true")
    parser.add_argument("--one", type=int, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--whole", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one is not None or (args.manifest and args.whole):
        print(json.dumps(measure(args)))
        return
    print("Timings are wall clock on a shared 2-core machine; other work running at the same time slows them.")
    common = ["--seed", str(args.seed)]
    jobs = ([("manifest", args.seconds or 10, ["--manifest", args.manifest])] if args.manifest else
            [(f"{n} packages", args.seconds or BUDGET.get(n, 60), ["--one", str(n)])
             for n in map(int, args.sizes.split(","))])
    for label, seconds, what in jobs:
        plan = measure_manifest(args, seconds) if args.manifest else child(*what, *common, "--seconds", f"{seconds}")
        whole = None
        if not args.no_baseline:
            whole = child(*what, *common, "--whole", "--seconds", str(plan["plan_s"]))
        report(label, plan, whole)


def measure_manifest(args, seconds):
    args.seconds = seconds
    return measure(args)


if __name__ == "__main__":
    main()
