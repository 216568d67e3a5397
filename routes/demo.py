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
from onboarding.selectors import partner_for_user
from routes.models import Package, PartnerCapacity, Plan, PlanStatus, Route, Station, StopKind
from routes.services import (
    manifest_import,
    manifest_rows_from_csv,
    plan_build,
    plan_publish,
    route_assign,
    routes_auto_assign,
)
from routes.services.fleetday import assignable_vans_many

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
    vans = assignable_vans_many(partner_ids=[partner.pk], on_date=day)[partner.pk]
    van = next((v for v in vans if route and v.package_capacity >= route.load), None)
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
    _plan_day(station, today, partner, rows, publish=True, log=log)
    _plan_day(station, today + timedelta(days=1), partner, rows, publish=False, log=log)
    _proof_examples(today, log)
    plans = Plan.objects.filter(station=station).order_by("service_date")
    log("routes: " + ", ".join(f"{p.service_date} {p.status} ({p.routes.count()} routes)" for p in plans))
    return []
