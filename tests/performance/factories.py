"""Hand-made weeks: published routes with stops and packages whose outcomes a test states."""

from datetime import date, timedelta
from decimal import Decimal
from itertools import count

from django.utils import timezone

from core.servicedays import service_week
from routes.models import Package, PackageStatus, Plan, PlanStatus, Route, RouteStop, StopStatus

_seq = count(1)


def plan_for(station, day: date) -> Plan:
    plan, _created = Plan.objects.get_or_create(station=station, service_date=day, defaults={
        "status": PlanStatus.PUBLISHED, "published_at": timezone.now()})
    return plan


def route_with(*, partner, station, day: date, driver=None, delivered=0, attempted=0, pending=0,
               hours: float = 8) -> Route:
    """A published route of `partner` on `day`: one address stop per package, each with the outcome asked."""
    plan = plan_for(station, day)
    sequence = plan.routes.count() + 1
    route = Route.objects.create(plan=plan, service_date=day, sequence=sequence, partner=partner, driver=driver,
                                 capacity=300, duration_s=int(hours * 3600),
                                 stop_count=delivered + attempted + pending, load=delivered + attempted + pending)
    outcomes = [StopStatus.DELIVERED] * delivered + [StopStatus.ATTEMPTED] * attempted + [StopStatus.PENDING] * pending
    stops = RouteStop.objects.bulk_create([
        RouteStop(route=route, sequence=i + 1, latitude=Decimal("47.600000"), longitude=Decimal("-122.330000"),
                  address=f"{i + 1} Pine St", status=status,
                  attempt_reason="nobody_home" if status == StopStatus.ATTEMPTED else "",
                  outcome_at=timezone.now() if status != StopStatus.PENDING else None)
        for i, status in enumerate(outcomes)])
    package_status = {StopStatus.DELIVERED: PackageStatus.DELIVERED, StopStatus.ATTEMPTED: PackageStatus.ATTEMPTED,
                      StopStatus.PENDING: PackageStatus.ROUTED}
    Package.objects.bulk_create([
        Package(station=station, service_date=day, tracking_id=f"T{next(_seq):09d}", address_line1=stop.address,
                latitude=stop.latitude, longitude=stop.longitude, address_key=f"k{stop.pk}", stop=stop,
                status=package_status[stop.status]) for stop in stops])
    return route


def sunday(day: date) -> date:
    return service_week(day=day)[0]


def days(week_start: date):
    return [week_start + timedelta(days=i) for i in range(7)]
