"""Hub businesses, their enrollment, daily parcels, outcomes and weekly statements."""

import uuid
import zoneinfo
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.files import PrivateFileField
from core.money import MoneyField
from core.servicedays import service_today
from core.validators import validate_time_zone
from core.workflow import TransitionLog, Workflow

# --- Program data an admin edits ---------------------------------------------------------------

class EligibleState(models.Model):
    code = models.CharField(max_length=2, unique=True)
    name = models.CharField(max_length=60)
    enabled = models.BooleanField(default=True)

    class Meta:
        ordering = ["code"]

    def __str__(self):
        return self.code


class TargetCity(models.Model):
    name = models.CharField(max_length=100)
    state = models.CharField(max_length=2)
    enabled = models.BooleanField(default=True)

    class Meta:
        ordering = ["state", "name"]
        verbose_name_plural = "target cities"
        constraints = [models.UniqueConstraint(fields=["state", "name"], name="hubs_city_unique",
                violation_error_message=_("This city is already a target city of that state."))]

    def __str__(self):
        return f"{self.name}, {self.state}"


class HubSettings(models.Model):
    """One row: the program's hub rates and defaults."""

    delivered_rate = MoneyField(default=Decimal("2.50"))
    attempted_rate = MoneyField(default=Decimal("0.00"))
    returned_rate = MoneyField(default=Decimal("0.00"))
    default_capacity = models.PositiveIntegerField(default=30)
    default_radius_miles = models.DecimalField(max_digits=5, decimal_places=2, default=Decimal("2.00"))

    class Meta:
        verbose_name_plural = "hub settings"

    def __str__(self):
        return "Hub program settings"

    @classmethod
    def load(cls) -> "HubSettings":
        row, _created = cls.objects.get_or_create(pk=1)
        return row


# --- Hubs ------------------------------------------------------------------------------------

class HubStatus(models.TextChoices):
    APPLIED = "applied", _("Applied")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    WAITLISTED = "waitlisted", _("Waitlisted")
    ACTIVE = "active", _("Active")
    PAUSED = "paused", _("Paused")
    OFFBOARDED = "offboarded", _("Offboarded")


S = HubStatus
HUB_WORKFLOW = Workflow(
    transitions={
        S.APPLIED: [S.APPROVED, S.REJECTED, S.WAITLISTED],
        S.WAITLISTED: [S.APPROVED, S.REJECTED],
        S.APPROVED: [S.ACTIVE, S.OFFBOARDED],
        S.ACTIVE: [S.PAUSED, S.OFFBOARDED],
        S.PAUSED: [S.ACTIVE, S.OFFBOARDED],
    },
    reason_required=frozenset({S.REJECTED, S.OFFBOARDED}),
)


class BusinessKind(models.TextChoices):
    FLORIST = "florist", _("Florist")
    COFFEE_SHOP = "coffee_shop", _("Coffee shop")
    CLOTHING = "clothing_store", _("Clothing store")
    GROCERY = "grocery", _("Grocery")
    PHARMACY = "pharmacy", _("Pharmacy")
    OTHER = "other", _("Other")


class DeliveryMeans(models.TextChoices):
    FOOT = "foot", _("On foot")
    BIKE = "bike", _("Bike")
    CAR = "car", _("Car")


class Hub(models.Model):
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="hubs")
    legal_name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=BusinessKind.choices)
    street = models.CharField(max_length=200)
    city = models.CharField(max_length=100)
    state = models.CharField(max_length=2)
    postal_code = models.CharField(max_length=10)
    latitude = models.DecimalField(max_digits=9, decimal_places=6,
                                   validators=[MinValueValidator(-90), MaxValueValidator(90)])
    longitude = models.DecimalField(max_digits=9, decimal_places=6,
                                    validators=[MinValueValidator(-180), MaxValueValidator(180)])
    time_zone = models.CharField(max_length=64, default="America/New_York", validators=[validate_time_zone])
    # {"mon": "09:00-18:00", ..., "sun": ""} (empty = closed that day)
    opening_hours = models.JSONField(default=dict, blank=True)
    storage_attested = models.BooleanField(default=False)
    storage_size = models.PositiveIntegerField(help_text=_("Packages the secure storage area can hold."))
    delivery_means = models.JSONField(default=list)
    staff_count = models.PositiveIntegerField(default=1)
    terms_accepted_at = models.DateTimeField()
    capacity = models.PositiveIntegerField(help_text=_("Parcels per day; at most the storage size."))
    radius_miles = models.DecimalField(max_digits=5, decimal_places=2)
    status = models.CharField(max_length=16, choices=HubStatus.choices, default=HubStatus.APPLIED, db_index=True)
    eligible_at_enrollment = models.BooleanField(default=True)
    decision_note = models.TextField(blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    stripe_account_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    status_changed_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["status", "latitude", "longitude"], name="hubs_status_geo_idx")]
        constraints = [
            models.CheckConstraint(condition=models.Q(capacity__lte=models.F("storage_size")),
                                   name="hubs_capacity_within_storage",
                violation_error_message=_("A hub's daily capacity cannot be more than its storage holds.")),
        ]

    def __str__(self):
        return self.legal_name

    @property
    def tz(self):
        return zoneinfo.ZoneInfo(self.time_zone)

    def local_today(self):
        return service_today(self)


class HubTransition(TransitionLog):
    hub = models.ForeignKey(Hub, on_delete=models.CASCADE, related_name="transitions")


# --- Parcels ---------------------------------------------------------------------------------

class ParcelStatus(models.TextChoices):
    ALLOCATED = "allocated", _("Allocated")
    RECEIVED = "received", _("Received")
    OUT_FOR_DELIVERY = "out_for_delivery", _("Out for delivery")
    DELIVERED = "delivered", _("Delivered")
    ATTEMPTED = "attempted", _("Attempted")
    RETURNED = "returned", _("Returned")


# At the hub without an outcome: what closing the day sends back with the next pickup.
OPEN_PARCEL_STATUSES = (ParcelStatus.RECEIVED, ParcelStatus.OUT_FOR_DELIVERY)

P = ParcelStatus
PARCEL_WORKFLOW = Workflow(transitions={
    P.ALLOCATED: [P.RECEIVED],
    P.RECEIVED: [P.OUT_FOR_DELIVERY, P.DELIVERED, P.ATTEMPTED, P.RETURNED],
    P.OUT_FOR_DELIVERY: [P.DELIVERED, P.ATTEMPTED, P.RETURNED],
})
PARCEL_FINAL = frozenset({P.DELIVERED, P.ATTEMPTED, P.RETURNED})
# status -> the timestamp field set when a parcel reaches it
PARCEL_STAMP = {
    P.RECEIVED: "received_at", P.OUT_FOR_DELIVERY: "out_for_delivery_at", P.DELIVERED: "delivered_at",
    P.ATTEMPTED: "attempted_at", P.RETURNED: "returned_at",
}


class AttemptReason(models.TextChoices):
    """Why a delivery was attempted and not made: one list for a hub's parcels and a driver's stops (routes)."""

    NOBODY_HOME = "nobody_home", _("Nobody home")
    ACCESS = "access_problem", _("Access problem")
    ADDRESS = "address_not_found", _("Address not found")
    UNSAFE = "unsafe_location", _("Unsafe location")
    REFUSED = "refused", _("Refused")
    OTHER = "other", _("Other")


class Parcel(models.Model):
    tracking_id = models.CharField(max_length=64)
    hub = models.ForeignKey(Hub, on_delete=models.PROTECT, related_name="parcels")
    service_date = models.DateField()
    recipient_name = models.CharField(max_length=200)
    recipient_address = models.CharField(max_length=300)
    status = models.CharField(max_length=20, choices=ParcelStatus.choices, default=ParcelStatus.ALLOCATED)
    allocated_at = models.DateTimeField(default=timezone.now)
    received_at = models.DateTimeField(null=True, blank=True)
    out_for_delivery_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    attempted_at = models.DateTimeField(null=True, blank=True)
    returned_at = models.DateTimeField(null=True, blank=True)
    delivered_to = models.CharField(max_length=200, blank=True)
    attempt_reason = models.CharField(max_length=20, choices=AttemptReason.choices, blank=True)
    proof_photo = PrivateFileField(prefix="hubs/pod", blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["service_date", "tracking_id"]
        indexes = [models.Index(fields=["service_date", "hub"], name="hubs_parcel_day_hub_idx")]
        constraints = [models.UniqueConstraint(fields=["tracking_id", "service_date"],
                                               name="hubs_parcel_tracking_day_unique",
                violation_error_message=_("A parcel with this tracking id is already allocated for that day."))]

    def __str__(self):
        return f"{self.tracking_id} ({self.service_date})"


class ParcelEvent(TransitionLog):
    """One parcel move, keyed by the client-generated id so that a resent batch changes nothing.

    Client ids are unique per hub (the hub is copied from the parcel so the database can hold that): one hub's
    phone can never make another hub's outcome look like a resend."""

    parcel = models.ForeignKey(Parcel, on_delete=models.CASCADE, related_name="events")
    # No index of its own: the unique (hub, client_id) below leads with the hub.
    hub = models.ForeignKey(Hub, on_delete=models.CASCADE, related_name="+", db_index=False)
    client_id = models.UUIDField(default=uuid.uuid4)

    class Meta(TransitionLog.Meta):
        constraints = [models.UniqueConstraint(
            fields=["hub", "client_id"], name="hubs_parcelevent_hub_client_id_unique",
            violation_error_message=_("This outcome was already recorded for this hub."))]
    occurred_at = models.DateTimeField(null=True, blank=True, help_text=_("When the tap happened on the phone."))
    recipient_name = models.CharField(max_length=200, blank=True)
    reason = models.CharField(max_length=20, blank=True)


# --- Earnings --------------------------------------------------------------------------------

class StatementStatus(models.TextChoices):
    OPEN = "open", _("Open")
    PAID = "paid", _("Paid")
    FAILED = "failed", _("Payment failed")


STATEMENT_WORKFLOW = Workflow(transitions={
    StatementStatus.OPEN: [StatementStatus.PAID, StatementStatus.FAILED],
    StatementStatus.FAILED: [StatementStatus.PAID],
})


class Statement(models.Model):
    """A hub's week (Monday to Sunday, service dates): counts, earnings, per-day figures."""

    hub = models.ForeignKey(Hub, on_delete=models.PROTECT, related_name="statements")
    week_start = models.DateField()
    week_end = models.DateField()
    delivered = models.PositiveIntegerField(default=0)
    attempted = models.PositiveIntegerField(default=0)
    returned = models.PositiveIntegerField(default=0)
    delivered_rate = MoneyField()
    attempted_rate = MoneyField()
    returned_rate = MoneyField()
    earnings = MoneyField(default=Decimal("0.00"))
    # [{"date": "2026-03-02", "delivered": 28, "attempted": 1, "returned": 1, "earnings": "70.00"}, ...]
    days = models.JSONField(default=list)
    status = models.CharField(max_length=8, choices=StatementStatus.choices, default=StatementStatus.OPEN)
    transfer = models.ForeignKey("payments.Transfer", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+")
    paid_at = models.DateTimeField(null=True, blank=True)
    computed_at = models.DateTimeField(default=timezone.now)
    status_changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-week_start", "hub_id"]
        constraints = [models.UniqueConstraint(fields=["hub", "week_start"], name="hubs_statement_hub_week_unique",
                violation_error_message=_("This hub already has a statement for that week."))]
        indexes = [models.Index(fields=["week_start", "status"], name="hubs_statement_week_idx")]

    def __str__(self):
        return f"{self.hub} week of {self.week_start}"

    @property
    def idempotency_key(self) -> str:
        return f"hub-statement-{self.pk}"


class StatementTransition(TransitionLog):
    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="transitions")
