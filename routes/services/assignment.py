"""Routes to partners (dealing), then drivers and vans to routes (the partner's dispatcher).

Dealing: routes taken by the polar angle of their stops around the station (so neighbouring routes
come one after another), each to the partner furthest below its fair share, where the share is the
routes it committed weighted by its recent delivery success. A route only goes to a partner with a
van of the capacity the plan counted on, so every dealt route can be driven. When a ranker is registered
(routes.hooks: performance's last weekly tier), a better-ranked partner fills its commitment first.
"""

import math
from collections import defaultdict
from datetime import time, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Avg
from django.utils.translation import gettext as _

from core.errors import Conflict, ValidationFailed
from fleet.roster_selectors import rostered_driver_ids
from fleet.selectors import (
    drivers_assignable,
    van_fits,
    vehicle_capacity_problem,
    vehicles_assignable,
    vehicles_fitting,
)
from fleet.services import Work, driver_may_work
from routes.hooks import dealing_ranks
from routes.models import Plan, PlanStatus, Route, RouteChange, RouteStatus, StopStatus
from routes.services.notify import route_change_notify


def _angles(plan: Plan) -> dict[int, float]:
    lat0, lng0 = float(plan.station.latitude), float(plan.station.longitude)
    rows = (plan.routes.values("pk").annotate(lat=Avg("stops__latitude"), lng=Avg("stops__longitude")))
    return {r["pk"]: math.atan2(float(r["lat"] or lat0) - lat0, (float(r["lng"] or lng0) - lng0)
                                * math.cos(math.radians(lat0))) for r in rows}


def _weights(partner_ids, service_date) -> dict[int, float]:
    """Delivered share of finished stops over the last four weeks; 1.0 without history."""
    from routes.selectors import partner_outcomes

    figures = partner_outcomes(partner_ids=partner_ids, since=service_date - timedelta(days=28), until=service_date)
    out = {}
    for pid in partner_ids:
        delivered, attempted = figures.get(pid, (0, 0))
        done = delivered + attempted
        out[pid] = max(0.5, delivered / done) if done >= 20 else 1.0
    return out


def routes_deal(*, plan: Plan, fleet: list[dict]) -> None:
    """Give each of the plan's routes a partner, within commitments (in the plan's transaction)."""
    slots: dict[int, list[int]] = {f["partner"]: sorted(f["capacities"]) for f in fleet}
    weights = _weights(list(slots), plan.service_date)
    share = {pid: len(caps) * weights[pid] for pid, caps in slots.items()}
    ranks = dealing_ranks(partner_ids=list(slots), service_date=plan.service_date)
    dealt: dict[int, int] = defaultdict(int)
    angles = _angles(plan)
    routes = sorted(plan.routes.all(), key=lambda r: (angles.get(r.pk, 0.0), r.sequence))
    for route in routes:
        fits = [pid for pid, caps in slots.items() if any(van_fits(capacity=c, load=route.capacity) for c in caps)]
        route.partner_id = None
        if not fits:
            continue
        pid = min(fits, key=lambda p: (ranks.get(p, 0), (dealt[p] + 1) / share[p], p))
        cap = next(c for c in slots[pid] if van_fits(capacity=c, load=route.capacity))
        slots[pid].remove(cap)
        dealt[pid] += 1
        route.partner_id = pid
    Route.objects.bulk_update(routes, ["partner"], batch_size=1000)


def _check_day_free(route: Route, *, driver=None, vehicle=None):
    others = Route.objects.filter(service_date=route.service_date).exclude(pk=route.pk)
    if driver is not None and others.filter(driver=driver).exists():
        raise Conflict(_("%(d)s already drives another route that day.") % {"d": driver.full_name},
                       code="driver_taken", fields={"driver": [_("Already on another route that day.")]})
    if vehicle is not None and others.filter(vehicle=vehicle).exists():
        raise Conflict(_("%(v)s is already on another route that day.") % {"v": vehicle},
                       code="vehicle_taken", fields={"vehicle": [_("Already on another route that day.")]})


def route_hours_check(*, route: Route, driver) -> None:
    """May `driver` work this route? The route stands for their shift that day (its start, length and
    break), checked against the hours rules, time off and availability; refused naming the rule."""
    start = min(route.start_s, 24 * 3600 - 60)
    minutes = max(1, -(-(route.end_s - route.start_s) // 60))
    driver_may_work(driver=driver, replaces_day=True, state=route.plan.station.state,
                    work=Work(day=route.service_date, starts_at=time(start // 3600, start % 3600 // 60),
                              minutes=minutes, break_minutes=route.break_s // 60))


def route_assign(*, route: Route, driver, vehicle, by=None) -> Route:
    """Put a driver and a van on one of the partner's routes. Both must be assignable (active and
    compliant) that day, the van big enough for the load, neither used on another route that day."""
    if route.partner_id is None:
        raise Conflict(_("This route has no partner yet."), code="route_not_dealt")
    partner = route.partner
    if driver is not None and not drivers_assignable(partner=partner, on_date=route.service_date).filter(
            pk=driver.pk).exists():
        raise ValidationFailed(_("This driver cannot drive that day (not active or not compliant)."),
                               code="driver_not_assignable", fields={"driver": [_("Not assignable.")]})
    if driver is not None:
        route_hours_check(route=route, driver=driver)
    if vehicle is not None:
        if not vehicles_assignable(partner=partner, on_date=route.service_date).filter(pk=vehicle.pk).exists():
            raise ValidationFailed(_("This van cannot go out that day (grounded, in maintenance, not insured or "
                                     "waiting for a repair)."),
                                   code="vehicle_not_assignable", fields={"vehicle": [_("Not assignable.")]})
        if too_small := vehicle_capacity_problem(vehicle=vehicle, load=route.load):
            raise ValidationFailed(too_small, code="vehicle_too_small",
                                   fields={"vehicle": [_("Too small for the route.")]})
    try:
        with transaction.atomic():
            locked = Route.objects.select_for_update(of=("self",)).select_related("plan", "driver", "vehicle").get(
                pk=route.pk)
            _check_day_free(locked, driver=driver, vehicle=vehicle)
            before = (locked.driver, locked.vehicle)
            locked.driver, locked.vehicle = driver, vehicle
            locked.save(update_fields=["driver", "vehicle"])
            if locked.plan.status == PlanStatus.PUBLISHED and before != (driver, vehicle):
                _log_change(locked, before, by)
    except IntegrityError as exc:  # a concurrent assignment won the race; the constraint holds
        raise Conflict(_("That driver or van was just put on another route that day."),
                       code="assignment_taken") from exc
    return locked


def _log_change(route: Route, before, by):
    parts = []
    if before[0] != route.driver:
        parts.append(_("driver: %(a)s → %(b)s") % {"a": before[0] or "—", "b": route.driver or "—"})
    if before[1] != route.vehicle:
        parts.append(_("van: %(a)s → %(b)s") % {"a": before[1] or "—", "b": route.vehicle or "—"})
    change = RouteChange.objects.create(route=route, kind="assignment", detail="; ".join(parts)[:500],
                                        actor=by if by and by.is_authenticated else None)
    for driver in {d for d in (before[0], route.driver) if d is not None and d.email}:
        route_change_notify(change_id=change.pk, email=driver.email)


def _first_may_work(drivers: list, route: Route):
    """Take from `drivers` the first the hours rules let work this route (None if none may)."""
    for candidate in drivers:
        try:
            route_hours_check(route=route, driver=candidate)
        except ValidationFailed:
            continue
        drivers.remove(candidate)
        return candidate
    return None


def routes_auto_assign(*, partner, service_date, by=None) -> list[Route]:
    """Fill the partner's routes that lack a driver or a van that day: heaviest routes get the
    biggest free vans; drivers in name order. Returns the routes it changed."""
    routes = list(Route.objects.filter(partner=partner, service_date=service_date)
                  .filter(plan__status__in=[PlanStatus.READY, PlanStatus.PUBLISHED])
                  .order_by("-load", "sequence"))
    used = Route.objects.filter(service_date=service_date)
    busy_drivers = set(used.exclude(driver=None).values_list("driver_id", flat=True))
    busy_vans = set(used.exclude(vehicle=None).values_list("vehicle_id", flat=True))
    rostered = set(rostered_driver_ids(partner=partner, day=service_date))
    drivers = sorted((d for d in drivers_assignable(partner=partner, on_date=service_date).order_by("last_name", "pk")
                      if d.pk not in busy_drivers), key=lambda d: d.pk not in rostered)  # the day's roster first
    vans = [v for v in vehicles_assignable(partner=partner, on_date=service_date) if v.pk not in busy_vans]
    changed = []
    for route in routes:
        driver, vehicle = route.driver, route.vehicle
        if vehicle is None:
            fitting = vehicles_fitting(vans, load=route.load)
            vehicle = min(fitting, key=lambda v: (v.package_capacity, v.pk)) if fitting else None
            if vehicle is not None:
                vans.remove(vehicle)
        if driver is None:
            driver = _first_may_work(drivers, route)
        if (driver, vehicle) != (route.driver, route.vehicle):
            changed.append(route_assign(route=route, driver=driver, vehicle=vehicle, by=by))
    return changed


def routes_replace_grounded_vehicle(*, vehicle_id: int, on_date) -> list[Route]:
    """A van was grounded (fleet tells us after it commits): each of its routes from `on_date` on that has not
    started gets the smallest free assignable van of the partner that carries the load, else loses its van so the
    dispatcher sees the gap. Returns the routes it changed."""
    routes = list(Route.objects.filter(vehicle_id=vehicle_id, service_date__gte=on_date)
                  .select_related("partner", "driver", "vehicle", "plan").order_by("service_date", "sequence"))
    changed = []
    for route in routes:
        if route.status != RouteStatus.READY or route.stops.exclude(status=StopStatus.PENDING).exists():
            continue  # already on the road or done (a post-trip grounding): its history stays as driven
        busy = set(Route.objects.filter(service_date=route.service_date).exclude(vehicle=None)
                   .values_list("vehicle_id", flat=True))
        free = [v for v in vehicles_assignable(partner=route.partner, on_date=route.service_date) if v.pk not in busy]
        fitting = vehicles_fitting(free, load=route.load)
        replacement = min(fitting, key=lambda v: (v.package_capacity, v.pk)) if fitting else None
        try:
            if replacement is None:
                raise Conflict(_("No other van is free."), code="no_van")
            changed.append(route_assign(route=route, driver=route.driver, vehicle=replacement))
        except (Conflict, ValidationFailed):
            changed.append(_vehicle_drop(route))
    return changed


def _vehicle_drop(route: Route) -> Route:
    with transaction.atomic():
        locked = Route.objects.select_for_update(of=("self",)).select_related("plan", "vehicle").get(pk=route.pk)
        before = locked.vehicle
        locked.vehicle = None
        locked.save(update_fields=["vehicle"])
        if locked.plan.status == PlanStatus.PUBLISHED and before is not None:
            RouteChange.objects.create(route=locked, kind="assignment", detail=(
                _("van: %(a)s → — (grounded; no other van free, the dispatcher assigns one)") % {"a": before})[:500])
    return locked
