"""Demo scorecards and statements for `manage.py seed_demo`: six past weeks of the demo partner's routes at
SEA1 (a few hundred packages a day, outcomes varying week to week so the tiers move), a peak week, a lost
package charged back (van instalments: `dsp_portal.demo_deductions`); then the weeks scored and settled through the
services: the oldest paid (as Stripe would have confirmed it: no Stripe call), then approved, one issued with an
open dispute, last week issued. This week's scorecard is provisional. Safety: each route ran (started on its
van at 08:30 station time, completed after its planned hours) with a pre-trip inspection before the start on most
route-days (a few missing or recorded late), position pings every 5 minutes, and a few speeding runs per week
(SPEEDING) so the safety tiers move too.

Idempotent: a day that already has a plan keeps it; settled weeks never change."""

import math
import random
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.core.files.base import ContentFile
from django.utils import timezone

from accounts.models import User
from core.servicedays import place_tz, service_week
from fleet.models import Driver, Inspection, Vehicle
from onboarding.selectors import partner_for_user
from payments.models import ConnectedAccount, Transfer, TransferLog
from performance.models import Chargeback, PeakWeek, Statement, StatementStatus
from performance.services.deductions import chargeback_record
from performance.services.payouts import PURPOSE, on_statement_transfer
from performance.services.scoring import scorecards_compute
from performance.services.settlement import statements_compute
from performance.services.statements import statement_approve, statement_dispute, week_issue
from routes.models import (
    Package,
    PackageStatus,
    Plan,
    PlanStatus,
    Route,
    RoutePosition,
    RouteStop,
    Station,
    StopStatus,
)

OWNER = "owner@demo.dspportal.example"
ADMIN = "admin@demo.dspportal.example"
WEEKS = 6
# Per week back: the share of packages delivered (so the tiers move: Fantastic+, Great, Fair, Fantastic...).
SUCCESS = [0.996, 0.991, 0.975, 0.962, 0.988, 0.998]
# Per week back: how many speeding runs (above 105 km/h) the drivers had, over ~120 route-hours a week.
SPEEDING = [0, 1, 3, 6, 2, 0]
PING_S = 300
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
       b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")


def _day(station, partner, drivers, day, success, rng):
    if Plan.objects.filter(station=station, service_date=day).exists():
        return
    plan = Plan.objects.create(station=station, service_date=day, status=PlanStatus.PUBLISHED,
                               published_at=timezone.now())
    for n, driver in enumerate(drivers[:3], start=1):
        stops_n = rng.randint(110, 150)
        route = Route.objects.create(plan=plan, service_date=day, sequence=n, partner=partner, driver=driver,
                                     capacity=300, duration_s=rng.choice([5, 8, 8, 10]) * 3600, stop_count=stops_n,
                                     load=stops_n * 2)
        statuses = [StopStatus.DELIVERED if rng.random() < success else StopStatus.ATTEMPTED for _ in range(stops_n)]
        stops = RouteStop.objects.bulk_create([
            RouteStop(route=route, sequence=i + 1, latitude=Decimal("47.55") + Decimal(i) / 2000,
                      longitude=Decimal("-122.32") - Decimal(i) / 2000, address=f"{100 + i} Demo Ave S, Seattle",
                      recipient=f"Recipient {i + 1}", package_count=2, status=s,
                      attempt_reason="" if s == StopStatus.DELIVERED else "nobody_home", outcome_at=timezone.now())
            for i, s in enumerate(statuses)])
        Package.objects.bulk_create([
            Package(station=station, service_date=day, tracking_id=f"DEMO{day:%m%d}{n}{s.sequence:03d}{k}",
                    address_line1=s.address, city="Seattle", state="WA", latitude=s.latitude, longitude=s.longitude,
                    address_key=f"demo-{s.pk}", stop=s,
                    status=PackageStatus.DELIVERED if s.status == StopStatus.DELIVERED else PackageStatus.ATTEMPTED)
            for s in stops for k in range(2)])


def _safety(station, partner, week, speeding, rng):
    """The week's routes of the demo partner that have not run yet: run them on a van (pre-trip first, mostly),
    with pings every 5 minutes at town speeds and `speeding` runs above the threshold on random routes."""
    routes = list(Route.objects.filter(partner=partner, service_date__range=(week, week + timedelta(days=6)),
                                       started_at__isnull=True).order_by("service_date", "sequence"))
    if not routes:
        return
    vans = list(Vehicle.objects.filter(partner=partner, status=Vehicle.Status.ACTIVE).order_by("pk"))
    tz = place_tz(station)
    fast = set(rng.sample(range(len(routes)), min(speeding, len(routes))))
    inspections, positions = [], []
    for i, route in enumerate(routes):
        van = vans[(route.sequence - 1) % len(vans)] if len(vans) >= route.sequence else None
        start = datetime.combine(route.service_date, time(8, 30), tzinfo=tz)
        end = start + timedelta(seconds=route.duration_s or 8 * 3600)
        Route.objects.filter(pk=route.pk).update(vehicle=van, status="completed", started_at=start, completed_at=end)
        roll = rng.random()
        if van is not None and roll > 0.03:  # 3% of route-days: no pre-trip at all; 2%: recorded after the start
            inspections.append(Inspection(partner=partner, vehicle=van, driver=route.driver,
                                          service_date=route.service_date, kind=Inspection.Kind.PRE_TRIP,
                                          result=Inspection.Result.PASSED,
                                          odometer_miles=20_000 + i * 60,
                                          created_at=start + timedelta(minutes=20 if roll < 0.05 else -15)))
        steps = int((end - start).total_seconds() // PING_S)
        burst = rng.randrange(10, max(11, steps - 10)) if i in fast else -1
        lat, north = 47.55, 1
        for k in range(steps + 1):
            kmh = rng.uniform(110, 125) if burst <= k < burst + 2 else rng.uniform(15, 85)
            if k:
                lat += north * math.degrees(kmh * PING_S / 3600 / 6371.0088)
                north = -north  # back and forth around the station's streets
            positions.append(RoutePosition(route=route, recorded_at=start + timedelta(seconds=k * PING_S),
                                           latitude=round(lat, 6), longitude=-122.32))
    Inspection.objects.bulk_create(inspections)
    RoutePosition.objects.bulk_create(positions, batch_size=2000, ignore_conflicts=True)


def _pay_as_stripe_would(statement):
    account, _created = ConnectedAccount.objects.get_or_create(holder=f"partner:{statement.partner_id}",
                                                               defaults={"email": OWNER})
    transfer, created = Transfer.objects.get_or_create(idempotency_key=statement.idempotency_key, defaults={
        "account": account, "amount": statement.total, "purpose": PURPOSE, "reference": statement.reference,
        "stripe_transfer_id": f"tr_demo_ps_{statement.pk}", "status": Transfer.Status.PAID,
        "paid_at": timezone.now(), "description": f"Week of {statement.week_start}"})
    if created:
        TransferLog.objects.create(transfer=transfer, from_status="", to_status=Transfer.Status.PAID, note="demo")
        Statement.objects.filter(pk=statement.pk).update(transfer=transfer)
        on_statement_transfer(transfer=transfer, previous_status=Transfer.Status.SUBMITTED)


def _extras(partner, weeks):
    PeakWeek.objects.get_or_create(week_start=weeks[2], defaults={"name": "Spring sale peak",
                                                                  "multiplier": Decimal("1.20")})
    route = Route.objects.filter(partner=partner, service_date__range=(weeks[1], weeks[1] + timedelta(days=6))) \
        .order_by("service_date", "sequence").first()
    package = Package.objects.filter(stop__route=route, status=PackageStatus.ATTEMPTED).first() if route else None
    if package is not None and not Chargeback.objects.filter(package=package).exists():
        chargeback_record(route=route, kind=Chargeback.Kind.LOST_PACKAGE, package=package,
                          note="Recipient claim: package never found after an attempt.")


def seed(*, log):
    owner = User.objects.filter(email=OWNER).first()
    partner = partner_for_user(user=owner) if owner else None
    station = Station.objects.filter(code="sea1").first()
    if partner is None or station is None:
        log("performance: no demo partner or station; skipped")
        return []
    admin = User.objects.filter(email=ADMIN).first()
    drivers = list(Driver.objects.filter(partner=partner).order_by("pk"))
    this_week = service_week(station)[0]
    weeks = [this_week - timedelta(days=7 * k) for k in range(WEEKS, 0, -1)]  # oldest first
    rng = random.Random(17)  # noqa: S311 - demo outcomes, repeatable, not secrets
    for week, success in zip(weeks, SUCCESS, strict=True):
        for offset in range(1, 6):  # Monday to Friday
            _day(station, partner, drivers, week + timedelta(days=offset), success, rng)
    _extras(partner, weeks)
    for week, speeding in zip(weeks, SPEEDING, strict=True):
        _safety(station, partner, week, speeding, rng)
    for week in weeks:
        scorecards_compute(week_start=week)
        statements_compute(week_start=week)
        week_issue(week_start=week, by=admin)
    scorecards_compute(week_start=this_week)
    statements = {s.week_start: s for s in Statement.objects.filter(partner=partner, week_start__in=weeks)}
    for week in weeks[:-2]:
        statement = statements.get(week)
        if statement is not None and statement.status == StatementStatus.ISSUED:
            statement_approve(statement=statement, by=admin)
    for week in weeks[:2]:
        if week in statements and statements[week].total > 0:
            _pay_as_stripe_would(Statement.objects.get(pk=statements[week].pk))
    disputed = statements.get(weeks[-2])
    if disputed is not None and disputed.status == StatementStatus.ISSUED:
        line = disputed.lines.filter(kind="packages").first()
        if line is not None:
            statement_dispute(statement=disputed, line_id=line.pk, by=owner,
                              reason="Route scans show 4 more packages delivered on this route.",
                              attachment=ContentFile(PNG, name="scan-log.png"))
    log(f"performance: {len(weeks)} weeks scored and settled for {partner}; statements: "
        + ", ".join(f"{s.week_start:%b %d} {s.status}" for s in Statement.objects.filter(partner=partner)
                    .order_by("week_start")))
    return []
