"""The vans' health: pre- and post-trip inspections (DVIC) with defects and photos, work orders, and
preventive maintenance schedules that open work orders ahead of time."""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.files import PrivateFileField
from core.money import MoneyField
from core.servicedays import service_today
from core.workflow import TransitionLog, Workflow


class ChecklistItem(models.Model):
    """One line of the program's inspection checklist (an admin edits the list; the code is stable)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    label = models.CharField(_("label"), max_length=80)
    hint = models.CharField(_("what to look at"), max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["position", "code"]

    def __str__(self):
        return self.label


class Severity(models.TextChoices):
    LOW = "low", _("Low: note it, the van may drive")
    MEDIUM = "medium", _("Medium: repair before the van drives again")
    HIGH = "high", _("High: unsafe, the van is grounded at once")


# Defects of these severities fail an inspection and keep the van off routes until a work order closes them.
BLOCKING = (Severity.MEDIUM, Severity.HIGH)


class Inspection(models.Model):
    class Kind(models.TextChoices):
        PRE_TRIP = "pre_trip", _("Pre-trip")
        POST_TRIP = "post_trip", _("Post-trip")

    class Result(models.TextChoices):
        PASSED = "passed", _("Passed")
        FAILED = "failed", _("Failed")

    partner = models.ForeignKey("onboarding.Partner", on_delete=models.PROTECT, related_name="inspections")
    vehicle = models.ForeignKey("fleet.Vehicle", on_delete=models.PROTECT, related_name="inspections")
    driver = models.ForeignKey("fleet.Driver", null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="inspections")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.PRE_TRIP)
    service_date = models.DateField(_("service day"), default=service_today, db_index=True)
    result = models.CharField(_("result"), max_length=8, choices=Result.choices)
    odometer_miles = models.PositiveIntegerField(_("odometer (miles)"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    # The phone's own id for this inspection: a form queued offline and sent twice records one inspection.
    client_id = models.UUIDField(null=True, blank=True, unique=True)
    inspected_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-service_date", "-created_at", "-id"]
        indexes = [models.Index(fields=["vehicle", "service_date"], name="fleet_inspection_van_day"),
                   models.Index(fields=["partner", "-created_at"], name="fleet_inspection_partner")]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.vehicle_id} · {self.service_date} · {self.result}"

    @property
    def passed(self) -> bool:
        return self.result == self.Result.PASSED


class WorkOrder(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        SCHEDULED = "scheduled", _("Scheduled")
        IN_REPAIR = "in_repair", _("In repair")
        DONE = "done", _("Done")

    class Source(models.TextChoices):
        INSPECTION = "inspection", _("Inspection defect")
        PREVENTIVE = "preventive", _("Preventive maintenance")
        MANUAL = "manual", _("Added by the partner")

    class Performer(models.TextChoices):
        IN_HOUSE = "in_house", _("In-house")
        VENDOR = "vendor", _("Vendor")

    partner = models.ForeignKey("onboarding.Partner", on_delete=models.PROTECT, related_name="work_orders")
    vehicle = models.ForeignKey("fleet.Vehicle", on_delete=models.PROTECT, related_name="work_orders")
    title = models.CharField(_("what needs doing"), max_length=200)
    source = models.CharField(max_length=16, choices=Source.choices, default=Source.MANUAL)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN, db_index=True)
    performer = models.CharField(_("done by"), max_length=16, choices=Performer.choices, default=Performer.IN_HOUSE)
    vendor_name = models.CharField(_("vendor"), max_length=120, blank=True)
    cost = MoneyField(_("cost (USD)"), default=0)
    parts = models.TextField(_("parts"), blank=True)
    odometer_miles = models.PositiveIntegerField(_("odometer (miles)"), null=True, blank=True)
    scheduled_for = models.DateField(_("scheduled for"), null=True, blank=True)
    completed_on = models.DateField(_("completed on"), null=True, blank=True, db_index=True)
    schedule = models.ForeignKey("fleet.MaintenanceSchedule", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="work_orders")
    due_on = models.DateField(_("due on"), null=True, blank=True)
    due_miles = models.PositiveIntegerField(_("due at miles"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    status_changed_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # The preventive job opens one work order per schedule and van until it is done: a re-run adds none.
            models.UniqueConstraint(fields=["schedule", "vehicle"], condition=Q(schedule__isnull=False) & ~Q(
                status="done"), name="fleet_one_open_pm_work_order",
                violation_error_message=_("This van already has an open work order for that maintenance.")),
            models.CheckConstraint(condition=Q(cost__gte=0), name="fleet_work_order_cost_not_negative",
                                   violation_error_message=_("A cost cannot be negative.")),
        ]
        indexes = [models.Index(fields=["partner", "status"], name="fleet_work_order_partner"),
                   models.Index(fields=["vehicle", "completed_on"], name="fleet_work_order_van_done")]

    def __str__(self):
        return f"WO-{self.pk} · {self.title}"

    @property
    def code(self) -> str:
        return f"WO-{self.pk:05d}"


W = WorkOrder.Status

WORK_ORDER_WORKFLOW = Workflow(
    transitions={
        W.OPEN: [W.SCHEDULED, W.IN_REPAIR, W.DONE],
        W.SCHEDULED: [W.OPEN, W.IN_REPAIR, W.DONE],
        W.IN_REPAIR: [W.SCHEDULED, W.DONE],
        W.DONE: [],
    },
)


class WorkOrderEvent(TransitionLog):
    work_order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="events")

    class Meta(TransitionLog.Meta):
        pass


class Defect(models.Model):
    """A checklist item found wrong on an inspection. Blocking ones stay open until their work order is done."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="defects")
    vehicle = models.ForeignKey("fleet.Vehicle", on_delete=models.PROTECT, related_name="defects")
    item = models.ForeignKey(ChecklistItem, on_delete=models.PROTECT, related_name="+")
    severity = models.CharField(_("severity"), max_length=8, choices=Severity.choices)
    note = models.CharField(_("what is wrong"), max_length=300, blank=True)
    work_order = models.ForeignKey(WorkOrder, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="defects")
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["inspection", "item__position", "id"]
        indexes = [models.Index(fields=["vehicle", "closed_at"], name="fleet_defect_van_open")]

    def __str__(self):
        return f"{self.item} ({self.severity})"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    @property
    def grounds(self) -> bool:
        return self.severity == Severity.HIGH


class UpkeepPhoto(models.Model):
    """A photo of an inspection (optionally of one defect) or of a work order; private, served after a check."""

    inspection = models.ForeignKey(Inspection, null=True, blank=True, on_delete=models.CASCADE, related_name="photos")
    defect = models.ForeignKey(Defect, null=True, blank=True, on_delete=models.SET_NULL, related_name="photos")
    work_order = models.ForeignKey(WorkOrder, null=True, blank=True, on_delete=models.CASCADE, related_name="photos")
    file = PrivateFileField(prefix="upkeep")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(inspection__isnull=False) | Q(work_order__isnull=False),
                                   name="fleet_upkeep_photo_has_subject",
                                   violation_error_message=_("A photo belongs to an inspection or a work order.")),
        ]

    def __str__(self):
        return self.file.name


class MaintenanceSchedule(models.Model):
    """Preventive maintenance for every van in service of a partner: every so many miles and/or months."""

    class Kind(models.TextChoices):
        OIL = "oil", _("Oil and filter")
        TYRES = "tyres", _("Tyres (rotate and check)")
        BRAKES = "brakes", _("Brakes")
        OTHER = "other", _("Other")

    partner = models.ForeignKey("onboarding.Partner", on_delete=models.PROTECT, related_name="maintenance_schedules")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    label = models.CharField(_("name"), max_length=80)
    every_miles = models.PositiveIntegerField(_("every (miles)"), null=True, blank=True,
                                              validators=[MinValueValidator(100)])
    every_months = models.PositiveSmallIntegerField(_("every (months)"), null=True, blank=True,
                                                    validators=[MinValueValidator(1)])
    lead_days = models.PositiveSmallIntegerField(_("open the work order this many days ahead"), default=14)
    lead_miles = models.PositiveIntegerField(_("or this many miles ahead"), default=500)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["partner", "kind", "label"]
        constraints = [
            models.CheckConstraint(condition=Q(every_miles__isnull=False) | Q(every_months__isnull=False),
                                   name="fleet_schedule_has_interval",
                                   violation_error_message=_("Say every how many miles or months.")),
        ]

    def __str__(self):
        parts = []
        if self.every_miles:
            parts.append(f"{self.every_miles:,} mi")
        if self.every_months:
            parts.append(f"{self.every_months} mo")
        return f"{self.label} ({' / '.join(parts)})"
