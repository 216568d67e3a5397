"""Solver quality on ../shared/bench: runs `manage.py solve_vrplib` per instance, checks each plan
independently (capacity, windows, every customer once, cost recomputed under the BKS conventions)
and prints the gap to the BKS (.sol `Cost` line) and seconds. Not a test: figures only.

    python bench/bench_solver.py [--quick] [--seconds-scale 1.0]
"""

import argparse
import json
import math
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import vrplib

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT.parent / "shared" / "bench"
X_SMALL = ["X-n101-k25", "X-n200-k36", "X-n303-k21", "X-n502-k39"]
SOLOMON = ["C101", "C201", "R101", "R201", "RC101", "RC201"]
PLAN = (
    [("x-small", f"cvrp/{n}.vrp", 10) for n in X_SMALL]
    + [("solomon", f"vrptw/{n}.txt", 10) for n in SOLOMON]
    + [("x-1001", "cvrp/X-n1001-k43.vrp", 60), ("r1-10-1", "vrptw/R1_10_1.vrp", 60)]
)
QUICK = {"cvrp/X-n101-k25.vrp", "vrptw/R101.txt", "vrptw/RC101.txt"}
TARGETS = {"x-small": 0.5, "solomon": 1.0, "x-1001": 3.0, "r1-10-1": 3.0}


def bks(path: Path) -> float:
    for line in path.with_suffix(".sol").read_text().splitlines():
        if line.strip().lower().startswith("cost"):
            return float(line.split()[-1])
    raise ValueError(f"no Cost line in {path.with_suffix('.sol')}")


def check(path: Path, routes) -> tuple[float, list[str]]:
    """Recompute the cost and the rules from the instance file alone."""
    fmt = "solomon" if path.suffix == ".txt" else "vrplib"
    inst = vrplib.read_instance(str(path), instance_format=fmt, compute_edge_weights=False)
    xy = np.asarray(inst["node_coord"], dtype=float)
    n = len(xy) - 1
    windows = inst.get("time_window")
    problems = []
    served = sorted(c for r in routes for c in r)
    if served != list(range(1, n + 1)):
        problems.append("customers not served exactly once")
    if windows is not None and len(routes) > int(inst["vehicles"]):
        problems.append(f"{len(routes)} routes > fleet {inst['vehicles']}")
    service = np.broadcast_to(np.asarray(inst.get("service_time", 0), dtype=float), (n + 1,))
    total = 0
    for r in routes:
        if sum(int(inst["demand"][c]) for c in r) > int(inst["capacity"]):
            problems.append(f"route over capacity: {r[:3]}...")
        path = [0, *r, 0]
        t = windows[0][0] * 10 if windows is not None else 0
        for a, b in zip(path, path[1:], strict=False):
            d = math.dist(xy[a], xy[b])
            leg = math.floor(d * 10 + 1e-7) if windows is not None else round(d)
            total += leg
            if windows is not None:
                t += leg
                if t > round(windows[b][1] * 10):
                    problems.append(f"customer {b} late")
                t = max(t, round(windows[b][0] * 10)) + (round(service[b] * 10) if b else 0)
    return (total / 10 if windows is not None else total), problems


def run(rel: str, seconds: float) -> dict:
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        cmd = [sys.executable, str(ROOT / "manage.py"), "solve_vrplib", str(BENCH / rel), "--seconds", str(seconds),
               "--out", out.name]
        subprocess.run(cmd, check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
        return json.loads(Path(out.name).read_text())


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="three 100-customer instances only")
    parser.add_argument("--seconds-scale", type=float, default=1.0)
    args = parser.parse_args()
    gaps: dict[str, list[float]] = {}
    print(f"{'instance':<14}{'budget':>7}{'cost':>11}{'BKS':>11}{'gap %':>8}{'routes':>7}{'secs':>7}  check")
    for group, rel, seconds in PLAN:
        if args.quick and rel not in QUICK:
            continue
        path = BENCH / rel
        result = run(rel, seconds * args.seconds_scale)
        cost, problems = check(path, result["routes"])
        best = bks(path)
        gap = 100 * (cost - best) / best
        gaps.setdefault(group, []).append(gap)
        status = "ok" if not problems and math.isclose(cost, result["cost"], abs_tol=0.05) else problems or "cost?"
        print(f"{result['instance']:<14}{seconds * args.seconds_scale:>6.0f}s{cost:>11}{best:>11}{gap:>8.2f}"
              f"{len(result['routes']):>7}{result['seconds']:>7.1f}  {status}")
    print()
    for group, values in gaps.items():
        mean = sum(values) / len(values)
        verdict = "meets" if mean <= TARGETS[group] else "MISSES"
        print(f"mean gap {group:<8} {mean:6.2f} %  (target <= {TARGETS[group]} %: {verdict})")


if __name__ == "__main__":
    main()
