"""Plain PyVRP for the benchmarks' reference columns: `pyvrp.solve` with its default parameters, on the very
`ProblemData` our adapter builds (same integer matrices, same prizes for optional stops), its routes read back
and checked by our own evaluator like ours are. Bench-only; not imported by the project."""

import time

from routes.solver.checks import precheck
from routes.solver.pyvrp_adapter import _problem_data, _routes
from routes.solver.types import Problem, Solution, Unassigned


def plain_pyvrp(problem: Problem, seconds: float, seed: int = 0) -> Solution:
    import pyvrp
    from pyvrp.stop import MaxRuntime

    started = time.monotonic()
    distance, duration = problem.matrices()
    kept, unassigned = precheck(problem, distance, duration)
    data = _problem_data(problem, distance, duration, kept)
    result = pyvrp.solve(data, stop=MaxRuntime(max(0.05, seconds - (time.monotonic() - started))), seed=seed,
                         collect_stats=False)
    routes, dropped = _routes(problem, data, result.best, kept)
    unassigned += [Unassigned(i, "no_room") for i in dropped]
    return Solution(routes=routes, unassigned=sorted(unassigned, key=lambda u: u.stop),
                    distance=sum(r.distance for r in routes), duration=sum(r.duration for r in routes),
                    seconds=round(time.monotonic() - started, 3), feasible=not unassigned)
