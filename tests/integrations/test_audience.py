"""Webhooks reach only those who may read the event's object (issue #13: events leaked across tenants).

Every type in the catalogue is exercised: a new event type without a case here fails."""

from datetime import date

import pytest
from django.db import transaction

from accounts.models import Role
from accounts.permissions import webhook_scopes_allowed
from core.audience import APPLICANT, HUB, PARTNER, Audience
from core.events import EVENT_AUDIENCES, EVENT_TYPES, event_record, events_insert_ctes, events_record_bulk
from core.models import OutboxEvent
from integrations.audience import area_scope
from integrations.models import WebhookDelivery, WebhookSubscription
from integrations.services import event_fan_out
from onboarding.models import PartnerMembership
from routes.models import Plan, PlanStatus, Route
from routes.services import plan_publish
from tests.hubs.factories import HubFactory
from tests.onboarding.factories import PartnerMembershipFactory, application_in, partner_with_owner
from tests.routes.factories import StationFactory

pytestmark = pytest.mark.django_db

# statement.paid is not among them: a hub's money goes to its owner and the program only, as a partner's does
INTEGRATOR_TYPES = {"application.submitted", "application.decided", "parcel.delivered", "parcel.attempted",
                    "route.published"}
# the driver's phone (routes): what happened on a route, for integrators with routes:read
INTEGRATOR_TYPES |= {"stop.delivered", "stop.attempted", "stop.reopened", "route.started", "route.completed"}
# live dispatch (routes): rescues, call-outs and what recipients were told, for integrators with routes:read
INTEGRATOR_TYPES |= {"route.rescued", "route.reassigned", "recipient.notified"}


def _subscribe(owner, scopes=()):
    """A subscription to every type, written directly: fan-out must filter even rows that predate validation."""
    return WebhookSubscription.objects.create(owner=owner, url=f"https://hooks.example/{owner.pk}",
                                              event_types=list(EVENT_TYPES), scopes=list(scopes), secret_encrypted="")


@pytest.fixture
def world(make_user):
    """Two tenants of each kind, a program admin, integrators with and without scopes, and a driver;
    each subscribed to every event type."""
    partner_a, partner_owner_a = partner_with_owner()
    partner_b, partner_owner_b = partner_with_owner()
    hub_a, hub_b = HubFactory(), HubFactory()
    people = {
        "admin": make_user(Role.PROGRAM_ADMIN),
        "partner_a": partner_owner_a, "partner_b": partner_owner_b,
        "partner_b_manager": PartnerMembershipFactory(partner=partner_b, user=make_user(Role.PARTNER_MANAGER),
                                                      role=PartnerMembership.Role.MANAGER).user,
        "hub_a": hub_a.owner, "hub_b": hub_b.owner,
        "applicant_a": make_user(Role.APPLICANT), "applicant_b": make_user(Role.APPLICANT),
        "integrator_scoped": make_user(Role.INTEGRATOR), "integrator_unscoped": make_user(Role.INTEGRATOR),
        "driver": make_user(Role.DRIVER),
    }
    subs = {name: _subscribe(user) for name, user in people.items()}
    subs["integrator_scoped"].scopes = webhook_scopes_allowed(Role.INTEGRATOR)
    subs["integrator_scoped"].save(update_fields=["scopes"])
    audiences_a = {PARTNER: Audience.partner(partner_a.pk), HUB: Audience.hub(hub_a.pk),
                   APPLICANT: Audience.applicant(people["applicant_a"].pk)}
    return {"people": people, "subs": subs, "audiences_a": audiences_a, "partner_a": partner_a, "hub_a": hub_a}


def _record_and_fan_out(type_, audience, subject):
    with transaction.atomic():
        event = event_record(type=type_, subject=subject, payload={"id": 1}, audience=audience)
    event_fan_out(event_id=event.pk)
    return event


def _receivers(world, event) -> set[str]:
    names = {sub.pk: name for name, sub in world["subs"].items()}
    delivered = WebhookDelivery.objects.filter(event=event).values_list("subscription_id", flat=True)
    return {names.get(pk, pk) for pk in delivered}


@pytest.mark.parametrize("event_type", list(EVENT_TYPES))
def test_an_event_reaches_its_own_tenant_and_no_other(event_type, world):
    spec = EVENT_AUDIENCES[event_type]  # a type without a declared audience fails here
    assert spec.kinds, f"{event_type} names nobody: declare its audience kinds"
    for kind in sorted(spec.kinds):
        event = _record_and_fan_out(event_type, world["audiences_a"][kind], world["hub_a"])
        expected = {"admin", f"{kind}_a"}
        if area_scope(spec.area) in webhook_scopes_allowed(Role.INTEGRATOR):
            expected.add("integrator_scoped")
        assert _receivers(world, event) == expected, f"{event_type} for {kind} A"


def test_integrators_hear_only_the_areas_their_role_works_in():
    readable = {t for t, spec in EVENT_AUDIENCES.items() if area_scope(spec.area) in webhook_scopes_allowed(
        Role.INTEGRATOR)}
    assert readable == INTEGRATOR_TYPES  # never claims, orders or payouts


def test_a_program_only_event_reaches_admins_and_scoped_integrators(world):
    event = _record_and_fan_out("route.published", Audience(), world["hub_a"])
    assert _receivers(world, event) == {"admin", "integrator_scoped"}


def test_a_partner_owner_who_left_the_partner_gets_nothing(world):
    PartnerMembership.objects.filter(user=world["people"]["partner_a"]).delete()
    event = _record_and_fan_out("claim.paid", world["audiences_a"][PARTNER], world["hub_a"])
    assert _receivers(world, event) == {"admin"}


def test_a_partner_manager_gets_orders_but_not_claims(world):
    partner_b = Audience.partner(PartnerMembership.objects.get(user=world["people"]["partner_b"]).partner_id)
    order = _record_and_fan_out("order.submitted", partner_b, world["hub_a"])
    claim = _record_and_fan_out("claim.paid", partner_b, world["hub_a"])
    assert _receivers(world, order) == {"admin", "partner_b", "partner_b_manager"}
    assert _receivers(world, claim) == {"admin", "partner_b"}  # managers cannot read claims through the API


def test_a_deactivated_owner_gets_nothing(world):
    hub_owner = world["people"]["hub_a"]
    hub_owner.is_active = False
    hub_owner.save(update_fields=["is_active"])
    event = _record_and_fan_out("parcel.delivered", world["audiences_a"][HUB], world["hub_a"])
    assert "hub_a" not in _receivers(world, event)


def test_fan_out_takes_a_bounded_number_of_queries(world, make_user, django_assert_max_num_queries):
    for _ in range(30):
        partner, owner = partner_with_owner()
        _subscribe(owner)
        _subscribe(HubFactory().owner)
    with transaction.atomic():
        event = event_record(type="route.published", subject=world["hub_a"], payload={},
                             audience=Audience.partners([world["partner_a"].pk, partner.pk]))
    with django_assert_max_num_queries(9):
        event_fan_out(event_id=event.pk)
    assert "partner_a" in _receivers(world, event)
    assert WebhookDelivery.objects.filter(event=event).count() == 4  # admin, scoped integrator, two partners


def test_a_published_plan_reaches_every_partner_with_a_route_in_it(world):
    partner_c, owner_c = partner_with_owner()
    _subscribe(owner_c)
    station, day = StationFactory(), date(2026, 12, 1)
    plan = Plan.objects.create(station=station, service_date=day, status=PlanStatus.READY)
    for sequence, partner in enumerate([world["partner_a"], partner_c, world["partner_a"]], start=1):
        Route.objects.create(plan=plan, service_date=day, sequence=sequence, partner=partner)
    plan_publish(plan=plan, allow_unassigned=True, reason="audience test: assignment does not matter")
    event = OutboxEvent.objects.get(type="route.published")
    assert event.audience == Audience.partners([world["partner_a"].pk, partner_c.pk])
    event_fan_out(event_id=event.pk)
    owners = set(WebhookDelivery.objects.filter(event=event).values_list("subscription__owner", flat=True))
    people = world["people"]
    assert owners == {people["admin"].pk, people["integrator_scoped"].pk, people["partner_a"].pk, owner_c.pk}


def test_an_application_is_heard_by_its_applicant_only():
    application = application_in("rejected")
    events = OutboxEvent.objects.filter(type__startswith="application.")
    assert sorted(e.type for e in events) == ["application.decided", "application.submitted"]
    assert {e.audience for e in events} == {Audience.applicant(application.applicant_id)}


def test_bulk_recorded_events_keep_their_audience(world):
    with transaction.atomic():
        rows = events_record_bulk([
            ("parcel.delivered", world["hub_a"], {"tracking_id": "T1"}, Audience.hub(world["hub_a"].pk)),
            ("route.published", world["hub_a"], {}, Audience.partners([world["partner_a"].pk, 99])),
        ])
    stored = {e.type: e.audience for e in OutboxEvent.objects.filter(pk__in=[r.pk for r in rows])}
    assert stored == {"parcel.delivered": Audience.hub(world["hub_a"].pk),
                      "route.published": Audience.partners([world["partner_a"].pk, 99])}


def test_events_written_in_one_statement_keep_their_audience_and_reach_the_same_subscribers(world):
    """core.events.events_insert_ctes (a batch service's one round trip on PostgreSQL) stores what
    events_record_bulk stores: the hub, the partner rows (OutboxEventPartner) and the payload."""
    from django.db import connection
    from django.utils import timezone

    from core.bulksql import run_ctes

    batch = [("parcel.delivered", world["hub_a"], {"tracking_id": "T1"}, Audience.hub(world["hub_a"].pk)),
             ("route.published", world["hub_a"], {"routes": 2}, Audience.partners([world["partner_a"].pk, 99]))]
    with transaction.atomic(), connection.cursor() as cursor:
        run_ctes(events_insert_ctes(batch, now=timezone.now()), cursor)
    stored = {e.type: (e.audience, e.payload) for e in OutboxEvent.objects.all()}
    assert stored == {"parcel.delivered": (Audience.hub(world["hub_a"].pk), {"tracking_id": "T1"}),
                      "route.published": (Audience.partners([world["partner_a"].pk, 99]), {"routes": 2})}
    with transaction.atomic(), pytest.raises(ValueError, match="may not name a hub"):
        events_insert_ctes([("application.decided", world["hub_a"], {}, Audience.hub(world["hub_a"].pk))],
                           now=timezone.now())


def test_a_payout_names_the_transfers_recipient():
    assert Audience.holder("partner:12") == Audience.partner(12)
    assert Audience.holder("hub:7") == Audience.hub(7)
    assert Audience.holder("someone:3").is_program_only and Audience.holder("").is_program_only


def test_an_event_type_without_an_audience_cannot_be_recorded(world, monkeypatch):
    monkeypatch.setitem(EVENT_TYPES, "widget.made", ("A widget was made.", {"id": "int"}))
    with transaction.atomic(), pytest.raises(ValueError, match="has no audience"):
        event_record(type="widget.made", subject=world["hub_a"], payload={}, audience=Audience())
    with transaction.atomic(), pytest.raises(TypeError):
        event_record(type="claim.paid", subject=world["hub_a"], payload={})  # the audience is required
    with transaction.atomic(), pytest.raises(ValueError, match="may not name a hub"):
        event_record(type="application.decided", subject=world["hub_a"], payload={},
                     audience=Audience.hub(world["hub_a"].pk))
    with transaction.atomic(), pytest.raises(ValueError, match="has no audience"):
        events_record_bulk([("widget.made", world["hub_a"], {}, Audience())])
    assert OutboxEvent.objects.count() == 0
