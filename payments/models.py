"""Stripe-facing rows: connected accounts, transfers out, payments in, refunds, webhook events.

Downstream apps identify what they pay with opaque strings (`holder="partner:12"`,
`reference="claim:41"`), so this app never knows Partner, Hub or Order.
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.money import MoneyField
from core.workflow import TransitionLog, Workflow


class ConnectedAccount(models.Model):
    """A Stripe Connect (Express) account that receives transfers. One per holder."""

    holder = models.CharField(max_length=64, unique=True, help_text=_('Opaque owner, e.g. "partner:12" or "hub:7".'))
    stripe_account_id = models.CharField(max_length=64, blank=True, db_index=True)
    email = models.EmailField(blank=True)
    charges_enabled = models.BooleanField(default=False)
    payouts_enabled = models.BooleanField(default=False)
    details_submitted = models.BooleanField(default=False)
    transfers_active = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["holder"]
        constraints = [
            models.UniqueConstraint(fields=["stripe_account_id"], condition=~models.Q(stripe_account_id=""),
                                    name="payments_account_stripe_id_unique",
                violation_error_message=_("This Stripe account is already linked to another account.")),
        ]

    def __str__(self):
        return f"{self.holder} ({self.stripe_account_id or 'not created'})"

    @property
    def ready_for_transfers(self) -> bool:
        return bool(self.stripe_account_id) and self.payouts_enabled and self.transfers_active


class Transfer(models.Model):
    """Money sent to a connected account. `idempotency_key` is the caller's promise that it pays once."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")  # row written, Stripe has not accepted it yet
        SUBMITTED = "submitted", _("Submitted")  # Stripe accepted it; awaiting confirmation by webhook
        PAID = "paid", _("Paid")
        FAILED = "failed", _("Failed")
        REVERSED = "reversed", _("Reversed")

    account = models.ForeignKey(ConnectedAccount, on_delete=models.PROTECT, related_name="transfers")
    amount = MoneyField()
    currency = models.CharField(max_length=3, default="usd")
    purpose = models.CharField(max_length=32, db_index=True, help_text=_('e.g. "claim", "hub_statement".'))
    reference = models.CharField(max_length=64, db_index=True, help_text=_('e.g. "claim:41".'))
    description = models.CharField(max_length=255, blank=True)
    idempotency_key = models.CharField(max_length=255, unique=True)
    # Bumped when a transfer Stripe accepted later failed and is sent again (a new Stripe object).
    attempt = models.PositiveSmallIntegerField(default=1)
    stripe_transfer_id = models.CharField(max_length=64, blank=True, db_index=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING, db_index=True)
    failure_code = models.CharField(max_length=64, blank=True)
    failure_message = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(null=True, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="payments_transfer_amount_positive",
                violation_error_message=_("The amount must be more than zero.")),
        ]

    def __str__(self):
        return f"{self.purpose} {self.reference} {self.amount} {self.currency} ({self.status})"

    @property
    def stripe_idempotency_key(self) -> str:
        """The key sent to Stripe: the caller's key, suffixed only when a new Stripe object is needed."""
        return self.idempotency_key if self.attempt == 1 else f"{self.idempotency_key}:attempt-{self.attempt}"


S = Transfer.Status
TRANSFER_WORKFLOW = Workflow(transitions={
    S.PENDING: [S.SUBMITTED, S.PAID, S.FAILED],
    S.SUBMITTED: [S.PAID, S.FAILED, S.REVERSED],
    S.PAID: [S.REVERSED],
    S.FAILED: [S.PENDING, S.SUBMITTED, S.PAID],
    S.REVERSED: [],
})


class TransferLog(TransitionLog):
    transfer = models.ForeignKey(Transfer, on_delete=models.CASCADE, related_name="log")

    class Meta(TransitionLog.Meta):
        pass


class Payment(models.Model):
    """Money taken in through a Stripe PaymentIntent (order deposits)."""

    class Status(models.TextChoices):
        REQUIRES_PAYMENT = "requires_payment", _("Awaiting payment")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")
        REFUNDED = "refunded", _("Refunded")
        CANCELED = "canceled", _("Canceled")

    amount = MoneyField()
    currency = models.CharField(max_length=3, default="usd")
    purpose = models.CharField(max_length=32, db_index=True, help_text=_('e.g. "order_deposit".'))
    reference = models.CharField(max_length=64, db_index=True, help_text=_('e.g. "order:17".'))
    description = models.CharField(max_length=255, blank=True)
    idempotency_key = models.CharField(max_length=255, unique=True)
    stripe_payment_intent_id = models.CharField(max_length=64, blank=True, db_index=True)
    stripe_charge_id = models.CharField(max_length=64, blank=True, db_index=True)
    client_secret = models.CharField(max_length=255, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.REQUIRES_PAYMENT, db_index=True)
    failure_message = models.TextField(blank=True)
    amount_refunded = MoneyField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    succeeded_at = models.DateTimeField(null=True, blank=True)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="payments_payment_amount_positive",
                violation_error_message=_("The amount must be more than zero.")),
        ]

    def __str__(self):
        return f"{self.purpose} {self.reference} {self.amount} {self.currency} ({self.status})"


P = Payment.Status
PAYMENT_WORKFLOW = Workflow(transitions={
    P.REQUIRES_PAYMENT: [P.SUCCEEDED, P.FAILED, P.CANCELED],
    # A declined card can be followed by another attempt on the same PaymentIntent.
    P.FAILED: [P.SUCCEEDED, P.CANCELED],
    P.SUCCEEDED: [P.REFUNDED],
    P.REFUNDED: [],
    P.CANCELED: [],
})


class PaymentLog(TransitionLog):
    payment = models.ForeignKey(Payment, on_delete=models.CASCADE, related_name="log")

    class Meta(TransitionLog.Meta):
        pass


class Refund(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refunds")
    amount = MoneyField()
    idempotency_key = models.CharField(max_length=255, unique=True)
    stripe_refund_id = models.CharField(max_length=64, blank=True, db_index=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    failure_message = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"refund {self.amount} of {self.payment_id} ({self.status})"


class StripeEvent(models.Model):
    """A webhook event seen once: a replayed event id is a no-op."""

    event_id = models.CharField(max_length=255, unique=True)
    type = models.CharField(max_length=64)
    object_id = models.CharField(max_length=64, blank=True)
    received_at = models.DateTimeField(default=timezone.now)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at"]

    def __str__(self):
        return f"{self.event_id} {self.type}"
