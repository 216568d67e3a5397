"""Weekly statements: what each hub delivered, attempted and returned, and what it earned.

A week runs Monday to Sunday over service dates. Computing is idempotent: a statement not yet paid
is recomputed from the parcels; a paid one is never touched again.
"""

from collections import defaultdict
from datetime import date, timedelta

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from core.money import money
from hubs.models import HubSettings, Parcel, ParcelStatus, Statement, StatementStatus

COUNTED = [ParcelStatus.DELIVERED, ParcelStatus.ATTEMPTED, ParcelStatus.RETURNED]


def week_start_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _earned(counts: dict, program: HubSettings):
    return money(counts.get(ParcelStatus.DELIVERED, 0) * program.delivered_rate
                 + counts.get(ParcelStatus.ATTEMPTED, 0) * program.attempted_rate
                 + counts.get(ParcelStatus.RETURNED, 0) * program.returned_rate)


def week_figures(per_day: dict, week_start: date, program: HubSettings) -> dict:
    """A week's counts and earnings per day and in all, from `{day: {status: n}}`, at the program's rates."""
    days, totals = [], defaultdict(int)
    for offset in range(7):
        day = week_start + timedelta(days=offset)
        counts = per_day.get(day, {})
        for status in COUNTED:
            totals[status] += counts.get(status, 0)
        days.append({"date": day.isoformat(), "delivered": counts.get(ParcelStatus.DELIVERED, 0),
                     "attempted": counts.get(ParcelStatus.ATTEMPTED, 0),
                     "returned": counts.get(ParcelStatus.RETURNED, 0), "earnings": str(_earned(counts, program))})
    return {"delivered": totals[ParcelStatus.DELIVERED], "attempted": totals[ParcelStatus.ATTEMPTED],
            "returned": totals[ParcelStatus.RETURNED], "earnings": _earned(totals, program), "days": days,
            "delivered_rate": program.delivered_rate, "attempted_rate": program.attempted_rate,
            "returned_rate": program.returned_rate}


FIELDS = ["delivered", "attempted", "returned", "earnings", "days", "delivered_rate", "attempted_rate",
          "returned_rate", "computed_at", "week_end"]


def statements_compute(*, week_start: date, hub_ids=None) -> list[Statement]:
    """Compute (or recompute) every hub's statement for the week starting `week_start` (a Monday)."""
    week_start = week_start_of(week_start)
    week_end = week_start + timedelta(days=6)
    program = HubSettings.load()
    rows = Parcel.objects.filter(service_date__range=(week_start, week_end), status__in=COUNTED)
    if hub_ids is not None:
        rows = rows.filter(hub_id__in=hub_ids)
    per_hub: dict = defaultdict(lambda: defaultdict(dict))
    grouped = rows.values_list("hub_id", "service_date", "status").annotate(n=Count("id")).order_by()
    for hub_id, day, status, n in grouped:
        per_hub[hub_id][day][status] = n
    now = timezone.now()
    with transaction.atomic():
        existing = {s.hub_id: s for s in Statement.objects.select_for_update().filter(
            week_start=week_start, hub_id__in=list(per_hub))}
        created, updated = [], []
        for hub_id, per_day in per_hub.items():
            figures = week_figures(per_day, week_start, program)
            statement = existing.get(hub_id)
            if statement is None:
                created.append(Statement(hub_id=hub_id, week_start=week_start, week_end=week_end, computed_at=now,
                                         **figures))
            elif statement.status != StatementStatus.PAID:
                for name, value in figures.items():
                    setattr(statement, name, value)
                statement.computed_at = now
                updated.append(statement)
        Statement.objects.bulk_create(created)
        if updated:
            Statement.objects.bulk_update(updated, FIELDS)
    return created + updated
