"""Routes factories: the benchmark station, partners with a compliant fleet and a commitment."""

from datetime import time
from decimal import Decimal

import factory

from routes.models import PartnerCapacity, Station
from tests.fleet.factories import DriverFactory, VehicleFactory, fully_insured
from tests.onboarding.factories import partner_with_owner


class StationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Station

    code = factory.Sequence(lambda n: f"sea{n}")
    name = factory.Sequence(lambda n: f"Seattle South {n}")
    latitude = Decimal("47.548000")
    longitude = Decimal("-122.323000")
    time_zone = "America/Los_Angeles"
    dispatch_start = time(8, 0)
    shift_minutes = 660
    speed_kmh = 25.0
    circuity = 1.3


def partner_with_fleet(*, station, routes=3, vans=3, drivers=3, capacity=275, on=None, partner_kwargs=None):
    """A partner (and its owner) with compliant vans and drivers, committed to `routes` routes every day."""
    partner, owner = partner_with_owner(**(partner_kwargs or {}))
    partner.status = "active"
    partner.save(update_fields=["status"])
    van_rows = [VehicleFactory(partner=partner, package_capacity=capacity) for _ in range(vans)]
    driver_rows = [DriverFactory(partner=partner) for _ in range(drivers)]
    fully_insured(partner, on=on)
    for weekday in range(7):
        PartnerCapacity.objects.create(partner=partner, station=station, weekday=weekday, routes=routes)
    return partner, owner, van_rows, driver_rows
