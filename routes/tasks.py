"""Celery tasks: take ids, call one service.

The route-planning engine fans a big station-day out as chords of the same jobs and rounds the in-process
runner uses (`routes.solver.decompose`: `sector_jobs`, `combine`, `next_round`, `apply_round`): one
`routes.sector_solve` per sector (JSON problems: stops, fleet share and the distance provider's spec,
never a matrix) with `routes.sectors_stitch` as the callback, then one chord per improvement round
(`routes.sector_solve` per job, `routes.border_round_merge` as the callback): the whole-day search on a day
that fits one, border repairs of groups of routes on a bigger one. The tasks only carry JSON between those
functions. With eager Celery (tests, `make run`) it all runs in-process. Note: a chord needs a result
backend in production (CELERY_RESULT_BACKEND). The first chord is built by name in
`routes.services.chords` (services start it without importing this module).
"""

import os
import time

from celery import chord, shared_task

from core.jobs import job_progress_add, job_report, job_run
from routes.services.engine import chord_workers, solver_limits
from routes.solver import Limits, Problem, Solution, solve_single
from routes.solver.decompose import Round, apply_round, combine, next_round


@shared_task(name="routes.sector_solve")
def sector_solve(problem: dict, seconds: float, seed: int = 0, initial: list | None = None,
                 job_id: int | None = None) -> dict:
    """One job: a sector, a group of routes across sector borders or the whole day, warm-started from
    `initial` (`[vehicle_type, stops]` pairs). A sector of a plan's job counts itself done on that job."""
    warm = [(kind, stops) for kind, stops in initial] if initial else None
    solution = solve_single(Problem.from_dict(problem), seconds=seconds, seed=seed, initial=warm)
    if job_id is not None:
        job_progress_add(job_id=job_id, add={"sectors_done": 1, "best_m": solution.distance})
    return solution.to_dict()


@shared_task(name="routes.sectors_stitch", bind=True)
def sectors_stitch(self, solutions: list[dict], problem: dict, sectors: list[list[int]], types: list[list[int]],
                   improve_seconds: float, seed: int = 0, job_id: int | None = None,
                   limits: dict | None = None) -> dict:
    """The sector chord's callback: combine the sector plans, then the first improvement round (this task is
    replaced by its chord, so whatever follows receives the improved plan)."""
    parent = Problem.from_dict(problem)
    parts = [Solution.from_dict(s) for s in solutions]
    if job_id is not None:
        job_report(job_id=job_id, phase="repairing", sectors_done=len(parts), best_m=sum(p.distance for p in parts),
                   left_s=round(improve_seconds, 1))
    plan = combine(parent, sectors, types, parts, seed=seed)
    return _round_next(self, parent, problem, plan, 0, time.time() + improve_seconds, seed, limits)


@shared_task(name="routes.border_round_merge", bind=True)
def border_round_merge(self, results: list[dict], problem: dict, solution: dict, step: dict, round_: int,
                       deadline: float, seed: int = 0, limits: dict | None = None) -> dict:
    """A round's chord callback: keep what improved the plan, then the next round."""
    plan = apply_round(Solution.from_dict(solution), Round.from_dict(step), [Solution.from_dict(r) for r in results])
    return _round_next(self, Problem.from_dict(problem), problem, plan, round_ + 1, deadline, seed, limits)


def _round_next(task, parent: Problem, problem: dict, plan: Solution, round_: int, deadline: float, seed: int,
                limits: dict | None) -> dict:
    step = next_round(parent, plan, round_, deadline - time.time(), seed=seed, workers=chord_workers(),
                      limits=Limits(**limits) if limits else solver_limits())
    if step is None:
        return plan.to_dict()
    header = [sector_solve.s(sub.to_dict(), seconds, job_seed, initial) for sub, seconds, job_seed, initial
              in step.jobs]
    body = border_round_merge.s(problem, plan.to_dict(), step.to_dict(), round_, deadline, seed, limits)
    return task.replace(chord(header, body))


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
    and end the plan's job (and the night's run waiting for it)."""
    from routes.services import plan_solution_save_for_job
    from routes.services.nightly import night_plan_settled

    try:
        plan_solution_save_for_job(plan_id=plan_id, job_id=job_id, solution=Solution.from_dict(solution))
    finally:
        night_plan_settled(plan_id=plan_id)


@shared_task(name="routes.station_plan_night", bind=True, acks_late=True, autoretry_for=(ConnectionError,),
             max_retries=20, retry_backoff=True)
def station_plan_night(self, station_id: int, run_id: int | None = None) -> None:
    """One station of the night (its run, when started by `night_start`). A run another live worker is planning
    comes back later; the run's own attempts are bounded by ROUTES_NIGHT_ATTEMPTS."""
    from routes.models import Station
    from routes.services import station_plan_night as plan_night
    from routes.services.nightly import NightBusy, night_run_plan

    if run_id is None:
        station = Station.objects.filter(pk=station_id, active=True).first()
        if station is not None:
            plan_night(station=station)
        return
    try:
        night_run_plan(run_id=run_id, worker=f"{self.request.hostname or 'local'} pid {os.getpid()}")
    except NightBusy as busy:
        raise self.retry(countdown=busy.after) from None


@shared_task(name="routes.plan_tomorrow_all")
def plan_tomorrow_all() -> int:
    """Celery beat, nightly: record tonight's run and send one task per active station (fan-out)."""
    from routes.services.nightly import night_start

    return night_start().stations


@shared_task(name="routes.night_sweep")
def night_sweep() -> int:
    """Celery beat, every few minutes: the night's stations nobody is working on are sent again."""
    from routes.services.nightly import night_sweep as sweep

    return sweep()


@shared_task(name="routes.positions_purge")
def positions_purge() -> int:
    """Nightly: drivers' positions older than the program's retention (LiveSettings) are deleted."""
    from routes.services.live import positions_purge as purge

    return purge()


@shared_task(name="routes.recipient_mails_send", acks_late=True, ignore_result=True)
def recipient_mails_send(email_ids: list[int]) -> None:
    """After a batch of stop outcomes commits: send its recipients' e-mails (core.mail's outbox rows, each leased,
    so a duplicate task sends nothing; what fails waits for `mail_sweep`). One task for many e-mails: a broker
    message per e-mail cost the batch more than everything else it does."""
    from core.mail import outbox_email_send

    for email_id in email_ids:
        outbox_email_send(email_id=email_id)
