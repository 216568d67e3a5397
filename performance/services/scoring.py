"""Weekly scorecards, computed set-based: one grouped query per metric for every partner and driver at once.

Each metric's figure gets a tier from the ruleset in force on the week's first day; the tiers' points,
weighted, make the score, and the score the week's tier. A frozen scorecard (its statement issued) is
never recomputed."""

from collections import defaultdict
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.utils import timezone

from performance.models import TIER_POINTS, DriverScore, Scorecard, TierRuleSet
from performance.services.metrics import METRICS

TWO = Decimal("0.01")


def _fmt(n) -> str:
    return f"{n:,}" if isinstance(n, int) else f"{n:,.2f}"


def metric_figure(metric: str, numerator, denominator, rule) -> dict | None:
    """One metric's figure, tier and formula as shown; None when nothing was measured (no denominator)."""
    source = METRICS[metric]
    if not denominator:
        return None
    value = (Decimal(numerator) / Decimal(denominator) * source.scale).quantize(TWO, rounding=ROUND_HALF_UP)
    # JSON holds no Decimal: a measured denominator (route-hours, to the hundredth) is kept as a float
    stored = float(denominator) if isinstance(denominator, Decimal) else denominator
    figure = {"numerator": numerator, "denominator": stored, "value": str(value), "unit": source.unit,
              "formula": f"{source.numerator} ÷ {source.denominator} × {_fmt(int(source.scale))} = "
                         f"{_fmt(numerator)} ÷ {_fmt(denominator)} × {_fmt(int(source.scale))} = {value}{source.unit}"}
    if rule is not None:
        tier = rule.tier_for(value)
        figure.update(tier=tier, points=str(TIER_POINTS[tier]), weight=str(rule.weight))
    return figure


def score(figures: dict, ruleset: TierRuleSet | None) -> tuple[Decimal, str]:
    """The weighted mean of the tiered metrics' points, and the tier that score earns."""
    weighted = [(Decimal(f["points"]), Decimal(f["weight"])) for f in figures.values() if "tier" in f]
    total_weight = sum(w for _p, w in weighted)
    if ruleset is None or not total_weight:
        return Decimal("0.00"), ""
    value = (sum(p * w for p, w in weighted) / total_weight).quantize(TWO, rounding=ROUND_HALF_UP)
    return value, ruleset.tier_for_score(value)


def _collect(first: date, last: date, partner_ids) -> dict:
    """{metric: {(pid, did): (num, den)}} for every metric the platform measures."""
    done: dict = {}
    for metric, source in METRICS.items():  # DCR first: the DPMO metrics divide by its delivered count
        done[metric] = source.collect(first, last, partner_ids, done)
    return done


def _figures(counts: dict, rules: dict) -> dict:
    out = {}
    for metric, (num, den) in counts.items():
        figure = metric_figure(metric, num, den, rules.get(metric))
        if figure is not None:
            out[metric] = figure
    return out


def _route_counts(first: date, last: date, partner_ids) -> dict:
    from django.db.models import Count

    from routes.models import Route

    rows = Route.objects.filter(service_date__range=(first, last), partner__isnull=False, plan__status="published")
    if partner_ids is not None:
        rows = rows.filter(partner_id__in=list(partner_ids))
    return {(p, d): n for p, d, n in rows.values_list("partner_id", "driver_id").annotate(n=Count("id")).order_by()}


def scorecards_compute(*, week_start: date, partner_ids=None) -> dict:
    """Compute (or recompute) the week's scorecards; frozen ones are left alone. Returns counts."""
    week_end = week_start + timedelta(days=6)
    ruleset = TierRuleSet.in_force(week_start)
    rules = {r.metric: r for r in ruleset.rules.all()} if ruleset else {}
    collected = _collect(week_start, week_end, partner_ids)
    routes = _route_counts(week_start, week_end, partner_ids)
    per_driver: dict = defaultdict(dict)  # (pid, did) -> {metric: (num, den)}
    per_partner: dict = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    for metric, rows in collected.items():
        for (pid, did), (num, den) in rows.items():
            per_driver[(pid, did)][metric] = (num, den)
            per_partner[pid][metric][0] += num
            per_partner[pid][metric][1] += den
    partners = set(per_partner) | {pid for pid, _d in routes}
    now = timezone.now()
    with transaction.atomic():
        existing = {s.partner_id: s for s in Scorecard.objects.select_for_update().filter(
            week_start=week_start, partner_id__in=partners)}
        frozen = {pid for pid, s in existing.items() if s.frozen}
        todo = sorted(partners - frozen)
        cards = []
        for pid in todo:
            figures = _figures({m: tuple(v) for m, v in per_partner[pid].items()}, rules)
            value, tier = score(figures, ruleset)
            dcr = per_partner[pid].get("dcr", (0, 0))
            card = existing.get(pid) or Scorecard(partner_id=pid, week_start=week_start, week_end=week_end)
            card.ruleset, card.metrics, card.score, card.tier, card.computed_at = ruleset, figures, value, tier, now
            card.delivered, card.dispatched = dcr[0], dcr[1]
            card.routes = sum(n for (p, _d), n in routes.items() if p == pid)
            cards.append(card)
        Scorecard.objects.bulk_create([c for c in cards if c.pk is None], batch_size=2000)
        Scorecard.objects.bulk_update([c for c in cards if c.pk is not None and c.partner_id in existing],
                                      ["ruleset", "metrics", "score", "tier", "computed_at", "delivered",
                                       "dispatched", "routes"], batch_size=2000)
        card_ids = {c.partner_id: c.pk for c in cards}
        DriverScore.objects.filter(scorecard_id__in=card_ids.values()).delete()
        drivers = []
        for (pid, did), counts in per_driver.items():
            if did is None or pid not in card_ids:
                continue
            figures = _figures(counts, rules)
            value, tier = score(figures, ruleset)
            dcr = counts.get("dcr", (0, 0))
            drivers.append(DriverScore(scorecard_id=card_ids[pid], driver_id=did, metrics=figures, score=value,
                                       tier=tier, delivered=dcr[0], dispatched=dcr[1],
                                       routes=routes.get((pid, did), 0)))
        DriverScore.objects.bulk_create(drivers, batch_size=5000)
    return {"scorecards": len(cards), "drivers": len(drivers), "frozen": len(frozen)}
