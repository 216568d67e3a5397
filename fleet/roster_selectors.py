"""Roster reads, scoped to the partner who asks (another partner's id is the same 404 as a missing one), and
the counts the routes app reads for capacity commitments."""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Count, Q, QuerySet

from core.errors import NotFound
from core.servicedays import service_week
from fleet.models import Availability, Driver, Shift, ShiftSwap, TimeOff
from onboarding.selectors import partner_for_user


def _get(qs, object_id):
    obj = qs.filter(pk=object_id).first() if str(object_id).isdigit() else None
    if obj is None:
        raise NotFound()
    return obj


def _partner(user):
    partner = partner_for_user(user=user)
    if partner is None:
        raise NotFound()
    return partner


def driver_for_user(*, user) -> Driver | None:
    """The driver row of a driver's own login (None for anyone else)."""
    if not getattr(user, "is_authenticated", False):
        return None
    return Driver.objects.select_related("partner", "partner__region").filter(user=user).first()


def shifts_for_partner(*, partner, first: date, last: date) -> QuerySet[Shift]:
    return Shift.objects.filter(partner=partner, day__range=(first, last)).select_related("driver")


def partner_shift_get(*, user, shift_id) -> Shift:
    return _get(Shift.objects.select_related("driver", "partner").filter(partner=_partner(user)), shift_id)


def partner_timeoff_get(*, user, time_off_id) -> TimeOff:
    return _get(TimeOff.objects.select_related("driver").filter(partner=_partner(user)), time_off_id)


def partner_swap_get(*, user, swap_id) -> ShiftSwap:
    return _get(ShiftSwap.objects.select_related("shift", "from_driver", "to_driver").filter(partner=_partner(user)),
                swap_id)


def partner_availability_get(*, user, availability_id) -> Availability:
    return _get(Availability.objects.select_related("driver").filter(driver__partner=_partner(user)),
                availability_id)


def timeoff_for_partner(*, partner) -> QuerySet[TimeOff]:
    return TimeOff.objects.filter(partner=partner).select_related("driver").order_by("-first_day", "-pk")


def swaps_for_partner(*, partner) -> QuerySet[ShiftSwap]:
    return (ShiftSwap.objects.filter(partner=partner).select_related("shift", "from_driver", "to_driver")
            .order_by("-created_at", "-pk"))


def availability_for_partner(*, partner) -> QuerySet[Availability]:
    return Availability.objects.filter(driver__partner=partner).select_related("driver").order_by(
        "driver__last_name", "driver_id", "date", "weekday")


@dataclass
class RosterWeek:
    """A partner's week: its days, drivers, who works when, who is off, and what the driver is waiting on."""

    days: list[date]
    drivers: list[Driver]
    cells: dict[tuple[int, date], Shift] = field(default_factory=dict)
    off: set = field(default_factory=set)  # (driver id, day) on approved time off
    unavailable: set = field(default_factory=set)  # (driver id, day) the availability rules out
    per_day: Counter = field(default_factory=Counter)

    def rows(self):
        for d in self.drivers:
            yield d, [(day, self.cells.get((d.pk, day)), (d.pk, day) in self.off, (d.pk, day) in self.unavailable)
                      for day in self.days]


def roster_week(*, partner, day: date) -> RosterWeek:
    """The Sunday–Saturday week holding `day`, in a fixed number of queries."""
    first, last = service_week(day=day)
    days = [first + timedelta(days=n) for n in range(7)]
    drivers = list(Driver.objects.filter(partner=partner, status__in=[Driver.Status.ACTIVE, Driver.Status.ONBOARDING])
                   .order_by("last_name", "first_name", "pk"))
    week = RosterWeek(days=days, drivers=drivers)
    for s in shifts_for_partner(partner=partner, first=first, last=last):
        week.cells[(s.driver_id, s.day)] = s
        week.per_day[s.day] += 1
    for t in TimeOff.objects.filter(partner=partner, status=TimeOff.Status.APPROVED, first_day__lte=last,
                                    last_day__gte=first):
        week.off |= {(t.driver_id, d) for d in days if t.covers(d)}
    pattern, exceptions = {}, {}
    for a in Availability.objects.filter(driver__partner=partner).filter(Q(weekday__isnull=False)
                                                                         | Q(date__range=(first, last))):
        if a.date is None:
            pattern[(a.driver_id, a.weekday)] = a.available
        else:
            exceptions[(a.driver_id, a.date)] = a.available
    for d in drivers:
        for day in days:
            if not exceptions.get((d.pk, day), pattern.get((d.pk, day.weekday()), True)):
                week.unavailable.add((d.pk, day))
    return week


def rostered_counts(*, station_id: int, day: date, partner_ids=None) -> dict[int, int]:
    """{partner id: drivers rostered at the station that day} (active drivers only): the commitment."""
    qs = Shift.objects.filter(station_id=station_id, day=day, driver__status=Driver.Status.ACTIVE)
    if partner_ids is not None:
        qs = qs.filter(partner_id__in=list(partner_ids))
    return dict(qs.values_list("partner_id").annotate(n=Count("pk")).values_list("partner_id", "n"))


def rostered_driver_ids(*, partner, day: date) -> list[int]:
    return list(Shift.objects.filter(partner=partner, day=day).values_list("driver_id", flat=True))


def partners_with_roster(*, station_id: int, first: date, last: date) -> set[int]:
    """Partners who roster that station in the week: for them the roster, not the typed number, is the commitment."""
    return set(Shift.objects.filter(station_id=station_id, day__range=(first, last))
               .values_list("partner_id", flat=True).distinct())


def my_week(*, driver: Driver, day: date) -> tuple[list[date], dict[date, Shift]]:
    first, last = service_week(day=day)
    shifts = {s.day: s for s in Shift.objects.filter(driver=driver, day__range=(first, last))}
    return [first + timedelta(days=n) for n in range(7)], shifts
