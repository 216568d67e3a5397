"""Procurement order lines paid off from a partner's weekly statements.

performance (which keeps the deduction plans) and procurement (which keeps the orders) do not import each other,
so the project wires them: this reads an order line and asks performance for a plan."""

from datetime import date

from django.utils.translation import gettext as _

from core.errors import Conflict, ValidationFailed
from core.money import money
from performance.models import DeductionPlan
from performance.services.deductions import deduction_agree
from procurement.models import ItemKind, Order, OrderLine, PriceBasis

AGREEABLE = (Order.Status.APPROVED, Order.Status.DEPOSIT_PAID, Order.Status.FULFILLED)


def _kind(line: OrderLine) -> str:
    if line.kind == ItemKind.INSURANCE:
        return DeductionPlan.Kind.INSURANCE
    if line.kind == ItemKind.VEHICLE:
        return DeductionPlan.Kind.VAN_PURCHASE if line.price_basis == PriceBasis.UNIT else DeductionPlan.Kind.VAN_LEASE
    raise ValidationFailed(_("Only vans and insurance can be paid off from statements."), code="not_deductible")


def order_line_deduction_agree(*, order_line: OrderLine, instalments, first_week: date, by=None) -> DeductionPlan:
    """The partner agrees to pay `order_line` less its deposit in weekly instalments from its statements."""
    if order_line.order.status not in AGREEABLE:
        raise Conflict(_("Only an approved order can be paid off from statements."), code="order_not_approved")
    deposit = money(order_line.total * order_line.deposit_percent / 100)
    return deduction_agree(
        partner_id=order_line.order.partner_id, kind=_kind(order_line), source=f"order_line:{order_line.pk}",
        description=f"{order_line.item_name} × {order_line.quantity} (order #{order_line.order_id})",
        total=money(order_line.total - deposit), instalments=instalments, first_week=first_week, by=by)
