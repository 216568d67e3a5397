import pytest

from fleet.models import Coverage, Vehicle
from tests.conftest import login
from tests.fleet.factories import DriverFactory, PolicyFactory, VehicleFactory, fully_insured
from tests.onboarding.factories import partner_with_owner


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_fleet_dashboard_shows_problems_first(page, screenshot):
    partner, owner = partner_with_owner(legal_name="Peach State Deliveries LLC")
    vans = [VehicleFactory(partner=partner) for _ in range(6)]
    vans.append(VehicleFactory(partner=partner, status=Vehicle.Status.MAINTENANCE, status_reason="Brakes"))
    VehicleFactory(partner=partner, status=Vehicle.Status.GROUNDED)
    uninsured = VehicleFactory(partner=partner, plate="NOCARGO")
    policies = fully_insured(partner, fleet_wide=False, vehicles=vans, days=5)
    PolicyFactory(partner=partner, coverage=Coverage.AUTO_LIABILITY, vehicles=[uninsured])
    for _ in range(8):
        DriverFactory(partner=partner)
    assert policies

    login(page, owner.email)
    page.goto("/fleet/")
    problems = page.locator("#compliance-problems li")
    assert "NOCARGO" in problems.first.inner_text()
    assert "cargo" in problems.first.inner_text()
    assert page.locator("#assignable-vans").inner_text() == "6"
    assert page.get_by_text("Expiring in the next 30 days").is_visible()
    path = screenshot(page, "fleet-dashboard")
    assert path.exists()
