"""Insurance policies and the reminders sent before anything (policy or licence) expires."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.money import MoneyField
from fleet.models.vehicles import Acquisition


class Coverage(models.TextChoices):
    AUTO_LIABILITY = "auto_liability", _("Auto liability")
    CARGO = "cargo", _("Cargo")
    GENERAL_LIABILITY = "general_liability", _("General liability")
    WORKERS_COMP = "workers_comp", _("Workers' compensation")
    UMBRELLA = "umbrella", _("Umbrella")


# Coverage that attaches to vans (listed, or the whole fleet); the rest covers the company.
VEHICLE_COVERAGES = (Coverage.AUTO_LIABILITY, Coverage.CARGO)


class InsurancePolicy(models.Model):
    partner = models.ForeignKey("onboarding.Partner", on_delete=models.PROTECT, related_name="insurance_policies")
    coverage = models.CharField(_("coverage"), max_length=24, choices=Coverage.choices, db_index=True)
    carrier = models.CharField(_("carrier"), max_length=120)
    policy_number = models.CharField(_("policy number"), max_length=60)
    per_occurrence_limit = MoneyField(_("per-occurrence limit (USD)"))
    aggregate_limit = MoneyField(_("aggregate limit (USD)"), null=True, blank=True)
    effective_on = models.DateField(_("effective on"))
    expires_on = models.DateField(_("expires on"), db_index=True)
    covers_all_vehicles = models.BooleanField(
        _("covers every van of the company"), default=False,
        help_text=_("Auto and cargo only: a fleet policy that covers every van, present and future."))
    vehicles = models.ManyToManyField("fleet.Vehicle", blank=True, related_name="insurance_policies",
                                      verbose_name=_("vans covered"))
    acquired_via = models.CharField(max_length=16, choices=Acquisition.choices, default=Acquisition.DIRECT)
    source_reference = models.CharField(max_length=100, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["expires_on", "coverage"]
        verbose_name_plural = _("insurance policies")
        constraints = [
            models.CheckConstraint(condition=models.Q(expires_on__gt=models.F("effective_on")),
                                   name="fleet_policy_expires_after_effective",
                violation_error_message=_("The policy must expire after it takes effect.")),
            models.UniqueConstraint(fields=["partner", "coverage", "carrier", "policy_number", "effective_on"],
                                    name="fleet_policy_unique_term",
                violation_error_message=_("This policy term is already recorded.")),
        ]

    def __str__(self):
        return f"{self.get_coverage_display()} · {self.carrier} {self.policy_number}"

    @property
    def attaches_to_vehicles(self) -> bool:
        return self.coverage in VEHICLE_COVERAGES

    def is_current(self, on_date) -> bool:
        return self.effective_on <= on_date <= self.expires_on


class ExpiryReminder(models.Model):
    """One row per reminder sent: the unique constraint is what makes the daily job safe to run twice."""

    class Subject(models.TextChoices):
        LICENCE = "licence", _("Driver's licence")
        POLICY = "policy", _("Insurance policy")

    subject = models.CharField(max_length=16, choices=Subject.choices)
    subject_id = models.PositiveBigIntegerField()
    partner = models.ForeignKey("onboarding.Partner", on_delete=models.CASCADE, related_name="+")
    expires_on = models.DateField()
    days_before = models.PositiveSmallIntegerField()
    recipients = models.JSONField(default=list)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-sent_at"]
        constraints = [
            # A renewal (new expiry date) earns fresh reminders.
            models.UniqueConstraint(fields=["subject", "subject_id", "expires_on", "days_before"],
                                    name="fleet_one_reminder_per_threshold"),
        ]

    def __str__(self):
        return f"{self.subject} #{self.subject_id}: {self.days_before} days before {self.expires_on}"
