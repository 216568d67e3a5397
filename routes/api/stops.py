"""A page of routes' stops as the route detail gives them (`StopSerializer`), for `?expand=stops` on the route list.

On PostgreSQL the database writes each route's stops as one JSON text (`[{"id":1,...,"tracking_ids":[...]},...]`,
each stop `row_to_json` of a row of the serializer's fields; the statement is prepared once a connection),
and the renderer puts that text into the page as it is (`core.renderers.RawJSON`): a page of 240 stops is four
strings to Python, where rows of twenty values each cost more than the rest of the request. The text is the one
orjson writes for the same rows: compact, keys in the serializer's order, decimals as strings, datetimes in UTC
with `Z`, tracking ids in the packages' own ordering. Elsewhere (the embedded default's SQLite) the stops are read
with `values()` and grouped in Python.

Measured on the API bench (240 stops, gunicorn CPU per request): `values()` and dicts 10-12 ms, the same rows as
raw tuples zipped into dicts 8-10 ms, this 5-7 ms; PostgreSQL spends about 3 ms more on it than on the plain join,
and the request is still the cheapest of the three overall (bench_api's ratio 0.45-0.72, median 0.55, against
0.35-0.43 for `values()` and 0.47-0.50 for the tuples, paired runs on a shared machine).

Each route's JSON is also kept in Redis (`core.cache.raw_get_many`, raw bytes, 10 minutes) under a version of its
stop list that the database keeps itself: `routes.RouteTouch`, rows its triggers add with a random mark for each
route a transaction writes to (a stop inserted, updated or deleted; a package on one of its stops inserted, deleted,
moved, or given another tracking id or day), whatever code path writes it (ORM, bulk SQL, COPY, psql); the sum of the
marks is the fingerprint. The statement gets the kept fingerprints and writes the JSON only for a route whose sum
changed, fingerprint and JSON from one snapshot. A transaction that has itself written may yet roll back: it keeps
nothing; a route without touches is read afresh and not kept. Without Redis every route's JSON is written, as before.
Fingerprints first came from the stops' and their packages' row versions (`xmin`), which cost a join of every stop
and package a request (0.6-0.7 ms for 240 stops): on the API bench the touches took the ratio from 0.44 to 0.51-0.54
on a fast machine (whole-machine CPU 4.5 -> 3.9 ms a request), and cost an outcome batch nothing measurable.
"""

import hashlib
from functools import cache

from django.db import connection

try:  # the JSON text as the server sends it, UTF-8 bytes: orjson copies them, with no str decoded and encoded again
    from psycopg2.extensions import BYTES, register_type
except ImportError:  # pragma: no cover - another PostgreSQL driver reads str
    BYTES = register_type = None

from core.api import decimals_as_strings
from core.cache import raw_get_many, raw_set_many
from core.compiled import execute
from core.renderers import RawJSON
from routes.models import Package, RouteStop, RouteTouch
from routes.serializers import StopSerializer

STOP_FIELDS = [name for name in StopSerializer.Meta.fields if name != "tracking_ids"]


def stops_by_route(route_ids: list[int]) -> dict[int, list | RawJSON]:
    """Each route's stops in sequence, each with its packages' tracking ids; a route without stops has `[]`."""
    by_route: dict[int, list | RawJSON] = {route_id: [] for route_id in route_ids}
    if route_ids and connection.vendor == "postgresql":
        kept = _kept_get(route_ids)
        fresh = {}
        with connection.cursor() as cursor:
            if BYTES is not None:
                register_type(BYTES, cursor.cursor)  # this cursor's text columns only
            # prepared: planning it cost more than a millisecond
            execute(cursor, _stops_json_sql(), [route_ids, [kept.get(r, (b"",))[0].decode() for r in route_ids]])
            for route_id, fingerprint, text, storable in cursor.fetchall():
                if text is None:  # unchanged since it was kept
                    text = kept[route_id][1]
                elif storable:
                    fresh[route_id] = bytes(fingerprint) + b" " + bytes(text)
                by_route[route_id] = RawJSON(text)
        _kept_set(fresh)
        return by_route
    if route_ids:
        _stops_portable(route_ids, by_route)
    return by_route


# --- PostgreSQL: each route's stops JSON kept in the cache, under what its rows were ------------------------------

KEEP_SECONDS = 600


def _kept_key(route_id: int) -> str:
    # The SQL's own digest in the key: a release that writes the JSON differently never reads an older text.
    return f"routes:stops-json:{_sql_digest()}:{route_id}"


def _kept_get(route_ids: list[int]) -> dict[int, tuple[bytes, bytes]]:
    """{route id: (fingerprint, JSON text)} kept for these routes (one MGET); {} without a Redis cache that answers
    (the statement then writes every route's JSON, as it would without a cache)."""
    values = raw_get_many([_kept_key(r) for r in route_ids]) or []
    return {r: tuple(value.split(b" ", 1)) for r, value in zip(route_ids, values, strict=False) if value}


def _kept_set(fresh: dict[int, bytes]) -> None:
    raw_set_many({_kept_key(r): value for r, value in fresh.items()}, KEEP_SECONDS)


def _stops_portable(route_ids, by_route) -> None:
    """The stops joined to their packages (a row per package; a stop without any comes once, with none), grouped
    here."""
    ordering = [f"{'-' if desc else ''}packages__{name}" for name, desc in _package_ordering()]
    stops, last = [], None
    for row in (RouteStop.objects.filter(route_id__in=route_ids).order_by("route_id", "sequence", *ordering)
                .values("route_id", *STOP_FIELDS, "packages__tracking_id")):
        tracking_id = row.pop("packages__tracking_id")
        if last is not None and row["id"] == last["id"]:
            last["tracking_ids"].append(tracking_id)  # the same stop's next package
            continue
        row["tracking_ids"] = [] if tracking_id is None else [tracking_id]
        by_route[row.pop("route_id")].append(row)
        stops.append(row)
        last = row
    decimals_as_strings(stops)


def _package_ordering() -> list[tuple[str, bool]]:
    """The packages' own ordering (as the route detail lists them): (field name, descending)."""
    return [(name.lstrip("-"), name.startswith("-")) for name in Package._meta.ordering]


# --- PostgreSQL: the JSON written by the database ----------------------------------------------------------------

def _json_member(column: str, field) -> str:
    """SQL for one value as `row_to_json` should write it to match the serializer (and orjson): numbers, booleans,
    text and NULL as they are; decimals as strings (DRF's COERCE_DECIMAL_TO_STRING, the column's scale is the
    field's decimal places); datetimes as Python's isoformat in UTC, `Z` for +00:00, microseconds only when there
    are any."""
    kind = field.get_internal_type()
    if kind == "DecimalField":
        return f"{column}::text"
    if kind == "DateTimeField":
        utc = f"({column} AT TIME ZONE 'UTC')"
        return (f"""to_char({utc}, 'YYYY-MM-DD"T"HH24:MI:SS') || CASE WHEN date_trunc('second', {utc}) = {utc} """
                f"""THEN '' ELSE to_char({utc}, '.US') END || 'Z'""")
    if kind in ("AutoField", "BigAutoField", "IntegerField", "BigIntegerField", "SmallIntegerField",
                "PositiveIntegerField", "PositiveBigIntegerField", "PositiveSmallIntegerField", "ForeignKey",
                "BooleanField", "CharField", "TextField"):
        return column
    raise TypeError(f"no JSON for a {kind} ({field.name}): add it to routes.api.stops._json_member")


@cache
def _stops_json_sql() -> str:
    """For each route id given (first parameter, an array) with the fingerprint its JSON was kept under (second
    parameter, '' for none): the route id, its fingerprint now (the sum of its `RouteTouch` marks; NULL without
    any), only where that differs its stops' JSON text ('[]' without stops), and whether that text may be kept.
    Each stop is `row_to_json` of a row whose columns are the serializer's fields in its order (compact, as orjson
    writes it), its tracking ids an array. Identifiers come from the models' metadata, the keys from the
    serializer."""
    stop_table, package_table = RouteStop._meta.db_table, Package._meta.db_table
    members = []
    for name in STOP_FIELDS:
        field = RouteStop._meta.get_field(name)
        column = f's."{field.column}"'
        members.append(f'{_json_member(column, field)} AS "{name}"')
    package_order = ", ".join(f'p."{Package._meta.get_field(name).column}"{" DESC" if desc else ""}'
                              for name, desc in _package_ordering())
    tracking_id = Package._meta.get_field("tracking_id").column
    stop_fk, stop_pk = Package._meta.get_field("stop").column, RouteStop._meta.pk.column
    members.append(f'ARRAY(SELECT p."{tracking_id}" FROM "{package_table}" p WHERE p."{stop_fk}" = s."{stop_pk}" '  # noqa: S608
                   f'ORDER BY {package_order}) AS "tracking_ids"')
    route_fk = RouteStop._meta.get_field("route").column
    sequence = RouteStop._meta.get_field("sequence").column
    stops_json = (f"""SELECT '[' || string_agg(row_to_json(j)::text, ',' ORDER BY s."{sequence}") || ']' """  # noqa: S608
                  f"""FROM "{stop_table}" s, LATERAL (SELECT {", ".join(members)}) j WHERE s."{route_fk}" = k.id""")
    touches = RouteTouch._meta.db_table
    # The CASE evaluates its subquery only for a route whose fingerprint changed (or that has none: not kept).
    # A transaction that has written (an xid assigned) may yet roll back: what it reads is not kept (`storable`).
    return (f"""SELECT k.id, f.fingerprint, CASE WHEN f.fingerprint = k.kept THEN NULL """  # noqa: S608
            f"""ELSE COALESCE(({stops_json}), '[]') END, """
            f"""f.fingerprint IS NOT NULL AND txid_current_if_assigned() IS NULL AS storable """
            f"""FROM unnest(%s::bigint[], %s::text[]) AS k(id, kept) CROSS JOIN LATERAL """
            f"""(SELECT sum(t.mark)::text AS fingerprint FROM "{touches}" t WHERE t.route_id = k.id) f""")


@cache
def _sql_digest() -> str:
    return hashlib.md5(_stops_json_sql().encode(), usedforsecurity=False).hexdigest()[:12]
