"""Many rows in one statement on PostgreSQL, for batch services whose Python per row is the cost.

A batch service (hub parcel outcomes, driver stop outcomes) writes its change, its log rows and its outbox events
in one round trip: data-modifying CTEs (`WITH a AS (UPDATE ...), b AS (INSERT ...) SELECT ...`), every value a
parameter, identifiers from model metadata. The ORM's `bulk_create` / `bulk_update` stay the portable path beside
it (STYLE 24): callers choose by `connection.vendor`.
"""

from collections.abc import Sequence


def values_sql(casts: Sequence[str], rows: Sequence[Sequence]) -> tuple[str, list]:
    """`VALUES (%s::c1, %s::c2), (...)` for `rows` (tuples in `casts` order) and the flat parameters."""
    row = "(" + ", ".join(f"%s::{cast}" for cast in casts) + ")"
    params = [value for values in rows for value in values]
    return "VALUES " + ", ".join([row] * len(rows)), params


def insert_cte(name: str, table: str, columns: Sequence[str], casts: Sequence[str], rows: Sequence[Sequence]
               ) -> tuple[str, list]:
    """`name AS (INSERT INTO table (columns) VALUES ...)`, to join to a statement's WITH list."""
    values, params = values_sql(casts, rows)
    cols = ", ".join(f'"{c}"' for c in columns)
    return f'{name} AS (INSERT INTO "{table}" ({cols}) {values})', params


def run_ctes(ctes: Sequence[tuple[str, list]], cursor) -> None:
    """Run the CTEs as one statement (PostgreSQL runs every data-modifying CTE, referenced or not)."""
    ctes = [c for c in ctes if c[0]]
    if not ctes:
        return
    sql = "WITH " + ", ".join(c[0] for c in ctes) + " SELECT 1"
    cursor.execute(sql, [p for c in ctes for p in c[1]])
