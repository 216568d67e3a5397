"""Helpers shared by the payments services (amounts, idempotency keys, Stripe objects as dicts)."""

from decimal import Decimal

from django.utils.translation import gettext as _

from core.errors import Unprocessable, ValidationFailed
from core.money import money


def stripe_dict(obj) -> dict:
    return obj.to_dict() if hasattr(obj, "to_dict") else dict(obj)


def positive_amount(amount) -> Decimal:
    value = money(amount)
    if value <= 0:
        raise ValidationFailed(_("The amount must be more than zero."), code="amount_not_positive",
                               fields={"amount": [_("Must be more than zero.")]})
    return value


def check_key(idempotency_key: str) -> str:
    key = (idempotency_key or "").strip()
    if not key or len(key) > 200:
        raise ValidationFailed(_("An idempotency key of 1 to 200 characters is required."),
                               code="idempotency_key_invalid")
    return key


def key_reused():
    return Unprocessable(_("This idempotency key was already used for a different movement of money."),
                         code="idempotency_key_reused")
