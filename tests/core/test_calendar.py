"""One program calendar (core.calendar): the `holidays` package's US holidays under the admin's CalendarDay rows,
read by the hub program's closed days and by the review SLA's business days."""

from datetime import date

import pytest

from core.calendar import business_days_before, business_days_between, closed_days, closed_reason, is_business_day
from core.models import CalendarDay

pytestmark = pytest.mark.django_db


def test_hubs_close_on_the_six_major_holidays_on_their_actual_date_only():
    days = closed_days(date(2026, 1, 1), date(2026, 12, 31))
    assert sorted(days.values()) == sorted(["New Year's Day", "Memorial Day", "Independence Day", "Labor Day",
                                            "Thanksgiving Day", "Christmas Day"])
    assert closed_reason(date(2026, 7, 4)) == "Independence Day"  # a Saturday: hubs close that day...
    assert closed_reason(date(2026, 7, 3)) is None                 # ...not on the observed Friday
    assert closed_reason(date(2026, 1, 19)) is None                # MLK Day is not one of the six


def test_business_days_skip_weekends_and_every_federal_holiday_as_observed():
    assert not is_business_day(date(2026, 7, 3))   # Independence Day observed (Friday)
    assert not is_business_day(date(2026, 1, 19))  # MLK Day
    assert is_business_day(date(2026, 1, 20))
    assert business_days_between(date(2026, 7, 2), date(2026, 7, 6)) == 1


def test_an_admin_closed_day_closes_hubs_and_is_no_business_day():
    CalendarDay.objects.create(date=date(2026, 12, 24), kind=CalendarDay.Kind.CLOSED, note="Christmas Eve")
    assert closed_reason(date(2026, 12, 24)) == "Christmas Eve"
    assert not is_business_day(date(2026, 12, 24))
    assert business_days_between(date(2026, 12, 22), date(2026, 12, 28)) == 2  # Wed 23, Mon 28
    assert business_days_before(date(2026, 12, 28), 2) == date(2026, 12, 22)


def test_a_holiday_the_admin_removed_opens_hubs_and_counts_as_a_business_day():
    CalendarDay.objects.create(date=date(2026, 11, 26), kind=CalendarDay.Kind.OPEN)
    CalendarDay.objects.create(date=date(2026, 1, 19), kind=CalendarDay.Kind.OPEN)
    assert closed_reason(date(2026, 11, 26)) is None
    assert is_business_day(date(2026, 11, 26)) and is_business_day(date(2026, 1, 19))
    assert business_days_between(date(2026, 1, 16), date(2026, 1, 20)) == 2
