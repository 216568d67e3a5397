"""Request ids: taken from `X-Request-ID` (a balancer's) or made here, logged on every line."""

import contextvars
import logging
import re
import uuid

_request_id = contextvars.ContextVar("request_id", default="-")
_VALID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


def current_request_id() -> str:
    return _request_id.get()


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _VALID.match(incoming) else uuid.uuid4().hex
        request.id = request_id
        token = _request_id.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            _request_id.reset(token)
        response["X-Request-ID"] = request_id
        return response


class RequestIdFilter(logging.Filter):
    """Stamps every line with the request id. Django logs a 4xx/5xx response (`django.request`) after the
    middleware has returned, so for those lines the id comes from the request the record carries."""

    def filter(self, record):
        request_id = _request_id.get()
        if request_id == "-":
            request_id = getattr(getattr(record, "request", None), "id", "-")
        record.request_id = request_id
        return True


class RejectNulMiddleware:
    """A NUL character in the query string can never be valid input, and PostgreSQL refuses it in text
    (a 500 deep in a filter). Answer 400 up front, for every page and endpoint alike."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if any("\x00" in key or any("\x00" in value for value in values) for key, values in request.GET.lists()):
            from django.http import JsonResponse
            from django.shortcuts import render

            detail = "The query string contains a NUL character."
            if request.path.startswith("/api/"):
                return JsonResponse({"code": "invalid_query", "detail": detail, "fields": {}}, status=400)
            return render(request, "errors/400.html", status=400)
        return self.get_response(request)
