"""Veteran start-up reimbursement: claim categories (program data), claims, receipts and their log.

Imported from `onboarding.models`, so these are onboarding's tables (app label "onboarding")."""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.files import PrivateFileField
from core.money import MoneyField
from core.workflow import TransitionLog, Workflow


class ClaimCategory(models.Model):
    """What a claim may be for; admins edit the list and which categories are eligible."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    description = models.CharField(_("description"), max_length=255, blank=True)
    eligible = models.BooleanField(_("eligible for reimbursement"), default=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("claim category")
        verbose_name_plural = _("claim categories")

    def __str__(self):
        return str(self.name)


class Claim(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        APPROVED = "approved", _("Approved")
        PARTIALLY_APPROVED = "partially_approved", _("Partially approved")
        REJECTED = "rejected", _("Rejected")
        PAYOUT_PENDING = "payout_pending", _("Payout pending")
        PAID = "paid", _("Paid")
        PAYOUT_FAILED = "payout_failed", _("Payout failed")

    # Approved money that is committed against the partner's cap (a failed payout is retried, so it still counts).
    COUNTED = (Status.APPROVED, Status.PARTIALLY_APPROVED, Status.PAYOUT_PENDING, Status.PAID, Status.PAYOUT_FAILED)
    PAYABLE = (Status.APPROVED, Status.PARTIALLY_APPROVED)

    partner = models.ForeignKey("onboarding.Partner", on_delete=models.PROTECT, related_name="claims")
    category = models.ForeignKey(ClaimCategory, on_delete=models.PROTECT, related_name="claims",
                                 verbose_name=_("category"))
    vendor = models.CharField(_("vendor"), max_length=150)
    incurred_on = models.DateField(_("date incurred"))
    amount = MoneyField(_("amount (USD)"), validators=[MinValueValidator(0)])
    description = models.TextField(_("description"), max_length=2000)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True)
    approved_amount = MoneyField(_("approved amount (USD)"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    submitted_at = models.DateTimeField(null=True, blank=True, db_index=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    decision_note = models.TextField(blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    status_changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="onboarding_claim_amount_positive",
                violation_error_message=_("The amount must be more than zero.")),
            models.CheckConstraint(condition=Q(approved_amount__isnull=True) | Q(approved_amount__gt=0),
                                   name="onboarding_claim_approved_positive",
                violation_error_message=_("The approved amount must be more than zero.")),
        ]
        indexes = [
            models.Index(fields=["status", "submitted_at"], name="onb_claim_queue_idx"),
            models.Index(fields=["incurred_on", "amount"], name="onb_claim_dup_idx"),
        ]

    def __str__(self):
        return f"Claim #{self.pk} {self.vendor} {self.amount}"

    @property
    def reference(self) -> str:
        return f"claim:{self.pk}"

    @property
    def idempotency_key(self) -> str:
        return f"claim-{self.pk}"


C = Claim.Status

CLAIM_WORKFLOW = Workflow(
    transitions={
        C.DRAFT: [C.SUBMITTED],
        C.SUBMITTED: [C.APPROVED, C.PARTIALLY_APPROVED, C.REJECTED],
        C.APPROVED: [C.PAYOUT_PENDING],
        C.PARTIALLY_APPROVED: [C.PAYOUT_PENDING],
        C.PAYOUT_PENDING: [C.PAID, C.PAYOUT_FAILED],
        C.PAYOUT_FAILED: [C.PAYOUT_PENDING, C.PAID],
    },
    reason_required=frozenset({C.PARTIALLY_APPROVED, C.REJECTED}),
)


class ClaimEvent(TransitionLog):
    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="events")

    class Meta(TransitionLog.Meta):
        pass

    def __str__(self):
        return f"claim #{self.claim_id}: {self.from_status or '·'} → {self.to_status}"

    @property
    def to_label(self) -> str:
        return str(Claim.Status(self.to_status).label) if self.to_status in Claim.Status.values else self.to_status


class ClaimReceipt(models.Model):
    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="receipts")
    file = PrivateFileField(prefix="claims")
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64, db_index=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["uploaded_at", "id"]

    def __str__(self):
        return self.original_name
