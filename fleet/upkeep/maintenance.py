"""Preventive maintenance: schedules by miles and months, and the daily job that opens their work orders ahead
of time. The job is idempotent: a van has at most one open work order per schedule (a partial unique
constraint), so a second run, or two at once, opens nothing more; the next one comes after that one is done."""

import calendar
import logging
from collections import defaultdict
from datetime import date, timedelta

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from core.errors import ValidationFailed
from fleet.models import MaintenanceSchedule, OdometerReading, Vehicle, WorkOrder, WorkOrderEvent

logger = logging.getLogger(__name__)

MAX_EVERY_MILES = 200_000
MAX_EVERY_MONTHS = 60


def add_months(day: date, months: int) -> date:
    """The same day `months` later, on the month's last day when it is shorter (Jan 31 + 1 = Feb 28/29)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _int_or_none(value, field, low, high, message):
    if value in (None, ""):
        return None
    try:
        value = int(value)
    except (TypeError, ValueError):
        value = None
    if value is None or not low <= value <= high:
        raise ValidationFailed(message, fields={field: [message]})
    return value


def schedule_create(*, partner, kind: str, label: str = "", every_miles=None, every_months=None, lead_days=14,
                    lead_miles=500, by=None) -> MaintenanceSchedule:
    if kind not in MaintenanceSchedule.Kind.values:
        raise ValidationFailed(_("Choose what the maintenance is (oil, tyres, brakes or other)."),
                               fields={"kind": ["invalid"]})
    miles = _int_or_none(every_miles, "every_miles", 100, MAX_EVERY_MILES,
                         _("Every how many miles: 100 to %(m)s.") % {"m": f"{MAX_EVERY_MILES:,}"})
    months = _int_or_none(every_months, "every_months", 1, MAX_EVERY_MONTHS,
                          _("Every how many months: 1 to %(m)s.") % {"m": MAX_EVERY_MONTHS})
    if miles is None and months is None:
        message = _("Say every how many miles or months (or both).")
        raise ValidationFailed(message, code="interval_required", fields={"every_miles": [message]})
    lead_days = _int_or_none(lead_days, "lead_days", 0, 90, _("Open it 0 to 90 days ahead.")) or 0
    lead_miles = _int_or_none(lead_miles, "lead_miles", 0, 10_000, _("Open it 0 to 10,000 miles ahead.")) or 0
    label = (label or "").strip()[:80] or str(MaintenanceSchedule.Kind(kind).label)
    return MaintenanceSchedule.objects.create(partner=partner, kind=kind, label=label, every_miles=miles,
                                              every_months=months, lead_days=lead_days, lead_miles=lead_miles)


def _miles_by_van(vehicle_ids) -> tuple[dict[int, int], dict[int, int]]:
    """(first reading, latest reading) per van, in one query."""
    first, latest = {}, {}
    for vid, miles in (OdometerReading.objects.filter(vehicle_id__in=vehicle_ids)
                       .order_by("vehicle_id", "read_on", "miles").values_list("vehicle_id", "miles")):
        first.setdefault(vid, miles)
        latest[vid] = miles
    return first, latest


def _last_done(schedule_ids) -> dict[tuple[int, int], WorkOrder]:
    out = {}
    for wo in (WorkOrder.objects.filter(schedule_id__in=schedule_ids, status=WorkOrder.Status.DONE)
               .order_by("completed_on", "id")):
        out[(wo.schedule_id, wo.vehicle_id)] = wo
    return out


def next_due(schedule, vehicle, *, last_done, first_miles) -> tuple[date | None, int | None]:
    """When the next service falls due: counted from the last one done, else from the van's registration."""
    if last_done is not None:
        since_day, since_miles = last_done.completed_on, last_done.odometer_miles
    else:
        since_day, since_miles = vehicle.created_at.date(), None
    if since_miles is None:
        since_miles = first_miles if last_done is None else None
    due_on = add_months(since_day, schedule.every_months) if schedule.every_months else None
    due_miles = since_miles + schedule.every_miles if schedule.every_miles and since_miles is not None else None
    return due_on, due_miles


def preventive_work_orders_open(*, on_date: date) -> int:
    """Open the preventive work orders falling due within each schedule's lead (days or miles). Returns how many
    it opened."""
    schedules = list(MaintenanceSchedule.objects.filter(active=True))
    by_partner = defaultdict(list)
    for s in schedules:
        by_partner[s.partner_id].append(s)
    vans = list(Vehicle.objects.filter(partner_id__in=list(by_partner), status__in=Vehicle.IN_SERVICE))
    first, latest = _miles_by_van([v.pk for v in vans])
    done = _last_done([s.pk for s in schedules])
    open_pairs = set(WorkOrder.objects.filter(schedule_id__in=[s.pk for s in schedules]).exclude(
        status=WorkOrder.Status.DONE).values_list("schedule_id", "vehicle_id"))
    opened = 0
    for van in vans:
        for schedule in by_partner[van.partner_id]:
            if (schedule.pk, van.pk) in open_pairs:
                continue
            due_on, due_miles = next_due(schedule, van, last_done=done.get((schedule.pk, van.pk)),
                                         first_miles=first.get(van.pk))
            by_date = due_on is not None and on_date >= due_on - timedelta(days=schedule.lead_days)
            by_miles = due_miles is not None and latest.get(van.pk, 0) >= due_miles - schedule.lead_miles
            if by_date or by_miles:
                opened += _open(schedule, van, due_on=due_on, due_miles=due_miles)
    logger.info("preventive maintenance for %s: %s work orders opened", on_date, opened)
    return opened


def _open(schedule, van, *, due_on, due_miles) -> int:
    due = [f"{due_miles:,} mi" if due_miles is not None else "", due_on.isoformat() if due_on else ""]
    title = _("%(label)s due (%(when)s)") % {"label": schedule.label, "when": _(" or ").join(d for d in due if d)}
    try:
        with transaction.atomic():
            row = WorkOrder.objects.create(partner_id=van.partner_id, vehicle=van, schedule=schedule,
                                           source=WorkOrder.Source.PREVENTIVE, title=title[:200], due_on=due_on,
                                           due_miles=due_miles, scheduled_for=None)
            WorkOrderEvent.objects.create(work_order=row, from_status="", to_status=row.status,
                                          note=_("Opened ahead of time by the maintenance schedule “%(s)s”.")
                                          % {"s": schedule})
    except IntegrityError:
        return 0  # a concurrent run opened it: one open work order per schedule and van
    return 1
