"""REST plumbing shared by every app: the one exception handler and the default pagination."""

import logging
from decimal import Decimal

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import F
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, pagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

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

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        names = fields_requested(request, self.list_fields)
        lookups = {name: self.list_values.get(name, name) for name in names}
        extra = [name for name in _ordering_names(self.paginator) if name not in lookups]
        extra += [needed for name in names for needed in self.list_requires.get(name, ())
                  if needed not in lookups and needed not in extra]
        plain = [lookup for name, lookup in lookups.items() if name == lookup]
        renamed = {name: F(lookup) if isinstance(lookup, str) else lookup
                   for name, lookup in lookups.items() if name != lookup}
        rows = queryset.values(*plain, *extra, **renamed)
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
