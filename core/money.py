"""Money is Decimal with two places in USD; cents only at the Stripe boundary."""

import re
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


# "1250", "1,250", "1,250.5", "$1,250.00": US digit grouping (commas in threes) and a dot for cents.
_AMOUNT_RE = re.compile(r"^(?:\d+|\d{1,3}(?:,\d{3})+)(?:\.\d*)?$|^\.\d+$")
# The MoneyField column holds 12 digits, two of them cents.
COLUMN_MAX = Decimal("9999999999.99")


def _refuse(message, field, reason):
    raise ValidationFailed(message, fields={field: [message]})


def parse_amount(value, *, field="amount", allow_zero=False, maximum=None) -> Decimal:
    """Parse an amount the way people type it in the US into a Decimal of dollars and cents.

    Accepts "1250", " 1250 ", "1,250.00", "$1,250", "$ 1250.5", a Decimal or an int. Refuses a negative
    amount, more than two decimal places, letters, and European or misplaced separators ("1.250,00", "12,50"),
    each with a sentence on `field`. The one parser every form and serializer that takes money calls."""
    if isinstance(value, Decimal | int) and not isinstance(value, bool):
        text = str(value)
    elif isinstance(value, float):
        text = repr(value)  # JSON numbers arrive as floats: their shortest repr is what was typed
    else:
        text = str(value or "")
    text = text.strip().replace("\u00a0", "")
    negative = text.startswith("-")
    text = text.lstrip("-").strip().removeprefix("$").strip()
    if text.upper().endswith("USD"):
        text = text[:-3].strip()
    if not text:
        _refuse(_("Enter an amount in dollars, such as 1,250.00."), field, "required")
    if "," in text and not _AMOUNT_RE.match(text) and re.fullmatch(r"[\d.,]+", text):
        _refuse(_("Write the amount with a dot before the cents and commas between thousands, such as 1,250.00."),
                field, "separators")
    if not _AMOUNT_RE.match(text):
        _refuse(_("Enter an amount in dollars, such as 1,250.00."), field, "invalid")
    try:
        amount = Decimal(text.replace(",", ""))
    except InvalidOperation:  # pragma: no cover - the pattern admits only digits, commas and one dot
        _refuse(_("Enter an amount in dollars, such as 1,250.00."), field, "invalid")
    if negative and amount:
        _refuse(_("The amount must be more than zero."), field, "not_positive")
    if amount.as_tuple().exponent < -2:
        _refuse(_("Amounts have at most two decimal places."), field, "too_precise")
    if amount == 0 and not allow_zero:
        _refuse(_("The amount must be more than zero."), field, "not_positive")
    ceiling = min(Decimal(maximum), COLUMN_MAX) if maximum is not None else COLUMN_MAX
    if amount > ceiling:
        _refuse(_("The amount cannot be more than $%(max)s.") % {"max": f"{ceiling:,.2f}"}, field, "too_large")
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
