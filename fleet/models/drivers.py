"""Drivers: the partner's employees, their licence, checks, an optional login, and a status with history."""

from django.conf import settings
from django.db import models
from django.db.models.functions import Upper
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.places import US_STATES
from core.workflow import TransitionLog, Workflow


class LicenceClass(models.TextChoices):
    A = "A", _("Class A (CDL)")
    B = "B", _("Class B (CDL)")
    C = "C", _("Class C")
    D = "D", _("Class D (standard)")


class CheckStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    PENDING = "pending", _("Pending")
    CLEAR = "clear", _("Clear")
    CONSIDER = "consider", _("Consider")
    FAILED = "failed", _("Failed")


class Driver(models.Model):
    class Status(models.TextChoices):
        ONBOARDING = "onboarding", _("Onboarding")
        ACTIVE = "active", _("Active")
        SUSPENDED = "suspended", _("Suspended")
        OFFBOARDED = "offboarded", _("Offboarded")

    partner = models.ForeignKey("onboarding.Partner", on_delete=models.PROTECT, related_name="drivers")
    first_name = models.CharField(_("first name"), max_length=80)
    last_name = models.CharField(_("last name"), max_length=80)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    licence_number = models.CharField(_("licence number"), max_length=32)
    licence_state = models.CharField(_("licence state"), max_length=2, choices=US_STATES)
    licence_class = models.CharField(_("licence class"), max_length=1, choices=LicenceClass.choices,
                                     default=LicenceClass.D)
    licence_expires_on = models.DateField(_("licence expires on"))
    background_check = models.CharField(_("background check"), max_length=16, choices=CheckStatus.choices,
                                        default=CheckStatus.NOT_STARTED)
    driving_record_check = models.CharField(_("driving-record check"), max_length=16, choices=CheckStatus.choices,
                                            default=CheckStatus.NOT_STARTED)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ONBOARDING, db_index=True)
    status_changed_at = models.DateTimeField(default=timezone.now)
    user = models.OneToOneField(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="driver_profile", help_text=_("The driver's own login (driver role)."))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["last_name", "first_name", "pk"]
        constraints = [
            models.UniqueConstraint("partner", "licence_state", Upper("licence_number"),
                                    name="fleet_driver_licence_unique_per_partner",
                violation_error_message=_("A driver with this licence is already on your roster.")),
        ]
        indexes = [models.Index(fields=["partner", "status"], name="fleet_driver_partner_status")]

    def __str__(self):
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


D = Driver.Status

DRIVER_WORKFLOW = Workflow(
    transitions={
        D.ONBOARDING: [D.ACTIVE, D.OFFBOARDED],
        D.ACTIVE: [D.SUSPENDED, D.OFFBOARDED],
        D.SUSPENDED: [D.ACTIVE, D.OFFBOARDED],
        D.OFFBOARDED: [],
    },
    reason_required=frozenset({D.SUSPENDED, D.OFFBOARDED}),
)


class DriverEvent(TransitionLog):
    driver = models.ForeignKey(Driver, on_delete=models.CASCADE, related_name="events")

    class Meta(TransitionLog.Meta):
        pass

    def __str__(self):
        return f"{self.driver_id}: {self.from_status or '·'} → {self.to_status}"
