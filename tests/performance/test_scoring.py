"""Scorecards on hand-made weeks: every figure here is worked out by hand in the test."""

from datetime import date
from decimal import Decimal

import pytest
from freezegun import freeze_time

from performance.models import Scorecard, Tier, TierMetricRule, TierRuleSet
from performance.services.metrics import dcr_defects
from performance.services.scoring import scorecards_compute
from performance.services.statements import week_issue
from tests.fleet.factories import DriverFactory
from tests.onboarding.factories import partner_with_owner
from tests.performance.factories import route_with
from tests.routes.factories import StationFactory

pytestmark = pytest.mark.django_db

WEEK = date(2026, 3, 1)  # a Sunday; the week runs to Saturday March 7


@pytest.fixture
def station():
    return StationFactory()


@freeze_time("2026-03-09 19:00:00")
def test_dcr_is_delivered_over_dispatched_for_the_partner_and_each_driver(station):
    partner, _owner = partner_with_owner()
    ana, ben = DriverFactory(partner=partner), DriverFactory(partner=partner)
    route_with(partner=partner, station=station, day=date(2026, 3, 2), driver=ana, delivered=58, attempted=2)
    route_with(partner=partner, station=station, day=date(2026, 3, 3), driver=ana, delivered=40)
    route_with(partner=partner, station=station, day=date(2026, 3, 4), driver=ben, delivered=50)
    # Outside the week (the Saturday before, the Sunday after): not counted.
    route_with(partner=partner, station=station, day=date(2026, 2, 28), driver=ben, attempted=9)
    route_with(partner=partner, station=station, day=date(2026, 3, 8), driver=ben, attempted=9)

    scorecards_compute(week_start=WEEK)

    card = Scorecard.objects.get(partner=partner, week_start=WEEK)
    # 148 delivered of 150 dispatched = 98.666...% -> 98.67%: Fantastic (>= 98.5, < 99.5), 90 points.
    assert (card.delivered, card.dispatched, card.routes) == (148, 150, 3)
    dcr = card.metrics["dcr"]
    assert (dcr["numerator"], dcr["denominator"], dcr["value"], dcr["tier"]) == (148, 150, "98.67", Tier.FANTASTIC)
    assert "148 ÷ 150 × 100 = 98.67%" in dcr["formula"]
    # Points x weight: DCR Fantastic 90 x 30; contact 0 of 2 attempts Poor 0 x 10; no DNR or negative rating:
    # 0 DPMO, Fantastic+ 100 x 15 twice. (2700 + 0 + 1500 + 1500) / 70 = 81.43: Great.
    assert (card.score, card.tier) == (Decimal("81.43"), Tier.GREAT)
    by_driver = {d.driver_id: d for d in card.drivers.all()}
    # Ana: 98 of 100 = 98.00% -> Great (75 points); Ben: 50 of 50 = 100% -> Fantastic+ (100 points).
    assert (by_driver[ana.pk].metrics["dcr"]["value"], by_driver[ana.pk].tier) == ("98.00", Tier.GREAT)
    assert (by_driver[ben.pk].metrics["dcr"]["value"], by_driver[ben.pk].tier) == ("100.00", Tier.FANTASTIC_PLUS)
    assert by_driver[ben.pk].score == Decimal("100.00")


@freeze_time("2026-03-09 19:00:00")
def test_the_drill_down_lists_the_stops_behind_each_missed_package(station):
    partner, _owner = partner_with_owner()
    driver = DriverFactory(partner=partner)
    route = route_with(partner=partner, station=station, day=date(2026, 3, 2), driver=driver, delivered=5,
                       attempted=2, pending=1)
    stops = dcr_defects(partner_id=partner.pk, first=WEEK, last=date(2026, 3, 7))
    assert sorted(s.sequence for s in stops) == [6, 7, 8]
    assert {s.route_id for s in stops} == {route.pk}
    other, _o = partner_with_owner()
    assert not dcr_defects(partner_id=other.pk, first=WEEK, last=date(2026, 3, 7)).exists()


@pytest.mark.parametrize(("delivered", "tier"), [(197, Tier.FANTASTIC), (196, Tier.GREAT)])
@freeze_time("2026-03-09 19:00:00")
def test_a_tier_boundary_on_each_side(station, delivered, tier):
    """Launch rules: Fantastic from 98.5%. 197/200 = 98.50% is on it; 196/200 = 98.00% just below is Great."""
    partner, _owner = partner_with_owner()
    route_with(partner=partner, station=station, day=date(2026, 3, 2), delivered=delivered,
               attempted=200 - delivered)
    scorecards_compute(week_start=WEEK)
    card = Scorecard.objects.get(partner=partner)
    assert card.metrics["dcr"]["tier"] == tier


def test_the_overall_score_boundaries_on_each_side():
    rules = TierRuleSet.in_force(WEEK)
    assert rules.tier_for_score(Decimal("85.00")) == Tier.FANTASTIC
    assert rules.tier_for_score(Decimal("84.99")) == Tier.GREAT
    assert rules.tier_for_score(Decimal("50.00")) == Tier.FAIR
    assert rules.tier_for_score(Decimal("49.99")) == Tier.POOR


@freeze_time("2026-03-09 19:00:00")
def test_a_rule_change_mid_quarter_scores_each_week_by_its_own_rules(station):
    partner, _owner = partner_with_owner()
    before, after = date(2026, 2, 8), date(2026, 2, 22)  # two Sundays; the new rules start Feb 15
    for week in (before, after):
        route_with(partner=partner, station=station, day=week, delivered=98, attempted=2)  # 98.00% both weeks
    stricter = TierRuleSet.objects.create(effective_from=date(2026, 2, 15), score_fantastic=Decimal("85"))
    TierMetricRule.objects.create(ruleset=stricter, metric="dcr", weight=100, fantastic_plus=Decimal("99.9"),
                                  fantastic=Decimal("99.5"), great=Decimal("98.5"), fair=Decimal("97.5"))
    scorecards_compute(week_start=before)
    scorecards_compute(week_start=after)
    old, new = Scorecard.objects.get(week_start=before), Scorecard.objects.get(week_start=after)
    assert old.ruleset_id != new.ruleset_id == stricter.pk
    assert (old.metrics["dcr"]["value"], old.tier) == ("98.00", Tier.GREAT)  # launch rules: Great from 97%
    assert (new.metrics["dcr"]["value"], new.tier) == ("98.00", Tier.FAIR)  # new rules: Fair from 97.5%


@freeze_time("2026-03-09 19:00:00")
def test_recomputing_is_idempotent_and_a_settled_week_is_frozen(station):
    partner, _owner = partner_with_owner()
    route = route_with(partner=partner, station=station, day=date(2026, 3, 2), delivered=9, pending=1)
    scorecards_compute(week_start=WEEK)
    scorecards_compute(week_start=WEEK)
    assert Scorecard.objects.filter(partner=partner).count() == 1
    from performance.services.settlement import statements_compute

    statements_compute(week_start=WEEK)
    week_issue(week_start=WEEK)
    card = Scorecard.objects.get(partner=partner)
    assert card.frozen and card.status == "published" and card.metrics["dcr"]["value"] == "90.00"
    stop = route.stops.get(status="pending")
    stop.packages.update(status="delivered")
    scorecards_compute(week_start=WEEK)
    card.refresh_from_db()
    assert (card.delivered, card.metrics["dcr"]["value"]) == (9, "90.00")
