"""Hot queries compiled once per process: the ORM writes the SQL, each request only binds its values.

Compiling a queryset (filters, ordering, joins, the select list) costs a request about half a millisecond of Python
per statement, more than PostgreSQL spends running a lookup by an indexed column. For the few queries every request
of a busy endpoint asks (the caller's hub, the caller's token), `compiled_query` compiles the ORM's queryset once,
with probe values in place of the request's, and then runs that SQL with the real values, building the model
instances as the ORM would (its field converters included). The SQL stays the ORM's own, so it is portable.
"""

import functools
import inspect
import itertools
import re
from collections.abc import Callable

from django.core.exceptions import ImproperlyConfigured
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.models import Model, QuerySet, signals
from django.db.models.base import ModelState
from django.db.models.fields.files import FileDescriptor
from django.db.models.fields.related_descriptors import ForeignKeyDeferredAttribute

PROBE_ID = -7_340_001  # an id no row has: a compiled query's stand-in for the request's id


def model_instance(model: type[Model], values, *, db=None) -> Model:
    """A model instance from a raw row in `concrete_fields` order, with the converters the ORM would run (a
    JSONField's text becomes its value; on SQLite a datetime's text becomes a datetime)."""
    db = db or connections[DEFAULT_DB_ALIAS]
    values = list(values)
    for index, converters, column in _converters(model, db.vendor):
        for converter in converters:
            values[index] = converter(values[index], column, db)
    if not _plain(model):
        return model.from_db(db.alias, None, values)
    # What `from_db` and `Model.__init__` end with for a plain model (below), without their loop of setattr calls
    # and signal sends: a hot path builds tens of instances a request.
    instance = model.__new__(model)
    instance.__dict__.update(zip(_attnames(model), values, strict=True))
    state = instance._state = ModelState()
    state.adding, state.db = False, db.alias
    return instance


@functools.cache
def _attnames(model: type[Model]) -> tuple[str, ...]:
    return tuple(f.attname for f in model._meta.concrete_fields)


@functools.cache
def _plain(model: type[Model]) -> bool:
    """True when building `model` from a row is only storing its values: neither `__init__` nor `from_db`
    overridden, no pre_init/post_init receivers, and each field's attribute either a plain value or a descriptor
    whose setter only stores it (a foreign key's id, a file's name)."""
    if model.__init__ is not Model.__init__ or model.from_db.__func__ is not Model.from_db.__func__:
        return False
    if signals.pre_init.has_listeners(model) or signals.post_init.has_listeners(model):
        return False
    storing = {None, ForeignKeyDeferredAttribute.__set__, FileDescriptor.__set__}
    return all(getattr(type(inspect.getattr_static(model, f.attname, None)), "__set__", None) in storing
               for f in model._meta.concrete_fields)


@functools.cache
def _converters(model: type[Model], vendor: str) -> list[tuple]:
    """The fields of `model` whose database values the ORM converts on this backend (most have none on
    PostgreSQL), with the converters the ORM's compiler would run: the backend's, then the field's."""
    db = connections[DEFAULT_DB_ALIAS]
    found = []
    for index, field in enumerate(model._meta.concrete_fields):
        column = field.get_col(model._meta.db_table)
        converters = db.ops.get_db_converters(column) + column.get_db_converters(db)
        if converters:
            found.append((index, converters, column))
    return found


def execute(cursor, sql: str, params) -> None:
    """`cursor.execute(sql, params)`, as a prepared statement on PostgreSQL: the first run on a connection sends
    `PREPARE` and `EXECUTE` in one round trip, later runs only `EXECUTE`, so the server parses and plans the SQL
    once per connection instead of once per request (a third of a simple lookup's cost). For the statements every
    request of a busy endpoint runs; their text must not grow without bound (values are parameters). Needs a
    connection of its own per session (Django's persistent connections; not a pooler in transaction mode)."""
    if cursor.db.vendor != "postgresql":
        cursor.execute(sql, params)
        return
    _execute_prepared(cursor.db, cursor.execute, sql, params)


def fetch(sql: str, params, *, db=None) -> list[tuple]:
    """`execute` and then every row, for the statements of a hot path. On PostgreSQL through one driver cursor the
    connection keeps for them, inside Django's translation of database errors: a new Django cursor for each
    statement, and its wrappers, cost more Python than the round trip itself (measured: 90 against 32 us of CPU for
    `SELECT 1`). Where Django watches the queries (DEBUG, a test counting them, an execute wrapper) or on another
    database, through a Django cursor as usual."""
    db = db or connections[DEFAULT_DB_ALIAS]
    if db.vendor != "postgresql" or db.queries_logged or db.execute_wrappers:
        with db.cursor() as cursor:
            execute(cursor, sql, params)
            return cursor.fetchall() if cursor.description is not None else []
    db.validate_thread_sharing()
    db.validate_no_broken_transaction()
    db.ensure_connection()
    cursor = getattr(db, "_fetch_cursor", None)
    if cursor is None or cursor.connection is not db.connection:
        with db.wrap_database_errors:
            cursor = db._fetch_cursor = db.create_cursor()
    with db.wrap_database_errors:
        _execute_prepared(db, cursor.execute, sql, params)
        return cursor.fetchall() if cursor.description is not None else []


def pg_array(values) -> str:
    """PostgreSQL's text form of an array of `values` (`{"a","b"}`), one parameter to cast (`%s::varchar[]`): the
    driver adapts a list element by element in Python, which cost a batch's lookups more than the database spent on
    them. Each element is its `str()`, quoted, so any text (commas, quotes, backslashes, braces) comes back as it
    was sent."""
    return "{" + ",".join('"' + str(v).replace("\\", "\\\\").replace('"', '\\"') + '"' for v in values) + "}"


def _execute_prepared(db, run, sql: str, params) -> None:
    if getattr(db, "_prepared_on", None) is not db.connection:  # a new connection: nothing is prepared on it
        db._prepared_on, db._prepared = db.connection, {}
    name = db._prepared.get(sql)
    arguments = f"({', '.join(['%s'] * len(params))})" if params else ""
    if name is not None:
        run(f"EXECUTE {name}{arguments}", params)
        return
    if len(db._prepared) >= MAX_PREPARED:
        run(sql, params)
        return
    # A fresh name each attempt: a PREPARE outlives the failure of the statement sent with it (and a transaction's
    # rollback), so a name is remembered only once it surely exists.
    name = f"dsp_{next(_names)}"
    numbered = iter(range(1, len(params) + 1))
    # %s becomes $1, $2, ...; a literal %% stays as it is (the driver still interpolates the string).
    body = _PLACEHOLDER.sub(lambda m: f"${next(numbered)}" if m.group() == "%s" else "%%", sql)
    run(f"PREPARE {name} AS {body}; EXECUTE {name}{arguments}", params)
    db._prepared[sql] = name


MAX_PREPARED = 256  # statements a connection keeps prepared; any more run unprepared
_PLACEHOLDER = re.compile("%s|%%")
_names = itertools.count(1)


def select_sql(model: type[Model], where: str, *, for_update: bool = False) -> str:
    """`SELECT <the model's concrete columns> FROM <its table> WHERE <where>`, for SQL a hot path writes by hand
    (PostgreSQL arrays, which the ORM does not write); `rows_as_instances` runs it. `where` is the caller's SQL
    with `%s` placeholders, never input."""
    columns = ", ".join(f'"{f.column}"' for f in model._meta.concrete_fields)
    lock = " FOR UPDATE" if for_update else ""
    return f'SELECT {columns} FROM "{model._meta.db_table}" WHERE {where}{lock}'  # noqa: S608


def rows_as_instances(model: type[Model], sql: str, params) -> list[Model]:
    """Run `sql` (whose columns are `model`'s concrete fields, in order) and build the instances."""
    db = connections[DEFAULT_DB_ALIAS]
    return [model_instance(model, row, db=db) for row in fetch(sql, params, db=db)]


def compiled_query(build: Callable[..., QuerySet], *probes) -> Callable[..., list[Model]]:
    """`build(*values)` is a queryset of whole model instances (no `values()`, `only()`, `select_related()` or
    annotations: the rows are the model's concrete fields). It is compiled once, called with `probes`: values no
    row has, each of which must come back exactly once among the compiled query's parameters. The result, called
    with the request's values in the same order, runs that SQL and returns the instances."""

    @functools.cache
    def compiled(vendor: str) -> tuple[str, list[int], type[Model]]:
        queryset = build(*probes)
        query = queryset.query
        if query.select_related or query.annotations or query.values_select or query.deferred_loading[0]:
            raise ImproperlyConfigured("A compiled query returns whole model instances, nothing joined or added.")
        sql, params = query.sql_with_params()
        positions = []
        for param in params:
            if param not in probes or params.count(param) != 1:
                raise ImproperlyConfigured(f"Every parameter of a compiled query must be one probe, not {param!r}.")
            positions.append(probes.index(param))
        return sql, positions, queryset.model

    def run(*values) -> list[Model]:
        sql, positions, model = compiled(connection.vendor)
        return rows_as_instances(model, sql, [values[k] for k in positions])

    return run
