"""Planning as a job: one at a time per plan, progress while it runs, a dead worker detected, publishing
only with every route assigned (or a logged override)."""

import threading
from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from core.jobs import job_open
from core.models import Job
from routes.models import Plan, PlanEvent, PlanningRun, PlanStatus
from routes.services import PLAN_JOB, plan_build, plan_publish, route_assign, station_plan_night
from routes.services.planning import plan_for_day, plan_move
from tests.onboarding.factories import partner_with_owner

pytestmark = pytest.mark.django_db


def _page(station, day):
    return f"{reverse('routes:plan_detail', args=[station.code])}?date={day.isoformat()}"


def _build(client, station, day):
    return client.post(reverse("routes:plan_build", args=[station.code]), {"date": day.isoformat()})


def _dead_plan(station, day):
    """A plan left optimizing by a worker that died: its job still says running, heard from an hour ago."""
    plan = plan_move(plan_for_day(station=station, service_date=day), PlanStatus.OPTIMIZING)
    job = job_open(kind=PLAN_JOB, subject=plan)
    an_hour_ago = timezone.now() - timedelta(hours=1)
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING, created_at=an_hour_ago, heartbeat_at=an_hour_ago)
    return plan, job


@pytest.fixture
def admin_client(client, make_user, settings):
    settings.ROUTES_SOLVER_SECONDS = 0.5
    client.force_login(make_user(role=Role.PROGRAM_ADMIN))
    return client


def test_a_second_replan_while_one_runs_is_refused_with_a_sentence_on_the_page_and_the_api(
        admin_client, token_client, make_user, station, day, fleet, imported):
    imported(30)
    plan = plan_for_day(station=station, service_date=day)
    running = job_open(kind=PLAN_JOB, subject=plan)  # a live job: just started, not yet heard from

    response = _build(admin_client, station, day)
    assert response.status_code == 302
    assert any("already being optimized" in str(m) for m in get_messages(response.wsgi_request))
    page = admin_client.get(_page(station, day)).content.decode()
    assert 'id="plan-job"' in page and 'id="plan-build" disabled' in page

    api = token_client(make_user(role=Role.INTEGRATOR))
    again = api.post(f"/api/v1/routes/stations/{station.code}/plans/", {"service_date": day.isoformat()},
                     format="json")
    assert again.status_code == 409 and again.json()["code"] == "plan_busy"
    assert "already being optimized" in again.json()["detail"]
    assert list(Job.objects.values_list("pk", flat=True)) == [running.pk]


def test_a_plan_whose_worker_died_is_shown_stuck_and_can_be_planned_again(admin_client, station, day, fleet,
                                                                          imported):
    imported(30)
    plan, dead = _dead_plan(station, day)
    page = admin_client.get(_page(station, day)).content.decode()
    assert 'id="plan-stuck"' in page and 'id="plan-build"' in page and 'id="plan-build" disabled' not in page

    _build(admin_client, station, day)

    plan.refresh_from_db()
    dead.refresh_from_db()
    assert plan.status == PlanStatus.READY and plan.routes.exists()
    assert dead.status == Job.Status.FAILED and "worker stopped" in dead.error
    moves = [(e.from_status, e.to_status) for e in PlanEvent.objects.filter(plan=plan)]
    assert moves[-3:] == [("optimizing", "failed"), ("failed", "optimizing"), ("optimizing", "ready")]


def test_the_nightly_run_replans_a_dead_job_and_skips_a_live_one(station, day, fleet, imported):
    imported(30)
    plan, _dead = _dead_plan(station, day)
    run = station_plan_night(station=station, service_date=day, seconds=0.5)
    assert run.result == PlanningRun.Result.PLANNED
    plan.refresh_from_db()
    assert plan.status == PlanStatus.READY

    job_open(kind=PLAN_JOB, subject=plan)  # someone's re-plan is running now
    run = station_plan_night(station=station, service_date=day, seconds=0.5)
    assert run.result == PlanningRun.Result.SKIPPED and "already being optimized" in run.detail


def _phases(monkeypatch):
    """The phases written to the job's row, in order (a spy around the real write)."""
    import routes.services.planning as planning

    seen, real = [], planning.job_progress

    def spy(job, *, phase=None, **progress):
        wrote = real(job, phase=phase, **progress)
        row = Job.objects.get(pk=job.pk)
        if not seen or seen[-1] != row.phase:
            seen.append(row.phase)
        return wrote

    monkeypatch.setattr(planning, "job_progress", spy)
    return seen


def test_a_solve_writes_its_phases_and_figures_to_the_job_as_it_goes(station, day, fleet, imported, monkeypatch):
    imported(60)
    seen = _phases(monkeypatch)
    plan = plan_build(station=station, service_date=day, seconds=0.5)
    job = Job.objects.get(kind=PLAN_JOB, subject_id=str(plan.pk))
    assert seen == ["hub_split", "building", "solving", "saving"]
    assert job.status == Job.Status.DONE and job.progress["best_m"] == plan.distance_m
    assert job.progress["stops"] > 0 and job.heartbeat_at >= job.started_at


def test_a_split_day_reports_each_sector_then_the_border_repairs(station, day, imported, monkeypatch, settings):
    from tests.routes.factories import partner_with_fleet

    partner_with_fleet(station=station, routes=10, vans=10, drivers=0, capacity=20, on=day)  # ~6 vans: 2 sectors
    settings.ROUTES_DECOMPOSE_ABOVE = 20
    imported(120)
    seen = _phases(monkeypatch)
    plan = plan_build(station=station, service_date=day, seconds=1)
    job = Job.objects.get(kind=PLAN_JOB, subject_id=str(plan.pk))
    assert plan.status == PlanStatus.READY and plan.sectors > 1
    assert seen == ["hub_split", "building", "solving", "repairing", "saving"]
    assert job.progress["sectors"] == job.progress["sectors_done"] == plan.sectors


@pytest.mark.django_db(transaction=True)
def test_on_the_embedded_default_the_plan_is_built_on_a_background_thread(client, make_user, station, day, fleet,
                                                                          imported, settings, monkeypatch):
    import routes.services.planning as planning

    settings.JOBS_RUN_SYNC = False  # the embedded default: eager Celery, the job on a thread of this process
    settings.ROUTES_SOLVER_SECONDS = 0.5
    client.force_login(make_user(role=Role.PROGRAM_ADMIN))
    imported(30)
    ran_on, real = [], planning.plan_build

    def spy(**kwargs):
        ran_on.append(threading.current_thread().name)
        return real(**kwargs)

    monkeypatch.setattr(planning, "plan_build", spy)
    response = _build(client, station, day)
    assert response.status_code == 302
    job = Job.objects.get(kind=PLAN_JOB)
    for thread in [t for t in threading.enumerate() if t.name == f"job-{job.pk}"]:
        thread.join(timeout=60)
    job.refresh_from_db()
    assert ran_on == [f"job-{job.pk}"]
    assert job.status == Job.Status.DONE
    assert Plan.objects.get(station=station, service_date=day).status == PlanStatus.READY


def test_publishing_is_refused_until_every_route_has_a_driver_and_a_van(admin_client, station, day, fleet, imported):
    imported(60)
    plan = plan_build(station=station, service_date=day, seconds=0.5)
    url = reverse("routes:plan_publish", args=[station.code])

    response = admin_client.post(url, {"date": day.isoformat()})

    text = " ".join(str(m) for m in get_messages(response.wsgi_request))
    codes = [r.code for r in plan.routes.select_related("plan__station").order_by("sequence")]
    assert "have no driver and van" in text and all(code in text for code in codes)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.READY


def test_publishing_with_routes_unassigned_needs_a_reason_and_is_logged_naming_them(admin_client, station, day,
                                                                                     fleet, imported):
    _partner, _owner, vans, drivers = fleet
    imported(60)
    plan = plan_build(station=station, service_date=day, seconds=0.5)
    first, *rest = plan.routes.select_related("plan__station").order_by("sequence")
    route_assign(route=first, driver=drivers[0], vehicle=vans[0])
    url = reverse("routes:plan_publish", args=[station.code])

    admin_client.post(url, {"date": day.isoformat(), "allow_unassigned": "1", "reason": ""})
    plan.refresh_from_db()
    assert plan.status == PlanStatus.READY

    admin_client.post(url, {"date": day.isoformat(), "allow_unassigned": "1", "reason": "vans arrive at 7"})
    plan.refresh_from_db()
    assert plan.status == PlanStatus.PUBLISHED
    note = PlanEvent.objects.get(plan=plan, to_status=PlanStatus.PUBLISHED).note
    assert "vans arrive at 7" in note and first.code not in note and all(r.code in note for r in rest)


def test_publishing_with_every_route_assigned_needs_no_override(station, day, fleet, imported):
    partner, _owner, vans, drivers = fleet
    imported(60)
    plan = plan_build(station=station, service_date=day, seconds=0.5)
    for route, van, driver in zip(plan.routes.order_by("sequence"), vans, drivers, strict=False):
        route_assign(route=route, driver=driver, vehicle=van)
    assert plan.routes.filter(driver=None).count() == 0
    assert plan_publish(plan=plan).status == PlanStatus.PUBLISHED


def test_the_api_starts_a_plan_with_202_and_shows_the_job_to_planners_only(token_client, make_user, station, day,
                                                                          fleet, imported, settings):
    settings.ROUTES_SOLVER_SECONDS = 0.5
    imported(30)
    api = token_client(make_user(role=Role.INTEGRATOR))
    started = api.post(f"/api/v1/routes/stations/{station.code}/plans/", {"service_date": day.isoformat()},
                       format="json")
    assert started.status_code == 202
    body = started.json()
    assert body["status"] == "done" and body["url"].endswith(f"/api/v1/routes/jobs/{body['id']}/")
    job = api.get(body["url"]).json()
    assert job["progress"]["phase"] == "saving" and job["progress"]["best_m"] > 0 and job["plan"]

    _other, stranger = partner_with_owner()
    assert token_client(stranger).get(body["url"]).status_code == 404
    assert token_client(fleet[1]).get(body["url"]).status_code == 404


def test_publishing_a_partners_first_route_ends_its_onboarding(station, day, fleet, imported,
                                                               django_capture_on_commit_callbacks):
    from django.utils import timezone

    from onboarding.models import Partner

    partner, _owner, vans, drivers = fleet
    Partner.objects.filter(pk=partner.pk).update(status=Partner.Status.ONBOARDING, training_completed_at=timezone.now())
    imported(60)
    plan = plan_build(station=station, service_date=day, seconds=0.5)
    for route, van, driver in zip(plan.routes.order_by("sequence"), vans, drivers, strict=False):
        route_assign(route=route, driver=driver, vehicle=van)
    with django_capture_on_commit_callbacks(execute=True):
        plan_publish(plan=plan)
    partner.refresh_from_db()
    assert partner.status == Partner.Status.ACTIVE
