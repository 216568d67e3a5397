"""Quotes and orders: snapshots, the fleet-plan limit, the deposit through Stripe (the real client against
the local fake, confirmed by a signed webhook), refunds on cancellation, fulfilment into the registry."""

from datetime import date
from decimal import Decimal

import pytest

from core.audience import Audience
from core.errors import Conflict, InvalidTransition, ValidationFailed
from core.models import OutboxEvent
from fleet.models import Acquisition, InsurancePolicy, Vehicle
from payments.models import Payment
from procurement.models import Order
from procurement.selectors import partner_has_vans_ordered
from procurement.services import (
    order_approve,
    order_cancel,
    order_deposit_start,
    order_fulfil,
    order_reject,
    order_submit,
    quote_line_remove,
    quote_line_set,
)
from tests.factories import AdminFactory
from tests.fleet.factories import VehicleFactory, make_vin
from tests.onboarding.factories import ApplicationFactory, partner_with_owner
from tests.procurement.factories import InsuranceItemFactory, SupplyItemFactory, VanItemFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def buyer():
    """A partner whose approved plan is 5 vans."""
    application = ApplicationFactory(planned_vans=5)
    partner, owner = partner_with_owner(application=application)
    return partner, owner


def test_a_placed_order_keeps_its_price_when_the_catalog_changes(buyer):
    partner, owner = buyer
    van = VanItemFactory()
    original_name = van.name
    quote_line_set(partner=partner, item=van, quantity=2, by=owner)
    order = order_submit(order=Order.objects.get(partner=partner), by=owner)
    assert order.total == Decimal("86400.00")  # 48000 × 0.9 × 2
    assert OutboxEvent.objects.get(type="order.submitted").audience == Audience.partner(partner.pk)

    van.list_price, van.discount_value, van.name = Decimal("52000.00"), Decimal("0"), "Renamed van"
    van.save()

    order.refresh_from_db()
    line = order.lines.get()
    assert (order.total, line.unit_list_price, line.total, line.item_name) == (
        Decimal("86400.00"), Decimal("48000.00"), Decimal("86400.00"), original_name)
    assert line.rules_applied == [{"rule": "negotiated", "type": "percent", "percent": "10.00"}]


def test_a_quote_is_repriced_until_it_is_submitted(buyer):
    partner, owner = buyer
    mount = SupplyItemFactory()
    line = quote_line_set(partner=partner, item=mount, quantity=3, by=owner)
    assert line.total == Decimal("50.97")
    mount.list_price = Decimal("25.00")
    mount.save()
    quote_line_set(partner=partner, item=mount, quantity=3, by=owner)
    assert Order.objects.get(partner=partner).total == Decimal("63.75")


def test_van_quantity_cannot_exceed_the_approved_fleet_plan(buyer, other_partner_and_owner):
    partner, owner = buyer
    VehicleFactory(partner=partner)
    VehicleFactory(partner=partner, status=Vehicle.Status.RETIRED)  # off the books: does not count
    VehicleFactory.create_batch(3, partner=other_partner_and_owner[0])  # someone else's vans
    van = VanItemFactory()

    with pytest.raises(ValidationFailed) as refused:
        quote_line_set(partner=partner, item=van, quantity=5, by=owner)  # 1 on the road + 5 > 5
    assert refused.value.code == "fleet_plan_exceeded"

    quote_line_set(partner=partner, item=van, quantity=2, by=owner)
    order_submit(order=Order.objects.get(partner=partner), by=owner)  # 1 on road + 2 on an open order
    with pytest.raises(ValidationFailed):
        quote_line_set(partner=partner, item=van, quantity=3, by=owner)
    assert quote_line_set(partner=partner, item=van, quantity=2, by=owner).quantity == 2  # exactly 5


def test_a_partner_with_no_application_uses_the_programs_typical_fleet(partner_and_owner):
    partner, owner = partner_and_owner
    with pytest.raises(ValidationFailed):
        quote_line_set(partner=partner, item=VanItemFactory(), quantity=41, by=owner)


def test_a_suspended_partner_cannot_buy(buyer):
    partner, owner = buyer
    partner.status = "suspended"
    partner.save()
    with pytest.raises(Conflict):
        quote_line_set(partner=partner, item=SupplyItemFactory(), quantity=1, by=owner)


def _approved_van_order(partner, owner, quantity=2):
    quote_line_set(partner=partner, item=VanItemFactory(), quantity=quantity, by=owner)
    order = order_submit(order=Order.objects.get(partner=partner, status="draft"), by=owner)
    return order_approve(order=order, by=AdminFactory())


def test_the_deposit_is_paid_through_stripe_and_confirmed_by_webhook(buyer, stripe_fake, client):
    partner, owner = buyer
    order = _approved_van_order(partner, owner)
    assert order.deposit_amount == Decimal("8640.00")  # 10% of 86400

    payment = order_deposit_start(order=order, by=owner)
    assert order_deposit_start(order=order, by=owner).pk == payment.pk  # once
    assert stripe_fake.count("payment_intent") == 1
    assert (payment.amount, payment.purpose, payment.reference) == (Decimal("8640.00"), "order_deposit",
                                                                    f"order:{order.pk}")

    stripe_fake.pay_payment_intent(payment.stripe_payment_intent_id)
    response = stripe_fake.send_webhook(client, "payment_intent.succeeded", payment.stripe_payment_intent_id)
    assert response.status_code == 200

    order.refresh_from_db()
    assert order.status == "deposit_paid"
    assert order.deposit_payment_id == payment.pk
    assert order.events.last().to_status == "deposit_paid"


def test_cancelling_after_the_deposit_refunds_it(buyer, stripe_fake, client):
    partner, owner = buyer
    order = _approved_van_order(partner, owner)
    payment = order_deposit_start(order=order, by=owner)
    stripe_fake.pay_payment_intent(payment.stripe_payment_intent_id)
    stripe_fake.send_webhook(client, "payment_intent.succeeded", payment.stripe_payment_intent_id)

    with pytest.raises(ValidationFailed):
        order_cancel(order=order, by=owner, note="  ")  # a reason is required
    order = order_cancel(order=order, by=owner, note="Bought used vans locally instead.")

    payment.refresh_from_db()
    assert order.status == "cancelled"
    assert payment.status == Payment.Status.REFUNDED and payment.amount_refunded == Decimal("8640.00")
    assert stripe_fake.count("refund") == 1


def test_rejection_needs_a_reason_and_is_recorded_as_a_decision(buyer):
    partner, owner = buyer
    quote_line_set(partner=partner, item=SupplyItemFactory(), quantity=4, by=owner)
    order = order_submit(order=Order.objects.get(partner=partner), by=owner)
    admin = AdminFactory()
    with pytest.raises(ValidationFailed):
        order_reject(order=order, by=admin, note="")
    order = order_reject(order=order, by=admin, note="Uniform sizes missing.")
    assert (order.status, order.decision_note, order.decided_by) == ("rejected", "Uniform sizes missing.", admin)
    types = list(OutboxEvent.objects.filter(subject_id=str(order.pk)).values_list("type", flat=True))
    assert types == ["order.submitted", "order.decided"]
    with pytest.raises(InvalidTransition):
        order_approve(order=order, by=admin)


def test_fulfilment_puts_the_vans_and_the_policy_in_the_registry(buyer, stripe_fake, client):
    partner, owner = buyer
    quote_line_set(partner=partner, item=VanItemFactory(), quantity=2, by=owner)
    cover = quote_line_set(partner=partner, item=InsuranceItemFactory(), quantity=2, by=owner)
    order = order_submit(order=Order.objects.get(partner=partner), by=owner)
    admin = AdminFactory()
    order = order_approve(order=order, by=admin)
    payment = order_deposit_start(order=order, by=owner)
    stripe_fake.pay_payment_intent(payment.stripe_payment_intent_id)
    stripe_fake.send_webhook(client, "payment_intent.succeeded", payment.stripe_payment_intent_id)
    van_line = order.lines.get(kind="vehicle")

    with pytest.raises(ValidationFailed) as bad:
        order_fulfil(order=order, by=admin, vans={van_line.pk: [{"vin": "NOTAVIN"}, {"vin": make_vin(901)}]},
                     policies={cover.pk: {"policy_number": "PC-1"}})
    assert bad.value.code == "invalid_vin"
    assert not Vehicle.objects.filter(partner=partner).exists()  # all or nothing

    order = order_fulfil(order=order, by=admin, on_date=date(2026, 4, 1),
                         vans={van_line.pk: [{"vin": make_vin(901)}, {"vin": make_vin(902), "plate": "PV100",
                                                                       "plate_state": "GA"}]},
                         policies={cover.pk: {"policy_number": "PC-1"}})
    assert order.status == "fulfilled"
    vans = Vehicle.objects.filter(partner=partner)
    assert vans.count() == 2
    assert {v.acquired_via for v in vans} == {Acquisition.PROGRAM_ORDER}
    assert vans.first().source_reference.startswith(f"order:{order.pk}/line:")
    policy = InsurancePolicy.objects.get(partner=partner)
    assert (policy.coverage, policy.acquired_via, policy.covers_all_vehicles) == ("auto_liability",
                                                                                 "program_order", True)
    assert OutboxEvent.objects.filter(type="order.fulfilled", subject_id=str(order.pk)).exists()


def test_vans_ordered_on_the_checklist_counts_submitted_orders(buyer):
    partner, owner = buyer
    van = VanItemFactory()
    quote_line_set(partner=partner, item=van, quantity=1, by=owner)
    assert partner_has_vans_ordered(partner=partner) is None  # a quote is not an order
    order_submit(order=Order.objects.get(partner=partner), by=owner)
    assert partner_has_vans_ordered(partner=partner) is True


def test_removing_a_line_reprices_the_quote(buyer):
    partner, owner = buyer
    line = quote_line_set(partner=partner, item=SupplyItemFactory(), quantity=1, by=owner)
    quote_line_set(partner=partner, item=VanItemFactory(), quantity=1, by=owner)
    order = quote_line_remove(partner=partner, line_id=line.pk, by=owner)
    assert order.total == Decimal("43200.00") and order.deposit_amount == Decimal("4320.00")
