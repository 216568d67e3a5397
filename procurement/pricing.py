"""The pricing engine: the one place a program price is computed.

`price_line()` is pure and deterministic: the same item terms, rules, buyer and moment give the
same line, to the cent. This module reads no database and imports nothing of the app: the rules admins
edit are loaded by `procurement.selectors.pricing_rules()` and the buyer's fleet size by the order
services, which then call the pure functions.

How the rules combine, per unit and per period, starting from the list price L:

1. The item's negotiated program discount: percent  → N = L × (1 − p/100);
                                          fixed    → N = max(L − f, 0).
2. Extra percents ADD UP (they do not compound): the highest fleet-size tier reached (tiers never
   stack with each other), the veteran-owned extra, and every percent promotion live at that
   moment. Their sum E (at most 100) comes off the negotiated price: U = N × (1 − E/100).
3. Fixed promotions (USD off each unit) come off last: U = max(U − Σ amounts, 0).
4. The line total is U × quantity × periods, rounded half-up to the cent ONCE; the list total
   is L × quantity × periods; savings = list total − line total. The unit program price shown
   on a line is U rounded for display only, so unit × quantity may differ from the total by a cent.

A promotion is live from its `starts_at` to its `ends_at`, both seconds included.
Fleet size = vans on the road + vans on the partner's other open orders + vans on this quote.
"""

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from core.money import money

HUNDRED = Decimal("100")
ZERO = Decimal("0")


@dataclass(frozen=True)
class ItemTerms:
    item_id: int
    kind: str
    list_price: Decimal
    discount_type: str = "none"  # "none" | "percent" | "fixed"
    discount_value: Decimal = ZERO

    @classmethod
    def of(cls, item) -> "ItemTerms":
        return cls(item_id=item.pk, kind=item.kind, list_price=item.list_price, discount_type=item.discount_type,
                   discount_value=item.discount_value)


@dataclass(frozen=True)
class Tier:
    id: int
    name: str
    min_vans: int
    percent: Decimal
    kind: str = ""  # "" = every kind


@dataclass(frozen=True)
class Promo:
    id: int
    name: str
    starts_at: datetime
    ends_at: datetime
    percent: Decimal = ZERO
    amount: Decimal = ZERO
    item_id: int | None = None
    kind: str = ""

    def applies_to(self, item: ItemTerms) -> bool:
        if self.item_id is not None:
            return self.item_id == item.item_id
        return not self.kind or self.kind == item.kind

    def live_at(self, at: datetime) -> bool:
        return self.starts_at <= at <= self.ends_at


@dataclass(frozen=True)
class Rules:
    tiers: tuple[Tier, ...] = ()
    promotions: tuple[Promo, ...] = ()
    veteran_extra_percent: Decimal = ZERO


@dataclass(frozen=True)
class Buyer:
    fleet_size: int = 0
    veteran_owned: bool = False


@dataclass(frozen=True)
class LinePrice:
    unit_list_price: Decimal
    unit_program_price: Decimal  # rounded for display
    list_total: Decimal
    total: Decimal
    savings: Decimal
    rules_applied: list = field(default_factory=list)


def _pct(value: Decimal) -> str:
    return f"{Decimal(value):.2f}"


def negotiated_price(item: ItemTerms) -> tuple[Decimal, list]:
    """Step 1: the item's negotiated discount off list (unrounded)."""
    value = Decimal(item.discount_value or 0)
    if item.discount_type == "percent" and value > 0:
        return item.list_price * (1 - value / HUNDRED), [{"rule": "negotiated", "type": "percent",
                                                          "percent": _pct(value)}]
    if item.discount_type == "fixed" and value > 0:
        return max(item.list_price - value, ZERO), [{"rule": "negotiated", "type": "fixed", "amount": _pct(value)}]
    return item.list_price, []


def tier_for(tiers, *, kind: str, fleet_size: int) -> Tier | None:
    """The highest tier the fleet reached for this kind of item (tiers never stack)."""
    reached = [t for t in tiers if (not t.kind or t.kind == kind) and fleet_size >= t.min_vans]
    return max(reached, key=lambda t: (t.min_vans, t.percent, t.id), default=None)


def extra_percents(item: ItemTerms, *, rules: Rules, buyer: Buyer, at: datetime) -> tuple[Decimal, Decimal, list]:
    """Step 2 and 3 inputs: (sum of extra percents, sum of fixed amounts, rules applied)."""
    applied, percent, amount = [], ZERO, ZERO
    tier = tier_for(rules.tiers, kind=item.kind, fleet_size=buyer.fleet_size)
    if tier is not None and tier.percent > 0:
        percent += tier.percent
        applied.append({"rule": "fleet_tier", "id": tier.id, "name": tier.name, "min_vans": tier.min_vans,
                        "fleet_size": buyer.fleet_size, "percent": _pct(tier.percent)})
    if buyer.veteran_owned and rules.veteran_extra_percent > 0:
        percent += rules.veteran_extra_percent
        applied.append({"rule": "veteran", "percent": _pct(rules.veteran_extra_percent)})
    for promo in sorted(rules.promotions, key=lambda p: p.id):
        if not (promo.applies_to(item) and promo.live_at(at)) or (promo.percent <= 0 and promo.amount <= 0):
            continue
        percent += promo.percent
        amount += promo.amount
        applied.append({"rule": "promotion", "id": promo.id, "name": promo.name, "percent": _pct(promo.percent),
                        "amount": _pct(promo.amount), "ends_at": promo.ends_at.isoformat()})
    return min(percent, HUNDRED), amount, applied


def unit_program_price(item: ItemTerms, *, rules: Rules, buyer: Buyer, at: datetime) -> tuple[Decimal, list]:
    """The exact (unrounded) program price of one unit for one period, and the rules that made it."""
    negotiated, applied = negotiated_price(item)
    percent, amount, extras = extra_percents(item, rules=rules, buyer=buyer, at=at)
    unit = negotiated * (1 - percent / HUNDRED)
    unit = max(unit - amount, ZERO)
    return unit, applied + extras


def price_line(item: ItemTerms, *, quantity: int, periods: int = 1, rules: Rules, buyer: Buyer,
               at: datetime) -> LinePrice:
    """A priced line: list and program totals for `quantity` units over `periods`, rounded once."""
    if quantity < 1 or periods < 1:
        raise ValueError("quantity and periods must be at least 1")
    unit, applied = unit_program_price(item, rules=rules, buyer=buyer, at=at)
    count = Decimal(quantity) * Decimal(periods)
    list_total = money(item.list_price * count)
    total = money(unit * count)
    return LinePrice(unit_list_price=money(item.list_price), unit_program_price=money(unit), list_total=list_total,
                     total=total, savings=list_total - total, rules_applied=applied)


def deposit_for(lines) -> Decimal:
    """The deposit due on priced lines: Σ line total × the kind's deposit percent, rounded once."""
    exact = sum((Decimal(line.total) * Decimal(line.deposit_percent) / HUNDRED for line in lines), ZERO)
    return money(exact)
