"""The vans partners committed to a station on a day: the capacity calendar meets the fleet registry.

Which vans are assignable is fleet's rule, asked here for all of a station's partners at once through
`fleet.selectors.vehicles_assignable_many` (a fixed number of queries).
"""

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Q

from core.servicedays import service_week
from fleet.roster_selectors import partners_with_roster, rostered_counts
from fleet.selectors import vehicles_assignable_many
from onboarding.models import Partner
from routes.models import PartnerCapacity, Station

ROUTABLE_PARTNERS = [Partner.Status.ACTIVE, Partner.Status.ONBOARDING]


@dataclass
class PartnerDay:
    partner_id: int
    committed: int
    capacities: list[int] = field(default_factory=list)  # the vans the plan may count on, largest first


def commitments(*, station: Station, service_date: date) -> dict[int, int]:
    """{partner id: routes committed}. A partner who rosters drivers at the station that week commits what
    its roster holds that day (one route per rostered driver; `fleet_for_day` then gives each a van); one
    who does not yet roster keeps the number it typed (a date's own entry wins over the weekday default)."""
    first, last = service_week(day=service_date)
    rostering = set(Partner.objects.filter(
        pk__in=partners_with_roster(station_id=station.pk, first=first, last=last),
        status__in=ROUTABLE_PARTNERS).values_list("pk", flat=True))
    typed = {pid: n for pid, n in typed_commitments(station=station, service_date=service_date).items()
             if pid not in rostering}
    rostered = rostered_counts(station_id=station.pk, day=service_date, partner_ids=rostering)
    return {pid: n for pid, n in {**typed, **rostered}.items() if n > 0}


def typed_commitments(*, station: Station, service_date: date) -> dict[int, int]:
    """{partner id: routes committed} as typed (PartnerCapacity): a date's entry wins over the weekday's."""
    rows = (PartnerCapacity.objects.filter(station=station, partner__status__in=ROUTABLE_PARTNERS)
            .filter(Q(date=service_date) | Q(weekday=service_date.weekday()))
            .values_list("partner_id", "date", "routes"))
    by_date, by_weekday = {}, {}
    for partner_id, day, routes in rows:
        (by_date if day else by_weekday)[partner_id] = routes
    merged = {**by_weekday, **by_date}
    return {pid: n for pid, n in merged.items() if n > 0}


def fleet_for_day(*, station: Station, service_date: date) -> list[PartnerDay]:
    """Each committing partner with as many of its assignable vans as it committed routes."""
    committed = commitments(station=station, service_date=service_date)
    vans = vehicles_assignable_many(partner_ids=list(committed), on_date=service_date)
    days = []
    for pid in sorted(committed):
        caps = [v.package_capacity for v in vans.get(pid, [])][: committed[pid]]
        if caps:
            days.append(PartnerDay(partner_id=pid, committed=committed[pid], capacities=caps))
    return days


@dataclass
class RosterDay:
    day: date
    offered: int  # routes dealt to the partner that day
    rostered: int  # its drivers rostered at the station
    vans: int  # its vans that may go out that day

    @property
    def committed(self) -> int:
        return min(self.rostered, self.vans)

    @property
    def variance(self) -> int:
        """Routes offered beyond (positive) or short of (negative) what the roster can drive."""
        return self.offered - self.committed


def roster_variance(*, partner, station: Station | None, days: list[date]) -> list[RosterDay]:
    """Routes offered against routes rostered, per day of a week (a fixed number of queries per day)."""
    from fleet.selectors import vehicles_assignable
    from routes.models import Route

    offered = dict(Route.objects.filter(partner=partner, service_date__range=(days[0], days[-1]))
                   .values_list("service_date").annotate(n=Count("pk")).values_list("service_date", "n"))
    out = []
    for day in days:
        rostered = (rostered_counts(station_id=station.pk, day=day, partner_ids=[partner.pk]).get(partner.pk, 0)
                    if station is not None else 0)
        out.append(RosterDay(day=day, offered=offered.get(day, 0), rostered=rostered,
                             vans=vehicles_assignable(partner=partner, on_date=day).count()))
    return out
