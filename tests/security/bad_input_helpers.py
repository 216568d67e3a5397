"""Shared by the bad-input module and the API contract test: the live OpenAPI schema (generated in-process)
and real ids for its path parameters, found by asking the collection above each parameter."""

import re

from drf_spectacular.generators import SchemaGenerator

_PARAM = re.compile(r"\{([^}]+)\}")
_cache: dict = {}

# The demo program's login for each role (manage.py seed_demo), used by the schema-driven tests.
DEMO_LOGINS = {
    "applicant": "applicant@demo.dspportal.example",
    "partner_owner": "owner@demo.dspportal.example",
    "hub_owner": "hub@demo.dspportal.example",
    "driver": "driver@demo.dspportal.example",
    "program_admin": "admin@demo.dspportal.example",
    "integrator": "integrator@demo.dspportal.example",
}



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


# --- Request bodies ------------------------------------------------------------------------------

def _resolve(schema_part: dict, document: dict) -> dict:
    seen = 0
    while "$ref" in schema_part and seen < 10:
        name = schema_part["$ref"].rsplit("/", 1)[-1]
        schema_part = document["components"]["schemas"][name]
        seen += 1
    if "allOf" in schema_part:
        merged = {"type": "object", "properties": {}}
        for part in schema_part["allOf"]:
            merged["properties"].update(_resolve(part, document).get("properties", {}))
        return merged
    return schema_part


def body_properties(operation: dict, media_type: str, document=None) -> dict:
    """{name: property schema} of an operation's request body for `media_type` ({} when it has none)."""
    document = document or openapi_schema()
    content = (operation.get("requestBody") or {}).get("content", {})
    if media_type not in content:
        return {}
    return {name: _resolve(prop, document)
            for name, prop in _resolve(content[media_type].get("schema", {}), document).get("properties", {}).items()}


_WRONG_TYPE = {"integer": "x", "number": {"a": 1}, "string": ["x"], "boolean": "maybe", "array": "not-a-list",
               "object": [1, 2]}
HUGE = "x" * 100_000
DEEP = "[" * 20_000 + "]" * 20_000


def garbage_json_bodies(properties: dict) -> dict[str, str | bytes]:
    """name -> raw JSON body (or bytes): each is input a careful API answers with a 4xx."""
    import json

    names = list(properties) or ["name"]
    kinds = {name: properties.get(name, {}).get("type", "string") for name in names}
    return {
        "not-json": "this is not json",
        "not-utf8": b"\xff\xfe\x00{",
        "deep": DEEP,
        "deep-in-field": json.dumps({names[0]: "__DEEP__"}).replace('"__DEEP__"', DEEP),
        "list": "[]",
        "null": "null",
        "number": "7",
        "wrong-types": json.dumps({name: _WRONG_TYPE.get(kind, 1) for name, kind in kinds.items()}),
        "huge-strings": json.dumps({name: HUGE for name in names}),
        "null-bytes": json.dumps({name: "a\x00b" for name in names}),
        "nulls": json.dumps(dict.fromkeys(names)),
        "huge-numbers": json.dumps(dict.fromkeys(names, 10**40)),
    }


def garbage_multipart_bodies(properties: dict) -> dict[str, dict]:
    from django.core.files.uploadedfile import SimpleUploadedFile

    names = list(properties) or ["file"]
    return {
        "null-bytes": {name: "a\x00b" for name in names},
        "huge-strings": {name: HUGE for name in names},
        "text-as-file": {name: SimpleUploadedFile("x.pdf", b"<html>not a pdf</html>", "application/pdf")
                         for name in names},
    }


# --- HTML pages ----------------------------------------------------------------------------------

SKIPPED_PAGE_PREFIXES = ("admin/", "api/", "accounts/logout/", "payments/stripe/webhook/")


def page_patterns():
    """(route template, converters) of every URL pattern that is a page: not the API (its own tests), the
    Django admin (Django's own), the Stripe webhook (signed POSTs) or sign-out."""
    from django.urls import get_resolver
    from django.urls.resolvers import RoutePattern, URLResolver

    def walk(patterns, prefix, converters):
        for pattern in patterns:
            own = pattern.pattern.converters if isinstance(pattern.pattern, RoutePattern) else {}
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, route, {**converters, **own})
            elif "^" not in route and not route.startswith(SKIPPED_PAGE_PREFIXES):
                yield "/" + route, {**converters, **own}

    return list(walk(get_resolver().url_patterns, "", {}))


_SEGMENT = re.compile(r"<(?:(\w+):)?(\w+)>")


def _model_for(name: str, previous_segment: str, app: str):
    """The model a path parameter names, by convention: `claim_id` -> Claim, `receipt_id` -> ClaimReceipt,
    `pk` after `/stops/` -> RouteStop; models of the URL's own app first."""
    from django.apps import apps

    wanted = name[:-3] if name.endswith("_id") else previous_segment.rstrip("s")
    wanted = {"review": "hub" if app == "hubs" else "application", "item": "catalogitem",
              "token": "apitoken", "station": "station"}.get(wanted, wanted)
    matches = [m for m in apps.get_models() if m._meta.model_name == wanted or m._meta.model_name.endswith(wanted)]
    matches.sort(key=lambda m: (m._meta.app_label != app, m._meta.model_name != wanted))
    return matches[0] if matches else None


def page_paths(route: str) -> tuple[str | None, str]:
    """(the page with real ids or None, the page with garbage ids). A later parameter is taken among the
    rows of the earlier one (a document of that application)."""
    app = {"account": "accounts", "integrations": "integrations"}.get(route.strip("/").split("/")[0],
                                                                      route.strip("/").split("/")[0])
    real, garbage, chosen = route, route, {}
    for match in _SEGMENT.finditer(route):
        converter, name = match.group(1) or "str", match.group(2)
        previous = route[: match.start()].rstrip("/").rsplit("/", 1)[-1]
        garbage = garbage.replace(match.group(0), str(2**63) if converter == "int" else "no-such-thing", 1)
        if name == "step":
            value = 1
        else:
            model = _model_for(name, previous, app)
            value = _first_value(model, converter, chosen) if model is not None else None
            if model is not None:
                chosen[model] = value
        real = real.replace(match.group(0), str(value), 1) if real is not None and value is not None else None
    return real, garbage


def _first_value(model, converter, chosen):
    qs = model._default_manager.order_by("pk")
    for parent, parent_value in chosen.items():
        for field in model._meta.get_fields():
            if getattr(field, "many_to_one", False) and field.related_model is parent:
                qs = qs.filter(**{field.name: parent_value})
    field = "pk" if converter == "int" else ("code" if hasattr(model, "code") else "pk")
    return qs.values_list(field, flat=True).first()
