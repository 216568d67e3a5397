"""The live board's reads: every route of a day with its pace, last position and alerts, in a fixed number of
queries whatever the number of routes (one for the routes with their latest outcome, next stop and last fix, one
for the stop counts, one for the remaining stops the map draws).

Scope: a partner's dispatcher sees the partner's routes at its station; a program admin any station's. A driver's
track is read only through `route_track` (the same scope as the route: another partner's answers 404)."""

from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from accounts.permissions import user_has_perm
from core.errors import NotFound
from onboarding.selectors import partner_for_user
from routes.map import route_colour
from routes.models import (
    LiveSettings,
    PlanStatus,
    Route,
    RoutePosition,
    RouteStatus,
    RouteStop,
    Station,
    StopStatus,
)
from routes.selectors import partner_station, route_get_for_user
from routes.services.live import Pace, pace_of


@dataclass
class BoardRow:
    route: Route
    pace: Pace
    colour: str
    position: tuple[float, float] | None = None
    position_at: datetime | None = None
    position_age_min: int | None = None
    alerts: list[str] = field(default_factory=list)


@dataclass
class Board:
    station: Station | None
    day: date | None
    rows: list[BoardRow]
    remaining: dict[int, list[tuple[float, float]]]  # route id -> remaining stops (lat, lng) in driving order
    now: datetime
    settings: LiveSettings

    @property
    def alerts(self) -> int:
        return sum(1 for r in self.rows if r.alerts)


def board_station(*, user, code: str | None = None) -> Station:
    """The station the board shows: the partner's own for a dispatcher (any `code` is ignored), the asked-for
    one for a program admin (the first active station without one). NotFound when there is none."""
    if user_has_perm(user, "routes.plan"):
        qs = Station.objects.filter(active=True)
        station = (qs.filter(code__iexact=code) if code else qs).order_by("code").first()
    elif user_has_perm(user, "routes.dispatch"):
        partner = partner_for_user(user=user)
        station = partner_station(partner=partner) if partner else None
    else:
        station = None
    if station is None:
        raise NotFound()
    return station


def _annotated(qs: QuerySet[Route]) -> QuerySet[Route]:
    """Routes with their latest outcome (when, and the planned end of that stop), the next stop's planned
    arrival and the last fix: subqueries on indexed columns, so one query for any number of routes."""
    stops = RouteStop.objects.filter(route=OuterRef("pk"))
    done = stops.exclude(status=StopStatus.PENDING).order_by("-outcome_at", "-sequence")
    pending = stops.filter(status=StopStatus.PENDING).order_by("sequence")
    fixes = RoutePosition.objects.filter(route=OuterRef("pk")).order_by("-recorded_at")
    return qs.annotate(
        last_outcome_at=Subquery(done.values("outcome_at")[:1]),
        last_planned_end_s=Subquery(done.annotate(e=F("planned_arrival_s") + F("service_s")).values("e")[:1]),
        next_planned_s=Subquery(pending.values("planned_arrival_s")[:1]),
        fix_at=Subquery(fixes.values("recorded_at")[:1]),
        fix_lat=Subquery(fixes.values("latitude")[:1]),
        fix_lng=Subquery(fixes.values("longitude")[:1]),
    )


def _board_routes(*, user, station: Station, day: date) -> QuerySet[Route]:
    qs = (Route.objects.filter(plan__station=station, service_date=day, plan__status=PlanStatus.PUBLISHED)
          .select_related("plan__station", "partner", "driver", "vehicle").order_by("sequence"))
    if not user_has_perm(user, "routes.plan"):
        partner = partner_for_user(user=user)
        qs = qs.filter(partner=partner) if partner else qs.none()
    return _annotated(qs)


def _counts(route_ids) -> dict[int, dict]:
    rows = (RouteStop.objects.filter(route_id__in=route_ids).values("route_id").annotate(
        done=Count("id", filter=~Q(status=StopStatus.PENDING)), left=Count("id", filter=Q(status=StopStatus.PENDING)),
        attempted=Count("id", filter=Q(status=StopStatus.ATTEMPTED))).order_by())
    return {r["route_id"]: r for r in rows}


def _remaining(route_ids) -> dict[int, list[tuple[float, float]]]:
    out: dict[int, list[tuple[float, float]]] = {pk: [] for pk in route_ids}
    for route_id, lat, lng in (RouteStop.objects.filter(route_id__in=route_ids, status=StopStatus.PENDING)
                               .order_by("route_id", "sequence").values_list("route_id", "latitude", "longitude")):
        out[route_id].append((float(lat), float(lng)))
    return out


def _alerts(row: BoardRow, *, settings: LiveSettings, now_s: int) -> list[str]:
    from django.utils.translation import gettext as _

    pace, route, out = row.pace, row.route, []
    if pace.finished:
        return out
    if pace.delay_min is not None and pace.delay_min >= settings.behind_after_minutes:
        out.append(_("%(m)s min behind") % {"m": pace.delay_min})
    if pace.over_shift_s > 0:
        out.append(_("finishes %(m)s min after the shift ends") % {"m": round(pace.over_shift_s / 60)})
    if pace.started:
        if row.position_age_min is None:
            out.append(_("no position from the phone"))
        elif row.position_age_min >= settings.silent_after_minutes:
            out.append(_("phone silent for %(m)s min") % {"m": row.position_age_min})
    elif now_s > route.start_s + settings.silent_after_minutes * 60:
        out.append(_("not started"))
    return out


def board_for(*, user, station: Station, day: date, now: datetime | None = None) -> Board:
    """The board of a station-day as `user` may see it (see the module's doc for the scope)."""
    from routes.services.live import local_seconds

    now = now or timezone.now()
    settings = LiveSettings.load()
    routes = list(_board_routes(user=user, station=station, day=day))
    ids = [r.pk for r in routes]
    counts = _counts(ids)
    rows = []
    now_s = local_seconds(now, day, station.tz)
    for route in routes:
        c = counts.get(route.pk, {"done": 0, "left": 0, "attempted": 0})
        pace = pace_of(route=route, now=now, done=c["done"], left=c["left"], attempted=c["attempted"],
                       last_outcome_at=route.last_outcome_at, last_planned_end_s=route.last_planned_end_s,
                       next_planned_s=route.next_planned_s, started=_started(route))
        row = BoardRow(route=route, pace=pace, colour=route_colour(route.sequence))
        if route.fix_at is not None:
            row.position, row.position_at = (route.fix_lat, route.fix_lng), route.fix_at
            row.position_age_min = max(0, int((now - route.fix_at).total_seconds() // 60))
        row.alerts = _alerts(row, settings=settings, now_s=now_s)
        rows.append(row)
    return Board(station=station, day=day, rows=rows, remaining=_remaining(ids) if ids else {}, now=now,
                 settings=settings)


def route_pace(*, route: Route, now: datetime | None = None) -> Pace:
    """One route's pace (the tracking page's ETA, the API): the board's figures for a single route."""
    now = now or timezone.now()
    annotated = _board_routes_one(route)
    c = _counts([route.pk]).get(route.pk, {"done": 0, "left": 0, "attempted": 0})
    return pace_of(route=route, now=now, done=c["done"], left=c["left"], attempted=c["attempted"],
                   last_outcome_at=annotated.last_outcome_at, last_planned_end_s=annotated.last_planned_end_s,
                   next_planned_s=annotated.next_planned_s, started=_started(annotated))


def _started(route: Route) -> bool:
    return route.status != RouteStatus.READY or route.fix_at is not None


def _board_routes_one(route: Route) -> Route:
    return _annotated(Route.objects.filter(pk=route.pk)).get()


def route_track(*, user, route_id, since: datetime | None = None) -> tuple[Route, QuerySet[RoutePosition]]:
    """A route's track in the order the phone took the fixes, for whoever may see the route (else NotFound).
    Drivers see their own; dispatchers their partner's; planners any."""
    route = route_get_for_user(user=user, route_id=route_id)
    qs = RoutePosition.objects.filter(route=route).order_by("recorded_at")
    if since is not None:
        qs = qs.filter(recorded_at__gt=since)
    return route, qs


def board_route_get(*, user, route_id) -> Route:
    """A route on the live board (published) the user may act on; NotFound otherwise."""
    route = route_get_for_user(user=user, route_id=route_id)
    if route.plan.status != PlanStatus.PUBLISHED:
        raise NotFound()
    return route
