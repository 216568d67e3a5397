"""The driver's day on a route: start after load-out, scans (load-out, at the stop, back at the station),
calls and texts through the platform, returns, complete.

`route_start` and `route_complete` are the one place a route starts and ends: a rule about starting (a
passed pre-trip inspection of the van, say) belongs in `route_start`.
"""

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audience import Audience
from core.calendar import closed_reason
from core.errors import Conflict, ValidationFailed
from core.events import event_record
from core.workflow import transition
from routes.models import (
    ROUTE_WORKFLOW,
    ContactChannel,
    Package,
    PackageScan,
    PackageStatus,
    Route,
    RouteEvent,
    RouteStatus,
    RouteStop,
    ScanKind,
    ScanResult,
    StopContact,
    StopKind,
    StopStatus,
)
from routes.services.recipients import recipients_route_started


def _actor(by):
    return by if by is not None and by.is_authenticated else None


def _audience(route):
    return Audience.partner(route.partner_id) if route.partner_id else Audience.program()


def _stamp(occurred_at, now):
    return occurred_at if occurred_at and occurred_at <= now else now


def route_packages(route: Route):
    return Package.objects.filter(stop__route=route)


def route_load_check(*, route: Route) -> dict:
    """The van's load against the route: packages scanned at load-out, and those not (yet)."""
    packages = list(route_packages(route).values_list("pk", "tracking_id"))
    loaded = set(PackageScan.objects.filter(route=route, kind=ScanKind.LOAD, result=ScanResult.OK)
                 .values_list("package_id", flat=True))
    return {"packages": len(packages), "loaded": sum(1 for pk, _t in packages if pk in loaded),
            "missing": sorted(t for pk, t in packages if pk not in loaded)}


def route_start(*, route: Route, by=None, occurred_at: datetime | None = None) -> Route:
    """The driver leaves the station. Started once; a second start of a started route is a no-op."""
    with transaction.atomic():
        locked = Route.objects.select_for_update().get(pk=route.pk)
        if locked.status == RouteStatus.STARTED:
            return locked
        load = route_load_check(route=locked)
        now = timezone.now()
        note = _("%(n)s of %(m)s packages scanned at load-out") % {"n": load["loaded"], "m": load["packages"]}
        locked = transition(instance=locked, to=RouteStatus.STARTED, workflow=ROUTE_WORKFLOW, log_model=RouteEvent,
                            subject_field="route", actor=_actor(by), note=note,
                            changes={"started_at": _stamp(occurred_at, now)})
        event_record(type="route.started", subject=locked, payload={
            "route_id": locked.pk, "code": locked.code, "service_date": locked.service_date.isoformat(),
            "loaded": load["loaded"], "packages": load["packages"]}, audience=_audience(locked))
        recipients_route_started(route=locked)  # live dispatch: "out for delivery" to every recipient, once
    return locked


def route_returns_due(*, route: Route):
    """Packages that end the day back at the station: attempted (or undeliverable) and not yet scanned there."""
    return route_packages(route).filter(stop__kind=StopKind.ADDRESS, status=PackageStatus.ATTEMPTED)


def route_complete(*, route: Route, by=None, occurred_at: datetime | None = None) -> Route:
    """The driver is back: every stop has an outcome and every package not delivered was scanned at the station."""
    with transaction.atomic():
        locked = Route.objects.select_for_update().get(pk=route.pk)
        if locked.status == RouteStatus.COMPLETED:
            return locked
        if locked.status != RouteStatus.STARTED:
            raise Conflict(_("Start the route before completing it."), code="route_not_started")
        pending = list(locked.stops.filter(status=StopStatus.PENDING).values_list("sequence", flat=True)[:10])
        if pending:
            raise Conflict(_("Mark every stop first; still to do: %(stops)s.")
                           % {"stops": ", ".join(str(n) for n in pending)}, code="stops_pending")
        due = list(route_returns_due(route=locked).values_list("tracking_id", flat=True)[:10])
        if due:
            raise Conflict(_("Scan the packages you bring back at the station first: %(ids)s.")
                           % {"ids": ", ".join(due)}, code="returns_pending")
        counts = locked.stops.aggregate(delivered=Count("pk", filter=Q(status=StopStatus.DELIVERED)),
                                        attempted=Count("pk", filter=Q(status=StopStatus.ATTEMPTED)))
        returned = route_packages(locked).filter(status=PackageStatus.RETURNED).count()
        locked = transition(instance=locked, to=RouteStatus.COMPLETED, workflow=ROUTE_WORKFLOW,
                            log_model=RouteEvent, subject_field="route", actor=_actor(by),
                            changes={"completed_at": _stamp(occurred_at, timezone.now())})
        event_record(type="route.completed", subject=locked, payload={
            "route_id": locked.pk, "code": locked.code, "service_date": locked.service_date.isoformat(),
            "delivered": counts["delivered"], "attempted": counts["attempted"], "returned": returned},
            audience=_audience(locked))
    return locked


SCAN_MESSAGES = {
    ScanResult.NOT_ON_ROUTE: _("%(code)s is not on this route."),
    ScanResult.WRONG_STOP: _("%(code)s is on this route but not for this stop."),
    ScanResult.NOT_RETURNABLE: _("%(code)s has nothing to return (it was not attempted, or is back already)."),
}


def scan_message(result: str, code: str) -> str:
    return str(SCAN_MESSAGES[result]) % {"code": code} if result in SCAN_MESSAGES else ""


def _next_open_day(day):
    for step in range(1, 8):
        candidate = day + timedelta(days=step)
        if not closed_reason(candidate):
            return candidate
    return day + timedelta(days=1)


def package_carry_forward(*, package: Package) -> Package:
    """The returned package on the next open day's manifest, for a new attempt (a manifest import of the same
    tracking id that day is then a no-op)."""
    day = _next_open_day(package.service_date)
    fields = {f: getattr(package, f) for f in (
        "station_id", "recipient_name", "address_line1", "city", "state", "postal_code", "latitude", "longitude",
        "address_key", "size", "volume_l", "weight_kg", "window_start", "window_end", "signature_required",
        "age_check_required", "delivery_pin")}
    again, _created = Package.objects.get_or_create(service_date=day, tracking_id=package.tracking_id,
                                                    defaults={**fields, "returned_from": package})
    return again


def package_scan(*, route: Route, code: str, kind: str, stop: RouteStop | None = None, by=None,
                 occurred_at: datetime | None = None, client_id=None) -> PackageScan:
    """Record one scan. A code not on the route (or not for this stop, or with nothing to return) is recorded
    with that result: the phone says so at once, the record keeps it. A return scan brings the package back to
    the station and onto the next day's manifest."""
    code = (code or "").strip().upper()
    if not code or len(code) > 64:
        raise ValidationFailed(_("Scan or type a tracking id."), code="empty_scan", fields={"code": [_("Required.")]})
    if kind not in ScanKind.values:
        raise ValidationFailed(_("Unknown kind of scan."), code="unknown_scan_kind")
    now = timezone.now()
    with transaction.atomic():
        package = (route_packages(route).select_for_update(of=("self",)).select_related("stop")
                   .filter(tracking_id__iexact=code).first())
        result = ScanResult.OK
        if package is None:
            result = ScanResult.NOT_ON_ROUTE
        elif kind == ScanKind.DELIVERY and stop is not None and package.stop_id != stop.pk:
            result = ScanResult.WRONG_STOP
        elif kind == ScanKind.RETURN:
            if package.status != PackageStatus.ATTEMPTED:
                result = ScanResult.NOT_RETURNABLE
            else:
                package.status = PackageStatus.RETURNED
                package.save(update_fields=["status"])
                package_carry_forward(package=package)
        return PackageScan.objects.create(route=route, package=package, stop=stop if stop else None, code=code,
                                          kind=kind, result=result, by=_actor(by), occurred_at=_stamp(occurred_at, now),
                                          client_id=client_id)


def stop_contact_record(*, stop: RouteStop, channel: str, by=None, occurred_at: datetime | None = None,
                        client_id=None) -> StopContact:
    if channel not in ContactChannel.values:
        raise ValidationFailed(_("Call or text."), code="unknown_channel", fields={"channel": [_("Call or text.")]})
    return StopContact.objects.create(stop=stop, channel=channel, by=_actor(by),
                                      occurred_at=_stamp(occurred_at, timezone.now()), client_id=client_id)
