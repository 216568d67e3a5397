"""Demo procurement for `manage.py seed_demo`: the program catalog, its pricing rules, and the demo
partner's orders (one fulfilled — its vans are in the registry —, one awaiting a decision, one quote).

Offline: no Stripe call is made; the fulfilled order's deposit is recorded as a succeeded payment
row with a `pi_demo_` id. Idempotent: catalog rows are keyed by SKU/name; orders are made once."""

from datetime import timedelta
from decimal import Decimal as D

from django.utils import timezone

from accounts.models import User
from core.workflow import transition
from fleet.vin import vin_check_digit
from onboarding.selectors import partner_for_user
from procurement.models import (
    ORDER_WORKFLOW,
    CatalogItem,
    FleetSizeTier,
    ItemCategory,
    ItemKind,
    Order,
    OrderEvent,
    PriceBasis,
    Promotion,
    Vendor,
)
from procurement.selectors import procurement_settings
from procurement.services import order_approve, order_fulfil, order_submit, quote_line_set

OWNER = "owner@demo.dspportal.example"
ADMIN = "admin@demo.dspportal.example"
PLAN = 30  # the demo partner's fleet plan was raised to 30 vans at its 90-day review

VENDORS = {
    "Rivet Fleet Sales": "Branded step vans, program pricing through 2027.",
    "Voltline EV": "Electric vans with depot charging.",
    "Metro Fleet Leasing": "Cargo van leases, 36-month minimum.",
    "Progressive Commercial": "Auto liability and cargo.",
    "Hartwell Mutual": "General liability, workers' compensation and umbrella.",
    "Routewear": "Branded uniforms.", "ProClip": "Phone mounts and rugged phones.",
    "FuelRight": "Fleet fuel cards.", "LedgerLane": "Payroll and accounting software.",
}

V, INS, S = ItemKind.VEHICLE, ItemKind.INSURANCE, ItemKind.SUPPLY
# sku, vendor, kind, category, name, basis, list price, discount type, value, extra fields
ITEMS = [
    ("VAN-STEP-26", "Rivet Fleet Sales", V, ItemCategory.STEP_VAN, "Branded step van 2026 (Ford E-450)",
     PriceBasis.UNIT, "48250.00", "percent", "12", {"make": "Ford", "model": "E-450 Step Van", "year": 2026,
                                                  "package_capacity": 300, "cargo_cubic_feet": 680}),
    ("VAN-EV-26", "Voltline EV", V, ItemCategory.ELECTRIC_VAN, "Electric delivery van 2026 (Rivian EDV 500)",
     PriceBasis.UNIT, "83500.00", "fixed", "6500", {"make": "Rivian", "model": "EDV 500", "year": 2026,
                                                    "package_capacity": 310, "cargo_cubic_feet": 500,
                                                    "range_miles": 161}),
    ("VAN-CARGO-LEASE", "Metro Fleet Leasing", V, ItemCategory.CARGO_VAN, "Cargo van lease (Ram ProMaster 2500)",
     PriceBasis.MONTHLY, "1249.00", "percent", "7.5", {"make": "Ram", "model": "ProMaster 2500", "year": 2025,
                                                       "package_capacity": 250, "cargo_cubic_feet": 420,
                                                       "min_term_months": 36}),
    ("INS-AUTO", "Progressive Commercial", INS, ItemCategory.AUTO_LIABILITY, "Commercial auto liability, $1M CSL",
     PriceBasis.VEHICLE_MONTH, "310.00", "percent", "8", {"coverage": "auto_liability",
                                                          "carrier": "Progressive Commercial",
                                                          "per_occurrence_limit": D("1000000"),
                                                          "deductible": D("1000")}),
    ("INS-CARGO", "Progressive Commercial", INS, ItemCategory.CARGO, "Motor truck cargo, $100k",
     PriceBasis.VEHICLE_DAY, "1.35", "percent", "10", {"coverage": "cargo", "carrier": "Progressive Commercial",
                                                       "per_occurrence_limit": D("100000"), "deductible": D("500")}),
    ("INS-GL", "Hartwell Mutual", INS, ItemCategory.GENERAL_LIABILITY, "General liability, $1M / $2M",
     PriceBasis.DRIVER, "420.00", "percent", "6", {"coverage": "general_liability", "carrier": "Hartwell Mutual",
                                                   "per_occurrence_limit": D("1000000"),
                                                   "aggregate_limit": D("2000000")}),
    ("INS-WC", "Hartwell Mutual", INS, ItemCategory.WORKERS_COMP, "Workers' compensation (GA class 7380)",
     PriceBasis.PAYROLL_100, "6.80", "percent", "5", {"coverage": "workers_comp", "carrier": "Hartwell Mutual",
                                                      "per_occurrence_limit": D("1000000")}),
    ("INS-UMB", "Hartwell Mutual", INS, ItemCategory.UMBRELLA, "Umbrella, $5M", PriceBasis.UNIT, "7800.00",
     "fixed", "600", {"coverage": "umbrella", "carrier": "Hartwell Mutual", "per_occurrence_limit": D("5000000")}),
    ("SUP-UNIFORM", "Routewear", S, ItemCategory.UNIFORMS, "Driver uniform kit (2 shirts, jacket, cap)",
     PriceBasis.UNIT, "89.00", "percent", "20", {}),
    ("SUP-MOUNT", "ProClip", S, ItemCategory.PHONES, "Dash phone mount", PriceBasis.UNIT, "19.99", "percent",
     "15", {}),
    ("SUP-FUEL", "FuelRight", S, ItemCategory.FUEL_CARDS, "Fleet fuel card (per card, per month)",
     PriceBasis.MONTHLY, "4.00", "fixed", "4.00", {"description": "No card fee for program partners."}),
    ("SUP-PAYROLL", "LedgerLane", S, ItemCategory.SOFTWARE, "Payroll and accounting software",
     PriceBasis.MONTHLY, "149.00", "percent", "30", {"min_term_months": 12}),
]


def _catalog():
    vendors = {}
    for name, notes in VENDORS.items():
        vendors[name], _c = Vendor.objects.get_or_create(name=name, defaults={"notes": notes})
    items = {}
    for sku, vendor, kind, category, name, basis, price, dtype, value, extra in ITEMS:
        items[sku], _c = CatalogItem.objects.get_or_create(sku=sku, defaults={
            "vendor": vendors[vendor], "kind": kind, "category": category, "name": name, "price_basis": basis,
            "list_price": D(price), "discount_type": dtype, "discount_value": D(value), **extra})
    for name, min_vans, percent in (("Fleet of 10+ vans", 10, "2"), ("Fleet of 25+ vans", 25, "4")):
        FleetSizeTier.objects.get_or_create(name=name, defaults={"kind": V, "min_vans": min_vans,
                                                                 "percent": D(percent)})
    procurement_settings()  # the row with its defaults: 3% veteran extra, 10% deposit on vans
    now = timezone.now()
    Promotion.objects.get_or_create(name="Spring EV push: $1,500 off", defaults={
        "item": items["VAN-EV-26"], "amount": D("1500"), "starts_at": now - timedelta(days=10),
        "ends_at": now + timedelta(days=50)})
    return items


def _vin(n: int) -> str:
    body = f"3C6LRVDG0SE{n:06d}"
    return body[:8] + vin_check_digit(body) + body[9:]


def _fulfilled_order(partner, owner, admin, items):
    from payments.models import Payment, PaymentLog

    quote_line_set(partner=partner, item=items["VAN-STEP-26"], quantity=2, by=owner)
    quote_line_set(partner=partner, item=items["SUP-UNIFORM"], quantity=30, by=owner)
    quote_line_set(partner=partner, item=items["INS-UMB"], quantity=1, by=owner)
    order = order_submit(order=Order.objects.get(partner=partner, status=Order.Status.DRAFT), by=owner)
    order = order_approve(order=order, by=admin, note="Within plan; vendor confirmed delivery slots.")
    # The deposit as Stripe would have confirmed it (seeding stays offline).
    payment = Payment.objects.create(amount=order.deposit_amount, purpose="order_deposit", reference=order.reference,
                                     idempotency_key=f"demo-order-deposit:{order.pk}",
                                     stripe_payment_intent_id=f"pi_demo_{order.pk}", status=Payment.Status.SUCCEEDED,
                                     succeeded_at=timezone.now())
    PaymentLog.objects.create(payment=payment, from_status="", to_status=Payment.Status.SUCCEEDED, note="demo")
    order = transition(instance=order, to=Order.Status.DEPOSIT_PAID, workflow=ORDER_WORKFLOW, log_model=OrderEvent,
                       subject_field="order", note="Deposit received (demo).", changes={"deposit_payment": payment})
    van_line = order.lines.get(kind=V)
    umbrella = order.lines.get(kind=INS)
    order = order_fulfil(order=order, by=admin,
                         vans={van_line.pk: [{"vin": _vin(1), "plate": "DSP5101", "plate_state": "GA"},
                                             {"vin": _vin(2), "plate": "DSP5102", "plate_state": "GA"}]},
                         policies={umbrella.pk: {"policy_number": "HM-UMB-22817"}})
    # Spread the history over past months so the savings chart has a shape.
    back = timezone.now() - timedelta(days=62)
    Order.objects.filter(pk=order.pk).update(submitted_at=back, created_at=back)


def seed(*, log):
    items = _catalog()
    owner = User.objects.filter(email=OWNER).first()
    partner = partner_for_user(user=owner) if owner else None
    admin = User.objects.filter(email=ADMIN).first() or User.objects.filter(role="program_admin").first()
    if partner is None:
        log(f"procurement: catalog of {CatalogItem.objects.count()} items; no demo partner, no orders")
        return []
    if not Order.objects.filter(partner=partner).exists():
        application = partner.application
        if application is not None and (application.planned_vans or 0) < PLAN:
            application.planned_vans = PLAN
            application.save(update_fields=["planned_vans"])
        _fulfilled_order(partner, owner, admin, items)
        quote_line_set(partner=partner, item=items["VAN-EV-26"], quantity=2, by=owner)
        quote_line_set(partner=partner, item=items["INS-AUTO"], quantity=2, by=owner)
        quote_line_set(partner=partner, item=items["SUP-MOUNT"], quantity=30, by=owner)
        order_submit(order=Order.objects.get(partner=partner, status=Order.Status.DRAFT), by=owner)
        quote_line_set(partner=partner, item=items["VAN-CARGO-LEASE"], quantity=1, by=owner)
        quote_line_set(partner=partner, item=items["SUP-PAYROLL"], quantity=1, by=owner)
    log(f"procurement: {CatalogItem.objects.count()} catalog items, {Order.objects.filter(partner=partner).count()} "
        f"orders for {partner}")
    return []
