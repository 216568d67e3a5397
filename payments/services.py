"""Writes that move money through Stripe (keyword-only, atomic, lock-then-decide).

Every movement is a row written before Stripe is called, with a unique idempotency key that is
also sent to Stripe: calling a service twice with the same key never moves money twice.

Money-moving services (`transfer_create`, `transfer_retry`, `payment_refund`) do not raise when
Stripe refuses or cannot be reached: they return the row with `status="failed"` and
`failure_code`/`failure_message`, so a batch (a payout run) records the failure and goes on.
They raise `DomainError` for the caller's mistakes (bad amount, reused key, account not ready).
"""

from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import Conflict, InvalidTransition, Unprocessable, ValidationFailed
from core.events import event_record
from core.money import from_cents, money, to_cents
from core.workflow import transition
from payments import gateway, hooks
from payments.gateway import StripeGatewayError
from payments.models import (
    PAYMENT_WORKFLOW,
    TRANSFER_WORKFLOW,
    ConnectedAccount,
    Payment,
    PaymentLog,
    Refund,
    Transfer,
    TransferLog,
)

T = Transfer.Status
P = Payment.Status


def _data(obj) -> dict:
    return obj.to_dict() if hasattr(obj, "to_dict") else dict(obj)


def _positive_amount(amount) -> Decimal:
    value = money(amount)
    if value <= 0:
        raise ValidationFailed(_("The amount must be more than zero."), code="amount_not_positive",
                               fields={"amount": [_("Must be more than zero.")]})
    return value


def _check_key(idempotency_key: str) -> str:
    key = (idempotency_key or "").strip()
    if not key or len(key) > 200:
        raise ValidationFailed(_("An idempotency key of 1 to 200 characters is required."),
                               code="idempotency_key_invalid")
    return key


def _key_reused():
    return Unprocessable(_("This idempotency key was already used for a different movement of money."),
                         code="idempotency_key_reused")


# --- Connected accounts -------------------------------------------------------------------


def connected_account_get_or_create(*, holder: str, email: str) -> ConnectedAccount:
    """The holder's Connect account, creating it at Stripe (Express, transfers capability) once."""
    if not holder or ":" not in holder:
        raise ValidationFailed(_('A holder looks like "partner:12".'), code="holder_invalid")
    with transaction.atomic():
        account, _created = ConnectedAccount.objects.select_for_update().get_or_create(
            holder=holder, defaults={"email": email})
        if account.stripe_account_id:
            return account
        obj = gateway.call(
            gateway.client().v1.accounts.create,
            params={"type": "express", "country": "US", "email": email,
                    "capabilities": {"transfers": {"requested": True}}, "metadata": {"holder": holder}},
            options={"idempotency_key": f"connected-account:{holder}"},
        )
        account.stripe_account_id = obj.id
        account.email = email
        _account_copy_flags(account, _data(obj))
        account.save()
    return account


def connected_account_onboarding_link(*, account: ConnectedAccount, return_url: str, refresh_url: str) -> str:
    """A one-time Stripe-hosted onboarding URL (Account Link, type account_onboarding)."""
    if not account.stripe_account_id:
        raise Conflict(_("This payout account was not created at Stripe yet."), code="account_not_created")
    link = gateway.call(
        gateway.client().v1.account_links.create,
        params={"account": account.stripe_account_id, "return_url": return_url, "refresh_url": refresh_url,
                "type": "account_onboarding"},
    )
    return link.url


def connected_account_refresh(*, account: ConnectedAccount) -> ConnectedAccount:
    """Re-read the account from Stripe and store its flags."""
    if not account.stripe_account_id:
        return account
    obj = gateway.call(gateway.client().v1.accounts.retrieve, account.stripe_account_id)
    return connected_account_apply(data=_data(obj)) or account


def connected_account_apply(*, data: dict) -> ConnectedAccount | None:
    """Store flags from a Stripe account object fetched from Stripe (never from a webhook body)."""
    with transaction.atomic():
        account = ConnectedAccount.objects.select_for_update().filter(stripe_account_id=data["id"]).first()
        if account is None:
            return None
        _account_copy_flags(account, data)
        account.save()
    return account


def _account_copy_flags(account: ConnectedAccount, data: dict) -> None:
    account.charges_enabled = bool(data.get("charges_enabled"))
    account.payouts_enabled = bool(data.get("payouts_enabled"))
    account.details_submitted = bool(data.get("details_submitted"))
    account.transfers_active = (data.get("capabilities") or {}).get("transfers") == "active"


# --- Transfers -------------------------------------------------------------------------------


def transfer_create(*, account: ConnectedAccount, amount, purpose: str, reference: str, idempotency_key: str,
                    description: str = "", currency: str = "usd") -> Transfer:
    """Send `amount` to `account`, once per `idempotency_key`.

    The row is written first; a second call with the same key returns it (and only calls Stripe
    again, with the same key, if Stripe never accepted the first). A refused call leaves the row
    `failed` with the message; `transfer_retry` sends it again."""
    amount = _positive_amount(amount)
    key = _check_key(idempotency_key)
    existing = Transfer.objects.filter(idempotency_key=key).first()
    if existing is None:
        _require_ready(account)
        try:
            with transaction.atomic():
                existing = Transfer.objects.create(
                    account=account, amount=amount, currency=currency, purpose=purpose, reference=reference,
                    idempotency_key=key, description=description[:255])
                TransferLog.objects.create(transfer=existing, from_status="", to_status=T.PENDING)
        except IntegrityError:
            existing = Transfer.objects.get(idempotency_key=key)
    if (existing.account_id, existing.amount, existing.purpose, existing.reference) != (
            account.pk, amount, purpose, reference):
        raise _key_reused()
    if existing.status != T.PENDING or existing.stripe_transfer_id:
        return existing
    return _transfer_send_locked(existing)


def transfer_retry(*, transfer: Transfer, actor=None) -> Transfer:
    """Send a failed transfer again. Before Stripe accepted it: the same key (Stripe replays or
    executes once). After Stripe accepted and then failed it: a new attempt, hence a new object."""
    with transaction.atomic():
        row = Transfer.objects.select_for_update().get(pk=transfer.pk)
        if row.status in (T.SUBMITTED, T.PAID):
            return row  # already through: a retry is harmless
        if row.status != T.FAILED and not (row.status == T.PENDING and not row.stripe_transfer_id):
            raise InvalidTransition(_("Only a failed transfer can be retried."), code="transfer_not_retryable")
        if row.status == T.FAILED:
            changes = {"failure_code": "", "failure_message": ""}
            if row.stripe_transfer_id:
                changes.update(attempt=row.attempt + 1, stripe_transfer_id="")
            row = _transfer_move(row, T.PENDING, actor=actor, note=_("retry"), changes=changes)
    return _transfer_send_locked(row)


def _require_ready(account: ConnectedAccount) -> None:
    if not account.stripe_account_id:
        raise Conflict(_("The payee has no Stripe account yet."), code="account_not_created")
    if not account.ready_for_transfers:
        account.refresh_from_db()
        if not account.ready_for_transfers:
            connected_account_refresh(account=account)
            account.refresh_from_db()
    if not account.ready_for_transfers:
        raise Conflict(_("The payee has not finished Stripe onboarding, so they cannot be paid yet."),
                       code="account_not_ready")


def _transfer_send_locked(transfer: Transfer) -> Transfer:
    """Send under the row lock: a concurrent call with the same key waits, then finds it sent."""
    with transaction.atomic():
        row = Transfer.objects.select_for_update().select_related("account").get(pk=transfer.pk)
        if row.status != T.PENDING or row.stripe_transfer_id:
            return row
        return _transfer_send(row)


def _transfer_send(transfer: Transfer) -> Transfer:
    params = {
        "amount": to_cents(transfer.amount),
        "currency": transfer.currency,
        "destination": transfer.account.stripe_account_id,
        "transfer_group": transfer.reference,
        "metadata": {"purpose": transfer.purpose, "reference": transfer.reference, "transfer_id": str(transfer.pk)},
    }
    if transfer.description:
        params["description"] = transfer.description
    try:
        obj = gateway.call(gateway.client().v1.transfers.create, params=params,
                           options={"idempotency_key": transfer.stripe_idempotency_key})
    except StripeGatewayError as exc:
        return _transfer_record_failure(transfer, exc)
    return _transfer_record_accepted(transfer, _data(obj))


def _transfer_record_accepted(transfer: Transfer, data: dict) -> Transfer:
    with transaction.atomic():
        row = Transfer.objects.select_for_update().get(pk=transfer.pk)
        if row.stripe_transfer_id:
            return row
        row.stripe_transfer_id = data["id"]
        row.save(update_fields=["stripe_transfer_id", "updated_at"])
        target = _transfer_target(data) or T.SUBMITTED
        if target == T.PAID:
            target = T.SUBMITTED  # "paid" is confirmed by the webhook, re-fetched from Stripe
        if row.status != target:
            row = _transfer_move(row, target, changes={"submitted_at": timezone.now(), "failure_code": "",
                                                       "failure_message": ""})
    return row


def _transfer_record_failure(transfer: Transfer, exc: StripeGatewayError) -> Transfer:
    with transaction.atomic():
        row = Transfer.objects.select_for_update().get(pk=transfer.pk)
        if row.stripe_transfer_id or row.status != T.PENDING:
            return row
        return _transfer_move(row, T.FAILED, note=exc.detail,
                              changes={"failure_code": exc.code, "failure_message": exc.detail})


def _transfer_target(data: dict) -> str | None:
    """The status a Stripe transfer object (re-fetched) says we should be in.

    Current Stripe transfers have no `status`: once created and not reversed the funds are in the
    connected account, i.e. paid. Objects that carry a legacy `status` (the test fake does, to
    model settlement) say `pending`, `paid` or `failed`."""
    if data.get("reversed") or (data.get("amount_reversed") or 0) >= (data.get("amount") or 1):
        return T.REVERSED
    status = data.get("status")
    if status in ("failed", "canceled"):
        return T.FAILED
    if status in (None, "paid"):
        return T.PAID
    return None


def transfer_sync(*, transfer: Transfer) -> Transfer:
    """Re-fetch the transfer from Stripe and apply what it says."""
    if not transfer.stripe_transfer_id:
        return transfer
    obj = gateway.call(gateway.client().v1.transfers.retrieve, transfer.stripe_transfer_id)
    return transfer_apply(data=_data(obj)) or transfer


def transfer_apply(*, data: dict) -> Transfer | None:
    """Apply a transfer object fetched from Stripe to the stored row, if the move is allowed."""
    with transaction.atomic():
        row = Transfer.objects.select_for_update().filter(stripe_transfer_id=data["id"]).first()
        if row is None:
            return None
        target = _transfer_target(data)
        if target is None or target == row.status or not TRANSFER_WORKFLOW.allowed(row.status, target):
            return row
        changes = {}
        if target == T.PAID:
            changes["paid_at"] = timezone.now()
        if target == T.FAILED:
            message = data.get("failure_message") or _("Stripe reported the transfer failed.")
            changes.update(failure_code=data.get("failure_code") or "transfer_failed", failure_message=message)
        return _transfer_move(row, target, note=_("from Stripe"), changes=changes)


def _transfer_move(row: Transfer, to: str, *, actor=None, note: str = "", changes=None) -> Transfer:
    previous = row.status
    row = transition(instance=row, to=to, workflow=TRANSFER_WORKFLOW, log_model=TransferLog,
                     subject_field="transfer", actor=actor, note=note, changes=changes)
    if to == T.PAID:
        event_record(type="payout.paid", subject=row, payload={"transfer_id": row.pk, "amount": str(row.amount)})
    hooks.notify_transfer(transfer=row, previous_status=previous)
    return row


# --- Payments in (PaymentIntents) and refunds --------------------------------------------------


def payment_intent_create(*, amount, purpose: str, reference: str, idempotency_key: str, description: str = "",
                          currency: str = "usd") -> Payment:
    """A PaymentIntent for `amount`; the page confirms it with Stripe.js using `client_secret`.

    Raises `StripeGatewayError` when Stripe refuses or is unreachable (no money moved; the same
    key can be used again)."""
    amount = _positive_amount(amount)
    key = _check_key(idempotency_key)
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
        raise _key_reused()
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
    return payment_apply(data=_data(obj)) or payment


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
    key = _check_key(idempotency_key)
    existing = Refund.objects.filter(idempotency_key=key).first()
    if existing is not None:
        if existing.payment_id != payment.pk:
            raise _key_reused()
        if existing.stripe_refund_id or existing.status != Refund.Status.PENDING:
            return existing
        return _refund_send(existing, actor=actor)
    with transaction.atomic():
        row = Payment.objects.select_for_update().get(pk=payment.pk)
        if row.status != P.SUCCEEDED:
            raise InvalidTransition(_("Only a succeeded payment can be refunded."), code="payment_not_refundable")
        remaining = row.amount - row.amount_refunded
        value = remaining if amount is None else _positive_amount(amount)
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
    data = _data(obj)
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
    hooks.notify_payment(payment=row, previous_status=previous)
    return row

