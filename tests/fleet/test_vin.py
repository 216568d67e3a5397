import pytest

from fleet.vin import normalise_vin, vin_check_digit, vin_is_valid, vin_problem

# Published VINs whose check digit is right (NHTSA's example, the all-ones test VIN, well-known examples).
REAL_VINS = ["1M8GDM9AXKP042788", "11111111111111111", "1HGCM82633A004352", "JH4KA7561PC008269",
             "1G1JC5444R7252367"]


@pytest.mark.parametrize("vin", REAL_VINS)
def test_published_vins_pass_the_check_digit(vin):
    assert vin_check_digit(vin) == vin[8]
    assert vin_is_valid(vin)


def test_check_digit_x_stands_for_ten():
    assert vin_check_digit("1M8GDM9AXKP042788") == "X"


@pytest.mark.parametrize("vin", REAL_VINS)
def test_one_mistyped_character_is_caught(vin):
    # Change the last character: every position but the 9th carries weight, so the check digit no longer fits.
    last = vin[-1]
    corrupted = vin[:-1] + ("2" if last != "2" else "3")
    assert not vin_is_valid(corrupted)
    assert "check digit" in vin_problem(corrupted)


@pytest.mark.parametrize("vin", ["5YJ3E1EA7KF317000", "1HGCM82643A004352", "1M8GDM9A1KP042788"])
def test_wrong_check_digit_is_refused(vin):
    assert "check digit" in vin_problem(vin)


@pytest.mark.parametrize("vin,words", [
    ("1HGCM82633A00435", "17 characters"),
    ("1HGCM82633A0043521", "17 characters"),
    ("1HGCM82633AO04352", "I, O or Q"),
    ("IHGCM82633A004352", "I, O or Q"),
    ("1HGCM82633A00435Q", "I, O or Q"),
    ("1HGCM8263-A004352", "letters and digits"),
])
def test_malformed_vins_say_what_is_wrong(vin, words):
    assert words in vin_problem(vin)


def test_lowercase_and_spaces_are_normalised():
    assert normalise_vin(" 1hgcm82633a 004352 ") == "1HGCM82633A004352"
    assert vin_is_valid("1hgcm82633a004352")
