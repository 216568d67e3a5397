"""Every list the API answers is paginated (issue #20): no list grows without bound.

The GET endpoints come from the URL conf under /api/v1/, so an endpoint added later is checked at once. Each is asked,
with tenant A's own objects in its path (the cross-tenant matrix's world and table), by every tenant role and by a
program admin; every JSON answer that is a list must be the paginated envelope (`results` and `next`), and no answer
may be a bare JSON array. The only exceptions are the bounded catalogues of `BOUNDED`, each with the reason its size
cannot grow with the business. A list view (a viewset's `list`, a `ListAPIView`) that no role reaches fails too: a
check that never ran proves nothing."""

from types import SimpleNamespace

import pytest
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework.mixins import ListModelMixin
from rest_framework.test import APIClient

from tests.security.matrix import ROLES, TARGETS
from tests.security.world import build_world

API_PREFIX = "api/v1/"

# URL name -> why the list may come back whole. Keep it short: everything else that lists is paged.
BOUNDED = {
    "api-application-checks": "one background check per kind (a unique constraint): at most BackgroundCheck.Kind rows",
    "api-application-documents": "one document per kind (an upload replaces the one of its kind)",
    "api-claim-receipts": "a claim holds at most MAX_RECEIPTS (10) receipts (onboarding.claims.services)",
    "fleet-checklist": "the program's inspection checklist: a fixed catalogue in code",
    "api-webhook-event-types": "the webhook event catalogue: core.events.EVENT_TYPES, fixed in code",
    "api-region-list": "the regions taking applications: a program catalogue admins curate (tens of rows), read whole "
                       "by application forms",
    "api-claim-category-list": "what a veteran's claim may be for: a short program catalogue admins curate",
}

# GET endpoints whose path cannot be filled from the world, with the reason they list nothing.
NOT_ASKED = {
    "api-tracking": "one package's tracking page (a signed token, not an id): an object, never a list",
}

# Paths the matrix does not hold (not a tenant's object): how to fill them.
PATHS = {
    "procurement-catalog-item": {"item_id": lambda world: world.program["catalog_item"].pk},
}

# Query parameters an endpoint requires before it answers at all.
QUERY = {
    "api-route-list": lambda world: {"date": world.program["service_date"].isoformat()},
    "api-hub-coverage": lambda world: {"latitude": "47.6097", "longitude": "-122.3422",
                                       "date": world.program["service_date"].isoformat()},
}


def _walk(patterns, prefix=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _walk(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield p.name or "", prefix + str(p.pattern), p.callback


def _answers_get(callback) -> bool:
    actions = getattr(callback, "actions", None)
    if actions:
        return "get" in actions
    cls = getattr(callback, "view_class", None) or getattr(callback, "cls", None)
    return cls is None or hasattr(cls, "get")


def _is_list_view(callback) -> bool:
    actions = getattr(callback, "actions", None)
    if actions:
        return actions.get("get") == "list"
    cls = getattr(callback, "view_class", None)
    return cls is not None and issubclass(cls, ListModelMixin)


def api_get_endpoints():
    seen, found = set(), []
    for name, route, callback in _walk(get_resolver().url_patterns):
        if not route.startswith(API_PREFIX) or "<format>" in route or "(?P<format>" in route:
            continue
        if name in seen or not _answers_get(callback):
            continue
        seen.add(name)
        found.append(SimpleNamespace(name=name, route=route, callback=callback, lists=_is_list_view(callback)))
    return found


ENDPOINTS = api_get_endpoints()


def test_the_walk_finds_the_api_and_every_exception_still_exists():
    names = {e.name for e in ENDPOINTS}
    assert {"fleet-vehicle-list", "api-hub-parcels", "api-route-list", "api-application-history"} <= names
    stale = sorted((set(BOUNDED) | set(NOT_ASKED) | set(PATHS) | set(QUERY)) - names)
    assert not stale, f"exceptions for URL names that no longer exist: {stale}"


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Built once for the module inside a transaction rolled back at the end (as the cross-tenant matrix does)."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            built = build_world()
            clients = []
            for user in [*(built.a.users[role] for role in ROLES), built.admin]:
                client = APIClient()
                client.force_authenticate(user)
                clients.append((getattr(user, "role", "admin"), client))
            built.clients = clients
            yield built
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def _url(endpoint, world) -> str | None:
    if "<" not in endpoint.route and "(?P" not in endpoint.route:
        return reverse(endpoint.name)
    if endpoint.name in PATHS:
        return reverse(endpoint.name, kwargs={k: fn(world) for k, fn in PATHS[endpoint.name].items()})
    if endpoint.name not in TARGETS:
        return None
    own = SimpleNamespace(a=world.b, b=world.a, program=world.program)  # the matrix's B-objects, mirrored to A's
    return reverse(endpoint.name, kwargs={k: fn(own) for k, fn in TARGETS[endpoint.name][0].items()})


def _json_answers(endpoint, world) -> dict:
    url = _url(endpoint, world)
    assert url is not None or endpoint.name in NOT_ASKED, (
        f"{endpoint.name} ({endpoint.route}) takes a parameter this test cannot fill: add it to the cross-tenant "
        "matrix (tests/security/matrix.py TARGETS) or to NOT_ASKED here with a reason")
    if url is None:
        return {}
    params = QUERY[endpoint.name](world) if endpoint.name in QUERY else {}
    answers = {}
    for role, client in world.clients:
        with transaction.atomic():
            response = client.get(url, params)
            transaction.set_rollback(True)
        if 200 <= response.status_code < 300 and response.get("Content-Type", "").startswith("application/json"):
            answers[role] = response.json()
    return answers


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.name)
def test_every_api_list_answers_with_the_paginated_envelope(endpoint, world, db):
    answers = _json_answers(endpoint, world)
    if endpoint.name in BOUNDED:
        assert answers, f"{endpoint.name}: no role reached this bounded catalogue"
        return
    if endpoint.lists:
        assert answers, f"{endpoint.name} is a list view that no role of tenant A (nor an admin) reached"
    for role, body in answers.items():
        assert not isinstance(body, list), (
            f"{endpoint.name} ({endpoint.route}) answered {role} with a bare JSON array: page it (core.api."
            "CursorPagination, or a subclass with a stable ordering), or add it to BOUNDED with the reason it "
            "cannot grow")
        if endpoint.lists or "results" in body:
            assert {"results", "next"} <= set(body), f"{endpoint.name} answered {role} without `results` and `next`"
            assert isinstance(body["results"], list)
