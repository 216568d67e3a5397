"""Bulk import of drivers from CSV: preview with row-level errors, then all-or-nothing (or only the good rows)."""

import csv
import io
from dataclasses import dataclass, field
from datetime import date

from django.db import transaction
from django.utils.translation import gettext as _

from core.errors import ValidationFailed
from fleet.models import Driver, DriverEvent
from fleet.services.drivers import driver_build

DRIVER_CSV_COLUMNS = ["first_name", "last_name", "email", "phone", "licence_number", "licence_state",
                      "licence_class", "licence_expires_on", "status", "background_check", "driving_record_check"]
REQUIRED = ["first_name", "last_name", "licence_number", "licence_state", "licence_expires_on"]
ALIASES = {"license_number": "licence_number", "license_state": "licence_state", "license_class": "licence_class",
           "license_expires_on": "licence_expires_on", "licence_expiry": "licence_expires_on",
           "license_expiry": "licence_expires_on", "mvr_check": "driving_record_check"}
MAX_ROWS = 2000
MAX_BYTES = 2 * 1024 * 1024


@dataclass
class ImportRow:
    line: int
    values: dict
    errors: list[str] = field(default_factory=list)
    driver: Driver | None = None

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class ImportPreview:
    rows: list[ImportRow]

    @property
    def good(self) -> list[ImportRow]:
        return [r for r in self.rows if r.ok]

    @property
    def bad(self) -> list[ImportRow]:
        return [r for r in self.rows if not r.ok]

    def as_dict(self) -> dict:
        return {"rows": len(self.rows), "good": len(self.good), "bad": len(self.bad),
                "errors": [{"line": r.line, "errors": r.errors} for r in self.bad]}


def _decode(content) -> str:
    if isinstance(content, bytes):
        if len(content) > MAX_BYTES:
            raise ValidationFailed(_("The file is larger than 2 MB."), code="file_too_large")
        try:
            return content.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ValidationFailed(_("Save the file as UTF-8 CSV."), code="not_utf8") from None
    return str(content or "").lstrip("\ufeff")


def _header(name: str) -> str:
    key = (name or "").strip().lower().replace(" ", "_").replace("-", "_")
    return ALIASES.get(key, key)


def _parse_date(value: str):
    value = (value or "").strip()
    for parse in (date.fromisoformat, lambda v: date(int(v.split("/")[2]), int(v.split("/")[0]),
                                                      int(v.split("/")[1]))):
        try:
            return parse(value)
        except (ValueError, IndexError):
            continue
    return None


def driver_import_preview(*, partner, content) -> ImportPreview:
    """Validate every row as `driver_create` would, plus duplicates in the file and on the roster; write nothing."""
    text = _decode(content)
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames:
        raise ValidationFailed(_("The file is empty."), code="empty_file")
    headers = [_header(h) for h in reader.fieldnames]
    missing = [c for c in REQUIRED if c not in headers]
    if missing:
        raise ValidationFailed(_("Missing columns: %(c)s.") % {"c": ", ".join(missing)}, code="missing_columns",
                               fields={"file": [_("Missing columns: %(c)s.") % {"c": ", ".join(missing)}]})
    reader.fieldnames = headers
    existing = {(s, n.upper()) for s, n in Driver.objects.filter(partner=partner)
                .values_list("licence_state", "licence_number")}
    seen: dict[tuple, int] = {}
    rows = []
    for index, raw in enumerate(reader, start=2):  # line 1 is the header
        if index - 1 > MAX_ROWS:
            raise ValidationFailed(_("At most %(n)d drivers per file.") % {"n": MAX_ROWS}, code="too_many_rows")
        values = {k: (v or "").strip() for k, v in raw.items() if k in DRIVER_CSV_COLUMNS}
        if not any(values.values()):
            continue
        rows.append(_check_row(partner, index, values, existing, seen))
    if not rows:
        raise ValidationFailed(_("The file has no driver rows."), code="empty_file")
    return ImportPreview(rows=rows)


def _check_row(partner, line, values, existing, seen) -> ImportRow:
    row = ImportRow(line=line, values=values)
    fields = {k: v for k, v in values.items() if v != ""}
    if "licence_expires_on" in fields:
        parsed = _parse_date(fields["licence_expires_on"])
        if parsed is None:
            row.errors.append(_("licence_expires_on: use YYYY-MM-DD or MM/DD/YYYY."))
            fields.pop("licence_expires_on")
        else:
            fields["licence_expires_on"] = parsed
    for name in ("licence_state", "licence_class"):
        if name in fields:
            fields[name] = fields[name].upper()
    for name in REQUIRED:
        if name not in fields and not any(e.startswith(name) for e in row.errors):
            row.errors.append(_("%(f)s: required.") % {"f": name})
    if row.errors:
        return row
    try:
        row.driver = driver_build(partner=partner, **fields)
    except ValidationFailed as exc:
        row.errors.extend(f"{name}: {' '.join(messages)}" for name, messages in exc.fields.items())
        if not exc.fields:
            row.errors.append(exc.detail)
        return row
    key = (row.driver.licence_state, row.driver.licence_number.upper())
    if key in existing:
        row.errors.append(_("licence_number: a driver with this licence is already on your roster."))
    elif key in seen:
        row.errors.append(_("licence_number: the same licence is on line %(l)d.") % {"l": seen[key]})
    else:
        seen[key] = line
    return row


@dataclass
class ImportResult:
    created: list[Driver]
    skipped: list[ImportRow]


def driver_import(*, partner, content, only_good_rows: bool = False, by=None) -> ImportResult:
    """Write the drivers of a CSV. Any bad row refuses the whole file unless `only_good_rows` is chosen."""
    preview = driver_import_preview(partner=partner, content=content)
    if preview.bad and not only_good_rows:
        raise ValidationFailed(
            _("%(n)d row(s) have errors; nothing was imported.") % {"n": len(preview.bad)}, code="import_has_errors",
            fields={f"line {r.line}": r.errors for r in preview.bad})
    actor = by if by and by.is_authenticated else None
    with transaction.atomic():
        drivers = [r.driver for r in preview.good]
        for d in drivers:
            d.created_by = actor
        created = Driver.objects.bulk_create(drivers)
        DriverEvent.objects.bulk_create([DriverEvent(driver=d, actor=actor, from_status="", to_status=d.status,
                                                     note=_("Imported from CSV.")) for d in created])
    return ImportResult(created=created, skipped=preview.bad)
