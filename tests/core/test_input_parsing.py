"""Bad input at the edges: days given as text, and JSON bodies nested past any sane depth."""

from datetime import date

import pytest

from core.dates import parse_day
from core.errors import ValidationFailed
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("value", ["2026-02-30", "x", "-1", "9999-99-99", "2026-2-3", "20260303", "2026-W11-1",
                                   "0001-01-01", "9999-12-31", "2026-03-15\x00"])
def test_a_day_that_is_not_real_is_a_validation_error_with_a_sentence_on_the_field(value):
    with pytest.raises(ValidationFailed) as raised:
        parse_day(value, field="on")

    assert raised.value.code == "invalid_date"
    assert "2026-03-15" in raised.value.fields["on"][0]


def test_a_real_day_parses_and_nothing_gives_the_default():
    assert parse_day(" 2026-03-15 ") == date(2026, 3, 15)
    assert parse_day("", default=date(2026, 1, 1)) == date(2026, 1, 1)
    assert parse_day(None) is None


@pytest.mark.parametrize("body", ["[" * 100_000 + "]" * 100_000, '{"a":' * 5000 + "1" + "}" * 5000,
                                  '{"name": "x", "nested": ' + "[" * 33 + "]" * 33 + "}"])
def test_a_deeply_nested_json_body_is_a_400_invalid_json_not_a_recursion_error(token_client, body):
    client = token_client(UserFactory())

    response = client.generic("POST", "/api/v1/tokens/", body, content_type="application/json")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_json"
    assert set(response.json()) == {"code", "detail", "fields"}


def test_nesting_within_the_limit_and_brackets_inside_strings_are_fine(token_client):
    client = token_client(UserFactory())
    # A token minting a token must give it an expiry (and tokens:write): the parser is what is tested here.
    body = ('{"name": "' + "[" * 60 + '", "scopes": ' + "[" * 1 + '"fleet:read"' + "]" * 1
            + ', "expires_at": "2099-01-01T00:00:00Z"}')

    response = client.generic("POST", "/api/v1/tokens/", body, content_type="application/json")

    assert response.status_code == 201, response.json()


@pytest.mark.parametrize("body", ["not json", '{"a": NaN}', b"\xff\xfe{}"])
def test_a_body_that_is_not_json_is_a_400_invalid_json(token_client, body):
    response = token_client(UserFactory()).generic("POST", "/api/v1/tokens/", body, content_type="application/json")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_json"


def _nested(depth, leaf=None):
    """A value `depth` containers deep, objects and arrays alternating."""
    value = leaf
    for k in range(depth):
        value = {"k": value} if k % 2 else [1, "x", value]
    return value


@pytest.mark.parametrize("depth", [1, 2, 31, 32, 33, 40])
def test_the_nesting_limit_counts_every_container_wherever_it_sits(depth):
    from core.parsers import MAX_DEPTH, json_depth_exceeds

    deep = _nested(depth)
    assert json_depth_exceeds(deep) is (depth > MAX_DEPTH)
    # beside 10,000 flat rows (a manifest) and shallower siblings the deepest branch still decides
    body = {"rows": [{"a": "b", "n": 1, "z": None} for _ in range(10_000)], "x": [_nested(3), {"y": deep}]}
    assert json_depth_exceeds(body) is (depth + 3 > MAX_DEPTH)
