"""Demo routes for `manage.py seed_demo`: the Seattle benchmark station, the demo partner's
commitment, today's plan published with the demo driver on route 1 (so /routes/today/ shows
stops), and tomorrow's manifest planned and ready to publish.

Offline (the manifest is routes/fixtures/seattle-sample.csv) and quick (a short solver budget).
Idempotent: a day that already has a plan is left alone; re-imported rows are no-ops."""

from datetime import time, timedelta
from decimal import Decimal
from pathlib import Path

from accounts.models import User
from core.errors import DomainError
from fleet.models import Driver
from fleet.selectors import vehicles_assignable_many, vehicles_fitting
from onboarding.selectors import partner_for_user
from routes.demo_roster import seed_roster
from routes.models import Package, PartnerCapacity, Plan, PlanStatus, Route, Station, StopKind
from routes.services import (
    manifest_import,
    manifest_rows_from_csv,
    plan_build,
    plan_publish,
    route_assign,
    routes_auto_assign,
)

OWNER = "owner@demo.dspportal.example"
DRIVER = "driver@demo.dspportal.example"
SAMPLE = Path(__file__).resolve().parent / "fixtures" / "seattle-sample.csv"
SECONDS = 1.5
ROUTES_PER_DAY = 4


def _station():
    station, _created = Station.objects.get_or_create(code="sea1", defaults={
        "name": "Seattle South (SEA1)", "latitude": Decimal("47.548000"), "longitude": Decimal("-122.323000"),
        "time_zone": "America/Los_Angeles", "dispatch_start": time(8, 0), "shift_minutes": 660, "speed_kmh": 25.0,
        "circuity": 1.3})
    return station


def _plan_day(station, day, partner, rows, *, publish, log):
    if Plan.objects.filter(station=station, service_date=day).exists():
        return
    manifest_import(station=station, service_date=day, rows=rows)
    plan = plan_build(station=station, service_date=day, seconds=SECONDS)
    if plan.status != PlanStatus.READY:
        log(f"routes: plan for {day} {plan.status}: {plan.failure_reason}")
        return
    if publish:
        _assign_demo_driver(plan, partner, day, log)
        routes_auto_assign(partner=partner, service_date=day)
        plan_publish(plan=plan)


def _assign_demo_driver(plan, partner, day, log):
    driver = Driver.objects.filter(user__email=DRIVER, partner=partner).first()
    route = plan.routes.filter(partner=partner).order_by("sequence").first()
    vans = vehicles_assignable_many(partner_ids=[partner.pk], on_date=day)[partner.pk]
    van = next(iter(vehicles_fitting(vans, load=route.load)), None) if route else None
    if driver is None or route is None or van is None:
        log("routes: no demo driver, route or van to pair; /routes/today/ stays empty")
        return
    try:
        route_assign(route=route, driver=driver, vehicle=van)
    except DomainError as exc:
        log(f"routes: demo driver not assigned ({exc.code})")


DEMO_PIN = "4821"


def _proof_examples(day, log):
    """On the demo driver's route: one stop needs a signature, one an age check (ID and signature), one the
    recipient's PIN, so the phone shows each proof rule (updates only: re-running changes nothing)."""
    route = Route.objects.filter(driver__user__email=DRIVER, service_date=day).first()
    if route is None:
        return
    stops = list(route.stops.filter(kind=StopKind.ADDRESS).order_by("sequence")[:3])
    if len(stops) < 3:
        return
    Package.objects.filter(stop=stops[0]).update(signature_required=True)
    Package.objects.filter(stop=stops[1]).update(age_check_required=True)
    Package.objects.filter(stop=stops[2]).update(delivery_pin=DEMO_PIN)
    log(f"routes: driver's phone: stop {stops[0].sequence} needs a signature, stop {stops[1].sequence} an age "
        f"check, stop {stops[2].sequence} the recipient's PIN {DEMO_PIN}")


def seed(*, log):
    owner = User.objects.filter(email=OWNER).first()
    partner = partner_for_user(user=owner) if owner else None
    if partner is None:
        log("routes: no demo partner; skipped")
        return []
    station = _station()
    for weekday in range(7):
        PartnerCapacity.objects.get_or_create(partner=partner, station=station, weekday=weekday,
                                              defaults={"routes": ROUTES_PER_DAY})
    rows = manifest_rows_from_csv(SAMPLE.read_bytes())
    today = station.local_today()
    seed_roster(station=station, partner=partner, today=today, demo_driver_email=DRIVER, log=log)
    _plan_day(station, today, partner, rows, publish=True, log=log)
    _plan_day(station, today + timedelta(days=1), partner, rows, publish=False, log=log)
    _night_record(station, today + timedelta(days=1), log)
    _proof_examples(today, log)
    plans = Plan.objects.filter(station=station).order_by("service_date")
    log("routes: " + ", ".join(f"{p.service_date} {p.status} ({p.routes.count()} routes)" for p in plans))
    return []


def _night_record(station, tomorrow, log):
    """Last night as the nightly batch records it (/routes/runs/): the station's tomorrow, saved by a worker."""
    from django.utils import timezone

    from core.servicedays import service_today
    from routes.models import Package, PlanningNight, PlanningRun

    plan = Plan.objects.filter(station=station, service_date=tomorrow).first()
    night_of = service_today()
    if plan is None or PlanningNight.objects.filter(night_of=night_of).exists():
        return
    started = timezone.now() - timedelta(minutes=3)
    night = PlanningNight.objects.create(night_of=night_of, status=PlanningNight.Status.FINISHED, stations=1,
                                         started_at=started, finished_at=started + timedelta(seconds=74))
    PlanningRun.objects.create(
        night=night, station=station, service_date=tomorrow, plan=plan, result=PlanningRun.Result.PLANNED,
        detail=plan.get_status_display(), routes=plan.routes.count(), attempts=1, worker="solver@demo pid 1",
        packages=Package.objects.filter(station=station, service_date=tomorrow).count(),
        started_at=started + timedelta(seconds=2), finished_at=started + timedelta(seconds=74))
    log(f"routes: the night of {night_of} recorded (/routes/runs/)")
