"""Parcels: bulk allocation to a hub, and outcomes logged in bulk batches.

At program scale (tens of thousands of hubs x ~30 parcels a day) a parcel's moves are applied in
batches: lock the batch's parcels with one query, check each move against `PARCEL_WORKFLOW` in
memory, then one bulk UPDATE, one bulk INSERT of the event rows (keyed by the client's id, unique,
so a resent batch changes nothing) and one bulk INSERT into the outbox. The number of queries does
not depend on the size of the batch.
"""

import functools
import operator
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audience import Audience
from core.bulksql import insert_cte, run_ctes, update_cte
from core.calendar import closed_reason
from core.compiled import fetch, pg_array, rows_as_instances, select_sql
from core.errors import Conflict, DomainError, ValidationFailed
from core.events import events_insert_ctes, events_record_bulk
from core.files import IMAGE_TYPES, validate_upload
from hubs.models import (
    OPEN_PARCEL_STATUSES,
    PARCEL_STAMP,
    PARCEL_WORKFLOW,
    AttemptReason,
    Hub,
    HubStatus,
    Parcel,
    ParcelEvent,
    ParcelStatus,
)

MAX_BATCH = 1000


@dataclass(frozen=True)
class ParcelSpec:
    tracking_id: str
    recipient_name: str
    recipient_address: str


def _spec(item) -> ParcelSpec:
    if isinstance(item, ParcelSpec):
        return item
    if isinstance(item, str):
        return ParcelSpec(item, "", "")
    return ParcelSpec(str(item["tracking_id"]).strip(), str(item.get("recipient_name", "")).strip(),
                      str(item.get("recipient_address", "")).strip())


def parcels_allocate(*, hub: Hub, service_date: date, parcels: Sequence[ParcelSpec | Mapping | str]
                     ) -> list[Parcel]:
    """Give a hub its parcels for a service day, all or nothing.

    Refused for a hub that is not active (paused, say), on a closed day (holiday), beyond the
    hub's daily capacity, or for a tracking id already allocated that day."""
    specs = [_spec(p) for p in parcels]
    ids = [s.tracking_id for s in specs]
    if not specs or any(not t for t in ids):
        raise ValidationFailed(_("Give at least one parcel, each with a tracking id."), code="no_parcels",
                               fields={"parcels": [_("Each parcel needs a tracking id.")]})
    if len(set(ids)) != len(ids):
        raise ValidationFailed(_("A tracking id appears twice."), code="duplicate_tracking_id",
                               fields={"parcels": [_("A tracking id appears twice.")]})
    reason = closed_reason(service_date)
    if reason:
        raise Conflict(_("The program is closed on %(day)s (%(reason)s).") % {"day": service_date, "reason": reason},
                       code="program_closed")
    with transaction.atomic():
        # The hub row lock serialises allocations to one hub, so the capacity check holds under concurrency.
        locked = Hub.objects.select_for_update().get(pk=hub.pk)
        if locked.status != HubStatus.ACTIVE:
            raise Conflict(_("This hub is %(status)s and takes no parcels.") % {"status": locked.get_status_display()},
                           code="hub_not_active")
        taken = Parcel.objects.filter(hub=locked, service_date=service_date).count()
        if taken + len(specs) > locked.capacity:
            raise Conflict(
                _("Over capacity: the hub holds %(capacity)s parcels a day and has %(taken)s already.")
                % {"capacity": locked.capacity, "taken": taken}, code="over_capacity")
        clash = list(Parcel.objects.filter(service_date=service_date, tracking_id__in=ids)
                     .values_list("tracking_id", flat=True)[:5])
        if clash:
            raise Conflict(_("Already allocated that day: %(ids)s.") % {"ids": ", ".join(clash)},
                           code="tracking_id_taken")
        now = timezone.now()
        rows = [Parcel(hub=locked, service_date=service_date, tracking_id=s.tracking_id,
                       recipient_name=s.recipient_name, recipient_address=s.recipient_address,
                       allocated_at=now, updated_at=now) for s in specs]
        return Parcel.objects.bulk_create(rows)


# --- outcomes ----------------------------------------------------------------------------------

OUTCOMES = [ParcelStatus.RECEIVED, ParcelStatus.OUT_FOR_DELIVERY, ParcelStatus.DELIVERED, ParcelStatus.ATTEMPTED,
            ParcelStatus.RETURNED]


@dataclass
class OutcomeItem:
    client_id: uuid.UUID
    tracking_id: str
    outcome: str
    service_date: date | None = None
    recipient_name: str = ""
    reason: str = ""
    note: str = ""
    occurred_at: datetime | None = None
    photo: object = None


@dataclass
class OutcomeResult:
    client_id: str
    tracking_id: str
    result: str  # applied | duplicate | rejected
    status: str = ""
    code: str = ""
    detail: str = ""
    parcel_id: int | None = field(default=None)


def _check_item(item: OutcomeItem, parcel: Parcel | None):
    if parcel is None:
        raise DomainError(_("No such parcel at this hub for that day."), code="not_found")
    if item.outcome not in OUTCOMES:
        raise DomainError(_("Unknown outcome."), code="unknown_outcome")
    if not PARCEL_WORKFLOW.allowed(parcel.status, item.outcome):
        raise DomainError(_("Cannot move from “%(source)s” to “%(target)s”.")
                          % {"source": parcel.status, "target": item.outcome}, code="invalid_transition")
    if item.outcome == ParcelStatus.DELIVERED and not item.recipient_name.strip():
        raise DomainError(_("Who received the parcel?"), code="recipient_name_required")
    if item.outcome == ParcelStatus.ATTEMPTED and item.reason not in AttemptReason.values:
        raise DomainError(_("Choose why the delivery could not be made."), code="reason_required")
    if item.photo is not None:
        validate_upload(item.photo, allowed=IMAGE_TYPES, field="photo")


def _apply(item: OutcomeItem, parcel: Parcel, now: datetime):
    parcel.status = item.outcome
    stamp = item.occurred_at if item.occurred_at and item.occurred_at <= now else now
    setattr(parcel, PARCEL_STAMP[item.outcome], stamp)
    parcel.updated_at = now
    if item.outcome == ParcelStatus.DELIVERED:
        parcel.delivered_to = item.recipient_name.strip()[:200]
        if item.photo is not None:
            parcel.proof_photo.save(item.photo.name or "photo.jpg", item.photo, save=False)
    if item.outcome == ParcelStatus.ATTEMPTED:
        parcel.attempt_reason = item.reason


def _outbox(item: OutcomeItem, parcel: Parcel):
    base = {"tracking_id": parcel.tracking_id, "hub_id": parcel.hub_id, "service_date": parcel.service_date.isoformat()}
    if item.outcome == ParcelStatus.DELIVERED:
        return ("parcel.delivered", parcel, base, Audience.hub(parcel.hub_id))
    if item.outcome == ParcelStatus.ATTEMPTED:
        return ("parcel.attempted", parcel, {**base, "reason": item.reason}, Audience.hub(parcel.hub_id))
    return None


UPDATE_FIELDS = ["status", "received_at", "out_for_delivery_at", "delivered_at", "attempted_at", "returned_at",
                 "delivered_to", "attempt_reason", "proof_photo", "updated_at"]


def parcel_outcomes_record(*, hub: Hub, items: Sequence[OutcomeItem], actor=None) -> list[OutcomeResult]:
    """Apply a batch of outcomes for one hub's parcels, in order; a bad item never blocks the others.

    Each item answers `applied`, `duplicate` (its client id was already applied: nothing changes) or
    `rejected` with a code. Items without a service date are for the hub's local today."""
    if len(items) > MAX_BATCH:
        raise ValidationFailed(_("At most %(n)s outcomes per batch.") % {"n": MAX_BATCH}, code="batch_too_large")
    if not items:
        return []
    today = hub.local_today()
    keys = [(i.tracking_id, i.service_date or today) for i in items]
    now = timezone.now()
    results, changed, events, outbox = [], {}, [], []
    # No savepoint of its own: inside a request's transaction (the idempotent batch view) a failure here fails the
    # whole request anyway, and a savepoint is two more round trips.
    with transaction.atomic(savepoint=False):
        # Lock first, then look for already-applied client ids: a concurrent resend waits here and then
        # sees the first one's rows.
        by_key = {(p.tracking_id, p.service_date): p for p in _lock(hub, keys)}
        seen = _seen(hub, [i.client_id for i in items])
        for item, key in zip(items, keys, strict=True):
            parcel = by_key.get(key)
            result = OutcomeResult(client_id=str(item.client_id), tracking_id=item.tracking_id, result="applied",
                                   parcel_id=parcel.pk if parcel else None)
            results.append(result)
            if item.client_id in seen:
                result.result, result.status = "duplicate", parcel.status if parcel else ""
                continue
            try:
                _check_item(item, parcel)
            except DomainError as exc:
                result.result, result.code, result.detail = "rejected", exc.code, exc.detail
                result.status = parcel.status if parcel else ""
                continue
            seen.add(item.client_id)
            source = parcel.status
            _apply(item, parcel, now)
            result.status = parcel.status
            changed[parcel.pk] = parcel
            events.append((actor.pk if actor else None, source, item.outcome, item.note[:500], now, parcel.pk, hub.pk,
                           str(item.client_id), item.occurred_at, item.recipient_name[:200], item.reason))
            event = _outbox(item, parcel)
            if event:
                outbox.append(event)
        if changed:
            _write(list(changed.values()), events, outbox, now)
    return results


def _lock(hub: Hub, keys: list[tuple[str, date]]) -> list[Parcel]:
    """The hub's parcels among `keys` (tracking id, day), locked until the transaction ends. On PostgreSQL one
    statement whose SQL is built once (arrays, so its text does not change with the batch); the ORM elsewhere."""
    tracking_ids, days = sorted({k[0] for k in keys}), sorted({k[1] for k in keys})
    if connection.vendor != "postgresql":
        return list(Parcel.objects.select_for_update().filter(hub=hub, tracking_id__in=tracking_ids,
                                                              service_date__in=days))
    return rows_as_instances(Parcel, _LOCK_SQL(), [hub.pk, pg_array(tracking_ids), pg_array(days)])


def _seen(hub: Hub, client_ids: list) -> set:
    """Which of `client_ids` the hub has already applied (their events are logged)."""
    if connection.vendor != "postgresql":
        return set(ParcelEvent.objects.filter(hub=hub, client_id__in=client_ids).values_list("client_id", flat=True))
    return {row[0] for row in fetch(_SEEN_SQL(), [hub.pk, pg_array(client_ids)])}


_LOCK_SQL = functools.cache(lambda: select_sql(Parcel, '"hub_id" = %s AND "tracking_id" = ANY(%s::varchar[]) '
                                                       'AND "service_date" = ANY(%s::date[])', for_update=True))
_SEEN_SQL = functools.cache(lambda: f'SELECT "client_id" FROM "{ParcelEvent._meta.db_table}" '  # noqa: S608
                                    'WHERE "hub_id" = %s AND "client_id" = ANY(%s::uuid[])')


# ParcelEvent's columns, in the order `parcel_outcomes_record` builds its log rows.
EVENT_COLUMNS = ["actor_id", "from_status", "to_status", "note", "created_at", "parcel_id", "hub_id", "client_id",
                 "occurred_at", "recipient_name", "reason"]
EVENT_CASTS = ["bigint", "varchar", "varchar", "text", "timestamptz", "bigint", "bigint", "uuid", "timestamptz",
               "varchar", "varchar"]


def _write(parcels: list[Parcel], events: list[tuple], outbox: list, now) -> None:
    """The batch's changed parcels, their log rows and outbox events: one statement on PostgreSQL (the UPDATE and
    the INSERTs as CTEs), the ORM's bulk_update and bulk_create elsewhere (the embedded default's SQLite)."""
    if connection.vendor == "postgresql":
        _write_postgresql(parcels, events, outbox, now)
    else:
        _write_portable(parcels, events, outbox, now)


def _write_postgresql(parcels: list[Parcel], events: list[tuple], outbox: list, now) -> None:
    ctes = [_update_cte(parcels),
            insert_cte("parcel_events", ParcelEvent._meta.db_table, EVENT_COLUMNS, EVENT_CASTS, events),
            *events_insert_ctes(outbox, now=now)]
    run_ctes(ctes)


def _write_portable(parcels: list[Parcel], events: list[tuple], outbox: list, now) -> None:
    Parcel.objects.bulk_update(parcels, UPDATE_FIELDS)
    ParcelEvent.objects.bulk_create([ParcelEvent(**dict(zip(EVENT_COLUMNS, row, strict=True))) for row in events])
    events_record_bulk(outbox)


_CASTS = {"status": "varchar", "delivered_to": "varchar", "attempt_reason": "varchar", "proof_photo": "varchar"}
# The photo's column last: its value is the stored file's name, read apart from the others.
_UPDATE_COLUMNS = ["id", *(name for name in UPDATE_FIELDS if name != "proof_photo"), "proof_photo"]
_UPDATE_CASTS = ["bigint", *(_CASTS.get(name, "timestamptz") for name in _UPDATE_COLUMNS[1:])]
_update_values = operator.attrgetter(*_UPDATE_COLUMNS[:-1])


def _update_cte(parcels: list[Parcel]) -> tuple[str, list]:
    rows = [(*_update_values(p), _file_name(vars(p).get("proof_photo"))) for p in parcels]
    return update_cte("parcel_updates", Parcel._meta.db_table, "id", _UPDATE_COLUMNS, _UPDATE_CASTS, rows)


def _file_name(value) -> str:
    """A file field's stored name, from the instance's raw value (a name, or the file once it was touched)."""
    return getattr(value, "name", value) or ""


CLOSE_NAMESPACE = uuid.UUID("6f1c3f0e-5b7a-4c1e-9a57-0d2b9f6f1a11")


def parcels_close_day(*, hub: Hub, service_date: date) -> int:
    """End of a service day: parcels received but without an outcome go back with the next DSP pickup.

    Client ids derive from the parcel, so running it twice changes nothing."""
    open_parcels = Parcel.objects.filter(hub=hub, service_date=service_date,
                                         status__in=OPEN_PARCEL_STATUSES)
    items = [OutcomeItem(client_id=uuid.uuid5(CLOSE_NAMESPACE, f"{p.pk}:returned"), tracking_id=p.tracking_id,
                         outcome=ParcelStatus.RETURNED, service_date=service_date, note="end of day")
             for p in open_parcels.only("pk", "tracking_id")]
    results = parcel_outcomes_record(hub=hub, items=items)
    return sum(1 for r in results if r.result == "applied")
