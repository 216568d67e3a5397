"""REST plumbing shared by every app: the one exception handler and the default pagination."""

import copy
import functools
import logging
from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import ImproperlyConfigured
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DEFAULT_DB_ALIAS, DataError, connection, connections
from django.db.models import F
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, pagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from core.compiled import PROBE_ID, fetch
from core.errors import DomainError, ValidationFailed
from core.forms import readable

logger = logging.getLogger(__name__)

_CODES = {
    400: "invalid",
    401: "not_authenticated",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    415: "unsupported_media_type",
    422: "unprocessable",
    429: "throttled",
}


def _as_list(value):
    return value if isinstance(value, list) else [value]


def _flatten(detail):
    """DRF error detail -> {"field": ["message", ...]}."""
    if isinstance(detail, dict):
        out = {}
        for key, value in detail.items():
            if isinstance(value, dict) and all(isinstance(k, int) for k in value):
                # A list field's per-item errors belong to the field itself.
                out[key] = [str(m) for messages in value.values() for m in _as_list(messages)]
            elif isinstance(value, dict):
                for sub, messages in _flatten(value).items():
                    out[f"{key}.{sub}"] = messages
            elif isinstance(value, list):
                out[key] = [str(v) if not isinstance(v, dict) else str(_flatten(v)) for v in value]
            else:
                out[key] = [str(value)]
        return out
    if isinstance(detail, list):
        return {"non_field_errors": [str(v) for v in detail]}
    return {}


def exception_handler(exc, context):
    """Every error leaves the API as JSON `{"code", "detail", "fields"}` with a 4xx status."""
    if isinstance(exc, DomainError):
        body = exc.as_dict()
        # `fields` holds sentences people read: a bare code some service put there shows the detail instead.
        body["fields"] = {name: [readable(m, exc.detail) for m in _as_list(problems)]
                          for name, problems in exc.fields.items()}
        response = Response(body, status=exc.status_code)
        if exc.status_code == 409:
            response["Cache-Control"] = "no-store"
        return response
    if isinstance(exc, DjangoValidationError):
        fields = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        return Response({"code": "validation_failed", "detail": "; ".join(exc.messages), "fields": fields}, status=400)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()

    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # a real server error: Django's 500 handling and logging take over
    status = response.status_code
    if isinstance(exc, exceptions.ValidationError):
        fields = _flatten(exc.detail)
        first = next(iter(fields.values()), ["Invalid input."])
        body = {"code": "validation_failed", "detail": first[0] if first else "Invalid input.", "fields": fields}
    else:
        detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
        code = getattr(detail, "code", None) or _CODES.get(status, "error")
        body = {"code": code, "detail": str(detail), "fields": {}}
        if isinstance(exc, exceptions.Throttled):
            body["code"] = "throttled"
    response.data = body
    return response


class CursorPagination(pagination.CursorPagination):
    """Stable paging for large, growing lists: newest first by primary key."""

    ordering = "-pk"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500

    def paginate_queryset(self, queryset, request, view=None):
        # DRF checks a cursor's offset but not its position: one no row can have ("abc" for an id, a number past
        # bigint's range) is its "Invalid cursor" 404, never a server error.
        try:
            return super().paginate_queryset(queryset, request, view)
        except (ValueError, TypeError, DjangoValidationError, DataError) as exc:
            if self.cursor is None or self.cursor.position is None:
                raise
            raise exceptions.NotFound(self.invalid_cursor_message) from exc

    # The links are written once, with the page's rows as read: a `values()` list drops the ordering columns it
    # read only for them (`ValuesListMixin`) before the browsable API asks for the links again to draw its buttons.
    def get_next_link(self):
        if "_next_link" not in self.__dict__:
            self._next_link = super().get_next_link()
        return self._next_link

    def get_previous_link(self):
        if "_previous_link" not in self.__dict__:
            self._previous_link = super().get_previous_link()
        return self._previous_link


class OldestFirstPagination(CursorPagination):
    """A log read in the order it happened (an object's history): oldest first by primary key."""

    ordering = "pk"


class ComputedOrderPagination(pagination.PageNumberPagination):
    """For the rare list ordered by something computed per request (the distance from a point the client gives),
    which no stored column holds, so a cursor has no position to point at. Numbered pages of a list the selector
    already bounds; the envelope (`results`, `next`, `previous`, `count`) is the cursor lists' plus a count."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


# --- fast read-only lists ------------------------------------------------------------------------

FIELDS_PARAM_DESCRIPTION = "Comma-separated fields to return (default: all), e.g. `fields=id,status`."


def fields_requested(request, allowed) -> list[str]:
    """The `?fields=a,b` a client asked for, in `allowed`'s order; an unknown name is a 400 naming it."""
    raw = request.query_params.get("fields")
    if not raw:
        return list(allowed)
    wanted = {name.strip() for name in raw.split(",") if name.strip()}
    unknown = sorted(wanted - set(allowed))
    if unknown or not wanted:
        message = _("Unknown field(s): %(names)s. Choose from: %(allowed)s.") % {
            "names": ", ".join(unknown) or "-", "allowed": ", ".join(allowed)}
        raise ValidationFailed(message, code="unknown_field", fields={"fields": [message]})
    return [name for name in allowed if name in wanted]


def _ordering_names(paginator) -> list[str]:
    ordering = getattr(paginator, "ordering", None) or ()
    if isinstance(ordering, str):
        ordering = (ordering,)
    return [name.lstrip("-") for name in ordering]


class ValuesListMixin:
    """A read-only list built from `values()`: no model instances, no serializer, rendered by orjson.

    `list_fields` are the output names, the same as the serializer's (which still documents the shape in the
    OpenAPI schema); `list_values` maps an output name to another lookup or an expression when they differ;
    `list_requires` names the columns `list_extend` needs to finish a field (read, then dropped). `?fields=` selects.
    Decimals leave as strings, as DRF's DecimalField (COERCE_DECIMAL_TO_STRING) gives them."""

    list_fields: tuple[str, ...] = ()
    list_values: dict = {}
    list_requires: dict[str, tuple[str, ...]] = {}  # output name -> columns `list_extend` needs to finish it
    # The page read with SQL the ORM compiled once per shape of request (`CompiledPage`, PostgreSQL): a view whose
    # queryset is a function of a few request values sets one probe for each (a value no row has) and defines
    # `list_compiled` and `list_queryset`. Building and compiling the queryset was ~40 % of a route list's Python.
    list_probes: tuple = ()

    def list_compiled(self) -> tuple | None:
        """(shape, values) for `list_queryset(shape, *values)`: the shape names everything else that changes the
        SQL (which of the caller's roles scopes it, say; hashable), the values are the request's (the day, the
        caller's id), one for each of `list_probes`. None: this request reads through the ORM."""
        return None

    @classmethod
    def list_queryset(cls, shape, *values):
        """The queryset `get_queryset` gives for these values, built from them alone (no `self`, no request): it
        is built once per shape with the probes, and its SQL serves every request of that shape."""
        raise NotImplementedError

    def list(self, request, *args, **kwargs):
        names = fields_requested(request, self.list_fields)
        extra = [name for name in _ordering_names(self.paginator) if name not in names]
        extra += [needed for name in names for needed in self.list_requires.get(name, ())
                  if needed not in names and needed not in extra]
        compiled = self.list_compiled() if self.list_probes and connection.vendor == "postgresql" else None
        if compiled is not None and not (getattr(self, "filterset_class", None) or getattr(self, "filterset_fields",
                                                                                            None)):
            rows = CompiledPage(type(self), compiled[0], tuple(compiled[1]), tuple(names), tuple(extra))
        else:
            rows = _values(type(self), self.filter_queryset(self.get_queryset()), names, extra)
        page = self.paginate_queryset(rows)
        paged = page is not None
        if not paged:
            page = list(rows)
        if not page:
            self.list_empty()
        if not paged:
            self.list_extend(page)
            return Response(_clean(page, extra))
        response = self.get_paginated_response(page)  # the cursor links read the ordering fields: then drop them
        self.list_extend(page)
        _clean(page, extra)
        return response

    def list_extend(self, rows) -> None:
        """Add nested data to the page's rows in place (the ordering fields are still there)."""

    def list_empty(self) -> None:
        """Called when the page has no rows. A list scoped in its own statement (the caller's partner or hub as a
        subquery) checks here that the caller has such a scope at all, so one who has none hears why (a 404)."""


def _values(view_class, queryset, names, extra):
    """`queryset.values()` of the output names (renamed from `list_values` where they differ) and the extra
    columns."""
    lookups = {name: view_class.list_values.get(name, name) for name in names}
    plain = [lookup for name, lookup in lookups.items() if name == lookup]
    renamed = {name: F(lookup) if isinstance(lookup, str) else lookup
               for name, lookup in lookups.items() if name != lookup}
    return queryset.values(*plain, *extra, **renamed)


class CompiledPage:
    """What CursorPagination asks of a queryset (its ordering, a filter on the cursor's position, a slice),
    answered with SQL the ORM compiled once for this shape of request: the view's `list_queryset` built with its
    probes, `values()`, ordered, filtered on a position probe and sliced as the paginator asks, compiled, and every
    probe found among the parameters (`_page_sql`). A request binds its own values there and reads the rows as the
    ORM would (its converters applied). The cursor's column is an integer (an id) or text."""

    def __init__(self, view_class, shape, values, names, extra):
        self.key, self.values = (view_class, shape, names, extra), values
        self.ordering, self.position = (), None

    def _with(self, **changes):
        page = copy.copy(self)
        page.__dict__.update(changes)
        return page

    def order_by(self, *ordering):
        return self._with(ordering=ordering)

    def filter(self, **lookup):
        ((name, value),) = lookup.items()  # the paginator's one filter: past the cursor's position
        return self._with(position=(name, value))

    def __getitem__(self, part: slice) -> list[dict]:
        view_class, shape, names, extra = self.key
        lookup, position = self.position or (None, None)
        start = part.start or 0
        sql, bind, columns, converters, kind = _page_sql(view_class, shape, names, extra, self.ordering, lookup,
                                                         start, None if part.stop is None else part.stop - start)
        values = [*self.values, _position(kind, position)]
        rows = fetch(sql, [values[k] if k >= 0 else constant for k, constant in bind])
        db = connections[DEFAULT_DB_ALIAS]
        out = []
        for row in rows:
            if converters:
                row = list(row)
                for index, (functions, expression) in converters:
                    for function in functions:
                        row[index] = function(row[index], expression, db)
            out.append(dict(zip(columns, row, strict=True)))
        return out

    def __iter__(self):  # a list read without a paginator: every row
        return iter(self[0:None])


_POSITION_PROBES = {int: PROBE_ID - 1, str: "~position-probe~"}  # stand-ins for the cursor's position
_SECOND = 1_000_003  # added to integer probes for the second compilation (which checks the first)


def _position(kind, position):
    """The cursor's position as the ORM would bind it (an id, or text); a position no id can be is a 404 (DRF's
    "Invalid cursor"), not a database error."""
    if position is None:
        return None
    if kind is str:
        if "\x00" in position:  # PostgreSQL text holds no NUL
            raise exceptions.NotFound(_("Invalid cursor"))
        return position
    try:
        value = int(position)
    except (TypeError, ValueError) as exc:
        raise exceptions.NotFound(_("Invalid cursor")) from exc
    if not -(2**63) <= value < 2**63:  # no id is out of bigint's range
        raise exceptions.NotFound(_("Invalid cursor"))
    return value


@functools.lru_cache(maxsize=256)  # offsets and sizes come from the client: the shapes kept are bounded
def _page_sql(view_class, shape, names, extra, ordering, lookup, offset, limit):
    """The SQL of one shape of page, the parameter bindings ((index of the request value, or -1 and a constant),
    the position last), the column names and the ORM's converters. Compiled twice with different probes: any
    parameter that is not a probe must come out the same both times (a value of the request built into the
    queryset some other way would not). A shape may leave a value unused (an admin's list is not scoped by id)."""
    compiled = [_compile(view_class, shape, names, extra, ordering, lookup, offset, limit, second)
                for second in (False, True)]
    (sql, params, probes, columns, converters, kind), (sql2, params2, probes2, *_rest) = compiled
    if sql != sql2 or len(params) != len(params2):
        raise ImproperlyConfigured(f"{view_class.__name__}.list_queryset: its SQL changes with its values.")
    bind = []
    for first, second in zip(params, params2, strict=True):
        index = next((k for k, probe in enumerate(probes) if first == probe and type(first) is type(probe)), -1)
        if index < 0 and first != second:
            raise ImproperlyConfigured(f"{view_class.__name__}.list_queryset: a parameter is not one of its values.")
        if index >= 0 and second != probes2[index]:
            raise ImproperlyConfigured(f"{view_class.__name__}.list_queryset: its probes are not distinct.")
        bind.append((index, None if index >= 0 else first))
    return sql, bind, columns, converters, kind


def _compile(view_class, shape, names, extra, ordering, lookup, offset, limit, second):
    probes = [_shifted(p) if second else p for p in view_class.list_probes]
    queryset = view_class.list_queryset(shape, *probes)
    kind = None
    if lookup is not None:  # the cursor's column: an integer (an id) or text (a tracking id)
        name = lookup.split("__", 1)[0]
        field = queryset.model._meta.pk if name == "pk" else queryset.model._meta.get_field(name)
        kind = str if field.get_internal_type() in ("CharField", "TextField") else int
        probes.append(_shifted(_POSITION_PROBES[kind]) if second else _POSITION_PROBES[kind])
    queryset = _values(view_class, queryset, list(names), list(extra)).order_by(*ordering)
    if lookup is not None:
        queryset = queryset.filter(**{lookup: probes[-1]})
    queryset = queryset[offset:offset + limit] if limit is not None else queryset[offset:]
    query = queryset.query
    compiler = query.get_compiler(using=DEFAULT_DB_ALIAS)
    sql, params = compiler.as_sql()
    columns = [*query.extra_select, *query.values_select, *query.annotation_select]
    converters = tuple(compiler.get_converters([c[0] for c in compiler.select]).items())
    return sql, list(params), probes, columns, converters, kind


def _shifted(probe):
    if isinstance(probe, str):
        return probe + "~again"
    if isinstance(probe, bool) or not isinstance(probe, (int, date)):
        raise ImproperlyConfigured(f"A probe is an integer, a date or text, not {probe!r}.")
    return probe + (timedelta(days=_SECOND % 3000) if isinstance(probe, date) else _SECOND)


def _clean(rows: list[dict], extra: list[str]) -> list[dict]:
    if not rows:
        return rows
    # A column holds one type (or None): only those the first row shows as Decimal or None can hold decimals, so
    # the rest are never looked at again (a page of stops is thousands of values, two of them per row decimals).
    maybe = [name for name, value in rows[0].items() if name not in extra and (value is None or type(value) is Decimal)]
    for row in rows:
        for name in extra:
            del row[name]
        for name in maybe:
            value = row[name]
            if type(value) is Decimal:
                row[name] = str(value)
    return rows


def decimals_as_strings(rows: list[dict]) -> list[dict]:
    """As DRF's DecimalField writes them (COERCE_DECIMAL_TO_STRING), for rows read with values()."""
    return _clean(rows, [])


# --- OpenAPI: the shared error envelope ----------------------------------------------------------

ERROR_COMPONENT = {
    "type": "object",
    "description": "Every 4xx answer. `code` is stable; `fields` maps a field name to its messages.",
    "properties": {
        "code": {"type": "string", "example": "validation_failed"},
        "detail": {"type": "string"},
        "fields": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}},
    },
    "required": ["code", "detail", "fields"],
}
_ERROR_DESCRIPTIONS = {
    "400": "Invalid input (`validation_failed` with `fields`) or a refused request.",
    "401": "Missing, invalid, expired or revoked credentials.",
    "403": "Signed in, but the role or the token's scopes do not allow this.",
    "404": "Not found, not yours, or an invalid list `cursor`.",
    "405": "Method not allowed.",
    "406": "Not acceptable.",
    "409": "Conflict with the current state, or an `Idempotency-Key` still in progress.",
    "415": "Unsupported media type.",
    "422": "Unprocessable (e.g. `idempotency_key_reused`).",
    "429": "Rate limited; see `Retry-After`.",
}
_QUOTA_HEADERS = {
    "X-RateLimit-Limit": {"schema": {"type": "integer"}, "description": "Requests allowed in the current window."},
    "X-RateLimit-Remaining": {"schema": {"type": "integer"}, "description": "Requests left in the current window."},
}


def error_response(description: str) -> dict:
    return {"description": description,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}


def _catalogue_markdown() -> str:
    from core.events import EVENT_TYPES

    lines = ["", "", "## Webhook events", "",
             "Deliveries POST `{id, type, created, data}`; `data` has these fields per type:", "",
             "| type | description | data |", "|---|---|---|"]
    for name, (description, shape) in EVENT_TYPES.items():
        fields = ", ".join(f"`{k}`: {v}" for k, v in shape.items())
        lines.append(f"| `{name}` | {description} | {fields} |")
    return "\n".join(lines)


def schema_add_errors(result, generator, request, public):
    """drf-spectacular postprocessing hook: declare `Error` once and document it on every operation.

    Also documents the rate-limit headers and appends the webhook event catalogue to the description."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_COMPONENT
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"]
            # 404 everywhere: a path id that is not yours, or a list's invalid `cursor`.
            codes = ["400", "401", "403", "404", "405", "406", "415", "429"]
            if method in ("post", "put", "patch", "delete"):
                codes += ["409", "422"]
            for code in codes:
                existing = responses.get(code)
                if existing is None or not existing.get("content"):
                    responses[code] = error_response(_ERROR_DESCRIPTIONS[code])
            for code, response in responses.items():
                if code.startswith("2"):
                    response.setdefault("headers", {}).update(_QUOTA_HEADERS)
    info = result.setdefault("info", {})
    info["description"] = (info.get("description") or "") + _catalogue_markdown()
    return result
