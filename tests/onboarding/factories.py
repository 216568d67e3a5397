"""Onboarding factories; other apps' tests use PartnerFactory / partner_with_owner for a DSP."""

from decimal import Decimal

import factory
from django.utils import timezone

from accounts.models import Role
from onboarding.models import Application, BackgroundCheck, Partner, PartnerMembership, Region
from tests.factories import UserFactory


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"Test Region {n}")
    state = "GA"
    active = True


class PartnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Partner

    legal_name = factory.Sequence(lambda n: f"Partner {n} Logistics LLC")
    entity_type = "llc"
    state_of_formation = "GA"
    ein = factory.Sequence(lambda n: f"12-{3456000 + n:07d}")
    region = factory.SubFactory(RegionFactory)
    status = Partner.Status.ACTIVE


class PartnerMembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PartnerMembership

    user = factory.SubFactory(UserFactory, role=Role.PARTNER_OWNER)
    partner = factory.SubFactory(PartnerFactory)
    role = PartnerMembership.Role.OWNER


def partner_with_owner(**partner_kwargs):
    """A Partner and its owner (a user with role partner_owner)."""
    membership = PartnerMembershipFactory(partner=PartnerFactory(**partner_kwargs))
    return membership.partner, membership.user


class ApplicationFactory(factory.django.DjangoModelFactory):
    """A complete draft: every step answered (documents are added by `with_documents`)."""

    class Meta:
        model = Application

    applicant = factory.SubFactory(UserFactory)
    legal_name = factory.Faker("name")
    phone = "(404) 555-0134"
    address_line1 = "12 Peachtree St"
    city = "Atlanta"
    state = "GA"
    postal_code = "30303"
    date_of_birth = factory.LazyFunction(lambda: timezone.localdate().replace(year=timezone.localdate().year - 35))
    employment_history = "Operations manager at a regional grocery chain, 2015-2024."
    people_managed = 25
    entity_name = factory.Sequence(lambda n: f"Applicant {n} Delivery LLC")
    entity_type = "llc"
    formation_state = "GA"
    region = factory.SubFactory(RegionFactory)
    planned_vans = 20
    planned_drivers = 30
    liquid_capital = Decimal("45000.00")
    consent_background_check = True
    consent_credit_check = True
    consent_mvr_check = True
    accepted_terms = True

    class Params:
        veteran = factory.Trait(
            is_veteran=True, track=Application.Track.VETERAN, veteran_status=Application.VeteranStatus.UNVERIFIED,
            military_branch="army", discharge_type="honorable",
            service_start=factory.LazyFunction(lambda: timezone.localdate().replace(year=2008, month=6, day=1)),
            service_end=factory.LazyFunction(lambda: timezone.localdate().replace(year=2016, month=5, day=31)),
        )


def clear_checks(application, by=None):
    for kind in BackgroundCheck.Kind.values:
        BackgroundCheck.objects.update_or_create(application=application, kind=kind,
                                                 defaults={"status": BackgroundCheck.Result.CLEAR, "recorded_by": by})
