"""Plausibility of US places: a state's time zones and rough bounds, the one home for "is this point/zone sane?".

Used by every form and service that takes an address with coordinates or a time zone (hubs, stations). Without a
geocoder, the check is the state's bounding box: it catches 0,0, a swapped sign, and a Boston point given for a
Seattle address; it cannot tell two towns of one state apart."""

import zoneinfo
from datetime import datetime
from decimal import Decimal
from functools import cache

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

# code: (name, IANA zones used in the state, (south, north, west, east) in degrees)
STATES = {
    "AL": ("Alabama", ["America/Chicago", "America/New_York"], (30.1, 35.1, -88.5, -84.9)),
    "AK": ("Alaska", ["America/Anchorage", "America/Juneau", "America/Sitka", "America/Yakutat", "America/Nome",
                      "America/Metlakatla", "America/Adak"], (51.2, 71.5, -180.0, -129.9)),
    "AZ": ("Arizona", ["America/Phoenix", "America/Denver"], (31.3, 37.0, -114.9, -109.0)),
    "AR": ("Arkansas", ["America/Chicago"], (33.0, 36.5, -94.7, -89.6)),
    "CA": ("California", ["America/Los_Angeles"], (32.5, 42.0, -124.5, -114.1)),
    "CO": ("Colorado", ["America/Denver"], (37.0, 41.0, -109.1, -102.0)),
    "CT": ("Connecticut", ["America/New_York"], (40.9, 42.1, -73.8, -71.8)),
    "DE": ("Delaware", ["America/New_York"], (38.4, 39.9, -75.8, -75.0)),
    "DC": ("District of Columbia", ["America/New_York"], (38.79, 39.0, -77.12, -76.9)),
    "FL": ("Florida", ["America/New_York", "America/Chicago"], (24.4, 31.0, -87.7, -80.0)),
    "GA": ("Georgia", ["America/New_York"], (30.3, 35.0, -85.7, -80.8)),
    "HI": ("Hawaii", ["Pacific/Honolulu"], (18.9, 22.3, -160.3, -154.8)),
    "ID": ("Idaho", ["America/Boise", "America/Los_Angeles"], (41.9, 49.0, -117.3, -111.0)),
    "IL": ("Illinois", ["America/Chicago"], (36.9, 42.5, -91.6, -87.0)),
    "IN": ("Indiana", ["America/Indiana/Indianapolis", "America/New_York", "America/Chicago"],
           (37.7, 41.8, -88.1, -84.8)),
    "IA": ("Iowa", ["America/Chicago"], (40.3, 43.5, -96.7, -90.1)),
    "KS": ("Kansas", ["America/Chicago", "America/Denver"], (36.9, 40.0, -102.1, -94.6)),
    "KY": ("Kentucky", ["America/New_York", "America/Kentucky/Louisville", "America/Chicago"],
           (36.5, 39.2, -89.6, -81.9)),
    "LA": ("Louisiana", ["America/Chicago"], (28.9, 33.0, -94.1, -88.8)),
    "ME": ("Maine", ["America/New_York"], (43.0, 47.5, -71.1, -66.9)),
    "MD": ("Maryland", ["America/New_York"], (37.9, 39.8, -79.5, -75.0)),
    "MA": ("Massachusetts", ["America/New_York"], (41.2, 42.9, -73.5, -69.9)),
    "MI": ("Michigan", ["America/Detroit", "America/New_York", "America/Menominee", "America/Chicago"],
           (41.7, 48.3, -90.4, -82.1)),
    "MN": ("Minnesota", ["America/Chicago"], (43.5, 49.4, -97.3, -89.5)),
    "MS": ("Mississippi", ["America/Chicago"], (30.1, 35.0, -91.7, -88.1)),
    "MO": ("Missouri", ["America/Chicago"], (36.0, 40.6, -95.8, -89.1)),
    "MT": ("Montana", ["America/Denver"], (44.3, 49.0, -116.1, -104.0)),
    "NE": ("Nebraska", ["America/Chicago", "America/Denver"], (40.0, 43.0, -104.1, -95.3)),
    "NV": ("Nevada", ["America/Los_Angeles", "America/Denver"], (35.0, 42.0, -120.0, -114.0)),
    "NH": ("New Hampshire", ["America/New_York"], (42.7, 45.3, -72.6, -70.6)),
    "NJ": ("New Jersey", ["America/New_York"], (38.9, 41.4, -75.6, -73.9)),
    "NM": ("New Mexico", ["America/Denver"], (31.3, 37.0, -109.1, -103.0)),
    "NY": ("New York", ["America/New_York"], (40.5, 45.0, -79.8, -71.8)),
    "NC": ("North Carolina", ["America/New_York"], (33.8, 36.6, -84.3, -75.4)),
    "ND": ("North Dakota", ["America/Chicago", "America/Denver"], (45.9, 49.0, -104.1, -96.5)),
    "OH": ("Ohio", ["America/New_York"], (38.4, 42.0, -84.8, -80.5)),
    "OK": ("Oklahoma", ["America/Chicago"], (33.6, 37.0, -103.0, -94.4)),
    "OR": ("Oregon", ["America/Los_Angeles", "America/Boise"], (41.9, 46.3, -124.6, -116.4)),
    "PA": ("Pennsylvania", ["America/New_York"], (39.7, 42.3, -80.5, -74.7)),
    "RI": ("Rhode Island", ["America/New_York"], (41.1, 42.0, -71.9, -71.1)),
    "SC": ("South Carolina", ["America/New_York"], (32.0, 35.2, -83.4, -78.5)),
    "SD": ("South Dakota", ["America/Chicago", "America/Denver"], (42.5, 45.9, -104.1, -96.4)),
    "TN": ("Tennessee", ["America/Chicago", "America/New_York"], (35.0, 36.7, -90.3, -81.6)),
    "TX": ("Texas", ["America/Chicago", "America/Denver"], (25.8, 36.5, -106.6, -93.5)),
    "UT": ("Utah", ["America/Denver"], (37.0, 42.0, -114.1, -109.0)),
    "VT": ("Vermont", ["America/New_York"], (42.7, 45.0, -73.4, -71.5)),
    "VA": ("Virginia", ["America/New_York"], (36.5, 39.5, -83.7, -75.2)),
    "WA": ("Washington", ["America/Los_Angeles"], (45.5, 49.0, -124.8, -116.9)),
    "WV": ("West Virginia", ["America/New_York"], (37.2, 40.6, -82.6, -77.7)),
    "WI": ("Wisconsin", ["America/Chicago"], (42.5, 47.1, -92.9, -86.8)),
    "WY": ("Wyoming", ["America/Denver"], (41.0, 45.0, -111.1, -104.1)),
    "PR": ("Puerto Rico", ["America/Puerto_Rico"], (17.9, 18.5, -67.3, -65.2)),
}
# Bounds are rough: a point this close outside its state's box still passes (border towns, coarse boxes).
MARGIN_DEGREES = 0.25
ZONE_LABELS = {"America/New_York": _lazy("Eastern"), "America/Chicago": _lazy("Central"),
               "America/Denver": _lazy("Mountain"),
               "America/Phoenix": _lazy("Arizona"), "America/Los_Angeles": _lazy("Pacific"),
               "America/Anchorage": _lazy("Alaska"), "Pacific/Honolulu": _lazy("Hawaii"),
               "America/Puerto_Rico": _lazy("Atlantic")}


# The states as model/form choices, (code, name) in the table's order: the one list every app offers.
US_STATES = [(code, name) for code, (name, _zones, _bounds) in STATES.items()]


def state_name(code: str) -> str:
    return STATES[code][0] if code in STATES else code


@cache
def _offsets(zone: str) -> tuple | None:
    """A zone's UTC offsets in winter and summer: two names with the same pair keep the same clock."""
    try:
        tz = zoneinfo.ZoneInfo(zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None
    return tuple(datetime(2025, month, 15, 12, tzinfo=tz).utcoffset() for month in (1, 7))


def state_zone(state: str) -> str:
    """The zone of a state that keeps one clock ('' for a multi-zone state: the place must say which)."""
    entry = STATES.get((state or "").upper())
    if entry is None:
        return ""
    zones = {_offsets(z) for z in entry[1]}
    return entry[1][0] if len(zones) == 1 else ""


def state_problem(state: str) -> str:
    if (state or "").upper() not in STATES:
        return _("Enter a US state as its two-letter code, such as WA.")
    return ""


def zone_problem(*, state: str, time_zone: str) -> str:
    """'' when the zone's clock is one the state keeps (multi-zone states allow each of theirs), else a sentence."""
    state = (state or "").upper()
    offsets = _offsets(time_zone or "")
    if offsets is None:
        return _("Unknown time zone.")
    if state not in STATES:
        return ""
    name, zones, _box = STATES[state]
    if any(_offsets(z) == offsets for z in zones):
        return ""
    choices = ", ".join(str(ZONE_LABELS.get(z, z)) for z in zones if z in ZONE_LABELS) or ", ".join(zones)
    return _("%(state)s keeps %(zones)s time; choose that time zone.") % {"state": name, "zones": choices}


def point_problem(*, state: str, latitude, longitude) -> str:
    """'' when the point lies in (or just beside) the state's rough bounding box, else a sentence."""
    lat = latitude if type(latitude) is Decimal else Decimal(str(latitude))  # a manifest's 10,000 are Decimals
    lng = longitude if type(longitude) is Decimal else Decimal(str(longitude))
    if lat == 0 and lng == 0:
        return _("0, 0 is in the Atlantic Ocean: enter the address's real coordinates from your map app.")
    state = (state or "").upper()
    if state not in STATES:
        return ""
    south, north, west, east = _box(state)
    if south <= lat <= north and west <= lng <= east:
        return ""
    return _("These coordinates are not in %(state)s: check the address or the point (US longitudes are "
             "negative, e.g. -122.33).") % {"state": STATES[state][0]}


@cache
def _box(state: str) -> tuple[Decimal, Decimal, Decimal, Decimal]:
    """The state's box with the margin, as Decimals (a manifest checks 10,000 points against a few states)."""
    _name, _zones, (south, north, west, east) = STATES[state]
    m = Decimal(str(MARGIN_DEGREES))
    return Decimal(str(south)) - m, Decimal(str(north)) + m, Decimal(str(west)) - m, Decimal(str(east)) + m


def us_point_problem(*, latitude, longitude) -> str:
    """'' when the point lies in some state's rough box (for places without a state field, such as a station)."""
    if problem := point_problem(state="", latitude=latitude, longitude=longitude):
        return problem
    if any(not point_problem(state=code, latitude=latitude, longitude=longitude) for code in STATES):
        return ""
    return _("These coordinates are not in the United States (US longitudes are negative, e.g. -122.33).")


def us_zone_problem(time_zone: str) -> str:
    """'' when the zone keeps the clock of some US state."""
    offsets = _offsets(time_zone or "")
    if offsets is None:
        return _("Unknown time zone.")
    if any(_offsets(zone) == offsets for _name, zones, _box in STATES.values() for zone in zones):
        return ""
    return _("Choose a US time zone, such as America/Los_Angeles.")
