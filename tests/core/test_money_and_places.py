"""The one money parser and the one place-plausibility table."""

from decimal import Decimal

import pytest
from django import forms
from rest_framework import serializers

from core.errors import ValidationFailed
from core.forms import AmountField as AmountFormField
from core.money import parse_amount
from core.places import point_problem, us_point_problem, zone_problem
from core.serializers import AmountField as AmountSerializerField


@pytest.mark.parametrize(("typed", "amount"), [
    ("1250", "1250.00"), (" 1250 ", "1250.00"), ("1,250.00", "1250.00"), ("$1,250", "1250.00"),
    ("$ 1,250.5", "1250.50"), ("1,000,000", "1000000.00"), ("0.99", "0.99"), (".5", "0.50"), ("125 USD", "125.00"),
    (Decimal("12.30"), "12.30"), (7, "7.00"), (12.5, "12.50"),
])
def test_amounts_are_read_the_way_people_in_the_us_type_them(typed, amount):
    assert parse_amount(typed) == Decimal(amount)


@pytest.mark.parametrize(("typed", "sentence"), [
    ("1.250,00", "a dot before the cents and commas between thousands"),
    ("12,50", "a dot before the cents and commas between thousands"),
    ("1,25,000", "a dot before the cents and commas between thousands"),
    ("twelve", "Enter an amount in dollars, such as 1,250.00."),
    ("12a", "Enter an amount in dollars, such as 1,250.00."),
    ("", "Enter an amount in dollars, such as 1,250.00."),
    ("NaN", "Enter an amount in dollars, such as 1,250.00."),
    ("1e3", "Enter an amount in dollars, such as 1,250.00."),
    ("-100", "The amount must be more than zero."),
    ("0", "The amount must be more than zero."),
    ("10.005", "Amounts have at most two decimal places."),
    ("99999999999", "The amount cannot be more than $9,999,999,999.99."),
])
def test_amounts_people_cannot_mean_are_refused_with_a_sentence_on_the_field(typed, sentence):
    with pytest.raises(ValidationFailed) as caught:
        parse_amount(typed, field="limit")
    assert sentence in caught.value.detail
    assert caught.value.fields == {"limit": [caught.value.detail]}


def test_zero_and_a_ceiling_are_the_callers_choice():
    assert parse_amount("0", allow_zero=True) == Decimal("0.00")
    with pytest.raises(ValidationFailed, match=r"more than \$500.00"):
        parse_amount("500.01", maximum=500)


def test_the_form_field_and_the_api_field_both_use_the_parser():
    class Form(forms.Form):
        amount = AmountFormField()

    class Input(serializers.Serializer):
        amount = AmountSerializerField()

    assert Form({"amount": "$1,250"}).is_valid()
    form = Form({"amount": "1.250,00"})
    assert not form.is_valid() and "a dot before the cents" in form.errors["amount"][0]
    data = Input(data={"amount": "$1,250"})
    assert data.is_valid() and data.validated_data["amount"] == Decimal("1250.00")
    data = Input(data={"amount": "12,50"})
    assert not data.is_valid() and "a dot before the cents" in str(data.errors["amount"][0])


@pytest.mark.parametrize(("state", "zone", "ok"), [
    ("WA", "America/Los_Angeles", True), ("WA", "US/Pacific", True), ("WA", "America/New_York", False),
    ("TX", "America/Chicago", True), ("TX", "America/Denver", True), ("TX", "America/Los_Angeles", False),
    ("IN", "America/Indiana/Indianapolis", True), ("AZ", "America/Phoenix", True), ("FL", "America/Chicago", True),
])
def test_a_state_accepts_the_time_zones_it_keeps(state, zone, ok):
    assert (zone_problem(state=state, time_zone=zone) == "") is ok


@pytest.mark.parametrize(("state", "lat", "lng", "ok"), [
    ("WA", "47.6097", "-122.3422", True), ("WA", "42.3601", "-71.0589", False), ("WA", "0", "0", False),
    ("WA", "47.6097", "122.3422", False), ("MA", "42.3601", "-71.0589", True), ("HI", "21.3069", "-157.8583", True),
])
def test_a_point_must_lie_in_its_state(state, lat, lng, ok):
    assert (point_problem(state=state, latitude=lat, longitude=lng) == "") is ok


def test_a_point_without_a_state_must_lie_in_the_us():
    assert us_point_problem(latitude="33.749", longitude="-84.388") == ""
    assert us_point_problem(latitude="51.5072", longitude="-0.1276") != ""
    assert "Atlantic" in us_point_problem(latitude=0, longitude=0)


def test_every_state_field_offers_the_one_places_table():
    from core.places import STATES, US_STATES
    from fleet.models import Driver, Vehicle
    from onboarding.models import Application

    assert [code for code, _name in US_STATES] == list(STATES)
    for model, name in [(Application, "state"), (Driver, "licence_state"), (Vehicle, "plate_state")]:
        assert model._meta.get_field(name).choices == US_STATES, f"{model.__name__}.{name}"
