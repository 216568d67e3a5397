"""What the driver reports at each stop: delivered (photo optional) or attempted (with a reason).

Idempotent by the client's id: a resend of the same outcome changes nothing."""

import uuid

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import Conflict, ValidationFailed
from core.files import IMAGE_TYPES, validate_upload
from hubs.models import AttemptReason
from routes.models import Package, PackageStatus, RouteStop, StopKind, StopStatus


def stop_outcome_record(*, stop: RouteStop, outcome: str, reason: str = "", note: str = "", photo=None,
                        client_id=None, by=None) -> RouteStop:
    if outcome not in (StopStatus.DELIVERED, StopStatus.ATTEMPTED):
        raise ValidationFailed(_("Choose delivered or attempted."), code="unknown_outcome",
                               fields={"outcome": [_("Unknown outcome.")]})
    if outcome == StopStatus.ATTEMPTED and reason not in AttemptReason.values:
        raise ValidationFailed(_("Choose why the delivery could not be made."), code="reason_required",
                               fields={"reason": [_("A reason is required.")]})
    if photo is not None:
        validate_upload(photo, allowed=IMAGE_TYPES, field="photo")
    try:
        client_id = uuid.UUID(str(client_id)) if client_id else uuid.uuid4()
    except ValueError as exc:
        raise ValidationFailed(_("The client id must be a UUID."), code="bad_client_id",
                               fields={"client_id": [_("Not a UUID.")]}) from exc
    with transaction.atomic():
        row = RouteStop.objects.select_for_update().get(pk=stop.pk)
        if row.outcome_client_id == client_id:
            return row
        if row.status != StopStatus.PENDING:
            raise Conflict(_("This stop is already marked %(s)s.") % {"s": row.get_status_display()},
                           code="stop_done")
        if RouteStop.objects.filter(outcome_client_id=client_id).exists():
            raise Conflict(_("This client id was used for another stop."), code="client_id_reused")
        row.status, row.outcome_at, row.outcome_client_id = outcome, timezone.now(), client_id
        row.attempt_reason = reason if outcome == StopStatus.ATTEMPTED else ""
        row.note = note.strip()[:300]
        if photo is not None:
            row.photo.save(photo.name or "proof.jpg", photo, save=False)
        row.save(update_fields=["status", "outcome_at", "outcome_client_id", "attempt_reason", "note", "photo"])
        if row.kind == StopKind.ADDRESS:  # a hub's parcels are the hub's business from here on
            Package.objects.filter(stop=row).update(
                status=PackageStatus.DELIVERED if outcome == StopStatus.DELIVERED else PackageStatus.ATTEMPTED)
    return row
