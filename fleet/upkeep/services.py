"""Inspections and work orders: every write of the vans' health.

A failed inspection (a medium or high defect) opens a work order for its blocking defects; a high one grounds the
van at once, with the inspection as the reason, alerts the partner's dispatchers and tells downstream listeners
(routes gives the van's routes another van). A work order done closes its defects, and the van goes back to
active once no grounding defect is open and its cover is current."""

import uuid
from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audience import Audience
from core.errors import Conflict, InvalidTransition, ValidationFailed
from core.events import event_record
from core.files import IMAGE_TYPES, validate_upload
from core.mail import mail_queue
from core.money import parse_amount
from core.servicedays import service_today
from core.workflow import lock, transition
from fleet.hooks import partner_service_today, vehicle_grounded_announce
from fleet.models import (
    BLOCKING,
    WORK_ORDER_WORKFLOW,
    ChecklistItem,
    Defect,
    Inspection,
    Severity,
    UpkeepPhoto,
    Vehicle,
    WorkOrder,
    WorkOrderEvent,
)
from fleet.services.vehicles import MAX_ODOMETER_MILES, odometer_record, vehicle_transition

MAX_PHOTOS = 12
MAX_COST = parse_amount("250000")


def _by(user):
    return user if user is not None and user.is_authenticated else None


def _van_label(vehicle) -> str:
    return vehicle.plate or vehicle.vin


# --- Inspections ---------------------------------------------------------------------------------


def _clean_defects(defects) -> list[dict]:
    """[{item, severity, note}] with item codes of the active checklist; one row per item."""
    items = {i.code: i for i in ChecklistItem.objects.filter(active=True)}
    out, seen = [], set()
    for row in defects or []:
        code = str(row.get("item") or "").strip()
        severity = str(row.get("severity") or "").strip()
        if code not in items:
            message = _("“%(c)s” is not on the inspection checklist.") % {"c": code or "—"}
            raise ValidationFailed(message, code="unknown_item", fields={"defects": [message]})
        if severity not in Severity.values:
            message = _("Say how serious the problem with %(i)s is: low, medium or high.") % {"i": items[code].label}
            raise ValidationFailed(message, code="invalid_severity", fields={"defects": [message]})
        if code in seen:
            message = _("%(i)s is listed twice: describe it once.") % {"i": items[code].label}
            raise ValidationFailed(message, code="duplicate_item", fields={"defects": [message]})
        seen.add(code)
        out.append({"item": items[code], "severity": severity, "note": str(row.get("note") or "").strip()[:300]})
    return out


def _check_photos(photos) -> list:
    photos = [p for p in photos or [] if p]
    if len(photos) > MAX_PHOTOS:
        message = _("Attach at most %(n)s photos.") % {"n": MAX_PHOTOS}
        raise ValidationFailed(message, code="too_many_photos", fields={"photos": [message]})
    for photo in photos:
        validate_upload(photo, allowed=IMAGE_TYPES, field="photos")
    return photos


def _check_miles(miles):
    if miles in (None, ""):
        return None
    try:
        miles = int(miles)
    except (TypeError, ValueError):
        miles = -1
    if not 0 <= miles <= MAX_ODOMETER_MILES:
        message = _("Enter the miles on the odometer, 0 to %(max)s.") % {"max": f"{MAX_ODOMETER_MILES:,}"}
        raise ValidationFailed(message, fields={"odometer_miles": [message]})
    return miles


def inspection_record(*, vehicle, kind: str = Inspection.Kind.PRE_TRIP, defects=(), odometer_miles=None,
                      note: str = "", photos=(), defect_photos=None, driver=None, by=None, client_id=None,
                      on_date: date | None = None) -> Inspection:
    """Record an inspection of `vehicle`. `defects` are `{"item": code, "severity", "note"}`; items not listed
    are fine. `defect_photos` maps an item code to its photos. A phone that sends the same `client_id` twice
    (offline queue) gets the first inspection back."""
    if kind not in Inspection.Kind.values:
        raise ValidationFailed(_("Choose a pre-trip or a post-trip inspection."), fields={"kind": ["invalid"]})
    if client_id:
        try:
            client_id = uuid.UUID(str(client_id))
        except ValueError:
            raise ValidationFailed(_("The form's id is not valid: reload the page."), fields={"client_id": [
                "invalid"]}) from None
        earlier = Inspection.objects.filter(client_id=client_id).first()
        if earlier is not None:
            if earlier.vehicle_id != vehicle.pk:
                raise Conflict(_("This form was already sent for another van."), code="client_id_reused")
            return earlier
    rows = _clean_defects(defects)
    photos = _check_photos(photos)
    defect_photos = {code: _check_photos(files) for code, files in (defect_photos or {}).items() if files}
    miles = _check_miles(odometer_miles)
    day = on_date or partner_service_today(vehicle.partner)
    failed = any(r["severity"] in BLOCKING for r in rows)
    try:
        with transaction.atomic():
            return _inspection_write(vehicle, kind=kind, rows=rows, miles=miles, note=note, photos=photos,
                                     defect_photos=defect_photos, driver=driver, by=_by(by), client_id=client_id,
                                     day=day, failed=failed)
    except IntegrityError:
        earlier = Inspection.objects.filter(client_id=client_id).first() if client_id else None
        if earlier is not None and earlier.vehicle_id == vehicle.pk:
            return earlier  # the same form sent twice at once: the other request recorded it
        raise


def _inspection_write(vehicle, *, kind, rows, miles, note, photos, defect_photos, driver, by, client_id, day,
                      failed) -> Inspection:
    van = lock(vehicle)
    if van.status == Vehicle.Status.RETIRED:
        raise Conflict(_("This van is retired."), code="vehicle_retired")
    if miles is not None:
        odometer_record(vehicle=van, miles=miles, read_on=day, by=by)
    inspection = Inspection.objects.create(
        partner_id=van.partner_id, vehicle=van, driver=driver, kind=kind, service_date=day,
        result=Inspection.Result.FAILED if failed else Inspection.Result.PASSED, odometer_miles=miles,
        note=(note or "").strip()[:500], client_id=client_id, inspected_by=by)
    defects = [Defect.objects.create(inspection=inspection, vehicle=van, item=r["item"], severity=r["severity"],
                                     note=r["note"]) for r in rows]
    for photo in photos:
        UpkeepPhoto.objects.create(inspection=inspection, file=photo, uploaded_by=by)
    for defect in defects:
        for photo in defect_photos.get(defect.item.code, []):
            UpkeepPhoto.objects.create(inspection=inspection, defect=defect, file=photo, uploaded_by=by)
    if failed:
        _inspection_failed(inspection, van, [d for d in defects if d.severity in BLOCKING], by=by)
    return inspection


def _defect_names(defects) -> str:
    return ", ".join(f"{d.item.label} ({d.get_severity_display().split(':')[0].lower()})" for d in defects)


def _inspection_failed(inspection, van, blocking, *, by):
    work_order = WorkOrder.objects.create(
        partner_id=van.partner_id, vehicle=van, source=WorkOrder.Source.INSPECTION, created_by=by,
        title=(_("%(kind)s inspection defects: %(d)s") % {"kind": inspection.get_kind_display(),
                                                            "d": ", ".join(d.item.label for d in blocking)})[:200],
        odometer_miles=inspection.odometer_miles)
    WorkOrderEvent.objects.create(work_order=work_order, actor=by, from_status="", to_status=work_order.status,
                                  note=_("Opened by inspection #%(n)s.") % {"n": inspection.pk})
    Defect.objects.filter(pk__in=[d.pk for d in blocking]).update(work_order=work_order)
    event_record(type="inspection.failed", subject=inspection, audience=Audience.partner(van.partner_id), payload={
        "id": inspection.pk, "vehicle_id": van.pk, "partner_id": van.partner_id, "kind": inspection.kind,
        "service_date": inspection.service_date.isoformat(), "work_order_id": work_order.pk,
        "defects": [{"item": d.item.code, "severity": d.severity} for d in blocking]})
    grounding = [d for d in blocking if d.severity == Severity.HIGH]
    if grounding:
        _ground(van, inspection, grounding, work_order, by=by)
    else:
        _alert(van, subject=_("[DSP Portal] Van %(v)s failed its inspection") % {"v": _van_label(van)},
               body=_("The %(kind)s inspection of van %(v)s on %(d)s found defects to repair before it drives "
                      "again: %(defects)s. Work order %(wo)s is open; the van is not assignable until it is done.")
               % {"kind": inspection.get_kind_display().lower(), "v": _van_label(van),
                  "d": inspection.service_date.isoformat(), "defects": _defect_names(blocking), "wo": work_order.code},
               key=f"inspection-failed:{inspection.pk}")


def _ground(van, inspection, grounding, work_order, *, by):
    reason = (_("%(kind)s inspection #%(n)s on %(d)s: high-severity defect (%(defects)s). Work order %(wo)s.")
              % {"kind": inspection.get_kind_display(), "n": inspection.pk, "d": inspection.service_date.isoformat(),
                 "defects": ", ".join(d.item.label for d in grounding), "wo": work_order.code})
    if van.status != Vehicle.Status.GROUNDED:
        vehicle_transition(vehicle=van, to=Vehicle.Status.GROUNDED, note=reason, by=by)
    event_record(type="vehicle.grounded", subject=van, audience=Audience.partner(van.partner_id), payload={
        "vehicle_id": van.pk, "partner_id": van.partner_id, "reason": reason, "inspection_id": inspection.pk,
        "work_order_id": work_order.pk})
    _alert(van, subject=_("[DSP Portal] Van %(v)s grounded after its inspection") % {"v": _van_label(van)},
           body=_("%(reason)s\n\nThe van may not drive until the work order is done. Its routes from today on get "
                  "another assignable van where there is one; check the dispatch page.") % {"reason": reason},
           key=f"vehicle-grounded:{inspection.pk}")
    vehicle_grounded_announce(vehicle_id=van.pk, on_date=inspection.service_date)


def _alert(van, *, subject, body, key):
    from fleet.services.expiry import _partner_emails  # the partner's owner and managers (its dispatchers)

    mail_queue(to=_partner_emails([van.partner_id]).get(van.partner_id, []), subject=subject, body=body,
               dedupe_key=key)


# --- Work orders ---------------------------------------------------------------------------------

EDITABLE = ("title", "performer", "vendor_name", "cost", "parts", "odometer_miles", "scheduled_for")


def _clean_fields(fields: dict) -> dict:
    out = {}
    for name, value in fields.items():
        if name not in EDITABLE:
            raise ValidationFailed(_("“%(f)s” cannot be changed here.") % {"f": name}, fields={name: ["read_only"]})
        if name == "cost":
            value = parse_amount(value if value not in (None, "") else "0", field="cost", allow_zero=True)
            if value > MAX_COST:
                message = _("A repair costs at most %(m)s: check the amount.") % {"m": f"${MAX_COST:,}"}
                raise ValidationFailed(message, fields={"cost": [message]})
        elif name == "odometer_miles":
            value = _check_miles(value)
        elif name == "performer" and value not in WorkOrder.Performer.values:
            raise ValidationFailed(_("Say who does the work: in-house or a vendor."), fields={"performer": ["invalid"]})
        elif name in ("title", "vendor_name", "parts"):
            value = (value or "").strip()
        out[name] = value
    if "title" in out and not out["title"]:
        message = _("Say what needs doing.")
        raise ValidationFailed(message, fields={"title": [message]})
    return out


def _check_vendor(row):
    if row.performer == WorkOrder.Performer.VENDOR and not row.vendor_name:
        message = _("Name the vendor doing the work.")
        raise ValidationFailed(message, code="vendor_required", fields={"vendor_name": [message]})


def work_order_create(*, vehicle, title: str, by=None, source: str = WorkOrder.Source.MANUAL, **fields) -> WorkOrder:
    data = _clean_fields({"title": title, **fields})
    with transaction.atomic():
        van = lock(vehicle)
        if van.status == Vehicle.Status.RETIRED:
            raise Conflict(_("This van is retired."), code="vehicle_retired")
        row = WorkOrder(partner_id=van.partner_id, vehicle=van, source=source, created_by=_by(by), **data)
        _check_vendor(row)
        row.save()
        WorkOrderEvent.objects.create(work_order=row, actor=_by(by), from_status="", to_status=row.status,
                                      note=_("Opened."))
    return row


def work_order_update(*, work_order, by=None, **fields) -> WorkOrder:
    data = _clean_fields(fields)
    with transaction.atomic():
        row = lock(work_order)
        if row.status == WorkOrder.Status.DONE:
            raise Conflict(_("This work order is done: it can no longer be changed."), code="work_order_done")
        for name, value in data.items():
            setattr(row, name, value)
        _check_vendor(row)
        row.save()
    return row


def work_order_photo_add(*, work_order, photo, by=None) -> UpkeepPhoto:
    _check_photos([photo])
    if work_order.photos.count() >= MAX_PHOTOS:
        message = _("A work order holds at most %(n)s photos.") % {"n": MAX_PHOTOS}
        raise ValidationFailed(message, code="too_many_photos", fields={"photos": [message]})
    return UpkeepPhoto.objects.create(work_order=work_order, file=photo, uploaded_by=_by(by))


def work_order_transition(*, work_order, to: str, note: str = "", by=None, on_date: date | None = None) -> WorkOrder:
    """open → scheduled → in_repair → done. Scheduling needs a date; done closes the work order's defects and
    puts a grounded van back on the road when nothing else keeps it off."""
    note = (note or "").strip()
    day = on_date or service_today()
    with transaction.atomic():
        row = lock(work_order)
        if to == row.status and to == WorkOrder.Status.DONE:
            return row  # a retry of "done" is harmless
        WORK_ORDER_WORKFLOW.check(row.status, to, note=note)
        changes = {}
        if to == WorkOrder.Status.SCHEDULED and not row.scheduled_for:
            message = _("Set the date the van goes in before scheduling the work.")
            raise ValidationFailed(message, code="date_required", fields={"scheduled_for": [message]})
        if to == WorkOrder.Status.DONE:
            _check_vendor(row)
            changes["completed_on"] = day
        row = transition(instance=row, to=to, workflow=WORK_ORDER_WORKFLOW, log_model=WorkOrderEvent,
                         subject_field="work_order", actor=_by(by), note=note, changes=changes)
        if to == WorkOrder.Status.DONE:
            _work_order_done(row, by=_by(by), day=day)
    return row


def _work_order_done(row, *, by, day):
    closed_grounding = row.defects.filter(closed_at__isnull=True, severity=Severity.HIGH).exists()
    row.defects.filter(closed_at__isnull=True).update(closed_at=timezone.now())
    if row.odometer_miles is not None:
        van = Vehicle.objects.get(pk=row.vehicle_id)
        latest = van.odometer_readings.order_by("-read_on", "-miles").values_list("miles", flat=True).first()
        if latest is None or row.odometer_miles > latest:
            odometer_record(vehicle=van, miles=row.odometer_miles, read_on=day, by=by)
    event_record(type="workorder.done", subject=row, audience=Audience.partner(row.partner_id), payload={
        "id": row.pk, "vehicle_id": row.vehicle_id, "partner_id": row.partner_id, "cost": str(row.cost),
        "completed_on": day.isoformat()})
    if closed_grounding:
        _back_on_the_road(row, by=by, day=day)


def _back_on_the_road(row, *, by, day):
    from fleet.selectors import vehicle_return_problems

    van = Vehicle.objects.get(pk=row.vehicle_id)
    if van.status != Vehicle.Status.GROUNDED or vehicle_return_problems(vehicle=van, on_date=day):
        return  # another open grounding defect, or lapsed cover: the van stays grounded and says why
    try:
        vehicle_transition(vehicle=van, to=Vehicle.Status.ACTIVE, by=by, on_date=day,
                           note=_("Back on the road: work order %(wo)s done.") % {"wo": row.code})
    except (Conflict, InvalidTransition):
        return
