from datetime import date, timedelta

import pytest
from django.utils import timezone
from freezegun import freeze_time

from core.jobs import job_open
from core.models import Job
from routes.models import Plan, PlanEvent, PlanningNight, PlanningRun, PlanStatus
from routes.services import PLAN_JOB, manifest_import, plan_build, plan_publish
from routes.services.nightly import NightBusy, night_run_plan, night_start, night_sweep
from routes.services.planning import plan_for_day, plan_move
from routes.tasks import plan_tomorrow_all
from tests.routes.factories import StationFactory

pytestmark = pytest.mark.django_db

TOMORROW = date(2026, 12, 1)
R = PlanningRun.Result
# tick=True: the solver stops on a deadline, so the frozen clock must still move.


@pytest.fixture
def manifest(station, fleet, sample_rows):
    manifest_import(station=station, service_date=TOMORROW, rows=sample_rows[:80])


@pytest.fixture
def night(settings, django_capture_on_commit_callbacks):
    """Start the night and run its tasks (eagerly, as the embedded default does)."""
    settings.ROUTES_SOLVER_SECONDS = 0.5
    settings.ROUTES_NIGHT_RETRY_SECONDS = 0

    def start():
        with django_capture_on_commit_callbacks(execute=True):
            night_start()
        return PlanningNight.objects.get()

    return start


@freeze_time("2026-12-01 02:00:00", tick=True)  # 18:00 on Nov 30 in Seattle: tomorrow there is Dec 1
def test_the_nightly_batch_plans_tomorrow_for_each_active_station(station, manifest, fleet, settings, mailoutbox,
                                                                  django_capture_on_commit_callbacks):
    settings.ROUTES_SOLVER_SECONDS = 0.5
    with django_capture_on_commit_callbacks(execute=True):
        assert plan_tomorrow_all() == 1
    assert [m.to for m in mailoutbox] == [[fleet[1].email]]
    plan = Plan.objects.get(station=station)
    assert plan.service_date == TOMORROW and plan.status == PlanStatus.READY
    run = PlanningRun.objects.get()
    assert run.result == R.PLANNED and run.routes == plan.routes.count() > 0
    assert run.plan == plan and run.attempts == 1 and run.worker and run.packages == 80
    night = PlanningNight.objects.get()
    assert run.night == night and night.stations == 1
    assert night.status == PlanningNight.Status.FINISHED and night.finished_at == run.finished_at


@freeze_time("2026-12-01 02:00:00", tick=True)
def test_starting_the_night_twice_keeps_one_night_with_each_station_once(station, manifest, night):
    first = night()
    later = StationFactory()  # activated after the night started: the second start adds it, and only it

    second = night()

    assert second == first and second.stations == 2
    assert sorted(PlanningRun.objects.values_list("station_id", flat=True)) == sorted([station.pk, later.pk])
    assert PlanningRun.objects.get(station=station).attempts == 1  # not planned again
    assert PlanEvent.objects.filter(plan__station=station, to_status=PlanStatus.READY).count() == 1


@freeze_time("2026-12-01 02:00:00", tick=True)
def test_the_night_leaves_a_published_plan_alone(station, manifest, night):
    plan = plan_publish(plan=plan_build(station=station, service_date=TOMORROW, seconds=0.5), allow_unassigned=True,
                        reason="assigned later")
    routes = list(plan.routes.values_list("pk", "driver_id", "vehicle_id"))

    night()

    plan.refresh_from_db()
    assert plan.status == PlanStatus.PUBLISHED
    assert list(plan.routes.values_list("pk", "driver_id", "vehicle_id")) == routes
    assert PlanningRun.objects.get().result == R.SKIPPED


@freeze_time("2026-12-01 02:00:00", tick=True)
def test_a_failing_station_is_retried_a_bounded_number_of_times_and_never_blocks_the_others(
        station, manifest, night, settings):
    settings.ROUTES_NIGHT_ATTEMPTS = 3
    empty = StationFactory()  # no manifest, no fleet: fails every time

    done = night()

    bad, good = PlanningRun.objects.get(station=empty), PlanningRun.objects.get(station=station)
    assert bad.result == R.FAILED and bad.attempts == 3 and "No packages" in bad.detail
    assert good.result == R.PLANNED and good.attempts == 1
    done.refresh_from_db()
    assert done.status == PlanningNight.Status.FINISHED


@freeze_time("2026-12-01 02:00:00", tick=True)
def test_a_redelivered_message_of_a_finished_run_plans_nothing(station, manifest, night):
    night()
    run = PlanningRun.objects.get()

    assert night_run_plan(run_id=run.pk, worker="late") is None

    run.refresh_from_db()
    assert run.worker != "late" and run.attempts == 1
    assert PlanEvent.objects.filter(plan__station=station, to_status=PlanStatus.READY).count() == 1


def _running_run(station, *, heard_ago: timedelta):
    """A night's run a worker claimed and was planning when last heard from `heard_ago`."""
    now = timezone.now()
    the_night, _ = PlanningNight.objects.get_or_create(night_of=TOMORROW - timedelta(days=1))
    plan = plan_move(plan_for_day(station=station, service_date=TOMORROW), PlanStatus.OPTIMIZING)
    job = job_open(kind=PLAN_JOB, subject=plan)
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING, created_at=now - heard_ago,
                                         heartbeat_at=now - heard_ago)
    run = PlanningRun.objects.create(night=the_night, station=station, service_date=TOMORROW, plan=plan,
                                     result=R.RUNNING, attempts=1, worker="first pid 1")
    return run, job


@freeze_time("2026-12-01 02:00:00", tick=True)
def test_a_run_its_live_worker_is_planning_is_left_to_it(station, manifest, settings):
    run, _job = _running_run(station, heard_ago=timedelta(seconds=5))

    with pytest.raises(NightBusy):
        night_run_plan(run_id=run.pk, worker="second pid 2", seconds=0.5)

    run.refresh_from_db()
    assert run.result == R.RUNNING and run.worker == "first pid 1" and run.attempts == 1


@freeze_time("2026-12-01 02:00:00", tick=True)
def test_a_run_whose_worker_died_is_taken_over_and_planned_once(station, manifest, settings):
    run, dead = _running_run(station, heard_ago=timedelta(hours=1))

    night_run_plan(run_id=run.pk, worker="second pid 2", seconds=0.5)

    run.refresh_from_db()
    dead.refresh_from_db()
    assert run.result == R.PLANNED and run.worker == "second pid 2" and run.attempts == 2
    assert dead.status == Job.Status.FAILED
    assert PlanEvent.objects.filter(plan=run.plan, to_status=PlanStatus.READY).count() == 1


@freeze_time("2026-12-01 02:00:00", tick=True)
def test_a_station_that_keeps_killing_its_worker_fails_after_its_attempts(station, manifest, settings):
    settings.ROUTES_NIGHT_ATTEMPTS = 1
    run, _dead = _running_run(station, heard_ago=timedelta(hours=1))

    night_run_plan(run_id=run.pk, worker="second pid 2", seconds=0.5)

    run.refresh_from_db()
    assert run.result == R.FAILED and "stopped 1 times" in run.detail


@freeze_time("2026-12-01 02:00:00", tick=True)
def test_the_sweep_sends_again_a_station_nobody_is_working_on(station, manifest, settings,
                                                              django_capture_on_commit_callbacks):
    settings.ROUTES_SOLVER_SECONDS = 0.5
    run, _dead = _running_run(station, heard_ago=timedelta(hours=1))  # killed by its hard time limit: no message
    PlanningRun.objects.filter(pk=run.pk).update(started_at=timezone.now() - timedelta(hours=1))
    alive_station = StationFactory()
    alive, _job = _running_run(alive_station, heard_ago=timedelta(seconds=1))

    with django_capture_on_commit_callbacks(execute=True):
        assert night_sweep() == 1

    run.refresh_from_db()
    assert run.result == R.PLANNED and run.attempts == 2
    alive.refresh_from_db()
    assert alive.result == R.RUNNING and alive.attempts == 1
