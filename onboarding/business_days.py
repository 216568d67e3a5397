"""Business days (Monday to Friday, less US federal holidays) for the review SLA."""

from datetime import date, timedelta
from functools import lru_cache

import holidays


@lru_cache(maxsize=16)
def _us_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.US(years=year).keys())


def is_business_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _us_holidays(day.year)


def business_days_between(start: date, end: date) -> int:
    """Business days after `start` up to and including `end` (0 when end <= start)."""
    if end <= start:
        return 0
    count, day = 0, start
    while day < end:
        day += timedelta(days=1)
        if is_business_day(day):
            count += 1
    return count


def business_days_before(end: date, n: int) -> date:
    """The latest date `d` with `business_days_between(d, end) >= n`."""
    day, counted = end, 0
    while counted < n:
        if is_business_day(day):
            counted += 1
        day -= timedelta(days=1)
    return day
