"""The recipient: a tracking link per package, messages when something happens, and what they tell us back.

The link is the package's id signed with the site's secret (unguessable, nothing stored); it shows that one
package and nothing else. Messages go out once per package and trigger on each channel: a RecipientNotification
row (unique per package, trigger and channel) is written in the transaction of the change, and the message
leaves after commit (e-mail through the outbox, core.mail; SMS through routes.sms).
Integrators hear `recipient.notified` (no contact details in it).

Triggers: the route starts (and the first few stops are already "a few stops away"), the driver comes within
LiveSettings.nearby_stops stops, a delivery, a failed attempt."""

import functools
import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime

from django.conf import settings
from django.core import signing
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audience import Audience
from core.bulksql import rows_relation
from core.compiled import execute
from core.errors import Conflict, NotFound, ValidationFailed
from core.events import events_record_bulk
from core.mail import mail_queue
from core.models import OutboxEmail
from core.taskqueue import enqueue_on_commit
from hubs.models import AttemptReason
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
from routes.services.outcome_reads import nearby_stops, packages_at, route_stops

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


def _text(trigger: str, package: Package, *, eta_s=None, stops_away=None, reason="", url=None) -> tuple[str, str]:
    """(subject, body) of one message (`url`: the package's tracking_url, when the caller has it)."""
    tid, url = package.tracking_id, url or tracking_url(package.pk)
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
    # in the order written (a batch of outcomes writes them in the order of its taps)
    for row in RecipientNotification.objects.filter(pk__in=list(notification_ids), sent_at__isnull=True).order_by("pk"):
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


# -- a batch of outcomes ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Tap:
    """One outcome of a batch, as its recipients hear of it: the stop, its route and what the driver reported."""

    stop_id: int
    route_id: int
    status: str
    attempt_reason: str = ""


@dataclass
class Message:
    """One message `recipients_stop_outcome` would write at that point of the batch (when not already written)."""

    package_id: int
    tracking_id: str
    trigger: str
    channel: str
    to: str
    subject: str
    body: str
    route_id: int


class _PackageRef:
    """What the outbox reads of an event's subject (its model and its pk), without building the Package."""

    __slots__ = ("pk",)
    _meta = Package._meta

    def __init__(self, pk):
        self.pk = pk


def recipients_window(stops: list[tuple], taps: list[Tap], n: int) -> set[int]:
    """The stops whose recipients `taps` may tell something: the tapped stops and, on each route, the first n + (its
    taps) pending address stops (`stops` in outcome_reads.STOP_STATE's columns, by route and sequence)."""
    count = defaultdict(int)
    for tap in taps:
        count[tap.route_id] += 1
    window = {t.stop_id for t in taps}
    left = {route_id: n + k for route_id, k in count.items()}
    for route_id, pk, _sequence, kind, status, *_rest in stops:
        if left.get(route_id, 0) > 0 and kind == StopKind.ADDRESS and status == StopStatus.PENDING:
            window.add(pk)
            left[route_id] -= 1
    return window


def recipients_stop_outcomes(*, routes: dict, taps: list[Tap], now: datetime, stops: list[tuple] | None = None,
                             packages: list | None = None, nearby: int | None = None) -> list[Message]:
    """What `recipients_stop_outcome` would tell recipients after each of `taps`, called one by one in their order
    with the clock at `now` (the stops' outcome time): delivered / attempted to the stop's recipients, "a few stops
    away" (with the stops left and the ETA of that moment) to those who came within `LiveSettings.nearby_stops`,
    each at most once per package, trigger and channel. Reads the routes' stops as they were before the taps
    (call it before writing them); `routes` maps each route id to its Route (with plan and station). A caller that
    read them already passes the routes' `stops` (outcome_reads.route_stops), `nearby` (outcome_reads.nearby_stops)
    and the `packages` (outcome_reads.PackageRow) at least of `recipients_window`. A message already written
    earlier is still in the list: `recipients_messages_write` skips it, as `_notify` does."""
    if not taps or not _wanted_channels():
        return []
    route_ids = sorted({t.route_id for t in taps})
    stops = route_stops(route_ids) if stops is None else stops
    n = nearby_stops() if nearby is None else nearby
    if packages is None:
        packages = packages_at(recipients_window(stops, taps, n))
    open_address = {s[1] for s in stops if s[3] == StopKind.ADDRESS and s[4] == StopStatus.PENDING}
    packages = sorted((p for p in packages if p.stop_id in open_address and (p.recipient_email or p.recipient_phone)),
                      key=lambda p: p.pk)  # as _address_packages orders them
    if not packages:
        return []
    by_stop = defaultdict(list)
    for package in packages:
        by_stop[package.stop_id].append(package)
    by_route = defaultdict(list)
    for row in stops:
        by_route[row[0]].append(row)
    simulations = {route_id: _Simulation(routes[route_id], by_route[route_id], now) for route_id in route_ids}
    messages, considered, urls = [], set(), _tracking_urls()
    for tap in taps:
        sim = simulations[tap.route_id]
        sim.apply(tap)
        if sim.kind[tap.stop_id] == StopKind.ADDRESS:
            trigger = T.DELIVERED if tap.status == StopStatus.DELIVERED else T.ATTEMPTED
            reason = str(_REASONS.get(tap.attempt_reason, tap.attempt_reason)) if tap.attempt_reason else ""
            for package in by_stop.get(tap.stop_id, ()):
                if (package.pk, trigger) not in considered:
                    considered.add((package.pk, trigger))
                    messages.extend(_messages(sim.route, trigger, package, {"reason": reason}, urls))
        ahead = sim.ahead(n)
        fresh = [p for stop_id in ahead for p in by_stop.get(stop_id, ()) if (p.pk, T.NEARBY) not in considered]
        if not fresh:
            continue
        delay = max(sim.delay_s(), 0)
        position = {stop_id: k for k, stop_id in enumerate(ahead)}
        for package in sorted(fresh, key=lambda p: p.pk):
            considered.add((package.pk, T.NEARBY))
            messages.extend(_messages(sim.route, T.NEARBY, package, {
                "stops_away": position[package.stop_id] + 1, "eta_s": sim.arrival[package.stop_id] + delay}, urls))
    return messages


_REASONS = dict(AttemptReason.choices)  # what get_attempt_reason_display() shows


def _wanted_channels() -> set:
    return set(settings.RECIPIENT_NOTIFY_CHANNELS) & {"email", "sms"}


def _tracking_urls():
    """`tracking_url` for many packages: the link's path resolved once (reverse costs more than the signature)."""
    marker = "0000000000.marker"
    head, tail = tracking_url(0).replace(tracking_token(0), marker).split(marker)
    return lambda package_id: f"{head}{tracking_token(package_id)}{tail}"


def _messages(route: Route, trigger: str, package, extra: dict, urls) -> list[Message]:
    """The messages of one trigger to one package (an outcome_reads.PackageRow: what _text and _channels read of a
    Package), channel by channel as `_channels` orders them; `urls` is `_tracking_urls()`."""
    channels = _channels(package)
    if not channels:
        return []
    subject, body = _text(trigger, package, **extra, url=urls(package.pk))
    return [Message(package_id=package.pk, tracking_id=package.tracking_id, trigger=trigger, channel=channel, to=to,
                    subject=subject, body=body, route_id=route.pk) for channel, to in channels]


class _Simulation:
    """One route's stops as the taps of a batch change them, with what `route_pace` and `_nearby` read of them:
    the pending address stops in order, the last outcome (`-outcome_at, -sequence`, NULLs where the database
    puts them) and the next pending stop."""

    def __init__(self, route: Route, stops: list[tuple], now: datetime):
        self.route, self.now = route, now
        self.kind = {s[1]: s[3] for s in stops}
        self.arrival = {s[1]: s[6] for s in stops}
        self.sequence = {s[1]: s[2] for s in stops}
        self.end = {s[1]: s[6] + s[7] for s in stops}
        self.pending = [s[1] for s in stops if s[4] == StopStatus.PENDING]  # by sequence
        done = [(s[5], s[2], s[1]) for s in stops if s[4] != StopStatus.PENDING]
        self.last = max(done, key=self._order) if done else None

    @staticmethod
    def _order(done: tuple):
        """The sort key of `-outcome_at, -sequence` (largest first): PostgreSQL puts NULLs first when descending,
        SQLite last."""
        at, sequence, _pk = done
        nulls_first = connection.vendor == "postgresql"
        return (at is None) == nulls_first, at or datetime.min.replace(tzinfo=UTC), sequence

    def apply(self, tap: Tap) -> None:
        if tap.stop_id in self.pending:
            self.pending.remove(tap.stop_id)
        mine = (self.now, self.sequence[tap.stop_id], tap.stop_id)
        if self.last is None or self._order(mine) > self._order(self.last):
            self.last = mine

    def ahead(self, n: int) -> list[int]:
        out = []
        for pk in self.pending:
            if len(out) == n:
                break
            if self.kind[pk] == StopKind.ADDRESS:
                out.append(pk)
        return out

    def delay_s(self) -> int:
        from routes.services.live import pace_of

        at, _sequence, pk = self.last if self.last else (None, None, None)
        pace = pace_of(route=self.route, now=self.now, done=0, left=0, attempted=0, last_outcome_at=at,
                       last_planned_end_s=self.end[pk] if pk is not None else None,
                       next_planned_s=self.arrival[self.pending[0]] if self.pending else None, started=True)
        return pace.delay_s or 0


def recipients_messages_write(messages: list[Message], *, routes: dict, now: datetime) -> list[tuple]:
    """Write `messages` (`recipients_stop_outcomes`) as `_notify` writes them: the rows that do not exist yet
    (unique per package, trigger and channel), e-mails queued and texts sent after commit for those rows only.
    Answers the `recipient.notified` events of the packages told, `(type, subject, payload, audience)`, for the
    caller to write with its own events. One statement on PostgreSQL; the ORM's bulk calls elsewhere."""
    if not messages:
        return []
    if connection.vendor == "postgresql":
        written = _messages_write_postgresql(messages, now)
    else:
        written = _messages_write_portable(messages, now)
    sms_ids = [written[k] for k, m in enumerate(messages) if k in written and m.channel == "sms"]
    if sms_ids:
        transaction.on_commit(lambda: sms_send(notification_ids=sms_ids), robust=True)
    told = {}
    for k, m in enumerate(messages):
        if k in written:
            told.setdefault((m.package_id, m.trigger), (m, []))[1].append(m.channel)
    events = []
    for (package_id, trigger), (m, channels) in told.items():
        route = routes[m.route_id]
        events.append(("recipient.notified", _PackageRef(package_id), {
            "tracking_id": m.tracking_id, "trigger": trigger, "channels": sorted(channels), "route": route.pk,
            "service_date": route.service_date.isoformat()},
            Audience.partners([route.partner_id] if route.partner_id else [])))
    return events


def _messages_write_portable(messages: list[Message], now: datetime) -> dict[int, int]:
    """{index in `messages`: notification id} of the rows written; e-mails queued for them."""
    batch = uuid.uuid4()
    RecipientNotification.objects.bulk_create([
        RecipientNotification(package_id=m.package_id, trigger=m.trigger, channel=m.channel, to=m.to, body=m.body,
                              batch=batch, created_at=now,
                              sent_at=now if m.channel == RecipientNotification.Channel.EMAIL else None)
        for m in messages], ignore_conflicts=True)
    ids = {(r[1], r[2], r[3]): r[0] for r in RecipientNotification.objects.filter(batch=batch).values_list(
        "pk", "package_id", "trigger", "channel")}
    written = {k: ids[(m.package_id, m.trigger, m.channel)] for k, m in enumerate(messages)
               if (m.package_id, m.trigger, m.channel) in ids}
    emails = OutboxEmail.objects.bulk_create([
        OutboxEmail(to=[m.to], subject=m.subject, body=m.body, dedupe_key=f"recipient:{written[k]}", created_at=now)
        for k, m in enumerate(messages) if k in written and m.channel == RecipientNotification.Channel.EMAIL])
    _mails_send_on_commit([e.pk for e in emails])
    return written


# E-mails one task sends in turn: one task for a batch of 30 taps (some 60 e-mails), several for a bigger one.
MAILS_PER_TASK = 100


def _mails_send_on_commit(email_ids: list[int]) -> None:
    """What `mail_queue` does for each e-mail (sent after commit by a task), with one task per MAILS_PER_TASK."""
    for k in range(0, len(email_ids), MAILS_PER_TASK):
        enqueue_on_commit("routes.recipient_mails_send", email_ids[k:k + MAILS_PER_TASK])


_MESSAGE_COLUMNS = ["k", "package_id", "trigger", "channel", "to", "subject", "body", "sent_at"]
_MESSAGE_CASTS = ["integer", "bigint", "varchar", "varchar", "varchar", "text", "text", "timestamptz"]


def _messages_write_postgresql(messages: list[Message], now: datetime) -> dict[int, int]:
    """One statement: the notification rows (skipping those that exist), then an outbox e-mail for each e-mail
    row written, in the messages' order; answers what `_messages_write_portable` answers."""
    relation, params = rows_relation(_MESSAGE_COLUMNS, _MESSAGE_CASTS, [
        (k, m.package_id, m.trigger, m.channel, m.to, m.subject, m.body,
         now if m.channel == RecipientNotification.Channel.EMAIL else None) for k, m in enumerate(messages)])
    with connection.cursor() as cursor:
        execute(cursor, _messages_sql_template().replace("{relation}", relation), [*params, now, now])
        rows = cursor.fetchall()
    written = {k: pk for kind, k, pk in rows if kind == "n"}
    _mails_send_on_commit(sorted(pk for kind, _k, pk in rows if kind == "m"))
    return written


@functools.cache
def _messages_sql_template() -> str:
    notification, email = RecipientNotification._meta.db_table, OutboxEmail._meta.db_table
    # Identifiers from model metadata; every value is a parameter ({relation} is core.bulksql's).
    return (
        "WITH v AS MATERIALIZED (SELECT * FROM {relation}), "  # noqa: S608 - see above
        f'n AS (INSERT INTO "{notification}" ("package_id", "trigger", "channel", "to", "body", "sent_at", "error", '
        '"batch", "created_at") SELECT v."package_id", v."trigger", v."channel", v."to", v."body", v."sent_at", '
        "'', NULL, %s FROM v ORDER BY v.k ON CONFLICT DO NOTHING "
        'RETURNING "id", "package_id", "trigger", "channel"), '
        "w AS (SELECT v.k, n.id FROM n JOIN v USING (package_id, trigger, channel)), "
        f'm AS (INSERT INTO "{email}" ("to", "from_email", "subject", "body", "html", "dedupe_key", "created_at", '
        '"attempts", "last_error") SELECT jsonb_build_array(v."to"), \'\', v."subject", v."body", \'\', '
        "'recipient:' || w.id, %s, 0, '' FROM w JOIN v USING (k) WHERE v.channel = 'email' "
        'ORDER BY w.k RETURNING "id") '
        "SELECT 'n', w.k, w.id FROM w UNION ALL SELECT 'm', m.id, m.id FROM m")


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
