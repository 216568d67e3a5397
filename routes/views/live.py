"""The live board (a partner's dispatcher: its routes today; a program admin: any station's), one route's live
page with its track, and the rescue and call-out forms. Another partner's route answers 404."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.permissions import permission_required, user_has_perm
from core.errors import DomainError
from core.servicedays import service_today
from fleet.models import Driver, Vehicle
from fleet.selectors import drivers_assignable
from routes import selectors, selectors_live
from routes.map import live_svg, route_colour
from routes.models import PlanStatus, Route, Station, StopStatus
from routes.services.live import local_seconds
from routes.services.rescue import route_callout, stops_rescue
from routes.views.common import hms, or_404


def clock(seconds: int) -> str:
    """A time of day on the station's clock; past midnight it says so ("01:10 +1")."""
    days, rest = divmod(int(seconds or 0), 86400)
    return hms(rest) + (f" +{days}" if days else "")


def _board_context(request):
    station = or_404(selectors_live.board_station, user=request.user, code=request.GET.get("station"))
    day = service_today(station)
    board = selectors_live.board_for(user=request.user, station=station, day=day)
    for row in board.rows:
        row.planned_end, row.projected_end = clock(row.route.end_s), clock(row.pace.projected_end_s)
        row.shift_end = clock(row.pace.shift_end_s)
    svg = live_svg(depot=(float(station.latitude), float(station.longitude)),
                   routes=[(r.route.sequence, r.route.code, board.remaining.get(r.route.pk, []), r.position)
                           for r in board.rows], title=_("Drivers and remaining stops"))
    return {"board": board, "station": station, "day": day, "map": svg,
            "stations": Station.objects.filter(active=True) if user_has_perm(request.user, "routes.plan") else None,
            "now_local": timezone.localtime(board.now, station.tz)}


@require_GET
@permission_required("routes.live")
def board(request):
    return render(request, "routes/live_board.html", _board_context(request))


@require_GET
@permission_required("routes.live")
def board_live(request):
    """The board's body alone: the page swaps it in every 20 seconds (htmx), no reload."""
    return render(request, "routes/_live_board.html", _board_context(request))


def _route_page_context(request, route):
    stops = list(selectors.route_stops(route=route))
    for s in stops:
        s.eta = hms(s.planned_arrival_s)
    others = (Route.objects.filter(partner=route.partner, service_date=route.service_date,
                                   plan__status=PlanStatus.PUBLISHED, driver__isnull=False)
              .exclude(pk=route.pk).select_related("plan__station", "driver").order_by("sequence"))
    busy = Route.objects.filter(service_date=route.service_date).exclude(driver=None).values_list("driver_id",
                                                                                                flat=True)
    free = (drivers_assignable(partner=route.partner, on_date=route.service_date).exclude(pk__in=busy)
            if route.partner_id else Driver.objects.none())
    _route, track = selectors_live.route_track(user=request.user, route_id=route.pk)
    points = [(p.latitude, p.longitude) for p in track.only("latitude", "longitude")]
    station = route.plan.station
    pace = selectors_live.route_pace(route=route)
    remaining = [(float(s.latitude), float(s.longitude)) for s in stops if s.status == StopStatus.PENDING]
    svg = live_svg(depot=(float(station.latitude), float(station.longitude)),
                   routes=[(route.sequence, route.code, remaining, points[-1] if points else None)],
                   title=route.code)
    return {"route": route, "stops": stops, "others": others, "free_drivers": free, "pace": pace,
            "projected_end": clock(pace.projected_end_s), "planned_end": clock(route.end_s), "map": svg,
            "track_points": len(points), "colour": route_colour(route.sequence),
            "changes": route.changes.select_related("actor")[:20],
            "now_s": local_seconds(timezone.now(), route.service_date, station.tz)}


@require_GET
@permission_required("routes.live")
def route_live(request, pk):
    route = or_404(selectors_live.board_route_get, user=request.user, route_id=pk)
    return render(request, "routes/live_route.html", _route_page_context(request, route))


@require_POST
@permission_required("routes.live")
def route_rescue(request, pk):
    route = or_404(selectors_live.board_route_get, user=request.user, route_id=pk)
    target_id = request.POST.get("to_route", "")
    try:
        target = selectors_live.board_route_get(user=request.user, route_id=target_id)
        stops_rescue(from_route=route, to_route=target, stop_ids=request.POST.getlist("stops"), by=request.user)
    except DomainError as exc:
        messages.error(request, exc.detail if exc.code != "not_found" else _("Choose one of your routes today."))
    else:
        messages.success(request, _("Stops moved to %(code)s; both drivers were told.") % {"code": target.code})
    return redirect(reverse("routes:route_live", args=[route.pk]))


@require_POST
@permission_required("routes.live")
def route_callout_view(request, pk):
    route = or_404(selectors_live.board_route_get, user=request.user, route_id=pk)
    raw = request.POST.get("driver", "")
    driver = Driver.objects.filter(partner=route.partner, pk=raw).first() if raw.isdigit() else None
    raw_van = request.POST.get("vehicle", "")
    vehicle = Vehicle.objects.filter(partner=route.partner, pk=raw_van).first() if raw_van.isdigit() else None
    try:
        route_callout(route=route, driver=driver, vehicle=vehicle, by=request.user)
    except DomainError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, _("%(code)s now goes to %(d)s; both drivers were told.")
                         % {"code": route.code, "d": driver.full_name})
    return redirect(reverse("routes:route_live", args=[route.pk]))

