"""Safety on the embedded default (SQLite): a finished week's pre-trip inspections and speeding, derived from the
position pings with SQLite's window functions, scored, shown on the owner's scorecard with the formula, and each
defect drilled down to its route."""

from datetime import timedelta

import pytest

from core.servicedays import service_week
from performance.models import Scorecard, Tier
from performance.services.scoring import scorecards_compute
from routes.models import Route
from tests.conftest import login
from tests.fleet.factories import DriverFactory, VehicleFactory
from tests.onboarding.claim_factories import veteran_partner
from tests.performance.factories import route_with
from tests.performance.test_metrics_safety import at, pings, pretrip, ran
from tests.routes.factories import StationFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_safety_is_scored_on_sqlite_and_drilled_down_to_the_routes(page, screenshot):
    partner, owner = veteran_partner(legal_name="Okafor Last Mile LLC")
    week = service_week()[0] - timedelta(days=7)
    monday, tuesday = week + timedelta(days=1), week + timedelta(days=2)
    station = StationFactory()
    driver = DriverFactory(partner=partner, first_name="Ada", last_name="Okafor")
    van = VehicleFactory(partner=partner)
    inspected = route_with(partner=partner, station=station, day=monday, driver=driver, delivered=3)
    skipped = route_with(partner=partner, station=station, day=tuesday, driver=driver, delivered=3)
    Route.objects.filter(pk__in=[inspected.pk, skipped.pk]).update(vehicle=van)
    inspected, skipped = (Route.objects.get(pk=r.pk) for r in (inspected, skipped))
    ran(inspected, at(monday, 16), at(monday, 18))           # 2 route-hours
    pretrip(inspected, when=at(monday, 15, 45))
    ran(skipped, at(tuesday, 16), at(tuesday, 18))           # 2 route-hours, no pre-trip that day
    pings(inspected, at(monday, 16), [50, 110, 120, 100, 130, 104, 106, 90])  # 3 runs above 105 km/h
    pings(skipped, at(tuesday, 16), [60, 80, 104, 70])

    scorecards_compute(week_start=week)
    metrics = Scorecard.objects.get(partner=partner).metrics
    # 1 of 2 started routes inspected = 50% (Poor); 3 events in 4 route-hours x 100 = 75.00 (Poor)
    assert (metrics["inspection"]["numerator"], metrics["inspection"]["denominator"]) == (1, 2)
    assert (metrics["inspection"]["value"], metrics["inspection"]["tier"]) == ("50.00", Tier.POOR)
    assert (metrics["speeding"]["numerator"], metrics["speeding"]["denominator"]) == (3, 4.0)
    assert (metrics["speeding"]["value"], metrics["speeding"]["tier"]) == ("75.00", Tier.POOR)

    login(page, owner.email)
    page.goto(f"/performance/?week={week.isoformat()}")
    table = page.inner_text("#metrics")
    assert "Pre-trip inspection completion" in table and "50.00%" in table
    assert "speeding events ÷ route-hours × 100 = 3 ÷ 4.00 × 100 = 75.00" in table
    assert "Not measured" not in page.content()  # every metric of the program is measured now
    screenshot(page, "embedded-safety-scorecard")
    page.goto(f"/performance/defects/?week={week.isoformat()}&metric=speeding")
    row = page.inner_text(f"#route-{inspected.pk}")
    assert "3 speeding event(s) above 105 km/h" in row
    assert page.locator(f"#route-{skipped.pk}").count() == 0
    screenshot(page, "embedded-safety-speeding-defects")
    page.goto(f"/performance/defects/?week={week.isoformat()}&metric=inspection")
    assert "no pre-trip inspection of the van that day" in page.inner_text(f"#route-{skipped.pk}")
    assert page.locator(f"#route-{inspected.pk}").count() == 0
