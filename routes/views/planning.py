"""Planner pages (admins): stations, a station's plan with its map (manifests: `routes.views.manifest`)."""

from datetime import timedelta

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.permissions import permission_required
from core.dates import page_day
from core.errors import DomainError
from routes import selectors, services
from routes.map import plan_svg, route_colour
from routes.models import Package, PlanStatus, RouteStop
from routes.views.common import hms, or_404
from routes.views.jobs import job_progress_view


def _day(request, station):
    """The page's day (tomorrow by default); None for a POST whose date is not a real day (a message says so)."""
    return page_day(request, default=station.local_today() + timedelta(days=1))


@permission_required("routes.plan")
def station_list(request):
    stations = list(selectors.station_list())
    plans = {}
    for plan in selectors.plan_list().filter(station__in=stations).order_by("-service_date")[:500]:
        plans.setdefault(plan.station_id, plan)
    rows = [{"station": s, "plan": plans.get(s.pk)} for s in stations]
    return render(request, "routes/station_list.html", {"rows": rows})


def _map_for(plan, routes):
    stops = {}
    for s in RouteStop.objects.filter(route__plan=plan).order_by("route_id", "sequence").values_list(
            "route_id", "latitude", "longitude", "kind"):
        stops.setdefault(s[0], []).append((float(s[1]), float(s[2]), s[3]))
    return plan_svg(depot=(float(plan.station.latitude), float(plan.station.longitude)),
                    routes=[(r.sequence, stops.get(r.pk, [])) for r in routes],
                    title=_("Routes of %(s)s on %(d)s") % {"s": plan.station.code, "d": plan.service_date})


@permission_required("routes.plan")
def plan_detail(request, code):
    station = or_404(selectors.station_get, code=code)
    day = _day(request, station)
    plan = selectors.plan_get(station=station, service_date=day)
    context = {"station": station, "day": day, "plan": plan, "prev": day - timedelta(days=1),
               "next": day + timedelta(days=1)}
    if plan is not None:
        routes = list(selectors.plan_routes(plan=plan))
        for r in routes:
            r.colour, r.start, r.end = route_colour(r.sequence), hms(r.start_s), hms(r.end_s)
        context.update(routes=routes, summary=selectors.plan_summary(plan=plan), svg=_map_for(plan, routes),
                       unassigned=list(selectors.plan_unassigned(plan=plan)[:500]),
                       events=list(plan.events.select_related("actor").order_by("-created_at")[:10]),
                       can_publish=plan.status == PlanStatus.READY)
        context.update(plan_job_context(plan), poll=_progress_url(station, day))
    context["packages"] = Package.objects.filter(station=station, service_date=day).count()
    return render(request, "routes/plan_detail.html", context)


def _progress_url(station, day) -> str:
    return f"{reverse('routes:plan_progress', args=[station.code])}?date={day.isoformat()}"


def plan_job_context(plan) -> dict:
    """The plan's build job for the page: the live one (with its progress), whether the plan is stuck
    (optimizing with no live job: its worker died), and whether it may be (re)built now."""
    job = services.plan_live_job(plan=plan)
    stuck = job is None and services.plan_is_stuck(plan=plan)
    return {"job": job, "progress": job_progress_view(job) if job else None, "stuck": stuck,
            "can_build": job is None and (stuck or plan.status in (PlanStatus.DRAFT, PlanStatus.READY,
                                                                   PlanStatus.FAILED))}


@require_POST
@permission_required("routes.plan")
def plan_build(request, code):
    """Start planning as a task and come back to the plan page at once; the page shows its progress."""
    station = or_404(selectors.station_get, code=code)
    day = _day(request, station)
    if day is None:
        return redirect("routes:plan_detail", code=code)
    try:
        services.plan_build_start(station=station, service_date=day, by=request.user)
    except DomainError as exc:
        messages.error(request, exc.detail)
    else:
        messages.info(request, _("Planning started; this page shows its progress."))
    return redirect(f"{reverse('routes:plan_detail', args=[code])}?date={day.isoformat()}")


@permission_required("routes.plan")
def plan_progress(request, code):
    """The progress fragment the plan page polls (htmx). When the job is over, the page reloads to show
    the plan."""
    station = or_404(selectors.station_get, code=code)
    day = _day(request, station)
    plan = selectors.plan_get(station=station, service_date=day)
    job = services.plan_live_job(plan=plan) if plan is not None else None
    if job is None:
        response = HttpResponse(status=204 if not request.htmx else 200)
        response["HX-Refresh"] = "true"
        return response
    return render(request, "routes/_job_progress.html", {"box": "plan-job", "poll": _progress_url(station, day),
                                                         "job": job, "progress": job_progress_view(job),
                                                         "station": station})


@require_POST
@permission_required("routes.plan")
def plan_publish(request, code):
    station = or_404(selectors.station_get, code=code)
    day = _day(request, station)
    if day is None:
        return redirect("routes:plan_detail", code=code)
    plan = selectors.plan_get(station=station, service_date=day)
    try:
        if plan is None:
            raise DomainError(_("There is no plan for that day."), code="not_found")
        services.plan_publish(plan=plan, by=request.user, allow_unassigned=bool(request.POST.get("allow_unassigned")),
                              reason=request.POST.get("reason", ""))
    except DomainError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, _("Published: partners and drivers are told."))
    return redirect(f"{reverse('routes:plan_detail', args=[code])}?date={day.isoformat()}")
