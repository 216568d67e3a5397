"""Field formats shared by the wizard's forms and the API's serializers (as model validators)."""

import re
from datetime import date

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core.servicedays import service_today
from core.validators import validate_phone  # noqa: F401  (one home: the model and forms import it here)

MINIMUM_AGE = 18
EIN_RE = re.compile(r"^\d{2}-?\d{7}$")
POSTAL_RE = re.compile(r"^\d{5}(-\d{4})?$")


def validate_postal_code(value: str):
    if not POSTAL_RE.match((value or "").strip()):
        raise ValidationError(_("Enter a ZIP code such as 30301 or 30301-1234."), code="postal_code")


def validate_ein(value: str):
    if value and not EIN_RE.match(value.strip()):
        raise ValidationError(_("An EIN has nine digits, written 12-3456789."), code="ein")


def normalize_ein(value: str) -> str:
    digits = re.sub(r"\D", "", value or "")
    return f"{digits[:2]}-{digits[2:]}" if len(digits) == 9 else (value or "").strip()


def age_on(born: date, today: date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def validate_adult(value: date):
    if value is None:
        return
    today = service_today()
    if value > today:
        raise ValidationError(_("The date of birth cannot be in the future."), code="date_of_birth")
    if age_on(value, today) < MINIMUM_AGE:
        raise ValidationError(_("Applicants must be at least %(age)s years old.") % {"age": MINIMUM_AGE},
                              code="underage")
