"""Moving work between drivers during the day: a rescue (some remaining stops go to another driver's route) and a
call-out (a whole route goes to another driver).

The receiving route is re-sequenced by the solver from where its driver is now (the last fix from the phone,
else the last stop served, else the station), leaving now, within the station's shift and the van's capacity;
the answer is checked by the solver's own evaluator (routes.solver.checks) and refused with a sentence when the
stops do not fit. Windows that have already closed no longer constrain the order (the stop is late whatever
happens). Both drivers hear about it (a RouteChange each, e-mailed; the phone sees it on its next ping), and
integrators get `route.rescued` / `route.reassigned`."""

from dataclasses import dataclass
from datetime import datetime

import numpy as np
from django.conf import settings
from django.db import transaction
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.audience import Audience
from core.errors import Conflict, ValidationFailed
from core.events import event_record
from routes.models import PlanStatus, Route, RouteChange, RoutePosition, RouteStop, StopStatus
from routes.services.live import local_seconds
from routes.services.notify import route_change_notify
from routes.solver import NO_LIMIT, Point, Problem, Stop, VehicleType, solve_single
from routes.solver.checks import evaluate
from routes.solver.distances import default_provider_spec, provider_from_spec

TEMP_SEQUENCE = 1_000_000  # stops being renumbered park here first: (route, sequence) is unique at every row


@dataclass
class Resequenced:
    problem: Problem
    stops: list[RouteStop]  # in the new driving order
    arrivals: list[int]
    end_s: int
    late: int


def _capacity(route: Route) -> int:
    return route.vehicle.package_capacity if route.vehicle_id else route.capacity


def _start_point(route: Route) -> tuple[float, float]:
    fix = RoutePosition.objects.filter(route=route).order_by("-recorded_at").values_list(
        "latitude", "longitude").first()
    if fix:
        return fix
    last = (route.stops.exclude(status=StopStatus.PENDING).order_by("-outcome_at", "-sequence")
            .values_list("latitude", "longitude").first())
    station = route.plan.station
    return (float(last[0]), float(last[1])) if last else (float(station.latitude), float(station.longitude))


def resequence_problem(*, route: Route, stops: list[RouteStop], start: tuple[float, float], depart_s: int) -> Problem:
    """The receiving route as a one-van problem with explicit matrices: index 0 leaves from `start` (where the
    driver is) and returns to the station; stop i is `stops[i]`."""
    station = route.plan.station
    provider = provider_from_spec(default_provider_spec(circuity=station.circuity, speed_kmh=station.speed_kmh))
    depot = Point(float(station.longitude), float(station.latitude))
    points = [Point(start[1], start[0]), depot, *(Point(float(s.longitude), float(s.latitude)) for s in stops)]
    distance, duration = provider.matrix(points)
    n = len(stops)
    rows, cols = [0, *range(2, n + 2)], [1, *range(2, n + 2)]
    problem_stops = []
    for s in stops:
        late = s.window_end_s if s.window_end_s is not None and s.window_end_s >= depart_s else NO_LIMIT
        problem_stops.append(Stop(Point(float(s.longitude), float(s.latitude)), demand=s.package_count,
                                  service=s.service_s, early=s.window_start_s or 0, late=late, key=str(s.pk)))
    legs = []
    for matrix in (distance, duration):
        m = np.asarray(matrix)[np.ix_(rows, cols)].copy()
        m[0, 0] = 0  # the solver wants a zero diagonal; "leave and come straight back" is never a route here
        legs.append(m)
    return Problem(depot=depot, stops=problem_stops,
                   vehicles=[VehicleType(count=1, capacity=_capacity(route), shift_start=depart_s,
                                         shift_end=station.shift_end_s)],
                   distance=legs[0], duration=legs[1], allow_unassigned=True, name=f"{route.code} re-sequence")


def _does_not_fit(route: Route, n: int) -> Conflict:
    return Conflict(ngettext("%(code)s cannot take this within its shift and van: %(n)s stop would not fit.",
                             "%(code)s cannot take this within its shift and van: %(n)s stops would not fit.", n)
                    % {"code": route.code, "n": n}, code="rescue_does_not_fit")


def resequence(*, route: Route, stops: list[RouteStop], now: datetime, start=None,
               seconds: float | None = None) -> Resequenced:
    """The solver's order for `stops` on `route` from `start` (default: where its driver is) leaving now.
    Conflict `rescue_does_not_fit` when the solver leaves stops out or the evaluator finds the van overloaded, a
    window missed or the shift overrun."""
    station = route.plan.station
    depart_s = max(local_seconds(now, route.service_date, station.tz), route.start_s)
    problem = resequence_problem(route=route, stops=stops, start=start or _start_point(route), depart_s=depart_s)
    seconds = settings.ROUTES_RESCUE_SECONDS if seconds is None else seconds
    solution = solve_single(problem, seconds=seconds, seed=0, initial=[list(range(len(stops)))])
    if solution.unassigned or len(solution.routes) != 1:
        raise _does_not_fit(route, len(solution.unassigned) or len(stops))
    distance, duration = problem.matrices()
    checked, violations = evaluate(problem, distance, duration, 0, solution.routes[0].stops)
    if violations:
        raise _does_not_fit(route, len(stops))
    return Resequenced(problem=problem, stops=[stops[i] for i in checked.stops], arrivals=checked.arrivals,
                       end_s=checked.end, late=checked.late_stops)


def _renumber(route: Route, plan: Resequenced) -> None:
    """Put the re-sequenced stops on `route` after its served ones, with their new planned arrivals."""
    base = route.stops.exclude(status=StopStatus.PENDING).exclude(
        pk__in=[s.pk for s in plan.stops]).order_by("-sequence").values_list("sequence", flat=True).first() or 0
    for k, stop in enumerate(plan.stops):
        stop.route_id, stop.sequence = route.pk, TEMP_SEQUENCE + k
    RouteStop.objects.bulk_update(plan.stops, ["route", "sequence"], batch_size=1000)
    for k, (stop, arrival) in enumerate(zip(plan.stops, plan.arrivals, strict=True), start=1):
        stop.sequence, stop.planned_arrival_s = base + k, arrival
        stop.late = stop.window_end_s is not None and arrival > stop.window_end_s
    RouteStop.objects.bulk_update(plan.stops, ["sequence", "planned_arrival_s", "late"], batch_size=1000)


def _refresh_totals(route: Route, *, end_s: int | None = None) -> None:
    figures = route.stops.aggregate(n=Count("id"), load=Sum("package_count"))
    route.stop_count, route.load = figures["n"] or 0, figures["load"] or 0
    fields = ["stop_count", "load"]
    if end_s is not None:
        route.end_s = end_s
        fields.append("end_s")
    route.late_stops = route.stops.filter(late=True).count()
    route.save(update_fields=[*fields, "late_stops"])


def _log(route: Route, kind: str, detail: str, by) -> RouteChange:
    change = RouteChange.objects.create(route=route, kind=kind, detail=detail[:500],
                                        actor=by if by is not None and by.is_authenticated else None)
    if route.driver_id and route.driver.email:
        route_change_notify(change_id=change.pk, email=route.driver.email)
    return change


def _lock_routes(*pks) -> dict[int, Route]:
    rows = (Route.objects.select_for_update(of=("self",)).select_related("plan__station", "driver", "vehicle")
            .filter(pk__in=pks).order_by("pk"))
    return {r.pk: r for r in rows}


def _check_live(route: Route) -> None:
    if route.plan.status != PlanStatus.PUBLISHED:
        raise Conflict(_("%(code)s is not published yet: change it on the Dispatch page.") % {"code": route.code},
                       code="route_not_live")


def stops_rescue(*, from_route: Route, to_route: Route, stop_ids, by=None, now: datetime | None = None,
                 seconds: float | None = None) -> Resequenced:
    """Move remaining stops (`stop_ids`, pending stops of `from_route`) onto `to_route`, re-sequenced by the
    solver within its shift and van. Both routes must be the same partner's, published, on the same day."""
    now = now or timezone.now()
    ids = sorted({int(i) for i in stop_ids if str(i).isdigit()}) if isinstance(stop_ids, list | tuple) else []
    if not ids:
        raise ValidationFailed(_("Choose at least one remaining stop to move."), code="no_stops",
                               fields={"stops": [_("Choose stops.")]})
    if from_route.pk == to_route.pk:
        raise ValidationFailed(_("Choose another route to take the stops."), code="same_route",
                               fields={"to_route": [_("The same route.")]})
    with transaction.atomic():
        routes = _lock_routes(from_route.pk, to_route.pk)
        giver, taker = routes[from_route.pk], routes[to_route.pk]
        for r in (giver, taker):
            _check_live(r)
        if giver.partner_id != taker.partner_id or giver.service_date != taker.service_date:
            raise ValidationFailed(_("Stops move only between your own routes of the same day."),
                                   code="other_partner", fields={"to_route": [_("Not one of your routes that day.")]})
        if taker.driver_id is None:
            raise Conflict(_("%(code)s has no driver to take the stops.") % {"code": taker.code}, code="no_driver")
        moving = list(RouteStop.objects.select_for_update().filter(route=giver, pk__in=ids,
                                                                   status=StopStatus.PENDING))
        if len(moving) != len(ids):
            raise ValidationFailed(_("Some of these stops are not remaining stops of %(code)s (served already, or "
                                     "on another route); reload the board.") % {"code": giver.code},
                                   code="stops_not_remaining", fields={"stops": [_("Not a remaining stop.")]})
        theirs = list(RouteStop.objects.select_for_update().filter(route=taker, status=StopStatus.PENDING)
                      .order_by("sequence"))
        pending_load = sum(s.package_count for s in theirs + moving)
        if pending_load > _capacity(taker):
            raise Conflict(_("%(code)s's van holds %(c)s packages; it would carry %(l)s.")
                           % {"code": taker.code, "c": _capacity(taker), "l": pending_load},
                           code="rescue_over_capacity")
        plan = resequence(route=taker, stops=theirs + sorted(moving, key=lambda s: s.sequence), now=now,
                          seconds=seconds)
        _renumber(taker, plan)
        _refresh_totals(giver)
        _refresh_totals(taker, end_s=plan.end_s)
        packages = sum(s.package_count for s in moving)
        detail = ngettext("%(n)s stop (%(p)s packages) moved from %(a)s to %(b)s.",
                          "%(n)s stops (%(p)s packages) moved from %(a)s to %(b)s.", len(moving)) % {
            "n": len(moving), "p": packages, "a": giver.code, "b": taker.code}
        _log(giver, "rescue", detail, by)
        _log(taker, "rescue", detail, by)
        event_record(type="route.rescued", subject=taker, payload={
            "from_route": giver.pk, "to_route": taker.pk, "service_date": taker.service_date.isoformat(),
            "stops": [s.pk for s in moving], "packages": packages, "end_s": plan.end_s},
            audience=Audience.partner(taker.partner_id))
    return plan


def route_callout(*, route: Route, driver, vehicle=None, by=None, now: datetime | None = None,
                  seconds: float | None = None) -> Route:
    """Hand a whole route to another driver (its driver called out): the new driver must be free that day and
    assignable; the van stays unless another is given. The remaining stops are re-sequenced from the station
    (where the new driver starts), leaving now, and must still fit the shift."""
    from routes.services.assignment import route_assign

    now = now or timezone.now()
    if driver is None:
        raise ValidationFailed(_("Choose the driver who takes the route."), code="driver_required",
                               fields={"driver": [_("Choose a driver.")]})
    with transaction.atomic():
        locked = _lock_routes(route.pk)[route.pk]
        _check_live(locked)
        if locked.driver_id == driver.pk:
            raise ValidationFailed(_("%(d)s already drives %(code)s.") % {"d": driver.full_name, "code": locked.code},
                                   code="same_driver", fields={"driver": [_("Already this route's driver.")]})
        before = locked.driver
        pending = list(RouteStop.objects.select_for_update().filter(route=locked, status=StopStatus.PENDING)
                       .order_by("sequence"))
        station = locked.plan.station
        plan = None
        if pending:
            plan = resequence(route=locked, stops=pending, now=now, seconds=seconds,
                              start=(float(station.latitude), float(station.longitude)))
        assigned = route_assign(route=locked, driver=driver, vehicle=vehicle or locked.vehicle, by=by)
        if plan is not None:
            _renumber(assigned, plan)
            _refresh_totals(assigned, end_s=plan.end_s)
        event_record(type="route.reassigned", subject=assigned, payload={
            "route": assigned.pk, "service_date": assigned.service_date.isoformat(),
            "from_driver": before.pk if before else None, "to_driver": driver.pk, "remaining_stops": len(pending)},
            audience=Audience.partner(assigned.partner_id))
    return assigned
