"""Celery tasks: take ids, call one service, safe to run twice (stored status is re-checked)."""

import logging

from celery import shared_task

from core.taskqueue import enqueue
from integrations import services

logger = logging.getLogger(__name__)


@shared_task(acks_late=True, ignore_result=True)
def event_dispatch(event_id: str):
    """Fan one committed event out to its subscriptions, then deliver each."""
    for delivery_id in services.event_fan_out(event_id=event_id):
        webhook_deliver.delay(delivery_id)


@shared_task(acks_late=True, ignore_result=True)
def events_dispatch(event_ids: list[str]):
    """`event_dispatch` for the events a batch service wrote together (one task for them all)."""
    for event_id in event_ids:
        event_dispatch(event_id)


@shared_task(acks_late=True, ignore_result=True)
def webhook_deliver(delivery_id: int):
    services.webhook_delivery_attempt(delivery_id=delivery_id)


@shared_task(acks_late=True, ignore_result=True)
def webhooks_sweep():
    """Every minute: events never fanned out (a worker died after commit) and deliveries due for retry."""
    for event_id in services.undispatched_event_ids():
        event_dispatch.delay(str(event_id))
    for delivery_id in services.due_delivery_ids():
        webhook_deliver.delay(delivery_id)


def enqueue_event_dispatch(event_id) -> None:
    """Registered on the hook core.events.event_committed: runs after the recording transaction commits.
    With the broker down this logs and returns; webhooks_sweep dispatches the event later."""
    enqueue(event_dispatch, str(event_id))


def enqueue_events_dispatch(event_ids) -> None:
    """Registered on core.events.events_committed: one task for the events a batch wrote (see above)."""
    enqueue(events_dispatch, [str(i) for i in event_ids])
