"""Where every driver is: positions from the phones, and the pace of each route against its plan.

Positions arrive in batches (the phone queues them offline like its taps). Each fix carries the time the phone
took it; `(route, recorded_at)` is unique, so a batch replayed after a lost answer adds nothing, and the track
reads in the order the fixes were taken, whatever order the batches arrived in. One batch is a fixed number of
queries (the route, one INSERT), whatever its size.

Pace: the plan says when each stop is served (`planned_arrival_s`, seconds after the station's local midnight).
A route's delay is how late its latest outcome came against the planned end of that stop, or, when the driver
has gone quiet, how late the next stop already is (now past its planned arrival). The projected finish is the
planned return plus the delay."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from core.errors import ValidationFailed
from routes.models import LiveSettings, Route, RoutePosition

MAX_BATCH = 500  # ~4 hours of fixes at one every 30 s: a phone offline longer sends several batches
FUTURE_SLACK = timedelta(minutes=5)  # phone clocks drift


def _point_problem(point, index: int) -> str | None:
    if not isinstance(point, dict):
        return _("Point %(n)s is not an object with at, lat and lng.") % {"n": index + 1}
    lat, lng = point.get("lat"), point.get("lng")
    if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in (lat, lng)):
        return _("Point %(n)s needs numeric lat and lng.") % {"n": index + 1}
    if not (-90 <= lat <= 90 and -180 <= lng <= 180):
        return _("Point %(n)s is not on Earth (lat %(lat)s, lng %(lng)s).") % {"n": index + 1, "lat": lat, "lng": lng}
    accuracy = point.get("accuracy")
    if accuracy is not None and (not isinstance(accuracy, int | float) or isinstance(accuracy, bool)
                                 or not 0 <= accuracy < 100_000):
        return _("Point %(n)s has an accuracy that is not a distance in metres.") % {"n": index + 1}
    return None


def _when(point, index: int, *, earliest: datetime, latest: datetime) -> datetime:
    raw = point.get("at")
    when = parse_datetime(raw) if isinstance(raw, str) else None
    if when is None or timezone.is_naive(when):
        raise ValidationFailed(_("Point %(n)s needs `at`, the time the phone took it, with its time zone "
                                 "(ISO 8601).") % {"n": index + 1}, code="bad_position",
                               fields={"points": [_("Point %(n)s: bad time.") % {"n": index + 1}]})
    if not earliest <= when <= latest:
        raise ValidationFailed(_("Point %(n)s was taken at %(at)s, outside the route's day.")
                               % {"n": index + 1, "at": raw}, code="position_off_day",
                               fields={"points": [_("Point %(n)s: outside the route's day.") % {"n": index + 1}]})
    return when


def _day_bounds(route: Route, now: datetime) -> tuple[datetime, datetime]:
    tz = route.plan.station.tz
    start = datetime.combine(route.service_date, datetime.min.time(), tzinfo=tz)
    return start, min(start + timedelta(days=1, hours=6), now + FUTURE_SLACK)


def positions_parse(*, route: Route, points, now: datetime | None = None) -> list[RoutePosition]:
    """The batch as rows, or a ValidationFailed naming the first bad point (then nothing is stored)."""
    if not isinstance(points, list) or not points:
        raise ValidationFailed(_("Send the positions as a non-empty list `points`."), code="no_positions",
                               fields={"points": [_("A non-empty list is required.")]})
    if len(points) > MAX_BATCH:
        raise ValidationFailed(_("At most %(n)s positions per batch; send the rest in another.") % {"n": MAX_BATCH},
                               code="batch_too_big", fields={"points": [_("Too many points.")]})
    earliest, latest = _day_bounds(route, now or timezone.now())
    rows, seen = [], set()
    for index, point in enumerate(points):
        if problem := _point_problem(point, index):
            raise ValidationFailed(problem, code="bad_position", fields={"points": [problem]})
        when = _when(point, index, earliest=earliest, latest=latest)
        if when in seen:
            continue
        seen.add(when)
        accuracy = point.get("accuracy")
        rows.append(RoutePosition(route_id=route.pk, recorded_at=when, latitude=round(float(point["lat"]), 6),
                                  longitude=round(float(point["lng"]), 6),
                                  accuracy_m=None if accuracy is None else int(accuracy)))
    return rows


def positions_record(*, route: Route, points, now: datetime | None = None) -> int:
    """Store a batch of the route's positions; fixes already stored are skipped. Returns how many were sent."""
    rows = positions_parse(route=route, points=points, now=now)
    # One INSERT (a batch is at most MAX_BATCH rows): atomic by itself, no transaction block to open and close.
    RoutePosition.objects.bulk_create(rows, ignore_conflicts=True, batch_size=MAX_BATCH)
    return len(rows)


def positions_purge(*, now: datetime | None = None) -> int:
    """Delete positions older than the program's retention (LiveSettings.track_retention_days)."""
    days = LiveSettings.load().track_retention_days
    deleted, _per_model = RoutePosition.objects.filter(
        recorded_at__lt=(now or timezone.now()) - timedelta(days=days)).delete()
    return deleted


# -- pace --------------------------------------------------------------------------------------------------------


@dataclass
class Pace:
    """A route's progress against its plan at `now` (seconds are on the station's clock)."""

    done: int
    left: int
    attempted: int
    delay_s: int | None  # + behind, - ahead; None before the route has anything to judge by
    projected_end_s: int
    shift_end_s: int
    started: bool
    finished: bool

    @property
    def delay_min(self) -> int | None:
        return None if self.delay_s is None else round(self.delay_s / 60)

    @property
    def ahead_min(self) -> int:
        return -(self.delay_min or 0)

    @property
    def over_shift_s(self) -> int:
        return max(0, self.projected_end_s - self.shift_end_s)


def local_seconds(when: datetime, route_day, tz) -> int:
    """Seconds since local midnight of the route's service day (negative before it, > 86,400 after)."""
    local = when.astimezone(tz)
    midnight = datetime.combine(route_day, datetime.min.time(), tzinfo=tz)
    return int((local - midnight).total_seconds())


def pace_of(*, route: Route, now: datetime, done: int, left: int, attempted: int, last_outcome_at,
            last_planned_end_s, next_planned_s, started: bool) -> Pace:
    """Pure: a route's pace from the few figures the board reads per route (see selectors_live)."""
    station = route.plan.station
    now_s = local_seconds(now, route.service_date, station.tz)
    delay = None
    if last_outcome_at is not None and last_planned_end_s is not None:
        delay = local_seconds(last_outcome_at, route.service_date, station.tz) - last_planned_end_s
    if next_planned_s is not None and now_s > next_planned_s:  # the next stop is already overdue
        delay = max(delay if delay is not None else 0, now_s - next_planned_s)
    projected = route.end_s + (delay or 0)
    return Pace(done=done, left=left, attempted=attempted, delay_s=delay, projected_end_s=projected,
                shift_end_s=station.shift_end_s, started=started or done > 0, finished=left == 0 and done > 0)
