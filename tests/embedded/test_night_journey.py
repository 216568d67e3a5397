"""The national night on the embedded default (SQLite, tasks in-process): the nightly job plans every active
station's tomorrow; a station with no manifest fails after its bounded attempts without holding the other back;
the admin reads the night on /routes/runs/ (states, worker, attempts, stations done over time) and the API."""

from datetime import timedelta

import pytest

from accounts.models import Role
from routes.models import PlanningNight, PlanningRun, PlanStatus
from routes.services import manifest_import, manifest_rows_from_csv
from routes.tasks import plan_tomorrow_all
from tests.conftest import login
from tests.routes.conftest import SAMPLE
from tests.routes.factories import StationFactory, partner_with_fleet

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_the_night_plans_every_station_and_the_admin_watches_it(page, make_user, settings, screenshot):
    settings.ROUTES_SOLVER_SECONDS = 1
    settings.ROUTES_NIGHT_RETRY_SECONDS = 0
    settings.ROUTES_NIGHT_ATTEMPTS = 2
    good = StationFactory(name="Seattle South SEA7", code="sea7")
    empty = StationFactory(name="Tacoma TAC1", code="tac1")  # no manifest tonight
    tomorrow = good.local_today() + timedelta(days=1)
    partner_with_fleet(station=good, routes=2, vans=2, drivers=2, on=tomorrow)
    manifest_import(station=good, service_date=tomorrow, rows=manifest_rows_from_csv(SAMPLE.read_bytes())[:40])

    assert plan_tomorrow_all() == 2  # beat's task; on the embedded default each station runs in-process

    night = PlanningNight.objects.get()
    saved, failed = PlanningRun.objects.get(station=good), PlanningRun.objects.get(station=empty)
    assert saved.result == PlanningRun.Result.PLANNED and saved.plan.status == PlanStatus.READY
    assert failed.result == PlanningRun.Result.FAILED and failed.attempts == 2 and "No packages" in failed.detail
    assert night.status == PlanningNight.Status.FINISHED

    login(page, make_user(role=Role.PROGRAM_ADMIN).email)
    page.goto("/routes/runs/")
    page.wait_for_selector("#night-chart")
    assert "Stations done over time: 2 of 2" in page.inner_html("#night-chart")
    assert page.locator("#night-runs tr.run-planned").inner_text().startswith("sea7")
    assert "No packages to plan for this day." in page.locator("#night-runs tr.run-failed").inner_text()
    screenshot(page, "embedded-night-00-runs")

    body = page.request.get(f"/api/v1/routes/nights/{night.pk}/").json()
    assert body["counts"]["planned"] == 1 and body["counts"]["failed"] == 1 and len(body["done_over_time"]) == 2
