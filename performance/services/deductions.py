"""What the partner agreed to have taken from its statements, and what the program charges back.

A deduction plan spreads an order line (a van lease or purchase, an insurance premium bought through the
program) less its deposit over weekly instalments the partner agreed to. A chargeback names the route
(and package) it is for; its amount comes from the rate card in force in that route's week."""

from datetime import date

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from core.errors import Conflict, ValidationFailed
from core.money import money
from core.servicedays import service_week
from performance.models import Chargeback, DeductionPlan
from procurement.models import ItemKind, Order, OrderLine, PriceBasis

AGREEABLE = (Order.Status.APPROVED, Order.Status.DEPOSIT_PAID, Order.Status.FULFILLED)


def _kind(line: OrderLine) -> str:
    if line.kind == ItemKind.INSURANCE:
        return DeductionPlan.Kind.INSURANCE
    if line.kind == ItemKind.VEHICLE:
        return DeductionPlan.Kind.VAN_PURCHASE if line.price_basis == PriceBasis.UNIT else DeductionPlan.Kind.VAN_LEASE
    raise ValidationFailed(_("Only vans and insurance can be paid off from statements."), code="not_deductible")


def deduction_agree(*, order_line: OrderLine, instalments: int, first_week: date, by=None) -> DeductionPlan:
    """The partner agrees to pay `order_line` (less its deposit) in `instalments` weekly instalments."""
    if order_line.order.status not in AGREEABLE:
        raise Conflict(_("Only an approved order can be paid off from statements."), code="order_not_approved")
    if not 1 <= int(instalments) <= 260:
        raise ValidationFailed(_("Choose between 1 and 260 weekly instalments."), code="instalments_invalid",
                               fields={"instalments": [_("Between 1 and 260.")]})
    kind = _kind(order_line)
    deposit = money(order_line.total * order_line.deposit_percent / 100)
    total = money(order_line.total - deposit)
    if total <= 0:
        raise ValidationFailed(_("Nothing is left to pay on this line."), code="nothing_to_deduct")
    try:
        with transaction.atomic():
            return DeductionPlan.objects.create(
                partner_id=order_line.order.partner_id, kind=kind, order_line=order_line,
                description=f"{order_line.item_name} × {order_line.quantity} (order #{order_line.order_id})"[:200],
                total=total, instalments=int(instalments), instalment=money(total / int(instalments)),
                first_week=service_week(day=first_week)[0], agreed_by=by if by and by.is_authenticated else None)
    except IntegrityError as exc:
        raise Conflict(_("This order line is already being paid off from statements."),
                       code="deduction_exists") from exc


def chargeback_record(*, route, kind: str, package=None, note: str = "", by=None) -> Chargeback:
    if kind not in Chargeback.Kind.values:
        raise ValidationFailed(_("Choose what is charged back."), code="kind_invalid", fields={"kind": [_("Unknown.")]})
    if route.partner_id is None:
        raise Conflict(_("This route was never dealt to a partner."), code="route_not_dealt")
    if kind == Chargeback.Kind.LOST_PACKAGE and (package is None or package.stop is None
                                                 or package.stop.route_id != route.pk):
        raise ValidationFailed(_("Choose a package of this route."), code="package_invalid",
                               fields={"package": [_("Not on this route.")]})
    try:
        with transaction.atomic():
            return Chargeback.objects.create(partner_id=route.partner_id, kind=kind, route=route,
                                             package=package if kind == Chargeback.Kind.LOST_PACKAGE else None,
                                             service_date=route.service_date, note=note.strip()[:300],
                                             recorded_by=by if by and by.is_authenticated else None)
    except IntegrityError as exc:
        raise Conflict(_("This is already charged back."), code="chargeback_exists") from exc
