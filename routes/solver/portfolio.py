"""One piece of work, and several at once: a seed portfolio (keep the best plan) and job runners.

PyVRP searches on one core. Given the same wall time, a second search with another seed on the
second core finds a plan at least as good as the first (whichever is better wins), so on a
multi-core machine this is free quality. `manage.py solve_vrplib` and the benchmarks use it; the
station planner runs one process (`solve(..., processes=ROUTES_SOLVER_PROCESSES)`, default 1) or scales
across Celery workers instead (`ROUTES_CHORD_WORKERS`), since a Celery prefork worker may not fork children.

A job is `(problem, seconds, seed)` or `(problem, seconds, seed, initial routes)`; a runner turns a list of
jobs into their solutions, in order: here one after another (`run_in_process`) or `processes` at a time
(`process_runner`); `routes.tasks` runs the same jobs as a Celery chord.
"""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor

from routes.solver.types import Problem, Progress, Solution

Job = tuple  # (problem, seconds, seed) or (problem, seconds, seed, initial routes)
Runner = Callable[[list[Job]], list[Solution]]


def rank(solution: Solution) -> tuple:
    """Serve every stop first, then the shortest distance."""
    return len(solution.unassigned), solution.distance


def solve_single(problem: Problem, *, seconds: float, seed: int = 0, initial=None, workers: int = 1,
                 progress: Progress | None = None) -> Solution:
    """One piece. With `workers` > 1, that many searches (seeds `seed`, `seed + 1`, ...) run on as many
    processes for the same wall time and the best plan wins."""
    if workers > 1:
        return solve_portfolio(problem, seconds=seconds, seeds=range(seed, seed + workers), initial=initial)
    from routes.solver.pyvrp_adapter import solve as adapter_solve

    return adapter_solve(problem, seconds=seconds, seed=seed, initial=initial, progress=progress)


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


def run_job(job: Job, progress: Progress | None = None) -> Solution:
    problem, seconds, seed, *initial = job
    return solve_single(problem, seconds=seconds, seed=seed, initial=initial[0] if initial else None,
                        progress=progress)


def run_in_process(jobs: list[Job]) -> list[Solution]:
    return [run_job(job) for job in jobs]


def process_runner(processes: int) -> Runner:
    """A runner solving `processes` jobs at a time, like that many Celery workers would."""

    def run(jobs):
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=processes, mp_context=context) as pool:
            return list(pool.map(run_job, jobs))

    return run
