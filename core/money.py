"""Money is Decimal with two places in USD; cents only at the Stripe boundary."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db import models
from django.utils.translation import gettext as _

from core.errors import ValidationFailed

CENT = Decimal("0.01")


def money(value) -> Decimal:
    """Round half-up to the cent, once. Accepts Decimal, int or str; never float."""
    if isinstance(value, float):
        raise TypeError("money() refuses float: pass a Decimal or a string")
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def parse_amount(value, *, field="amount", allow_zero=False) -> Decimal:
    """Parse user input into a positive amount with at most two decimal places."""
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValidationFailed(_("Enter an amount in dollars, such as 125.50."), fields={field: ["invalid"]}) from None
    if not amount.is_finite():
        raise ValidationFailed(_("Enter an amount in dollars, such as 125.50."), fields={field: ["invalid"]})
    if amount.as_tuple().exponent < -2:
        raise ValidationFailed(_("Amounts have at most two decimal places."), fields={field: ["too_precise"]})
    if amount < 0 or (amount == 0 and not allow_zero):
        raise ValidationFailed(_("The amount must be more than zero."), fields={field: ["not_positive"]})
    return money(amount)


def to_cents(amount: Decimal) -> int:
    return int((money(amount) * 100).to_integral_value())


def from_cents(cents: int) -> Decimal:
    return money(Decimal(cents) / 100)


class MoneyField(models.DecimalField):
    """USD amount: 12 digits, 2 places."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_digits", 12)
        kwargs.setdefault("decimal_places", 2)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        return name, "core.money.MoneyField", args, kwargs


def money_display(value, places: int = 2) -> str:
    """How an amount reads on a page or in an e-mail: `$1,250.00`, `−$40.00`, `$30,000` with places=0.

    Accepts Decimal, int or a numeric string (JSON payloads carry strings); None and blanks read "—"."""
    if value is None or value == "":
        return "—"
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    if not amount.is_finite():
        return str(value)
    amount = amount.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    sign = "−" if amount < 0 else ""
    return f"{sign}${abs(amount):,.{places}f}"
