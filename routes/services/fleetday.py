"""The vans partners committed to a station on a day: the capacity calendar meets the fleet registry.

Which vans are assignable is fleet's rule, asked here for all of a station's partners at once through
`fleet.selectors.vehicles_assignable_many` (a fixed number of queries).
"""

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Q

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
    """{partner id: routes committed}: a date's own entry wins over the weekday default."""
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
