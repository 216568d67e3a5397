"""Hours rules: the one answer to "may this driver work this shift?", asked by the roster and the assignment.

Each refusal is a `ValidationFailed` whose code and sentence name the rule broken (and the state whose rule
it is), so the roster page, the API and the dispatch page say the same thing."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Q
from django.utils.translation import gettext as _

from core.errors import ValidationFailed
from core.servicedays import service_week
from fleet.models import Availability, Driver, HoursRule, Shift, TimeOff


def _hm(minutes: int) -> str:
    h, m = divmod(int(minutes), 60)
    return f"{h} h {m:02d}" if m else f"{h} h"


def rule_state(partner) -> str:
    """Where a partner's drivers work: its region's state, else the state it was formed in."""
    region = getattr(partner, "region", None)
    return region.state if region is not None else (partner.state_of_formation or "")


def hours_rule_for(*, state: str = "") -> HoursRule | None:
    """The state's own rule, else the program default; None when the program has no rule at all."""
    rules = {r.state: r for r in HoursRule.objects.filter(state__in={state or "", ""})}
    return rules.get(state or "") or rules.get("")


def driver_rule(driver: Driver, state: str = "") -> HoursRule | None:
    """The rule a driver works under: the state of the station they work from, else their partner's region's."""
    return hours_rule_for(state=state or rule_state(driver.partner))


def break_needed(rule: HoursRule | None, minutes: int) -> int:
    """The break (minutes) a piece of work of `minutes` must keep inside it under `rule`."""
    if rule is None or minutes <= rule.break_after_minutes:
        return 0
    return rule.break_minutes


@dataclass(frozen=True)
class Work:
    """A proposed shift: a local day, start time, length and the break inside it (minutes)."""

    day: date
    starts_at: time
    minutes: int
    break_minutes: int = 0

    @property
    def start(self) -> datetime:
        return datetime.combine(self.day, self.starts_at)

    @property
    def end(self) -> datetime:
        return self.start + timedelta(minutes=self.minutes)

    @property
    def worked(self) -> int:
        return self.minutes - self.break_minutes


def _refuse(code: str, detail: str, field: str = "day"):
    raise ValidationFailed(detail, code=code, fields={field: [detail]})


def _check_presence(driver: Driver, day: date) -> None:
    if TimeOff.objects.filter(driver=driver, status=TimeOff.Status.APPROVED, first_day__lte=day,
                              last_day__gte=day).exists():
        _refuse("time_off", _("%(d)s has approved time off on %(day)s.") % {"d": driver.full_name, "day": day})
    rows = {(a.date, a.weekday): a.available for a in Availability.objects.filter(driver=driver).filter(
        Q(date=day) | Q(weekday=day.weekday()))}
    available = rows.get((day, None), rows.get((None, day.weekday()), True))
    if not available:
        _refuse("unavailable", _("%(d)s is not available on %(day)s (their availability says so).")
                % {"d": driver.full_name, "day": day})


def _check_rule(driver: Driver, work: Work, rule: HoursRule, others: list[Shift]) -> None:
    where = rule.label
    if work.break_minutes < break_needed(rule, work.minutes):
        _refuse("hours_rule_break", _("Break rule (%(w)s): work longer than %(a)s needs a %(b)s-minute break "
                                      "inside it.") % {"w": where, "a": _hm(rule.break_after_minutes),
                                                       "b": rule.break_minutes}, "break_minutes")
    if work.worked > rule.max_day_minutes:
        _refuse("hours_rule_day", _("Daily hours rule (%(w)s): at most %(m)s of work a day; this is %(n)s.")
                % {"w": where, "m": _hm(rule.max_day_minutes), "n": _hm(work.worked)}, "minutes")
    first, last = service_week(day=work.day)
    week = sum(s.worked_minutes for s in others if first <= s.day <= last) + work.worked
    if week > rule.max_week_minutes:
        _refuse("hours_rule_week", _("Weekly hours rule (%(w)s): at most %(m)s of work from Sunday to Saturday; "
                                     "%(d)s would have %(n)s.") % {"w": where, "m": _hm(rule.max_week_minutes),
                                                                   "d": driver.full_name, "n": _hm(week)}, "minutes")
    rest = timedelta(minutes=rule.min_rest_minutes)
    for other in others:
        gap = work.start - other.end if other.start < work.start else other.start - work.end
        if gap < rest:
            _refuse("hours_rule_rest", _("Rest rule (%(w)s): at least %(m)s off between shifts; %(d)s has only "
                                         "%(n)s next to the shift on %(o)s.")
                    % {"w": where, "m": _hm(rule.min_rest_minutes), "d": driver.full_name,
                       "n": _hm(max(0, gap.total_seconds() // 60)), "o": other.day}, "starts_at")


def driver_may_work(*, driver: Driver, work: Work, state: str = "", ignore_shift_id: int | None = None,
                    replaces_day: bool = False) -> None:
    """Raise `ValidationFailed` naming the rule if `driver` may not do `work`; return None if they may.

    `ignore_shift_id`: the shift being changed or handed over (not counted against itself); `replaces_day`:
    the work stands for the driver's shift that day (a route assigned on a rostered day), so that shift is not
    counted twice. `state`: where the work is (the station's state), whose rule applies."""
    _check_presence(driver, work.day)
    rule = driver_rule(driver, state)
    if rule is None:
        return
    first, last = service_week(day=work.day)
    others = Shift.objects.filter(driver=driver, day__gte=min(first, work.day - timedelta(days=1)),
                                  day__lte=max(last, work.day + timedelta(days=1)))
    if ignore_shift_id is not None:
        others = others.exclude(pk=ignore_shift_id)
    if replaces_day:
        others = others.exclude(day=work.day)
    _check_rule(driver, work, rule, list(others))
