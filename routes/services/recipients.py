"""The recipient: a tracking link per package, messages when something happens, and what they tell us back.

The link is the package's id signed with the site's secret (unguessable, nothing stored); it shows that one
package and nothing else. Messages go out once per package and trigger on each channel: a RecipientNotification
row (unique per package, trigger and channel) is written in the transaction of the change, and the message
leaves after commit (e-mail through the outbox, core.mail; SMS through routes.sms).
Integrators hear `recipient.notified` (no contact details in it).

Triggers: the route starts (and the first few stops are already "a few stops away"), the driver comes within
LiveSettings.nearby_stops stops, a delivery, a failed attempt."""

import uuid
from collections import defaultdict
from datetime import datetime

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audience import Audience
from core.errors import Conflict, NotFound, ValidationFailed
from core.events import events_record_bulk
from core.mail import mail_queue
from routes.models import (
    LiveSettings,
    NotificationTrigger,
    Package,
    PackageStatus,
    RecipientFeedback,
    RecipientNotification,
    Route,
    RouteStop,
    StopKind,
    StopStatus,
)

T = NotificationTrigger
_SIGNER = signing.Signer(salt="routes.tracking", sep=".")


# -- the link ----------------------------------------------------------------------------------------------------


def tracking_token(package_id: int) -> str:
    return _SIGNER.sign(str(package_id))


def tracking_url(package_id: int) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("track", args=[tracking_token(package_id)])


def package_for_token(*, token: str) -> Package:
    """The package a tracking link names; NotFound for anything that is not a link we made."""
    try:
        package_id = _SIGNER.unsign(str(token)[:200])
    except signing.BadSignature as exc:
        raise NotFound() from exc
    package = (Package.objects.select_related("stop__route__plan__station", "station").filter(pk=package_id).first()
               if package_id.isdigit() else None)
    if package is None:
        raise NotFound()
    return package


# -- messages ----------------------------------------------------------------------------------------------------


def _hm(seconds: int | None) -> str:
    seconds = int(seconds or 0)
    return f"{seconds // 3600 % 24:02d}:{seconds % 3600 // 60:02d}"


def _text(trigger: str, package: Package, *, eta_s=None, stops_away=None, reason="") -> tuple[str, str]:
    """(subject, body) of one message."""
    tid, url = package.tracking_id, tracking_url(package.pk)
    if trigger == T.ROUTE_STARTED:
        return (_("Your package %(t)s is out for delivery") % {"t": tid},
                _("Your package %(t)s is out for delivery today; expected around %(eta)s. Track it: %(url)s")
                % {"t": tid, "eta": _hm(eta_s), "url": url})
    if trigger == T.NEARBY:
        return (_("Your package %(t)s is a few stops away") % {"t": tid},
                _("The driver is %(n)s stops away with your package %(t)s; expected around %(eta)s. %(url)s")
                % {"n": stops_away, "t": tid, "eta": _hm(eta_s), "url": url})
    if trigger == T.DELIVERED:
        return (_("Your package %(t)s was delivered") % {"t": tid},
                _("Your package %(t)s was delivered. See the proof of delivery and rate it: %(url)s")
                % {"t": tid, "url": url})
    return (_("We could not deliver your package %(t)s") % {"t": tid},
            _("We tried to deliver your package %(t)s today but could not (%(why)s). %(url)s")
            % {"t": tid, "why": reason or _("no one could take it"), "url": url})


def _channels(package: Package) -> list[tuple[str, str]]:
    wanted = set(settings.RECIPIENT_NOTIFY_CHANNELS)
    out = []
    if "email" in wanted and package.recipient_email:
        out.append((RecipientNotification.Channel.EMAIL, package.recipient_email))
    if "sms" in wanted and package.recipient_phone:
        out.append((RecipientNotification.Channel.SMS, package.recipient_phone))
    return out


def _notify(route: Route, trigger: str, packages: list[Package], extra: dict[int, dict]) -> int:
    """Write and queue the messages of one trigger for `packages` that have not had it; returns how many.
    Rows are inserted skipping those that exist (unique per package, trigger and channel), and this call sends
    only the rows it wrote (its `batch`): two outcomes at once never send the same message twice."""
    if not packages:
        return 0
    batch = uuid.uuid4()
    rows = []
    for package in packages:
        for channel, to in _channels(package):
            _subject, body = _text(trigger, package, **extra.get(package.pk, {}))
            rows.append(RecipientNotification(package=package, trigger=trigger, channel=channel, to=to, body=body,
                                              batch=batch))
    if not rows:
        return 0
    RecipientNotification.objects.bulk_create(rows, ignore_conflicts=True)
    written = list(RecipientNotification.objects.filter(batch=batch).select_related("package"))
    told = defaultdict(list)
    for row in written:
        told[row.package_id].append(row.channel)
        if row.channel == RecipientNotification.Channel.EMAIL:
            subject, _body = _text(trigger, row.package, **extra.get(row.package_id, {}))
            mail_queue(to=[row.to], subject=subject, body=row.body, dedupe_key=f"recipient:{row.pk}")
    RecipientNotification.objects.filter(batch=batch, channel=RecipientNotification.Channel.EMAIL).update(
        sent_at=timezone.now())
    sms_ids = [r.pk for r in written if r.channel == RecipientNotification.Channel.SMS]
    if sms_ids:
        transaction.on_commit(lambda: sms_send(notification_ids=sms_ids), robust=True)
    by_pk = {p.pk: p for p in packages}
    audience = Audience.partners([route.partner_id] if route.partner_id else [])
    events_record_bulk(("recipient.notified", by_pk[pk], {
        "tracking_id": by_pk[pk].tracking_id, "trigger": trigger, "channels": sorted(channels), "route": route.pk,
        "service_date": route.service_date.isoformat()}, audience) for pk, channels in told.items())
    return len(written)


def sms_send(*, notification_ids) -> None:
    """Hand queued text messages to the SMS backend (after commit); a failure is written on the row."""
    from routes.sms import SmsError, sms_backend

    backend = sms_backend()
    for row in RecipientNotification.objects.filter(pk__in=list(notification_ids), sent_at__isnull=True):
        try:
            backend.send(to=row.to, body=row.body)
        except (SmsError, OSError) as exc:
            RecipientNotification.objects.filter(pk=row.pk).update(error=str(exc)[:300])
        else:
            RecipientNotification.objects.filter(pk=row.pk).update(sent_at=timezone.now(), error="")


def _fresh(route: Route) -> Route:
    return Route.objects.select_related("plan__station").get(pk=route.pk)


def _address_packages(stops) -> list[Package]:
    return list(Package.objects.filter(stop__in=stops, stop__kind=StopKind.ADDRESS).order_by("pk"))


def _nearby(route: Route, now: datetime) -> int:
    from routes.selectors_live import route_pace

    n = LiveSettings.load().nearby_stops
    ahead = list(route.stops.filter(status=StopStatus.PENDING, kind=StopKind.ADDRESS).order_by("sequence")[:n])
    if not ahead:
        return 0
    delay = route_pace(route=route, now=now).delay_s or 0
    extra = {}
    packages = _address_packages(ahead)
    position = {s.pk: k for k, s in enumerate(ahead)}
    arrival = {s.pk: s.planned_arrival_s for s in ahead}
    for p in packages:
        extra[p.pk] = {"stops_away": position[p.stop_id] + 1, "eta_s": arrival[p.stop_id] + max(delay, 0)}
    return _notify(route, T.NEARBY, packages, extra)


def recipients_route_started(*, route: Route, now: datetime | None = None) -> int:
    """Tell every recipient on the route that it left (once), and the first few that it is close."""
    now = now or timezone.now()
    with transaction.atomic():
        route = _fresh(route)
        stops = list(route.stops.filter(status=StopStatus.PENDING, kind=StopKind.ADDRESS))
        arrival = {s.pk: s.planned_arrival_s for s in stops}
        packages = _address_packages(stops)
        sent = _notify(route, T.ROUTE_STARTED, packages, {p.pk: {"eta_s": arrival[p.stop_id]} for p in packages})
        return sent + _nearby(route, now)


def recipients_reachable(*, route_ids) -> bool:
    """Whether any recipient on these routes can be told anything (a package at an address stop with an e-mail or
    a phone on a channel the program uses): when none can, `recipients_stop_outcome` writes and sends nothing."""
    wanted = set(settings.RECIPIENT_NOTIFY_CHANNELS)
    q = Q(pk__in=[])
    if "email" in wanted:
        q |= ~Q(recipient_email="")
    if "sms" in wanted:
        q |= ~Q(recipient_phone="")
    return Package.objects.filter(q, stop__route_id__in=list(route_ids), stop__kind=StopKind.ADDRESS).exists()


def recipients_stop_outcome(*, stop: RouteStop, now: datetime | None = None) -> int:
    """After a stop's outcome: its recipients hear delivered / attempted, the next few that the driver is close.
    Call inside the outcome's transaction (or after it); a second call sends nothing new."""
    now = now or timezone.now()
    with transaction.atomic():
        route = _fresh(stop.route)
        stop = RouteStop.objects.get(pk=stop.pk)
        sent = 0
        if stop.kind == StopKind.ADDRESS and stop.status != StopStatus.PENDING:
            trigger = T.DELIVERED if stop.status == StopStatus.DELIVERED else T.ATTEMPTED
            reason = stop.get_attempt_reason_display() if stop.attempt_reason else ""
            packages = _address_packages([stop])
            sent += _notify(route, trigger, packages, {p.pk: {"reason": reason} for p in packages})
        return sent + _nearby(route, now)


# -- what the page shows -----------------------------------------------------------------------------------------


def tracking_view(*, package: Package, now: datetime | None = None) -> dict:
    """Everything the tracking page and its API show about one package, and nothing about any other."""
    from routes.selectors_live import route_pace

    now = now or timezone.now()
    stop = package.stop
    route = stop.route if stop is not None else None
    live = route is not None and route.plan.status == "published"
    view = {"tracking_id": package.tracking_id, "status": package.status,
            "status_label": PackageStatus(package.status).label, "service_date": package.service_date,
            "window": (f"{package.window_start:%H:%M}–{package.window_end:%H:%M}"
                       if package.window_start and package.window_end else ""),
            "city": package.city, "eta": None, "stops_away": None, "delivered_at": None, "attempt_reason": "",
            "has_photo": False, "at_hub": package.status == PackageStatus.HUB}
    if not live or stop.kind != StopKind.ADDRESS:
        return view
    if stop.status == StopStatus.PENDING:
        pace = route_pace(route=route, now=now)
        view["stops_away"] = route.stops.filter(status=StopStatus.PENDING, sequence__lt=stop.sequence).count()
        view["eta"] = _hm(stop.planned_arrival_s + max(pace.delay_s or 0, 0))
        if not view["window"]:
            view["window"] = f"{_hm(route.start_s)}–{_hm(route.end_s)}"
    else:
        view["delivered_at"] = stop.outcome_at if stop.status == StopStatus.DELIVERED else None
        view["attempted_at"] = stop.outcome_at if stop.status == StopStatus.ATTEMPTED else None
        view["attempt_reason"] = stop.get_attempt_reason_display() if stop.attempt_reason else ""
        view["has_photo"] = bool(stop.photo) and stop.status == StopStatus.DELIVERED
    return view


def tracking_photo(*, package: Package):
    """The proof-of-delivery photo of the package's stop, once delivered; NotFound otherwise."""
    stop = package.stop
    if stop is None or stop.status != StopStatus.DELIVERED or not stop.photo or stop.kind != StopKind.ADDRESS:
        raise NotFound()
    return stop.photo


# -- feedback ----------------------------------------------------------------------------------------------------


def recipient_feedback_record(*, package: Package, rating=None, comment: str = "",
                              not_received: bool = False) -> RecipientFeedback:
    """A rating (1-5, with an optional comment) once the delivery was made or tried, and/or "delivered, not
    received" once delivered. A second rating replaces the first; a report stays."""
    if rating in ("", None):
        rating = None
    else:
        try:
            rating = int(rating)
        except (TypeError, ValueError):
            rating = 0
        if not 1 <= rating <= 5:
            raise ValidationFailed(_("Rate the delivery from 1 to 5 stars."), code="bad_rating",
                                   fields={"rating": [_("From 1 to 5.")]})
    comment = (comment or "").strip()
    if len(comment) > 1000:
        raise ValidationFailed(_("Keep the comment under 1,000 characters."), code="comment_too_long",
                               fields={"comment": [_("Too long.")]})
    if rating is None and not not_received:
        raise ValidationFailed(_("Choose a rating, or report the package as not received."), code="empty_feedback",
                               fields={"rating": [_("Choose a rating.")]})
    if package.status not in (PackageStatus.DELIVERED, PackageStatus.ATTEMPTED):
        raise Conflict(_("You can rate the delivery once the driver has been."), code="not_delivered_yet")
    if not_received and package.status != PackageStatus.DELIVERED:
        raise Conflict(_("Only a package marked delivered can be reported as not received."), code="not_delivered")
    stop = package.stop
    route = stop.route if stop is not None else None
    with transaction.atomic():
        Package.objects.select_for_update().filter(pk=package.pk).first()
        row, _created = RecipientFeedback.objects.get_or_create(package=package, defaults={
            "stop": stop, "route": route, "partner_id": route.partner_id if route else None,
            "service_date": package.service_date})
        now = timezone.now()
        if rating is not None:
            row.rating, row.comment = rating, comment[:1000]
        if not_received and not row.not_received:
            row.not_received, row.not_received_at = True, now
            if comment and rating is None:
                row.comment = comment[:1000]
        row.updated_at = now
        row.save()
    return row
