"""One parser for a day given in a query string, a path or a posted field (`YYYY-MM-DD`).

`2026-02-30`, `x`, `-1` or `9999-99-99` are a 400 with a sentence on the field (APIs) or a message on the
page (HTML), never a ValueError. Days are bounded so that `day ± timedelta(...)` cannot overflow."""

import re
from datetime import date

from django.contrib import messages
from django.utils.translation import gettext as _

from core.errors import ValidationFailed

EARLIEST = date(1900, 1, 1)
LATEST = date(2999, 12, 31)
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _message() -> str:
    return _("Use a real date such as 2026-03-15 (year-month-day).")


def parse_day(value, *, field: str = "date", default=None) -> date | None:
    """`value` (a string or None) as a date; empty gives `default`. Raises ValidationFailed otherwise."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return default
    if isinstance(value, date):
        return value
    text = str(value).strip()
    try:
        day = date.fromisoformat(text) if _DAY.fullmatch(text) else None
    except ValueError:
        day = None
    if day is None or not EARLIEST <= day <= LATEST:
        raise ValidationFailed(_message(), code="invalid_date", fields={field: [_message()]})
    return day


def page_day(request, *, default, field: str = "date") -> date | None:
    """The day an HTML page was asked for (`?date=` or a posted `date`).

    Not given: `default`. Not a real day: a message on the page, then `default` for a GET (the page shows the
    default day) and None for a POST (the caller acts on no day it was not asked for, and redirects)."""
    raw = request.GET.get(field) or request.POST.get(field)
    try:
        return parse_day(raw, field=field, default=default)
    except ValidationFailed as exc:
        messages.error(request, _("“%(value)s” is not a date. %(hint)s") % {"value": raw[:40], "hint": exc.detail})
        return None if request.method == "POST" else default
