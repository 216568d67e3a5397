"""Validators shared by several apps' models."""

import re
import zoneinfo

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


def validate_time_zone(value):
    """An IANA time zone name (a station's or a hub's: a service day is a local date)."""
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise ValidationError(_("Unknown time zone: %(tz)s"), params={"tz": value}) from exc


def _phone_digits(value: str) -> str:
    digits = re.sub(r"\D", "", value or "")
    return digits[1:] if len(digits) == 11 and digits.startswith("1") else digits


def validate_phone(value: str):
    """A US number as people type it: "(206) 555-0100", "206.555.0100", "+1 206 555 0100"."""
    text = (value or "").strip()
    if re.search(r"[^\d\s().+\-]", text) or len(_phone_digits(text)) != 10:
        raise ValidationError(_("Enter a US phone number with 10 digits, such as (555) 123-4567."), code="phone")


def normalise_phone(value: str) -> str:
    """The stored form of a valid US number, "(206) 555-0100"; blank stays blank."""
    if not (value or "").strip():
        return ""
    validate_phone(value)
    d = _phone_digits(value)
    return f"({d[:3]}) {d[3:6]}-{d[6:]}"
