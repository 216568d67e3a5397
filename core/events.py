"""Recording events for integrators (the transactional outbox).

Every app calls `event_record(...)` inside the transaction that makes the change, so the event
exists exactly when the change does. Delivery to webhook subscribers is the `integrations` app's
business: it reads the outbox after commit.

`EVENT_TYPES` is the one catalogue of event types and their payload shapes (also published in
the API docs). Add a type here before recording it, and say in `EVENT_AUDIENCES` whom it may name:
every event carries an `Audience` (core.audience), and webhooks reach only those who may read it.
"""

import functools
import uuid

from django.db import transaction

from core.audience import APPLICANT, HUB, PARTNER, Audience, EventAudience
from core.hooks import Hook
from core.models import OutboxEvent, OutboxEventPartner

# Functions `fn(event_id)` run after the recording transaction commits (integrations registers webhook
# dispatch; core never imports it). A failing one is logged, never raised: the periodic sweep picks up any
# event whose dispatch did not happen.
event_committed = Hook("core.event_committed")
# Functions `fn(event_ids)` run once after commit for the events a batch service wrote together
# (`events_insert_ctes`, `events_record_bulk`): one dispatch for them all instead of one per event.
events_committed = Hook("core.events_committed")

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
    "scorecard.published": ("A partner's weekly scorecard was published (its week is settled).",
                            {"id": "int", "partner_id": "int", "week_start": "date", "tier": "str",
                             "score": "decimal"}),
    "partner_statement.issued": ("A partner's weekly statement was issued; disputes are open until `dispute_until`.",
                                 {"id": "int", "partner_id": "int", "week_start": "date", "total": "decimal",
                                  "dispute_until": "datetime"}),
    "partner_statement.paid": ("A partner's weekly statement was paid.",
                               {"id": "int", "partner_id": "int", "week_start": "date", "amount": "decimal"}),
    "inspection.failed": ("A van's pre- or post-trip inspection found a medium or high defect; a work order opened.",
                          {"id": "int", "vehicle_id": "int", "partner_id": "int", "kind": "str",
                           "service_date": "date", "work_order_id": "int", "defects": "list"}),
    "vehicle.grounded": ("A high-severity inspection defect grounded a van.",
                         {"vehicle_id": "int", "partner_id": "int", "reason": "str", "inspection_id": "int",
                          "work_order_id": "int"}),
    "workorder.done": ("A van's work order was completed.",
                       {"id": "int", "vehicle_id": "int", "partner_id": "int", "cost": "decimal",
                        "completed_on": "date"}),
    "stop.delivered": ("A driver delivered a stop (with its proof of delivery).",
                       {"route_id": "int", "stop_id": "int", "sequence": "int", "tracking_ids": "list[str]",
                        "proof": "list[str]", "occurred_at": "datetime"}),
    "stop.attempted": ("A driver attempted a stop and could not deliver.",
                       {"route_id": "int", "stop_id": "int", "sequence": "int", "tracking_ids": "list[str]",
                        "reason": "str", "occurred_at": "datetime"}),
    "stop.reopened": ("A driver undid a stop's outcome within the undo window; the stop is to do again.",
                      {"route_id": "int", "stop_id": "int", "sequence": "int", "undone": "str"}),
    "route.started": ("A driver started a route (after load-out).",
                      {"route_id": "int", "code": "str", "service_date": "date", "loaded": "int", "packages": "int"}),
    "route.completed": ("A driver completed a route; undelivered packages are back at the station.",
                        {"route_id": "int", "code": "str", "service_date": "date", "delivered": "int",
                         "attempted": "int", "returned": "int"}),
    "route.rescued": ("Remaining stops moved from one route to another during the day (a rescue).",
                      {"from_route": "int", "to_route": "int", "service_date": "date", "stops": "list[int]",
                       "packages": "int", "end_s": "int"}),
    "route.reassigned": ("A route was handed to another driver during the day (a call-out).",
                         {"route": "int", "service_date": "date", "from_driver": "int", "to_driver": "int",
                          "remaining_stops": "int"}),
    "recipient.notified": ("A package's recipient was told about it (route started, nearby, delivered, attempted).",
                           {"tracking_id": "str", "trigger": "str", "channels": "list[str]", "route": "int",
                            "service_date": "date"}),
    "timeoff.requested": ("A driver asked for time off.",
                          {"id": "int", "partner_id": "int", "driver_id": "int", "first_day": "date",
                           "last_day": "date", "status": "str"}),
    "timeoff.decided": ("A dispatcher approved or declined time off.",
                        {"id": "int", "partner_id": "int", "driver_id": "int", "first_day": "date",
                         "last_day": "date", "status": "str"}),
    "shiftswap.requested": ("A driver asked a colleague to take a shift.",
                            {"id": "int", "partner_id": "int", "shift_id": "int", "from_driver_id": "int",
                             "to_driver_id": "int", "status": "str"}),
    "shiftswap.decided": ("A dispatcher approved or declined a shift swap.",
                          {"id": "int", "partner_id": "int", "shift_id": "int", "from_driver_id": "int",
                           "to_driver_id": "int", "status": "str"}),
}

# type -> the audience kinds its events may name, and the scope area whose read scope lets an integrator
# receive it program-wide (None: program admins and the named audience only). A type missing here
# cannot be recorded.
EVENT_AUDIENCES: dict[str, EventAudience] = {
    "application.submitted": EventAudience(kinds=frozenset({APPLICANT}), area="onboarding"),
    "application.decided": EventAudience(kinds=frozenset({APPLICANT}), area="onboarding"),
    "claim.paid": EventAudience(kinds=frozenset({PARTNER}), area="claims"),
    "order.submitted": EventAudience(kinds=frozenset({PARTNER}), area="procurement"),
    "order.decided": EventAudience(kinds=frozenset({PARTNER}), area="procurement"),
    "order.fulfilled": EventAudience(kinds=frozenset({PARTNER}), area="procurement"),
    "parcel.delivered": EventAudience(kinds=frozenset({HUB}), area="hubs"),
    "parcel.attempted": EventAudience(kinds=frozenset({HUB}), area="hubs"),
    # A hub's money: its owner and the program only (the API shows a hub's statements to its owner alone).
    "statement.paid": EventAudience(kinds=frozenset({HUB}), area=None),
    "route.published": EventAudience(kinds=frozenset({PARTNER}), area="routes"),
    "payout.paid": EventAudience(kinds=frozenset({PARTNER, HUB}), area=None),
    # A partner's scores and money: its members and the program only, never integrators program-wide.
    "scorecard.published": EventAudience(kinds=frozenset({PARTNER}), area=None),
    "partner_statement.issued": EventAudience(kinds=frozenset({PARTNER}), area=None),
    "partner_statement.paid": EventAudience(kinds=frozenset({PARTNER}), area=None),
    "inspection.failed": EventAudience(kinds=frozenset({PARTNER}), area="fleet"),
    "vehicle.grounded": EventAudience(kinds=frozenset({PARTNER}), area="fleet"),
    "workorder.done": EventAudience(kinds=frozenset({PARTNER}), area="fleet"),
    "stop.delivered": EventAudience(kinds=frozenset({PARTNER}), area="routes"),
    "stop.attempted": EventAudience(kinds=frozenset({PARTNER}), area="routes"),
    "stop.reopened": EventAudience(kinds=frozenset({PARTNER}), area="routes"),
    "route.started": EventAudience(kinds=frozenset({PARTNER}), area="routes"),
    "route.completed": EventAudience(kinds=frozenset({PARTNER}), area="routes"),
    "route.rescued": EventAudience(kinds=frozenset({PARTNER}), area="routes"),
    "route.reassigned": EventAudience(kinds=frozenset({PARTNER}), area="routes"),
    "recipient.notified": EventAudience(kinds=frozenset({PARTNER}), area="routes"),
    "timeoff.requested": EventAudience(kinds=frozenset({PARTNER}), area="fleet"),
    "timeoff.decided": EventAudience(kinds=frozenset({PARTNER}), area="fleet"),
    "shiftswap.requested": EventAudience(kinds=frozenset({PARTNER}), area="fleet"),
    "shiftswap.decided": EventAudience(kinds=frozenset({PARTNER}), area="fleet"),
}


def _check(type: str, audience) -> None:
    if type not in EVENT_TYPES:
        raise ValueError(f"Unknown event type {type!r}: add it to core.events.EVENT_TYPES")
    if type not in EVENT_AUDIENCES:
        raise ValueError(f"Event type {type!r} has no audience: say whom it may name in core.events.EVENT_AUDIENCES")
    if not isinstance(audience, Audience):
        raise TypeError(f"{type}: audience must be a core.audience.Audience, not {audience!r}")
    stray = audience.kinds - EVENT_AUDIENCES[type].kinds
    if stray:
        raise ValueError(f"{type} events may not name a {', '.join(sorted(stray))} audience")


def _row(type: str, subject, payload: dict, audience: Audience) -> OutboxEvent:
    meta = subject._meta
    return OutboxEvent(type=type, subject_type=f"{meta.app_label}.{meta.model_name}", subject_id=str(subject.pk),
                       payload=payload, audience_hub_id=audience.hub_id, audience_applicant_id=audience.applicant_id,
                       audience_has_partners=bool(audience.partner_ids))


def _partner_rows(event: OutboxEvent, audience: Audience) -> list[OutboxEventPartner]:
    return [OutboxEventPartner(event=event, partner_id=p) for p in sorted(audience.partner_ids)]


_EVENT_COLUMNS = ["id", "type", "subject_type", "subject_id", "payload", "created_at", "audience_hub_id",
                  "audience_applicant_id", "audience_has_partners"]
_EVENT_CASTS = ["uuid", "varchar", "varchar", "varchar", "jsonb", "timestamptz", "bigint", "bigint", "boolean"]


def events_insert_ctes(events, *, now) -> list[tuple[str, list]]:
    """PostgreSQL: the outbox rows of `events` as data-modifying CTEs (core.bulksql), so a batch service writes its
    change, the events and their partner audiences in one round trip. Same checks, the same rows and the same
    dispatch after commit as `events_record_bulk`; `events` is an iterable of `(type, subject, payload, audience)`;
    the caller runs the CTEs in the same transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("events_insert_ctes must run inside the transaction that makes the change")
    from core.bulksql import django_json, insert_cte

    rows, partners = [], []
    for type_, subject, payload, audience in events:
        _check(type_, audience)
        meta, event_id = subject._meta, uuid.uuid4()
        rows.append((event_id, type_, f"{meta.app_label}.{meta.model_name}", str(subject.pk),
                     django_json(payload), now, audience.hub_id, audience.applicant_id,
                     bool(audience.partner_ids)))
        partners.extend((str(event_id), p) for p in sorted(audience.partner_ids))
    if not rows:
        return []
    _dispatch_on_commit([row[0] for row in rows])
    ctes = [insert_cte("outbox_events", OutboxEvent._meta.db_table, _EVENT_COLUMNS, _EVENT_CASTS, rows)]
    if partners:
        ctes.append(insert_cte("outbox_partners", OutboxEventPartner._meta.db_table, ["event_id", "partner_id"],
                               ["uuid", "bigint"], partners))
    return ctes


def event_record(*, type: str, subject, payload: dict, audience: Audience) -> OutboxEvent:
    """Write an event row in the caller's transaction. `subject` is the model instance it is about;
    `audience` says who besides program admins may read it (`Audience()` for the program only)."""
    _check(type, audience)
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("event_record must run inside the transaction that makes the change")
    event = _row(type, subject, payload, audience)
    event.save(force_insert=True)
    if audience.partner_ids:
        OutboxEventPartner.objects.bulk_create(_partner_rows(event, audience))
    for fn in event_committed.functions():
        transaction.on_commit(functools.partial(fn, event.pk), robust=True)
    return event


def _dispatch_on_commit(ids: list) -> None:
    """For events a batch service wrote in bulk, what `event_record` does for each event it writes (webhooks
    dispatched after commit, not at the next sweep), once for the batch: `events_committed`."""
    for fn in events_committed.functions():
        transaction.on_commit(functools.partial(fn, ids), robust=True)


def events_record_bulk(events) -> list[OutboxEvent]:
    """Write many events in one INSERT, in the caller's transaction (batch services at scale).

    `events` is an iterable of `(type, subject, payload, audience)`. Webhooks are told after commit, once for
    the batch (`events_committed`)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("events_record_bulk must run inside the transaction that makes the change")
    rows, audiences = [], []
    for type_, subject, payload, audience in events:
        _check(type_, audience)
        rows.append(_row(type_, subject, payload, audience))
        audiences.append(audience)
    if not rows:
        return []
    rows = OutboxEvent.objects.bulk_create(rows)  # ids are client-side UUIDs, so they are known on every database
    partners = [p for row, audience in zip(rows, audiences, strict=True) for p in _partner_rows(row, audience)]
    if partners:
        OutboxEventPartner.objects.bulk_create(partners)
    _dispatch_on_commit([row.pk for row in rows])
    return rows
