"""The sector chord a big station-day is solved by, built from the tasks' registered names.

Services start it (`solve_in_chord`) without importing `routes.tasks` (the tasks import services): the
header and callback are `celery.signature("routes.sector_solve", ...)` and friends, which Celery's
registry resolves when the chord is sent. The rounds that follow the stitch live with the tasks
(`routes.tasks.sectors_stitch`, `routes.tasks.border_round_merge`)."""

from celery import chord, signature

from core.jobs import job_report
from core.taskqueue import task_named
from routes.services.engine import chord_workers, solver_limits
from routes.solver import Problem
from routes.solver.decompose import VANS_PER_SECTOR, improve_share, sector_jobs, split


def solve_in_chord(problem: Problem, *, seconds: float, seed: int = 0, then=None,
                   vans_per_sector: int = VANS_PER_SECTOR, job_id: int | None = None):
    """Start the sector chord; `then` (a signature) receives the stitched solution dict. With `job_id`, the
    sectors and the stitch report progress on that job."""
    return sector_chord(problem, seconds=seconds, seed=seed, then=then, vans_per_sector=vans_per_sector,
                        job_id=job_id)()


def sector_chord(problem: Problem, *, seconds: float, seed: int = 0, then=None,
                 vans_per_sector: int = VANS_PER_SECTOR, job_id: int | None = None):
    """The chord signature. Sectors run side by side on ROUTES_CHORD_WORKERS workers (0: one each) and share
    the sector part of the budget accordingly (`sector_jobs`)."""
    task_named("routes.sector_solve")  # the routes tasks are registered (eager Celery runs them from the registry)
    limits = solver_limits()
    sectors = split(problem, vans_per_sector=vans_per_sector)
    jobs = sector_jobs(problem, sectors, seconds=seconds, seed=seed, workers=chord_workers() or len(sectors),
                       limits=limits)
    if job_id is not None:
        job_report(job_id=job_id, phase="solving", sectors=len(sectors), sectors_done=0, left_s=round(seconds, 1))
    header = [signature("routes.sector_solve", args=(sub.to_dict(), each, job_seed, None, job_id))
              for sub, each, job_seed in jobs]
    body = signature("routes.sectors_stitch",
                     args=(problem.to_dict(), [s.stops for s in sectors], [s.types for s in sectors],
                           seconds * improve_share(problem, limits), seed, job_id, limits.to_dict()))
    return chord(header, body | then if then is not None else body)
