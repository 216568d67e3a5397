"""Where each metric's figures come from: one grouped query per metric over a week, never a loop per partner.

A source answers `{(partner id, driver id or None): (numerator, denominator)}` for the service dates
`first`..`last` (`done` holds the metrics computed before it, so DPMO metrics reuse DCR's delivered count).
`METRICS` lists the metrics the platform can compute today; a metric whose source rows do not exist on this
platform yet is simply absent (never estimated), and a ruleset's thresholds for it are ignored until it is.

POD: delivered stops where a proof rule demanded proof; compliant when no required proof was rejected by an
admin. Contact: attempted stops; compliant when the driver called or texted through the platform before the
attempt. DNR / CDF: recipients' "delivered, not received" reports / ratings of 1-2 stars, per million
delivered packages.

Safety (`inspection`, `speeding`) is counted per route-day, not per stop, and its drill-down lists routes.
Inspection: routes started that week; compliant when the route's van had a passed pre-trip inspection that
service day recorded before the route started. Speeding: speeding events per 100 route-hours on routes run that
week (started and completed); the phone's pings carry no speed, so the speed between consecutive pings of a route
is derived in SQL (window functions, PostgreSQL and SQLite alike) and an event is counted each time it goes from
at or below the program's threshold (`TierRuleSet.speeding_threshold_kmh`, of the week's rules) to above it."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import connection
from django.db.models import Count, DurationField, Exists, ExpressionWrapper, F, OuterRef, Q, Sum
from django.utils.translation import gettext_lazy as _

from core.servicedays import service_today
from fleet.models import Inspection
from performance.models import Metric, TierRuleSet
from routes.models import (
    Package,
    PackageStatus,
    ProofStatus,
    RecipientFeedback,
    Route,
    RoutePosition,
    RouteStop,
    StopContact,
    StopKind,
    StopProof,
    StopStatus,
)


@dataclass(frozen=True)
class MetricSource:
    metric: str
    scale: Decimal  # value = numerator / denominator × scale
    unit: str
    numerator: str
    denominator: str
    collect: object  # fn(first, last, partner_ids) -> {(pid, did): (num, den)}
    # The stops behind a defect, for the drill-down: fn(partner_id, first, last, driver_id) -> RouteStop queryset
    defects: object = None
    # "stop": `defects` answers RouteStops; "route": it answers Routes (route-day metrics: safety)
    level: str = "stop"
    # For route-level drill-downs: fn(routes, first) -> {route id: a sentence saying what went wrong}
    detail: object = None


def _on_routes(first: date, last: date, partner_ids, prefix: str) -> Q:
    q = Q(**{f"{prefix}service_date__range": (first, last), f"{prefix}partner__isnull": False,
             f"{prefix}plan__status": "published"})
    if partner_ids is not None:
        q &= Q(**{f"{prefix}partner_id__in": list(partner_ids)})
    return q


def _settled_or_past() -> Q:
    """A package counts once its outcome is known, or once its day is over (still out after the day: a miss).
    Today's and later packages still on the van are not defects yet, so a week in progress is scored fairly."""
    return Q(status__in=[PackageStatus.DELIVERED, PackageStatus.ATTEMPTED]) | Q(service_date__lt=service_today())


def dcr_collect(first: date, last: date, partner_ids=None, done=None) -> dict:
    """Packages on address stops of the partner's routes (dispatched) and those delivered, per driver."""
    rows = (Package.objects.filter(_on_routes(first, last, partner_ids, "stop__route__"), _settled_or_past(),
                                   stop__kind=StopKind.ADDRESS)
            .values_list("stop__route__partner_id", "stop__route__driver_id")
            .annotate(delivered=Count("id", filter=Q(status=PackageStatus.DELIVERED)), dispatched=Count("id"))
            .order_by())
    return {(pid, did): (delivered, dispatched) for pid, did, delivered, dispatched in rows}


def dcr_defects(*, partner_id: int, first: date, last: date, driver_id=None):
    """Stops on the partner's routes that week with a package not delivered."""
    missed = Package.objects.filter(_settled_or_past()).exclude(status=PackageStatus.DELIVERED).values("stop_id")
    stops = RouteStop.objects.filter(_on_routes(first, last, [partner_id], "route__"), kind=StopKind.ADDRESS,
                                     pk__in=missed)
    if driver_id is not None:
        stops = stops.filter(route__driver_id=driver_id)
    return stops


# --- Metrics from the driver's phone and the recipients (rows from the driver and dispatch work) -------------


def _stops(first: date, last: date, partner_ids, **filters):
    return RouteStop.objects.filter(_on_routes(first, last, partner_ids, "route__"), kind=StopKind.ADDRESS, **filters)


def _by_driver(rows) -> dict:
    return {(pid, did): (num, den) for pid, did, num, den in rows}


def _proof_required():
    return StopProof.objects.filter(stop=OuterRef("pk"), required=True).exclude(status=ProofStatus.VOID)


def pod_collect(first: date, last: date, partner_ids=None, done=None) -> dict:
    """Delivered stops where a proof rule demanded proof, and those whose required proof no admin rejected."""
    rejected = _proof_required().filter(status=ProofStatus.REJECTED)
    return _by_driver(_stops(first, last, partner_ids, status=StopStatus.DELIVERED).filter(Exists(_proof_required()))
                      .annotate(rejected=Exists(rejected)).values_list("route__partner_id", "route__driver_id")
                      .annotate(ok=Count("id", filter=Q(rejected=False)), n=Count("id")).order_by())


def pod_defects(*, partner_id: int, first: date, last: date, driver_id=None):
    rejected = _proof_required().filter(status=ProofStatus.REJECTED)
    return _driver(_stops(first, last, [partner_id], status=StopStatus.DELIVERED).filter(Exists(rejected)), driver_id)


def _contacted():
    return StopContact.objects.filter(stop=OuterRef("pk"), occurred_at__lte=OuterRef("outcome_at"))


def contact_collect(first: date, last: date, partner_ids=None, done=None) -> dict:
    """Attempted stops, and those where the driver called or texted through the platform before the attempt."""
    return _by_driver(_stops(first, last, partner_ids, status=StopStatus.ATTEMPTED)
                      .annotate(contacted=Exists(_contacted())).values_list("route__partner_id", "route__driver_id")
                      .annotate(ok=Count("id", filter=Q(contacted=True)), n=Count("id")).order_by())


def contact_defects(*, partner_id: int, first: date, last: date, driver_id=None):
    return _driver(_stops(first, last, [partner_id], status=StopStatus.ATTEMPTED).exclude(Exists(_contacted())),
                   driver_id)


NEGATIVE_RATING = 2  # one or two stars out of five


def _feedback_collect(flag: Q, first: date, last: date, partner_ids, done) -> dict:
    """Recipients' reports (`flag`) per million delivered packages: the reports, over DCR's delivered count."""
    feedback = RecipientFeedback.objects.filter(flag, package__stop__kind=StopKind.ADDRESS,
                                                package__status=PackageStatus.DELIVERED).filter(
        _on_routes(first, last, partner_ids, "package__stop__route__"))
    reports = dict(((pid, did), n) for pid, did, n in feedback.values_list(
        "package__stop__route__partner_id", "package__stop__route__driver_id").annotate(n=Count("id")).order_by())
    delivered = (done or {}).get(Metric.DCR)
    if delivered is None:
        delivered = dcr_collect(first, last, partner_ids)
    return {key: (reports.get(key, 0), dcr[0]) for key, dcr in delivered.items() if dcr[0]}


def _feedback_defects(flag: Q, partner_id: int, first: date, last: date, driver_id):
    stops = RecipientFeedback.objects.filter(flag).values("package__stop_id")
    return _driver(_stops(first, last, [partner_id]).filter(pk__in=stops), driver_id)


DNR = Q(not_received=True)
CDF = Q(rating__lte=NEGATIVE_RATING)


def dnr_collect(first, last, partner_ids=None, done=None):
    return _feedback_collect(DNR, first, last, partner_ids, done)


def dnr_defects(*, partner_id, first, last, driver_id=None):
    return _feedback_defects(DNR, partner_id, first, last, driver_id)


def cdf_collect(first, last, partner_ids=None, done=None):
    return _feedback_collect(CDF, first, last, partner_ids, done)


def cdf_defects(*, partner_id, first, last, driver_id=None):
    return _feedback_defects(CDF, partner_id, first, last, driver_id)


def _driver(stops, driver_id):
    return stops.filter(route__driver_id=driver_id) if driver_id is not None else stops


# --- Safety: pre-trip inspections (upkeep's rows) and speeding from the position pings (dispatch's rows) ------


def _routes(first: date, last: date, partner_ids, **filters):
    return Route.objects.filter(_on_routes(first, last, partner_ids, ""), **filters)


def _pretrip_passed():
    """A passed pre-trip inspection of the route's van on the route's service day, recorded before it started."""
    return Inspection.objects.filter(vehicle=OuterRef("vehicle"), service_date=OuterRef("service_date"),
                                     kind=Inspection.Kind.PRE_TRIP, result=Inspection.Result.PASSED,
                                     created_at__lte=OuterRef("started_at"))


def inspection_collect(first: date, last: date, partner_ids=None, done=None) -> dict:
    """Routes started that week (route-days), and those whose van passed its pre-trip inspection before the start."""
    return _by_driver(_routes(first, last, partner_ids, started_at__isnull=False)
                      .annotate(inspected=Exists(_pretrip_passed())).values_list("partner_id", "driver_id")
                      .annotate(ok=Count("id", filter=Q(inspected=True)), n=Count("id")).order_by())


def inspection_defects(*, partner_id: int, first: date, last: date, driver_id=None):
    routes = _routes(first, last, [partner_id], started_at__isnull=False).exclude(Exists(_pretrip_passed()))
    return routes.filter(driver_id=driver_id) if driver_id is not None else routes


def inspection_detail(routes, first: date) -> dict:
    """Why each route has no inspection: no van, none recorded, failed, or passed only after the start."""
    routes = list(routes)
    seen: dict = {}
    for vehicle_id, day, result in (Inspection.objects.filter(
            vehicle_id__in={r.vehicle_id for r in routes if r.vehicle_id}, kind=Inspection.Kind.PRE_TRIP,
            service_date__in={r.service_date for r in routes}).values_list("vehicle_id", "service_date", "result")):
        seen.setdefault((vehicle_id, day), set()).add(result)
    out = {}
    for r in routes:
        results = seen.get((r.vehicle_id, r.service_date), set())
        if r.vehicle_id is None:
            out[r.pk] = _("started without a van on the route")
        elif Inspection.Result.PASSED in results:
            out[r.pk] = _("the van's pre-trip inspection passed only after the route started")
        elif results:
            out[r.pk] = _("the van's pre-trip inspection failed")
        else:
            out[r.pk] = _("no pre-trip inspection of the van that day")
    return out


KMH_DEFAULT = Decimal("105")
EARTH_KM = 6371.0088


def _run_routes(first: date, last: date, partner_ids):
    """Routes run that week: started and completed (their hours are the denominator)."""
    return _routes(first, last, partner_ids, started_at__isnull=False, completed_at__gt=F("started_at"))


def _threshold(first: date) -> float:
    rules = TierRuleSet.in_force(first)
    return float(rules.speeding_threshold_kmh if rules is not None else KMH_DEFAULT)


def _seconds_between(later: str, earlier: str) -> str:
    if connection.vendor == "postgresql":
        return f"EXTRACT(EPOCH FROM ({later} - {earlier}))"
    return f"((julianday({later}) - julianday({earlier})) * 86400.0)"  # SQLite stores datetimes as ISO text


def speeding_per_route(routes, threshold_kmh: float) -> dict:
    """{route id: (partner id, driver id, speeding events, top speed km/h)} for `routes` (a Route queryset), in
    one query.

    The speed between two consecutive pings of a route is their distance (equirectangular: fine for pings
    seconds apart) over the time between them; an event starts where that speed goes from at or below the
    threshold to above it, so a run of fast pings is one event. Only pings between the route's start and end."""
    route_sql, route_params = routes.values("id", "partner_id", "driver_id", "started_at",
                                                   "completed_at").order_by().query.sql_with_params()
    pos = RoutePosition._meta.db_table
    seconds = _seconds_between("recorded_at", "prev_at")
    # Only our own SQL is formatted in (the ORM's compiled route query, a table name, a constant); values are params.
    sql = f"""
        WITH r AS ({route_sql}),
        p AS (
            SELECT pos.route_id, r.partner_id, r.driver_id, pos.recorded_at, pos.latitude, pos.longitude,
                   LAG(pos.recorded_at) OVER w AS prev_at, LAG(pos.latitude) OVER w AS prev_lat,
                   LAG(pos.longitude) OVER w AS prev_lon
            FROM {connection.ops.quote_name(pos)} pos JOIN r ON r.id = pos.route_id
            WHERE pos.recorded_at >= r.started_at AND pos.recorded_at <= r.completed_at
            WINDOW w AS (PARTITION BY pos.route_id ORDER BY pos.recorded_at)
        ),
        s AS (
            SELECT route_id, partner_id, driver_id, recorded_at,
                   CASE WHEN prev_at IS NULL THEN NULL ELSE
                       {EARTH_KM} * SQRT(POWER(RADIANS(latitude - prev_lat), 2)
                           + POWER(RADIANS(longitude - prev_lon) * COS(RADIANS((latitude + prev_lat) / 2.0)), 2))
                       / NULLIF({seconds}, 0) * 3600.0 END AS kmh
            FROM p
        ),
        e AS (
            SELECT route_id, partner_id, driver_id, kmh,
                   LAG(kmh) OVER (PARTITION BY route_id ORDER BY recorded_at) AS prev_kmh
            FROM s
        )
        SELECT route_id, partner_id, driver_id,
               SUM(CASE WHEN kmh > %s AND COALESCE(prev_kmh, 0) <= %s THEN 1 ELSE 0 END), MAX(kmh)
        FROM e GROUP BY route_id, partner_id, driver_id"""  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, [*route_params, threshold_kmh, threshold_kmh])
        return {rid: (pid, did, int(events or 0), top) for rid, pid, did, events, top in cursor.fetchall()}


HOUR = Decimal("0.01")


def speeding_collect(first: date, last: date, partner_ids=None, done=None) -> dict:
    """Speeding events, and route-hours (started → completed), per partner and driver: two grouped queries."""
    routes = _run_routes(first, last, partner_ids)
    hours = (routes.values_list("partner_id", "driver_id")
             .annotate(t=Sum(ExpressionWrapper(F("completed_at") - F("started_at"), output_field=DurationField())))
             .order_by())
    counted: dict = {}
    for pid, did, n, _top in speeding_per_route(routes, _threshold(first)).values():
        counted[(pid, did)] = counted.get((pid, did), 0) + n
    out = {}
    for pid, did, spent in hours:
        h = (Decimal(spent.total_seconds()) / 3600).quantize(HOUR) if spent else Decimal(0)
        if h > 0:
            out[(pid, did)] = (counted.get((pid, did), 0), h)
    return out


def speeding_defects(*, partner_id: int, first: date, last: date, driver_id=None):
    routes = _run_routes(first, last, [partner_id])
    if driver_id is not None:
        routes = routes.filter(driver_id=driver_id)
    events = speeding_per_route(routes, _threshold(first))
    return routes.filter(pk__in=[rid for rid, (_p, _d, n, _top) in events.items() if n])


def speeding_detail(routes, first: date) -> dict:
    threshold = _threshold(first)
    found = speeding_per_route(Route.objects.filter(pk__in=[r.pk for r in routes]), threshold)
    return {rid: _("%(n)d speeding event(s) above %(limit)s km/h, top speed %(top)s km/h")
            % {"n": n, "limit": f"{threshold:g}", "top": f"{top:.0f}"} for rid, (_p, _d, n, top) in found.items() if n}


METRICS: dict[str, MetricSource] = {
    Metric.DCR: MetricSource(Metric.DCR, Decimal(100), "%", _("delivered packages"), _("packages dispatched"),
                             dcr_collect, dcr_defects),
    Metric.DNR_DPMO: MetricSource(Metric.DNR_DPMO, Decimal(1_000_000), "", _("\"delivered, not received\" reports"),
                                  _("delivered packages"), dnr_collect, dnr_defects),
    Metric.POD: MetricSource(Metric.POD, Decimal(100), "%", _("deliveries with their required proof accepted"),
                             _("deliveries that required proof"), pod_collect, pod_defects),
    Metric.CONTACT: MetricSource(Metric.CONTACT, Decimal(100), "%", _("attempts after contacting the recipient"),
                                 _("attempted stops"), contact_collect, contact_defects),
    Metric.CDF_DPMO: MetricSource(Metric.CDF_DPMO, Decimal(1_000_000), "", _("ratings of 1 or 2 stars"),
                                  _("delivered packages"), cdf_collect, cdf_defects),
    Metric.INSPECTION: MetricSource(Metric.INSPECTION, Decimal(100), "%",
                                    _("routes whose van passed its pre-trip inspection before the start"),
                                    _("routes started"), inspection_collect, inspection_defects, level="route",
                                    detail=inspection_detail),
    Metric.SPEEDING: MetricSource(Metric.SPEEDING, Decimal(100), "", _("speeding events"), _("route-hours"),
                                  speeding_collect, speeding_defects, level="route", detail=speeding_detail),
}
