"""One piece of work, and several at once: a seed portfolio (keep the best plan) and job runners.

PyVRP searches on one core. A second search with another seed on the second core, for the same wall time,
cooperates with the first: every tenth of the budget each posts its best plan on a shared board
(`SharedBoard`, shared memory inherited by the forked processes) and carries on from the better of its own
and the posted one, so each core's finds feed the other's search; the best plan wins. `manage.py
solve_vrplib` and the benchmarks use it; the station planner runs one process (`solve(...,
processes=ROUTES_SOLVER_PROCESSES)`, default 1) or scales across Celery workers instead
(`ROUTES_CHORD_WORKERS`), since a Celery prefork worker may not fork children.

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


class SharedBoard:
    """The best plan cooperating searches have posted, in shared memory (inherited by forked processes):
    a cost and the routes flattened as `[routes, (vehicle_type, length, clients...)...]`."""

    def __init__(self, context, clients: int):
        self.lock = context.Lock()
        self.cost = context.RawValue("q", 2**62)
        self.cells = context.RawArray("i", 1 + 3 * (clients + 1) + clients)

    def exchange(self, routes, cost):
        with self.lock:
            if cost < self.cost.value:
                flat = [len(routes)]
                for kind, visits in routes:
                    flat += [kind, len(visits), *visits]
                self.cells[:len(flat)] = flat
                self.cost.value = cost
                return None
            if self.cost.value < cost:
                flat, out, at = self.cells, [], 1
                for _ in range(flat[0]):
                    kind, length = flat[at], flat[at + 1]
                    out.append((kind, list(flat[at + 2:at + 2 + length])))
                    at += 2 + length
                return out
            return None


_board: SharedBoard | None = None


def _share(board: SharedBoard) -> None:
    global _board
    _board = board


def _solve_one(problem: Problem, seconds: float, seed: int, initial, started: float):
    from routes.solver.pyvrp_adapter import solve

    left = seconds - (time.monotonic() - started)  # the process's start counts against the budget
    return solve(problem, seconds=max(0.1, left), seed=seed, initial=initial, board=_board)


def solve_portfolio(problem: Problem, *, seconds: float, seeds, initial=None) -> Solution:
    """One search per seed, each in its own process, for the same wall time. They cooperate: every tenth of
    the budget each posts its best plan on a shared board and carries on from the best one posted."""
    seeds = list(seeds)
    started = time.monotonic()
    context = multiprocessing.get_context("fork")
    board = SharedBoard(context, len(problem.stops))
    with ProcessPoolExecutor(max_workers=len(seeds), mp_context=context, initializer=_share,
                             initargs=(board,)) as pool:
        futures = [pool.submit(_solve_one, problem, seconds, seed, initial, started) for seed in seeds]
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
