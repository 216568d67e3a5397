"""Shared builders for the inspection and work-order tests: an insured partner with vans, a driver with a login,
and a published route of today on one of the vans."""

from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import Role
from core.servicedays import service_today
from routes.models import Plan, PlanStatus, Route, RouteStop
from tests.factories import UserFactory
from tests.fleet.factories import DriverFactory, VehicleFactory, fully_insured
from tests.onboarding.conftest import PNG_BYTES
from tests.onboarding.factories import partner_with_owner
from tests.routes.factories import StationFactory


def png(name="photo.png"):
    return SimpleUploadedFile(name, PNG_BYTES, content_type="image/png")


def insured_fleet(*, vans=2, capacity=250):
    partner, owner = partner_with_owner()
    rows = [VehicleFactory(partner=partner, package_capacity=capacity) for _ in range(vans)]
    fully_insured(partner)
    user = UserFactory(role=Role.DRIVER)
    driver = DriverFactory(partner=partner, user=user)
    return partner, owner, rows, driver


def route_today(*, partner, vehicle, driver=None, load=100, sequence=1, station=None):
    station = station or StationFactory()
    day = service_today()
    plan = Plan.objects.create(station=station, service_date=day, status=PlanStatus.PUBLISHED,
                               published_at=timezone.now())
    route = Route.objects.create(plan=plan, service_date=day, sequence=sequence, partner=partner, driver=driver,
                                 vehicle=vehicle, capacity=vehicle.package_capacity, load=load, stop_count=1)
    RouteStop.objects.create(route=route, sequence=1, latitude=Decimal("47.6"), longitude=Decimal("-122.33"),
                             address="1 Pine St")
    return route
