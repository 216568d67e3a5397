"""Read queries shared by views, API, tasks and the routing side, scoped by who asks."""

import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Count, DecimalField, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from core.calendar import closed_reason
from core.compiled import PROBE_ID, compiled_query
from core.errors import NotFound
from core.scopes import scope_subquery
from core.servicedays import local_day_filter, service_today
from hubs.models import Hub, HubStatus, Parcel, ParcelStatus, Statement

MILES_PER_DEGREE = 69.0
EARTH_RADIUS_MILES = 3958.8


# --- the hub owner's own things (tenancy: another hub's ids are 404) ---------------------------

def _owned(user_id) -> QuerySet[Hub]:
    return Hub.objects.filter(owner_id=user_id).order_by("-created_at", "-id")


def hub_for_owner(*, user) -> Hub | None:
    """The owner's current hub (the most recent enrollment). Every hub API request asks it: its SQL is compiled
    once (core.compiled)."""
    if not user.is_authenticated:
        return None
    return next(iter(_owned_hub(user.pk)), None)


_owned_hub = compiled_query(lambda user_id: _owned(user_id)[:1], PROBE_ID)


_hub_scope = scope_subquery(lambda user_id: _owned(user_id).values("pk")[:1])


def hub_scope(*, user):
    """The id of the hub `hub_for_owner` finds, as a subquery a list filters by in its own statement (no query of
    its own); someone who owns no hub matches nothing."""
    return _hub_scope(user.pk if user.is_authenticated else None)


def hub_scope_of(user_id):
    """`hub_scope` for a user id (a compiled list's probe)."""
    return _hub_scope(user_id)


def hub_owner_ids(*, user_ids, object_ids) -> set[int]:
    """Of `user_ids`, those who own any of the hubs `object_ids` (core.audience tenancy)."""
    return set(Hub.objects.filter(owner_id__in=user_ids, pk__in=object_ids).values_list("owner_id", flat=True))


def hub_get_for_owner(*, user) -> Hub:
    hub = hub_for_owner(user=user)
    if hub is None:
        raise NotFound()
    return hub


def parcels_for_day(*, hub, service_date: date) -> QuerySet[Parcel]:
    """A hub's parcels of a day; `hub` is a Hub or `hub_scope(user=...)`."""
    return Parcel.objects.filter(hub=hub, service_date=service_date).order_by("status", "tracking_id")


def parcel_get_for_owner(*, user, parcel_id) -> Parcel:
    parcel = Parcel.objects.select_related("hub").filter(pk=parcel_id, hub__owner=user).first()
    if parcel is None:
        raise NotFound()
    return parcel


def parcel_get_for_viewer(*, user, parcel_id) -> Parcel:
    """Owners see their hub's parcels; program admins see all."""
    from accounts.permissions import user_has_perm

    if user_has_perm(user, "hubs.review"):
        parcel = Parcel.objects.select_related("hub").filter(pk=parcel_id).first()
        if parcel is None:
            raise NotFound()
        return parcel
    return parcel_get_for_owner(user=user, parcel_id=parcel_id)


def day_summary(parcels) -> dict:
    counts = {s: 0 for s in ParcelStatus.values}
    for p in parcels:
        counts[p.status] += 1
    return counts


def hub_week_so_far(*, hub: Hub, now=None) -> dict:
    """This week (Monday to Sunday in the hub's own days) up to today, priced as its statement will be."""
    from hubs.models import HubSettings
    from hubs.services.statements import COUNTED, week_figures, week_start_of

    today = service_today(hub, now=now)
    start = week_start_of(today)
    per_day: dict = defaultdict(dict)
    rows = (Parcel.objects.filter(hub=hub, service_date__range=(start, today), status__in=COUNTED)
            .values_list("service_date", "status").annotate(n=Count("id")).order_by())
    for day, status, n in rows:
        per_day[day][status] = n
    figures = week_figures(per_day, start, HubSettings.load())
    figures["days"] = [{**d, "day": date.fromisoformat(d["date"])} for d in figures["days"]
                       if d["date"] <= today.isoformat()]
    return {**figures, "week_start": start, "today": today}


def statements_for_hub(*, hub: Hub) -> QuerySet[Statement]:
    return Statement.objects.filter(hub=hub).order_by("-week_start")


def statement_get_for_owner(*, user, statement_id) -> Statement:
    statement = Statement.objects.select_related("hub").filter(pk=statement_id, hub__owner=user).first()
    if statement is None:
        raise NotFound()
    return statement


# --- for the routing side: which active hubs cover a point, and how much room they have ----------

@dataclass(frozen=True)
class HubCoverage:
    hub: Hub
    distance_miles: float
    capacity_left: int


def _distance_miles(lat1, lng1, lat2, lng2) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_MILES * math.asin(math.sqrt(a))


def _with_parcel_count(qs, service_date):
    taken = (Parcel.objects.filter(hub=OuterRef("pk"), service_date=service_date).order_by()
             .values("hub").annotate(n=Count("id")).values("n"))
    return qs.annotate(parcels_taken=Coalesce(Subquery(taken, output_field=IntegerField()), 0))


def hubs_active_near(*, latitude, longitude, service_date: date) -> list[HubCoverage]:
    """Active hubs whose service radius covers the point, nearest first, with room left that day.

    Two queries whatever the number of hubs (the calendar, then one bounding-box query carrying the
    day's parcel counts); the exact distance is checked in Python. Empty on a closed day."""
    if closed_reason(service_date):
        return []
    lat, lng = float(latitude), float(longitude)
    lng_scale = MILES_PER_DEGREE * max(math.cos(math.radians(lat)), 0.01)
    dec = DecimalField(max_digits=12, decimal_places=6)
    lat_span = F("radius_miles") / Value(Decimal(str(MILES_PER_DEGREE)), output_field=dec)
    lng_span = F("radius_miles") / Value(Decimal(str(round(lng_scale, 6))), output_field=dec)
    point_lat, point_lng = Value(Decimal(str(lat)), output_field=dec), Value(Decimal(str(lng)), output_field=dec)
    qs = Hub.objects.filter(status=HubStatus.ACTIVE).filter(
        latitude__gte=point_lat - lat_span, latitude__lte=point_lat + lat_span,
        longitude__gte=point_lng - lng_span, longitude__lte=point_lng + lng_span)
    out = []
    for hub in _with_parcel_count(qs, service_date):
        distance = _distance_miles(lat, lng, float(hub.latitude), float(hub.longitude))
        if distance <= float(hub.radius_miles):
            out.append(HubCoverage(hub, round(distance, 3), max(hub.capacity - hub.parcels_taken, 0)))
    return sorted(out, key=lambda c: (c.distance_miles, c.hub.pk))


def hubs_capacity_left(*, hub_ids, service_date: date) -> dict[int, int]:
    """Room left per hub id on a day, in one query (0 for a hub that is not active)."""
    rows = _with_parcel_count(Hub.objects.filter(pk__in=list(hub_ids)), service_date).values_list(
        "pk", "status", "capacity", "parcels_taken")
    return {pk: (max(cap - taken, 0) if status == HubStatus.ACTIVE else 0) for pk, status, cap, taken in rows}


def hub_capacity_left(*, hub: Hub, service_date: date) -> int:
    if closed_reason(service_date):
        return 0
    return hubs_capacity_left(hub_ids=[hub.pk], service_date=service_date).get(hub.pk, 0)


# --- admin views ---------------------------------------------------------------------------------

def hub_review_list(*, filters: dict | None = None, days: int = 28, today: date | None = None) -> QuerySet[Hub]:
    """Every hub, oldest enrollment first, with its volume, success rate and earnings."""
    filters = filters or {}
    since = (today or service_today()) - timedelta(days=days)
    qs = Hub.objects.select_related("owner")
    if filters.get("status"):
        qs = qs.filter(status=filters["status"])
    if filters.get("state"):
        qs = qs.filter(state=filters["state"].upper())
    if filters.get("kind"):
        qs = qs.filter(kind=filters["kind"])
    if filters.get("q"):
        qs = qs.filter(Q(legal_name__icontains=filters["q"]) | Q(city__icontains=filters["q"])
                       | Q(owner__email__icontains=filters["q"]))
    recent = Q(parcels__service_date__gte=since)
    earnings = (Statement.objects.filter(hub=OuterRef("pk")).order_by().values("hub")
                .annotate(total=Sum("earnings")).values("total"))
    return qs.annotate(
        volume=Count("parcels", filter=recent),
        delivered=Count("parcels", filter=recent & Q(parcels__status=ParcelStatus.DELIVERED)),
        finished=Count("parcels", filter=recent & Q(parcels__status__in=[
            ParcelStatus.DELIVERED, ParcelStatus.ATTEMPTED, ParcelStatus.RETURNED])),
        total_earnings=Coalesce(Subquery(earnings, output_field=DecimalField(max_digits=12, decimal_places=2)),
                                Value(Decimal("0.00"))),
    ).order_by("created_at", "id")


def success_rate(delivered: int, finished: int) -> float | None:
    return round(100 * delivered / finished, 1) if finished else None


def hub_get_for_admin(*, hub_id) -> Hub:
    hub = Hub.objects.select_related("owner", "decided_by").filter(pk=hub_id).first()
    if hub is None:
        raise NotFound()
    return hub


def console_figures(*, now=None) -> dict:
    """Hub figures; "today" is each hub's own local day."""
    by_status = dict(Hub.objects.values_list("status").annotate(n=Count("id")).order_by())
    zones = Hub.objects.values_list("time_zone", flat=True).distinct()
    today = local_day_filter(zones, date_field="service_date", zone_lookup="hub__time_zone", now=now)
    day = Parcel.objects.filter(today).aggregate(
        total=Count("id"), delivered=Count("id", filter=Q(status=ParcelStatus.DELIVERED)),
        finished=Count("id", filter=Q(status__in=[ParcelStatus.DELIVERED, ParcelStatus.ATTEMPTED,
                                                   ParcelStatus.RETURNED])))
    return {"by_status": by_status, **day}
