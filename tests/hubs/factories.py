from datetime import date
from decimal import Decimal

import factory
from django.utils import timezone

from accounts.models import Role
from hubs.models import Hub, HubStatus, Parcel
from tests.factories import UserFactory


class HubOwnerFactory(UserFactory):
    role = Role.HUB_OWNER


class HubFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Hub

    owner = factory.SubFactory(HubOwnerFactory)
    legal_name = factory.Sequence(lambda n: f"Petal & Stem {n} LLC")
    kind = "florist"
    street = "100 Pike St"
    city = "Seattle"
    state = "WA"
    postal_code = "98101"
    latitude = Decimal("47.609700")
    longitude = Decimal("-122.342200")
    time_zone = "America/Los_Angeles"
    opening_hours = factory.LazyFunction(lambda: {d: "09:00-18:00" for d in ["mon", "tue", "wed", "thu", "fri",
                                                                              "sat", "sun"]})
    storage_attested = True
    storage_size = 40
    delivery_means = factory.LazyFunction(lambda: ["foot", "bike"])
    staff_count = 3
    terms_accepted_at = factory.LazyFunction(timezone.now)
    capacity = 30
    radius_miles = Decimal("2.00")
    status = HubStatus.ACTIVE


class ParcelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Parcel

    hub = factory.SubFactory(HubFactory)
    tracking_id = factory.Sequence(lambda n: f"TBA{n:09d}")
    service_date = factory.LazyFunction(date.today)
    recipient_name = factory.Faker("name")
    recipient_address = factory.Faker("street_address")
