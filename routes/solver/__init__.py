"""Route-planning engine: a small solver library, independent of Django (no settings, no models, no files).

    from routes.solver import Limits, Problem, Stop, VehicleType, Point, solve
    solution = solve(problem, seconds=60, seed=0, limits=Limits(decompose_above=3000))

`solve` picks the decomposition for big problems (see decompose.py); `solve_single` always solves
in one piece. Both return a `Solution` (routes as stop indices, unassigned stops with reasons).
What a Django project configures (ROUTES_* settings) comes in as arguments: `Limits`, the distance
provider's spec on the `Problem`, `processes`.

Modules import one way: types, distances <- checks <- pyvrp_adapter <- portfolio <- decompose <- this
package (tests/routes/test_solver_library.py checks there is no cycle).
"""

from routes.solver.decompose import needs_decomposition, solve_decomposed
from routes.solver.portfolio import process_runner, solve_single
from routes.solver.types import (
    NO_LIMIT,
    Limits,
    Point,
    Problem,
    Progress,
    Route,
    Solution,
    Stop,
    Unassigned,
    VehicleType,
)

__all__ = [
    "NO_LIMIT",
    "Limits",
    "Point",
    "Problem",
    "Progress",
    "Route",
    "Solution",
    "Stop",
    "Unassigned",
    "VehicleType",
    "solve",
    "solve_single",
]

DEFAULT_LIMITS = Limits()


def solve(problem: Problem, *, seconds: float, seed: int = 0, processes: int = 1,
          progress: Progress | None = None, limits: Limits = DEFAULT_LIMITS) -> Solution:
    """The best plan in `seconds`. With `processes` > 1 (never inside a Celery prefork worker, which may
    not fork), a day solved whole runs that many cooperating searches (see portfolio.py), and a big day
    solves that many sectors or route groups at once. `progress` hears the phase, sectors done and the best
    distance so far (see types.Progress)."""
    if needs_decomposition(problem, limits):
        if processes > 1:
            return solve_decomposed(problem, seconds=seconds, seed=seed, workers=processes,
                                    runner=process_runner(processes), progress=progress, limits=limits)
        return solve_decomposed(problem, seconds=seconds, seed=seed, progress=progress, limits=limits)
    if progress is not None:
        progress("solving", sector=1, sectors=1, sectors_done=0)
    if processes > 1:  # cooperating searches, one per process (a day this size holds its matrices in each)
        solution = solve_single(problem, seconds=seconds, seed=seed, workers=processes)
        if progress is not None:
            progress(best_m=solution.distance, left_s=0)
        return solution
    return solve_single(problem, seconds=seconds, seed=seed, progress=progress)
