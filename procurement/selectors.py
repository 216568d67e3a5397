"""Procurement reads: the catalog, quotes and orders scoped by who asks, the fleet plan, savings."""

from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.permissions import user_has_perm
from core.errors import NotFound
from core.money import money
from fleet.models import Vehicle
from onboarding.models import Partner
from onboarding.selectors import onboarding_settings, partner_for_user
from procurement import pricing
from procurement.models import (
    CatalogItem,
    FleetSizeTier,
    ItemKind,
    Order,
    OrderLine,
    ProcurementSettings,
    Promotion,
)

ZERO = Decimal("0")


def procurement_settings() -> ProcurementSettings:
    row, _created = ProcurementSettings.objects.get_or_create(singleton=True)
    return row


def buyer_partner_for_user(*, user) -> Partner:
    partner = partner_for_user(user=user)
    if partner is None:
        raise NotFound(_("Your account is not linked to a delivery partner."), code="no_partner")
    return partner


def pricing_rules() -> pricing.Rules:
    """The pricing rules admins edit, as the pure engine's `Rules` (active tiers and promotions, the veteran extra)."""
    tiers = tuple(pricing.Tier(id=t.pk, name=t.name, min_vans=t.min_vans, percent=t.percent, kind=t.kind)
                  for t in FleetSizeTier.objects.filter(active=True))
    promos = tuple(pricing.Promo(id=p.pk, name=p.name, starts_at=p.starts_at, ends_at=p.ends_at, percent=p.percent,
                                 amount=p.amount, item_id=p.item_id, kind=p.kind)
                   for p in Promotion.objects.filter(active=True))
    return pricing.Rules(tiers=tiers, promotions=promos,
                         veteran_extra_percent=procurement_settings().veteran_extra_percent)


# --- Catalog -----------------------------------------------------------------------------------


def catalog_list(*, filters=None, include_inactive: bool = False) -> QuerySet[CatalogItem]:
    filters = filters or {}
    qs = CatalogItem.objects.select_related("vendor")
    if not include_inactive:
        qs = qs.filter(active=True, vendor__active=True)
    if filters.get("kind"):
        qs = qs.filter(kind=filters["kind"])
    if filters.get("category"):
        qs = qs.filter(category=filters["category"])
    if str(filters.get("vendor") or "").isdigit():
        qs = qs.filter(vendor_id=filters["vendor"])
    if filters.get("q"):
        q = filters["q"].strip()
        qs = qs.filter(Q(name__icontains=q) | Q(description__icontains=q) | Q(make__icontains=q)
                       | Q(model__icontains=q) | Q(carrier__icontains=q) | Q(vendor__name__icontains=q))
    return qs


def catalog_item_get(*, item_id, include_inactive: bool = False) -> CatalogItem:
    item = catalog_list(include_inactive=include_inactive).filter(pk=item_id).first() if str(item_id).isdigit() \
        else None
    if item is None:
        raise NotFound()
    return item


# --- Fleet plan -------------------------------------------------------------------------------


def fleet_plan(*, partner) -> int:
    """Vans the partner may run: the approved application's planned vans, else the program's typical maximum."""
    application = getattr(partner, "application", None)
    if application is not None and application.planned_vans:
        return application.planned_vans
    return onboarding_settings().typical_fleet_max


def vans_on_road(*, partner) -> int:
    return Vehicle.objects.filter(partner=partner).exclude(status=Vehicle.Status.RETIRED).count()


def vans_on_open_orders(*, partner, exclude_order_id=None) -> int:
    qs = OrderLine.objects.filter(order__partner=partner, order__status__in=Order.OPEN, kind=ItemKind.VEHICLE)
    if exclude_order_id:
        qs = qs.exclude(order_id=exclude_order_id)
    return qs.aggregate(n=Sum("quantity"))["n"] or 0


def partner_has_vans_ordered(*, partner) -> bool | None:
    """The onboarding checklist's "vans ordered": a submitted-or-later van order, or vans on the road."""
    if vans_on_road(partner=partner):
        return True
    ordered = OrderLine.objects.filter(order__partner=partner, kind=ItemKind.VEHICLE,
                                       order__status__in=(*Order.OPEN, Order.Status.FULFILLED)).exists()
    return True if ordered else None


# --- Quotes and orders ---------------------------------------------------------------------------


def quote_for(*, partner) -> Order | None:
    return Order.objects.filter(partner=partner, status=Order.Status.DRAFT).prefetch_related("lines").first()


def order_list(*, fetched_by, filters=None) -> QuerySet[Order]:
    """Admins (orders.decide) see every order except quotes; partners see their own, quote included."""
    filters = filters or {}
    qs = Order.objects.select_related("partner", "deposit_payment")
    if user_has_perm(fetched_by, "orders.decide"):
        qs = qs.exclude(status=Order.Status.DRAFT)
        if str(filters.get("partner") or "").isdigit():
            qs = qs.filter(partner_id=filters["partner"])
    else:
        partner = partner_for_user(user=fetched_by) if user_has_perm(fetched_by, "orders.place") else None
        if partner is None:
            return qs.none()
        qs = qs.filter(partner=partner)
    if filters.get("status") in Order.Status.values:
        qs = qs.filter(status=filters["status"])
    return qs


def order_get(*, user, order_id) -> Order:
    """An order the user may see; another partner's order is the same 404 as a missing one."""
    order = order_list(fetched_by=user).filter(pk=order_id).first() if str(order_id).isdigit() else None
    if order is None:
        raise NotFound()
    return order


def order_queue(*, status: str = "submitted") -> QuerySet[Order]:
    qs = Order.objects.select_related("partner").exclude(status=Order.Status.DRAFT).order_by("submitted_at", "id")
    if status == "open":
        return qs.filter(status__in=Order.OPEN)
    if status in Order.Status.values:
        return qs.filter(status=status)
    return qs


def order_status_counts() -> dict[str, int]:
    return dict(Order.objects.exclude(status=Order.Status.DRAFT).values_list("status").annotate(n=Count("id")))


# --- Savings ------------------------------------------------------------------------------------


def _sums(row: dict) -> dict:
    """The three sums to the cent (SQLite adds decimals as floats: 88031.5200000000)."""
    return {k: money(row[k] or ZERO) for k in ("list_total", "total", "savings")}


def savings_report(*, partner=None) -> dict:
    """List vs paid on committed orders (deposit paid or fulfilled): totals, by category, by month, by partner."""
    lines = OrderLine.objects.filter(order__status__in=Order.COMMITTED)
    if partner is not None:
        lines = lines.filter(order__partner=partner)
    sums = {"list_total": Sum("list_total"), "total": Sum("total"), "savings": Sum("savings")}
    by_kind = {row["kind"]: _sums(row) for row in lines.values("kind").annotate(**sums).order_by()}
    months = lines.annotate(month=TruncMonth("order__submitted_at")).values("month").annotate(**sums).order_by("month")
    partners = (lines.values("order__partner_id", "order__partner__legal_name").annotate(**sums)
                .order_by("-savings"))
    return {
        **_sums(lines.aggregate(**sums)),
        "by_kind": [{"kind": k, "label": ItemKind(k).label, **by_kind[k]} for k in ItemKind.values if k in by_kind],
        "by_month": [{"month": m["month"], **_sums(m)} for m in months],
        "by_partner": [{"partner_id": p["order__partner_id"], "partner": p["order__partner__legal_name"], **_sums(p)}
                       for p in partners],
    }


def savings_csv_rows(*, partner=None):
    """One row per committed line, for finance."""
    lines = (OrderLine.objects.filter(order__status__in=Order.COMMITTED).select_related("order", "order__partner")
             .order_by("order__submitted_at", "order_id", "id"))
    if partner is not None:
        lines = lines.filter(order__partner=partner)
    yield ["order", "partner", "status", "submitted_at", "kind", "category", "item", "vendor", "quantity", "periods",
           "unit_list_price", "unit_program_price", "list_total", "paid_total", "savings", "rules"]
    for line in lines.iterator():
        yield [line.order_id, line.order.partner.legal_name, line.order.status,
               line.order.submitted_at.isoformat() if line.order.submitted_at else "", line.kind, line.category,
               line.item_name, line.vendor_name, line.quantity, line.periods, line.unit_list_price,
               line.unit_program_price, line.list_total, line.total, line.savings,
               "; ".join(r["rule"] for r in line.rules_applied)]


def catalog_price_preview(*, items, partner=None, at=None) -> dict:
    """{item_id: LinePrice} for one unit over one period, priced for `partner` (or any partner) now."""
    buyer = pricing.Buyer()
    if partner is not None:
        buyer = pricing.Buyer(fleet_size=vans_on_road(partner=partner) + vans_on_open_orders(partner=partner),
                              veteran_owned=partner.veteran_owned)
    rules, at = pricing_rules(), at or timezone.now()
    return {item.pk: pricing.price_line(pricing.ItemTerms.of(item), quantity=1, rules=rules, buyer=buyer, at=at)
            for item in items}
