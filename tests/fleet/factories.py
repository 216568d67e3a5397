"""Fleet factories: valid VINs (check digit computed), vans, drivers, policies."""

from datetime import timedelta
from decimal import Decimal

import factory

from core.servicedays import service_today
from fleet.models import Coverage, Driver, InsurancePolicy, Vehicle
from fleet.vin import vin_check_digit
from tests.onboarding.factories import PartnerFactory


def make_vin(n: int, wmi: str = "1FT") -> str:
    """A VIN with a correct check digit, unique per `n`."""
    body = f"{wmi}BW2CM0R{n % 10_000_000:07d}"
    return body[:8] + vin_check_digit(body) + body[9:]


class VehicleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Vehicle

    partner = factory.SubFactory(PartnerFactory)
    vin = factory.Sequence(lambda n: make_vin(n))
    plate = factory.Sequence(lambda n: f"FL{n:05d}")
    plate_state = "GA"
    make = "Ford"
    model = "Transit 250"
    year = 2023
    package_capacity = 250
    status = Vehicle.Status.ACTIVE


class DriverFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Driver

    partner = factory.SubFactory(PartnerFactory)
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.Sequence(lambda n: f"driver{n}@example.com")
    licence_number = factory.Sequence(lambda n: f"D{n:08d}")
    licence_state = "GA"
    licence_expires_on = factory.LazyFunction(lambda: service_today() + timedelta(days=400))
    status = Driver.Status.ACTIVE


class PolicyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InsurancePolicy
        skip_postgeneration_save = True

    partner = factory.SubFactory(PartnerFactory)
    coverage = Coverage.AUTO_LIABILITY
    carrier = "Progressive Commercial"
    policy_number = factory.Sequence(lambda n: f"POL-{n:06d}")
    per_occurrence_limit = Decimal("1000000.00")
    effective_on = factory.LazyFunction(lambda: service_today() - timedelta(days=30))
    expires_on = factory.LazyFunction(lambda: service_today() + timedelta(days=335))

    @factory.post_generation
    def vehicles(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.vehicles.set(extracted)


def fully_insured(partner, *, vehicles=(), on=None, days=335, fleet_wide=True):
    """Current GL, workers' comp, and auto + cargo over the whole fleet (or the listed vans)."""
    on = on or service_today()
    kw = {"partner": partner, "effective_on": on - timedelta(days=30), "expires_on": on + timedelta(days=days)}
    policies = {c: PolicyFactory(coverage=c, **kw) for c in (Coverage.GENERAL_LIABILITY, Coverage.WORKERS_COMP)}
    for c in (Coverage.AUTO_LIABILITY, Coverage.CARGO):
        policies[c] = PolicyFactory(coverage=c, covers_all_vehicles=fleet_wide, vehicles=list(vehicles), **kw)
    return policies
