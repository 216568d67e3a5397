"""The one place that talks to Stripe.

A `stripe.StripeClient` built from `settings.STRIPE_SECRET_KEY` and `settings.STRIPE_API_BASE`
(api.stripe.com in production, the local fake in tests). Every call goes through `call()`, which
turns Stripe's exceptions into `DomainError`s with stable codes:

- `stripe_unreachable` (503): network failure; the outcome is unknown, retry with the same key.
- `stripe_idempotency_conflict` (409): the key was already used with other parameters.
- `stripe_card_declined` (422): the customer's card was refused.
- `stripe_rejected` (502): Stripe refused the request (insufficient balance, bad destination...).
"""

import functools
from typing import NamedTuple

import stripe
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from core.errors import DomainError
from core.parsers import json_loads_bounded


class StripeGatewayError(DomainError):
    status_code = 502
    default_code = "stripe_rejected"
    default_detail = _("The payment provider refused the request.")


class StripeUnreachable(StripeGatewayError):
    status_code = 503
    default_code = "stripe_unreachable"
    default_detail = _("The payment provider could not be reached. Try again in a moment.")


@functools.lru_cache(maxsize=8)
def _client(api_key: str, api_base: str, retries: int) -> stripe.StripeClient:
    return stripe.StripeClient(
        api_key,
        base_addresses={"api": api_base, "connect": api_base, "files": api_base},
        max_network_retries=retries,
    )


def client() -> stripe.StripeClient:
    """The configured client; settings are read on each call so tests can repoint it."""
    retries = getattr(settings, "STRIPE_MAX_NETWORK_RETRIES", 2)
    return _client(settings.STRIPE_SECRET_KEY, settings.STRIPE_API_BASE.rstrip("/"), retries)


def call(fn, *args, **kwargs):
    """Run one Stripe API call; Stripe's exceptions become `StripeGatewayError`s."""
    try:
        return fn(*args, **kwargs)
    except stripe.APIConnectionError as exc:
        raise StripeUnreachable(code="stripe_unreachable") from exc
    except stripe.IdempotencyError as exc:
        raise StripeGatewayError(_stripe_message(exc), code="stripe_idempotency_conflict", status_code=409) from exc
    except stripe.CardError as exc:
        raise StripeGatewayError(_stripe_message(exc), code="stripe_card_declined", status_code=422) from exc
    except stripe.StripeError as exc:
        raise StripeGatewayError(_stripe_message(exc), code="stripe_rejected",
                                 fields={"stripe_code": [exc.code or ""]} if exc.code else None) from exc


def _stripe_message(exc: stripe.StripeError) -> str:
    return getattr(exc, "user_message", None) or str(exc._message or exc) or str(StripeGatewayError.default_detail)


class WebhookEvent(NamedTuple):
    id: str
    type: str
    object_id: str  # "" when the event names no object


class InvalidWebhookEvent(ValueError):
    """Signed, but not an event object: the view answers 400 and changes nothing."""


def construct_event(*, payload: bytes, signature: str) -> WebhookEvent:
    """Verify `Stripe-Signature` (with the replay tolerance), then parse and check the event's shape.

    Raises `stripe.SignatureVerificationError` (bad or missing signature) or `InvalidWebhookEvent` (not JSON,
    nested too deep, or JSON that is not an event with a string `id` and `type` and an object `data`)."""
    tolerance = getattr(settings, "STRIPE_WEBHOOK_TOLERANCE", stripe.Webhook.DEFAULT_TOLERANCE)
    stripe.WebhookSignature.verify_header(payload, signature, settings.STRIPE_WEBHOOK_SECRET, tolerance)
    try:
        body = json_loads_bounded(payload.decode("utf-8"))
    except ValueError as exc:  # UnicodeDecodeError is a ValueError too
        raise InvalidWebhookEvent(_("The body is not valid JSON.")) from exc
    if not isinstance(body, dict) or not all(isinstance(body.get(key), str) and body[key] for key in ("id", "type")):
        raise InvalidWebhookEvent(_("The body is not a Stripe event: it needs a string id and type."))
    data = body.get("data", {})
    data_object = data.get("object", {}) if isinstance(data, dict) else None
    if not isinstance(data_object, dict):
        raise InvalidWebhookEvent(_("The event's data must be an object holding an object."))
    object_id = data_object.get("id")
    return WebhookEvent(id=body["id"], type=body["type"], object_id=object_id if isinstance(object_id, str) else "")
