"""Recording events for integrators (the transactional outbox).

Every app calls `event_record(...)` inside the transaction that makes the change, so the event
exists exactly when the change does. Delivery to webhook subscribers is the `integrations` app's
business: it reads the outbox after commit.

`EVENT_TYPES` is the one catalogue of event types and their payload shapes (also published in
the API docs). Add a type here before recording it.
"""

import functools

from django.db import transaction

from core.models import OutboxEvent

# Callables `fn(event_id)` run after the recording transaction commits (webhook dispatch registers
# one from integrations; core never imports it). A failing hook is logged, never raised: the
# periodic sweep picks up any event whose dispatch did not happen.
_COMMIT_HOOKS: list = []


def on_event_committed(fn):
    """Register `fn(event_id)` to run after every recorded event's transaction commits."""
    if fn not in _COMMIT_HOOKS:
        _COMMIT_HOOKS.append(fn)
    return fn

# type -> (description, payload fields)
EVENT_TYPES: dict[str, tuple[str, dict[str, str]]] = {
    "application.submitted": ("A DSP application was submitted for review.",
                              {"id": "int", "status": "str", "track": "str", "submitted_at": "datetime"}),
    "application.decided": ("An admin approved or rejected an application.",
                            {"id": "int", "status": "str", "decided_at": "datetime", "note": "str"}),
    "claim.paid": ("A veteran reimbursement claim was paid.", {"id": "int", "partner_id": "int", "amount": "decimal"}),
    "order.submitted": ("A partner submitted an order.", {"id": "int", "partner_id": "int", "total": "decimal"}),
    "order.decided": ("An admin approved or rejected an order.", {"id": "int", "status": "str"}),
    "order.fulfilled": ("An order was fulfilled.", {"id": "int", "partner_id": "int"}),
    "parcel.delivered": ("A hub delivered a parcel.", {"tracking_id": "str", "hub_id": "int", "service_date": "date"}),
    "parcel.attempted": ("A hub attempted a parcel.",
                         {"tracking_id": "str", "hub_id": "int", "service_date": "date", "reason": "str"}),
    "statement.paid": ("A hub's weekly statement was paid.", {"id": "int", "hub_id": "int", "amount": "decimal"}),
    "route.published": ("A station's plan was published; its routes are final.",
                        {"plan_id": "int", "station": "str", "service_date": "date", "routes": "int"}),
    "payout.paid": ("A payout reached a partner or hub.", {"transfer_id": "int", "amount": "decimal"}),
}


def event_record(*, type: str, subject, payload: dict) -> OutboxEvent:
    """Write an event row in the caller's transaction. `subject` is the model instance it is about."""
    if type not in EVENT_TYPES:
        raise ValueError(f"Unknown event type {type!r}: add it to core.events.EVENT_TYPES")
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("event_record must run inside the transaction that makes the change")
    meta = subject._meta
    event = OutboxEvent.objects.create(
        type=type, subject_type=f"{meta.app_label}.{meta.model_name}", subject_id=str(subject.pk), payload=payload
    )
    for hook in _COMMIT_HOOKS:
        transaction.on_commit(functools.partial(hook, event.pk), robust=True)
    return event


def events_record_bulk(events) -> list[OutboxEvent]:
    """Write many events in one INSERT, in the caller's transaction (batch services at scale).

    `events` is an iterable of `(type, subject, payload)`."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("events_record_bulk must run inside the transaction that makes the change")
    rows = []
    for type_, subject, payload in events:
        if type_ not in EVENT_TYPES:
            raise ValueError(f"Unknown event type {type_!r}: add it to core.events.EVENT_TYPES")
        meta = subject._meta
        rows.append(OutboxEvent(type=type_, subject_type=f"{meta.app_label}.{meta.model_name}",
                                subject_id=str(subject.pk), payload=payload))
    return OutboxEvent.objects.bulk_create(rows) if rows else []
