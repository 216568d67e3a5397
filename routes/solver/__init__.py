"""Route-planning engine: a small solver interface independent of Django models.

    from routes.solver import Problem, Stop, VehicleType, Point, solve
    solution = solve(problem, seconds=settings.ROUTES_SOLVER_SECONDS, seed=0)

`solve` picks the decomposition for big problems (see decompose.py); `solve_single` always solves
in one piece. Both return a `Solution` (routes as stop indices, unassigned stops with reasons).
"""

from routes.solver.types import NO_LIMIT, Point, Problem, Progress, Route, Solution, Stop, Unassigned, VehicleType

__all__ = [
    "NO_LIMIT",
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


def solve_single(problem: Problem, *, seconds: float, seed: int = 0, initial=None, workers: int = 1,
                 progress: Progress | None = None) -> Solution:
    """One piece. With `workers` > 1, that many searches (seeds `seed`, `seed + 1`, ...) run on as many
    processes for the same wall time and the best plan wins (see portfolio.py)."""
    if workers > 1:
        from routes.solver.portfolio import solve_portfolio

        return solve_portfolio(problem, seconds=seconds, seeds=range(seed, seed + workers), initial=initial)
    from routes.solver.pyvrp_adapter import solve as adapter_solve

    return adapter_solve(problem, seconds=seconds, seed=seed, initial=initial, progress=progress)


def solve(problem: Problem, *, seconds: float, seed: int = 0, processes: int = 1,
          progress: Progress | None = None) -> Solution:
    """The best plan in `seconds`. With `processes` > 1 (never inside a Celery prefork worker, which may
    not fork), big days solve that many sectors at once. A day solved whole stays one process: a portfolio
    would hold the whole problem once per process (memory), for little gain (measured). `progress` hears
    the phase, sectors done and the best distance so far (see types.Progress)."""
    from routes.solver.decompose import needs_decomposition, solve_decomposed

    if needs_decomposition(problem):
        if processes > 1:
            from routes.solver.portfolio import process_runner

            return solve_decomposed(problem, seconds=seconds, seed=seed, workers=processes,
                                    runner=process_runner(processes), progress=progress)
        return solve_decomposed(problem, seconds=seconds, seed=seed, progress=progress)
    if progress is not None:
        progress("solving", sector=1, sectors=1, sectors_done=0)
    return solve_single(problem, seconds=seconds, seed=seed, progress=progress)
