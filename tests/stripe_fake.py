"""Pytest plugin: the product's local Stripe stand-in (`payments.standin`) that the real `stripe` client talks to.

One stand-in runs on a free loopback port in a background thread for the whole session (no webhook
endpoint is registered, so events reach the portal only when a test calls `send_webhook`). The
`stripe_fake` fixture empties it, points `settings.STRIPE_API_BASE` at it (network retries off) and
yields a `StripeFake` handle. Nothing patches the `stripe` module: `payments.gateway` makes real HTTP calls.

What the stand-in adds to localstripe is listed in `payments/standin/__init__.py`.

Usage::

    def test_weekly_payout_is_paid_once(stripe_fake, client):
        account = connected_account_get_or_create(holder="hub:7", email="shop@example.com")
        stripe_fake.complete_account_onboarding(account.stripe_account_id)
        transfer = transfer_create(account=account, amount=Decimal("75.00"), purpose="hub_statement",
                                   reference="statement:3", idempotency_key="hub-statement:3")
        transfer_create(...same key...)                      # returns the same row
        assert stripe_fake.count("transfer") == 1            # Stripe saw one transfer
        stripe_fake.send_webhook(client, "transfer.paid", transfer.stripe_transfer_id)
        transfer.refresh_from_db(); assert transfer.status == "paid"

Handle helpers:
- `count(resource)`: objects that exist at the fake ("transfer", "account", "payment_intent",
  "refund", "account_link"...); `posts(path)`: POSTs that actually executed (replays excluded).
- `complete_account_onboarding(account_id)`: the account's owner finished Stripe's pages.
- `fail_next_transfer(message, code="balance_insufficient")`: the next POST /v1/transfers is refused.
- `set_transfer_status(transfer_id, "pending"|"paid"|"failed", message=None)`; `reverse_transfer(id)`.
- `pay_payment_intent(pi_id, card="4242424242424242")`: what Stripe.js does when the buyer pays
  (card "4000000000000341" is declined when charged).
- `send_webhook(client, event_type, obj_id, *, event_id=None, overrides=None, secret=None,
  timestamp=None)`: builds an event around the fake's current object (`overrides` let a test make
  the body lie), signs it like Stripe (`t=<ts>,v1=<HMAC-SHA256 of "t.payload">` with
  `settings.STRIPE_WEBHOOK_SECRET`) and POSTs it with a Django test `client` to
  `/payments/stripe/webhook/`. Returns the response; `response.event_id` is the id, to replay it.
- `get(obj_id)`: the fake's current object as a dict. `unreachable()`: point Stripe at a closed port.
"""

import hashlib
import hmac
import json
import socket
import time

import pytest

from payments.standin import StandinServer
from payments.standin.resources import Account, Transfer, lookup, ls, state

WEBHOOK_PATH = "/payments/stripe/webhook/"


class StripeFake:
    """The handle tests use; see the module docstring."""

    def __init__(self, server: StandinServer, settings):
        self.server = server
        self.url = server.url
        self._settings = settings

    def count(self, resource: str) -> int:
        if resource == "account_link":
            return len(state.account_links)
        prefix = resource + ":"
        return self.server.run(lambda: sum(1 for key in ls.store if key.startswith(prefix)))

    def posts(self, path: str) -> int:
        return state.posts.get(path, 0)

    def get(self, obj_id: str) -> dict:
        def export():
            obj = lookup(obj_id)
            return json.loads(json.dumps(obj._export()))

        return self.server.run(export)

    def complete_account_onboarding(self, account_id: str) -> None:
        self.server.run(lambda: Account._api_retrieve(account_id)._complete_onboarding())

    def fail_next_transfer(self, message: str = "Insufficient funds in Stripe account.", *,
                           code: str = "balance_insufficient") -> None:
        self.server.run(lambda: state.transfer_failures.append((message, code)))

    def set_transfer_status(self, transfer_id: str, status: str, message: str | None = None) -> None:
        def change():
            transfer = Transfer._api_retrieve(transfer_id)
            transfer.status = status
            transfer.failure_code = "account_closed" if status == "failed" else None
            transfer.failure_message = message if status == "failed" else None

        self.server.run(change)

    def reverse_transfer(self, transfer_id: str, amount: int | None = None) -> None:
        self.server.run(lambda: Transfer._api_retrieve(transfer_id)._reverse(amount))

    def pay_payment_intent(self, payment_intent_id: str, card: str = "4242424242424242") -> dict:
        def pay():
            intent = ls.PaymentIntent._api_retrieve(payment_intent_id)
            method = ls.PaymentMethod(type="card", card={"number": card, "exp_month": 12, "exp_year": 2034,
                                                         "cvc": "123"})
            intent.payment_method = method.id
            intent._confirm(on_failure_now=None)
            return intent.status

        return self.server.run(pay)

    def unreachable(self) -> None:
        """Point the client at a closed loopback port (a network failure)."""
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        self._settings.STRIPE_API_BASE = f"http://127.0.0.1:{port}"

    def reachable(self) -> None:
        self._settings.STRIPE_API_BASE = self.url

    def event(self, event_type: str, obj_id: str, *, event_id=None, overrides=None) -> dict:
        obj = self.get(obj_id)
        obj.update(overrides or {})
        return {"id": event_id or "evt_" + ls.random_id(24), "object": "event", "api_version": "2026-10-28.endive",
                "created": int(time.time()), "livemode": False, "pending_webhooks": 1,
                "request": {"id": None, "idempotency_key": None}, "type": event_type, "data": {"object": obj}}

    def sign(self, payload: str, *, secret=None, timestamp=None) -> str:
        timestamp = int(time.time()) if timestamp is None else int(timestamp)
        secret = secret or self._settings.STRIPE_WEBHOOK_SECRET
        mac = hmac.new(secret.encode(), f"{timestamp}.{payload}".encode(), hashlib.sha256).hexdigest()
        return f"t={timestamp},v1={mac}"

    def send_webhook(self, client, event_type: str, obj_id: str, *, event_id=None, overrides=None, secret=None,
                     timestamp=None):
        event = self.event(event_type, obj_id, event_id=event_id, overrides=overrides)
        payload = json.dumps(event)
        response = client.post(WEBHOOK_PATH, data=payload, content_type="application/json",
                               HTTP_STRIPE_SIGNATURE=self.sign(payload, secret=secret, timestamp=timestamp))
        response.event_id = event["id"]
        return response


@pytest.fixture(scope="session")
def stripe_fake_server():
    server = StandinServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def stripe_fake(stripe_fake_server, settings):
    """A clean local Stripe for one test, with the real client pointed at it."""
    stripe_fake_server.reset()
    settings.STRIPE_API_BASE = stripe_fake_server.url
    settings.STRIPE_MAX_NETWORK_RETRIES = 0
    yield StripeFake(stripe_fake_server, settings)
