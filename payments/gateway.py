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

import stripe
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from core.errors import DomainError


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


def construct_event(*, payload: bytes, signature: str):
    """Verify `Stripe-Signature` (with the replay tolerance) and parse the event.

    Raises `stripe.SignatureVerificationError` or `ValueError`; the webhook view maps both to 400."""
    tolerance = getattr(settings, "STRIPE_WEBHOOK_TOLERANCE", stripe.Webhook.DEFAULT_TOLERANCE)
    return stripe.Webhook.construct_event(payload, signature, settings.STRIPE_WEBHOOK_SECRET, tolerance=tolerance)
