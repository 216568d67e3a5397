"""Shared by the bad-input module and the API contract test: the live OpenAPI schema (generated in-process)
and real ids for its path parameters, found by asking the collection above each parameter."""

import re

from drf_spectacular.generators import SchemaGenerator

_PARAM = re.compile(r"\{([^}]+)\}")
_cache: dict = {}


def openapi_schema() -> dict:
    """drf-spectacular's document, built once per run (it takes seconds)."""
    if "schema" not in _cache:
        _cache["schema"] = SchemaGenerator().get_schema(request=None, public=True)
    return _cache["schema"]


def operations(schema=None):
    """(method, path, operation) for every API operation, in schema order."""
    for path, item in (schema or openapi_schema())["paths"].items():
        for method, operation in item.items():
            if isinstance(operation, dict) and "responses" in operation:
                yield method.upper(), path, operation


def _items(body):
    if isinstance(body, dict):
        body = body.get("results", body.get("lines", []))
    return [item for item in body if isinstance(item, dict)] if isinstance(body, list) else []


def real_path(get, path: str) -> str | None:
    """`path` with each `{param}` replaced by the first object its caller can see, taken from the GET of the
    collection just above the parameter (`/a/{id}/b/{x}/` asks `/a/`, then `/a/<id>/b/`). None when a
    collection is empty or missing: the operation is then exercised with garbage ids only.

    `get(path)` answers `(status, parsed JSON or None)`; see `django_getter` and `wsgi_getter`."""
    resolved = path
    while (match := _PARAM.search(resolved)) is not None:
        name = match.group(1)
        collection = resolved[: match.start()]
        status, body = get(collection)
        if status != 200:
            return None
        field = "code" if name == "code" else "id"
        items = [item for item in _items(body) if field in item]
        if not items:
            return None
        resolved = resolved[: match.start()] + str(items[0][field]) + resolved[match.end():]
    return resolved


def path_parameters(template: str, path: str) -> dict:
    """{"id": "7", ...}: the values `real_path` put into `template`."""
    names = _PARAM.findall(template)
    pattern = "^" + re.sub(r"\\\{[^}]+\\\}", "([^/]+)", re.escape(template)) + "$"
    return dict(zip(names, re.match(pattern, path).groups(), strict=True))


def django_getter(client):
    """For Django's test client (or DRF's APIClient)."""

    def get(path):
        response = client.get(path)
        is_json = "json" in response.get("Content-Type", "")
        return response.status_code, response.json() if is_json else None

    return get


def wsgi_getter(app, headers):
    """Straight through the WSGI app, the way schemathesis calls it (the test client would reconnect
    `close_old_connections`, which closes the test's transaction under a direct WSGI call)."""
    from werkzeug.test import Client

    client = Client(app)

    def get(path):
        response = client.get(path, headers=headers)
        return response.status_code, response.get_json(silent=True)

    return get
