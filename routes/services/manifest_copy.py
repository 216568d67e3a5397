"""PostgreSQL: a manifest's checked packages written with one COPY straight into the package table.

The import has already set aside the tracking ids stored for the day, so a conflict can only come from another
import committing the same tracking id meanwhile; then the COPY is undone (a savepoint) and the rows go through a
temporary table and one INSERT ... ON CONFLICT DO NOTHING, which skips them (a concurrent re-send stays a no-op).
The straight COPY saves that second write of every row and the conflict check of every row (a third of the time).

The COPY text is built a column at a time (10,000 values converted by one C call where the column allows it),
not a value at a time.
"""

import io
from datetime import date, time
from decimal import Decimal

import psycopg2.errors
from django.db import connection, transaction
from django.utils import timezone

from routes.models import Package, PackageStatus

# A checked row's values, in this order (`ManifestCheck.rows`): what COPY writes, with no model instance per row.
PACKAGE_COLUMNS = ["station_id", "service_date", "tracking_id", "recipient_name", "address_line1", "city", "state",
                   "postal_code", "latitude", "longitude", "address_key", "size", "volume_l", "weight_kg",
                   "window_start", "window_end", "signature_required", "recipient_email", "recipient_phone"]
_WRITTEN = [*PACKAGE_COLUMNS, "status", "created_at"]
_AS_STR = (int, Decimal, date, time)  # str() is what PostgreSQL reads (a datetime is one of them)
_NONE = type(None)
_TEXTABLE = (str, bool, int, float, Decimal, date, time, _NONE)
_BY_DISTINCT = {str, bool, int, date, time, _NONE}  # equal values of one of these kinds have the same text
_SPECIAL = ("\\", "\t", "\n", "\r")


def copy_field(value) -> str:
    """One value in COPY's text format."""
    if value is None:
        return "\\N"
    if value is True or value is False:
        return "t" if value else "f"
    if isinstance(value, str):
        return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return str(value)  # dates, times, decimals, ids: their str() is what PostgreSQL reads


def _copy_column(values: tuple) -> list[str] | tuple:
    kinds = set(map(type, values))
    if kinds == {str}:
        joined = "".join(values)
        if any(c in joined for c in _SPECIAL):
            return [copy_field(v) for v in values]
        return values  # no tab, new line or backslash anywhere in the column: written as it is
    if len(kinds - {_NONE}) <= 1 and kinds <= _BY_DISTINCT:
        # Once per distinct value (the day, the station, yes/no, a window's few times); one kind besides None, so
        # no two equal values of different kinds (True == 1) share a text.
        text = {value: copy_field(value) for value in set(values)}
        return list(map(text.__getitem__, values))
    if all(issubclass(kind, _AS_STR) and kind is not bool for kind in kinds):
        return list(map(str, values))
    return [copy_field(v) for v in values]  # NULLs among decimals


def copy_text(rows: list[tuple], tail: str) -> str:
    """The rows as COPY text, `tail` (tab-led, the same for every row) after each row's values."""
    if not rows:
        return ""
    columns = [_copy_column(column) for column in zip(*rows, strict=True)]
    end = tail + "\n"
    return end.join(map("\t".join, zip(*columns, strict=True))) + end


def _other_columns(written: list[str]) -> list[tuple[str, object]]:
    """Package's other columns with the value the model gives a new row (its default), so a field
    added to Package later is filled as `bulk_create` would fill it, never left to a NOT NULL violation."""
    rest = []
    for f in Package._meta.concrete_fields:
        if f.primary_key or f.column in written or f.attname in written:
            continue
        rest.append((f.column, f.get_db_prep_save(f.get_default(), connection)))  # "" for text, else NULL
    return rest


def _quoted(columns) -> str:
    return ", ".join(f'"{c}"' for c in columns)


def package_rows_copy(rows: list[tuple]) -> None:
    """Insert the rows (PACKAGE_COLUMNS values) as new pending packages; any already stored is skipped."""
    if not rows:
        return
    now = timezone.now()  # the model's default, once for the manifest
    tail = f"\t{PackageStatus.PENDING.value}\t{now.isoformat()}"
    rest = _other_columns(_WRITTEN)
    if all(isinstance(value, _TEXTABLE) for _, value in rest):
        columns = _quoted([*_WRITTEN, *(column for column, _ in rest)])
        text = copy_text(rows, tail + "".join(f"\t{copy_field(value)}" for _, value in rest))
        try:
            with transaction.atomic(), connection.cursor() as cursor:  # a savepoint: a conflict undoes only this
                # Identifiers come from the model's metadata; the values travel as COPY data.
                cursor.copy_expert(f'COPY "{Package._meta.db_table}" ({columns}) FROM STDIN', io.StringIO(text))
            return
        except psycopg2.errors.UniqueViolation:
            pass  # another import stored one of these tracking ids meanwhile: skip it below
    _copy_skipping_conflicts(copy_text(rows, tail), rest)


def _copy_skipping_conflicts(text: str, rest: list[tuple[str, object]]) -> None:
    """COPY into a temporary table, then one INSERT ... ON CONFLICT DO NOTHING (the other columns' defaults as
    parameters)."""
    table = Package._meta.db_table
    columns = _quoted(_WRITTEN)
    targets = ", ".join([columns, *(f'"{column}"' for column, _ in rest)])
    values = ", ".join([columns, *("%s" for _ in rest)])
    with connection.cursor() as cursor:
        # Identifiers come from the model's metadata; the values travel as COPY data (and parameters).
        cursor.execute(f"CREATE TEMPORARY TABLE manifest_rows ON COMMIT DROP AS "  # noqa: S608
                       f'SELECT {columns} FROM "{table}" WITH NO DATA')
        cursor.copy_expert(f"COPY manifest_rows ({columns}) FROM STDIN", io.StringIO(text))
        # Dropped here too: inside an outer transaction (a savepoint) ON COMMIT comes later than the next import.
        cursor.execute(f'INSERT INTO "{table}" ({targets}) SELECT {values} FROM manifest_rows '  # noqa: S608
                       "ON CONFLICT DO NOTHING; DROP TABLE manifest_rows", [value for _, value in rest])
