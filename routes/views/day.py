"""Partner and driver pages: dispatch (assign drivers and vans), the driver's route today, a route's
printable manifest. Another partner's route answers 404."""

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from accounts.permissions import permission_required, user_has_perm
from core.dates import page_day
from core.errors import DomainError
from core.files import private_file_response
from core.servicedays import service_today, service_tomorrow
from fleet.models import Driver, Vehicle
from fleet.selectors import drivers_assignable, pretrip_block_reason, vehicles_assignable, vehicles_fitting
from hubs.models import AttemptReason
from routes import selectors, services
from routes.forms import AssignForm, AttemptForm
from routes.map import route_colour
from routes.models import ProofRule, RouteStatus, StopStatus
from routes.views.common import hms, or_404, partner_or_404


def _dispatch_day(request, partner):
    """The day asked for, else tomorrow at the partner's station (the day the dispatcher plans); None for a
    POST whose date is not a real day (a message says so)."""
    return page_day(request, default=service_tomorrow(selectors.partner_station(partner=partner)))


@permission_required("routes.dispatch")
def dispatch(request):
    partner = partner_or_404(request)
    day = _dispatch_day(request, partner)
    routes = list(selectors.routes_for_partner(partner=partner, service_date=day))
    drivers = list(drivers_assignable(partner=partner, on_date=day))
    vans = list(vehicles_assignable(partner=partner, on_date=day))
    for r in routes:
        r.form = AssignForm(initial={"driver": r.driver_id, "vehicle": r.vehicle_id}, drivers=drivers,
                            vehicles=vehicles_fitting(vans, load=r.load), prefix=f"r{r.pk}")
        r.start, r.end, r.colour = hms(r.start_s), hms(r.end_s), route_colour(r.sequence)
    return render(request, "routes/dispatch.html", {
        "partner": partner, "day": day, "routes": routes, "prev": day - timedelta(days=1),
        "next": day + timedelta(days=1),
        "scorecard": selectors.partner_scorecard(partner=partner, today=service_today(
            selectors.partner_station(partner=partner)), weeks=4)})


@require_POST
@permission_required("routes.dispatch")
def route_assign(request, pk):
    route = or_404(selectors.route_get_for_user, user=request.user, route_id=pk)
    partner = route.partner
    form = AssignForm(request.POST, prefix=f"r{route.pk}", drivers=Driver.objects.filter(partner=partner),
                      vehicles=Vehicle.objects.filter(partner=partner))
    day = route.service_date
    if form.is_valid():
        driver = Driver.objects.filter(partner=partner, pk=form.cleaned_data["driver"]).first()
        vehicle = Vehicle.objects.filter(partner=partner, pk=form.cleaned_data["vehicle"]).first()
        try:
            services.route_assign(route=route, driver=driver, vehicle=vehicle, by=request.user)
        except DomainError as exc:
            messages.error(request, f"{route.code}: {exc.detail}")
        else:
            messages.success(request, _("%(code)s assigned.") % {"code": route.code})
    return redirect(f"{reverse('routes:dispatch')}?date={day.isoformat()}")


@require_POST
@permission_required("routes.dispatch")
def auto_assign(request):
    partner = partner_or_404(request)
    day = _dispatch_day(request, partner)
    if day is None:
        return redirect("routes:dispatch")
    try:
        changed = services.routes_auto_assign(partner=partner, service_date=day, by=request.user)
    except DomainError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, ngettext("%(n)s route assigned.", "%(n)s routes assigned.", len(changed))
                         % {"n": len(changed)})
    return redirect(f"{reverse('routes:dispatch')}?date={day.isoformat()}")


def _stops_context(route):
    stops = list(selectors.route_stops(route=route))
    packages = selectors.stop_packages(stops=stops)
    for s in stops:
        s.items = packages.get(s.pk, [])
        s.eta = hms(s.planned_arrival_s)
        s.window = (f"{hms(s.window_start_s)}–{hms(s.window_end_s)}" if s.window_end_s is not None else "")
    return stops


def _driver_station(user):
    driver = Driver.objects.filter(user=user).select_related("partner").first()
    return selectors.partner_station(partner=driver.partner) if driver is not None else None


@permission_required("routes.drive")
def today(request):
    """The driver's phone: one stop at a time, offline first (core.offline); taps go to the driver batch API."""
    route = selectors.driver_route_today(user=request.user)
    today = route.service_date if route is not None else service_today(_driver_station(request.user))
    context = {"route": route, "today": today, "attempt_form": AttemptForm()}
    if route is not None:
        stops = _stops_context(route)
        context["stops"] = stops
        context["done"] = sum(1 for s in stops if s.status != StopStatus.PENDING)
        context["start"] = hms(route.start_s)
        context["config"] = driver_page_config(route=route, stops=stops)
        # Before the start: the van's pre-trip inspection (fleet's rule; route_start refuses without it).
        context["pretrip"] = (pretrip_block_reason(route.vehicle, route.service_date)
                              if route.status == RouteStatus.READY else None)
    return render(request, "routes/today.html", context)


def _phone_text() -> dict:
    return {
        "status": {v: str(label) for v, label in StopStatus.choices},
        "next": _("Next stop"), "picked": _("Chosen stop"), "window": _("window"), "eta": _("ETA"), "pkg": _("pkg"),
        "hub": _("Hub: hand the parcels to the shop"), "sig": _("signature"), "age": _("age check"),
        "stop": _("Stop"), "undo": _("undo"), "started": _("Route started"), "completed": _("Route completed"),
        "scanned": _("Scan"), "smsBody": _("Your driver (stop %s): "),
        "scanFirst": _("Scan every package first:"), "needPhoto": _("Take a photo."),
        "needSignature": _("The recipient must sign."), "needPin": _("Enter the recipient's PIN."),
        "needAge": _("Check the recipient's ID."),
        "startMissing": _("%n packages are not scanned into the van. Start anyway?"),
        "returnFirst": _("Scan the packages you bring back first:"), "nothingBack": _("Nothing to bring back."),
        "loadedOk": _("%s loaded."), "atStopOk": _("%s scanned."), "returnedOk": _("%s back at the station."),
        "notOnRoute": _("%s is not on this route."), "otherStop": _("%s is for stop %n, not this one."),
        "notDue": _("%s has nothing to return."), "noCamera": _("The camera is not available: type the id."),
    }


def driver_page_config(*, route, stops) -> dict:
    """What the phone needs to work a whole day with no network: the route, its stops, their packages and
    the proof each delivery needs, and what was scanned already."""
    state = selectors.route_phone_state(route=route)
    rules = list(ProofRule.objects.filter(active=True))
    return {
        "route": {"id": route.pk, "code": route.code, "status": route.status, "date": route.service_date.isoformat(),
                  "vehicle": route.vehicle.plate if route.vehicle else ""},
        "batchUrl": reverse("api-driver-batch"),
        "relay": settings.ROUTES_CONTACT_RELAY,
        "undoSeconds": 10,
        "reasons": [{"value": v, "label": str(label)} for v, label in AttemptReason.choices],
        "loaded": state["loaded"], "returned": state["returned"], "text": _phone_text(),
        "stops": [{
            "id": s.pk, "seq": s.sequence, "kind": s.kind, "recipient": s.recipient, "address": s.address,
            "lat": str(s.latitude), "lng": str(s.longitude), "eta": s.eta, "window": s.window, "status": s.status,
            "reason": s.attempt_reason, "note": s.note, "outcome": str(s.outcome_client_id or ""),
            "packages": [{"id": p.pk, "tracking_id": p.tracking_id, "size": p.size, "status": p.status,
                          "signature": p.signature_required, "age": p.age_check_required,
                          "pin": bool(p.delivery_pin)} for p in s.items],
            "needs": services.proof_needs(packages=s.items, rules=rules).as_dict(),
        } for s in stops],
    }


@require_POST
@permission_required("routes.drive")
def stop_outcome(request, pk):
    stop = or_404(selectors.stop_get_for_driver, user=request.user, stop_id=pk)
    outcome = request.POST.get("outcome", "")
    try:
        services.stop_outcome_record(stop=stop, outcome=outcome, reason=request.POST.get("reason", ""),
                                     note=request.POST.get("note", ""), photo=request.FILES.get("photo"),
                                     client_id=request.POST.get("client_id") or None, by=request.user)
    except DomainError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, _("Stop %(n)s: %(s)s.") % {"n": stop.sequence, "s": StopStatus(outcome).label})
    return redirect(f"{reverse('routes:today')}#stop-{stop.pk}")


def route_manifest(request, pk):
    """The printable manifest of one route (planners, the route's partner, its driver)."""
    if not request.user.is_authenticated:
        return redirect(f"{reverse('account_login')}?next={request.path}")
    if not any(user_has_perm(request.user, p) for p in ("routes.plan", "routes.dispatch", "routes.drive")):
        raise Http404
    route = or_404(selectors.route_get_for_user, user=request.user, route_id=pk)
    return render(request, "routes/route_manifest.html", {"route": route, "stops": _stops_context(route),
                                                          "start": hms(route.start_s), "end": hms(route.end_s)})


@require_GET
@login_required
def stop_photo(request, pk):
    """Proof of delivery: whoever may see the route (its driver, its partner's dispatchers, planners);
    anyone else gets the same 404 as for a stop that does not exist."""
    stop = or_404(selectors.stop_get_for_viewer, user=request.user, stop_id=pk)
    if not stop.photo:
        raise Http404
    return private_file_response(stop.photo, download_name=f"proof-stop-{stop.pk}.jpg")
