"""Money in: PaymentIntents (deposits) and their refunds."""

from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import InvalidTransition, ValidationFailed
from core.money import from_cents, to_cents
from core.workflow import transition
from payments import gateway, hooks
from payments.gateway import StripeGatewayError
from payments.models import (
    PAYMENT_WORKFLOW,
    Payment,
    PaymentLog,
    Refund,
)
from payments.services.common import check_key, key_reused, positive_amount, stripe_dict

P = Payment.Status


# --- Payments in (PaymentIntents) and refunds --------------------------------------------------


def payment_intent_create(*, amount, purpose: str, reference: str, idempotency_key: str, description: str = "",
                          currency: str = "usd") -> Payment:
    """A PaymentIntent for `amount`; the page confirms it with Stripe.js using `client_secret`.

    Raises `StripeGatewayError` when Stripe refuses or is unreachable (no money moved; the same
    key can be used again)."""
    amount = positive_amount(amount)
    key = check_key(idempotency_key)
    try:
        with transaction.atomic():
            payment, created = Payment.objects.get_or_create(
                idempotency_key=key, defaults={"amount": amount, "currency": currency, "purpose": purpose,
                                               "reference": reference, "description": description[:255]})
            if created:
                PaymentLog.objects.create(payment=payment, from_status="", to_status=P.REQUIRES_PAYMENT)
    except IntegrityError:
        payment = Payment.objects.get(idempotency_key=key)
    if (payment.amount, payment.purpose, payment.reference) != (amount, purpose, reference):
        raise key_reused()
    if payment.stripe_payment_intent_id:
        return payment
    metadata = {"purpose": purpose, "reference": reference, "payment_id": str(payment.pk)}
    if description:
        metadata["description"] = description[:500]
    obj = gateway.call(
        gateway.client().v1.payment_intents.create,
        params={"amount": to_cents(amount), "currency": currency, "payment_method_types": ["card"],
                "metadata": metadata},
        options={"idempotency_key": key},
    )
    with transaction.atomic():
        row = Payment.objects.select_for_update().get(pk=payment.pk)
        if not row.stripe_payment_intent_id:
            row.stripe_payment_intent_id = obj.id
            row.client_secret = obj.client_secret or ""
            row.save(update_fields=["stripe_payment_intent_id", "client_secret", "updated_at"])
    return row


def payment_sync(*, payment: Payment) -> Payment:
    """Re-fetch the PaymentIntent from Stripe and apply what it says."""
    if not payment.stripe_payment_intent_id:
        return payment
    obj = gateway.call(gateway.client().v1.payment_intents.retrieve, payment.stripe_payment_intent_id)
    return payment_apply(data=stripe_dict(obj)) or payment


def payment_apply(*, data: dict) -> Payment | None:
    """Apply a PaymentIntent object fetched from Stripe to the stored row, if the move is allowed."""
    with transaction.atomic():
        row = Payment.objects.select_for_update().filter(stripe_payment_intent_id=data["id"]).first()
        if row is None:
            return None
        charge = data.get("latest_charge")
        charge_id = charge.get("id") if isinstance(charge, dict) else (charge or "")
        if charge_id and row.stripe_charge_id != charge_id:
            row.stripe_charge_id = charge_id
            row.save(update_fields=["stripe_charge_id", "updated_at"])
        target, changes = _payment_target(data)
        if target is None or target == row.status or not PAYMENT_WORKFLOW.allowed(row.status, target):
            return row
        return _payment_move(row, target, note=_("from Stripe"), changes=changes)


def _payment_target(data: dict):
    status = data.get("status")
    if status == "succeeded":
        return P.SUCCEEDED, {"succeeded_at": timezone.now(), "failure_message": ""}
    if status == "canceled":
        return P.CANCELED, {}
    error = data.get("last_payment_error")
    if status == "requires_payment_method" and error:
        return P.FAILED, {"failure_message": error.get("message") or _("The payment failed.")}
    return None, {}


def charge_apply(*, data: dict) -> Payment | None:
    """Apply a Charge fetched from Stripe (refunds): the refunded total is Stripe's, not ours."""
    pi = data.get("payment_intent")
    pi_id = pi.get("id") if isinstance(pi, dict) else pi
    with transaction.atomic():
        lookup = {"stripe_payment_intent_id": pi_id} if pi_id else {"stripe_charge_id": data["id"]}
        row = Payment.objects.select_for_update().filter(**lookup).first()
        if row is None:
            return None
        refunded = from_cents(data.get("amount_refunded") or 0)
        if refunded > row.amount_refunded:
            row.amount_refunded = refunded
            row.save(update_fields=["amount_refunded", "updated_at"])
        if data.get("refunded") and row.status != P.REFUNDED and PAYMENT_WORKFLOW.allowed(row.status, P.REFUNDED):
            row = _payment_move(row, P.REFUNDED, note=_("from Stripe"))
    return row


def payment_refund(*, payment: Payment, idempotency_key: str, amount=None, actor=None) -> Refund:
    """Refund a succeeded payment (all that remains, or `amount`), once per key."""
    key = check_key(idempotency_key)
    existing = Refund.objects.filter(idempotency_key=key).first()
    if existing is not None:
        if existing.payment_id != payment.pk:
            raise key_reused()
        if existing.stripe_refund_id or existing.status != Refund.Status.PENDING:
            return existing
        return _refund_send(existing, actor=actor)
    with transaction.atomic():
        row = Payment.objects.select_for_update().get(pk=payment.pk)
        if row.status != P.SUCCEEDED:
            raise InvalidTransition(_("Only a succeeded payment can be refunded."), code="payment_not_refundable")
        remaining = row.amount - row.amount_refunded
        value = remaining if amount is None else positive_amount(amount)
        if value <= 0 or value > remaining:
            raise ValidationFailed(_("A refund cannot exceed what was paid."), code="refund_too_large",
                                   fields={"amount": [_("At most %(amount)s.") % {"amount": remaining}]})
        refund = Refund.objects.create(payment=row, amount=value, idempotency_key=key)
    return _refund_send(refund, actor=actor)


def _refund_send(refund: Refund, *, actor=None) -> Refund:
    payment = refund.payment
    try:
        obj = gateway.call(
            gateway.client().v1.refunds.create,
            params={"payment_intent": payment.stripe_payment_intent_id, "amount": to_cents(refund.amount),
                    "metadata": {"purpose": payment.purpose, "reference": payment.reference,
                                 "refund_id": str(refund.pk)}},
            options={"idempotency_key": refund.idempotency_key},
        )
    except StripeGatewayError as exc:
        Refund.objects.filter(pk=refund.pk, stripe_refund_id="").update(
            status=Refund.Status.FAILED, failure_message=exc.detail, updated_at=timezone.now())
        refund.refresh_from_db()
        return refund
    data = stripe_dict(obj)
    with transaction.atomic():
        row = Refund.objects.select_for_update().get(pk=refund.pk)
        if row.stripe_refund_id:
            return row
        row.stripe_refund_id = data["id"]
        row.status = Refund.Status.SUCCEEDED if data.get("status") == "succeeded" else Refund.Status.PENDING
        row.failure_message = ""
        row.save(update_fields=["stripe_refund_id", "status", "failure_message", "updated_at"])
        if row.status == Refund.Status.SUCCEEDED:
            _payment_add_refund(payment_id=row.payment_id, actor=actor)
    return row


def _payment_add_refund(*, payment_id: int, actor=None) -> None:
    payment = Payment.objects.select_for_update().get(pk=payment_id)
    total = sum((r.amount for r in payment.refunds.filter(status=Refund.Status.SUCCEEDED)), Decimal("0"))
    if total > payment.amount_refunded:
        payment.amount_refunded = total
        payment.save(update_fields=["amount_refunded", "updated_at"])
    if payment.amount_refunded >= payment.amount and payment.status == P.SUCCEEDED:
        _payment_move(payment, P.REFUNDED, actor=actor, note=_("refunded"))


def _payment_move(row: Payment, to: str, *, actor=None, note: str = "", changes=None) -> Payment:
    previous = row.status
    row = transition(instance=row, to=to, workflow=PAYMENT_WORKFLOW, log_model=PaymentLog,
                     subject_field="payment", actor=actor, note=note, changes=changes)
    hooks.payment_changed.send(row.purpose, payment=row, previous_status=previous)
    return row
