"""The nightly batch: one PlanningNight, one PlanningRun per active station, one solver task per run.

`night_start` (Celery beat, or an admin) records the night and its stations as queued and sends one
`routes.station_plan_night` task each after commit. The task calls `night_run_plan`, which claims the run
under a row lock (queued -> running, on this worker, one more attempt) and plans the station's tomorrow:

- saved (planned), or left running while a chord solves a big day (`night_plan_settled` ends it);
- a published plan is never replaced (skipped), nor one a person is re-planning right now (skipped);
- a failure goes back to queued and is sent again after ROUTES_NIGHT_RETRY_SECONDS, until ROUTES_NIGHT_ATTEMPTS
  attempts are spent: then failed, with the reason. Other stations never wait for it.
- a worker killed mid-plan: the broker hands the unacknowledged message to another worker (acks_late), which
  finds the run still running under a job nobody reports on (stale) and takes it over, as one more attempt.
  While that job is still live the message is put back for later (`NightBusy`), so a station is never planned
  by two workers at once.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.errors import Conflict, DomainError
from core.servicedays import service_today
from core.taskqueue import task_named
from routes.models import Package, Plan, PlanningNight, PlanningRun, PlanStatus, Station
from routes.services.notify import partners_dealt_notify
from routes.services.planning import plan_build, plan_for_day, plan_live_job

logger = logging.getLogger(__name__)
R = PlanningRun.Result
_NOT_SENT = gettext_lazy("The task queue could not be reached; the night's sweep sends it again.")


class NightBusy(Exception):
    """The run is being planned right now by a live worker; ask again in `after` seconds."""

    def __init__(self, after: int):
        super().__init__(after)
        self.after = after


def station_tomorrow(station: Station):
    return station.local_today() + timedelta(days=1)


# -- the night ----------------------------------------------------------------------------------------

def night_start(*, now=None) -> PlanningNight:
    """Record tonight (one per program service day) with every active station not in it yet, queued, and send
    their tasks after commit. Safe to call twice: the second call adds only stations activated since."""
    now = now or timezone.now()
    with transaction.atomic():
        night, _created = PlanningNight.objects.get_or_create(night_of=service_today(now=now),
                                                              defaults={"started_at": now})
        night = PlanningNight.objects.select_for_update().get(pk=night.pk)
        stations = list(Station.objects.filter(active=True).exclude(runs__night=night).order_by("code"))
        days = {s.pk: station_tomorrow(s) for s in stations}
        counts = _package_counts(days)
        runs = PlanningRun.objects.bulk_create([
            PlanningRun(night=night, station=s, service_date=days[s.pk], result=R.QUEUED, started_at=now,
                        packages=counts.get((s.pk, days[s.pk]), 0)) for s in stations])
        night.stations = night.runs.count()
        if runs:
            night.status, night.finished_at = PlanningNight.Status.RUNNING, None
        night.save(update_fields=["stations", "status", "finished_at"])
        transaction.on_commit(lambda: _send_all([(r.station_id, r.pk) for r in runs]))
    return night


def _package_counts(days: dict) -> dict:
    rows = (Package.objects.filter(station_id__in=list(days), service_date__in=set(days.values()))
            .values("station_id", "service_date").annotate(n=Count("pk")))
    return {(r["station_id"], r["service_date"]): r["n"] for r in rows}


def _send_all(pairs) -> None:
    for station_id, run_id in pairs:
        _send(station_id, run_id)


def _send(station_id: int, run_id: int, countdown: int | None = None) -> None:
    try:
        task_named("routes.station_plan_night").apply_async(args=[station_id], kwargs={"run_id": run_id},
                                                            countdown=countdown)
    except Exception:  # the broker is down: the run stays queued and says so; the next start re-sends it
        logger.exception("could not queue the night's run %s", run_id)
        PlanningRun.objects.filter(pk=run_id, result=R.QUEUED).update(detail=str(_NOT_SENT))


def night_sweep() -> int:
    """Beat, every few minutes: send again the running night's stations nobody is working on (their worker was
    killed by a hard time limit, or the message was lost): a running run whose plan job is no longer live, or a
    queued run whose task could not be sent. The claim decides; attempts stay bounded. Returns how many."""
    runs = list(PlanningRun.objects.filter(night__status=PlanningNight.Status.RUNNING, result__in=PlanningRun.ACTIVE)
                .select_related("plan"))
    lost = [r for r in runs if (r.result == R.RUNNING and r.plan_id and plan_live_job(plan=r.plan) is None
                                and timezone.now() - r.started_at > timedelta(seconds=settings.JOBS_LEASE_SECONDS))
            or (r.result == R.QUEUED and r.detail.startswith(str(_NOT_SENT)))]
    for run in lost:
        _send(run.station_id, run.pk)
    return len(lost)


def night_settle(*, night_id: int | None) -> None:
    """Mark the night finished once no station is queued or running (the last run to end does it)."""
    if night_id is None or PlanningRun.objects.filter(night_id=night_id, result__in=PlanningRun.ACTIVE).exists():
        return
    last = PlanningRun.objects.filter(night_id=night_id).order_by("-finished_at").values_list("finished_at",
                                                                                              flat=True).first()
    PlanningNight.objects.filter(pk=night_id, finished_at__isnull=True).update(
        status=PlanningNight.Status.FINISHED, finished_at=last or timezone.now())


# -- one station's run ------------------------------------------------------------------------------------

def station_plan_night(*, station: Station, service_date=None, seconds: float | None = None) -> PlanningRun:
    """Plan one station's day now, in the caller, as a run of its own (no night, no retries)."""
    day = service_date or station_tomorrow(station)
    run = PlanningRun.objects.create(station=station, service_date=day,
                                     packages=Package.objects.filter(station=station, service_date=day).count())
    return _plan(run, seconds=seconds, retry=False)


def night_run_plan(*, run_id: int, worker: str = "", seconds: float | None = None) -> PlanningRun | None:
    """The task's side: claim the run and plan it. None when there is nothing to do (already done, or a
    redelivered message of a finished run). Raises NightBusy while another live worker plans it."""
    run = _claim(run_id, worker)
    return None if run is None else _plan(run, seconds=seconds, retry=True)


def _claim(run_id: int, worker: str) -> PlanningRun | None:
    with transaction.atomic():
        run = PlanningRun.objects.select_for_update().select_related("station").filter(pk=run_id).first()
        if run is None or run.result not in PlanningRun.ACTIVE:
            return None
        if run.result == R.RUNNING and run.plan_id is not None:
            job = plan_live_job(plan=run.plan)
            if job is not None:  # its worker still reports: let it finish; this message comes back later
                raise NightBusy(after=job.lease_seconds)
        if run.attempts >= settings.ROUTES_NIGHT_ATTEMPTS:  # its last attempt's worker died
            _finish(run, R.FAILED, _("The planning worker stopped %(n)s times; giving up on this night.")
                    % {"n": run.attempts})
            return None
        plan = plan_for_day(station=run.station, service_date=run.service_date)
        run.result, run.plan, run.worker = R.RUNNING, plan, worker[:200]
        run.attempts += 1
        run.started_at, run.finished_at = timezone.now(), None
        run.save(update_fields=["result", "plan", "worker", "attempts", "started_at", "finished_at"])
    return run


def _plan(run: PlanningRun, *, seconds: float | None, retry: bool) -> PlanningRun:
    station, day = run.station, run.service_date
    existing = Plan.objects.filter(station=station, service_date=day).first()
    if existing and existing.status == PlanStatus.PUBLISHED:
        return _finish(run, R.SKIPPED, _("plan is %(status)s") % {"status": existing.status},
                       existing.routes.count())
    try:
        plan = plan_build(station=station, service_date=day, seconds=seconds)
    except Conflict as exc:  # being planned right now (a person's re-plan), or published meanwhile
        return _finish(run, R.SKIPPED, exc.detail, existing.routes.count() if existing else 0)
    except DomainError as exc:
        return _failed(run, exc.detail, retry)
    except Exception as exc:
        logger.exception("nightly planning of %s failed", station.code)
        return _failed(run, exc.__class__.__name__, retry)
    if plan.status == PlanStatus.FAILED:
        return _failed(run, plan.failure_reason, retry)
    if plan.status == PlanStatus.OPTIMIZING:  # a chord solves it; its last step ends this run
        return run
    partners_dealt_notify(plan_id=plan.pk)
    return _finish(run, R.PLANNED, plan.get_status_display(), plan.routes.count())


def _failed(run: PlanningRun, reason: str, retry: bool) -> PlanningRun:
    if not retry or run.attempts >= settings.ROUTES_NIGHT_ATTEMPTS:
        return _finish(run, R.FAILED, reason)
    PlanningRun.objects.filter(pk=run.pk, result=R.RUNNING).update(
        result=R.QUEUED, detail=(_("Attempt %(n)s failed (%(reason)s); trying again.")
                                 % {"n": run.attempts, "reason": reason})[:2000])
    run.result = R.QUEUED
    transaction.on_commit(lambda: _send(run.station_id, run.pk, countdown=settings.ROUTES_NIGHT_RETRY_SECONDS))
    return run


def night_plan_settled(*, plan_id: int) -> None:
    """A chord's plan was saved (or failed saving): end the night's run still waiting for it."""
    plan = Plan.objects.filter(pk=plan_id).first()
    run = PlanningRun.objects.filter(plan_id=plan_id, result=R.RUNNING).order_by("-started_at").first()
    if plan is None or run is None:
        return
    if plan.status == PlanStatus.READY:
        partners_dealt_notify(plan_id=plan.pk)
        _finish(run, R.PLANNED, plan.get_status_display(), plan.routes.count())
    elif plan.status == PlanStatus.FAILED:
        _finish(run, R.FAILED, plan.failure_reason)


def _finish(run: PlanningRun, result, detail="", routes=0) -> PlanningRun:
    run.result, run.detail, run.routes, run.finished_at = result, str(detail)[:2000], routes, timezone.now()
    run.save(update_fields=["result", "detail", "routes", "finished_at"])
    if run.night_id is not None:
        transaction.on_commit(lambda: night_settle(night_id=run.night_id))
    return run
