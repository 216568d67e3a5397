"""A hand-made published day for the live tests: one partner, two routes of five stops each, every number chosen
by hand so the expected pace can be worked out on paper.

Station SEA (Los Angeles time), shift 08:00-19:00. Each route leaves at 08:00, serves its stops at 09:00, 09:30,
10:00, 10:30 and 11:00 (two minutes each) and is back at 12:00. Every stop carries one package with its own
recipient (e-mail and phone)."""

from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.utils import timezone

from accounts.models import Role
from fleet.upkeep.services import inspection_record
from routes.models import Package, PackageStatus, Plan, PlanStatus, Route, RouteStop
from tests.factories import UserFactory
from tests.routes.factories import StationFactory, partner_with_fleet

DAY = date(2026, 12, 1)
LA = ZoneInfo("America/Los_Angeles")
ARRIVALS = [9 * 3600, 9 * 3600 + 1800, 10 * 3600, 10 * 3600 + 1800, 11 * 3600]


def local(hh: int, mm: int = 0) -> datetime:
    return datetime.combine(DAY, time(hh, mm), tzinfo=LA)


@dataclass
class LiveDay:
    station: object
    plan: Plan
    partner: object
    owner: object
    routes: list[Route]
    drivers: list
    vans: list
    driver_users: list
    spare_driver: object


def _route(plan, partner, driver, van, sequence, lng0, start_s=8 * 3600) -> Route:
    shift = start_s - 8 * 3600
    route = Route.objects.create(plan=plan, service_date=plan.service_date, sequence=sequence, partner=partner,
                                 driver=driver, vehicle=van, capacity=van.package_capacity, load=5, stop_count=5,
                                 start_s=start_s, end_s=start_s + 4 * 3600, distance_m=20_000, duration_s=4 * 3600)
    for k, arrival in enumerate((a + shift for a in ARRIVALS), start=1):
        lat, lng = Decimal("47.548000") + Decimal(k) / 500, Decimal(str(lng0)) + Decimal(k) / 500
        stop = RouteStop.objects.create(route=route, sequence=k, latitude=lat, longitude=lng,
                                        address=f"{k}{sequence} Pine St", recipient=f"Recipient {sequence}-{k}",
                                        service_s=120, planned_arrival_s=arrival)
        Package.objects.create(station=plan.station, service_date=plan.service_date, tracking_id=f"T{sequence}{k:02d}",
                               recipient_name=f"Recipient {sequence}-{k}", address_line1=f"{k}{sequence} Pine St",
                               city="Seattle", latitude=lat, longitude=lng, address_key=f"{sequence}-{k}",
                               recipient_email=f"r{sequence}{k}@example.com",
                               recipient_phone=f"+1206555{sequence}{k:03d}",
                               stop=stop, status=PackageStatus.ROUTED)
    return route


def live_day(*, station=None, capacity=20, day=DAY, start_hour=8) -> LiveDay:
    """The day of the module's doc; `day` and `start_hour` move it (a journey runs it today, around now)."""
    station = station or StationFactory(shift_minutes=660, dispatch_start=time(start_hour, 0))
    partner, owner, vans, drivers = partner_with_fleet(station=station, routes=2, vans=2, drivers=3,
                                                       capacity=capacity, on=day)
    users = []
    for d in drivers:
        d.user = UserFactory(role=Role.DRIVER)
        d.save(update_fields=["user"])
        users.append(d.user)
    plan = Plan.objects.create(station=station, service_date=day, status=PlanStatus.PUBLISHED,
                               published_at=timezone.now())
    start_s = start_hour * 3600
    routes = [_route(plan, partner, drivers[0], vans[0], 1, "-122.330000", start_s),
              _route(plan, partner, drivers[1], vans[1], 2, "-122.300000", start_s)]
    for van, driver in zip(vans, drivers, strict=False):  # each van passed its pre-trip inspection that day
        inspection_record(vehicle=van, driver=driver, by=driver.user, on_date=day)
    return LiveDay(station=station, plan=plan, partner=partner, owner=owner, routes=routes, drivers=drivers,
                   vans=vans, driver_users=users, spare_driver=drivers[2])
