"""Quotes and orders. A draft order is the partner's quote (cart); submitting freezes its prices."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.money import MoneyField
from core.workflow import TransitionLog, Workflow
from fleet.models.catalog import CatalogItem, ItemKind, PriceBasis


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
        pass

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
