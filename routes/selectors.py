"""Read queries shared by views, API and tasks, scoped by who asks.

Tenancy: planners (admins, integrators) see every station's routes; a partner's dispatcher sees
only the partner's routes; a driver only their own. Anything else answers 404.
"""

from collections import defaultdict
from datetime import date, timedelta

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from accounts.permissions import user_has_perm
from core.errors import NotFound
from core.models import Job
from core.servicedays import local_day_filter
from onboarding.selectors import partner_for_user
from routes.models import (
    ManifestUpload,
    PackageScan,
    PackageStatus,
    PartnerCapacity,
    Plan,
    PlanningRun,
    PlanStatus,
    Route,
    RouteStop,
    ScanKind,
    ScanResult,
    Station,
    StopKind,
    StopStatus,
    Unassigned,
)


def station_list(*, active_only: bool = False) -> QuerySet[Station]:
    qs = Station.objects.all()
    return qs.filter(active=True) if active_only else qs


def station_get(*, code: str) -> Station:
    """A station by its code, as people type it: `SEA1` and `sea1` are the same station."""
    station = Station.objects.filter(code__iexact=code).order_by("code").first()
    if station is None:
        raise NotFound()
    return station


def plan_get(*, station: Station, service_date: date) -> Plan | None:
    return Plan.objects.select_related("station").filter(station=station, service_date=service_date).first()


def plan_list(*, station: Station | None = None) -> QuerySet[Plan]:
    qs = Plan.objects.select_related("station").annotate(route_count=Count("routes"))
    return qs.filter(station=station) if station else qs


def job_get_for_user(*, user, job_id) -> Job:
    """A routes job the user may see: any for planners, otherwise only one they started. Anything else
    (another tenant's, another app's, none) is NotFound."""
    qs = Job.objects.filter(kind__startswith="routes.")
    if not user_has_perm(user, "routes.plan"):
        qs = qs.filter(started_by=user) if user.is_authenticated else qs.none()
    job = qs.filter(pk=job_id).first() if str(job_id).isdigit() else None
    if job is None:
        raise NotFound()
    return job


def manifest_upload_get(*, station: Station, upload_id) -> ManifestUpload:
    """A station's stored manifest upload (with its latest import job); NotFound otherwise."""
    upload = (ManifestUpload.objects.select_related("station", "job", "uploaded_by").defer("content")
              .filter(station=station, pk=upload_id).first() if str(upload_id).isdigit() else None)
    if upload is None:
        raise NotFound()
    return upload


def manifest_uploads_recent(*, station: Station, limit: int = 10) -> QuerySet[ManifestUpload]:
    """The station's latest uploads that were imported (or are importing), newest first."""
    return (ManifestUpload.objects.select_related("job", "uploaded_by").filter(station=station)
            .exclude(job=None).defer("content")[:limit])


def plan_routes(*, plan: Plan) -> QuerySet[Route]:
    return (plan.routes.select_related("partner", "driver", "vehicle", "plan__station")
            .order_by("sequence"))


def plan_unassigned(*, plan: Plan) -> QuerySet[Unassigned]:
    return plan.unassigned.select_related("package").order_by("reason", "package__tracking_id")


def plan_summary(*, plan: Plan) -> dict:
    figures = plan.routes.aggregate(routes=Count("id"), load=Sum("load"), distance=Sum("distance_m"),
                                    duration=Sum("duration_s"), late=Sum("late_stops"),
                                    assigned=Count("id", filter=Q(driver__isnull=False, vehicle__isnull=False)))
    figures["unassigned"] = plan.unassigned.count()
    return {k: v or 0 for k, v in figures.items()}


def routes_for_partner(*, partner, service_date: date) -> QuerySet[Route]:
    return (Route.objects.filter(partner=partner, service_date=service_date)
            .filter(plan__status__in=[PlanStatus.READY, PlanStatus.PUBLISHED])
            .select_related("plan__station", "driver", "vehicle").order_by("plan__station__code", "sequence"))


def route_get_for_user(*, user, route_id) -> Route:
    """A route the user may see: any for planners, the partner's own for dispatchers, the driver's own
    for drivers. Otherwise NotFound (another partner's route looks like no route at all)."""
    qs = Route.objects.select_related("plan__station", "partner", "driver", "vehicle")
    if not str(route_id).isdigit():
        raise NotFound()
    if user_has_perm(user, "routes.plan"):
        pass
    elif user_has_perm(user, "routes.dispatch"):
        partner = partner_for_user(user=user)
        qs = qs.filter(partner=partner) if partner else qs.none()
    elif user_has_perm(user, "routes.drive"):
        qs = qs.filter(driver__user=user, plan__status=PlanStatus.PUBLISHED)
    else:
        qs = qs.none()
    route = qs.filter(pk=route_id).first()
    if route is None:
        raise NotFound()
    return route


def route_stops(*, route: Route) -> QuerySet[RouteStop]:
    return route.stops.select_related("hub").annotate(n_packages=Count("packages")).order_by("sequence")


def stop_get_for_driver(*, user, stop_id) -> RouteStop:
    stop = (RouteStop.objects.select_related("route__plan").filter(
        pk=stop_id, route__driver__user=user, route__plan__status=PlanStatus.PUBLISHED).first()
        if str(stop_id).isdigit() else None)
    if stop is None:
        raise NotFound()
    return stop


def stop_get_for_viewer(*, user, stop_id) -> RouteStop:
    """A stop on a route the user may see (see `route_get_for_user`); otherwise NotFound."""
    stop = RouteStop.objects.filter(pk=stop_id).first() if str(stop_id).isdigit() else None
    if stop is None:
        raise NotFound()
    route_get_for_user(user=user, route_id=stop.route_id)
    return stop


def driver_route_today(*, user, now=None) -> Route | None:
    """The driver's published route for today at its station: a service day is the station's local date,
    so at 9 pm in Seattle (already tomorrow in UTC) the driver still sees tonight's route."""
    now = now or timezone.now()
    utc_day = now.date()
    candidates = (Route.objects.select_related("plan__station", "vehicle", "driver")
                  .filter(driver__user=user, plan__status=PlanStatus.PUBLISHED,
                          service_date__range=(utc_day - timedelta(days=1), utc_day + timedelta(days=1)))
                  .order_by("service_date"))
    return next((r for r in candidates if r.service_date == now.astimezone(r.plan.station.tz).date()), None)


def driver_route_for_day(*, user, service_date: date) -> Route | None:
    return (Route.objects.select_related("plan__station", "vehicle", "driver")
            .filter(driver__user=user, service_date=service_date, plan__status=PlanStatus.PUBLISHED).first())


def stop_packages(*, stops) -> dict[int, list]:
    """{stop id: [packages]} in one query."""
    from routes.models import Package

    out = defaultdict(list)
    for p in Package.objects.filter(stop__in=stops).order_by("tracking_id"):
        out[p.stop_id].append(p)
    return out


def partner_outcomes(*, partner_ids, since: date, until: date) -> dict[int, tuple[int, int]]:
    """{partner id: (delivered stops, attempted stops)} between two dates (address stops only)."""
    rows = (RouteStop.objects.filter(route__partner_id__in=list(partner_ids), route__service_date__gte=since,
                                     route__service_date__lt=until, kind=StopKind.ADDRESS)
            .values("route__partner_id").annotate(
                delivered=Count("id", filter=Q(status=StopStatus.DELIVERED)),
                attempted=Count("id", filter=Q(status=StopStatus.ATTEMPTED))))
    return {r["route__partner_id"]: (r["delivered"], r["attempted"]) for r in rows}


def partner_scorecard(*, partner, weeks: int = 6, today: date) -> list[dict]:
    """Delivered / attempted / late stops per week (Monday first), newest first."""
    start = today - timedelta(days=today.weekday() + 7 * (weeks - 1))
    rows = (RouteStop.objects.filter(route__partner=partner, route__service_date__gte=start,
                                     route__service_date__lte=today, kind=StopKind.ADDRESS)
            .values_list("route__service_date", "status", "late"))
    weeks_out: dict[date, dict] = {}
    for k in range(weeks):
        monday = start + timedelta(days=7 * k)
        weeks_out[monday] = {"week": monday, "stops": 0, "delivered": 0, "attempted": 0, "late": 0}
    for day, status, late in rows:
        w = weeks_out[day - timedelta(days=day.weekday())]
        w["stops"] += 1
        w["delivered"] += status == StopStatus.DELIVERED
        w["attempted"] += status == StopStatus.ATTEMPTED
        w["late"] += bool(late)
    for w in weeks_out.values():
        done = w["delivered"] + w["attempted"]
        w["rate"] = round(100 * w["delivered"] / done, 1) if done else None
    return sorted(weeks_out.values(), key=lambda w: w["week"], reverse=True)


def partner_first_route_date(*, partner) -> date | None:
    """The first service date of a published route dealt to the partner (the onboarding checklist)."""
    return (Route.objects.filter(partner=partner, plan__status=PlanStatus.PUBLISHED)
            .order_by("service_date").values_list("service_date", flat=True).first())


def planning_runs(*, limit: int = 100) -> QuerySet[PlanningRun]:
    return PlanningRun.objects.select_related("station")[:limit]


def console_figures(*, now=None) -> dict:
    """Plans for tomorrow, where tomorrow is each station's own (Seattle's and Boston's differ at 22:00)."""
    now = now or timezone.now()
    stations = Station.objects.filter(active=True)
    zones = stations.values_list("time_zone", flat=True).distinct()
    tomorrow = local_day_filter(zones, date_field="service_date", zone_lookup="station__time_zone", offset=1, now=now)
    plans = dict(Plan.objects.filter(tomorrow, station__active=True).values_list("status").annotate(n=Count("id"))
                 .order_by())
    failed_runs = PlanningRun.objects.filter(result=PlanningRun.Result.FAILED,
                                             started_at__gte=now - timedelta(days=2)).count()
    return {"stations": stations.count(), "plans": plans, "failed_runs": failed_runs}


def partner_station(*, partner) -> Station | None:
    """The station a partner works from: where it commits the most routes (its service day is that
    station's). None for a partner with no commitment yet."""
    row = (PartnerCapacity.objects.filter(partner=partner, station__active=True).values("station_id")
           .annotate(n=Sum("routes")).order_by("-n", "station_id").first())
    return Station.objects.filter(pk=row["station_id"]).first() if row else None


def route_phone_state(*, route: Route) -> dict:
    """Tracking ids scanned at load-out and returned to the station, for the driver's phone."""
    loaded = (PackageScan.objects.filter(route=route, kind=ScanKind.LOAD, result=ScanResult.OK)
              .values_list("package__tracking_id", flat=True).distinct())
    returned = (PackageScan.objects.filter(route=route, kind=ScanKind.RETURN, result=ScanResult.OK,
                                           package__status=PackageStatus.RETURNED)
                .values_list("package__tracking_id", flat=True).distinct())
    return {"loaded": sorted(t for t in loaded if t), "returned": sorted(t for t in returned if t)}
