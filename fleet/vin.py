"""VIN validation per 49 CFR 565 (the US standard): 17 characters, no I/O/Q, check digit in position 9.

Pure functions, no database: used by forms, serializers, services and the CSV import alike.
"""

from django.utils.translation import gettext as _

VIN_LENGTH = 17
FORBIDDEN = frozenset("IOQ")

# Transliteration of letters to values (49 CFR 565.15, table IV); digits stand for themselves.
_VALUES = {
    **{str(d): d for d in range(10)},
    "A": 1, "B": 2, "C": 3, "D": 4, "E": 5, "F": 6, "G": 7, "H": 8,
    "J": 1, "K": 2, "L": 3, "M": 4, "N": 5, "P": 7, "R": 9,
    "S": 2, "T": 3, "U": 4, "V": 5, "W": 6, "X": 7, "Y": 8, "Z": 9,
}
# Position weights (table V); position 9, the check digit itself, weighs 0.
_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)


def normalise_vin(value) -> str:
    return "".join(str(value or "").split()).upper()


def vin_check_digit(vin: str) -> str:
    """The check digit ("0"-"9" or "X") a VIN's other 16 characters call for. `vin` must be 17 valid characters."""
    total = sum(_VALUES[char] * weight for char, weight in zip(vin, _WEIGHTS, strict=True))
    remainder = total % 11
    return "X" if remainder == 10 else str(remainder)


def vin_problem(value) -> str | None:
    """Why `value` is not a valid VIN, or None when it is."""
    vin = normalise_vin(value)
    if len(vin) != VIN_LENGTH:
        return _("A VIN has 17 characters; this one has %(n)d.") % {"n": len(vin)}
    bad = sorted({c for c in vin if c in FORBIDDEN})
    if bad:
        return _("A VIN never contains the letters I, O or Q (found %(c)s).") % {"c": ", ".join(bad)}
    unknown = sorted({c for c in vin if c not in _VALUES})
    if unknown:
        return _("A VIN holds only letters and digits (found %(c)s).") % {"c": " ".join(unknown)}
    expected = vin_check_digit(vin)
    if vin[8] != expected:
        return _("The check digit (9th character) should be %(e)s, not %(g)s: a character is mistyped.") % {
            "e": expected, "g": vin[8]}
    return None


def vin_is_valid(value) -> bool:
    return vin_problem(value) is None


def validate_vin(value) -> None:
    """Django validator."""
    from django.core.exceptions import ValidationError

    problem = vin_problem(value)
    if problem:
        raise ValidationError(problem, code="invalid_vin")
