"""The vans partners committed to a station on a day: the capacity calendar meets the fleet registry.

`fleet.selectors.vehicles_assignable` answers for one partner; a station has many partners, so the
same rule (active vans, compliant, in a compliant company) is applied here for all of them at once
through `fleet_compliance_many` (a fixed number of queries).
"""

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Q

from fleet.models import Vehicle
from fleet.selectors import fleet_compliance_many
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


def assignable_vans_many(*, partner_ids, on_date: date) -> dict[int, list[Vehicle]]:
    reports = fleet_compliance_many(partner_ids=partner_ids, on_date=on_date)
    ok = [pid for pid, report in reports.items() if not report.company]
    bad = {vid for pid in ok for vid in reports[pid].vehicles}
    vans: dict[int, list[Vehicle]] = {pid: [] for pid in partner_ids}
    for van in (Vehicle.objects.filter(partner_id__in=ok, status=Vehicle.Status.ACTIVE)
                .order_by("-package_capacity", "plate", "pk")):
        if van.pk not in bad:
            vans[van.partner_id].append(van)
    return vans


def fleet_for_day(*, station: Station, service_date: date) -> list[PartnerDay]:
    """Each committing partner with as many of its assignable vans as it committed routes."""
    committed = commitments(station=station, service_date=service_date)
    vans = assignable_vans_many(partner_ids=list(committed), on_date=service_date)
    days = []
    for pid in sorted(committed):
        caps = [v.package_capacity for v in vans.get(pid, [])][: committed[pid]]
        if caps:
            days.append(PartnerDay(partner_id=pid, committed=committed[pid], capacities=caps))
    return days
