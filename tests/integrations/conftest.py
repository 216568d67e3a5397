"""A real HTTP receiver on 127.0.0.1 (a thread running http.server) and webhook helpers."""

import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.db import transaction

from accounts.models import Role
from accounts.permissions import webhook_scopes_allowed
from core.audience import Audience
from core.events import event_record
from integrations.services import webhook_subscription_create


@dataclass
class Received:
    path: str
    headers: dict
    body: bytes


@dataclass
class Receiver:
    url: str
    requests: list = field(default_factory=list)
    statuses: list = field(default_factory=list)  # answered in order; 200 once empty


def _serve(state: Receiver, ssl_context=None):
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            state.requests.append(Received(self.path, dict(self.headers), body))
            code = state.statuses.pop(0) if state.statuses else 200
            payload = b'{"ok": true}' if code < 300 else b"receiver exploded"
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    if ssl_context is not None:
        server.socket = ssl_context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    return server, thread


@pytest.fixture
def receiver():
    state = Receiver(url="")
    server, thread = _serve(state)
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/dsp"
    yield state
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


@pytest.fixture
def tls_receiver():
    """`tls_receiver(ssl_context)` -> a Receiver on 127.0.0.1 speaking https (its `url` names 127.0.0.1)."""
    running = []

    def start(ssl_context):
        state = Receiver(url="")
        server, thread = _serve(state, ssl_context)
        running.append((server, thread))
        state.url = f"https://127.0.0.1:{server.server_address[1]}/hooks/dsp"
        return state

    yield start
    for server, thread in running:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def integrator(make_user):
    return make_user(Role.INTEGRATOR)


@pytest.fixture
def subscribe(integrator):
    """`subscribe(url, event_types=None, owner=None, scopes=None)` -> (subscription, secret).

    Scopes default to every one the owner's role may carry (an integrator then hears program-wide events)."""

    def make(url, event_types=("application.decided",), owner=None, scopes=None):
        owner = owner or integrator
        scopes = webhook_scopes_allowed(owner.role) if scopes is None else scopes
        return webhook_subscription_create(owner=owner, url=url, event_types=list(event_types), scopes=scopes)

    return make


@pytest.fixture
def record_event(integrator):
    """Record an event in its own transaction, as a service in another app would."""

    def record(type="application.decided", payload=None, subject=None, audience=None):
        with transaction.atomic():
            return event_record(type=type, subject=subject or integrator,
                                payload=payload or {"id": 7, "status": "approved", "note": ""},
                                audience=audience or Audience())

    return record
