from datetime import date

import pytest
from freezegun import freeze_time

from routes.models import Plan, PlanningRun, PlanStatus
from routes.services import manifest_import, plan_publish
from routes.tasks import plan_tomorrow_all

pytestmark = pytest.mark.django_db

TOMORROW = date(2026, 12, 1)
# tick=True: the solver stops on a deadline, so the frozen clock must still move.


@pytest.fixture
def manifest(station, fleet, sample_rows):
    manifest_import(station=station, service_date=TOMORROW, rows=sample_rows[:80])


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
    assert run.result == PlanningRun.Result.PLANNED and run.routes == plan.routes.count() > 0


@freeze_time("2026-12-01 02:00:00", tick=True)
def test_rerunning_the_nightly_batch_leaves_a_published_plan_alone(station, manifest, settings):
    settings.ROUTES_SOLVER_SECONDS = 0.5
    plan_tomorrow_all()
    plan = plan_publish(plan=Plan.objects.get(station=station), allow_unassigned=True, reason="assigned later")
    routes = list(plan.routes.values_list("pk", "driver_id", "vehicle_id"))
    plan_tomorrow_all()
    plan.refresh_from_db()
    assert plan.status == PlanStatus.PUBLISHED
    assert list(plan.routes.values_list("pk", "driver_id", "vehicle_id")) == routes
    assert PlanningRun.objects.order_by("started_at", "id").last().result == PlanningRun.Result.SKIPPED


@freeze_time("2026-12-01 02:00:00", tick=True)
def test_a_failing_station_shows_as_a_failed_run(station, settings):
    settings.ROUTES_SOLVER_SECONDS = 0.5
    plan_tomorrow_all()
    run = PlanningRun.objects.get()
    assert run.result == PlanningRun.Result.FAILED and run.detail
