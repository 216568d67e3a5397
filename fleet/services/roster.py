"""Roster writes: shifts, the template week copied forward, availability, time off and shift swaps.

Every write that could break an hours rule goes through `fleet.services.hours.driver_may_work` under a lock
on the driver's row, so two dispatchers adding shifts at once cannot together pass the weekly cap."""

from datetime import date, time, timedelta

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from core.audience import Audience
from core.errors import Conflict, ValidationFailed
from core.events import event_record
from core.servicedays import service_today, service_week
from core.workflow import transition
from fleet.models import (
    SWAP_WORKFLOW,
    TIME_OFF_WORKFLOW,
    Availability,
    Driver,
    Shift,
    ShiftSwap,
    ShiftSwapEvent,
    TimeOff,
    TimeOffEvent,
)
from fleet.services.hours import Work, break_needed, driver_may_work, driver_rule

ROSTERABLE = (Driver.Status.ACTIVE, Driver.Status.ONBOARDING)
MAX_TIME_OFF_DAYS = 60


def _audience(partner_id) -> Audience:
    return Audience(partner_ids=frozenset({partner_id}))


def _lock_driver(driver: Driver) -> Driver:
    return Driver.objects.select_for_update(of=("self",)).select_related("partner", "partner__region").get(pk=driver.pk)


def _own_driver(partner, driver) -> None:
    if driver is None or driver.partner_id != partner.pk:
        raise ValidationFailed(_("Choose one of your drivers."), code="driver_unknown",
                               fields={"driver": [_("Not one of your drivers.")]})
    if driver.status not in ROSTERABLE:
        raise ValidationFailed(_("%(d)s is %(s)s and cannot be rostered.")
                               % {"d": driver.full_name, "s": driver.get_status_display().lower()},
                               code="driver_not_rosterable", fields={"driver": [_("Not rosterable.")]})


def shift_create(*, partner, driver, day: date, starts_at: time, minutes: int, break_minutes: int | None = None,
                 station_id: int | None = None, state: str = "", by=None, today: date | None = None) -> Shift:
    """Roster `driver` on `day`. The break defaults to what the hours rule asks for a shift that long."""
    _own_driver(partner, driver)
    if day < (today or service_today()):
        raise ValidationFailed(_("That day is past; roster today or later."), code="day_past",
                               fields={"day": [_("In the past.")]})
    if not 60 <= int(minutes) <= 16 * 60:
        raise ValidationFailed(_("A shift lasts between 1 and 16 hours."), code="shift_length",
                               fields={"minutes": [_("Between 60 and 960 minutes.")]})
    try:
        with transaction.atomic():
            locked = _lock_driver(driver)
            if break_minutes is None:
                break_minutes = break_needed(driver_rule(locked, state), minutes)
            if Shift.objects.filter(driver=locked, day=day).exists():
                raise Conflict(_("%(d)s already has a shift on %(day)s.") % {"d": locked.full_name, "day": day},
                               code="shift_taken", fields={"day": [_("Already rostered that day.")]})
            work = Work(day=day, starts_at=starts_at, minutes=int(minutes), break_minutes=int(break_minutes))
            driver_may_work(driver=locked, work=work, state=state)
            return Shift.objects.create(partner=partner, driver=locked, day=day, starts_at=starts_at,
                                        minutes=work.minutes, break_minutes=work.break_minutes,
                                        station_id=station_id, state=state,
                                        created_by=by if by and by.is_authenticated else None)
    except IntegrityError as exc:
        raise Conflict(_("That driver was just rostered that day."), code="shift_taken") from exc


def shift_delete(*, shift: Shift, today: date | None = None) -> None:
    if shift.day < (today or service_today()):
        raise ValidationFailed(_("A past shift stays on the record."), code="day_past")
    shift.delete()


def roster_copy_week(*, partner, week_first: date, by=None, today: date | None = None) -> tuple[list[Shift], list]:
    """Copy the week starting `week_first` (a Sunday) onto the next week: the template week carried forward.
    Returns (shifts made, [(driver, day, why skipped)]); a copy that would break a rule is skipped, not forced."""
    first, last = service_week(day=week_first)
    made, skipped = [], []
    for s in Shift.objects.filter(partner=partner, day__range=(first, last)).select_related("driver"):
        day = s.day + timedelta(days=7)
        try:
            made.append(shift_create(partner=partner, driver=s.driver, day=day, starts_at=s.starts_at,
                                     minutes=s.minutes, break_minutes=s.break_minutes, station_id=s.station_id,
                                     state=s.state, by=by, today=today))
        except (ValidationFailed, Conflict) as exc:
            skipped.append((s.driver, day, exc.detail))
    return made, skipped


def availability_set_pattern(*, driver: Driver, available_weekdays: set[int]) -> None:
    """The driver's recurring week: which weekdays (0 = Monday) they can work."""
    if any(not 0 <= int(w) <= 6 for w in available_weekdays):
        raise ValidationFailed(_("Weekdays run from 0 (Monday) to 6 (Sunday)."), code="weekday")
    with transaction.atomic():
        for weekday in range(7):
            Availability.objects.update_or_create(driver=driver, weekday=weekday,
                                                  defaults={"available": weekday in available_weekdays})


def availability_exception_set(*, driver: Driver, day: date, available: bool, note: str = "",
                               today: date | None = None) -> Availability:
    """One date that differs from the pattern (it wins over the weekday)."""
    if day < (today or service_today()):
        raise ValidationFailed(_("That day is past."), code="day_past", fields={"date": [_("In the past.")]})
    row, _created = Availability.objects.update_or_create(driver=driver, date=day,
                                                          defaults={"available": available, "note": note[:200]})
    return row


def timeoff_request(*, driver: Driver, first_day: date, last_day: date, reason: str = "", by=None,
                    today: date | None = None) -> TimeOff:
    if last_day < first_day:
        raise ValidationFailed(_("The last day cannot be before the first."), code="days_order",
                               fields={"last_day": [_("Before the first day.")]})
    if first_day < (today or service_today()):
        raise ValidationFailed(_("Time off cannot start in the past."), code="day_past",
                               fields={"first_day": [_("In the past.")]})
    if (last_day - first_day).days >= MAX_TIME_OFF_DAYS:
        raise ValidationFailed(_("Ask for at most %(n)s days at a time.") % {"n": MAX_TIME_OFF_DAYS},
                               code="too_long", fields={"last_day": [_("Too long.")]})
    with transaction.atomic():
        row = TimeOff.objects.create(partner_id=driver.partner_id, driver=driver, first_day=first_day,
                                     last_day=last_day, reason=reason[:300],
                                     requested_by=by if by and by.is_authenticated else None)
        TimeOffEvent.objects.create(time_off=row, to_status=row.status, note=reason[:300],
                                    actor=by if by and by.is_authenticated else None)
        event_record(type="timeoff.requested", subject=row, audience=_audience(row.partner_id),
                     payload=_timeoff_payload(row))
    return row


def _timeoff_payload(row: TimeOff) -> dict:
    return {"id": row.pk, "partner_id": row.partner_id, "driver_id": row.driver_id,
            "first_day": row.first_day.isoformat(), "last_day": row.last_day.isoformat(), "status": row.status}


def timeoff_decide(*, time_off: TimeOff, approve: bool, by=None, note: str = "") -> TimeOff:
    """Approve (the driver's shifts in those days are taken off the roster) or decline a request."""
    to = TimeOff.Status.APPROVED if approve else TimeOff.Status.DECLINED
    with transaction.atomic():
        row = transition(instance=time_off, to=to, workflow=TIME_OFF_WORKFLOW, log_model=TimeOffEvent,
                         subject_field="time_off", actor=by, note=note)
        if approve:
            Shift.objects.filter(driver_id=row.driver_id, day__range=(row.first_day, row.last_day)).delete()
        event_record(type="timeoff.decided", subject=row, audience=_audience(row.partner_id),
                     payload=_timeoff_payload(row))
    return row


def timeoff_cancel(*, time_off: TimeOff, by=None) -> TimeOff:
    return transition(instance=time_off, to=TimeOff.Status.CANCELLED, workflow=TIME_OFF_WORKFLOW,
                      log_model=TimeOffEvent, subject_field="time_off", actor=by)


def _swap_payload(row: ShiftSwap) -> dict:
    return {"id": row.pk, "partner_id": row.partner_id, "shift_id": row.shift_id, "from_driver_id": row.from_driver_id,
            "to_driver_id": row.to_driver_id, "status": row.status}


def swap_request(*, shift: Shift, to_driver: Driver, note: str = "", by=None,
                 today: date | None = None) -> ShiftSwap:
    """The shift's driver asks `to_driver` (a colleague) to take it; the dispatcher decides."""
    if to_driver is None or to_driver.partner_id != shift.partner_id or to_driver.pk == shift.driver_id:
        raise ValidationFailed(_("Choose a colleague from your company."), code="colleague_unknown",
                               fields={"to_driver": [_("Not a colleague.")]})
    if shift.day < (today or service_today()):
        raise ValidationFailed(_("That shift is past."), code="day_past")
    try:
        with transaction.atomic():
            row = ShiftSwap.objects.create(partner_id=shift.partner_id, shift=shift, from_driver_id=shift.driver_id,
                                           to_driver=to_driver, note=note[:300],
                                           requested_by=by if by and by.is_authenticated else None)
            ShiftSwapEvent.objects.create(swap=row, to_status=row.status, note=note[:300],
                                          actor=by if by and by.is_authenticated else None)
            event_record(type="shiftswap.requested", subject=row, audience=_audience(row.partner_id),
                         payload=_swap_payload(row))
    except IntegrityError as exc:
        raise Conflict(_("This shift already has a swap waiting for the dispatcher."), code="swap_open") from exc
    return row


def swap_decide(*, swap: ShiftSwap, approve: bool, by=None, note: str = "") -> ShiftSwap:
    """Approve: the colleague takes the shift if every hours rule allows it (else refused, naming the rule)."""
    with transaction.atomic():
        if approve:
            shift = Shift.objects.select_for_update().get(pk=swap.shift_id)
            if shift.driver_id != swap.from_driver_id:
                raise Conflict(_("The shift changed hands since the swap was asked."), code="swap_stale")
            colleague = _lock_driver(swap.to_driver)
            if colleague.status not in ROSTERABLE:
                raise ValidationFailed(_("%(d)s cannot be rostered now.") % {"d": colleague.full_name},
                                       code="driver_not_rosterable")
            if Shift.objects.filter(driver=colleague, day=shift.day).exists():
                raise Conflict(_("%(d)s already has a shift on %(day)s.") % {"d": colleague.full_name,
                                                                            "day": shift.day}, code="shift_taken")
            driver_may_work(driver=colleague, state=shift.state, work=Work(day=shift.day, starts_at=shift.starts_at,
                                                        minutes=shift.minutes, break_minutes=shift.break_minutes))
        row = transition(instance=swap, to=ShiftSwap.Status.APPROVED if approve else ShiftSwap.Status.DECLINED,
                         workflow=SWAP_WORKFLOW, log_model=ShiftSwapEvent, subject_field="swap", actor=by, note=note)
        if approve:
            Shift.objects.filter(pk=shift.pk).update(driver=colleague)
        event_record(type="shiftswap.decided", subject=row, audience=_audience(row.partner_id),
                     payload=_swap_payload(row))
    return row
