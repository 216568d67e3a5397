"""Onboarding factories; other apps' tests use PartnerFactory / partner_with_owner for a DSP."""

from decimal import Decimal

import factory

from accounts.models import Role
from core.servicedays import service_today
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
    date_of_birth = factory.LazyFunction(lambda: service_today().replace(year=service_today().year - 35))
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
            service_start=factory.LazyFunction(lambda: service_today().replace(year=2008, month=6, day=1)),
            service_end=factory.LazyFunction(lambda: service_today().replace(year=2016, month=5, day=31)),
        )


def clear_checks(application, by=None):
    for kind in BackgroundCheck.Kind.values:
        BackgroundCheck.objects.update_or_create(application=application, kind=kind,
                                                 defaults={"status": BackgroundCheck.Result.CLEAR, "recorded_by": by})


def add_documents(application, kinds=None):
    """Attach small valid PDFs for the required documents (or the given kinds)."""
    from django.core.files.base import ContentFile

    from onboarding.models import ApplicationDocument
    from onboarding.steps import required_document_kinds
    from tests.onboarding.conftest import PDF_BYTES

    for kind in kinds or required_document_kinds(application):
        ApplicationDocument.objects.filter(application=application, kind=kind).delete()
        doc = ApplicationDocument(application=application, kind=kind, original_name=f"{kind}.pdf",
                                  content_type="application/pdf", size=len(PDF_BYTES), sha256="0" * 64,
                                  uploaded_by=application.applicant)
        doc.file.save(f"{kind}.pdf", ContentFile(PDF_BYTES), save=False)
        doc.save()
    return application


def application_in(status, **kwargs):
    """An application brought to `status` through the real services (so its log and checks are real)."""
    from onboarding import services
    from tests.factories import AdminFactory

    application = add_documents(ApplicationFactory(**kwargs))
    if status == "draft":
        return application
    reviewer = AdminFactory()
    steps = {
        "submitted": [lambda a: services.application_submit(application=a, submitted_by=a.applicant)],
        "in_review": ["submitted", lambda a: services.application_review_start(application=a, reviewer=reviewer)],
        "needs_info": ["in_review", lambda a: services.application_request_info(application=a, decided_by=reviewer,
                                                                                note="Add a bank statement.")],
        "rejected": ["in_review", lambda a: services.application_reject(application=a, decided_by=reviewer,
                                                                        note="Not enough experience.")],
        "onboarded": ["in_review", lambda a: clear_checks(a, reviewer),
                      lambda a: services.application_approve(application=a, decided_by=reviewer)],
        "withdrawn": [lambda a: services.application_withdraw(application=a, withdrawn_by=a.applicant)],
    }

    def run(target, app):
        for step in steps[target]:
            result = run(step, app) if isinstance(step, str) else step(app)
            app = result if isinstance(result, Application) else app
        return app

    application = run(status, application)
    application.refresh_from_db()
    application.reviewer = reviewer
    return application
