"""Two tenants of every kind, built with the apps' own factories and services, for the cross-tenant matrix.

`build_world()` returns a `World`: `world.a` and `world.b` hold one tenant set each (a partner with its owner,
manager, driver, fleet, orders, claims, application, routes and webhooks; a hub with its parcels and statement;
an applicant with a draft; an integrator with a subscription), plus the shared program objects (station, plan,
catalog item) and a program admin."""

from dataclasses import dataclass, field
from datetime import date, time, timedelta
from decimal import Decimal

from django.core.files.base import ContentFile
from django.utils import timezone

from accounts.models import Role
from accounts.permissions import ALL_SCOPES
from accounts.services import api_token_create
from core.models import Job, OutboxEvent
from core.servicedays import service_today
from fleet.models import Availability, OdometerReading, Shift, ShiftSwap, TimeOff
from fleet.upkeep.services import inspection_record, work_order_create, work_order_photo_add
from hubs.models import Statement
from integrations.models import WebhookDelivery
from integrations.services import webhook_subscription_create
from onboarding.claims.services import claim_create
from onboarding.models import PartnerMembership
from performance.models import Dispute, LineKind, Scorecard, SettlementWeek, StatementLine
from performance.models import Statement as PartnerStatement
from procurement.models import Order
from procurement.services import order_submit, quote_line_set
from routes.models import ManifestUpload, Plan, PlanningNight, PlanningRun, PlanStatus, Route, RouteStop, Station
from tests.factories import AdminFactory, UserFactory
from tests.fleet.factories import DriverFactory, PolicyFactory, VehicleFactory
from tests.hubs.factories import HubFactory, ParcelFactory
from tests.onboarding.claim_factories import category, receipt, submitted_claim, unique_pdf, veteran_partner
from tests.onboarding.conftest import PNG_BYTES
from tests.onboarding.factories import ApplicationFactory, add_documents, clear_checks
from tests.procurement.factories import SupplyItemFactory, VanItemFactory
from tests.routes.factories import StationFactory


def _png(name):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, PNG_BYTES, content_type="image/png")


@dataclass
class Tenant:
    """Everything one side owns. Users by role; objects by kind."""

    users: dict = field(default_factory=dict)  # role -> User
    objects: dict = field(default_factory=dict)  # kind -> model instance


@dataclass
class World:
    a: Tenant
    b: Tenant
    admin: object
    program: dict  # shared program objects: station, plan, catalog item


def _partner_side(tenant: Tenant, *, tag: str, station: Station, plan: Plan, sequence: int, admin) -> None:
    partner, owner = veteran_partner(legal_name=f"Partner {tag} Logistics LLC")
    manager = UserFactory(role=Role.PARTNER_MANAGER, email=f"manager-{tag}@example.com")
    PartnerMembership.objects.create(user=manager, partner=partner, role=PartnerMembership.Role.MANAGER)
    driver_user = UserFactory(role=Role.DRIVER, email=f"driver-{tag}@example.com")
    vehicle = VehicleFactory(partner=partner)
    driver = DriverFactory(partner=partner, user=driver_user)
    policy = PolicyFactory(partner=partner, vehicles=[vehicle])
    odometer = OdometerReading.objects.create(vehicle=vehicle, miles=1200, recorded_by=owner)
    inspection = inspection_record(vehicle=vehicle, driver=driver, by=driver_user, photos=[_png(f"van-{tag}.png")],
                                   defects=[{"item": "body", "severity": "low", "note": f"Scratch {tag}"}])
    work_order = work_order_create(vehicle=vehicle, title=f"Replace wiper blades {tag}", by=owner)
    work_order_photo = work_order_photo_add(work_order=work_order, photo=_png(f"wo-{tag}.png"), by=owner)

    application = partner.application
    add_documents(application)
    clear_checks(application, by=admin)

    van, mount = VanItemFactory(), SupplyItemFactory()
    quote_line_set(partner=partner, item=van, quantity=1, by=owner)
    order = order_submit(order=Order.objects.get(partner=partner, status=Order.Status.DRAFT), by=owner)
    quote_line = quote_line_set(partner=partner, item=mount, quantity=2, by=owner)

    claim = submitted_claim(partner, owner, "500.00", content=unique_pdf(f"claim {tag}"))
    draft_claim = claim_create(partner=partner, created_by=owner, category=category(), vendor=f"Draft vendor {tag}",
                               incurred_on=service_today() - timedelta(days=3), amount="120.00",
                               description="Start-up expense.",
                               receipts=[receipt(content=unique_pdf(f"draft claim {tag}"))])

    route = Route.objects.create(plan=plan, service_date=plan.service_date, sequence=sequence, partner=partner,
                                 driver=driver, vehicle=vehicle, capacity=250, stop_count=1, load=1)
    stop = RouteStop(route=route, sequence=1, latitude=Decimal("47.600000"), longitude=Decimal("-122.330000"),
                     address=f"{sequence} Pine St", recipient=f"Recipient {tag}", status="delivered",
                     outcome_at=timezone.now())
    stop.photo.save(f"stop-{tag}.png", ContentFile(PNG_BYTES), save=False)
    stop.save()
    pending_stop = RouteStop.objects.create(route=route, sequence=2, latitude=Decimal("47.610000"),
                                            longitude=Decimal("-122.340000"), address=f"{sequence} Oak St")

    subscription, _secret = webhook_subscription_create(owner=owner, url=f"http://127.0.0.1:9/{tag}/owner",
                                                        event_types=["route.published"])
    event = OutboxEvent.objects.create(type="route.published", subject_type="routes.plan", subject_id=str(plan.pk),
                                       payload={"id": plan.pk})
    delivery = WebhookDelivery.objects.create(subscription=subscription, event=event,
                                              retry_until=timezone.now() + timedelta(days=1))
    token, _raw = api_token_create(user=owner, created_by=owner, name=f"token {tag}", scopes=ALL_SCOPES)
    job = Job.objects.create(kind="routes.plan", subject_type="routes.plan", subject_id=str(plan.pk),
                             status=Job.Status.DONE, started_by=owner)

    scorecard, statement, dispute = _performance_side(partner, route, tag=tag)
    # The roster: a shift a few days ahead, asked time off, and a swap of that shift to a colleague.
    colleague = DriverFactory(partner=partner)
    shift = Shift.objects.create(partner=partner, driver=driver, day=service_today() + timedelta(days=3),
                                 starts_at=time(8, 0), minutes=540, break_minutes=30)
    time_off = TimeOff.objects.create(partner=partner, driver=driver, first_day=service_today() + timedelta(days=10),
                                      last_day=service_today() + timedelta(days=11), reason=f"Trip {tag}")
    swap = ShiftSwap.objects.create(partner=partner, shift=shift, from_driver=driver, to_driver=colleague)
    availability = Availability.objects.create(driver=driver, weekday=2, available=False)

    tenant.users.update({Role.PARTNER_OWNER: owner, Role.PARTNER_MANAGER: manager, Role.DRIVER: driver_user})
    tenant.objects.update({
        "partner": partner, "vehicle": vehicle, "driver": driver, "policy": policy, "odometer": odometer,
        "partner_application": application, "partner_document": application.documents.first(),
        "order": order, "quote_line": quote_line, "claim": claim, "draft_claim": draft_claim,
        "receipt": claim.receipts.first(), "route": route, "stop": stop, "pending_stop": pending_stop,
        "owner_subscription": subscription, "owner_delivery": delivery, "owner_token": token,
        "job": job, "scorecard": scorecard, "statement": statement, "dispute": dispute,
        "inspection": inspection, "inspection_photo": inspection.photos.get(),
        "work_order": work_order, "work_order_photo": work_order_photo,
        "shift": shift, "time_off": time_off, "swap": swap, "availability": availability,
    })


def _performance_side(partner, route, *, tag: str):
    """A settled week: the partner's scorecard, its issued statement with one line, and an open dispute."""
    sunday = service_today() - timedelta(days=(service_today().weekday() + 1) % 7 + 7)
    week = {"week_start": sunday, "week_end": sunday + timedelta(days=6)}
    scorecard = Scorecard.objects.create(partner=partner, tier="great", status="published", frozen_at=timezone.now(),
                                         **week)
    statement = PartnerStatement.objects.create(
        partner=partner, scorecard=scorecard, status="disputed", total=Decimal("235"), issued_at=timezone.now(),
        dispute_until=timezone.now() + timedelta(days=7), **week)
    line = StatementLine.objects.create(statement=statement, kind=LineKind.ROUTE_BASE, description="Route base pay",
                                        rate=Decimal("235"), amount=Decimal("235"), route=route)
    dispute = Dispute(statement=statement, line=line, reason=f"Wrong class {tag}")
    dispute.attachment.save(f"dispute-{tag}.png", ContentFile(PNG_BYTES), save=False)
    dispute.save()
    return scorecard, statement, dispute


def _hub_side(tenant: Tenant, *, tag: str) -> None:
    hub = HubFactory(legal_name=f"Hub {tag} LLC")
    parcel = ParcelFactory(hub=hub)
    delivered = ParcelFactory(hub=hub, status="delivered")
    delivered.proof_photo.save(f"pod-{tag}.png", ContentFile(PNG_BYTES), save=True)
    monday = service_today() - timedelta(days=service_today().weekday() + 7)
    statement = Statement.objects.create(hub=hub, week_start=monday, week_end=monday + timedelta(days=6),
                                         delivered=1, delivered_rate=Decimal("2.50"),
                                         attempted_rate=Decimal("0.50"), returned_rate=Decimal("0.00"),
                                         earnings=Decimal("2.50"))
    tenant.users[Role.HUB_OWNER] = hub.owner
    tenant.objects.update({"hub": hub, "parcel": parcel, "delivered_parcel": delivered, "statement": statement})


def _applicant_side(tenant: Tenant, *, tag: str) -> None:
    applicant = UserFactory(role=Role.APPLICANT, email=f"applicant-{tag}@example.com")
    application = add_documents(ApplicationFactory(applicant=applicant))
    tenant.users[Role.APPLICANT] = applicant
    tenant.objects.update({"application": application, "document": application.documents.first()})


def _integrator_side(tenant: Tenant, *, tag: str, plan: Plan) -> None:
    integrator = UserFactory(role=Role.INTEGRATOR, email=f"integrator-{tag}@example.com")
    subscription, _secret = webhook_subscription_create(owner=integrator, url=f"http://127.0.0.1:9/{tag}/int",
                                                        event_types=["route.published"], scopes=["routes:read"])
    event = OutboxEvent.objects.create(type="route.published", subject_type="routes.plan", subject_id=str(plan.pk),
                                       payload={"id": plan.pk})
    delivery = WebhookDelivery.objects.create(subscription=subscription, event=event,
                                              retry_until=timezone.now() + timedelta(days=1))
    token, _raw = api_token_create(user=integrator, created_by=integrator, name=f"integrator {tag}",
                                   scopes=ALL_SCOPES)
    tenant.users[Role.INTEGRATOR] = integrator
    tenant.objects.update({"subscription": subscription, "delivery": delivery, "token": token})


def build_world() -> World:
    admin = AdminFactory(email="program-admin@example.com")
    station = StationFactory(code="mtx1", dispatch_start=time(8, 0))
    service_date = service_today()
    plan = Plan.objects.create(station=station, service_date=service_date, status=PlanStatus.PUBLISHED,
                               published_at=timezone.now())
    draft_plan = Plan.objects.create(station=station, service_date=service_date + timedelta(days=1),
                                     status=PlanStatus.READY)
    catalog_item = VanItemFactory()
    manifest_upload = ManifestUpload.objects.create(
        station=station, service_date=service_date + timedelta(days=2), name="m.csv", rows=1, size=80,
        content=b"tracking_id,address_line1,latitude,longitude\nMTX1,1 Pike St,47.6,-122.3\n")
    night = PlanningNight.objects.create(night_of=service_date)
    PlanningRun.objects.create(night=night, station=station, service_date=service_date + timedelta(days=1),
                               plan=draft_plan, result=PlanningRun.Result.PLANNED, attempts=1)
    a, b = Tenant(), Tenant()
    for tenant, tag, sequence in ((a, "a", 1), (b, "b", 2)):
        _partner_side(tenant, tag=tag, station=station, plan=plan, sequence=sequence, admin=admin)
        _hub_side(tenant, tag=tag)
        _applicant_side(tenant, tag=tag)
        _integrator_side(tenant, tag=tag, plan=plan)
    settlement_week, _created = SettlementWeek.objects.get_or_create(
        week_start=b.objects["statement"].week_start, defaults={"week_end": b.objects["statement"].week_end})
    return World(a=a, b=b, admin=admin, program={
        "settlement_week": settlement_week,
        "station": station, "plan": plan, "draft_plan": draft_plan, "catalog_item": catalog_item,
        "manifest_upload": manifest_upload, "night": night,
        "service_date": service_date if isinstance(service_date, date) else None,
    })
