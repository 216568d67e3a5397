"""The stand-in's aiohttp application: localstripe's routes, the Connect/transfer routes it lacks,
Idempotency-Key replay, and the two pages Stripe would host (onboarding, paying by card)."""

import asyncio
import hashlib
import html
import json
import time
import warnings
from urllib.parse import urlencode, urlsplit

from aiohttp import web

from payments.standin.resources import Account, Transfer, UserError, ls, persistence, state

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    from localstripe import server as ls_server

PAGES = ("/connect/", "/pay/")
TEST_CARD = "4242424242424242"


def _error(status, message, *, type="invalid_request_error", **fields):
    return web.json_response({"error": {"type": type, "message": message, **fields}}, status=status)


# --- Connect accounts, account links, transfers ------------------------------------------


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
    token = ls.random_id(12)
    link = {"object": "account_link", "created": now, "expires_at": now + 300,
            "url": f"http://{request.host}/connect/setup/{account_id}/{token}",
            "account": account_id, "return_url": data["return_url"], "refresh_url": data["refresh_url"]}
    state.account_links[token] = link
    return ls_server.json_response({k: v for k, v in link.items()
                                    if k not in ("account", "return_url", "refresh_url")})


async def create_transfer(request):
    data = await ls_server.get_post_data(request) or {}
    expand = data.pop("expand", None)
    if state.transfer_failures:
        message, code = state.transfer_failures.pop(0)
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


# --- The pages Stripe hosts ------------------------------------------------------------------


def _page(title: str, body: str, status: int = 200) -> web.Response:
    return web.Response(status=status, content_type="text/html", text=(
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>{html.escape(title)}</title><style>body{{font-family:system-ui,sans-serif;max-width:32rem;"
        "margin:3rem auto;padding:0 1rem;color:#222}}.note{{color:#666;font-size:.9rem}}"
        "button{{font-size:1rem;padding:.6rem 1.2rem;background:#635bff;color:#fff;border:0;border-radius:6px}}"
        f"</style></head><body><p class='note'>Stripe stand-in (development: no real money moves)</p>"
        f"<h1>{html.escape(title)}</h1>{body}</body></html>"))


def _back(url: str, **params) -> str:
    return url + ("&" if urlsplit(url).query else "?") + urlencode(params) if params else url


async def onboarding_page(request):
    """The Account Link: what the payee sees at Stripe; one button completes onboarding and goes back."""
    link = state.account_links.get(request.match_info["token"])
    if link is None or link["account"] != request.match_info["account"]:
        return _page("This link is not valid", "<p>Start again from the portal.</p>", status=404)
    if link["expires_at"] < time.time():
        raise web.HTTPSeeOther(link["refresh_url"])
    account = Account._api_retrieve(link["account"])
    if request.method == "POST":
        account._complete_onboarding()
        raise web.HTTPSeeOther(link["return_url"])
    email = html.escape(account.email or "")
    return _page("Set up payouts", (
        f"<p>Payout account <code>{html.escape(account.id)}</code> for {email}.</p>"
        "<p>At Stripe the payee would enter identity and bank details here. The stand-in fills in test "
        "details.</p><form method='post'><button type='submit'>Complete onboarding</button></form>"))


async def pay_page(request):
    """Paying a PaymentIntent by card, as Stripe Checkout / Stripe.js would in the buyer's browser."""
    try:
        intent = ls.PaymentIntent._api_retrieve(request.match_info["id"])
    except UserError:
        return _page("This payment is not known", "<p>Start again from the portal.</p>", status=404)
    return_url = request.query.get("return_url", "")
    if not return_url.startswith("http"):
        return _page("Missing return address", "<p>Start again from the portal.</p>", status=400)
    if request.method == "POST":
        if intent.status in ("requires_payment_method", "requires_confirmation"):
            method = ls.PaymentMethod(type="card", card={"number": TEST_CARD, "exp_month": 12, "exp_year": 2034,
                                                         "cvc": "123"})
            intent.payment_method = method.id
            intent._confirm(on_failure_now=None)
            persistence.dump()
        raise web.HTTPSeeOther(_back(return_url, stripe="paid"))
    amount = f"{intent.amount / 100:,.2f} {intent.currency.upper()}"
    what = getattr(intent, "description", None) or "Payment"
    return _page("Pay by card", (
        f"<p>{html.escape(what)}: <strong>{html.escape(amount)}</strong></p>"
        f"<p>Card: test card {TEST_CARD[-4:]} (always succeeds).</p>"
        f"<form method='post'><button type='submit'>Pay {html.escape(amount)}</button></form>"))


ROUTES = [
    ("POST", "/v1/accounts", create_account),
    ("GET", "/v1/accounts", list_accounts),
    ("GET", "/v1/accounts/{id}", retrieve_account),
    ("POST", "/v1/account_links", create_account_link),
    ("POST", "/v1/transfers", create_transfer),
    ("GET", "/v1/transfers", list_transfers),
    ("GET", "/v1/transfers/{id}", retrieve_transfer),
    ("POST", "/v1/transfers/{id}/reversals", create_reversal),
    ("GET", "/connect/setup/{account}/{token}", onboarding_page),
    ("POST", "/connect/setup/{account}/{token}", onboarding_page),
    ("GET", "/pay/{id}", pay_page),
    ("POST", "/pay/{id}", pay_page),
]


# --- Idempotency-Key replay, and the API key everywhere but the hosted pages ------------------


def _fingerprint(request, form) -> str:
    items = sorted((k, str(v)) for k, v in form.items())
    return hashlib.sha256(json.dumps([request.method, request.path, items]).encode()).hexdigest()


@web.middleware
async def auth_middleware(request, handler):
    if request.path.startswith(PAGES):
        return await handler(request)
    return await ls_server.auth_middleware(request, handler)


@web.middleware
async def idempotency_middleware(request, handler):
    key = request.headers.get("Idempotency-Key")
    if request.method != "POST" or not key:
        response = await handler(request)
        return response
    scope = (ls_server.get_api_key(request), key)
    form = await request.post()
    fingerprint = _fingerprint(request, form)
    stored = state.idempotency.get(scope)
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
    state.idempotency[scope] = "in-progress"
    try:
        try:
            response = await handler(request)
        except UserError as exc:
            response = exc.to_response()
    except BaseException:
        state.idempotency.pop(scope, None)
        raise
    if response.status < 400:
        state.idempotency[scope] = (fingerprint, response.status, response.body)
        state.posts[request.path] = state.posts.get(request.path, 0) + 1
    else:
        state.idempotency.pop(scope, None)
    response.headers["Idempotency-Key"] = key
    return response


def build_app() -> web.Application:
    app = web.Application(middlewares=[ls_server.error_middleware, auth_middleware, idempotency_middleware])
    for method, path, handler in ROUTES:
        app.router.add_route(method, path, handler)
    for route in ls_server.app.router.routes():
        info = route.resource.get_info() if route.resource else {}
        path = info.get("path") or info.get("formatter")
        if path and not any(path == p and route.method == m for m, p, _h in ROUTES):
            app.router.add_route(route.method, path, _as_async(route.handler))
    return app


def _as_async(handler):
    if asyncio.iscoroutinefunction(handler):
        return handler

    async def wrapped(request):
        return handler(request)

    return wrapped
