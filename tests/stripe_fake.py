"""Pytest plugin: a local Stripe (localstripe, extended) that the real `stripe` client talks to.

One `localstripe` aiohttp server runs on a free loopback port in a background thread for the
whole session. The `stripe_fake` fixture empties it, points `settings.STRIPE_API_BASE` at it
(network retries off) and yields a `StripeFake` handle. Nothing patches the `stripe` module:
`payments.gateway` makes real HTTP calls.

What the extension adds to localstripe (answering in Stripe's wire format and error envelopes):
- Connect: `POST/GET /v1/accounts`, `GET /v1/accounts/:id`, `POST /v1/account_links`;
- `POST/GET /v1/transfers`, `GET /v1/transfers/:id`, `POST /v1/transfers/:id/reversals`;
  transfers carry a settlement `status` ("paid" at once by default; see `set_transfer_status`);
  a destination that has not finished onboarding is refused like Stripe does;
- `Idempotency-Key` replay on every POST: same key + same parameters -> the stored response
  (header `Idempotent-Replayed: true`); same key + other parameters -> 400 `idempotency_error`.
  Error responses are not stored, so a retry after a refusal executes again.

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

import asyncio
import hashlib
import hmac
import json
import socket
import threading
import time
import warnings

import pytest
from aiohttp import web

with warnings.catch_warnings():  # localstripe registers plain-function handlers at import
    warnings.simplefilter("ignore", DeprecationWarning)
    from localstripe import resources as ls
    from localstripe import server as ls_server
    from localstripe.errors import UserError

WEBHOOK_PATH = "/payments/stripe/webhook/"

# localstripe pickles its whole store to /tmp on every write; parallel sessions would share it.
ls.Store.dump_to_disk = lambda self: None
ls.Store.try_load_from_disk = lambda self: None


def _error(status, message, *, type="invalid_request_error", **fields):
    return web.json_response({"error": {"type": type, "message": message, **fields}}, status=status)


# --- Connect accounts, account links, transfers ------------------------------------------


class Account(ls.StripeObject):
    object = "account"
    _id_prefix = "acct_"

    def __init__(self, type="express", country="US", email=None, capabilities=None, metadata=None,
                 business_type=None, **kwargs):
        if kwargs:
            raise UserError(400, "Received unknown parameter: " + ", ".join(kwargs))
        if type not in ("express", "custom", "standard"):
            raise UserError(400, "Invalid type", {"param": "type"})
        super().__init__()
        self.type = type
        self.country = country
        self.email = email
        self.business_type = business_type
        self.default_currency = "usd"
        self.metadata = metadata or {}
        self.capabilities = {name: "inactive" for name in (capabilities or {"transfers": {}})}
        self.charges_enabled = False
        self.payouts_enabled = False
        self.details_submitted = False
        self.requirements = {"currently_due": ["external_account", "tos_acceptance.date"], "disabled_reason":
                             "requirements.past_due"}

    def _complete_onboarding(self):
        self.details_submitted = True
        self.charges_enabled = True
        self.payouts_enabled = True
        self.capabilities = {name: "active" for name in self.capabilities}
        self.requirements = {"currently_due": [], "disabled_reason": None}


class Transfer(ls.StripeObject):
    object = "transfer"
    _id_prefix = "tr_"

    def __init__(self, amount=None, currency=None, destination=None, description=None, metadata=None,
                 transfer_group=None, source_transaction=None, **kwargs):
        if kwargs:
            raise UserError(400, "Received unknown parameter: " + ", ".join(kwargs))
        amount = ls.try_convert_to_int(amount)
        if type(amount) is not int or amount <= 0:
            raise UserError(400, "Invalid positive integer", {"param": "amount"})
        if not currency:
            raise UserError(400, "Missing required param: currency.", {"param": "currency"})
        account = ls.store.get("account:" + str(destination))
        if account is None:
            raise UserError(400, f"No such destination: '{destination}'",
                            {"code": "resource_missing", "param": "destination"})
        if account.capabilities.get("transfers") != "active":
            raise UserError(400, "Your destination account needs to have at least one of the following "
                            "capabilities enabled: transfers, crypto_transfers, legacy_payments",
                            {"code": "insufficient_capabilities_for_transfer", "param": "destination"})
        super().__init__()
        self.amount = amount
        self.currency = currency
        self.destination = destination
        self.description = description
        self.metadata = metadata or {}
        self.transfer_group = transfer_group
        self.source_transaction = source_transaction
        self.amount_reversed = 0
        self.reversed = False
        self.balance_transaction = "txn_" + ls.random_id(14)
        self.destination_payment = "py_" + ls.random_id(14)
        self.status = "paid"  # settlement, as legacy transfers reported it; see set_transfer_status
        self.failure_code = None
        self.failure_message = None
        self._reversals = []

    @property
    def reversals(self):
        return {"object": "list", "data": list(self._reversals), "has_more": False,
                "total_count": len(self._reversals), "url": f"/v1/transfers/{self.id}/reversals"}

    def _reverse(self, amount=None):
        amount = ls.try_convert_to_int(amount) if amount is not None else self.amount - self.amount_reversed
        if type(amount) is not int or amount <= 0 or amount > self.amount - self.amount_reversed:
            raise UserError(400, "Invalid amount", {"param": "amount"})
        reversal = {"id": "trr_" + ls.random_id(14), "object": "transfer_reversal", "amount": amount,
                    "currency": self.currency, "transfer": self.id, "created": int(time.time()), "metadata": {}}
        self._reversals.append(reversal)
        self.amount_reversed += amount
        self.reversed = self.amount_reversed >= self.amount
        return reversal


class _Fake:
    """State the extension keeps beside localstripe's store (reset per test)."""

    def __init__(self):
        self.reset()

    def reset(self):
        self.idempotency = {}  # key -> (fingerprint, status, body) | "in-progress"
        self.posts = {}  # path -> executed POSTs
        self.account_links = []
        self.transfer_failures = []  # queued (message, code)


fake = _Fake()


async def create_account(request):
    data = await ls_server.get_post_data(request) or {}
    return ls_server.json_response(Account(**data)._export())


async def retrieve_account(request):
    return ls_server.json_response(Account._api_retrieve(request.match_info["id"])._export())


async def list_accounts(request):
    return ls_server.json_response(Account._api_list_all("/v1/accounts")._export())


async def create_account_link(request):
    data = await ls_server.get_post_data(request) or {}
    account_id = data.get("account")
    if data.get("type") not in ("account_onboarding", "account_update"):
        raise UserError(400, "Invalid type: must be one of account_onboarding or account_update", {"param": "type"})
    for param in ("refresh_url", "return_url"):
        if not str(data.get(param) or "").startswith("http"):
            raise UserError(400, f"Not a valid URL: {param}", {"param": param})
    Account._api_retrieve(str(account_id))
    now = int(time.time())
    link = {"object": "account_link", "created": now, "expires_at": now + 300,
            "url": f"http://{request.host}/connect/setup/{account_id}/{ls.random_id(12)}",
            "account": account_id, "return_url": data["return_url"], "refresh_url": data["refresh_url"]}
    fake.account_links.append(link)
    return ls_server.json_response({k: v for k, v in link.items()
                                    if k not in ("account", "return_url", "refresh_url")})


async def create_transfer(request):
    data = await ls_server.get_post_data(request) or {}
    expand = data.pop("expand", None)
    if fake.transfer_failures:
        message, code = fake.transfer_failures.pop(0)
        raise UserError(400, message, {"code": code})
    return ls_server.json_response(Transfer(**data)._export(expand=expand))


async def retrieve_transfer(request):
    return ls_server.json_response(Transfer._api_retrieve(request.match_info["id"])._export())


async def list_transfers(request):
    return ls_server.json_response(Transfer._api_list_all("/v1/transfers")._export())


async def create_reversal(request):
    data = await ls_server.get_post_data(request) or {}
    transfer = Transfer._api_retrieve(request.match_info["id"])
    return ls_server.json_response(transfer._reverse(data.get("amount")))


EXTRA_ROUTES = [
    ("POST", "/v1/accounts", create_account),
    ("GET", "/v1/accounts", list_accounts),
    ("GET", "/v1/accounts/{id}", retrieve_account),
    ("POST", "/v1/account_links", create_account_link),
    ("POST", "/v1/transfers", create_transfer),
    ("GET", "/v1/transfers", list_transfers),
    ("GET", "/v1/transfers/{id}", retrieve_transfer),
    ("POST", "/v1/transfers/{id}/reversals", create_reversal),
]


# --- Idempotency-Key replay --------------------------------------------------------------


def _fingerprint(request, form) -> str:
    items = sorted((k, str(v)) for k, v in form.items())
    return hashlib.sha256(json.dumps([request.method, request.path, items]).encode()).hexdigest()


@web.middleware
async def idempotency_middleware(request, handler):
    key = request.headers.get("Idempotency-Key")
    if request.method != "POST" or not key:
        response = await handler(request)
        return response
    scope = (ls_server.get_api_key(request), key)
    form = await request.post()
    fingerprint = _fingerprint(request, form)
    stored = fake.idempotency.get(scope)
    if stored == "in-progress":
        return _error(409, "There is currently another in-progress request using this Stripe-Idempotency-Key. "
                      "Please try again later.", type="idempotency_error")
    if stored is not None:
        if stored[0] != fingerprint:
            return _error(400, "Keys for idempotent requests can only be used with the same parameters they were "
                          f"first used with. Try using a key other than '{key}' if you meant to execute a "
                          "different request.", type="idempotency_error")
        response = web.Response(body=stored[2], status=stored[1], content_type="application/json")
        response.headers["Idempotent-Replayed"] = "true"
        response.headers["Idempotency-Key"] = key
        return response
    fake.idempotency[scope] = "in-progress"
    try:
        try:
            response = await handler(request)
        except UserError as exc:
            response = exc.to_response()
    except BaseException:
        fake.idempotency.pop(scope, None)
        raise
    if response.status < 400:
        fake.idempotency[scope] = (fingerprint, response.status, response.body)
        fake.posts[request.path] = fake.posts.get(request.path, 0) + 1
    else:
        fake.idempotency.pop(scope, None)
    response.headers["Idempotency-Key"] = key
    return response


def _build_app() -> web.Application:
    app = web.Application(middlewares=[ls_server.error_middleware, ls_server.auth_middleware,
                                       idempotency_middleware])
    for method, path, handler in EXTRA_ROUTES:
        app.router.add_route(method, path, handler)
    for route in ls_server.app.router.routes():
        info = route.resource.get_info() if route.resource else {}
        path = info.get("path") or info.get("formatter")
        if path and not any(path == p and route.method == m for m, p, _h in EXTRA_ROUTES):
            app.router.add_route(route.method, path, _as_async(route.handler))
    return app


def _as_async(handler):
    if asyncio.iscoroutinefunction(handler):
        return handler

    async def wrapped(request):
        return handler(request)

    return wrapped


# --- The server thread and the handle ------------------------------------------------------


class StripeFakeServer:
    def __init__(self):
        self.loop = asyncio.new_event_loop()
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, name="stripe-fake", daemon=True)

    def _run(self):
        asyncio.set_event_loop(self.loop)
        self.runner = web.AppRunner(_build_app(), access_log=None)
        self.loop.run_until_complete(self.runner.setup())
        self.loop.run_until_complete(web.SockSite(self.runner, self.sock).start())
        self._ready.set()
        self.loop.run_forever()

    def start(self):
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("the Stripe fake did not start")

    def stop(self):
        asyncio.run_coroutine_threadsafe(self.runner.cleanup(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(10)

    def run(self, fn, *args, **kwargs):
        """Run `fn` on the server's loop (localstripe schedules webhooks with asyncio)."""

        async def call():
            return fn(*args, **kwargs)

        return asyncio.run_coroutine_threadsafe(call(), self.loop).result(10)

    def reset(self):
        def clear():
            ls.store.clear()
            fake.reset()

        self.run(clear)


class StripeFake:
    """The handle tests use; see the module docstring."""

    def __init__(self, server: StripeFakeServer, settings):
        self.server = server
        self.url = server.url
        self._settings = settings

    def count(self, resource: str) -> int:
        if resource == "account_link":
            return len(fake.account_links)
        prefix = resource + ":"
        return self.server.run(lambda: sum(1 for key in ls.store if key.startswith(prefix)))

    def posts(self, path: str) -> int:
        return fake.posts.get(path, 0)

    def get(self, obj_id: str) -> dict:
        def export():
            obj = _lookup(obj_id)
            return json.loads(json.dumps(obj._export()))

        return self.server.run(export)

    def complete_account_onboarding(self, account_id: str) -> None:
        self.server.run(lambda: Account._api_retrieve(account_id)._complete_onboarding())

    def fail_next_transfer(self, message: str = "Insufficient funds in Stripe account.", *,
                           code: str = "balance_insufficient") -> None:
        self.server.run(lambda: fake.transfer_failures.append((message, code)))

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


def _lookup(obj_id: str):
    for key, obj in ls.store.items():
        if key.split(":", 1)[-1] == obj_id:
            return obj
    raise KeyError(f"the Stripe fake holds no object {obj_id!r}")


@pytest.fixture(scope="session")
def stripe_fake_server():
    server = StripeFakeServer()
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
