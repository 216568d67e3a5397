"""The solver is a library: importable and usable without Django settings, and its modules import one way."""

import json
import os
import subprocess
import sys
from pathlib import Path

from tests import importgraph
from tests.importgraph import cycles

ROOT = Path(__file__).resolve().parents[2]

# A plain script, no Django: a small day in one piece, and a day split into sectors, stitched and improved.
SCRIPT = """
import json, sys
from routes.solver import Limits, solve, synthetic
stops, _ = synthetic.merge_stops([p for p in synthetic.packages(2000, seed=2) if not p.hub])
problem = synthetic.station_problem(stops)
whole = solve(problem, seconds=2, seed=0)
split = solve(problem, seconds=4, seed=0, limits=Limits(decompose_above=100, polish_whole_upto=0))
print(json.dumps({
    "stops": len(problem.stops),
    "whole": sorted(i for r in whole.routes for i in r.stops) + [u.stop for u in whole.unassigned],
    "split": sorted(i for r in split.routes for i in r.stops) + [u.stop for u in split.unassigned],
    "sectors": split.sectors,
    "django": sorted(m for m in sys.modules if m == "django" or m.startswith("django.")),
}))
"""


def test_the_solver_plans_a_day_in_a_process_with_no_django_settings():
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env["PYTHONPATH"] = str(ROOT)
    done = subprocess.run([sys.executable, "-c", SCRIPT], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120)

    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert sorted(out["whole"]) == list(range(out["stops"]))
    assert sorted(out["split"]) == list(range(out["stops"]))
    assert out["sectors"] > 1
    assert out["django"] == []


def import_graph() -> dict[str, set[str]]:
    return importgraph.import_graph("routes.solver")


def test_the_cycle_finder_finds_a_loop_through_a_function_level_import():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(graph) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycles_among_the_solver_modules():
    graph = import_graph()

    assert "routes.solver.portfolio" in graph["routes.solver.decompose"]  # the graph sees real imports
    assert "routes.solver.distances" in graph["routes.solver.types"]
    assert cycles(graph) == []
