"""Fixtures shared by every test: users per role, API clients with tokens, Redis, a browser."""

import os
import pathlib

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import override_settings
from pytest_django.plugin import blocking_manager_key
from rest_framework.test import APIClient

from accounts.models import Role
from accounts.permissions import ALL_SCOPES
from accounts.services import api_token_create
from tests.factories import PASSWORD, AdminFactory, UserFactory

pytest_plugins = ["tests.stripe_fake"]

EMBEDDED_SETTINGS = "dsp_portal.test_settings_embedded"
# tests/embedded runs on its own settings (SQLite, no Redis): `make test` runs it second, with
# `--ds=dsp_portal.test_settings_embedded`; the PostgreSQL run leaves it out.
collect_ignore = [] if os.environ.get("DJANGO_SETTINGS_MODULE") == EMBEDDED_SETTINGS else ["embedded"]

ARTIFACTS = pathlib.Path(__file__).resolve().parent.parent / "test-artifacts"


# --- Program data the migrations seed (regions, claim categories, eligible states, hub settings...) ---
# A transactional test (live_server, transaction=True) ends with a flush that empties every table. Run serially,
# pytest-django puts those tests last; under pytest-xdist a worker may run one before another file's tests, so
# the rows the migrations put in are saved once after the test database is built and put back after each flush.

_MIGRATED_ROWS: list[str] = []
_FLUSHING_FIXTURES = {"transactional_db", "live_server", "django_db_reset_sequences", "django_db_serialized_rollback"}


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    # content types and permissions are made again by the flush itself (post_migrate): not saved
    with django_db_blocker.unblock(), override_settings(TEST_NON_SERIALIZED_APPS=[
            "django.contrib.contenttypes", "django.contrib.auth"]):
        _MIGRATED_ROWS[:] = [connection.creation.serialize_db_to_string()]
    yield


def _flushes_the_database(item) -> bool:
    marker = item.get_closest_marker("django_db")
    if marker is not None and (marker.kwargs.get("transaction") or (marker.args and marker.args[0])):
        return True
    return bool(_FLUSHING_FIXTURES & set(getattr(item, "fixturenames", ())))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    result = yield  # the test's fixtures are torn down here: a transactional test's flush has run
    # (after a worker's last test the test database itself is gone: nothing to put back)
    if _MIGRATED_ROWS and nextitem is not None and _flushes_the_database(item):
        with item.config.stash[blocking_manager_key].unblock():
            connection.creation.deserialize_db_from_string(_MIGRATED_ROWS[0])
    return result


@pytest.fixture(autouse=True)
def _clean_cache():
    """Each test starts with an empty Redis cache (throttle counters, readiness probes)."""
    cache.clear()
    yield


@pytest.fixture
def password():
    return PASSWORD


@pytest.fixture
def user(db):
    return UserFactory()


@pytest.fixture
def admin_user(db):
    return AdminFactory()


@pytest.fixture
def make_user(db):
    def make(role=Role.APPLICANT, **kwargs):
        if role == Role.PROGRAM_ADMIN:
            return AdminFactory(**kwargs)
        return UserFactory(role=role, **kwargs)

    return make


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def token_client(db):
    """`token_client(user, scopes=None)` -> APIClient authenticated with a fresh bearer token."""

    def make(for_user, scopes=None):
        _token, raw = api_token_create(user=for_user, created_by=for_user, name="test", scopes=scopes or ALL_SCOPES)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
        return client

    return make


# --- Browser tests: Debian's Chromium driven by Playwright (never a downloaded browser) ---

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


@pytest.fixture(scope="session")
def _playwright():
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # sync Playwright runs an event loop
    from playwright.sync_api import sync_playwright

    if not pathlib.Path(CHROMIUM).exists():
        pytest.fail(f"Browser tests need Debian's chromium at {CHROMIUM} (apt-get install chromium)")
    with sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="session")
def browser(_playwright):
    browser = _playwright.chromium.launch(
        executable_path=CHROMIUM, headless=True,
        args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
              "--disable-sync", "--no-first-run", "--disable-quic"],
    )
    yield browser
    browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def phone_page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 390, "height": 844},
                                  is_mobile=True, has_touch=True, device_scale_factor=2)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def screenshot():
    """`screenshot(page, "name")` saves test-artifacts/<name>.png and returns its path."""

    def take(page, name):
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


def login(page, email, password=PASSWORD):
    """Sign in through the real allauth page."""
    page.goto("/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url("**/dashboard/**")
