"""Demo of live dispatch for `manage.py seed_demo` (after routes.demo): today's other routes of the demo partner
are on the road with a track from the phone, some stops done; one is behind, one phone has gone quiet; recipients
have e-mail and phone so they hear about their packages (console SMS), and one left a rating.

The demo driver's own route (route 1) is left ready, so their phone still starts with the load-out.
Idempotent: a route already started is left alone."""

from datetime import datetime, timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Q
from django.utils import timezone

from core.errors import DomainError
from fleet.selectors import pretrip_block_reason
from fleet.upkeep.services import inspection_record
from routes.models import Package, RouteStatus, RouteStop, StopKind, StopStatus
from routes.services import route_start, stop_outcome_record
from routes.services.live import positions_record
from routes.services.recipients import recipient_feedback_record, tracking_url

DRIVER = "driver@demo.dspportal.example"
# a 1x1 PNG: the proof photo of the demo's deliveries
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4"
       b"\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")
# per route after the demo driver's: (stops served, minutes since the last fix)
PROGRESS = [(6, 1), (3, 2), (5, 25)]


def _contacts(day):
    """Recipients of today's packages get an e-mail and a phone (example addresses, 555 numbers)."""
    rows = list(Package.objects.filter(service_date=day, recipient_email="").order_by("pk"))
    for k, p in enumerate(rows):
        p.recipient_email = f"recipient{p.pk}@example.com"
        p.recipient_phone = f"+1206555{k % 10000:04d}"
    Package.objects.bulk_update(rows, ["recipient_email", "recipient_phone"], batch_size=1000)


def _track(route, stops, now, quiet_min, day_start):
    """Fixes every 30 s along the served stops, the last `quiet_min` minutes ago (never before local midnight)."""
    end = now - timedelta(minutes=quiet_min)
    points = []
    for k, stop in enumerate(reversed(stops)):
        at = end - timedelta(seconds=30 * k)
        if at <= day_start:
            break
        points.append({"at": at.isoformat(), "lat": float(stop.latitude), "lng": float(stop.longitude),
                       "accuracy": 8})
    if points:
        positions_record(route=route, points=points[::-1], now=now)


def _drive(route, served, quiet_min, now, log):
    driver_user = route.driver.user if route.driver_id else None
    if route.vehicle_id and pretrip_block_reason(route.vehicle, route.service_date):
        # a van starts only after its pre-trip inspection that day (fleet's rule): the driver did it at the yard
        inspection_record(vehicle=route.vehicle, driver=route.driver, by=driver_user, on_date=route.service_date)
    route_start(route=route, by=driver_user)
    stops = list(route.stops.filter(kind=StopKind.ADDRESS, status=StopStatus.PENDING).order_by("sequence")[:served])
    for stop in stops:
        try:
            stop_outcome_record(stop=stop, outcome=StopStatus.DELIVERED, by=driver_user,
                                photo=SimpleUploadedFile("door.png", PNG, content_type="image/png"))
        except DomainError as exc:  # a proof rule the demo cannot give (a PIN, a signature): an attempt instead
            stop_outcome_record(stop=stop, outcome=StopStatus.ATTEMPTED, reason="nobody_home", by=driver_user)
            log(f"routes: live demo: stop {stop.sequence} of {route.code} attempted ({exc.code})")
    # served at their planned times, shifted so the route runs behind or ahead of its plan
    tz = route.plan.station.tz
    day_start = datetime.combine(route.service_date, datetime.min.time(), tzinfo=tz)
    for stop in stops:
        RouteStop.objects.filter(pk=stop.pk).update(
            outcome_at=min(now, day_start + timedelta(seconds=stop.planned_arrival_s + stop.service_s)))
    _track(route, stops or list(route.stops.order_by("sequence")[:1]), now, quiet_min, day_start)
    return stops


def seed(*, log):
    from routes.models import Route

    now = timezone.now()
    routes = list(Route.objects.filter(plan__station__code="sea1", plan__status="published", driver__isnull=False,
                                       partner__isnull=False)
                  .filter(Q(service_date__gte=(now - timedelta(days=1)).date()))
                  .exclude(driver__user__email=DRIVER).select_related("plan__station", "driver__user")
                  .order_by("service_date", "sequence"))
    today = [r for r in routes if r.service_date == r.plan.station.local_today()]
    if not today:
        log("routes: live demo: no published routes today at sea1; skipped")
        return []
    _contacts(today[0].service_date)
    for route, (served, quiet) in zip(today, PROGRESS, strict=False):
        if route.status != RouteStatus.READY:
            continue
        stops = _drive(route, served, quiet, now, log)
        delivered = next((s for s in stops if RouteStop.objects.get(pk=s.pk).status == StopStatus.DELIVERED), None)
        if delivered is not None:
            package = Package.objects.filter(stop=delivered).first()
            recipient_feedback_record(package=package, rating=5, comment="Left it right by the door, thanks!")
            log(f"routes: live demo: tracking link of a delivered package: {tracking_url(package.pk)}")
    pending = Package.objects.filter(stop__route__in=today, stop__status=StopStatus.PENDING,
                                     stop__kind=StopKind.ADDRESS).order_by("pk").first()
    if pending is not None:
        log(f"routes: live demo: tracking link of a package on its way: {tracking_url(pending.pk)}")
    log("routes: live board at /routes/live/ (owner, admin)")
    return []
