"""A manifest's recipient phone and e-mail checks give the verdict phonenumbers and Django's validator give (the
import reaches it faster: one pattern for ten-digit numbers, a domain checked once)."""

import phonenumbers
import pytest
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from routes.services.manifest_contacts import email_ok, phone_e164


def _phonenumbers_verdict(text: str) -> tuple[str, str]:
    """What the import said before, by phonenumbers' whole parse alone."""
    try:
        number = phonenumbers.parse(text, "US")
    except phonenumbers.NumberParseException:
        return "", "invalid"
    if not phonenumbers.is_valid_number_for_region(number, "US"):
        return "", "invalid"
    if number.extension:
        return "", "extension"
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164), ""


def _ten_digit_numbers():
    """Every area code 000-999 with exchanges and lines across their ranges (N11 codes, 555, 0/1 starts included)."""
    for area in range(1000):
        for exchange in (0, 1, 100, 211, 555, 200 + area % 800, 999):
            yield f"{area:03d}{exchange:03d}{(area * 7919 + exchange) % 10_000:04d}"


def test_a_ten_digit_number_is_judged_and_written_as_phonenumbers_judges_and_writes_it():
    differ = [(digits, phone_e164(digits), _phonenumbers_verdict(f"+1{digits}")) for digits in _ten_digit_numbers()
              if phone_e164(digits) != _phonenumbers_verdict(f"+1{digits}")]
    assert differ == []
    assert sum(phone_e164(d)[1] == "" for d in _ten_digit_numbers()) > 1000  # the sample holds valid numbers too


@pytest.mark.parametrize("text", [
    "(206) 555-0100", "206.555.0100", "+1 206 555 0100", "1-206-555-0100", "+12065550100", "2065550100",
    "206-555-0100 ext. 12", "555-0100", "+44 20 7946 0958", "call the front desk", "２０６．５５５．０１４２",
    "(800) 555-0100", "(900) 555-0100", "011 206 555 0100", "+1 (206) 555-01000", "tel:+1-206-555-0100"])
def test_a_phone_written_any_way_gets_the_verdict_it_got_before(text):
    from routes.services.manifest_contacts import _PHONE_PUNCTUATION, _US_DIGITS

    plain = _US_DIGITS.fullmatch(_PHONE_PUNCTUATION.sub("", text))
    assert phone_e164(text) == _phonenumbers_verdict(f"+1{plain[1]}" if plain else text[:40])


@pytest.mark.parametrize("text", [
    "ann@example.com", "Ann.Lee+tag@Example.COM", "o'neil+{tag}|~`#$%&*=?^@exämple.com", '"ann lee"@example.com',
    '"a\\"b"@example.com', "ann@[127.0.0.1]", "ann@[IPv6:::1]", "ann@[999.1.1.1]", "ann@localhost", "ann@example",
    "ann@example.com.", "ann@-example.com", "ann@exa_mple.com", "ann@", "@example.com", "ann", "ann smith@example.com",
    "ann..lee@example.com", ".ann@example.com", "ann@@example.com", "a@b@example.com", "ann@xn--exmple-cua.com",
    "ann@" + "a" * 64 + ".com", "ann@" + "a" * 63 + ".com", "ann@example.c0m", "ann@example.com\n"])
def test_an_e_mail_gets_the_verdict_of_djangos_validator(text):
    try:
        validate_email(text)
        valid = True
    except ValidationError:
        valid = False
    assert email_ok(text) is valid
