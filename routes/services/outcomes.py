"""What the driver reports at each stop: delivered (with the proof its rules demand) or attempted (with a
reason), and the undo of the last tap for a short while.

Idempotent by the client's id: a resend of the same outcome changes nothing."""

import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audience import Audience
from core.bulksql import insert_cte, run_ctes, update_cte
from core.errors import Conflict, DomainError, ValidationFailed
from core.events import event_record, events_insert_ctes, events_record_bulk
from hubs.models import AttemptReason
from routes.models import (
    STOP_WORKFLOW,
    Package,
    PackageStatus,
    ProofKind,
    RouteStatus,
    RouteStop,
    StopEvent,
    StopKind,
    StopProof,
    StopStatus,
)
from routes.services.outcome_reads import (
    client_ids_used,
    packages_at,
    proof_rules,
    route_stops_and_nearby,
    stops_lock,
)
from routes.services.proof import (
    ProofGiven,
    ProofNeeds,
    proof_check,
    proof_needs,
    proof_needs_for_stop,
    proofs_save,
    proofs_void,
)
from routes.services.recipients import (
    Tap,
    recipients_messages_write,
    recipients_stop_outcome,
    recipients_stop_outcomes,
    recipients_window,
)


def _client_uuid(client_id):
    try:
        return uuid.UUID(str(client_id)) if client_id else uuid.uuid4()
    except ValueError as exc:
        raise ValidationFailed(_("The client id must be a UUID."), code="bad_client_id",
                               fields={"client_id": [_("Not a UUID.")]}) from exc


def _audience(route):
    return Audience.partner(route.partner_id) if route.partner_id else Audience.program()


def _stamp(occurred_at, now):
    """The phone's time of the tap, unless it lies in the future (a wrong clock)."""
    return occurred_at if occurred_at and occurred_at <= now else now


def _check_outcome(outcome, reason):
    if outcome not in (StopStatus.DELIVERED, StopStatus.ATTEMPTED):
        raise ValidationFailed(_("Choose delivered or attempted."), code="unknown_outcome",
                               fields={"outcome": [_("Unknown outcome.")]})
    if outcome == StopStatus.ATTEMPTED and reason not in AttemptReason.values:
        raise ValidationFailed(_("Choose why the delivery could not be made."), code="reason_required",
                               fields={"reason": [_("A reason is required.")]})


def stop_outcome_record(*, stop: RouteStop, outcome: str, reason: str = "", note: str = "", photo=None,
                        signature=None, pin: str = "", age_checked: bool = False, client_id=None,
                        occurred_at: datetime | None = None, by=None) -> RouteStop:
    """Mark a stop delivered or attempted. A delivery needs the proof its rules demand (`routes.ProofRule`);
    the route must be started (`route_start`)."""
    _check_outcome(outcome, reason)
    client_id = _client_uuid(client_id)
    given = ProofGiven(photo=photo, signature=signature, pin=str(pin or ""), age_checked=bool(age_checked))
    with transaction.atomic():
        row = RouteStop.objects.select_for_update().select_related("route__plan__station").get(pk=stop.pk)
        if row.outcome_client_id == client_id:
            return row
        _check_open(row)
        if RouteStop.objects.filter(outcome_client_id=client_id).exists():
            raise Conflict(_("This client id was used for another stop."), code="client_id_reused")
        needs = proof_needs_for_stop(row)
        if outcome == StopStatus.DELIVERED:
            proof_check(stop=row, needs=needs, given=given)
        now = timezone.now()
        STOP_WORKFLOW.check(row.status, outcome)
        row.status, row.outcome_at, row.outcome_client_id = outcome, now, client_id
        row.attempt_reason = reason if outcome == StopStatus.ATTEMPTED else ""
        row.note = note.strip()[:300]
        # an attempt carries no proof rule, but a photo of the door (say) is kept as evidence
        proofs = proofs_save(stop=row, needs=needs if outcome == StopStatus.DELIVERED else ProofNeeds(),
                             given=given if outcome == StopStatus.DELIVERED else ProofGiven(photo=photo),
                             by=by, client_id=client_id)
        photo_row = next((p for p in proofs if p.kind == "photo"), None)
        row.photo.name = photo_row.file.name if photo_row else ""
        row.save(update_fields=["status", "outcome_at", "outcome_client_id", "attempt_reason", "note", "photo"])
        StopEvent.objects.create(stop=row, actor=by if by is not None and by.is_authenticated else None,
                                 from_status=StopStatus.PENDING, to_status=outcome, note=row.attempt_reason,
                                 client_id=client_id, occurred_at=_stamp(occurred_at, now))
        packages = list(Package.objects.filter(stop=row).values_list("tracking_id", flat=True))
        if row.kind == StopKind.ADDRESS:  # a hub's parcels are the hub's business from here on
            Package.objects.filter(stop=row).update(
                status=PackageStatus.DELIVERED if outcome == StopStatus.DELIVERED else PackageStatus.ATTEMPTED)
        payload = {"route_id": row.route_id, "stop_id": row.pk, "sequence": row.sequence, "tracking_ids": packages,
                   "occurred_at": _stamp(occurred_at, now).isoformat()}
        if outcome == StopStatus.DELIVERED:
            event_record(type="stop.delivered", subject=row, payload={**payload, "proof": [p.kind for p in proofs]},
                         audience=_audience(row.route))
        else:
            event_record(type="stop.attempted", subject=row, payload={**payload, "reason": reason},
                         audience=_audience(row.route))
        recipients_stop_outcome(stop=row)  # live dispatch: delivered / attempted / "a few stops away", once each
    return row


@dataclass
class OutcomeEntry:
    """One stop outcome of a batch without files (no photo, no signature, no scans): `stop_outcomes_record`."""

    stop_id: int | None  # None: the phone sent something that is not a stop id
    outcome: str
    client_id: uuid.UUID
    reason: str = ""
    note: str = ""
    pin: str = ""
    age_checked: bool = False
    occurred_at: datetime | None = None


def stop_outcomes_record(*, driver, entries: list[OutcomeEntry], not_found: DomainError, by=None) -> list:
    """`stop_outcome_record` for a run of outcomes at once, in order: the same checks, rows, events and recipients'
    messages, answering for each entry its stop (applied, or already applied under that client id) or the
    `DomainError` that refuses it. `driver` (a user) may mark the stops of their routes on published plans; any
    other stop is `not_found`. Every entry is checked before anything is written, so a refused one changes
    nothing; the recipients hear what they would have heard of the outcomes one by one, in order
    (`recipients_stop_outcomes`: delivered / attempted, "a few stops away" with the stops left and the ETA of that
    moment, each once). On PostgreSQL the reads are prepared statements with plain rows (outcome_reads) and the
    writes two statements of CTEs; the ORM elsewhere."""
    # Each stop and its route locked, as stop_outcome_record locks them; in one order, so two batches never deadlock.
    rows = stops_lock(driver=driver, stop_ids={e.stop_id for e in entries if e.stop_id is not None})
    used = client_ids_used([e.client_id for e in entries])
    taps = [Tap(stop_id=r.pk, route_id=r.route_id, status="") for r in rows.values()]
    stops, nearby = route_stops_and_nearby({t.route_id for t in taps}) if taps else ([], 0)
    packages = defaultdict(list)
    read = packages_at(recipients_window(stops, taps, nearby)) if taps else []
    for package in read:
        packages[package.stop_id].append(package)
    rules = proof_rules() if any(e.outcome == StopStatus.DELIVERED for e in entries) and rows else []
    now = timezone.now()
    actor_id = by.pk if by is not None and by.is_authenticated else None
    audiences = {}
    out, changed, logs, proofs, outbox = [], [], [], [], []
    for entry in entries:
        row = rows.get(entry.stop_id)
        if row is None:
            out.append(not_found)
            continue
        try:
            kinds = _outcome_checks(entry, row, used, packages[row.pk], rules)
        except DomainError as exc:
            out.append(exc)
            continue
        out.append(row)
        if kinds is None:  # already applied under this client id: nothing changes
            continue
        outcome, when = entry.outcome, _stamp(entry.occurred_at, now)
        row.status, row.outcome_at, row.outcome_client_id = outcome, now, entry.client_id
        row.attempt_reason = entry.reason if outcome == StopStatus.ATTEMPTED else ""
        row.note = entry.note.strip()[:300]
        changed.append(row)
        proofs.extend(StopProof(stop_id=row.pk, kind=kind, required=required, detail=detail, taken_by_id=actor_id,
                                client_id=entry.client_id) for kind, required, detail in kinds)
        logs.append((row.pk, actor_id, StopStatus.PENDING, outcome, row.attempt_reason, entry.client_id, when, now))
        payload = {"route_id": row.route_id, "stop_id": row.pk, "sequence": row.sequence,
                   "tracking_ids": [p.tracking_id for p in packages[row.pk]], "occurred_at": when.isoformat()}
        audience = audiences.get(row.route_id) or audiences.setdefault(row.route_id, _audience(row.route))
        if outcome == StopStatus.DELIVERED:
            outbox.append(("stop.delivered", row, {**payload, "proof": [k for k, _r, _d in kinds]}, audience))
        else:
            outbox.append(("stop.attempted", row, {**payload, "reason": entry.reason}, audience))
    if changed:
        routes = {r.route_id: r.route for r in changed}
        messages = recipients_stop_outcomes(
            routes=routes, now=now, stops=stops, packages=read, nearby=nearby,
            taps=[Tap(stop_id=r.pk, route_id=r.route_id, status=r.status, attempt_reason=r.attempt_reason)
                  for r in changed])
        outbox.extend(recipients_messages_write(messages, routes=routes, now=now))
        _outcomes_write(changed, logs, proofs, outbox, now)
    return out


def _check_open(row: RouteStop) -> None:
    """A stop takes an outcome only while it is pending on a started route."""
    if row.status != StopStatus.PENDING:
        raise Conflict(_("Stop %(n)s is already marked %(s)s.")
                       % {"n": row.sequence, "s": row.get_status_display()}, code="stop_done")
    if row.route.status != RouteStatus.STARTED:
        raise Conflict(_("Start the route before marking its stops."), code="route_not_started")


def _outcome_checks(entry: OutcomeEntry, row: RouteStop, used: dict, packages: list, rules: list) -> list | None:
    """stop_outcome_record's checks, in its order, for one entry: the proof rows it will write (kind, required,
    detail), or None when the stop already has this outcome (the same client id); raises DomainError to refuse."""
    _check_outcome(entry.outcome, entry.reason)
    if row.outcome_client_id == entry.client_id:
        return None
    _check_open(row)
    if entry.client_id in used:
        raise Conflict(_("This client id was used for another stop."), code="client_id_reused")
    STOP_WORKFLOW.check(row.status, entry.outcome)
    if entry.outcome != StopStatus.DELIVERED:
        return []  # an attempt carries no proof rule
    needs = proof_needs(packages=packages, rules=rules)
    given = ProofGiven(pin=str(entry.pin or ""), age_checked=bool(entry.age_checked))
    if needs.kinds() or given.pin or given.age_checked:
        # proof_check reads the stop's packages' PIN through the ORM: a RouteStop it can filter on
        proof_check(stop=row if isinstance(row, RouteStop) else RouteStop(pk=row.pk, sequence=row.sequence,
                                                                          route_id=row.route_id),
                    needs=needs, given=given)
    kinds = []  # as proofs_save writes them (no files here)
    if needs.pin and given.pin.strip():
        kinds.append((ProofKind.PIN, needs.pin, _("PIN matched")))
    if given.age_checked:
        kinds.append((ProofKind.AGE_CHECK, needs.age_check, _("ID seen: recipient of age")))
    return kinds


_STOP_FIELDS = ["status", "outcome_at", "outcome_client_id", "attempt_reason", "note", "photo"]
_STOP_CASTS = ["bigint", "varchar", "timestamptz", "uuid", "varchar", "varchar", "varchar"]
_LOG_COLUMNS = ["stop_id", "actor_id", "from_status", "to_status", "note", "client_id", "occurred_at", "created_at"]
_LOG_CASTS = ["bigint", "bigint", "varchar", "varchar", "text", "uuid", "timestamptz", "timestamptz"]


def _package_status(outcome: str) -> str:
    return PackageStatus.DELIVERED if outcome == StopStatus.DELIVERED else PackageStatus.ATTEMPTED


def _outcomes_write(rows: list, logs: list[tuple], proofs: list[StopProof], outbox: list, now):
    """The run's changed stops, their log rows (tuples in _LOG_COLUMNS order), their packages' status and the
    outbox events: one statement on PostgreSQL, the ORM's bulk calls elsewhere (the embedded default's SQLite,
    where `rows` are RouteStop instances). Webhooks are told after commit, as `event_record` tells them."""
    addressed = [r for r in rows if r.kind == StopKind.ADDRESS]  # a hub's parcels are the hub's business
    if proofs:
        StopProof.objects.bulk_create(proofs)
    if connection.vendor != "postgresql":
        for row in rows:
            row.photo.name = ""
        RouteStop.objects.bulk_update(rows, _STOP_FIELDS)
        StopEvent.objects.bulk_create([StopEvent(**dict(zip(_LOG_COLUMNS, log, strict=True))) for log in logs])
        for outcome in {r.status for r in addressed}:
            Package.objects.filter(stop__in=[r for r in addressed if r.status == outcome]).update(
                status=_package_status(outcome))
        events_record_bulk(outbox)
        return
    ctes = [update_cte("stop_updates", RouteStop._meta.db_table, "id", ["id", *_STOP_FIELDS], _STOP_CASTS,
                        [(r.pk, r.status, r.outcome_at, r.outcome_client_id, r.attempt_reason, r.note, "")
                         for r in rows]),
            insert_cte("stop_events", StopEvent._meta.db_table, _LOG_COLUMNS, _LOG_CASTS, logs),
            *events_insert_ctes(outbox, now=now)]
    if addressed:
        ctes.append(update_cte("package_updates", Package._meta.db_table, "stop_id", ["stop_id", "status"],
                                ["bigint", "varchar"], [(r.pk, _package_status(r.status)) for r in addressed]))
    with connection.cursor() as cursor:
        run_ctes(ctes, cursor)


def stop_outcome_undo(*, stop: RouteStop, undone_client_id, occurred_at: datetime | None = None,
                      outcome_occurred_at: datetime | None = None, by=None) -> RouteStop:
    """Undo the stop's last outcome (the one sent with `undone_client_id`) within ROUTES_UNDO_SECONDS of it:
    the stop is to do again, its proof is void, its packages are back on the route."""
    undone_client_id = _client_uuid(undone_client_id)
    window = settings.ROUTES_UNDO_SECONDS
    with transaction.atomic():
        row = RouteStop.objects.select_for_update().select_related("route").get(pk=stop.pk)
        if row.status == StopStatus.PENDING or row.outcome_client_id != undone_client_id:
            raise Conflict(_("Stop %(n)s has no such outcome to undo.") % {"n": row.sequence}, code="nothing_to_undo")
        if row.route.status == RouteStatus.COMPLETED:
            raise Conflict(_("The route is completed; its stops cannot change."), code="route_completed")
        now = timezone.now()
        # Both times are the phone's when it gave them (the undo may be sent long after, from a queue).
        began = outcome_occurred_at or row.outcome_at
        ended = _stamp(occurred_at, now) if outcome_occurred_at else now
        if (ended - began).total_seconds() > window:
            raise Conflict(_("Too late to undo stop %(n)s (undo lasts %(s)s seconds).") % {"n": row.sequence,
                           "s": window}, code="undo_expired")
        source = row.status
        STOP_WORKFLOW.check(source, StopStatus.PENDING)
        row.status, row.outcome_at, row.outcome_client_id, row.attempt_reason = StopStatus.PENDING, None, None, ""
        row.photo.name = ""
        row.save(update_fields=["status", "outcome_at", "outcome_client_id", "attempt_reason", "photo"])
        proofs_void(stop=row)
        if row.kind == StopKind.ADDRESS:
            Package.objects.filter(stop=row).update(status=PackageStatus.ROUTED)
        StopEvent.objects.create(stop=row, actor=by if by is not None and by.is_authenticated else None,
                                 from_status=source, to_status=StopStatus.PENDING, note="undo",
                                 occurred_at=_stamp(occurred_at, now))
        event_record(type="stop.reopened", subject=row, payload={
            "route_id": row.route_id, "stop_id": row.pk, "sequence": row.sequence, "undone": source},
            audience=_audience(row.route))
    return row
