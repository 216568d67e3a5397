"""REST plumbing shared by every app: the one exception handler and the default pagination."""

import logging

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, pagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from core.errors import DomainError

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


def _flatten(detail):
    """DRF error detail -> {"field": ["message", ...]}."""
    if isinstance(detail, dict):
        out = {}
        for key, value in detail.items():
            if isinstance(value, dict):
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
        response = Response(exc.as_dict(), status=exc.status_code)
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
