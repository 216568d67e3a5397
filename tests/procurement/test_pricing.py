"""The pricing engine on a table of cases: each rule alone, combined, tiers at their edges,
promotion windows at their first and last second, and rounding half-up once per line."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal as D

import pytest

from procurement.pricing import Buyer, ItemTerms, Promo, Rules, Tier, deposit_for, price_line

NOW = datetime(2026, 3, 15, 12, 0, tzinfo=UTC)
START = datetime(2026, 3, 1, 0, 0, 0, tzinfo=UTC)
END = datetime(2026, 3, 31, 23, 59, 59, tzinfo=UTC)
SECOND = timedelta(seconds=1)

VAN = ItemTerms(item_id=1, kind="vehicle", list_price=D("48000.00"))
VAN_12PCT = ItemTerms(item_id=1, kind="vehicle", list_price=D("48000.00"), discount_type="percent",
                      discount_value=D("12"))
VAN_2000OFF = ItemTerms(item_id=1, kind="vehicle", list_price=D("48000.00"), discount_type="fixed",
                        discount_value=D("2000"))
MOUNT = ItemTerms(item_id=2, kind="supply", list_price=D("19.99"), discount_type="percent", discount_value=D("15"))

TIERS = (Tier(id=1, name="10+ vans", min_vans=10, percent=D("2"), kind="vehicle"),
         Tier(id=2, name="25+ vans", min_vans=25, percent=D("4"), kind="vehicle"))
PROMO_PCT = Promo(id=1, name="Spring", starts_at=START, ends_at=END, percent=D("5"), kind="vehicle")
PROMO_FIXED = Promo(id=2, name="$500 off", starts_at=START, ends_at=END, amount=D("500"), item_id=1)


def rules(tiers=(), promos=(), veteran=D("0")):
    return Rules(tiers=tiers, promotions=promos, veteran_extra_percent=veteran)


CASES = [
    # id, item, quantity, buyer, rules, at, expected line total, expected rule names
    ("list price only", VAN, 1, Buyer(), rules(), NOW, D("48000.00"), []),
    ("negotiated percent", VAN_12PCT, 1, Buyer(), rules(), NOW, D("42240.00"), ["negotiated"]),
    ("negotiated fixed", VAN_2000OFF, 2, Buyer(), rules(), NOW, D("92000.00"), ["negotiated"]),
    ("tier just below its edge", VAN, 1, Buyer(fleet_size=9), rules(TIERS), NOW, D("48000.00"), []),
    ("tier at its edge", VAN, 1, Buyer(fleet_size=10), rules(TIERS), NOW, D("47040.00"), ["fleet_tier"]),
    ("highest tier only, never both", VAN, 1, Buyer(fleet_size=25), rules(TIERS), NOW, D("46080.00"),
     ["fleet_tier"]),
    ("tier for vans leaves supplies alone", MOUNT, 1, Buyer(fleet_size=30), rules(TIERS), NOW, D("16.99"),
     ["negotiated"]),
    ("veteran extra", VAN, 1, Buyer(veteran_owned=True), rules(veteran=D("3")), NOW, D("46560.00"), ["veteran"]),
    ("veteran extra needs a veteran-owned partner", VAN, 1, Buyer(), rules(veteran=D("3")), NOW, D("48000.00"),
     []),
    ("promotion at its first second", VAN, 1, Buyer(), rules(promos=(PROMO_PCT,)), START, D("45600.00"),
     ["promotion"]),
    ("promotion one second before it starts", VAN, 1, Buyer(), rules(promos=(PROMO_PCT,)), START - SECOND,
     D("48000.00"), []),
    ("promotion at its last second", VAN, 1, Buyer(), rules(promos=(PROMO_PCT,)), END, D("45600.00"),
     ["promotion"]),
    ("promotion one second after it ends", VAN, 1, Buyer(), rules(promos=(PROMO_PCT,)), END + SECOND,
     D("48000.00"), []),
    ("fixed promotion per unit", VAN, 2, Buyer(), rules(promos=(PROMO_FIXED,)), NOW, D("95000.00"), ["promotion"]),
    # 48000 × 0.88 = 42240; extra 2 + 3 + 5 = 10% (added, not compounded) → 38016; − 500 → 37516 each.
    ("everything combined", VAN_12PCT, 3, Buyer(fleet_size=12, veteran_owned=True),
     rules(TIERS, (PROMO_PCT, PROMO_FIXED), D("3")), NOW, D("112548.00"),
     ["negotiated", "fleet_tier", "veteran", "promotion", "promotion"]),
    # 19.99 × 0.85 = 16.9915 per mount: 3 mounts = 50.9745 → 50.97 once (not 16.99 × 3 = 50.97 by luck:
    # see the next case, where rounding each unit would give a different total).
    ("rounding once per line", MOUNT, 3, Buyer(), rules(), NOW, D("50.97"), ["negotiated"]),
    # 16.9915 × 7 = 118.9405 → 118.94; rounding each unit first would give 16.99 × 7 = 118.93.
    ("rounding once, not per unit", MOUNT, 7, Buyer(), rules(), NOW, D("118.94"), ["negotiated"]),
    # 19.99 × 0.85 × 10 = 169.915 → half-up → 169.92 (half-even would give 169.92 too; next case differs).
    ("half-up at exactly half a cent", MOUNT, 10, Buyer(), rules(), NOW, D("169.92"), ["negotiated"]),
    ("half-up where half-even would round down", ItemTerms(item_id=3, kind="supply", list_price=D("0.25"),
     discount_type="percent", discount_value=D("50")), 1, Buyer(), rules(), NOW, D("0.13"), ["negotiated"]),
    ("a discount never goes below zero", VAN, 1, Buyer(), rules(promos=(
        Promo(id=3, name="Free", starts_at=START, ends_at=END, amount=D("60000"), item_id=1),)), NOW, D("0.00"),
     ["promotion"]),
]


@pytest.mark.parametrize(("item", "quantity", "buyer", "the_rules", "at", "expected", "applied"),
                         [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_price_engine_table(item, quantity, buyer, the_rules, at, expected, applied):
    line = price_line(item, quantity=quantity, rules=the_rules, buyer=buyer, at=at)
    assert line.total == expected
    assert line.list_total == (item.list_price * quantity).quantize(D("0.01"))
    assert line.savings == line.list_total - line.total
    assert [r["rule"] for r in line.rules_applied] == applied


def test_periods_multiply_a_monthly_lease_and_round_once():
    lease = ItemTerms(item_id=4, kind="vehicle", list_price=D("1249.00"), discount_type="percent",
                      discount_value=D("7.5"))
    line = price_line(lease, quantity=2, periods=36, rules=Rules(), buyer=Buyer(), at=NOW)
    assert line.list_total == D("89928.00")
    assert line.total == D("83183.40")  # 1249 × 0.925 = 1155.325 × 72 = 83183.40


def test_the_same_inputs_always_give_the_same_line():
    args = {"quantity": 3, "rules": rules(TIERS, (PROMO_PCT, PROMO_FIXED), D("3")),
            "buyer": Buyer(fleet_size=12, veteran_owned=True), "at": NOW}
    assert price_line(VAN_12PCT, **args) == price_line(VAN_12PCT, **args)


def test_the_recorded_rules_say_what_applied():
    line = price_line(VAN, quantity=1, rules=rules(TIERS, (PROMO_PCT,), D("3")),
                      buyer=Buyer(fleet_size=10, veteran_owned=True), at=NOW)
    tier, veteran, promo = line.rules_applied
    assert tier == {"rule": "fleet_tier", "id": 1, "name": "10+ vans", "min_vans": 10, "fleet_size": 10,
                    "percent": "2.00"}
    assert veteran == {"rule": "veteran", "percent": "3.00"}
    assert promo["name"] == "Spring" and promo["percent"] == "5.00"


def test_deposit_is_rounded_once_over_the_lines():
    class L:
        def __init__(self, total, pct):
            self.total, self.deposit_percent = D(total), D(pct)

    assert deposit_for([L("100.05", "10"), L("100.05", "10")]) == D("20.01")  # 10.005 + 10.005 = 20.01
    assert deposit_for([L("500.00", "0")]) == D("0.00")
