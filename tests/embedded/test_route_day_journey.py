"""A route day on the embedded default (SQLite, planning on a background thread after commit, as under `make run`):
the admin uploads a station's manifest and plans it, watching the progress; the owner auto-assigns on the dispatch
page; the admin publishes; the driver opens today's route on a phone and records stop outcomes."""

import csv
import io
import json

import pytest
from django.utils import timezone

from accounts.models import Role
from fleet.upkeep.services import inspection_record
from integrations import signing
from integrations.services import webhook_subscription_create
from routes.models import Package, Plan, PlanStatus, Route, RouteStop, StopStatus
from tests.conftest import login
from tests.embedded.conftest import eventually
from tests.routes import driver_steps as steps
from tests.routes.conftest import SAMPLE
from tests.routes.factories import StationFactory, partner_with_fleet

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def manifest_file(tmp_path, n):
    """The first `n` packages of the Seattle sample, as the CSV a station exports."""
    rows = list(csv.reader(io.StringIO(SAMPLE.read_text())))
    path = tmp_path / "manifest.csv"
    with path.open("w", newline="") as out:
        csv.writer(out).writerows(rows[: n + 1])
    return str(path)


def upload_and_plan(page, station, day, tmp_path, screenshot):
    page.goto("/routes/stations/")
    page.get_by_role("link", name=station.code, exact=True).click()
    page.get_by_role("link", name="Upload manifest").click()
    page.fill("#id_service_date", day.isoformat())
    page.set_input_files("#id_file", manifest_file(tmp_path, 40))
    page.get_by_role("button", name="Preview").click()
    page.get_by_role("button", name="Import").click()
    page.wait_for_selector("#import-result:has-text('40 packages imported')", timeout=30_000)  # the import's job
    screenshot(page, "embedded-route-00-imported")

    page.get_by_role("link", name="Plan for that day").click()
    page.click("#plan-build")
    page.wait_for_selector("#plan-job")  # the request answered at once; the plan is built on a thread
    page.wait_for_selector("#plan-job-phase:has-text('Solving')")  # the fragment's poll shows the solve
    screenshot(page, "embedded-route-01-planning")
    page.wait_for_selector("#routes-table", timeout=30_000)  # done: the page reloads itself to the plan
    assert page.locator("#plan-status").inner_text().strip() == "Ready"
    screenshot(page, "embedded-route-02-plan-ready")


def test_a_route_day_from_manifest_to_driver_outcomes(page, phone_page, make_user, settings, tmp_path, screenshot,
                                                       hook_receiver):
    settings.ROUTES_SOLVER_SECONDS = 2
    assert not settings.JOBS_RUN_SYNC  # planning runs as under `make run`: a background thread after commit
    station = StationFactory(name="Seattle South SEA4", code="sea4")
    day = timezone.now().astimezone(station.tz).date()
    partner, owner, vans, drivers = partner_with_fleet(station=station, routes=2, vans=2, drivers=2, on=day)
    for n, driver in enumerate(drivers):
        driver.user = make_user(role=Role.DRIVER, email=f"driver{n}@rivera-logistics.example")
        driver.save(update_fields=["user"])

    # An integrator's dispatch system listens for published routes.
    _subscription, secret = webhook_subscription_create(
        owner=make_user(role=Role.INTEGRATOR), url=hook_receiver.url, event_types=["route.published"],
        scopes=["routes:read"])

    login(page, make_user(role=Role.PROGRAM_ADMIN).email)
    upload_and_plan(page, station, day, tmp_path, screenshot)
    plan = Plan.objects.get(station=station, service_date=day)
    assert Package.objects.filter(station=station, service_date=day).count() == 40
    assert plan.status == PlanStatus.READY and plan.routes.exists()

    # The owner assigns drivers and vans on the dispatch page.
    page.context.clear_cookies()
    login(page, owner.email)
    page.goto(f"/routes/dispatch/?date={day.isoformat()}")
    page.click("#auto-assign")
    n = plan.routes.count()
    page.wait_for_selector(f"text={'1 route assigned.' if n == 1 else f'{n} routes assigned.'}")
    screenshot(page, "embedded-route-03-dispatch-assigned")
    assert not plan.routes.filter(driver__isnull=True).exists()
    assert not plan.routes.filter(vehicle__isnull=True).exists()

    # The admin publishes: every route has a driver and a van, so nothing to explain.
    page.context.clear_cookies()
    login(page, make_user(role=Role.PROGRAM_ADMIN).email)
    page.goto(f"/routes/stations/{station.code}/?date={day.isoformat()}")
    assert page.locator("#allow-unassigned").count() == 0
    page.get_by_role("button", name="Publish").click()
    page.wait_for_selector("text=Published: partners and drivers are told.")
    assert Plan.objects.get(pk=plan.pk).status == PlanStatus.PUBLISHED
    assert eventually(lambda: hook_receiver.requests)
    (received,) = hook_receiver.requests
    assert signing.verify(secret=secret, header=received.headers["X-DSP-Signature"], body=received.body)
    assert json.loads(received.body)["data"] == {"plan_id": plan.pk, "station": "sea4",
                                                 "service_date": day.isoformat(), "routes": plan.routes.count()}

    # The driver of the first route, on a phone: load-out scans, start, one stop at a time, offline for a while.
    route = Route.objects.filter(plan=plan).order_by("sequence").select_related("driver__user").first()
    # the van's pre-trip inspection first (a route does not start without it; fleet's own journey walks that page)
    inspection_record(vehicle=route.vehicle, driver=route.driver, by=route.driver.user, on_date=route.service_date)
    login(phone_page, route.driver.user.email)
    phone_page.goto("/routes/today/")
    steps.wait_offline_ready(phone_page)
    stops = list(route.stops.order_by("sequence"))
    assert phone_page.locator("#stops > li").count() == len(stops)
    screenshot(phone_page, "embedded-route-04-driver-load-out")
    loaded = list(Package.objects.filter(stop__route=route).values_list("tracking_id", flat=True))
    for code in loaded:
        steps.scan(phone_page, code)
    # each scan is handled asynchronously: wait for the last one to count, then look
    phone_page.wait_for_function("([id, text]) => document.getElementById(id).innerText === text",
                                 arg=["load-count", f"{len(loaded)}/{len(loaded)}"], timeout=10_000)
    assert phone_page.locator("#load-count").inner_text() == f"{len(loaded)}/{len(loaded)}"
    phone_page.click("#btn-start")
    phone_page.wait_for_selector("#phase-stop:not([hidden])")
    first = steps.deliver(phone_page, tmp_path=tmp_path)
    phone_page.context.set_offline(True)
    second = steps.attempt(phone_page, "access_problem")
    phone_page.reload()
    phone_page.wait_for_selector("#phase-stop:not([hidden])")
    assert phone_page.locator("#progress").inner_text() == f"2/{len(stops)}"
    screenshot(phone_page, "embedded-route-05-driver-offline")
    phone_page.context.set_offline(False)
    steps.wait_all_saved(phone_page)
    screenshot(phone_page, "embedded-route-06-driver-saved")

    saved = {s.pk: (s.status, s.attempt_reason) for s in RouteStop.objects.filter(pk__in=[first["id"], second["id"]])}
    assert saved == {first["id"]: (StopStatus.DELIVERED, ""), second["id"]: (StopStatus.ATTEMPTED, "access_problem")}
    assert Route.objects.get(pk=route.pk).status == "started"
