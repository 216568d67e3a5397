"""Quotes and orders: build a quote, submit it (prices frozen), decide, pay the deposit, fulfil or cancel.

Prices come only from `procurement.pricing`. A draft is re-priced on every change (and when
shown); from submission on, the lines are a snapshot that catalog edits never touch.
"""

import logging
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audience import Audience
from core.dates import parse_day
from core.errors import Conflict, NotFound, ValidationFailed
from core.events import event_record
from core.money import money
from core.servicedays import service_today
from core.workflow import lock, transition
from fleet.models import Acquisition, Vehicle
from fleet.services import policy_create, vehicle_register
from onboarding.models import Partner
from procurement import pricing
from procurement.models import ORDER_WORKFLOW, CatalogItem, ItemKind, Order, OrderEvent, OrderLine, PriceBasis
from procurement.selectors import (
    fleet_plan,
    pricing_rules,
    procurement_settings,
    vans_on_open_orders,
    vans_on_road,
)

logger = logging.getLogger(__name__)

OS = Order.Status
BUYING_STATUSES = (Partner.Status.ONBOARDING, Partner.Status.ACTIVE)
DEPOSIT_PURPOSE = "order_deposit"
MAX_QUANTITY = 10_000


def _actor(by):
    return by if by is not None and by.is_authenticated else None


def _check_buyer(partner) -> None:
    if partner.status not in BUYING_STATUSES:
        raise Conflict(_("Only approved partners in good standing can order through the program."),
                       code="partner_cannot_buy")


def _check_van_limit(order: Order, van_count: int) -> None:
    """Vans on the road + on other open orders + on this one must fit the approved fleet plan."""
    if not van_count:
        return
    plan = fleet_plan(partner=order.partner)
    used = vans_on_road(partner=order.partner) + vans_on_open_orders(partner=order.partner,
                                                                      exclude_order_id=order.pk)
    if used + van_count > plan:
        message = _("Your approved fleet plan is %(plan)s vans; with %(used)s on the road or on order, "
                    "you can order at most %(left)s more.") % {"plan": plan, "used": used,
                                                                "left": max(plan - used, 0)}
        raise ValidationFailed(message, code="fleet_plan_exceeded", fields={"quantity": [message]})


# --- Pricing an order ---------------------------------------------------------------------------


def order_reprice(*, order: Order, at=None) -> Order:
    """Price every line of a draft from the current catalog and rules, and store the snapshot."""
    if order.status != OS.DRAFT:
        return order  # placed orders keep their snapshot
    at = at or timezone.now()
    lines = list(order.lines.select_related("item", "item__vendor"))
    van_count = sum(line.quantity for line in lines if line.kind == ItemKind.VEHICLE)
    buyer = pricing.Buyer(
        fleet_size=vans_on_road(partner=order.partner) + vans_on_open_orders(partner=order.partner,
                                                                             exclude_order_id=order.pk) + van_count,
        veteran_owned=order.partner.veteran_owned)
    rules = pricing_rules()
    settings = procurement_settings()
    for line in lines:
        _line_snapshot(line, line.item, rules=rules, buyer=buyer, at=at, deposit_percent=settings.deposit_percent(
            line.item.kind))
    OrderLine.objects.bulk_update(lines, ["kind", "category", "item_name", "vendor_name", "price_basis",
                                          "unit_list_price", "unit_program_price", "list_total", "total", "savings",
                                          "deposit_percent", "rules_applied"])
    order.list_total = money(sum((line.list_total for line in lines), money(0)))
    order.total = money(sum((line.total for line in lines), money(0)))
    order.savings = order.list_total - order.total
    order.deposit_amount = pricing.deposit_for(lines)
    order.fleet_size = buyer.fleet_size
    order.veteran_owned = buyer.veteran_owned
    order.priced_at = at
    order.save(update_fields=["list_total", "total", "savings", "deposit_amount", "fleet_size", "veteran_owned",
                              "priced_at", "updated_at"])
    return order


def _line_snapshot(line: OrderLine, item: CatalogItem, *, rules, buyer, at, deposit_percent) -> None:
    priced = pricing.price_line(pricing.ItemTerms.of(item), quantity=line.quantity, periods=line.periods,
                                rules=rules, buyer=buyer, at=at)
    line.kind, line.category, line.item_name = item.kind, item.category, item.name
    line.vendor_name, line.price_basis = item.vendor.name, item.price_basis
    line.unit_list_price, line.unit_program_price = priced.unit_list_price, priced.unit_program_price
    line.list_total, line.total, line.savings = priced.list_total, priced.total, priced.savings
    line.deposit_percent = deposit_percent
    line.rules_applied = priced.rules_applied


# --- The quote (cart) -------------------------------------------------------------------------------


def quote_get_or_create(*, partner, by=None) -> Order:
    _check_buyer(partner)
    with transaction.atomic():
        Partner.objects.select_for_update().filter(pk=partner.pk).first()  # one quote per partner, even when racing
        order = Order.objects.filter(partner=partner, status=OS.DRAFT).first()
        if order is None:
            order = Order.objects.create(partner=partner, created_by=_actor(by))
            OrderEvent.objects.create(order=order, actor=_actor(by), from_status="", to_status=OS.DRAFT,
                                      note=_("Quote started."))
    return order


def _quantity(value, field="quantity") -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = 0
    if not 1 <= number <= MAX_QUANTITY:
        raise ValidationFailed(_("Enter a whole number from 1 to %(max)s.") % {"max": MAX_QUANTITY},
                               fields={field: ["invalid"]})
    return number


def quote_line_set(*, partner, item: CatalogItem, quantity, periods=None, by=None) -> OrderLine:
    """Put `quantity` of `item` on the partner's quote (replacing the quantity if it is already there)."""
    quantity = _quantity(quantity)
    periods = item.default_periods if periods in (None, "") else _quantity(periods, "periods")
    if not item.active or not item.vendor.active:
        raise Conflict(_("This item is no longer offered."), code="item_not_offered")
    if item.price_basis == PriceBasis.MONTHLY and item.min_term_months and periods < item.min_term_months:
        raise ValidationFailed(_("The minimum term is %(n)s months.") % {"n": item.min_term_months},
                               code="term_too_short", fields={"periods": ["too_short"]})
    order = quote_get_or_create(partner=partner, by=by)
    with transaction.atomic():
        order = lock(order)
        if order.status != OS.DRAFT:
            raise Conflict(_("This quote was already submitted."), code="quote_submitted")
        line = order.lines.filter(item=item).first() or OrderLine(order=order, item=item)
        line.quantity, line.periods = quantity, periods
        if item.kind == ItemKind.VEHICLE:
            others = sum(x.quantity for x in order.lines.filter(kind=ItemKind.VEHICLE).exclude(item=item))
            _check_van_limit(order, others + quantity)
        _line_snapshot(line, item, rules=pricing.Rules(), buyer=pricing.Buyer(), at=timezone.now(),
                       deposit_percent=0)
        line.save()
        order_reprice(order=order)
    line.refresh_from_db()
    return line


def quote_line_remove(*, partner, line_id, by=None) -> Order:
    with transaction.atomic():
        order = Order.objects.select_for_update().filter(partner=partner, status=OS.DRAFT).first()
        if order is None:
            raise Conflict(_("You have no quote in progress."), code="no_quote")
        # A line on another partner's quote (or none at all) is the same 404, and nothing is repriced.
        if not str(line_id).isdigit() or not order.lines.filter(pk=line_id).delete()[0]:
            raise NotFound(_("That line is not on your quote."))
        return order_reprice(order=order)


def order_submit(*, order: Order, by=None) -> Order:
    """Price the quote one last time, freeze it, and send it to the program for a decision."""
    _check_buyer(order.partner)
    with transaction.atomic():
        row = lock(order)
        if row.status == OS.SUBMITTED:
            return row
        if not row.lines.exists():
            raise ValidationFailed(_("Add at least one item before submitting."), code="quote_empty")
        _check_van_limit(row, sum(x.quantity for x in row.lines.filter(kind=ItemKind.VEHICLE)))
        order_reprice(order=row)
        row = transition(instance=row, to=OS.SUBMITTED, workflow=ORDER_WORKFLOW, log_model=OrderEvent,
                         subject_field="order", actor=by, changes={"submitted_at": timezone.now()})
        event_record(type="order.submitted", subject=row,
                     payload={"id": row.pk, "partner_id": row.partner_id, "total": str(row.total)},
                     audience=Audience.partner(row.partner_id))
    return row


# --- Decisions --------------------------------------------------------------------------------------


def _decide(order, to, *, by, note):
    with transaction.atomic():
        row = lock(order)
        if row.status == to:
            return row
        row = transition(instance=row, to=to, workflow=ORDER_WORKFLOW, log_model=OrderEvent, subject_field="order",
                         actor=by, note=(note or "").strip(),
                         changes={"decided_at": timezone.now(), "decided_by": _actor(by),
                                  "decision_note": (note or "").strip()})
        event_record(type="order.decided", subject=row, payload={"id": row.pk, "status": row.status},
                     audience=Audience.partner(row.partner_id))
    return row


def order_approve(*, order: Order, by, note: str = "") -> Order:
    if order.status == OS.SUBMITTED:
        # Another order may have put vans on the road since this one was submitted.
        _check_van_limit(order, sum(x.quantity for x in order.lines.filter(kind=ItemKind.VEHICLE)))
    return _decide(order, OS.APPROVED, by=by, note=note)


def order_reject(*, order: Order, by, note: str) -> Order:
    return _decide(order, OS.REJECTED, by=by, note=note)


def order_cancel(*, order: Order, by, note: str) -> Order:
    """Cancel before fulfilment; a paid deposit is refunded through payments (after the cancellation commits)."""
    with transaction.atomic():
        row = transition(instance=order, to=OS.CANCELLED, workflow=ORDER_WORKFLOW, log_model=OrderEvent,
                         subject_field="order", actor=by, note=(note or "").strip())
    _deposit_refund(row, actor=by)
    return row


def _deposit_refund(order: Order, *, actor=None):
    from payments.models import Payment
    from payments.services import payment_refund

    payment = Payment.objects.filter(pk=order.deposit_payment_id).first()
    if payment is None or payment.status != Payment.Status.SUCCEEDED:
        return None
    return payment_refund(payment=payment, idempotency_key=f"order-deposit-refund:{order.pk}", actor=actor)


# --- Deposit ---------------------------------------------------------------------------------------


def order_deposit_start(*, order: Order, by=None):
    """Create (once) the deposit's PaymentIntent; the page then confirms it (Stripe.js in production)."""
    from payments.services import payment_intent_create

    if order.status != OS.APPROVED:
        raise Conflict(_("A deposit is paid once the order is approved."), code="deposit_not_due")
    if order.deposit_amount <= 0:
        raise Conflict(_("No deposit is due on this order."), code="no_deposit_due")
    payment = payment_intent_create(amount=order.deposit_amount, purpose=DEPOSIT_PURPOSE, reference=order.reference,
                                    idempotency_key=f"order-deposit:{order.pk}",
                                    description=_("Deposit on program order #%(id)s") % {"id": order.pk})
    with transaction.atomic():
        row = lock(order)
        if row.deposit_payment_id is None:
            row.deposit_payment = payment
            row.save(update_fields=["deposit_payment", "updated_at"])
    return payment


def on_deposit_payment(*, payment, previous_status) -> None:
    """Payments listener (runs inside the payment's status change): a succeeded deposit moves the order on."""
    from payments.models import Payment

    if payment.status != Payment.Status.SUCCEEDED or not payment.reference.startswith("order:"):
        return
    order = Order.objects.select_for_update().filter(pk=int(payment.reference.split(":")[1])).first()
    if order is None:
        logger.warning("deposit %s for unknown order %s", payment.pk, payment.reference)
        return
    if order.status == OS.APPROVED:
        transition(instance=order, to=OS.DEPOSIT_PAID, workflow=ORDER_WORKFLOW, log_model=OrderEvent,
                   subject_field="order", note=_("Deposit of %(a)s received.") % {"a": payment.amount},
                   changes={"deposit_payment": payment})
    elif order.status == OS.CANCELLED:
        # Paid after the order was cancelled: give the money back once this change commits.
        transaction.on_commit(lambda: _deposit_refund(Order.objects.get(pk=order.pk)), robust=True)


# --- Fulfilment ------------------------------------------------------------------------------------


def order_fulfil(*, order: Order, by, vans: dict | None = None, policies: dict | None = None,
                 on_date: date | None = None) -> Order:
    """Deliver the order: vans become Vehicle rows (VINs entered now), insurance becomes InsurancePolicy rows.

    `vans` = {line_id: [{"vin": ..., "plate": ..., "plate_state": ...}, ...]} (one entry per van);
    `policies` = {line_id: {"policy_number": ..., "effective_on": date}}."""
    vans, policies = vans or {}, policies or {}
    on_date = on_date or service_today()
    with transaction.atomic():
        row = lock(order)
        if row.status == OS.FULFILLED:
            return row
        if not (row.status == OS.DEPOSIT_PAID or (row.status == OS.APPROVED and row.deposit_amount <= 0)):
            raise Conflict(_("An order is fulfilled once approved and its deposit paid."), code="not_ready_to_fulfil")
        for line in row.lines.select_related("item"):
            source = f"order:{row.pk}/line:{line.pk}"
            if line.kind == ItemKind.VEHICLE:
                _deliver_vans(line, vans.get(line.pk) or vans.get(str(line.pk)) or [], source=source, by=by,
                              register=vehicle_register)
            elif line.kind == ItemKind.INSURANCE:
                _bind_policy(line, policies.get(line.pk) or policies.get(str(line.pk)) or {}, source=source, by=by,
                             on_date=on_date, create=policy_create)
        row = transition(instance=row, to=OS.FULFILLED, workflow=ORDER_WORKFLOW, log_model=OrderEvent,
                         subject_field="order", actor=by, changes={"fulfilled_at": timezone.now()})
        event_record(type="order.fulfilled", subject=row, payload={"id": row.pk, "partner_id": row.partner_id},
                     audience=Audience.partner(row.partner_id))
    return row


def _deliver_vans(line, entries, *, source, by, register):
    if len(entries) != line.quantity:
        raise ValidationFailed(_("Enter the VIN of each of the %(n)s vans of “%(item)s”.") % {
            "n": line.quantity, "item": line.item_name}, code="vins_missing", fields={f"vins_{line.pk}": ["count"]})
    item = line.item
    ownership = Vehicle.Ownership.LEASED_PROGRAM if item.price_basis == PriceBasis.MONTHLY else \
        Vehicle.Ownership.OWNED
    for entry in entries:
        register(partner=line.order.partner, vin=entry.get("vin", ""), plate=entry.get("plate", ""),
                 plate_state=entry.get("plate_state", ""), make=item.make, model=item.model,
                 year=item.year or service_today().year, package_capacity=item.package_capacity or 1,
                 ownership=ownership, acquired_via=Acquisition.PROGRAM_ORDER, source_reference=source, by=by)


def _bind_policy(line, entry, *, source, by, on_date, create):
    item = line.item
    number = (entry.get("policy_number") or "").strip()
    if not number:
        raise ValidationFailed(_("Enter the policy number for “%(item)s”.") % {"item": line.item_name},
                               code="policy_number_missing", fields={f"policy_{line.pk}": ["required"]})
    effective_on = entry.get("effective_on") or on_date
    if isinstance(effective_on, str):
        effective_on = parse_day(effective_on, field=f"effective_on_{line.pk}", default=on_date)
    create(partner=line.order.partner, coverage=item.coverage, carrier=item.carrier or line.vendor_name,
           policy_number=number, per_occurrence_limit=item.per_occurrence_limit or 0,
           aggregate_limit=item.aggregate_limit, effective_on=effective_on,
           expires_on=effective_on + timedelta(days=365),
           covers_all_vehicles=item.coverage in ("auto_liability", "cargo"),
           acquired_via=Acquisition.PROGRAM_ORDER, source_reference=source, by=by)
