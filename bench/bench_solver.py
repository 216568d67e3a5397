"""Solver quality on ../shared/bench, ours against plain PyVRP, back to back with the same wall time and CPU.

For every instance of 100-1,000 customers (X CVRP, Solomon and Gehring-Homberger VRPTW) and each seed, three
runs one after another, each in a fresh process:

- `ours-1`: `routes.solver.solve_single` in one process;
- `plain-1`: plain PyVRP 0.14 (`pyvrp.solve` with its defaults) on the very same `ProblemData`, one process;
- `ours-2`: `solve_single(..., workers=2)`, our two cooperating searches on two processes (compare with `plain-1`:
  the issue's "ours with two against plain with one").

Every plan is checked from the instance file alone (capacity, windows, fleet, every customer once, cost recomputed
under the BKS conventions; bench-only reader `vrplib`) and its gap to the BKS (.sol `Cost`) printed. Budgets: 10 s
up to 600 customers, 60 s above (`--scale` multiplies both). The machine is shared: the load average is printed
before and after, and the figures that matter are the differences between columns of the same row.
Results are appended to bench/out/solver.jsonl (one line per run; `--resume` skips runs already there).

    python bench/bench_solver.py [--quick] [--seeds 3] [--scale 1.0] [--only ours-1,plain-1] [--resume]
"""

import argparse
import json
import math
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BENCH = ROOT.parent / "shared" / "bench"
OUT = ROOT / "bench" / "out"
MODES = ("ours-1", "plain-1", "ours-2")
# Iteration subset: X instances spread over 100-600 customers and four VRPTW kinds.
QUICK = ["X-n101-k25", "X-n153-k22", "X-n200-k36", "X-n256-k16", "X-n303-k21", "X-n393-k38", "X-n502-k39",
         "X-n573-k30", "R101", "RC101", "C201", "RC201"]


def instances() -> list[tuple[str, Path, int, str]]:
    """(name, path, customers, kind) of every instance with 100-1,000 customers."""
    from routes.instances import read

    out = []
    for path in sorted([*BENCH.glob("cvrp/*.vrp"), *BENCH.glob("vrptw/*.txt"), *BENCH.glob("vrptw/*.vrp*")]):
        raw = read(path)
        n = len(raw["demand"]) - 1
        if 100 <= n <= 1000:
            out.append((path.stem, path, n, "vrptw" if "time_window" in raw else "cvrp"))
    return out


def budget(n: int, scale: float) -> float:
    return (10.0 if n <= 600 else 60.0) * scale


def bks(path: Path) -> float:
    for line in path.with_suffix(".sol").read_text().splitlines():
        if line.strip().lower().startswith("cost"):
            return float(line.split()[-1])
    raise ValueError(f"no Cost line in {path.with_suffix('.sol')}")


def check(path: Path, routes) -> tuple[float, list[str]]:
    """Recompute the cost and the rules from the instance file alone (vrplib, not our reader)."""
    import vrplib

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
        path_ = [0, *r, 0]
        t = windows[0][0] * 10 if windows is not None else 0
        for a, b in zip(path_, path_[1:], strict=False):
            d = math.dist(xy[a], xy[b])
            leg = math.floor(d * 10 + 1e-7) if windows is not None else round(d)
            total += leg
            if windows is not None:
                t += leg
                if t > round(windows[b][1] * 10):
                    problems.append(f"customer {b} late")
                t = max(t, round(windows[b][0] * 10)) + (round(service[b] * 10) if b else 0)
    return (total / 10 if windows is not None else total), problems


def one(path: Path, mode: str, seconds: float, seed: int) -> dict:
    """One run in this process: the plan's routes (customers numbered as in the .sol files)."""
    from plain import plain_pyvrp

    from routes.instances import load
    from routes.solver import solve_single

    instance = load(path)
    started = time.monotonic()
    if mode == "plain-1":
        solution = plain_pyvrp(instance.problem, seconds, seed)
    else:
        solution = solve_single(instance.problem, seconds=seconds, seed=seed, workers=int(mode[-1]))
    routes, dropped = solution.routes, [u.stop for u in solution.unassigned]
    return {"routes": [[i + 1 for i in r.stops] for r in routes], "dropped": len(dropped),
            "seconds": round(time.monotonic() - started, 2)}


def run(path: Path, mode: str, seconds: float, seed: int) -> dict:
    cmd = [sys.executable, __file__, "--one", str(path), "--mode", mode, "--seconds", str(seconds), "--seed",
           str(seed)]
    done = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    if done.returncode:
        raise RuntimeError(done.stderr[-2000:])
    return json.loads(done.stdout.strip().splitlines()[-1])


def _mean(values):
    return sum(values) / len(values) if values else float("nan")


def summarise(rows: list[dict], modes) -> None:
    def group(r):
        if r["kind"] == "vrptw":
            return "VRPTW 100-1000"
        return "X 100-600" if r["n"] <= 600 else "X 601-1000"

    print()
    print(f"{'mean gap to BKS %':<22}{'runs':>6}" + "".join(f"{m:>10}" for m in modes)
          + ("   ours-1 - plain-1   ours-2 - plain-1" if {"ours-1", "plain-1"} <= set(modes) else ""))
    for name in ["X 100-600", "X 601-1000", "VRPTW 100-1000", "all"]:
        chosen = [r for r in rows if name == "all" or group(r) == name]
        keys = sorted({(r["name"], r["seed"]) for r in chosen})
        by = {(r["name"], r["seed"], r["mode"]): r["gap"] for r in chosen}
        full = [k for k in keys if all((*k, m) in by for m in modes)]  # same instances and seeds in every column
        if not full:
            continue
        line = f"{name:<22}{len(full):>6}" + "".join(f"{_mean([by[(*k, m)] for k in full]):>10.2f}" for m in modes)
        if {"ours-1", "plain-1"} <= set(modes):
            d1 = _mean([by[(*k, 'ours-1')] - by[(*k, 'plain-1')] for k in full])
            line += f"{d1:>+19.2f}"
            if "ours-2" in modes:
                d2 = _mean([by[(*k, 'ours-2')] - by[(*k, 'plain-1')] for k in full])
                line += f"{d2:>+19.2f}"
        print(line)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help=f"only {len(QUICK)} instances (iteration)")
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--first-seed", type=int, default=0)
    parser.add_argument("--scale", type=float, default=1.0, help="multiplies the 10 s / 60 s budgets")
    parser.add_argument("--only", default=",".join(MODES), help="modes to run, comma-separated")
    parser.add_argument("--instances", default="", help="names, comma-separated (default: all, or --quick)")
    parser.add_argument("--resume", action="store_true", help="skip runs already in the output file")
    parser.add_argument("--out", default=str(OUT / "solver.jsonl"))
    parser.add_argument("--one", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--mode", default="ours-1", help=argparse.SUPPRESS)
    parser.add_argument("--seconds", type=float, default=10.0, help=argparse.SUPPRESS)
    parser.add_argument("--seed", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one(Path(args.one), args.mode, args.seconds, args.seed)))
        return
    modes = [m for m in args.only.split(",") if m]
    todo = instances()
    if args.instances:
        todo = [t for t in todo if t[0] in args.instances.split(",")]
    elif args.quick:
        todo = [t for t in todo if t[0] in QUICK]
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    done = {}
    if args.resume and out.exists():
        for line in out.read_text().splitlines():
            r = json.loads(line)
            done[(r["name"], r["seed"], r["mode"], r["budget"])] = r
    print(f"{os.cpu_count()} cores; load average before: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f}")
    print(f"{'instance':<14}{'n':>5}{'secs':>6}{'seed':>5}" + "".join(f"{m:>10}" for m in modes) + "  checks")
    rows = []
    for name, path, n, kind in todo:
        seconds = budget(n, args.scale)
        best = bks(path)
        for seed in range(args.first_seed, args.first_seed + args.seeds):
            cells, notes = [], []
            for mode in modes:
                key = (name, seed, mode, seconds)
                if key in done:
                    row = done[key]
                else:
                    result = run(path, mode, seconds, seed)
                    cost, problems = check(path, result["routes"])
                    row = {"name": name, "n": n, "kind": kind, "seed": seed, "mode": mode, "budget": seconds,
                           "cost": cost, "gap": round(100 * (cost - best) / best, 3), "problems": problems,
                           "load": round(os.getloadavg()[0], 2), "seconds": result["seconds"]}
                    with out.open("a") as fh:
                        fh.write(json.dumps(row) + "\n")
                rows.append(row)
                cells.append(row["gap"] if not row["problems"] else float("nan"))
                notes += row["problems"][:2]
            print(f"{name:<14}{n:>5}{seconds:>6.0f}{seed:>5}" + "".join(f"{c:>10.2f}" for c in cells)
                  + f"  {notes or 'ok'}")
            sys.stdout.flush()
    summarise(rows, modes)
    print(f"load average after: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} "
          f"(mean over runs: {_mean([r['load'] for r in rows]):.2f})")


if __name__ == "__main__":
    main()
