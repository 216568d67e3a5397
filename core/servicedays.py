"""What "today", "tomorrow" and "this week" mean: a service day is a local date at a place.

A station, a hub, or anything with a `tz` (or a `time_zone` name) is a place; at 18:30 in Seattle it is
still today there though it is tomorrow in UTC. Every page, task and count asks here, never
`timezone.localdate()` (the server's zone) or `now().date()` (UTC)."""

import zoneinfo
from datetime import date, datetime, timedelta, tzinfo

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

SUNDAY = 6  # date.weekday() numbering: Monday is 0


def place_tz(place) -> tzinfo:
    """The time zone of a place: an object with `tz` or `time_zone`, a tzinfo, a zone name, or None (the
    program's zone, `PROGRAM_TIME_ZONE`)."""
    if place is None:
        return zoneinfo.ZoneInfo(settings.PROGRAM_TIME_ZONE)
    if isinstance(place, tzinfo):
        return place
    if isinstance(place, str):
        return zoneinfo.ZoneInfo(place)
    if getattr(place, "tz", None) is not None:
        return place.tz
    return zoneinfo.ZoneInfo(place.time_zone)


def service_today(place=None, *, now: datetime | None = None) -> date:
    """The service day it is now at `place`."""
    return (now or timezone.now()).astimezone(place_tz(place)).date()


def service_tomorrow(place=None, *, now: datetime | None = None) -> date:
    return service_today(place, now=now) + timedelta(days=1)


def service_week(place=None, *, now: datetime | None = None, day: date | None = None,
                 first_weekday: int = SUNDAY) -> tuple[date, date]:
    """(first, last) day of the service week holding `day` (default: today at `place`); Sunday–Saturday
    unless `first_weekday` says otherwise (0 = Monday)."""
    day = day or service_today(place, now=now)
    first = day - timedelta(days=(day.weekday() - first_weekday) % 7)
    return first, first + timedelta(days=6)


def day_of(moment: datetime, place=None) -> date:
    """The service day a moment falls on at `place` (a delivery at 23:30 in Seattle counts that evening)."""
    return moment.astimezone(place_tz(place)).date()


def local_day_filter(zones, *, date_field: str, zone_lookup: str, offset: int = 0,
                     now: datetime | None = None) -> Q:
    """One filter matching each row's own local "today + offset", whatever zone its place is in.

    `zones` are the zone names present (a handful: `Station.objects.values_list("time_zone", flat=True)
    .distinct()`); the filter is `<zone_lookup> = zone and <date_field> = that zone's day`, or-ed over them,
    so a national console counts Seattle's tomorrow and Boston's tomorrow, each its own. Example:
    `local_day_filter(zones, date_field="service_date", zone_lookup="station__time_zone", offset=1)`."""
    query = Q(pk__in=[])
    for zone in set(zones):
        query |= Q(**{zone_lookup: zone, date_field: service_today(zone, now=now) + timedelta(days=offset)})
    return query
