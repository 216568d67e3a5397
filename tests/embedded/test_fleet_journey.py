"""A new partner's fleet on the embedded default (SQLite): the owner adds a van by its VIN, a driver and the
insurance the program asks for, all through the pages; the fleet dashboard then shows everything compliant."""

from datetime import timedelta

import pytest
from django.utils import timezone

from fleet.models import Driver, InsurancePolicy, Vehicle
from tests.conftest import login
from tests.onboarding.factories import partner_with_owner

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

VIN = "1M8GDM9AXKP042788"  # a valid check digit


def add_van(page):
    page.goto("/fleet/")
    page.get_by_role("link", name="Add a van").click()
    page.fill("#id_vin", VIN.lower())  # typed as it reads off the windscreen
    page.fill("#id_plate", "DSP4412")
    page.select_option("#id_plate_state", "WA")
    page.fill("#id_make", "Ford")
    page.fill("#id_model", "Transit 250")
    page.fill("#id_year", "2024")
    page.fill("#id_package_capacity", "260")
    page.fill("#id_odometer_miles", "1200")
    page.get_by_role("button", name="Save").click()
    page.wait_for_selector("text=Van added")


def add_driver(page, licence_expires_on):
    page.goto("/fleet/")
    page.get_by_role("link", name="Add a driver").click()
    page.fill("#id_first_name", "Marcus")
    page.fill("#id_last_name", "Ortiz")
    page.fill("#id_email", "marcus.ortiz@rivera-logistics.example")
    page.fill("#id_phone", "(206) 555-0177")
    page.fill("#id_licence_number", "WDL9X8Y7Z6")
    page.select_option("#id_licence_state", "WA")
    page.fill("#id_licence_expires_on", licence_expires_on.isoformat())
    page.select_option("#id_background_check", "clear")
    page.select_option("#id_driving_record_check", "clear")
    page.get_by_role("button", name="Save").click()
    page.wait_for_selector("text=Driver added")
    page.select_option("#id_to", "active")
    page.get_by_role("button", name="Change status").click()
    page.wait_for_selector("text=Active")


def add_policy(page, coverage, number, effective_on, expires_on, van_label=None):
    page.goto("/fleet/")
    page.get_by_role("link", name="Add a policy").first.click()
    page.select_option("#id_coverage", coverage)
    page.fill("#id_carrier", "Evergreen Mutual")
    page.fill("#id_policy_number", number)
    page.fill("#id_per_occurrence_limit", "1000000")
    page.fill("#id_aggregate_limit", "2000000")
    page.fill("#id_effective_on", effective_on.isoformat())
    page.fill("#id_expires_on", expires_on.isoformat())
    if van_label:
        page.get_by_label(van_label).check()
    page.get_by_role("button", name="Save").click()
    page.wait_for_selector(f"text={number}")


def test_the_owner_adds_a_van_a_driver_and_insurance_and_the_fleet_is_compliant(page, screenshot):
    partner, owner = partner_with_owner(legal_name="Rivera Veteran Logistics LLC")
    today = timezone.localdate()
    login(page, owner.email)

    add_van(page)
    van = Vehicle.objects.get(partner=partner)
    assert (van.vin, van.status) == (VIN, "active")
    add_driver(page, today + timedelta(days=700))
    assert Driver.objects.get(partner=partner).status == "active"

    page.goto("/fleet/")
    problems = page.locator("#compliance-problems li")
    assert problems.count() == 4  # the company's two, the van's two
    assert [problems.nth(i).locator(".badge").inner_text() for i in range(4)] == ["Company", "Company", "Van", "Van"]
    screenshot(page, "embedded-fleet-01-not-yet-insured")

    start, end = today - timedelta(days=10), today + timedelta(days=355)
    add_policy(page, "general_liability", "GL-5521", start, end)
    add_policy(page, "workers_comp", "WC-5522", start, end)
    add_policy(page, "auto_liability", "AL-5523", start, end, van_label=str(van))
    add_policy(page, "cargo", "CG-5524", start, end, van_label=str(van))
    assert InsurancePolicy.objects.filter(partner=partner).count() == 4

    page.goto("/fleet/")
    assert page.get_by_text("Every van in service and every active driver is legal to go out today.").is_visible()
    assert page.locator("#compliance-problems").count() == 0
    assert page.locator("#assignable-vans").inner_text() == "1"
    screenshot(page, "embedded-fleet-02-compliant")
