"""Weekly scorecards: one per partner and week, with one row per driver who drove that week.

`metrics` holds, per metric, the numerator, denominator, value, tier, points and the formula as shown.
A scorecard is provisional while its week can still change and frozen when its statement is issued."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from performance.models.program import Tier, TierRuleSet


class SettlementWeek(models.Model):
    """A service week the program scores and pays (the subject of the weekly job and the totals page)."""

    week_start = models.DateField(unique=True)
    week_end = models.DateField()
    computed_at = models.DateTimeField(null=True, blank=True)
    issued_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-week_start"]

    def __str__(self):
        return f"Week of {self.week_start}"


class Scorecard(models.Model):
    class Status(models.TextChoices):
        PROVISIONAL = "provisional", _("Provisional")
        PUBLISHED = "published", _("Published")

    partner = models.ForeignKey("onboarding.Partner", on_delete=models.PROTECT, related_name="scorecards")
    week_start = models.DateField()
    week_end = models.DateField()
    ruleset = models.ForeignKey(TierRuleSet, null=True, on_delete=models.PROTECT, related_name="+")
    metrics = models.JSONField(default=dict)
    score = models.DecimalField(max_digits=5, decimal_places=2, default=0)
    tier = models.CharField(max_length=16, choices=Tier.choices, blank=True)
    dispatched = models.PositiveIntegerField(default=0)
    delivered = models.PositiveIntegerField(default=0)
    routes = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PROVISIONAL)
    frozen_at = models.DateTimeField(null=True, blank=True)
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-week_start", "partner"]
        constraints = [models.UniqueConstraint(fields=["partner", "week_start"], name="performance_scorecard_week",
                violation_error_message=_("This partner already has a scorecard for that week."))]
        indexes = [models.Index(fields=["week_start", "tier"], name="performance_scorecard_tier")]

    def __str__(self):
        return f"{self.partner_id} {self.week_start} {self.tier}"

    @property
    def frozen(self) -> bool:
        return self.frozen_at is not None


class DriverScore(models.Model):
    scorecard = models.ForeignKey(Scorecard, on_delete=models.CASCADE, related_name="drivers")
    driver = models.ForeignKey("fleet.Driver", on_delete=models.PROTECT, related_name="+")
    metrics = models.JSONField(default=dict)
    score = models.DecimalField(max_digits=5, decimal_places=2, default=0)
    tier = models.CharField(max_length=16, choices=Tier.choices, blank=True)
    dispatched = models.PositiveIntegerField(default=0)
    delivered = models.PositiveIntegerField(default=0)
    routes = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["scorecard", "-score", "driver"]
        constraints = [models.UniqueConstraint(fields=["scorecard", "driver"], name="performance_driver_once",
                violation_error_message=_("This driver already has a score on that scorecard."))]

    def __str__(self):
        return f"{self.driver_id} {self.tier}"
