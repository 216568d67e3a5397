"""Many rows in one statement on PostgreSQL, for batch services whose Python per row is the cost.

A batch service (hub parcel outcomes, driver stop outcomes) writes its change, its log rows and its outbox events
in one round trip: data-modifying CTEs (`WITH a AS (UPDATE ...), b AS (INSERT ...) SELECT ...`), every value a
parameter, identifiers from model metadata. The ORM's `bulk_create` / `bulk_update` stay the portable path beside
it (STYLE 24): callers choose by `connection.vendor`.

The rows travel as one JSON parameter (an array of arrays, `jsonb_array_elements`): orjson writes a batch's rows
in a few microseconds in C, where adapting a value per cell in Python (or quoting array literals) cost the batch
services most of their Python; PostgreSQL turns each JSON value into its column's type with the type's own input
function.
"""

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from uuid import UUID

import orjson
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.functional import Promise

from core.compiled import execute, fetch


def json_value(encoded: str) -> orjson.Fragment:
    """A value already encoded as JSON (an outbox payload), for a `jsonb` column: it travels as that JSON, not as
    a string of it."""
    return orjson.Fragment(encoded)


_django_default = DjangoJSONEncoder().default


def django_json(value) -> orjson.Fragment:
    """`value` for a JSONField whose encoder is DjangoJSONEncoder (outbox payloads, offline receipts), as that
    encoder writes it (its dates, times, decimals, UUIDs and lazy text), but written by orjson."""
    return orjson.Fragment(orjson.dumps(value, default=_django_default, option=orjson.OPT_PASSTHROUGH_DATETIME))


def rows_relation(columns: Sequence[str], casts: Sequence[str], rows: Sequence[Sequence], alias: str = "v"
                  ) -> tuple[str, list]:
    """`(SELECT (e->>0)::type1 AS "c1", ... FROM jsonb_array_elements(%s::jsonb) AS e LIMIT n) AS v`: a FROM item
    of `rows` (tuples in `columns` order), with one parameter for the whole batch. Values are str, int, bool, float,
    Decimal, UUID, date, datetime (a datetime keeps its offset), None, or `json_value`s for json/jsonb columns.

    Each row travels as a JSON array, not an object: orjson writes tuples as they are (no dict per row), and
    PostgreSQL reads a jsonb array's cells by position for less than `json_to_recordset` spends matching names
    (measured: 30 rows x 11 columns, 0.33 ms against 0.40 ms, parse included)."""
    # The column names and casts come from model metadata and the caller's code, never input.
    cells = ", ".join(f'{_cell(i, cast)} AS "{c}"' for i, (c, cast) in enumerate(zip(columns, casts, strict=True)))
    if any(len(row) != len(columns) for row in rows):
        raise ValueError("every row needs a value for each column")
    payload = orjson.dumps(rows if isinstance(rows, list) else list(rows), default=_default)
    # The LIMIT tells the planner how many rows there are (it guesses 100 for any set-returning function, and for
    # an UPDATE joined to a small table a hash join over a scan of the whole table then looks cheaper than an
    # index lookup per row).
    return (f"(SELECT {cells} FROM jsonb_array_elements(%s::jsonb) AS e "  # noqa: S608 - see above
            f"LIMIT {len(rows)}) AS {alias}", [payload.decode()])


def _cell(index: int, cast: str) -> str:
    """The row's `index`th value as `cast`: a json/jsonb column takes the JSON itself (a JSON null is SQL's NULL, as
    `->>` gives it for the others)."""
    if cast in ("json", "jsonb"):
        return f"NULLIF(e->{index}, 'null')::{cast}"
    return f"(e->>{index})::{cast}"


def _default(value):
    if isinstance(value, date):  # a subclass orjson does not know (a test clock's datetime); keeps its offset
        return value.isoformat()
    if isinstance(value, Decimal | UUID):
        return str(value)
    if isinstance(value, Promise):  # a lazy translation
        return str(value)
    raise TypeError(f"{type(value).__name__} cannot be written by core.bulksql")


def values_sql(columns: Sequence[str], casts: Sequence[str], rows: Sequence[Sequence]) -> tuple[str, list]:
    """`SELECT * FROM json_to_recordset(...)`: a relation of the rows, like `VALUES`."""
    relation, params = rows_relation(columns, casts, rows)
    return f"SELECT * FROM {relation}", params  # noqa: S608 - the relation is rows_relation's


def insert_cte(name: str, table: str, columns: Sequence[str], casts: Sequence[str], rows: Sequence[Sequence]
               ) -> tuple[str, list]:
    """`name AS (INSERT INTO table (columns) SELECT ...)`, to join to a statement's WITH list."""
    values, params = values_sql(columns, casts, rows)
    cols = ", ".join(f'"{c}"' for c in columns)
    return f'{name} AS (INSERT INTO "{table}" ({cols}) {values})', params


def update_cte(name: str, table: str, key: str, columns: Sequence[str], casts: Sequence[str], rows: Sequence[Sequence]
               ) -> tuple[str, list]:
    """`name AS (UPDATE table SET ... FROM <rows> WHERE table.key = v.key)`: many rows' new values in one
    statement (Django's bulk_update builds a CASE per field and row, which costs more in Python than the database
    spends on the whole batch). `columns` include `key`; the others are set from the rows."""
    relation, params = rows_relation(columns, casts, rows)
    sets = ", ".join(f'"{c}" = v."{c}"' for c in columns if c != key)
    # Identifiers come from the models' metadata and the caller's code; every value is in the one parameter.
    return (f'{name} AS (UPDATE "{table}" AS t SET {sets} FROM {relation} '  # noqa: S608
            f'WHERE t."{key}" = v."{key}")'), params


def run_ctes(ctes: Sequence[tuple[str, list]], cursor=None) -> None:
    """Run the CTEs as one statement (PostgreSQL runs every data-modifying CTE, referenced or not), on `cursor` or,
    without one, as `core.compiled.fetch` runs a hot path's statements."""
    ctes = [c for c in ctes if c[0]]
    if not ctes:
        return
    sql = "WITH " + ", ".join(c[0] for c in ctes) + " SELECT 1"
    params = [p for c in ctes for p in c[1]]
    if cursor is None:
        fetch(sql, params)  # prepared: its text is one per batch size and kind
    else:
        execute(cursor, sql, params)
