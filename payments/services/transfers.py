"""Money out: transfers to connected accounts, once per idempotency key."""


from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audience import Audience
from core.errors import Conflict, InvalidTransition
from core.events import event_record
from core.money import to_cents
from core.workflow import transition
from payments import gateway, hooks
from payments.gateway import StripeGatewayError
from payments.models import (
    TRANSFER_WORKFLOW,
    ConnectedAccount,
    Transfer,
    TransferLog,
)
from payments.services.accounts import connected_account_refresh
from payments.services.common import check_key, key_reused, positive_amount, stripe_dict

T = Transfer.Status


# --- Transfers -------------------------------------------------------------------------------


def transfer_create(*, account: ConnectedAccount, amount, purpose: str, reference: str, idempotency_key: str,
                    description: str = "", currency: str = "usd") -> Transfer:
    """Send `amount` to `account`, once per `idempotency_key`.

    The row is written first; a second call with the same key returns it (and only calls Stripe
    again, with the same key, if Stripe never accepted the first). A refused call leaves the row
    `failed` with the message; `transfer_retry` sends it again."""
    amount = positive_amount(amount)
    key = check_key(idempotency_key)
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
        raise key_reused()
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
    return _transfer_record_accepted(transfer, stripe_dict(obj))


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
    return transfer_apply(data=stripe_dict(obj)) or transfer


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
        # The recipient reads it: the account's holder ("partner:12", "hub:7") names them without importing them.
        event_record(type="payout.paid", subject=row, payload={"transfer_id": row.pk, "amount": str(row.amount)},
                     audience=Audience.holder(row.account.holder))
    hooks.transfer_changed.send(row.purpose, transfer=row, previous_status=previous)
    return row
