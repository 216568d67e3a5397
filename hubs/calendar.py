"""Which service days the hub program is closed.

Closed: the six major US federal holidays on their actual date (New Year's Day, Memorial Day,
Independence Day, Labor Day, Thanksgiving, Christmas), from the `holidays` package; the weekday
"(observed)" shifts are office-closure conventions and do not close hubs, which deliver seven
days a week. An admin's program calendar (`CalendarDay`) adds extra closed days or reopens a
holiday.
"""

from datetime import date

import holidays

from hubs.models import CalendarDay

MAJOR_HOLIDAYS = frozenset({
    "New Year's Day", "Memorial Day", "Independence Day", "Labor Day", "Thanksgiving Day", "Christmas Day",
})


def major_holidays(years) -> dict[date, str]:
    return {day: name for day, name in holidays.US(years=years, observed=False).items() if name in MAJOR_HOLIDAYS}


def closed_days(start: date, end: date) -> dict[date, str]:
    """Closed days between start and end (inclusive) with their names: one query."""
    days = {d: n for d, n in major_holidays(range(start.year, end.year + 1)).items() if start <= d <= end}
    for row in CalendarDay.objects.filter(date__range=(start, end)):
        if row.kind == CalendarDay.Kind.OPEN:
            days.pop(row.date, None)
        else:
            days[row.date] = row.note or "Program closed"
    return days


def closed_reason(day: date) -> str | None:
    return closed_days(day, day).get(day)
