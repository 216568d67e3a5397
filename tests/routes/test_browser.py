import pytest
from django.utils import timezone
from playwright.sync_api import expect

from routes.models import RouteStop, StopStatus
from tests.conftest import login


@pytest.fixture
def day(station):
    return timezone.now().astimezone(station.tz).date()  # the driver's page shows today's route at the station


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_driver_sees_todays_stops_on_a_phone_and_marks_one_delivered(phone_page, published, screenshot):
    from tests.routes import driver_steps as steps

    page = phone_page
    route = published["route"]
    login(page, published["driver_user"].email)
    page.goto("/routes/today/")
    rows = page.locator("#stops > li")
    assert rows.count() == route.stops.count()
    first = route.stops.order_by("sequence").first()
    # the next stop is drawn by the page's script after the list: wait for it rather than read it at once
    expect(page.locator("#next-stop")).to_have_attribute("data-stop", str(first.pk), timeout=15_000)
    assert page.locator("#ns-geo").get_attribute("href").startswith(f"geo:{first.latitude},{first.longitude}")
    screenshot(page, "routes-driver-today")
    steps.deliver(page)
    page.wait_for_selector(f"#stop-{first.pk}[data-status=delivered]", state="attached")
    assert page.locator("#progress").inner_text().startswith("1/")
    steps.wait_all_saved(page)
    assert RouteStop.objects.get(pk=first.pk).status == StopStatus.DELIVERED
    path = screenshot(page, "routes-driver-delivered")
    assert path.exists()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_admin_sees_the_plan_with_its_map(page, published, make_user, screenshot):
    from accounts.models import Role

    admin = make_user(role=Role.PROGRAM_ADMIN)
    plan = published["plan"]
    login(page, admin.email)
    page.goto(f"/routes/stations/{plan.station.code}/?date={plan.service_date.isoformat()}")
    assert page.locator("#route-map svg path.route").count() == plan.routes.count()
    assert page.locator("#plan-status").inner_text() == "Published"
    assert screenshot(page, "routes-plan").exists()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_admin_starts_a_plan_watches_its_progress_and_sees_the_finished_plan(page, station, day, fleet, imported,
                                                                                  make_user, screenshot, settings):
    from accounts.models import Role

    settings.JOBS_RUN_SYNC = False  # the embedded default: the plan is built on a background thread
    settings.ROUTES_SOLVER_SECONDS = 2  # long enough for the page to show the running job
    imported(60)
    admin = make_user(role=Role.PROGRAM_ADMIN)
    login(page, admin.email)
    page.goto(f"/routes/stations/{station.code}/?date={day.isoformat()}")
    page.click("#plan-build")
    page.wait_for_selector("#plan-job")
    assert page.locator("#plan-build").is_disabled()
    page.wait_for_selector("#plan-job-phase:has-text('Solving')")  # the poll shows the solve under way
    screenshot(page, "routes-plan-progress")
    page.wait_for_selector("#routes-table", timeout=30_000)
    assert page.locator("#plan-job").count() == 0
    assert page.locator("#plan-status").inner_text().strip() == "Ready"
    screenshot(page, "routes-plan-finished")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_admin_imports_a_manifest_watches_its_rows_checked_and_sees_what_was_imported(
        page, station, make_user, screenshot, settings, monkeypatch, tmp_path):
    import threading

    import routes.services.manifest_jobs as manifest_jobs
    from accounts.models import Role
    from routes.models import Package
    from tests.routes.test_manifest_jobs import csv_file, rows

    settings.JOBS_RUN_SYNC = False  # the embedded default: the import runs on a background thread
    settings.JOBS_PROGRESS_EVERY = 0
    page_saw_it, real = threading.Event(), manifest_jobs.job_progress

    def held(job, *, phase=None, **progress):  # the import waits half-way until the page has shown it
        wrote = real(job, phase=phase, **progress)
        if progress.get("rows_checked") == 1000:
            page_saw_it.wait(timeout=30)
        return wrote

    monkeypatch.setattr(manifest_jobs, "job_progress", held)
    path = tmp_path / "manifest.csv"
    path.write_bytes(csv_file(rows(2000)).read())
    login(page, make_user(role=Role.PROGRAM_ADMIN).email)
    page.goto(f"/routes/stations/{station.code}/manifest/")
    page.set_input_files("input[type=file]", str(path))
    page.click("#manifest-preview-button")
    page.wait_for_selector("#manifest-preview:has-text('2000 rows')")
    screenshot(page, "routes-manifest-preview")
    page.click("#manifest-import")
    page.wait_for_selector("#import-job-figures:has-text('1000 of 2000 rows checked')")
    assert "Checking the rows" in page.locator("#import-job-phase").inner_text()
    screenshot(page, "routes-manifest-progress")
    page_saw_it.set()
    page.wait_for_selector("#import-result", timeout=30_000)
    assert "2000 packages imported from 2000 rows" in page.locator("#import-result").inner_text()
    assert page.locator("#import-job").count() == 0
    assert Package.objects.filter(station=station).count() == 2000
    screenshot(page, "routes-manifest-imported")
