"""The metrics read from the driver's phone and the recipients (proof of delivery, contacts, recipients' reports),
on a hand-made week; every figure is worked out by hand here."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from freezegun import freeze_time

from performance.models import Scorecard, Tier
from performance.services.metrics import contact_defects, dnr_defects, pod_defects
from performance.services.scoring import scorecards_compute
from routes.models import Package, RecipientFeedback, StopContact, StopProof
from tests.fleet.factories import DriverFactory
from tests.onboarding.factories import partner_with_owner
from tests.performance.factories import route_with
from tests.routes.factories import StationFactory

pytestmark = pytest.mark.django_db

WEEK = date(2026, 3, 1)
DAY = date(2026, 3, 2)


def _feedback(package, **fields):
    return RecipientFeedback.objects.create(package=package, stop=package.stop, route=package.stop.route,
                                            partner=package.stop.route.partner, service_date=package.service_date,
                                            **fields)


@freeze_time("2026-03-09 19:00:00")
def test_pod_contact_dnr_and_cdf_on_a_hand_made_week():
    partner, _owner = partner_with_owner()
    driver = DriverFactory(partner=partner)
    route = route_with(partner=partner, station=StationFactory(), day=DAY, driver=driver, delivered=8, attempted=2)
    stops = {s.sequence: s for s in route.stops.all()}
    for seq in (1, 2, 3, 4):  # proof was required at four deliveries; an admin rejected the photo at stop 4
        StopProof.objects.create(stop=stops[seq], kind="photo", required=True,
                                 status="rejected" if seq == 4 else "recorded")
    StopProof.objects.create(stop=stops[5], kind="photo", required=False)  # taken though not required: not counted
    StopContact.objects.create(stop=stops[9], channel="call", occurred_at=stops[9].outcome_at - timedelta(minutes=2))
    StopContact.objects.create(stop=stops[10], channel="text", occurred_at=stops[10].outcome_at + timedelta(minutes=5))
    delivered = list(Package.objects.filter(stop__route=route, status="delivered").order_by("pk"))
    _feedback(delivered[0], not_received=True)
    _feedback(delivered[1], rating=1)
    _feedback(delivered[2], rating=5)

    scorecards_compute(week_start=WEEK)

    m = Scorecard.objects.get(partner=partner).metrics
    assert (m["pod"]["numerator"], m["pod"]["denominator"], m["pod"]["value"]) == (3, 4, "75.00")
    # one attempt of two came after a call; the text after the attempt does not count
    assert (m["contact"]["numerator"], m["contact"]["denominator"], m["contact"]["value"]) == (1, 2, "50.00")
    # one report per 8 delivered packages = 125,000 per million
    assert (m["dnr_dpmo"]["numerator"], m["dnr_dpmo"]["denominator"], m["dnr_dpmo"]["value"]) == (1, 8, "125000.00")
    assert (m["cdf_dpmo"]["numerator"], m["cdf_dpmo"]["value"]) == (1, "125000.00")  # the 5-star rating is not
    assert {m[k]["tier"] for k in ("pod", "contact", "dnr_dpmo", "cdf_dpmo", "dcr")} == {Tier.POOR}
    assert "inspection" not in m and "speeding" not in m  # no route started or run that week: nothing measured
    first, last = WEEK, WEEK + timedelta(days=6)
    assert [s.sequence for s in pod_defects(partner_id=partner.pk, first=first, last=last)] == [4]
    assert [s.sequence for s in contact_defects(partner_id=partner.pk, first=first, last=last)] == [10]
    assert [s.pk for s in dnr_defects(partner_id=partner.pk, first=first, last=last)] == [delivered[0].stop_id]


@freeze_time("2026-03-09 19:00:00")
def test_the_score_is_the_weighted_mean_of_the_measured_metrics():
    """DCR 100% (Fantastic+, 100 points, weight 30), POD 75% (Poor, 0, weight 10), DNR and CDF 0 (Fantastic+,
    100, weight 15 each); contact has no attempts so it is not measured: (3000 + 0 + 1500 + 1500) / 70 = 85.71,
    which is Fantastic (from 85)."""
    partner, _owner = partner_with_owner()
    route = route_with(partner=partner, station=StationFactory(), day=DAY, delivered=4)
    for stop in route.stops.all():
        StopProof.objects.create(stop=stop, kind="photo", required=True,
                                 status="rejected" if stop.sequence == 1 else "recorded")
    scorecards_compute(week_start=WEEK)
    card = Scorecard.objects.get(partner=partner)
    assert set(card.metrics) == {"dcr", "pod", "dnr_dpmo", "cdf_dpmo"}
    assert (card.score, card.tier) == (Decimal("85.71"), Tier.FANTASTIC)
