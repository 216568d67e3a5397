"""Stripe webhook processing: verified, de-duplicated, and never trusting the body.

The body only tells us *which* object changed; the object itself is re-fetched from Stripe and
applied to the stored row with the same services everything else uses, so only allowed
transitions happen. Event types not listed in `HANDLERS` are recorded and answered 200.

Transfers: `transfer.created`, `transfer.updated`, `transfer.reversed`, and the settlement
events `transfer.paid` / `transfer.failed` (emitted by the test fake, and by Stripe for legacy
transfers) all re-fetch the transfer; `payments.services.transfers._transfer_target` maps it to a status.
"""

from django.db import transaction
from django.utils import timezone

from payments import gateway, services
from payments.models import StripeEvent


def _transfer(object_id: str) -> None:
    obj = gateway.call(gateway.client().v1.transfers.retrieve, object_id)
    services.transfer_apply(data=services.stripe_dict(obj))


def _payment_intent(object_id: str) -> None:
    obj = gateway.call(gateway.client().v1.payment_intents.retrieve, object_id)
    services.payment_apply(data=services.stripe_dict(obj))


def _charge(object_id: str) -> None:
    obj = gateway.call(gateway.client().v1.charges.retrieve, object_id)
    services.charge_apply(data=services.stripe_dict(obj))


def _account(object_id: str) -> None:
    obj = gateway.call(gateway.client().v1.accounts.retrieve, object_id)
    services.connected_account_apply(data=services.stripe_dict(obj))


HANDLERS = {
    "transfer.created": _transfer,
    "transfer.updated": _transfer,
    "transfer.reversed": _transfer,
    "transfer.paid": _transfer,
    "transfer.failed": _transfer,
    "payment_intent.succeeded": _payment_intent,
    "payment_intent.payment_failed": _payment_intent,
    "payment_intent.canceled": _payment_intent,
    "charge.refunded": _charge,
    "account.updated": _account,
}


def stripe_event_process(*, event_id: str, event_type: str, object_id: str) -> str:
    """Handle one verified event once. Returns "processed", "ignored" or "duplicate".

    The event row is locked for the whole handling, so a concurrent redelivery waits and then
    sees it processed. If handling raises, everything rolls back and Stripe redelivers later."""
    with transaction.atomic():
        row, _created = StripeEvent.objects.select_for_update().get_or_create(
            event_id=event_id, defaults={"type": event_type[:64], "object_id": object_id[:64]})
        if row.processed_at is not None:
            return "duplicate"
        handler = HANDLERS.get(event_type)
        if handler is not None and object_id:
            handler(object_id)
        row.processed_at = timezone.now()
        row.save(update_fields=["processed_at"])
    return "processed" if handler else "ignored"
