"""What the driver reports at each stop: delivered (with the proof its rules demand) or attempted (with a
reason), and the undo of the last tap for a short while.

Idempotent by the client's id: a resend of the same outcome changes nothing."""

import uuid
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audience import Audience
from core.errors import Conflict, ValidationFailed
from core.events import event_record
from hubs.models import AttemptReason
from routes.models import (
    STOP_WORKFLOW,
    Package,
    PackageStatus,
    RouteStatus,
    RouteStop,
    StopEvent,
    StopKind,
    StopStatus,
)
from routes.services.proof import ProofGiven, ProofNeeds, proof_check, proof_needs_for_stop, proofs_save, proofs_void
from routes.services.recipients import recipients_stop_outcome


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
        if row.status != StopStatus.PENDING:
            raise Conflict(_("Stop %(n)s is already marked %(s)s.")
                           % {"n": row.sequence, "s": row.get_status_display()}, code="stop_done")
        if row.route.status != RouteStatus.STARTED:
            raise Conflict(_("Start the route before marking its stops."), code="route_not_started")
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
