"""Celery tasks: take ids, call one service.

The route-planning engine fans a big station-day out as a chord: one `routes.sector_solve` per
sector (JSON problems: stops, fleet share and the distance provider's spec, never a matrix), and
`routes.sectors_stitch` as the callback. With eager Celery (tests, `make run`) it all runs
in-process. Note: a chord needs a result backend in production (CELERY_RESULT_BACKEND).
"""

import time

from celery import chord, shared_task

from routes.solver import Problem, Solution, solve_single
from routes.solver.decompose import VANS_PER_SECTOR, improve_share, split, stitch


@shared_task(name="routes.sector_solve")
def sector_solve(problem: dict, seconds: float, seed: int = 0) -> dict:
    return solve_single(Problem.from_dict(problem), seconds=seconds, seed=seed).to_dict()


@shared_task(name="routes.sectors_stitch")
def sectors_stitch(solutions: list[dict], problem: dict, sectors: list[list[int]], types: list[list[int]],
                   improve_seconds: float, seed: int = 0) -> dict:
    deadline = time.monotonic() + improve_seconds
    parts = [Solution.from_dict(s) for s in solutions]
    return stitch(Problem.from_dict(problem), sectors, types, parts, deadline=deadline, seed=seed).to_dict()


def solve_in_chord(problem: Problem, *, seconds: float, seed: int = 0, then=None,
                   vans_per_sector: int = VANS_PER_SECTOR):
    """Start the sector chord; `then` (a signature) receives the stitched solution dict.
    Sectors run in parallel on the workers, so each gets the whole sector share of the budget."""
    sectors = split(problem, vans_per_sector=vans_per_sector)
    share = improve_share(problem)
    each = seconds * (1 - share)
    header = [sector_solve.s(s.problem.to_dict(), each, seed + k) for k, s in enumerate(sectors)]
    body = sectors_stitch.s(problem.to_dict(), [s.stops for s in sectors], [s.types for s in sectors],
                            seconds * share, seed)
    return chord(header)(body | then if then is not None else body)


# -- the plan's life -------------------------------------------------------------------------------

@shared_task(name="routes.plan_solution_save", acks_late=True)
def plan_solution_save(solution: dict, plan_id: int) -> None:
    """The chord's last step: save the stitched solution into the plan (ignored if the plan moved on)."""
    from routes.models import Plan
    from routes.services import plan_solution_save as save

    plan = Plan.objects.filter(pk=plan_id).first()
    if plan is not None and plan.context:
        save(plan=plan, context=plan.context, solution=Solution.from_dict(solution))


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
