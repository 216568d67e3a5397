"""Several searches at once, one per process: a seed portfolio (keep the best plan) and a sector runner.

PyVRP searches on one core. Given the same wall time, a second search with another seed on the
second core finds a plan at least as good as the first (whichever is better wins), so on a
multi-core machine this is free quality. Used by `solve_vrplib` and the benchmarks; the nightly
planner scales across Celery workers instead (a Celery prefork worker may not fork children),
so `ROUTES_SOLVER_WORKERS` defaults to 1 there.
"""

from __future__ import annotations

import multiprocessing
import time
from concurrent.futures import ProcessPoolExecutor

from routes.solver.types import Problem, Solution


def rank(solution: Solution) -> tuple:
    """Serve every stop first, then the shortest distance."""
    return len(solution.unassigned), solution.distance


def _solve_one(problem: Problem, seconds: float, seed: int, initial):
    from routes.solver.pyvrp_adapter import solve

    return solve(problem, seconds=seconds, seed=seed, initial=initial)


def solve_portfolio(problem: Problem, *, seconds: float, seeds, initial=None) -> Solution:
    seeds = list(seeds)
    started = time.monotonic()
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=len(seeds), mp_context=context) as pool:
        futures = [pool.submit(_solve_one, problem, seconds, seed, initial) for seed in seeds]
        solutions = [future.result() for future in futures]
    best = min(solutions, key=rank)
    best.seconds = round(time.monotonic() - started, 3)
    return best


def _solve_job(job):
    from routes.solver.decompose import run_job

    return run_job(job)


def process_runner(processes: int):
    """A `decompose.Runner` solving `processes` sectors at a time, like that many Celery workers would."""

    def run(jobs):
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=processes, mp_context=context) as pool:
            return list(pool.map(_solve_job, jobs))

    return run
