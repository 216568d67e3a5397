"""What a batch of drivers' stop outcomes reads (`outcomes.stop_outcomes_record`), as plain rows.

A batch of 30 taps reads its stops (locked), their routes, the client ids already used, the packages at the stops
it may touch, the route's stops (for "a few stops away") and the proof rules. Through the ORM those reads cost
the batch more Python than everything else it does (compiling each queryset, building a model instance per row,
three per stop with its route, plan and station). On PostgreSQL each read here is SQL written once per process
and run as a prepared statement (`core.compiled.fetch`), its rows kept as tuples where the batch only reads
them; elsewhere (the embedded default's SQLite) the ORM answers the same questions with the same rows.
"""

import functools
from collections import namedtuple
from dataclasses import dataclass
from typing import ClassVar

from django.db import connection

from core.compiled import PROBE_ID, compiled_query, fetch, model_instance, pg_array, rows_as_instances, select_sql
from routes.models import LiveSettings, Package, Plan, PlanStatus, ProofRule, Route, RouteStop, Station, StopStatus


@dataclass(slots=True)
class LockedStop:
    """A stop of the batch as it reads and changes it: what the outcome needs of a RouteStop, without building
    one (the outbox reads `_meta` and `pk` of an event's subject)."""

    _meta: ClassVar = RouteStop._meta
    pk: int
    route_id: int
    sequence: int
    kind: str
    status: str
    outcome_client_id: object
    route: Route | None = None
    attempt_reason: str = ""
    note: str = ""
    outcome_at: object = None

    def get_status_display(self) -> str:
        return str(StopStatus(self.status).label)


# A package as the batch reads it: its stop, the proof it may need, its recipient's contacts.
PackageRow = namedtuple("PackageRow", ["stop_id", "pk", "tracking_id", "signature_required", "age_check_required",
                                       "delivery_pin", "recipient_email", "recipient_phone"])

# A route's stop as "a few stops away" and the route's pace read it. (Identifiers in the SQL below come from
# model metadata; every value is a parameter.)
STOP_STATE = ["route_id", "id", "sequence", "kind", "status", "outcome_at", "planned_arrival_s", "service_s"]


def _pg() -> bool:
    return connection.vendor == "postgresql"


def _rows(sql: str, params) -> list[tuple]:
    """The rows of a prepared statement on the cursor `core.compiled.fetch` keeps (a Django cursor a statement cost
    more Python than the round trip); a list parameter travels as one array text (`pg_array`, cast in the SQL)."""
    return fetch(sql, [pg_array(p) if isinstance(p, list) else p for p in params])


def _t(model) -> str:
    return model._meta.db_table


@functools.cache
def _lock_sql() -> str:
    driver = Route._meta.get_field("driver").related_model
    return (f'SELECT s."id", s."route_id", s."sequence", s."kind", s."status", s."outcome_client_id" '  # noqa: S608
            f'FROM "{_t(RouteStop)}" s JOIN "{_t(Route)}" r ON r."id" = s."route_id" '
            f'JOIN "{_t(Plan)}" p ON p."id" = r."plan_id" JOIN "{_t(driver)}" d ON d."id" = r."driver_id" '
            f'WHERE s."id" = ANY(%s::bigint[]) AND d."user_id" = %s AND p."status" = %s '
            'ORDER BY s."id" FOR UPDATE OF s, r')


def stops_lock(*, driver, stop_ids) -> dict:
    """The stops among `stop_ids` on `driver`'s routes of published plans, each with its route (plan and station
    loaded), locked with their routes until the transaction ends, in one order (by id) so two batches never
    deadlock; {id: stop}. LockedStop rows on PostgreSQL, RouteStop instances elsewhere."""
    ids = sorted(stop_ids)
    if not ids:
        return {}
    if not _pg():
        return {r.pk: r for r in RouteStop.objects.select_for_update(of=("self", "route"))
                .select_related("route__plan__station")
                .filter(pk__in=ids, route__driver__user=driver, route__plan__status=PlanStatus.PUBLISHED)
                .order_by("pk")}
    rows = {r[0]: LockedStop(*r) for r in _rows(_lock_sql(), [ids, driver.pk, PlanStatus.PUBLISHED])}
    routes = _routes(sorted({r.route_id for r in rows.values()}))
    for row in rows.values():
        row.route = routes[row.route_id]
    return rows


@functools.cache
def _routes_sql() -> str:
    columns = [f'{alias}."{f.column}"' for alias, model in (("r", Route), ("p", Plan), ("s", Station))
               for f in model._meta.concrete_fields]
    return (f'SELECT {", ".join(columns)} FROM "{_t(Route)}" r JOIN "{_t(Plan)}" p ON p."id" = r."plan_id" '  # noqa: S608
            f'JOIN "{_t(Station)}" s ON s."id" = p."station_id" WHERE r."id" = ANY(%s::bigint[])')


def _routes(route_ids: list[int]) -> dict[int, Route]:
    """Routes with their plan and station, as `select_related("plan__station")` builds them."""
    widths = [len(m._meta.concrete_fields) for m in (Route, Plan, Station)]
    out = {}
    for row in _rows(_routes_sql(), [route_ids]):
        route = model_instance(Route, row[:widths[0]])
        plan = model_instance(Plan, row[widths[0]:widths[0] + widths[1]])
        station = model_instance(Station, row[widths[0] + widths[1]:])
        Plan.station.field.set_cached_value(plan, station)
        Route.plan.field.set_cached_value(route, plan)
        out[route.pk] = route
    return out


_USED_SQL = functools.cache(lambda: f'SELECT "outcome_client_id", "id" FROM "{_t(RouteStop)}" '  # noqa: S608
                                    'WHERE "outcome_client_id" = ANY(%s::uuid[])')


def client_ids_used(client_ids) -> dict:
    """{client id: stop id} of the stops whose outcome was sent under one of `client_ids`."""
    if not _pg():
        return dict(RouteStop.objects.filter(outcome_client_id__in=list(client_ids))
                    .values_list("outcome_client_id", "pk"))
    return dict(_rows(_USED_SQL(), [list(client_ids)]))


@functools.cache
def _packages_sql() -> str:
    columns = ", ".join(f'"{c}"' for c in _PACKAGE_COLUMNS)
    return (f'SELECT {columns} FROM "{_t(Package)}" WHERE "stop_id" = ANY(%s::bigint[]) '  # noqa: S608
            'ORDER BY "service_date", "tracking_id"')


_PACKAGE_COLUMNS = ["stop_id", "id", "tracking_id", "signature_required", "age_check_required", "delivery_pin",
                    "recipient_email", "recipient_phone"]


def packages_at(stop_ids) -> list[PackageRow]:
    """The packages at these stops, in the model's order (service date, tracking id) as the ORM reads them."""
    ids = sorted(stop_ids)
    if not ids:
        return []
    if not _pg():
        rows = Package.objects.filter(stop_id__in=ids).values_list(*_PACKAGE_COLUMNS)
    else:
        rows = _rows(_packages_sql(), [ids])
    return [PackageRow(*r) for r in rows]


@functools.cache
def _stops_sql() -> str:
    columns = ", ".join(f'"{c}"' for c in STOP_STATE)
    return (f'SELECT {columns} FROM "{_t(RouteStop)}" WHERE "route_id" = ANY(%s::bigint[]) '  # noqa: S608
            'ORDER BY "route_id", "sequence"')


def route_stops(route_ids) -> list[tuple]:
    """Every stop of the routes, in STOP_STATE's columns, by route and sequence."""
    ids = sorted(route_ids)
    if not _pg():
        return list(RouteStop.objects.filter(route_id__in=ids).order_by("route_id", "sequence")
                    .values_list(*STOP_STATE))
    return _rows(_stops_sql(), [ids])


@functools.cache
def _stops_nearby_sql() -> str:
    columns = ", ".join(f's."{c}"' for c in STOP_STATE)
    return (f'SELECT {columns}, (SELECT l."nearby_stops" FROM "{_t(LiveSettings)}" l WHERE l."id" = 1) '  # noqa: S608
            f'FROM "{_t(RouteStop)}" s WHERE s."route_id" = ANY(%s::bigint[]) ORDER BY s."route_id", s."sequence"')


def route_stops_and_nearby(route_ids) -> tuple[list[tuple], int]:
    """`route_stops` and `nearby_stops` in one round trip on PostgreSQL."""
    if not _pg():
        return route_stops(route_ids), nearby_stops()
    rows = _rows(_stops_nearby_sql(), [sorted(route_ids)])
    n = rows[0][-1] if rows else None
    return [r[:-1] for r in rows], n if n is not None else nearby_stops()


_live_settings = compiled_query(lambda pk: LiveSettings.objects.filter(pk=pk), PROBE_ID)


def nearby_stops() -> int:
    """LiveSettings.nearby_stops: how many stops ahead a recipient hears "a few stops away"."""
    found = _live_settings(1) if _pg() else []
    return (found[0] if found else LiveSettings.load()).nearby_stops


_RULES_SQL = functools.cache(lambda: select_sql(ProofRule, '"active"'))


def proof_rules() -> list[ProofRule]:
    """The active proof-of-delivery rules."""
    if not _pg():
        return list(ProofRule.objects.filter(active=True))
    return rows_as_instances(ProofRule, _RULES_SQL(), [])
