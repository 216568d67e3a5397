"""Statements on a hand-made week: each line's amount worked out by hand, each linked to its source rows."""

from datetime import date
from decimal import Decimal

import pytest
from freezegun import freeze_time

from dsp_portal.deductions import order_line_deduction_agree
from performance.models import Chargeback, DeductionPlan, LineKind, PeakWeek, Scorecard, Statement
from performance.services.deductions import chargeback_record
from performance.services.scoring import scorecards_compute
from performance.services.settlement import statements_compute
from performance.services.statements import week_issue
from procurement.models import Order, OrderLine
from routes.models import Route
from routes.services.outcomes import stop_outcome_record
from tests.fleet.factories import DriverFactory
from tests.onboarding.factories import partner_with_owner
from tests.performance.factories import route_with
from tests.procurement.factories import VanItemFactory
from tests.routes.factories import StationFactory

pytestmark = pytest.mark.django_db

WEEK = date(2026, 3, 1)


def _van_line(partner, total="1000.00", deposit="10"):
    order = Order.objects.create(partner=partner, status=Order.Status.APPROVED)
    item = VanItemFactory()
    return OrderLine.objects.create(order=order, item=item, kind=item.kind, category=item.category,
                                    item_name="Branded step van", vendor_name="Rivet", price_basis=item.price_basis,
                                    total=Decimal(total), deposit_percent=Decimal(deposit))


def _compute(week=WEEK):
    scorecards_compute(week_start=week)
    statements_compute(week_start=week)


@freeze_time("2026-03-09 19:00:00")
def test_a_statements_lines_add_up_to_its_total_and_each_links_to_its_source():
    station = StationFactory()
    partner, owner = partner_with_owner()
    driver = DriverFactory(partner=partner)
    short = route_with(partner=partner, station=station, day=date(2026, 3, 2), driver=driver, delivered=40,
                       attempted=2, hours=5)
    standard = route_with(partner=partner, station=station, day=date(2026, 3, 3), driver=driver, delivered=60)
    not_run = route_with(partner=partner, station=station, day=date(2026, 3, 4), driver=driver)
    chargeback_record(route=not_run, kind=Chargeback.Kind.ROUTE_NOT_RUN, note="Van never left")
    lost = short.stops.get(status="attempted", sequence=41).packages.get()
    chargeback_record(route=short, kind=Chargeback.Kind.LOST_PACKAGE, package=lost)
    peak = PeakWeek.objects.create(week_start=WEEK, name="Spring peak", multiplier=Decimal("1.25"))
    plan = order_line_deduction_agree(order_line=_van_line(partner), instalments=7,
                                      first_week=date(2026, 2, 22), by=owner)

    _compute()

    statement = Statement.objects.get(partner=partner, week_start=WEEK)
    lines = list(statement.lines.all())
    got = [(ln.kind, ln.quantity, ln.rate, ln.amount) for ln in lines]
    d = Decimal
    assert got == [
        (LineKind.ROUTE_BASE, d(1), d("165.00"), d("165.00")),  # 5 h: Short
        (LineKind.PACKAGES, d(40), d("0.40"), d("16.00")),
        (LineKind.ROUTE_BASE, d(1), d("235.00"), d("235.00")),  # 8 h: Standard; the route not run has no base pay
        (LineKind.PACKAGES, d(60), d("0.40"), d("24.00")),
        # DCR 100 / 102 = 98.04% -> Great: $0.05 a delivered package
        (LineKind.TIER_INCENTIVE, d(100), d("0.05"), d("5.00")),
        # Peak: (165 + 16 + 235 + 24) x (1.25 - 1)
        (LineKind.PEAK, d("440.00"), d("0.25"), d("110.00")),
        (LineKind.CHARGEBACK, d(1), d("-150.00"), d("-150.00")),
        (LineKind.CHARGEBACK, d(1), d("-25.00"), d("-25.00")),
        # $1,000 less a 10% deposit = $900 over 7 weeks from Feb 22: this is the 2nd, $128.57
        (LineKind.DEDUCTION, d(1), d("-128.57"), d("-128.57")),
    ]
    assert statement.total == sum(ln.amount for ln in lines) == Decimal("251.43")
    assert statement.tier == "great" and statement.scorecard == Scorecard.objects.get(partner=partner)
    sources = [(ln.route_id, ln.scorecard_id, ln.peak_week_id, ln.chargeback_id, ln.deduction_id) for ln in lines]
    assert [s[0] for s in sources[:4]] == [short.pk, short.pk, standard.pk, standard.pk]
    assert sources[4][1] == statement.scorecard_id and sources[5][2] == peak.pk
    assert {lines[6].chargeback.kind, lines[7].chargeback.kind} == {"route_not_run", "lost_package"}
    assert lines[6].route_id == not_run.pk and lines[7].chargeback.package_id == lost.pk
    assert (lines[8].deduction_id, lines[8].instalment_no) == (plan.pk, 2)


def test_the_instalments_of_a_deduction_add_up_to_what_was_agreed():
    from performance.services.settlement import _deductions

    partner, owner = partner_with_owner()
    plan = order_line_deduction_agree(order_line=_van_line(partner), instalments=7,
                                      first_week=date(2026, 2, 22), by=owner)
    amounts = []
    for k in range(9):
        week = date(2026, 2, 22) + k * (date(2026, 3, 1) - date(2026, 2, 22))
        amounts += [amount for p, _n, amount in _deductions(week, None).get(partner.pk, []) if p == plan]
    assert amounts == [Decimal("128.57")] * 6 + [Decimal("128.58")]
    assert sum(amounts) == DeductionPlan.objects.get().total == Decimal("900.00")


@freeze_time("2026-03-09 19:00:00", tick=True)
def test_recomputing_a_draft_changes_nothing_and_never_doubles_a_line():
    station = StationFactory()
    partner, _owner = partner_with_owner()
    route_with(partner=partner, station=station, day=date(2026, 3, 2), delivered=10)
    _compute()
    first = list(Statement.objects.get().lines.values_list("kind", "amount"))
    _compute()
    assert list(Statement.objects.get().lines.values_list("kind", "amount")) == first
    assert Statement.objects.count() == 1


def test_a_settled_week_is_unchanged_by_late_outcomes_which_go_to_the_next_statement():
    station = StationFactory()
    partner, _owner = partner_with_owner()
    with freeze_time("2026-03-09 19:00:00"):
        route = route_with(partner=partner, station=station, day=date(2026, 3, 2), delivered=9, pending=1)
        _compute()
        assert week_issue(week_start=WEEK) == 1
    settled = Statement.objects.get(week_start=WEEK)
    before = (settled.total, list(settled.lines.values_list("kind", "quantity", "amount")))
    card_before = Scorecard.objects.get(week_start=WEEK).metrics
    with freeze_time("2026-03-10 17:00:00"):
        Route.objects.filter(pk=route.pk).update(status="started")  # the driver's route was still on the road
        stop_outcome_record(stop=route.stops.get(status="pending"), outcome="delivered")
        _compute()  # the beat runs again over the settled week: nothing moves
    settled.refresh_from_db()
    assert (settled.total, list(settled.lines.values_list("kind", "quantity", "amount"))) == before
    assert Scorecard.objects.get(week_start=WEEK).metrics == card_before
    next_week = date(2026, 3, 8)
    with freeze_time("2026-03-16 19:00:00"):
        _compute(next_week)
        _compute(next_week)
    late = Statement.objects.get(week_start=next_week).lines.get()
    assert (late.kind, late.quantity, late.rate, late.amount, late.route_id) == (
        LineKind.LATE_OUTCOMES, Decimal(1), Decimal("0.40"), Decimal("0.40"), route.pk)
    assert Statement.objects.get(week_start=next_week).total == Decimal("0.40")
