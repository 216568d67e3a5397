"""Statement lines for a week, set-based: a few grouped queries for every partner at once.

Lines, each with its source: route base pay (one per route-day, by length class) and delivered packages
(one per route); the tier incentive (the scorecard); the peak multiplier (the peak week); chargebacks;
deduction instalments; late outcomes of settled weeks (per route). Each amount is rounded once; a
statement's total is the sum of its lines. Only draft statements are (re)computed."""

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, Min
from django.utils import timezone
from django.utils.translation import gettext as _

from core.money import money
from core.servicedays import service_week
from performance.models import (
    SETTLED,
    Chargeback,
    DeductionPlan,
    LineKind,
    PeakWeek,
    PerformanceSettings,
    RateCard,
    Scorecard,
    SettlementWeek,
    Statement,
    StatementLine,
)
from routes.models import Package, PackageStatus, Route, RouteStop, StopKind


def _line(statement_id, kind, description, *, quantity=1, rate=Decimal(0), amount=None, **source) -> StatementLine:
    quantity, rate = Decimal(quantity), Decimal(rate)
    return StatementLine(statement_id=statement_id, kind=kind, description=description[:200], quantity=quantity,
                         rate=rate, amount=money(quantity * rate) if amount is None else money(amount), **source)


def _routes(first: date, last: date, partner_ids) -> list[dict]:
    """The week's published routes dealt to partners, each with its delivered packages (two grouped queries:
    one over the packages, one over the routes; a join-and-group of both is several times slower)."""
    rows = (Route.objects.filter(service_date__range=(first, last), partner__isnull=False, plan__status="published")
            .values("pk", "partner_id", "service_date", "duration_s", "sequence", "plan__station__code")
            .order_by("partner_id", "service_date", "plan__station__code", "sequence"))
    packages = Package.objects.filter(stop__route__service_date__range=(first, last), stop__kind=StopKind.ADDRESS,
                                      stop__route__partner__isnull=False, status=PackageStatus.DELIVERED)
    if partner_ids is not None:
        rows = rows.filter(partner_id__in=list(partner_ids))
        packages = packages.filter(stop__route__partner_id__in=list(partner_ids))
    delivered = dict(packages.values_list("stop__route_id").annotate(n=Count("id")).order_by())
    return [{**row, "delivered": delivered.get(row["pk"], 0)} for row in rows]


def _route_lines(statement_id, route: dict, card: RateCard, not_run: set) -> list[StatementLine]:
    code = f"{route['plan__station__code'].upper()}-{route['sequence']:02d}"
    day = route["service_date"]
    lines = []
    if route["pk"] not in not_run:
        klass = card.route_class(route["duration_s"])
        if klass is not None:
            lines.append(_line(statement_id, LineKind.ROUTE_BASE,
                               _("Route %(code)s on %(day)s: %(cls)s base pay") % {
                                   "code": code, "day": day.strftime("%a %b %d"), "cls": klass.name},
                               rate=klass.base_pay, route_id=route["pk"], service_date=day))
    if route["delivered"]:
        lines.append(_line(statement_id, LineKind.PACKAGES, _("Route %(code)s on %(day)s: delivered packages") % {
            "code": code, "day": day.strftime("%a %b %d")}, quantity=route["delivered"], rate=card.per_package,
            route_id=route["pk"], service_date=day))
    return lines


def _late_outcomes(week_start: date, partner_ids, exclude_statements) -> dict[int, list[dict]]:
    """{partner: [{route, week, quantity, rate}]}: packages whose outcome changed after their week was settled.

    Candidates are routes with a stop whose outcome came after the settled statement was issued; the quantity
    is what is delivered now minus what all statements (but the one being computed) already paid for."""
    lookback = PerformanceSettings.load().late_lookback_weeks
    settled = Statement.objects.filter(status__in=SETTLED, week_start__lt=week_start,
                                       week_start__gte=week_start - timedelta(days=7 * lookback))
    if partner_ids is not None:
        settled = settled.filter(partner_id__in=list(partner_ids))
    bounds = settled.aggregate(first=Min("week_start"), issued=Min("issued_at"))
    if bounds["first"] is None:
        return {}
    weeks = {(s["partner_id"], s["week_start"]): s["pk"] for s in settled.values("pk", "partner_id", "week_start")}
    candidates = set(RouteStop.objects.filter(
        route__service_date__range=(bounds["first"], week_start - timedelta(days=1)), route__partner__isnull=False,
        outcome_at__gt=bounds["issued"], kind=StopKind.ADDRESS).values_list("route_id", flat=True).distinct())
    if not candidates:
        return {}
    now_delivered = dict(Package.objects.filter(stop__route_id__in=candidates, status=PackageStatus.DELIVERED,
                                                stop__kind=StopKind.ADDRESS)
                         .values_list("stop__route_id").annotate(n=Count("id")).order_by())
    paid = defaultdict(Decimal)
    rates = {}
    for route_id, qty, rate, kind in (StatementLine.objects.filter(
            route_id__in=candidates, kind__in=[LineKind.PACKAGES, LineKind.LATE_OUTCOMES])
            .exclude(statement_id__in=exclude_statements).values_list("route_id", "quantity", "rate", "kind")):
        paid[route_id] += qty
        if kind == LineKind.PACKAGES:
            rates[route_id] = rate
    out = defaultdict(list)
    for route in Route.objects.filter(pk__in=candidates).values("pk", "partner_id", "service_date", "sequence",
                                                                 "plan__station__code"):
        week = service_week(day=route["service_date"])[0]
        if (route["partner_id"], week) not in weeks:
            continue
        diff = Decimal(now_delivered.get(route["pk"], 0)) - paid[route["pk"]]
        if diff:
            card = RateCard.in_force(week)
            out[route["partner_id"]].append({**route, "week": week, "quantity": diff,
                                             "rate": rates.get(route["pk"], card.per_package if card else 0)})
    return out


def _incentive_and_peak(statement: Statement, lines: list, card: RateCard, scorecard, peak) -> list:
    extra = []
    delivered = sum((ln.quantity for ln in lines if ln.kind == LineKind.PACKAGES), Decimal(0))
    if scorecard is not None and scorecard.tier and delivered:
        rate = card.incentive(scorecard.tier)
        if rate:
            extra.append(_line(statement.pk, LineKind.TIER_INCENTIVE, _("%(tier)s tier incentive per delivered package")
                               % {"tier": scorecard.get_tier_display()}, quantity=delivered, rate=rate,
                               scorecard_id=scorecard.pk))
    if peak is not None:
        base = sum((ln.amount for ln in lines if ln.kind in (LineKind.ROUTE_BASE, LineKind.PACKAGES)), Decimal(0))
        if base:
            extra.append(_line(statement.pk, LineKind.PEAK, _("%(name)s: route and package pay × %(m)s") % {
                "name": peak.name, "m": peak.multiplier}, quantity=base, rate=peak.multiplier - 1,
                peak_week_id=peak.pk))
    return extra


def _deductions(week_start: date, partner_ids) -> dict[int, list[tuple]]:
    plans = DeductionPlan.objects.filter(first_week__lte=week_start)
    if partner_ids is not None:
        plans = plans.filter(partner_id__in=list(partner_ids))
    out = defaultdict(list)
    for plan in plans:
        number = (week_start - plan.first_week).days // 7 + 1
        if number <= plan.instalments:
            last = plan.total - plan.instalment * (plan.instalments - 1)
            amount = plan.instalment if number < plan.instalments else last
            out[plan.partner_id].append((plan, number, amount))
    return out


def statements_compute(*, week_start: date, partner_ids=None) -> dict:
    """(Re)compute the week's draft statements from the rows; settled statements are left alone."""
    week_end = week_start + timedelta(days=6)
    card = RateCard.in_force(week_start)
    if card is None:
        return {"statements": 0, "lines": 0, "skipped": "no rate card in force"}
    card = RateCard.objects.prefetch_related("route_classes").get(pk=card.pk)
    peak = PeakWeek.objects.filter(week_start=week_start).first()
    routes = _routes(week_start, week_end, partner_ids)
    chargebacks = Chargeback.objects.filter(service_date__range=(week_start, week_end))
    if partner_ids is not None:
        chargebacks = chargebacks.filter(partner_id__in=list(partner_ids))
    chargebacks = list(chargebacks.select_related("package"))
    not_run = {c.route_id for c in chargebacks if c.kind == Chargeback.Kind.ROUTE_NOT_RUN}
    deductions = _deductions(week_start, partner_ids)
    with transaction.atomic():
        SettlementWeek.objects.select_for_update().get_or_create(week_start=week_start,
                                                                 defaults={"week_end": week_end})
        existing = {s.partner_id: s for s in Statement.objects.select_for_update().filter(week_start=week_start)}
        late = _late_outcomes(week_start, partner_ids, [s.pk for s in existing.values()])
        partners = ({r["partner_id"] for r in routes} | {c.partner_id for c in chargebacks} | set(deductions)
                    | set(late))
        settled = {pid for pid, s in existing.items() if s.settled}
        todo = sorted(partners - settled)
        cards = {c.partner_id: c for c in Scorecard.objects.filter(week_start=week_start, partner_id__in=todo)}
        new = [Statement(partner_id=pid, week_start=week_start, week_end=week_end) for pid in todo
               if pid not in existing]
        Statement.objects.bulk_create(new, batch_size=2000)
        statements = {**{pid: s for pid, s in existing.items() if pid in set(todo)}, **{s.partner_id: s for s in new}}
        StatementLine.objects.filter(statement_id__in=[s.pk for s in statements.values()]).delete()
        by_partner = defaultdict(list)
        for route in routes:
            if route["partner_id"] in statements:
                by_partner[route["partner_id"]].extend(
                    _route_lines(statements[route["partner_id"]].pk, route, card, not_run))
        all_lines = []
        now = timezone.now()
        for pid in todo:
            statement = statements[pid]
            lines = by_partner[pid]
            lines += _incentive_and_peak(statement, lines, card, cards.get(pid), peak)
            lines += _chargeback_lines(statement, [c for c in chargebacks if c.partner_id == pid], card)
            lines += [_line(statement.pk, LineKind.DEDUCTION, _("%(what)s: instalment %(n)s of %(of)s") % {
                "what": plan.description, "n": n, "of": plan.instalments}, amount=-amount, quantity=1, rate=-amount,
                deduction_id=plan.pk, instalment_no=n) for plan, n, amount in deductions.get(pid, [])]
            lines += [_line(statement.pk, LineKind.LATE_OUTCOMES, _("Route %(code)s on %(day)s (week of %(w)s): "
                                                                  "packages delivered after it was settled") % {
                "code": f"{r['plan__station__code'].upper()}-{r['sequence']:02d}", "day": r["service_date"],
                "w": r["week"]}, quantity=r["quantity"], rate=r["rate"], route_id=r["pk"],
                service_date=r["service_date"]) for r in late.get(pid, [])]
            for position, line in enumerate(lines):
                line.position = position
            statement.total = money(sum((ln.amount for ln in lines), Decimal(0)))
            statement.scorecard = cards.get(pid)
            statement.tier = statement.scorecard.tier if statement.scorecard else ""
            statement.rate_card, statement.computed_at = card, now
            all_lines += lines
        StatementLine.objects.bulk_create(all_lines, batch_size=5000)
        Statement.objects.bulk_update(list(statements.values()), ["total", "scorecard", "tier", "rate_card",
                                                                   "computed_at"], batch_size=2000)
        SettlementWeek.objects.filter(week_start=week_start).update(computed_at=now)
    return {"statements": len(todo), "lines": len(all_lines), "settled": len(settled)}


def _chargeback_lines(statement, chargebacks, card) -> list:
    lines = []
    for c in chargebacks:
        if c.kind == Chargeback.Kind.ROUTE_NOT_RUN:
            text = _("Route accepted, not run (%(day)s)") % {"day": c.service_date}
            amount = card.chargeback_route_not_run
        else:
            tracking = c.package.tracking_id if c.package else ""
            text = _("Lost package %(t)s (%(day)s)") % {"t": tracking, "day": c.service_date}
            amount = card.chargeback_lost_package
        lines.append(_line(statement.pk, LineKind.CHARGEBACK, text, quantity=1, rate=-amount, chargeback_id=c.pk,
                           route_id=c.route_id, service_date=c.service_date))
    return lines
