"""Amounts read the same way on every page: `$88,031.52`, never `$88,031.5200000000`."""

import pathlib
import re
from decimal import Decimal

import pytest
from django.template import engines

from core.money import money_display

ROOT = pathlib.Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(("value", "places", "shown"), [
    (Decimal("88031.5200000000"), 2, "$88,031.52"),  # a SQLite SUM over decimals
    (Decimal("1250"), 2, "$1,250.00"),
    ("9609.005", 2, "$9,609.01"),  # half-up, as everywhere else in money
    (Decimal("-40"), 2, "−$40.00"),
    (30000, 0, "$30,000"),
    (None, 2, "—"),
    ("", 2, "—"),
])
def test_amounts_are_shown_with_a_dollar_sign_grouping_and_cents(value, places, shown):
    assert money_display(value, places) == shown


def test_the_money_filter_needs_no_load_in_any_template():
    template = engines["django"].from_string("{{ a|money }} / {{ b|money:0 }}")
    assert template.render({"a": Decimal("88031.5200000000"), "b": Decimal("30000.00")}) == "$88,031.52 / $30,000"


def test_no_template_writes_a_dollar_sign_before_a_raw_amount():
    """Every `$` next to a value goes through `|money` (one filter, one format)."""
    offenders = []
    for path in ROOT.glob("*/templates/**/*.html"):
        for n, line in enumerate(path.read_text().splitlines(), start=1):
            if re.search(r"\$\{\{", line) or re.search(r"\|(intcomma|floatformat:\"2g\")", line):
                offenders.append(f"{path.relative_to(ROOT)}:{n}")
    assert offenders == []
