"""Celery tasks: take ids, call one service."""

from celery import shared_task

from payments import selectors, services
from payments.gateway import StripeUnreachable
from payments.models import Transfer


@shared_task(acks_late=True)
def transfers_reconcile() -> int:
    """Safety net for lost webhooks: re-fetch transfers still awaiting confirmation (beat, hourly)."""
    ids = list(selectors.transfers_awaiting_confirmation().values_list("pk", flat=True)[:500])
    for pk in ids:
        transfer_sync.delay(pk)
    return len(ids)


@shared_task(acks_late=True, autoretry_for=(StripeUnreachable,), retry_backoff=True, max_retries=5)
def transfer_sync(transfer_id: int) -> str:
    transfer = Transfer.objects.filter(pk=transfer_id).first()
    if transfer is None:
        return "missing"
    return services.transfer_sync(transfer=transfer).status
