"""Procurement tables: the program catalog (vendors and items), the pricing rules admins edit, quotes and orders.

Every price a partner sees is computed from these rows by `procurement.pricing`; nothing here computes a price
itself. A draft order is the partner's quote (cart); submitting freezes its prices.

The tables were created by fleet and keep their names (`fleet_...`): each model names its `db_table`.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.money import MoneyField
from core.workflow import TransitionLog, Workflow
from fleet.models.insurance import Coverage

PERCENT = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))]


class ItemKind(models.TextChoices):
    VEHICLE = "vehicle", _("Vehicle")
    INSURANCE = "insurance", _("Insurance")
    SUPPLY = "supply", _("Supply or service")


class ItemCategory(models.TextChoices):
    STEP_VAN = "step_van", _("Branded step van")
    ELECTRIC_VAN = "electric_van", _("Electric van")
    CARGO_VAN = "cargo_van", _("Cargo van")
    AUTO_LIABILITY = "auto_liability", _("Auto liability")
    CARGO = "cargo", _("Cargo insurance")
    GENERAL_LIABILITY = "general_liability", _("General liability")
    WORKERS_COMP = "workers_comp", _("Workers' compensation")
    UMBRELLA = "umbrella", _("Umbrella")
    UNIFORMS = "uniforms", _("Uniforms")
    PHONES = "phones", _("Phones and mounts")
    FUEL_CARDS = "fuel_cards", _("Fuel cards")
    SOFTWARE = "software", _("Payroll and accounting software")


CATEGORY_KIND = {
    ItemCategory.STEP_VAN: ItemKind.VEHICLE, ItemCategory.ELECTRIC_VAN: ItemKind.VEHICLE,
    ItemCategory.CARGO_VAN: ItemKind.VEHICLE,
    ItemCategory.AUTO_LIABILITY: ItemKind.INSURANCE, ItemCategory.CARGO: ItemKind.INSURANCE,
    ItemCategory.GENERAL_LIABILITY: ItemKind.INSURANCE, ItemCategory.WORKERS_COMP: ItemKind.INSURANCE,
    ItemCategory.UMBRELLA: ItemKind.INSURANCE,
    ItemCategory.UNIFORMS: ItemKind.SUPPLY, ItemCategory.PHONES: ItemKind.SUPPLY,
    ItemCategory.FUEL_CARDS: ItemKind.SUPPLY, ItemCategory.SOFTWARE: ItemKind.SUPPLY,
}


class PriceBasis(models.TextChoices):
    """What one unit of `list_price` buys. Lines multiply it by a quantity and a number of periods."""

    UNIT = "unit", _("per unit (purchase)")
    MONTHLY = "monthly", _("per unit per month (lease or subscription)")
    VEHICLE_DAY = "vehicle_day", _("per vehicle per day")
    VEHICLE_MONTH = "vehicle_month", _("per vehicle per month")
    DRIVER = "driver", _("per driver per year")
    PAYROLL_100 = "payroll_100", _("per $100 of annual payroll")


# Periods a line covers unless the buyer says otherwise (insurance is bought for a one-year term).
DEFAULT_PERIODS = {PriceBasis.UNIT: 1, PriceBasis.MONTHLY: 12, PriceBasis.VEHICLE_DAY: 365,
                   PriceBasis.VEHICLE_MONTH: 12, PriceBasis.DRIVER: 1, PriceBasis.PAYROLL_100: 1}
PERIOD_LABEL = {PriceBasis.UNIT: "", PriceBasis.MONTHLY: _("months"), PriceBasis.VEHICLE_DAY: _("days"),
                PriceBasis.VEHICLE_MONTH: _("months"), PriceBasis.DRIVER: _("years"), PriceBasis.PAYROLL_100: ""}


class DiscountType(models.TextChoices):
    NONE = "none", _("No negotiated discount")
    PERCENT = "percent", _("Percent off list")
    FIXED = "fixed", _("Fixed amount off each unit")


class Vendor(models.Model):
    name = models.CharField(_("name"), max_length=120, unique=True)
    website = models.URLField(_("website"), blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    notes = models.TextField(_("negotiated terms"), blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        db_table = "fleet_vendor"
        ordering = ["name"]

    def __str__(self):
        return self.name


class CatalogItem(models.Model):
    vendor = models.ForeignKey(Vendor, on_delete=models.PROTECT, related_name="items")
    kind = models.CharField(_("kind"), max_length=16, choices=ItemKind.choices, db_index=True)
    category = models.CharField(_("category"), max_length=24, choices=ItemCategory.choices, db_index=True)
    name = models.CharField(_("name"), max_length=160)
    sku = models.CharField(_("SKU"), max_length=40, unique=True)
    description = models.TextField(_("description"), blank=True)
    active = models.BooleanField(_("offered"), default=True)
    # Price
    price_basis = models.CharField(_("price basis"), max_length=16, choices=PriceBasis.choices,
                                   default=PriceBasis.UNIT)
    list_price = MoneyField(_("list price (USD)"), validators=[MinValueValidator(Decimal("0.01"))],
                            help_text=_("MSRP, monthly lease, premium rate or unit price, per the price basis."))
    min_term_months = models.PositiveSmallIntegerField(_("minimum term (months)"), null=True, blank=True)
    discount_type = models.CharField(_("negotiated discount"), max_length=8, choices=DiscountType.choices,
                                     default=DiscountType.NONE)
    discount_value = models.DecimalField(_("discount (percent or USD per unit)"), max_digits=10, decimal_places=2,
                                         default=Decimal("0"), validators=[MinValueValidator(Decimal("0"))])
    # Vehicles
    make = models.CharField(_("make"), max_length=40, blank=True)
    model = models.CharField(_("model"), max_length=60, blank=True)
    year = models.PositiveSmallIntegerField(_("model year"), null=True, blank=True)
    package_capacity = models.PositiveIntegerField(_("package capacity"), null=True, blank=True)
    cargo_cubic_feet = models.PositiveIntegerField(_("cargo space (cu ft)"), null=True, blank=True)
    range_miles = models.PositiveIntegerField(_("range (miles, electric)"), null=True, blank=True)
    # Insurance
    coverage = models.CharField(_("coverage"), max_length=24, choices=Coverage.choices, blank=True)
    carrier = models.CharField(_("carrier"), max_length=120, blank=True)
    per_occurrence_limit = MoneyField(_("per-occurrence limit (USD)"), null=True, blank=True)
    aggregate_limit = MoneyField(_("aggregate limit (USD)"), null=True, blank=True)
    deductible = MoneyField(_("deductible (USD)"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "fleet_catalogitem"
        ordering = ["kind", "category", "name"]
        constraints = [
            models.CheckConstraint(condition=models.Q(list_price__gt=0), name="fleet_item_list_price_positive",
                violation_error_message=_("The list price must be more than zero.")),
            models.CheckConstraint(condition=~models.Q(discount_type="percent") | models.Q(discount_value__lte=100),
                                   name="fleet_item_percent_at_most_100",
                violation_error_message=_("A percentage discount cannot be more than 100%.")),
        ]

    def __str__(self):
        return self.name

    @property
    def is_van(self) -> bool:
        return self.kind == ItemKind.VEHICLE

    @property
    def default_periods(self) -> int:
        if self.price_basis == PriceBasis.MONTHLY and self.min_term_months:
            return self.min_term_months
        return DEFAULT_PERIODS[self.price_basis]

    @property
    def period_label(self) -> str:
        return str(PERIOD_LABEL[self.price_basis])


class FleetSizeTier(models.Model):
    """Extra percent off once the partner's fleet (on the road + on open orders + this quote) reaches `min_vans`.

    Only the highest tier reached applies; tiers do not stack with each other."""

    name = models.CharField(_("name"), max_length=80)
    kind = models.CharField(_("applies to"), max_length=16, choices=ItemKind.choices, blank=True,
                            help_text=_("Blank: every kind of item."))
    min_vans = models.PositiveSmallIntegerField(_("from this many vans"), validators=[MinValueValidator(1)])
    percent = models.DecimalField(_("extra percent off"), max_digits=5, decimal_places=2, validators=PERCENT)
    active = models.BooleanField(default=True)

    class Meta:
        db_table = "fleet_fleetsizetier"
        ordering = ["kind", "min_vans"]

    def __str__(self):
        return f"{self.name}: {self.percent}% from {self.min_vans} vans"


class Promotion(models.Model):
    """A time-boxed offer on one item, or on a kind, or on everything. Inclusive of both ends."""

    name = models.CharField(_("name"), max_length=120)
    item = models.ForeignKey(CatalogItem, null=True, blank=True, on_delete=models.CASCADE, related_name="promotions")
    kind = models.CharField(_("applies to kind"), max_length=16, choices=ItemKind.choices, blank=True)
    percent = models.DecimalField(_("percent off"), max_digits=5, decimal_places=2, default=Decimal("0"),
                                  validators=PERCENT)
    amount = MoneyField(_("USD off each unit"), default=Decimal("0"), validators=[MinValueValidator(Decimal("0"))])
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"), help_text=_("The last second the offer holds."))
    active = models.BooleanField(default=True)

    class Meta:
        db_table = "fleet_promotion"
        ordering = ["-starts_at"]
        constraints = [
            models.CheckConstraint(condition=models.Q(ends_at__gte=models.F("starts_at")),
                                   name="fleet_promotion_ends_after_start",
                violation_error_message=_("The promotion must end after it starts.")),
        ]

    def __str__(self):
        return self.name


class ProcurementSettings(models.Model):
    """The program's procurement settings: one row, edited in the Django admin."""

    singleton = models.BooleanField(default=True, unique=True, editable=False)
    veteran_extra_percent = models.DecimalField(_("extra percent off for veteran-owned partners"), max_digits=5,
                                                decimal_places=2, default=Decimal("3.00"), validators=PERCENT)
    deposit_percent_vehicle = models.DecimalField(_("deposit on vehicles (%)"), max_digits=5, decimal_places=2,
                                                  default=Decimal("10.00"), validators=PERCENT)
    deposit_percent_insurance = models.DecimalField(_("deposit on insurance (%)"), max_digits=5, decimal_places=2,
                                                    default=Decimal("0.00"), validators=PERCENT)
    deposit_percent_supply = models.DecimalField(_("deposit on supplies and services (%)"), max_digits=5,
                                                 decimal_places=2, default=Decimal("0.00"), validators=PERCENT)

    class Meta:
        db_table = "fleet_procurementsettings"
        verbose_name = verbose_name_plural = _("procurement settings")

    def __str__(self):
        return str(_("Procurement settings"))

    def deposit_percent(self, kind: str) -> Decimal:
        return {ItemKind.VEHICLE: self.deposit_percent_vehicle, ItemKind.INSURANCE: self.deposit_percent_insurance,
                ItemKind.SUPPLY: self.deposit_percent_supply}[kind]


class Order(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Quote")
        SUBMITTED = "submitted", _("Submitted")
        APPROVED = "approved", _("Approved")
        DEPOSIT_PAID = "deposit_paid", _("Deposit paid")
        FULFILLED = "fulfilled", _("Fulfilled")
        CANCELLED = "cancelled", _("Cancelled")
        REJECTED = "rejected", _("Rejected")

    # Orders whose vans count against the fleet plan (besides the quote being priced).
    OPEN = (Status.SUBMITTED, Status.APPROVED, Status.DEPOSIT_PAID)
    # Orders the program committed to: the savings report counts these.
    COMMITTED = (Status.DEPOSIT_PAID, Status.FULFILLED)

    partner = models.ForeignKey("onboarding.Partner", on_delete=models.PROTECT, related_name="orders")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT, db_index=True)
    status_changed_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    # Snapshot taken at submission (and kept current while a draft).
    list_total = MoneyField(default=0)
    total = MoneyField(default=0)
    savings = MoneyField(default=0)
    deposit_amount = MoneyField(default=0)
    fleet_size = models.PositiveIntegerField(default=0, help_text=_("The fleet size the tiers were priced on."))
    veteran_owned = models.BooleanField(default=False)
    priced_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True, db_index=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    decision_note = models.TextField(blank=True)
    fulfilled_at = models.DateTimeField(null=True, blank=True)
    deposit_payment = models.OneToOneField("payments.Payment", null=True, blank=True, on_delete=models.PROTECT,
                                           related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "fleet_order"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["partner"], condition=models.Q(status="draft"),
                                    name="fleet_one_quote_per_partner",
                violation_error_message=_("You already have a quote in progress.")),
        ]
        indexes = [models.Index(fields=["partner", "status"], name="fleet_order_partner_status")]

    def __str__(self):
        return f"Order #{self.pk} ({self.get_status_display()})"

    @property
    def reference(self) -> str:
        return f"order:{self.pk}"

    @property
    def is_quote(self) -> bool:
        return self.status == self.Status.DRAFT


OS = Order.Status

ORDER_WORKFLOW = Workflow(
    transitions={
        OS.DRAFT: [OS.SUBMITTED, OS.CANCELLED],
        OS.SUBMITTED: [OS.APPROVED, OS.REJECTED, OS.CANCELLED],
        # Approved orders with no deposit due go straight to fulfilment.
        OS.APPROVED: [OS.DEPOSIT_PAID, OS.FULFILLED, OS.CANCELLED],
        OS.DEPOSIT_PAID: [OS.FULFILLED, OS.CANCELLED],
        OS.FULFILLED: [],
        OS.CANCELLED: [],
        OS.REJECTED: [],
    },
    reason_required=frozenset({OS.REJECTED, OS.CANCELLED}),
)


class OrderEvent(TransitionLog):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="events")

    class Meta(TransitionLog.Meta):
        db_table = "fleet_orderevent"

    def __str__(self):
        return f"#{self.order_id}: {self.from_status or '·'} → {self.to_status}"


class OrderLine(models.Model):
    """One item on an order, with its price as computed when the order was (last) priced.

    Everything needed to read the line later is copied here: catalog edits never change it."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    item = models.ForeignKey(CatalogItem, on_delete=models.PROTECT, related_name="order_lines")
    kind = models.CharField(max_length=16, choices=ItemKind.choices)
    category = models.CharField(max_length=24)
    item_name = models.CharField(max_length=160)
    vendor_name = models.CharField(max_length=120)
    price_basis = models.CharField(max_length=16, choices=PriceBasis.choices)
    quantity = models.PositiveIntegerField(default=1)
    periods = models.PositiveIntegerField(default=1)
    unit_list_price = MoneyField(default=0)
    unit_program_price = MoneyField(default=0, help_text=_("Shown rounded; the line total is rounded once."))
    list_total = MoneyField(default=0)
    total = MoneyField(default=0)
    savings = MoneyField(default=0)
    deposit_percent = models.DecimalField(max_digits=5, decimal_places=2, default=0)
    rules_applied = models.JSONField(default=list)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "fleet_orderline"
        ordering = ["order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["order", "item"], name="fleet_orderline_item_once",
                violation_error_message=_("This item is already on the order: change its quantity instead.")),
            models.CheckConstraint(condition=models.Q(quantity__gte=1), name="fleet_orderline_quantity_positive",
                violation_error_message=_("The quantity must be at least 1.")),
        ]

    def __str__(self):
        return f"{self.quantity} × {self.item_name}"

    @property
    def van_count(self) -> int:
        return self.quantity if self.kind == ItemKind.VEHICLE else 0
