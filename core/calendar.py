"""The program calendar: US holidays from the `holidays` package, overridden by the admin's `CalendarDay` rows.

Two rules read it, and they differ on purpose (each keeps what its callers had):

- The hub program's closed days (`closed_days`, `closed_reason`): hubs deliver seven days a week and
  close on the six major federal holidays on their actual date; the weekday "(observed)" shifts are
  office-closure conventions and do not close a hub.
- Business days (`is_business_day`, `business_days_between`, `business_days_before`: the review SLA):
  Monday to Friday, less every US federal holiday on the weekday it is observed, as an office keeps them.

The admin calendar wins over the package in both: an extra closed day closes hubs and is not a business
day; a holiday the admin removed ("open") opens hubs and, on a weekday, counts as a business day.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache

import holidays

from core.models import CalendarDay

MAJOR_HOLIDAYS = frozenset({
    "New Year's Day", "Memorial Day", "Independence Day", "Labor Day", "Thanksgiving Day", "Christmas Day",
})


def major_holidays(years) -> dict[date, str]:
    """The six major US federal holidays on their actual dates (no observed shift)."""
    return {day: name for day, name in holidays.US(years=years, observed=False).items() if name in MAJOR_HOLIDAYS}


@lru_cache(maxsize=16)
def _federal_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.US(years=year).keys())


@dataclass(frozen=True)
class Overrides:
    """The admin calendar between `start` and `end` (inclusive): one query, then asked per day."""

    start: date
    end: date
    closed: dict[date, str] = field(default_factory=dict)
    opened: frozenset[date] = frozenset()

    def covers(self, day: date) -> bool:
        return self.start <= day <= self.end


def overrides(start: date, end: date) -> Overrides:
    closed, opened = {}, set()
    for row in CalendarDay.objects.filter(date__range=(start, end)):
        if row.kind == CalendarDay.Kind.OPEN:
            opened.add(row.date)
        else:
            closed[row.date] = row.note or "Program closed"
    return Overrides(start, end, closed, frozenset(opened))


# --- The hub program's closed days ---------------------------------------------------------------

def closed_days(start: date, end: date) -> dict[date, str]:
    """Days the hub program is closed between start and end (inclusive), with their names: one query."""
    admin = overrides(start, end)
    days = {d: n for d, n in major_holidays(range(start.year, end.year + 1)).items()
            if start <= d <= end and d not in admin.opened}
    days.update(admin.closed)
    return days


def closed_reason(day: date) -> str | None:
    return closed_days(day, day).get(day)


# --- Business days (the review SLA) --------------------------------------------------------------

def is_business_day(day: date, admin: Overrides | None = None) -> bool:
    admin = admin if admin is not None and admin.covers(day) else overrides(day, day)
    if day in admin.closed:
        return False
    return day.weekday() < 5 and (day in admin.opened or day not in _federal_holidays(day.year))


def business_days_between(start: date, end: date, admin: Overrides | None = None) -> int:
    """Business days after `start` up to and including `end` (0 when end <= start).

    `admin`: the admin calendar already loaded for a range (a page counting many rows loads it once).
    """
    if end <= start:
        return 0
    if admin is None or not (admin.covers(start) and admin.covers(end)):
        admin = overrides(start, end)
    count, day = 0, start
    while day < end:
        day += timedelta(days=1)
        if is_business_day(day, admin):
            count += 1
    return count


def business_days_before(end: date, n: int) -> date:
    """The latest date `d` with `business_days_between(d, end) >= n`."""
    admin = overrides(end - timedelta(days=2 * n + 31), end)  # n business days lie well inside this window
    day, counted = end, 0
    while counted < n:
        if not admin.covers(day):
            admin = overrides(day - timedelta(days=2 * n + 31), admin.end)
        if is_business_day(day, admin):
            counted += 1
        day -= timedelta(days=1)
    return day
