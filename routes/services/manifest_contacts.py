"""A manifest row's recipient e-mail and phone, checked as Django's validator and phonenumbers check them, at a
manifest's pace: 10,000 rows of distinct numbers and addresses in a few hundredths of a second.

- A phone written the usual way (ten digits, maybe +1 and punctuation) is matched against one pattern built from
  phonenumbers' own US metadata: the number fits its general pattern and one of its types' (the test of
  `is_valid_number_for_region`). Anything else takes phonenumbers' whole parse, which names the problem.
- An e-mail's domain is checked once per distinct domain (a manifest has a few); the part before @ per row.
"""

import functools
import re

import phonenumbers
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from phonenumbers import PhoneMetadata

_PHONE_PUNCTUATION = re.compile(r"[\s().-]+")
_US_DIGITS = re.compile(r"(?:\+?1)?(\d{10})", re.ASCII)
_TYPES = ("premium_rate", "toll_free", "shared_cost", "voip", "personal_number", "pager", "uan", "voicemail",
          "fixed_line", "mobile")


def _pattern_for_length(desc, length: int) -> str | None:
    """A number description's pattern as `_is_number_matching_desc` applies it to a `length`-digit number."""
    if desc is None or not desc.national_number_pattern:
        return None
    if desc.possible_length and length not in desc.possible_length:
        return None
    return desc.national_number_pattern


@functools.cache
def us_ten_digits_pattern() -> re.Pattern:
    """Ten digits that phonenumbers calls a valid US number: its general pattern and one type's, in one regex."""
    meta = PhoneMetadata.metadata_for_region("US")
    general = _pattern_for_length(meta.general_desc, 10)
    types = [p for name in _TYPES if (p := _pattern_for_length(getattr(meta, name), 10))]
    if general is None or not types:
        return re.compile(r"(?!)")  # no ten-digit number is valid: every one takes the full parse
    return re.compile(rf"(?=(?:{general})\Z)(?:{'|'.join(f'(?:{p})' for p in types)})", re.ASCII)


def phone_e164(text: str) -> tuple[str, str]:
    """(the number as E.164, "") or ("", what is wrong: "invalid" or "extension"). `text` is stripped, not blank."""
    plain = _US_DIGITS.fullmatch(_PHONE_PUNCTUATION.sub("", text))  # the usual ways: parsed as +1 and ten digits
    if plain is not None and us_ten_digits_pattern().fullmatch(plain[1]):
        return f"+1{plain[1]}", ""
    try:
        number = phonenumbers.parse(f"+1{plain[1]}" if plain else text[:40], "US")
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number_for_region(number, "US"):
        return "", "invalid"
    if number.extension:
        return "", "extension"
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164), ""


@functools.lru_cache(maxsize=1024)
def _domain_ok(domain: str) -> bool:
    try:
        validate_email(f"a@{domain}")  # "a" passes the user part: this is the domain's verdict
    except ValidationError:
        return False
    return True


@functools.cache
def _user_regex() -> re.Pattern:
    """The validator's own pattern for the part before @, compiled (not behind its lazy proxy, 1 µs a row)."""
    lazy = validate_email.user_regex
    return re.compile(lazy.pattern, lazy.flags)


def email_ok(text: str) -> bool:
    """`validate_email(text)` passes (the domain asked once per distinct domain)."""
    if not text or "@" not in text or len(text) > 320:
        return False
    user, domain = text.rsplit("@", 1)
    return bool(_user_regex().match(user)) and _domain_ok(domain)
