"""Weekly statements: what the program owes each partner for a week, line by line, and its payment.

Every line names its source (a route, the scorecard, a peak week, a chargeback, a deduction plan, a
dispute) so a partner can follow each amount back to what produced it. Amounts are rounded once per
line; the total is the sum of the lines. Lines are recomputed only while the statement is a draft:
once issued, a statement changes only by adjustment lines (a resolved dispute), and outcomes that
arrive late go to the partner's next statement."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.files import PrivateFileField
from core.money import MoneyField
from core.workflow import TransitionLog, Workflow
from performance.models.program import PeakWeek, RateCard, Tier
from performance.models.scorecards import Scorecard


class Chargeback(models.Model):
    """An amount taken back from a partner: a route accepted and then not run, or a lost package."""

    class Kind(models.TextChoices):
        ROUTE_NOT_RUN = "route_not_run", _("Route accepted, not run")
        LOST_PACKAGE = "lost_package", _("Lost package")

    partner = models.ForeignKey("onboarding.Partner", on_delete=models.PROTECT, related_name="chargebacks")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    route = models.ForeignKey("routes.Route", on_delete=models.PROTECT, related_name="+")
    package = models.ForeignKey("routes.Package", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    service_date = models.DateField()
    note = models.CharField(max_length=300, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-service_date", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["route"], condition=models.Q(kind="route_not_run"),
                                    name="performance_route_not_run_once",
                violation_error_message=_("This route is already charged back as not run.")),
            models.UniqueConstraint(fields=["package"], condition=models.Q(kind="lost_package"),
                                    name="performance_lost_package_once",
                violation_error_message=_("This package is already charged back as lost.")),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} · route {self.route_id}"


class DeductionPlan(models.Model):
    """Weekly instalments a partner agreed to have taken from its statements (a van lease or purchase, or an
    insurance premium bought through the program). Instalment k falls in the k-th week from `first_week`;
    the last one takes the remainder, so the instalments add up to `total` exactly. `source` names what is paid
    off (`order_line:41`, a procurement order line; performance never imports procurement: the project wires it)."""

    class Kind(models.TextChoices):
        VAN_LEASE = "van_lease", _("Van lease")
        VAN_PURCHASE = "van_purchase", _("Van purchase")
        INSURANCE = "insurance", _("Insurance premium")

    partner = models.ForeignKey("onboarding.Partner", on_delete=models.PROTECT, related_name="deduction_plans")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    source = models.CharField(max_length=64, unique=True, help_text=_('What is paid off, e.g. "order_line:41".'))
    description = models.CharField(max_length=200)
    total = MoneyField()
    instalments = models.PositiveSmallIntegerField()
    instalment = MoneyField()
    first_week = models.DateField(help_text=_("The Sunday of the first week deducted."))
    agreed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    agreed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["partner", "first_week"]

    def __str__(self):
        return self.description


class StatementStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ISSUED = "issued", _("Issued")
    DISPUTED = "disputed", _("Disputed")
    ADJUSTED = "adjusted", _("Adjusted")
    APPROVED = "approved", _("Approved")
    PAID = "paid", _("Paid")
    PAYOUT_FAILED = "payout_failed", _("Payout failed")


S = StatementStatus
STATEMENT_WORKFLOW = Workflow(transitions={
    S.DRAFT: [S.ISSUED],
    S.ISSUED: [S.DISPUTED, S.APPROVED],
    S.DISPUTED: [S.ADJUSTED],
    S.ADJUSTED: [S.DISPUTED, S.APPROVED],
    S.APPROVED: [S.PAID, S.PAYOUT_FAILED],
    S.PAYOUT_FAILED: [S.PAID, S.APPROVED],
    S.PAID: [],
})
# Statuses whose week is settled: lines never change again except by adjustment.
SETTLED = (S.ISSUED, S.DISPUTED, S.ADJUSTED, S.APPROVED, S.PAID, S.PAYOUT_FAILED)


class Statement(models.Model):
    partner = models.ForeignKey("onboarding.Partner", on_delete=models.PROTECT, related_name="statements")
    week_start = models.DateField()
    week_end = models.DateField()
    scorecard = models.ForeignKey(Scorecard, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    tier = models.CharField(max_length=16, choices=Tier.choices, blank=True)
    rate_card = models.ForeignKey(RateCard, null=True, on_delete=models.PROTECT, related_name="+")
    total = MoneyField(default=0)
    status = models.CharField(max_length=16, choices=StatementStatus.choices, default=S.DRAFT, db_index=True)
    status_changed_at = models.DateTimeField(default=timezone.now)
    computed_at = models.DateTimeField(default=timezone.now)
    issued_at = models.DateTimeField(null=True, blank=True)
    dispute_until = models.DateTimeField(null=True, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    transfer = models.ForeignKey("payments.Transfer", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+")

    class Meta:
        ordering = ["-week_start", "partner"]
        constraints = [models.UniqueConstraint(fields=["partner", "week_start"], name="performance_statement_week",
                violation_error_message=_("This partner already has a statement for that week."))]
        indexes = [models.Index(fields=["week_start", "status"], name="performance_statement_status")]

    def __str__(self):
        return f"Statement {self.pk} · {self.partner_id} · {self.week_start}"

    @property
    def idempotency_key(self) -> str:
        return f"partner-statement-{self.pk}"

    @property
    def reference(self) -> str:
        return f"partner-statement:{self.pk}"

    @property
    def settled(self) -> bool:
        return self.status in SETTLED


class LineKind(models.TextChoices):
    ROUTE_BASE = "route_base", _("Route base pay")
    PACKAGES = "packages", _("Delivered packages")
    TIER_INCENTIVE = "tier_incentive", _("Tier incentive")
    PEAK = "peak", _("Peak week")
    CHARGEBACK = "chargeback", _("Chargeback")
    DEDUCTION = "deduction", _("Deduction")
    LATE_OUTCOMES = "late_outcomes", _("Late outcomes (earlier week)")
    ADJUSTMENT = "adjustment", _("Dispute adjustment")


class StatementLine(models.Model):
    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="lines")
    kind = models.CharField(max_length=16, choices=LineKind.choices)
    description = models.CharField(max_length=200)
    service_date = models.DateField(null=True, blank=True)
    quantity = models.DecimalField(max_digits=14, decimal_places=2, default=1)
    rate = models.DecimalField(max_digits=12, decimal_places=4, default=0)
    amount = MoneyField()
    # The source rows (one of them, by kind).
    route = models.ForeignKey("routes.Route", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    scorecard = models.ForeignKey(Scorecard, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    peak_week = models.ForeignKey(PeakWeek, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    chargeback = models.ForeignKey(Chargeback, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    deduction = models.ForeignKey(DeductionPlan, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    instalment_no = models.PositiveSmallIntegerField(null=True, blank=True)
    dispute = models.ForeignKey("Dispute", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["statement", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["deduction", "instalment_no"], condition=models.Q(deduction__isnull=False),
                                    name="performance_instalment_once",
                violation_error_message=_("This instalment is already on a statement.")),
            models.UniqueConstraint(fields=["chargeback"], condition=models.Q(chargeback__isnull=False),
                                    name="performance_chargeback_once",
                violation_error_message=_("This chargeback is already on a statement.")),
        ]
        indexes = [models.Index(fields=["route", "kind"], name="performance_line_route")]

    def __str__(self):
        return f"{self.description}: {self.amount}"


class StatementTransition(TransitionLog):
    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="log")

    class Meta(TransitionLog.Meta):
        pass


class Dispute(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        RESOLVED = "resolved", _("Resolved")

    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="disputes")
    line = models.ForeignKey(StatementLine, on_delete=models.PROTECT, related_name="disputes")
    reason = models.TextField()
    attachment = PrivateFileField(prefix="performance/disputes", blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution = models.TextField(blank=True)
    adjustment = MoneyField(default=0)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"Dispute {self.pk} on line {self.line_id}"
