"""Manifest import: parse and check every row first, then write all of them in bulk, or nothing.

Idempotent by (tracking id, service date): a row already imported for that day is a no-op.
"""

import csv
import functools
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, time
from decimal import Decimal, InvalidOperation

from django.db import connection, transaction
from django.utils.translation import gettext as _

from core.errors import ValidationFailed
from core.places import point_problem, state_problem
from routes.models import Package, PackageSize, Station
from routes.services.manifest_contacts import email_ok, phone_e164
from routes.services.manifest_copy import PACKAGE_COLUMNS, package_rows_copy

COLUMNS = ["tracking_id", "recipient_name", "address_line1", "city", "state", "postal_code", "latitude", "longitude",
           "size", "weight_kg", "window_start", "window_end", "signature_required", "recipient_email",
           "recipient_phone"]
REQUIRED = {"tracking_id", "address_line1", "latitude", "longitude"}
MAX_ROWS = 20_000
BATCH = 2000
REPORT_EVERY = 500  # rows checked between two progress reports
SIX = Decimal("0.000001")
_YES = {"yes", "y", "true", "1"}
_NO = {"no", "n", "false", "0", ""}


@dataclass
class RowError:
    row: int  # 1-based data row (the CSV header is row 0)
    field: str
    message: str

    def as_dict(self):
        return {"row": self.row, "field": self.field, "message": self.message}


SIZES = frozenset(PackageSize.values)


@dataclass
class ManifestCheck:
    rows: list[tuple] = field(default_factory=list)  # new packages' values (PACKAGE_COLUMNS), unsaved
    duplicates: int = 0  # already imported for the day: skipped
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def packages(self) -> list[Package]:
        """The new packages as unsaved model instances (a preview shows them)."""
        return [Package(**dict(zip(PACKAGE_COLUMNS, row, strict=True))) for row in self.rows]


_NOT_ALNUM = re.compile(r"[^a-z0-9]+")


def normalise_address(text: str) -> str:
    return " ".join(_NOT_ALNUM.sub(" ", text.lower()).split())


def address_key(*, latitude, longitude, address_line1: str, postal_code: str = "") -> str:
    key = f"{float(latitude):.5f},{float(longitude):.5f}|{normalise_address(address_line1)}|{postal_code.strip()}"
    return key[:260]


def manifest_rows_from_csv(data: bytes | str) -> list[dict]:
    """The CSV's rows as dicts (columns as in the sample manifest). Raises on an unreadable file."""
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ValidationFailed(_("The file is not UTF-8 text."), code="bad_csv") from exc
    reader = csv.DictReader(io.StringIO(data))
    names = reader.fieldnames or []
    missing = REQUIRED - set(names)
    if missing:
        raise ValidationFailed(_("Missing columns: %(cols)s.") % {"cols": ", ".join(sorted(missing))},
                               code="bad_csv", fields={"file": [_("Missing columns.")]})
    # DictReader's rows, built here in one comprehension (its __next__ is Python, a third of the parse)
    width = len(names)
    return [dict(zip(names, row, strict=True)) if len(row) == width else _ragged(names, row)
            for row in reader.reader if row]


def _ragged(names: list[str], row: list[str]) -> dict:
    """A line with more or fewer values than the header, as DictReader gives it: the extra under None, the
    missing as None."""
    values = dict(zip(names, row, strict=False))  # the shorter of the two
    if len(row) > len(names):
        values[None] = row[len(names):]
    for name in names[len(row):]:
        values[name] = None
    return values


def _decimal(value, name, errors, row, low=None, high=None, required=False):
    text = str(value if value is not None else "").strip()
    if not text:
        if required:
            errors.append(RowError(row, name, _("Required.")))
        return None
    try:
        number = Decimal(text)
    except InvalidOperation:
        errors.append(RowError(row, name, _("Not a number: %(v)s") % {"v": text[:20]}))
        return None
    if not number.is_finite() or (low is not None and number < low) or (high is not None and number > high):
        errors.append(RowError(row, name, _("Out of range: %(v)s") % {"v": text[:20]}))
        return None
    return number


_CLOCK = re.compile(r"(\d{1,2}):(\d{2})(?::00)?")
_BAD = object()  # a value that failed its check (cached like a good one)


@functools.lru_cache(maxsize=4096)
def _clock_parse(text: str):
    """A window's start or end as a time, or _BAD; once per distinct text (a manifest has a few dozen)."""
    match = _CLOCK.fullmatch(text)
    if not match or int(match[1]) > 23 or int(match[2]) > 59:
        return _BAD
    return time(int(match[1]), int(match[2]))


def _clock(value, name, errors, row):
    text = str(value or "").strip()
    if not text:
        return None
    parsed = _clock_parse(text)
    if parsed is _BAD:
        errors.append(RowError(row, name, _("Use a time like 09:30.")))
        return None
    return parsed


def _text(raw, name, limit):
    return str(raw.get(name) or "").strip()[:limit]


EMAIL_MAX = Package._meta.get_field("recipient_email").max_length


def _email(raw, n, errors) -> str:
    """The recipient's e-mail as given (blank: none), checked as Django's validator checks it."""
    text = str(raw.get("recipient_email") or "").strip()
    if not text:
        return ""
    if len(text) > EMAIL_MAX:
        errors.append(RowError(n, "recipient_email", _("The e-mail address is longer than %(n)s characters.")
                               % {"n": EMAIL_MAX}))
        return ""
    if not email_ok(text):
        errors.append(RowError(n, "recipient_email",
                               _("“%(v)s” is not an e-mail address (like name@example.com).") % {"v": text[:60]}))
        return ""
    return text


def _phone(raw, n, errors) -> str:
    """The recipient's phone for text messages as E.164 (+12065550100); a US number, written any usual way."""
    text = str(raw.get("recipient_phone") or "").strip()
    if not text:
        return ""
    number, problem = phone_e164(text)
    if problem == "invalid":
        errors.append(RowError(n, "recipient_phone", _(
            "“%(v)s” is not a US phone number (like 206-555-0100 or +1 206 555 0100).") % {"v": text[:40]}))
    elif problem:
        errors.append(RowError(n, "recipient_phone", _(
            "“%(v)s” has an extension; give a number that can receive text messages, without one.")
            % {"v": text[:40]}))
    return number


@functools.cache
def _state_problem(state: str) -> str:
    return state_problem(state)  # once per distinct state in a manifest's 10,000 rows


_TRACKING = re.compile(r"[A-Za-z0-9_.-]+")
_SIGNATURE = _YES | _NO


def _row_values(raw: dict, n: int, station: Station, service_date: date, errors: list[RowError]) -> tuple | None:
    before = len(errors)
    tracking = _text(raw, "tracking_id", 100)
    if not tracking:
        errors.append(RowError(n, "tracking_id", _("Required.")))
    elif len(tracking) > 40 or not _TRACKING.fullmatch(tracking):
        errors.append(RowError(n, "tracking_id", _("Up to 40 letters, digits, dots, dashes or underscores.")))
    line1 = _text(raw, "address_line1", 300)
    if not line1:
        errors.append(RowError(n, "address_line1", _("Required.")))
    lat = _decimal(raw.get("latitude"), "latitude", errors, n, -90, 90, required=True)
    lng = _decimal(raw.get("longitude"), "longitude", errors, n, -180, 180, required=True)
    state = _text(raw, "state", 10).upper()
    if state and (problem := _state_problem(state)):
        errors.append(RowError(n, "state", problem))
    elif lat is not None and lng is not None and (problem := point_problem(state=state, latitude=lat, longitude=lng)):
        errors.append(RowError(n, "latitude", problem))
    size = _text(raw, "size", 5).upper()
    if size not in SIZES and size != "":
        errors.append(RowError(n, "size", _("S, M or L.")))
    volume = _decimal(raw.get("volume_l"), "volume_l", errors, n, 0, 10_000)
    weight = _decimal(raw.get("weight_kg"), "weight_kg", errors, n, 0, 70)
    start = _clock(raw.get("window_start"), "window_start", errors, n)
    end = _clock(raw.get("window_end"), "window_end", errors, n)
    if (start is None) != (end is None) and len(errors) == before:
        errors.append(RowError(n, "window_end", _("Give both ends of the window, or neither.")))
    elif start is not None and end is not None and start >= end:
        errors.append(RowError(n, "window_end", _("The window must end after it starts.")))
    signature = _text(raw, "signature_required", 10).lower()
    if signature not in _SIGNATURE:
        errors.append(RowError(n, "signature_required", _("yes or no.")))
    email = _email(raw, n, errors)
    phone = _phone(raw, n, errors)
    if len(errors) > before:
        return None
    postal = _text(raw, "postal_code", 10)
    return (station.pk, service_date, tracking, _text(raw, "recipient_name", 200), line1[:200], _text(raw, "city", 100),
            state, postal, lat.quantize(SIX), lng.quantize(SIX),
            address_key(latitude=lat, longitude=lng, address_line1=line1, postal_code=postal), size, volume, weight,
            start, end, signature in _YES, email, phone)


Progress = Callable[..., object]  # progress(phase=None, **counts): a job's reporter


def manifest_check(*, station: Station, service_date: date, rows: list[dict],
                   progress: Progress | None = None) -> ManifestCheck:
    """Every row checked; the new packages ready to insert. Two queries at most, whatever the size.
    `progress(rows_checked=k)` is told every REPORT_EVERY rows."""
    check = ManifestCheck()
    if not rows:
        check.errors.append(RowError(0, "rows", _("The manifest has no rows.")))
        return check
    if len(rows) > MAX_ROWS:
        check.errors.append(RowError(0, "rows", _("At most %(n)s rows per manifest.") % {"n": MAX_ROWS}))
        return check
    seen: dict[str, int] = {}
    parsed = []
    for n, raw in enumerate(rows, start=1):
        if progress is not None and n % REPORT_EVERY == 0:
            progress(rows_checked=n)
        values = _row_values(raw if isinstance(raw, dict) else {}, n, station, service_date, check.errors)
        if values is None:
            continue
        tracking = values[TRACKING]
        if tracking in seen:
            check.errors.append(RowError(n, "tracking_id", _("Also on row %(r)s.") % {"r": seen[tracking]}))
            continue
        seen[tracking] = n
        parsed.append(values)
    existing = _stored_for_day(service_date, list(seen))
    for values in parsed:
        tracking = values[TRACKING]
        if tracking not in existing:
            check.rows.append(values)
        elif existing[tracking] == station.pk:
            check.duplicates += 1
        else:
            check.errors.append(RowError(seen[tracking], "tracking_id",
                                         _("Already on another station's manifest for that day.")))
    return check


TRACKING = PACKAGE_COLUMNS.index("tracking_id")


def _stored_for_day(service_date: date, tracking_ids: list[str]) -> dict[str, int]:
    """The station of each of these tracking ids already stored for the day."""
    if connection.vendor != "postgresql":
        return dict(Package.objects.filter(service_date=service_date, tracking_id__in=tracking_ids)
                    .values_list("tracking_id", "station_id"))
    # One array parameter: the ORM's IN list spends ~50 ms preparing 10,000 placeholders and their values.
    tracking, station, day = (Package._meta.get_field(f).column for f in ("tracking_id", "station", "service_date"))
    with connection.cursor() as cursor:
        # Identifiers come from the model's metadata; the day and the ids are parameters.
        cursor.execute(f'SELECT "{tracking}", "{station}" FROM "{Package._meta.db_table}" '  # noqa: S608
                       f'WHERE "{day}" = %s AND "{tracking}" = ANY(%s)', [service_date, tracking_ids])
        return dict(cursor.fetchall())


def manifest_errors_shown(errors: list[RowError]) -> list[str]:
    """The first 50 row errors as sentences (the count is in the error's detail)."""
    return [_("row %(row)s, %(field)s: %(message)s") % e.as_dict() for e in errors[:50]]


def manifest_import(*, station: Station, service_date: date, rows: list[dict],
                    progress: Progress | None = None) -> ManifestCheck:
    """Check, then insert every new package in bulk; on any bad row raise and write nothing.
    `progress` (a job's reporter) hears the phases: validating (rows_checked of rows), writing (to_write)."""
    if progress is not None:
        progress("validating", rows=len(rows), rows_checked=0)
    check = manifest_check(station=station, service_date=service_date, rows=rows, progress=progress)
    if not check.ok:
        raise ValidationFailed(
            _("%(n)s row(s) have errors; nothing was imported.") % {"n": len(check.errors)}, code="manifest_invalid",
            fields={"rows": manifest_errors_shown(check.errors)})
    if progress is not None:
        progress("writing", rows_checked=len(rows), to_write=len(check.rows))
    with transaction.atomic():
        # Conflicts are ignored: a concurrent re-send of the same rows stays a no-op instead of failing.
        if connection.vendor == "postgresql":
            package_rows_copy(check.rows)
        else:
            Package.objects.bulk_create(check.packages, batch_size=BATCH, ignore_conflicts=True)
    return check
