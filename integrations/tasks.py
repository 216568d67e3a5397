"""Celery tasks: take ids, call one service, safe to run twice (stored status is re-checked)."""

import logging

from celery import shared_task
from django.core.cache import cache

from core.cache import add_flag
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
    """`event_dispatch` for the events a batch service wrote together (one task for them all). Queued by earlier
    versions; batches now queue `events_dispatch_waiting`."""
    for event_id in event_ids:
        event_dispatch(event_id)


# Set while an `events_dispatch_waiting` is queued and not yet started (see `enqueue_events_dispatch`). Expires,
# so a queued task that is lost (a worker killed before it acked) holds nothing up for longer than this.
DISPATCH_QUEUED_KEY = "integrations:events-dispatch-queued"
DISPATCH_QUEUED_SECONDS = 30
DISPATCH_ROUNDS = 20  # of `undispatched_event_ids`' 500 at most; the next task carries on past that


@shared_task(acks_late=True, ignore_result=True)
def events_dispatch_waiting():
    """Every event not yet fanned out, oldest first, until none is left (batches' events: see
    `enqueue_events_dispatch`)."""
    cache.delete(DISPATCH_QUEUED_KEY)  # before reading: an event committed from now on queues the next run
    for _ in range(DISPATCH_ROUNDS):
        event_ids = services.undispatched_event_ids()
        for event_id in event_ids:
            event_dispatch(str(event_id))
        if len(event_ids) < services.UNDISPATCHED_PAGE:
            return
    enqueue_events_dispatch([])


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
    """Registered on core.events.events_committed, after a batch's events commit: at most one
    `events_dispatch_waiting` queued at a time, whatever the number of batches. A batch that finds one queued and
    not yet started adds nothing: its events are committed, so that task's read will find them. One cache
    round trip a batch (`add_flag`), where a task published per batch cost the request about 2 ms of the broker
    client's CPU and `cache.add` 0.5 ms (bench/bench_outcomes_api.py --kind driver, py-spy)."""
    if add_flag(DISPATCH_QUEUED_KEY, DISPATCH_QUEUED_SECONDS) and not enqueue(events_dispatch_waiting):
        cache.delete(DISPATCH_QUEUED_KEY)  # nothing queued after all: the next batch tries again
