"""Journeys on the embedded default: SQLite, in-process tasks, the local Stripe stand-in delivering its
signed events to the live server's webhook endpoint, as under `make run`."""

import time

import pytest
from django.db import connection, connections

from tests.conftest import EMBEDDED_SETTINGS
from tests.integrations.conftest import Receiver, _serve


def pytest_collection_modifyitems(config, items):
    import os

    if os.environ.get("DJANGO_SETTINGS_MODULE") != EMBEDDED_SETTINGS:
        raise pytest.UsageError(f"tests/embedded runs with --ds={EMBEDDED_SETTINGS} (see make test)")


@pytest.fixture(scope="session", autouse=True)
def _program_data(django_db_setup):
    """The rows the migrations seed (eligible states, target cities, program settings) as the test database was
    made: what `make run` starts with. Each journey is marked `serialized_rollback=True` to get them back after
    the previous journey's flush."""
    return getattr(connections["default"], "_test_serialized_contents", None)


@pytest.fixture(autouse=True)
def _program_data_kept(_program_data):
    """Once Playwright's event loop runs in this thread, `connections` (an asgiref Local) hands out a new connection
    object without the serialized rows, and Django's serialized rollback silently restores nothing: the journeys
    after the first browser one would start without program data. Put the rows on whichever object is current."""
    yield
    if _program_data is not None:
        connections["default"]._test_serialized_contents = _program_data


@pytest.fixture(autouse=True)
def _on_sqlite(db):
    assert connection.vendor == "sqlite", "the embedded journeys run on SQLite"


@pytest.fixture
def standin(stripe_fake, stripe_fake_server, live_server, settings):
    """The stand-in with the live server's webhook endpoint registered, as `make run` does."""
    settings.SITE_URL = live_server.url
    stripe_fake_server.deliver_webhooks_to(live_server.url + "/payments/stripe/webhook/",
                                           settings.STRIPE_WEBHOOK_SECRET)
    return stripe_fake


@pytest.fixture
def hook_receiver():
    """An integrator's webhook receiver: a real HTTP server on 127.0.0.1 (loopback is allowed outside production,
    WEBHOOKS_ALLOW_LOOPBACK) that records what it is sent."""
    state = Receiver(url="")
    server, thread = _serve(state)
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/dsp"
    yield state
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def eventually(check, *, timeout=15.0, every=0.1):
    """Wait for what an asynchronous event (a webhook the stand-in sends a second later) brings about."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result or time.monotonic() > deadline:
            return result
        time.sleep(every)
