"""Program data for scoring and paying partners: tier rules, the rate card, peak weeks, settings.

Rules and rates are versioned by the date they take effect: a week is scored and paid by the version in
force on its first day (`in_force(day)`), so editing next quarter's rules never rewrites a past week."""

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.money import MoneyField


class Metric(models.TextChoices):
    DCR = "dcr", _("Delivery completion rate")
    DNR_DPMO = "dnr_dpmo", _("Delivered, not received (DPMO)")
    POD = "pod", _("Proof-of-delivery compliance")
    CONTACT = "contact", _("Contact compliance")
    CDF_DPMO = "cdf_dpmo", _("Negative feedback (DPMO)")
    INSPECTION = "inspection", _("Pre-trip inspection completion")
    SPEEDING = "speeding", _("Speeding events per 100 route-hours")


# Metrics where a lower figure is better (defects per million, events per hour).
LOWER_IS_BETTER = frozenset({Metric.DNR_DPMO, Metric.CDF_DPMO, Metric.SPEEDING})


class Tier(models.TextChoices):
    FANTASTIC_PLUS = "fantastic_plus", _("Fantastic+")
    FANTASTIC = "fantastic", _("Fantastic")
    GREAT = "great", _("Great")
    FAIR = "fair", _("Fair")
    POOR = "poor", _("Poor")


TIER_ORDER = [Tier.FANTASTIC_PLUS, Tier.FANTASTIC, Tier.GREAT, Tier.FAIR, Tier.POOR]
# The points a metric earns at each tier; the week's score is their weighted mean.
TIER_POINTS = {Tier.FANTASTIC_PLUS: Decimal(100), Tier.FANTASTIC: Decimal(90), Tier.GREAT: Decimal(75),
               Tier.FAIR: Decimal(50), Tier.POOR: Decimal(0)}


class Versioned(models.Model):
    effective_from = models.DateField(_("in force from"), unique=True,
                                      help_text=_("The first service week (its Sunday or any day in it) scored or "
                                                  "paid by this version."))
    note = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        abstract = True
        ordering = ["-effective_from"]

    @classmethod
    def in_force(cls, day):
        """The version in force on `day` (the latest that took effect on or before it), or None."""
        return cls.objects.filter(effective_from__lte=day).order_by("-effective_from").first()


class TierRuleSet(Versioned):
    """How a week is scored: per-metric thresholds and weights (`rules`), and the score each overall tier needs."""

    score_fantastic_plus = models.DecimalField(max_digits=5, decimal_places=2, default=Decimal("95"))
    score_fantastic = models.DecimalField(max_digits=5, decimal_places=2, default=Decimal("85"))
    score_great = models.DecimalField(max_digits=5, decimal_places=2, default=Decimal("70"))
    score_fair = models.DecimalField(max_digits=5, decimal_places=2, default=Decimal("50"))
    # Safety: a driver speeds while the speed between two consecutive position pings is above this.
    speeding_threshold_kmh = models.DecimalField(
        _("speeding threshold (km/h)"), max_digits=5, decimal_places=1, default=Decimal("105"),
        validators=[MinValueValidator(Decimal("1"))],
        help_text=_("A speeding event starts each time the speed derived from consecutive position pings goes "
                    "from at or below this to above it (105 km/h is about 65 mph)."))

    class Meta(Versioned.Meta):
        verbose_name = _("tier rules")
        verbose_name_plural = _("tier rules")

    def __str__(self):
        return f"Tier rules from {self.effective_from}"

    def tier_for_score(self, score: Decimal) -> str:
        for tier, floor in ((Tier.FANTASTIC_PLUS, self.score_fantastic_plus), (Tier.FANTASTIC, self.score_fantastic),
                            (Tier.GREAT, self.score_great), (Tier.FAIR, self.score_fair)):
            if score >= floor:
                return tier
        return Tier.POOR


class TierMetricRule(models.Model):
    """One metric's thresholds: the figure needed for each tier (at least it, or at most it where lower is better)."""

    ruleset = models.ForeignKey(TierRuleSet, on_delete=models.CASCADE, related_name="rules")
    metric = models.CharField(max_length=16, choices=Metric.choices)
    weight = models.DecimalField(max_digits=5, decimal_places=2, validators=[MinValueValidator(Decimal("0"))])
    fantastic_plus = models.DecimalField(max_digits=12, decimal_places=4)
    fantastic = models.DecimalField(max_digits=12, decimal_places=4)
    great = models.DecimalField(max_digits=12, decimal_places=4)
    fair = models.DecimalField(max_digits=12, decimal_places=4)

    class Meta:
        ordering = ["ruleset", "metric"]
        constraints = [models.UniqueConstraint(fields=["ruleset", "metric"], name="performance_rule_metric_once",
                violation_error_message=_("These rules already have thresholds for that metric."))]

    def __str__(self):
        return f"{self.ruleset_id}: {self.metric}"

    def tier_for(self, value: Decimal) -> str:
        lower = self.metric in LOWER_IS_BETTER
        for tier, edge in ((Tier.FANTASTIC_PLUS, self.fantastic_plus), (Tier.FANTASTIC, self.fantastic),
                           (Tier.GREAT, self.great), (Tier.FAIR, self.fair)):
            if (value <= edge) if lower else (value >= edge):
                return tier
        return Tier.POOR


class RateCard(Versioned):
    """What the program pays: per delivered package, the tier incentive per package, chargebacks."""

    per_package = MoneyField(_("per delivered package"), default=Decimal("0.40"))
    incentive_fantastic_plus = MoneyField(default=Decimal("0.20"))
    incentive_fantastic = MoneyField(default=Decimal("0.15"))
    incentive_great = MoneyField(default=Decimal("0.05"))
    incentive_fair = MoneyField(default=Decimal("0.00"))
    incentive_poor = MoneyField(default=Decimal("0.00"))
    chargeback_route_not_run = MoneyField(_("chargeback: route accepted, not run"), default=Decimal("150.00"))
    chargeback_lost_package = MoneyField(_("chargeback: lost package"), default=Decimal("25.00"))

    class Meta(Versioned.Meta):
        verbose_name = _("rate card")

    def __str__(self):
        return f"Rate card from {self.effective_from}"

    def incentive(self, tier: str) -> Decimal:
        return getattr(self, f"incentive_{tier}")

    def route_class(self, duration_s: int):
        """The length class a route of this planned duration pays as (the shortest class that holds it)."""
        classes = sorted(self.route_classes.all(), key=lambda c: c.up_to_hours)
        hours = Decimal(duration_s) / 3600
        return next((c for c in classes if hours <= c.up_to_hours), classes[-1] if classes else None)


class RouteLengthClass(models.Model):
    rate_card = models.ForeignKey(RateCard, on_delete=models.CASCADE, related_name="route_classes")
    name = models.CharField(max_length=40)
    up_to_hours = models.DecimalField(max_digits=4, decimal_places=1,
                                      help_text=_("Routes planned up to this many hours pay this class."))
    base_pay = MoneyField(_("base pay per route-day"))

    class Meta:
        ordering = ["rate_card", "up_to_hours"]
        constraints = [models.UniqueConstraint(fields=["rate_card", "up_to_hours"], name="performance_class_once",
                violation_error_message=_("This rate card already has a class of that length."))]

    def __str__(self):
        return f"{self.name} (≤ {self.up_to_hours} h)"


class PeakWeek(models.Model):
    week_start = models.DateField(unique=True, help_text=_("The Sunday the service week starts."))
    name = models.CharField(max_length=80)
    multiplier = models.DecimalField(max_digits=4, decimal_places=2, default=Decimal("1.25"),
                                     validators=[MinValueValidator(Decimal("1"))])

    class Meta:
        ordering = ["-week_start"]

    def __str__(self):
        return f"{self.name} ({self.week_start}, ×{self.multiplier})"


class PerformanceSettings(models.Model):
    """The program's settings for scoring and settlement (one row)."""

    dispute_window_days = models.PositiveSmallIntegerField(default=7)
    deal_by_tier = models.BooleanField(
        default=True, help_text=_("Deal routes to partners by their last tier: Fantastic+ first, Poor last."))
    late_lookback_weeks = models.PositiveSmallIntegerField(
        default=4, help_text=_("How many settled weeks back late outcomes are carried to an adjustment."))

    class Meta:
        verbose_name = _("performance settings")
        verbose_name_plural = _("performance settings")

    def __str__(self):
        return "Performance settings"

    @classmethod
    def load(cls) -> "PerformanceSettings":
        row, _created = cls.objects.get_or_create(pk=1)
        return row
