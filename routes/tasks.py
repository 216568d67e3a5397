"""Celery tasks: take ids, call one service.

The route-planning engine fans a big station-day out as a chord: one `routes.sector_solve` per
sector (JSON problems: stops, fleet share and the distance provider's spec, never a matrix), and
`routes.sectors_stitch` as the callback; a day too big for one whole search then has its sector borders
repaired by one more chord per round (`routes.sector_solve` per group of routes, `routes.border_round_merge`).
With eager Celery (tests, `make run`) it all runs in-process. Note: a chord needs a result backend in
production (CELERY_RESULT_BACKEND).
"""

import time

from celery import chord, shared_task

from core.jobs import job_progress_add, job_report, job_run
from routes.solver import Problem, Solution, solve_single
from routes.solver.decompose import (
    VANS_PER_SECTOR,
    border_round,
    border_round_apply,
    improve_share,
    polishes_whole,
    solution_of,
    split,
    stitch,
)


@shared_task(name="routes.sector_solve")
def sector_solve(problem: dict, seconds: float, seed: int = 0, initial: list | None = None,
                 job_id: int | None = None) -> dict:
    """One sector, or one group of routes across sector borders warm-started from `initial`
    (`[vehicle_type, stops]` pairs). A sector of a plan's job counts itself done on that job."""
    warm = [(kind, stops) for kind, stops in initial] if initial else None
    solution = solve_single(Problem.from_dict(problem), seconds=seconds, seed=seed, initial=warm)
    if job_id is not None:
        job_progress_add(job_id=job_id, add={"sectors_done": 1, "best_m": solution.distance})
    return solution.to_dict()


@shared_task(name="routes.sectors_stitch", bind=True)
def sectors_stitch(self, solutions: list[dict], problem: dict, sectors: list[list[int]], types: list[list[int]],
                   improve_seconds: float, seed: int = 0, job_id: int | None = None) -> dict:
    """The sector chord's callback: stitch, then improve. A day that fits one search is polished whole
    here; a bigger one has its borders repaired by further chords of route groups, one per round (this
    task is replaced by them, so whatever follows it receives the repaired plan)."""
    parent = Problem.from_dict(problem)
    parts = [Solution.from_dict(s) for s in solutions]
    if job_id is not None:
        job_report(job_id=job_id, phase="repairing", sectors_done=len(parts), best_m=sum(p.distance for p in parts),
                   left_s=round(improve_seconds, 1))
    if polishes_whole(parent):
        return stitch(parent, sectors, types, parts, deadline=time.monotonic() + improve_seconds, seed=seed).to_dict()
    stitched = stitch(parent, sectors, types, parts, deadline=time.monotonic(), seed=seed)
    return _border_round_next(self, parent, problem, stitched, 0, time.time() + improve_seconds, seed)


@shared_task(name="routes.border_round_merge", bind=True)
def border_round_merge(self, results: list[dict], problem: dict, solution: dict, groups: list[list[int]],
                       metas: list[list], round_: int, deadline: float, seed: int = 0) -> dict:
    """A round's chord callback: keep each group's re-solve where it is shorter, then the next round."""
    parent, plan = Problem.from_dict(problem), Solution.from_dict(solution)
    jobs = [(stops, kinds, None) for stops, kinds in metas]
    routes = border_round_apply(plan.routes, groups, jobs, [Solution.from_dict(r) for r in results])
    merged = solution_of(routes, plan.unassigned, sectors=plan.sectors, seconds=plan.seconds)
    return _border_round_next(self, parent, problem, merged, round_ + 1, deadline, seed)


def _chord_workers() -> int | None:
    from django.conf import settings

    return settings.ROUTES_CHORD_WORKERS or None


def _border_round_next(task, parent: Problem, problem: dict, solution: Solution, round_: int, deadline: float,
                       seed: int) -> dict:
    planned = border_round(parent, solution.routes, round_, deadline - time.time(), _chord_workers(), seed)
    if planned is None:
        return solution.to_dict()
    groups, jobs = planned
    header = [sector_solve.s(sub.to_dict(), seconds, job_seed, initial) for _, _, (sub, seconds, job_seed, initial)
              in jobs]
    body = border_round_merge.s(problem, solution.to_dict(), groups, [[stops, kinds] for stops, kinds, _ in jobs],
                                round_, deadline, seed)
    return task.replace(chord(header, body))


def solve_in_chord(problem: Problem, *, seconds: float, seed: int = 0, then=None,
                   vans_per_sector: int = VANS_PER_SECTOR, job_id: int | None = None):
    """Start the sector chord; `then` (a signature) receives the stitched solution dict. With `job_id`, the
    sectors and the stitch report progress on that job."""
    return sector_chord(problem, seconds=seconds, seed=seed, then=then, vans_per_sector=vans_per_sector,
                        job_id=job_id)()


def sector_chord(problem: Problem, *, seconds: float, seed: int = 0, then=None,
                 vans_per_sector: int = VANS_PER_SECTOR, job_id: int | None = None):
    """The chord signature. Sectors run side by side on ROUTES_CHORD_WORKERS workers (0: one each) and share
    the sector part of the budget accordingly."""
    sectors = split(problem, vans_per_sector=vans_per_sector)
    share = improve_share(problem)
    workers = _chord_workers() or len(sectors)
    each = max(0.5, seconds * (1 - share) * min(workers, len(sectors)) / len(sectors))
    if job_id is not None:
        job_report(job_id=job_id, phase="solving", sectors=len(sectors), sectors_done=0, left_s=round(seconds, 1))
    header = [sector_solve.s(s.problem.to_dict(), each, seed + k, None, job_id) for k, s in enumerate(sectors)]
    body = sectors_stitch.s(problem.to_dict(), [s.stops for s in sectors], [s.types for s in sectors],
                            seconds * share, seed, job_id)
    return chord(header, body | then if then is not None else body)


# -- the plan's life -------------------------------------------------------------------------------

@shared_task(name="routes.plan_build_job", acks_late=True)
def plan_build_job(job_id: int) -> None:
    """A person's (or the API's) re-plan: the plan named by the job, planned under it."""
    from routes.services import plan_build_for_job

    job_run(job_id=job_id, work=lambda job: plan_build_for_job(job=job))


@shared_task(name="routes.manifest_import_job", acks_late=True)
def manifest_import_job(job_id: int) -> None:
    """A stored manifest imported under its job (the page's confirm, the API's upload)."""
    from routes.services import manifest_import_for_job

    job_run(job_id=job_id, work=lambda job: manifest_import_for_job(job=job))


@shared_task(name="routes.plan_solution_save", acks_late=True)
def plan_solution_save(solution: dict, plan_id: int, job_id: int | None = None) -> None:
    """The chord's last step: save the stitched solution into the plan (ignored if the plan moved on),
    and end the plan's job."""
    from routes.services import plan_solution_save_for_job

    plan_solution_save_for_job(plan_id=plan_id, job_id=job_id, solution=Solution.from_dict(solution))


@shared_task(name="routes.station_plan_night", acks_late=True, autoretry_for=(ConnectionError,), max_retries=3,
             retry_backoff=True)
def station_plan_night(station_id: int) -> None:
    from routes.models import Station
    from routes.services import station_plan_night as plan_night

    station = Station.objects.filter(pk=station_id, active=True).first()
    if station is not None:
        plan_night(station=station)


@shared_task(name="routes.plan_tomorrow_all")
def plan_tomorrow_all() -> int:
    """Celery beat, nightly: one task per active station (fan-out); each is safe to re-run."""
    from routes.models import Station

    ids = list(Station.objects.filter(active=True).values_list("pk", flat=True))
    for pk in ids:
        station_plan_night.delay(pk)
    return len(ids)


@shared_task(name="routes.positions_purge")
def positions_purge() -> int:
    """Nightly: drivers' positions older than the program's retention (LiveSettings) are deleted."""
    from routes.services.live import positions_purge as purge

    return purge()
