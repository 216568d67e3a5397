"""Dealing uses the last published tier: a Fantastic partner gets its full commitment first, a Poor one last."""

from datetime import date

import pytest
from django.utils import timezone

from performance.models import PerformanceSettings, Scorecard
from routes.models import Plan, PlanStatus, Route
from routes.services.assignment import routes_deal
from tests.onboarding.factories import partner_with_owner
from tests.routes.factories import StationFactory

pytestmark = pytest.mark.django_db

DAY = date(2026, 3, 10)


def _scored(tier):
    partner, _owner = partner_with_owner()
    Scorecard.objects.create(partner=partner, week_start=date(2026, 3, 1), week_end=date(2026, 3, 7), tier=tier,
                             status="published", frozen_at=timezone.now())
    return partner


def _deal():
    plan = Plan.objects.create(station=StationFactory(), service_date=DAY, status=PlanStatus.READY)
    for n in range(1, 4):
        Route.objects.create(plan=plan, service_date=DAY, sequence=n, capacity=250)
    return plan


@pytest.mark.parametrize(("by_tier", "poor_gets"), [(True, 1), (False, 2)])
def test_a_fantastic_partner_gets_its_full_commitment_before_a_poor_one(by_tier, poor_gets):
    PerformanceSettings.objects.filter(pk=1).update(deal_by_tier=by_tier)
    poor, fantastic = _scored("poor"), _scored("fantastic")  # poor has the lower id: fair share favours it on ties
    plan = _deal()
    routes_deal(plan=plan, fleet=[{"partner": poor.pk, "capacities": [275, 275]},
                                  {"partner": fantastic.pk, "capacities": [275, 275]}])
    dealt = list(plan.routes.values_list("partner_id", flat=True))
    assert dealt.count(poor.pk) == poor_gets
    assert dealt.count(fantastic.pk) == 3 - poor_gets
