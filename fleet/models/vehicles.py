"""Vans: identity (VIN, plate), capacity, ownership, odometer, and an operational status with history."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Upper
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.places import US_STATES
from core.servicedays import service_today
from core.workflow import TransitionLog, Workflow
from fleet.vin import validate_vin


class Acquisition(models.TextChoices):
    """How a row came to be: typed in by the partner, or created when a program order was fulfilled."""

    DIRECT = "direct", _("Added by the partner")
    PROGRAM_ORDER = "program_order", _("Program order")
    IMPORT = "import", _("Imported")


class Vehicle(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        MAINTENANCE = "maintenance", _("In maintenance")
        GROUNDED = "grounded", _("Grounded")
        RETIRED = "retired", _("Retired")

    class Ownership(models.TextChoices):
        OWNED = "owned", _("Owned")
        LEASED_PROGRAM = "leased_program", _("Leased through the program")
        LEASED_OTHER = "leased_other", _("Leased elsewhere")

    # Vans in these statuses are on the books and must carry insurance; grounded and retired ones are off the road.
    IN_SERVICE = (Status.ACTIVE, Status.MAINTENANCE)

    partner = models.ForeignKey("onboarding.Partner", on_delete=models.PROTECT, related_name="vehicles")
    vin = models.CharField(_("VIN"), max_length=17, validators=[validate_vin])
    plate = models.CharField(_("licence plate"), max_length=10, blank=True)
    plate_state = models.CharField(_("plate state"), max_length=2, choices=US_STATES, blank=True)
    make = models.CharField(_("make"), max_length=40)
    model = models.CharField(_("model"), max_length=60)
    year = models.PositiveSmallIntegerField(_("model year"), validators=[MinValueValidator(1981),
                                                                         MaxValueValidator(2100)])
    package_capacity = models.PositiveIntegerField(_("package capacity"), validators=[MinValueValidator(1)],
                                                   help_text=_("How many packages the van carries on a route."))
    ownership = models.CharField(_("ownership"), max_length=16, choices=Ownership.choices, default=Ownership.OWNED)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE, db_index=True)
    status_reason = models.CharField(_("reason for the status"), max_length=300, blank=True)
    status_changed_at = models.DateTimeField(default=timezone.now)
    acquired_via = models.CharField(max_length=16, choices=Acquisition.choices, default=Acquisition.DIRECT)
    source_reference = models.CharField(max_length=100, blank=True,
                                        help_text=_("e.g. the program order line this van was delivered for."))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["partner", "plate", "vin"]
        constraints = [
            # Services store VINs upper-cased; the expression makes the rule hold whatever wrote the row.
            models.UniqueConstraint(Upper("vin"), name="fleet_vehicle_vin_unique",
                violation_error_message=_("A van with this VIN is already registered in the program.")),
            models.UniqueConstraint(Upper("plate"), "plate_state", condition=~models.Q(plate=""),
                                    name="fleet_vehicle_plate_unique",
                violation_error_message=_("A van with this plate is already registered in that state.")),
            models.CheckConstraint(condition=models.Q(package_capacity__gte=1), name="fleet_vehicle_capacity_positive",
                violation_error_message=_("A van carries at least one package.")),
        ]
        indexes = [models.Index(fields=["partner", "status"], name="fleet_vehicle_partner_status"),
                   # The API's page of a partner's vans, newest first by id (core.api.CursorPagination): read in
                   # index order, 51 rows, rather than every van of the partner and a sort.
                   models.Index(fields=["partner", "id"], name="fleet_vehicle_partner_page")]

    def __str__(self):
        label = f"{self.year} {self.make} {self.model}"
        return f"{label} · {self.plate}" if self.plate else f"{label} · {self.vin}"

    @property
    def is_in_service(self) -> bool:
        return self.status in self.IN_SERVICE


V = Vehicle.Status

VEHICLE_WORKFLOW = Workflow(
    transitions={
        V.ACTIVE: [V.MAINTENANCE, V.GROUNDED, V.RETIRED],
        V.MAINTENANCE: [V.ACTIVE, V.GROUNDED, V.RETIRED],
        V.GROUNDED: [V.ACTIVE, V.MAINTENANCE, V.RETIRED],
        V.RETIRED: [],
    },
    reason_required=frozenset({V.MAINTENANCE, V.GROUNDED, V.RETIRED}),
)


class VehicleEvent(TransitionLog):
    vehicle = models.ForeignKey(Vehicle, on_delete=models.CASCADE, related_name="events")

    class Meta(TransitionLog.Meta):
        pass

    def __str__(self):
        return f"{self.vehicle_id}: {self.from_status or '·'} → {self.to_status}"


class OdometerReading(models.Model):
    """Readings never go down (checked by `odometer_record` under the vehicle's row lock)."""

    vehicle = models.ForeignKey(Vehicle, on_delete=models.CASCADE, related_name="odometer_readings")
    miles = models.PositiveIntegerField(_("miles"))
    read_on = models.DateField(_("read on"), default=service_today)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-read_on", "-miles"]
        indexes = [models.Index(fields=["vehicle", "-read_on"], name="fleet_odometer_latest")]

    def __str__(self):
        return f"{self.miles} mi on {self.read_on}"
