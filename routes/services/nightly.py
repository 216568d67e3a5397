"""The nightly batch, one station at a time (the task fans out one per station).

Safe to re-run: a published plan is never replaced; a ready or failed one is re-planned. The night plans
under the same job as a person's re-plan (one per plan at a time): a plan someone is re-planning right now
is skipped, and one whose job's worker died is planned again."""

import logging

from django.utils import timezone

from core.errors import Conflict, DomainError
from routes.models import Package, Plan, PlanningRun, PlanStatus, Station
from routes.services.notify import partners_dealt_notify
from routes.services.planning import plan_build

logger = logging.getLogger(__name__)


def station_tomorrow(station: Station):
    from datetime import timedelta

    return station.local_today() + timedelta(days=1)


def station_plan_night(*, station: Station, service_date=None, seconds: float | None = None) -> PlanningRun:
    day = service_date or station_tomorrow(station)
    run = PlanningRun.objects.create(station=station, service_date=day,
                                     packages=Package.objects.filter(station=station, service_date=day).count())
    existing = Plan.objects.filter(station=station, service_date=day).first()
    if existing and existing.status == PlanStatus.PUBLISHED:
        return _finish(run, PlanningRun.Result.SKIPPED, f"plan is {existing.status}",
                       existing.routes.count())
    try:
        plan = plan_build(station=station, service_date=day, seconds=seconds)
    except Conflict as exc:  # being planned right now (a person's re-plan), or published meanwhile
        return _finish(run, PlanningRun.Result.SKIPPED, exc.detail, existing.routes.count() if existing else 0)
    except DomainError as exc:
        return _finish(run, PlanningRun.Result.FAILED, exc.detail)
    except Exception as exc:
        logger.exception("nightly planning of %s failed", station.code)
        return _finish(run, PlanningRun.Result.FAILED, exc.__class__.__name__)
    if plan.status == PlanStatus.FAILED:
        return _finish(run, PlanningRun.Result.FAILED, plan.failure_reason)
    if plan.status == PlanStatus.READY:
        partners_dealt_notify(plan_id=plan.pk)
    return _finish(run, PlanningRun.Result.PLANNED, plan.get_status_display(), plan.routes.count())


def _finish(run: PlanningRun, result, detail="", routes=0) -> PlanningRun:
    run.result, run.detail, run.routes, run.finished_at = result, str(detail)[:2000], routes, timezone.now()
    run.save(update_fields=["result", "detail", "routes", "finished_at"])
    return run
