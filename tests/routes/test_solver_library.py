"""The solver is a library: importable and usable without Django settings, and its modules import one way."""

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "routes" / "solver"

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


def _imports(path: Path, package: str, modules: set[str]) -> set[str]:
    """The routes.solver modules `path` imports anywhere in it (top level or inside functions)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            base = node.module
            names = [f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base for a in node.names]
        else:
            continue
        found.update(n for n in names if n in modules)
    return found


def import_graph() -> dict[str, set[str]]:
    files = {("routes.solver" if p.stem == "__init__" else f"routes.solver.{p.stem}"): p for p in PACKAGE.glob("*.py")}
    return {name: _imports(path, "routes.solver", set(files)) - {name} for name, path in files.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every strongly connected component of more than one module (each holds at least one cycle)."""
    index, low, stack, on, out, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def test_the_cycle_finder_finds_a_loop_through_a_function_level_import():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(graph) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycles_among_the_solver_modules():
    graph = import_graph()

    assert "routes.solver.portfolio" in graph["routes.solver.decompose"]  # the graph sees real imports
    assert "routes.solver.distances" in graph["routes.solver.types"]
    assert cycles(graph) == []
