"""The roster pages: the dispatcher's week (shifts from the station's waves, availability, time off, swaps,
routes offered against routes rostered) and the driver's week on the phone. The roster lives in fleet; these
pages live here because they need the station (its waves, its local day) and the routes offered."""

from datetime import time, timedelta

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from accounts.permissions import permission_required
from core.dates import page_day, parse_day
from core.errors import DomainError, NotFound
from core.forms import add_domain_error
from core.servicedays import service_today, service_week
from fleet import roster_selectors as roster
from fleet import services as fleet_services
from fleet.models import Driver, HoursRule, Shift, TimeOff
from fleet.services.hours import driver_rule
from routes import selectors
from routes.forms_roster import ExceptionForm, ShiftForm, SwapForm, TimeOffForm
from routes.services.fleetday import roster_variance
from routes.views.common import partner_or_404


def _found(fn, **kwargs):
    try:
        return fn(**kwargs)
    except NotFound as exc:
        raise Http404 from exc


def _week_url(name, day) -> str:
    return f"{reverse(name)}?date={day.isoformat()}"


def _context(request, partner, station, form=None):
    today = service_today(station)
    day = page_day(request, default=today) or today
    week = roster.roster_week(partner=partner, day=day)
    waves = station.wave_times if station is not None else [time(8, 0)]
    days = [d for d in week.days if d >= today]
    form = form or ShiftForm(drivers=week.drivers, days=days, waves=waves,
                             initial={"minutes": station.shift_minutes if station else 600})
    rules = HoursRule.objects.filter(state__in={station.state if station else "", ""})
    return {"partner": partner, "station": station, "week": week, "day": day, "today": today, "form": form,
            "prev": week.days[0] - timedelta(days=7), "next": week.days[0] + timedelta(days=7),
            "variance": roster_variance(partner=partner, station=station, days=week.days),
            "time_off": roster.timeoff_for_partner(partner=partner).filter(
                status=TimeOff.Status.REQUESTED)[:50],
            "swaps": roster.swaps_for_partner(partner=partner).filter(status="requested")[:50],
            "rules": rules, "exception_form": ExceptionForm(),
            "availability": _availability_rows(partner, week.drivers)}


def _weekdays():
    # Sunday first, as the program's week runs; values are date.weekday() numbers.
    return [(6, _("Sun")), (0, _("Mon")), (1, _("Tue")), (2, _("Wed")), (3, _("Thu")), (4, _("Fri")), (5, _("Sat"))]


def _availability_rows(partner, drivers) -> list:
    """Each driver with the usual week's boxes (ticked: can work; no entry counts as available)."""
    off: dict[int, set[int]] = {}
    for a in roster.availability_for_partner(partner=partner).filter(weekday__isnull=False, available=False):
        off.setdefault(a.driver_id, set()).add(a.weekday)
    return [(d, [(num, label, num not in off.get(d.pk, set())) for num, label in _weekdays()]) for d in drivers]


@permission_required("routes.dispatch")
def roster_page(request):
    partner = partner_or_404(request)
    station = selectors.partner_station(partner=partner)
    return render(request, "routes/roster.html", _context(request, partner, station))


@require_POST
@permission_required("routes.dispatch")
def roster_shift_add(request):
    partner = partner_or_404(request)
    station = selectors.partner_station(partner=partner)
    context = _context(request, partner, station)
    form = ShiftForm(request.POST, drivers=context["week"].drivers, days=context["week"].days,
                     waves=station.wave_times if station is not None else [time(8, 0)])
    if form.is_valid():
        data = form.cleaned_data
        driver = Driver.objects.filter(partner=partner, pk=data["driver"]).first()
        try:
            shift = fleet_services.shift_create(
                partner=partner, driver=driver, day=parse_day(data["day"], field="day"),
                starts_at=time.fromisoformat(data["wave"]),
                minutes=data["minutes"], break_minutes=data["break_minutes"],
                station_id=station.pk if station else None, state=station.state if station else "",
                by=request.user, today=context["today"])
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("%(d)s rostered on %(day)s from %(t)s.")
                             % {"d": shift.driver.full_name, "day": shift.day, "t": shift.starts_at.strftime("%H:%M")})
            return redirect(_week_url("routes:roster", shift.day))
    context["form"] = form
    return render(request, "routes/roster.html", context, status=400)


@require_POST
@permission_required("routes.dispatch")
def roster_shift_delete(request, pk):
    shift = _found(roster.partner_shift_get, user=request.user, shift_id=pk)
    station = selectors.partner_station(partner=shift.partner)
    try:
        fleet_services.shift_delete(shift=shift, today=service_today(station))
    except DomainError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, _("Shift removed."))
    return redirect(_week_url("routes:roster", shift.day))


@require_POST
@permission_required("routes.dispatch")
def roster_copy_week(request):
    partner = partner_or_404(request)
    station = selectors.partner_station(partner=partner)
    day = page_day(request, default=service_today(station))
    if day is None:
        return redirect("routes:roster")
    first, _last = service_week(day=day)
    made, skipped = fleet_services.roster_copy_week(partner=partner, week_first=first, by=request.user,
                                                    today=service_today(station))
    messages.success(request, ngettext("%(n)s shift copied to next week.", "%(n)s shifts copied to next week.",
                                       len(made)) % {"n": len(made)})
    for driver, when, why in skipped[:10]:
        messages.warning(request, _("%(d)s on %(day)s not copied: %(why)s") % {"d": driver.full_name, "day": when,
                                                                              "why": why})
    return redirect(_week_url("routes:roster", first + timedelta(days=7)))


@require_POST
@permission_required("routes.dispatch")
def roster_timeoff_decide(request, pk):
    row = _found(roster.partner_timeoff_get, user=request.user, time_off_id=pk)
    try:
        fleet_services.timeoff_decide(time_off=row, approve=request.POST.get("decision") == "approve",
                                      by=request.user, note=request.POST.get("note", "")[:300])
    except DomainError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, _("Time off for %(d)s decided.") % {"d": row.driver.full_name})
    return redirect(_week_url("routes:roster", row.first_day))


@require_POST
@permission_required("routes.dispatch")
def roster_swap_decide(request, pk):
    swap = _found(roster.partner_swap_get, user=request.user, swap_id=pk)
    try:
        fleet_services.swap_decide(swap=swap, approve=request.POST.get("decision") == "approve", by=request.user,
                                   note=request.POST.get("note", "")[:300])
    except DomainError as exc:
        messages.error(request, _("Swap not approved: %(why)s") % {"why": exc.detail})
    else:
        messages.success(request, _("Swap decided."))
    return redirect(_week_url("routes:roster", swap.shift.day))


def _own_driver(request, driver_id) -> Driver:
    from fleet.selectors import partner_driver_get

    return _found(partner_driver_get, user=request.user, driver_id=driver_id)


@require_POST
@permission_required("routes.dispatch")
def roster_availability(request, driver_id):
    driver = _own_driver(request, driver_id)
    days = {int(w) for w in request.POST.getlist("weekday") if w.isdigit() and int(w) <= 6}
    fleet_services.availability_set_pattern(driver=driver, available_weekdays=days)
    messages.success(request, _("%(d)s's usual week saved.") % {"d": driver.full_name})
    return redirect("routes:roster")


@require_POST
@permission_required("routes.dispatch")
def roster_availability_exception(request, driver_id):
    driver = _own_driver(request, driver_id)
    form = ExceptionForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
        return redirect("routes:roster")
    try:
        row = fleet_services.availability_exception_set(
            driver=driver, day=form.cleaned_data["date"], available=form.cleaned_data["available"],
            note=form.cleaned_data["note"], today=service_today(selectors.partner_station(partner=driver.partner)))
    except DomainError as exc:
        messages.error(request, exc.detail)
        return redirect("routes:roster")
    messages.success(request, _("%(d)s on %(day)s saved.") % {"d": driver.full_name, "day": row.date})
    return redirect(_week_url("routes:roster", row.date))


# -- the driver's own week (phone) -------------------------------------------------------------------

def _me(request) -> Driver:
    driver = roster.driver_for_user(user=request.user)
    if driver is None:
        raise Http404
    return driver


def _my_context(request, driver, *, timeoff_form=None):
    station = selectors.partner_station(partner=driver.partner)
    today = service_today(station)
    day = page_day(request, default=today) or today
    days, shifts = roster.my_week(driver=driver, day=day)
    colleagues = list(Driver.objects.filter(partner_id=driver.partner_id, status=Driver.Status.ACTIVE)
                      .exclude(pk=driver.pk))
    rule = driver_rule(driver, station.state if station else "")
    open_swaps = {s.shift_id: s for s in driver.swaps_asked.filter(status="requested").select_related("to_driver")}
    return {"driver": driver, "station": station, "today": today, "days": days, "shifts": shifts, "rule": rule,
            "rule_hours": {k: f"{getattr(rule, k) / 60:g}" for k in ("max_day_minutes", "max_week_minutes",
                                                                     "min_rest_minutes", "break_after_minutes")}
            if rule else {},
            "hours": sum(s.worked_minutes for s in shifts.values()) / 60,
            "prev": days[0] - timedelta(days=7), "next": days[0] + timedelta(days=7),
            "timeoff_form": timeoff_form or TimeOffForm(), "colleagues": colleagues,
            "swap_form": SwapForm(colleagues=colleagues), "open_swaps": open_swaps,
            "requests": driver.time_off.order_by("-first_day")[:10],
            "week_rows": [(d, shifts.get(d), open_swaps.get(shifts[d].pk) if d in shifts else None) for d in days]}


@permission_required("routes.drive")
def my_week(request):
    return render(request, "routes/my_week.html", _my_context(request, _me(request)))


@require_POST
@permission_required("routes.drive")
def my_timeoff_request(request):
    driver = _me(request)
    form = TimeOffForm(request.POST)
    if form.is_valid():
        station = selectors.partner_station(partner=driver.partner)
        try:
            row = fleet_services.timeoff_request(driver=driver, by=request.user, today=service_today(station),
                                                 **form.cleaned_data)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Time off asked for %(a)s–%(b)s; your dispatcher will decide.")
                             % {"a": row.first_day, "b": row.last_day})
            return redirect("routes:my_week")
    return render(request, "routes/my_week.html", _my_context(request, driver, timeoff_form=form), status=400)


@require_POST
@permission_required("routes.drive")
def my_timeoff_cancel(request, pk):
    driver = _me(request)
    row = TimeOff.objects.filter(driver=driver, pk=pk).first()
    if row is None:
        raise Http404
    try:
        fleet_services.timeoff_cancel(time_off=row, by=request.user)
    except DomainError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, _("Request withdrawn."))
    return redirect("routes:my_week")


@require_POST
@permission_required("routes.drive")
def my_shift_swap(request, pk):
    driver = _me(request)
    shift = Shift.objects.filter(driver=driver, pk=pk).first()
    if shift is None:
        raise Http404
    colleagues = Driver.objects.filter(partner_id=driver.partner_id, status=Driver.Status.ACTIVE).exclude(pk=driver.pk)
    form = SwapForm(request.POST, colleagues=colleagues)
    if not form.is_valid():
        messages.error(request, _("Choose a colleague to take the shift."))
        return redirect(_week_url("routes:my_week", shift.day))
    station = selectors.partner_station(partner=driver.partner)
    try:
        fleet_services.swap_request(shift=shift, to_driver=colleagues.filter(pk=form.cleaned_data["to_driver"]).first(),
                                    note=form.cleaned_data["note"], by=request.user, today=service_today(station))
    except DomainError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, _("Swap asked; your dispatcher will decide."))
    return redirect(_week_url("routes:my_week", shift.day))
