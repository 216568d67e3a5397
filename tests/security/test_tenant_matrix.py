"""The cross-tenant matrix: every object URL (HTML and REST), every method it allows, every tenant role, asked for
another tenant's object. Each answer must be 404, and nothing may change.

The URL patterns come from the resolver, so an endpoint added later is in the matrix at once; one without an entry in
`matrix.TARGETS` (or a reasoned `matrix.SKIPPED`) fails `test_every_object_url_is_in_the_matrix`.

A role whose permission does not reach the endpoint at all (a driver on a fleet page, say) is refused before any
object is looked up; that 403 is accepted only when a missing id gets the very same 403, so it tells nothing about
tenant B's objects. Anything else that is not a 404 fails, and so does any row that changed."""

from collections import Counter
from types import SimpleNamespace

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.permissions import ALL_SCOPES
from accounts.services import api_token_create
from tests.security.matrix import (
    METHODS,
    MISSING_ID,
    ROLES,
    SKIPPED,
    TARGETS,
    WRITE_BODY,
    changed_tables,
    fingerprint,
    object_endpoints,
    program_wide,
    skip_reason,
)
from tests.security.world import build_world

ENDPOINTS = object_endpoints()
COVERED = [e for e in ENDPOINTS if skip_reason(e) is None]


def test_every_object_url_is_in_the_matrix():
    missing = [f"{e.name} ({e.route})" for e in COVERED if e.name not in TARGETS]
    assert not missing, ("These URL patterns take an id but are not in the cross-tenant matrix: add it to the matrix "
                         "(tests/security/matrix.py TARGETS, or SKIPPED with a reason): " + ", ".join(missing))
    names = {e.name for e in ENDPOINTS}
    stale = sorted(set(TARGETS) - names) + sorted(set(SKIPPED) - names)
    assert not stale, f"The matrix names URL patterns that no longer exist: {stale}"


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Built once for the module inside a transaction that is rolled back at the end; each test runs in a
    savepoint inside it (pytest-django's `db`), and each request in a savepoint of its own."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            built = build_world()
            built.clients = _clients(built)
            yield built
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def _clients(world):
    """role -> [(auth, client)]: a browser session, and for the API also a bearer token with every scope."""
    made = {}
    for role in ROLES:
        user = world.a.users[role]
        session, api_session = Client(), APIClient()
        session.force_login(user)
        api_session.force_login(user)
        _token, raw = api_token_create(user=user, created_by=user, name="matrix", scopes=ALL_SCOPES)
        token = APIClient()
        token.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
        made[role] = {"html": [("session", session)], "api": [("session", api_session), ("token", token)]}
    return made


TALLY = Counter()
CASES = set()


@pytest.fixture(scope="module", autouse=True)
def summary(request):
    yield
    if not CASES:
        return
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    urls = {c[0] for c in CASES}
    lines = [
        "",
        f"cross-tenant matrix: {len(CASES)} (url, method, role) cases over {len(urls)} object URLs "
        f"({TALLY['requests']} requests incl. session + token auth for the API and mixed-parent variants)",
        f"  404: {TALLY['404']}   refused by role before any lookup (403, same as a missing id): {TALLY['role']}",
        f"  (url, role) pairs program-wide by design, not asked: {TALLY['program_wide']}   "
        f"URL patterns skipped as not tenant-owned: {len(ENDPOINTS) - len(COVERED)}",
    ]
    with capture.global_and_fixture_disabled():  # shown in the run's output, not swallowed with the test's
        for line in lines:
            reporter.write_line(line)


def _call(client, method, url, *, api):
    if method == "GET":
        return client.get(url)
    if api:
        return getattr(client, method.lower())(url, WRITE_BODY, format="json")
    if method == "POST":
        return client.post(url, WRITE_BODY)
    return getattr(client, method.lower())(url, "note=cross-tenant", content_type="application/x-www-form-urlencoded")


def _isolated(client, method, url, *, api, baseline=None):
    """The response, and the tables it changed (against `baseline`, when given); the change itself is rolled back
    so every case starts from the same world."""
    with transaction.atomic():
        response = _call(client, method, url, api=api)
        changed = changed_tables(baseline, fingerprint()) if baseline else []
        transaction.set_rollback(True)
    return response, changed


def _missing(kwargs):
    return {k: (v if k == "step" else "no-such-code" if k == "code" else MISSING_ID) for k, v in kwargs.items()}


@pytest.mark.parametrize("endpoint", COVERED, ids=lambda e: e.name)
def test_another_tenants_id_answers_404_and_changes_nothing(endpoint, world, db):
    if endpoint.name not in TARGETS:
        pytest.fail(f"{endpoint.name} ({endpoint.route}) takes an id: add it to the matrix (tests/security/matrix.py)")
    declared = endpoint.allowed_methods()
    failures, baseline, missing = [], fingerprint(), {}
    for role in ROLES:
        if program_wide(endpoint, role):
            TALLY["program_wide"] += 1
            continue
        for auth, client in world.clients[role]["api" if endpoint.is_api else "html"]:
            for method in declared or METHODS:
                for variant in TARGETS[endpoint.name]:
                    kwargs = {k: fn(world) for k, fn in variant.items()}
                    missing_key = (role, auth, method)
                    if missing_key not in missing:
                        url = reverse(endpoint.name, kwargs=_missing(kwargs))
                        missing[missing_key] = _isolated(client, method, url, api=endpoint.is_api)[0].status_code
                    problem = _check(endpoint, role, client, method, kwargs, baseline=baseline,
                                     missing_status=missing[missing_key], probe=declared is None)
                    if problem:
                        failures.append(f"{role} {auth} {method} {reverse(endpoint.name, kwargs=kwargs)}: {problem}")
    assert not failures, f"{len(failures)} cross-tenant failures:\n" + "\n".join(failures)


def _check(endpoint, role, client, method, kwargs, *, baseline, missing_status, probe):
    """None when tenant B's object answered like no object at all and nothing changed; else what went wrong."""
    url = reverse(endpoint.name, kwargs=kwargs)
    response, changed = _isolated(client, method, url, api=endpoint.is_api, baseline=baseline)
    TALLY["requests"] += 1
    status = response.status_code
    if probe and status == 405:
        return None if missing_status == 405 else f"405 here but {missing_status} for a missing id"
    CASES.add((endpoint.name, method, role))
    if changed:
        return f"answered {status} and changed {changed}"
    if status == 404:
        TALLY["404"] += 1
        return None
    if status == 403:
        if missing_status == 403:
            TALLY["role"] += 1
            return None
        return f"403 here but {missing_status} for a missing id (tells tenant B's ids apart)"
    return f"answered {status}, not 404"


GETTABLE = [e for e in COVERED if "GET" in (e.allowed_methods() or METHODS) and e.name in TARGETS]


@pytest.mark.parametrize("endpoint", GETTABLE, ids=lambda e: e.name)
def test_a_tenants_own_object_is_not_a_404_so_the_matrix_404s_mean_something(endpoint, world, db):
    """The control: the same URL with tenant A's own object is reached by some role of A (or refused by role),
    so the 404s above come from the tenancy check, not from a world the views cannot find anything in."""
    mirrored = SimpleNamespace(a=world.b, b=world.a, program=world.program)
    variant = TARGETS[endpoint.name][0]
    url = reverse(endpoint.name, kwargs={k: fn(mirrored) for k, fn in variant.items()})
    answers = {}
    for role in ROLES:
        auth, client = world.clients[role]["api" if endpoint.is_api else "html"][0]
        answers[role] = _isolated(client, "GET", url, api=endpoint.is_api)[0].status_code
        if answers[role] < 400:
            break
    reached = any(status < 400 for status in answers.values())
    program_only = all(status == 403 for status in answers.values())  # review pages and the like: admins only
    post_only = all(status == 405 for status in answers.values())  # a function view behind require_POST
    assert reached or program_only or post_only, f"no role of A reaches its own {url}: {answers}"
