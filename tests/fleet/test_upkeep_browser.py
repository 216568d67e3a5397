"""The inspection page on a driver's phone (390x844): loaded once, it works offline; a failed inspection made
offline waits on the phone and, back online, is sent once: the van is grounded and the page says so."""

import pytest

from fleet.models import Inspection, UpkeepPhoto, Vehicle, WorkOrder
from tests.conftest import login
from tests.fleet.upkeep_helpers import insured_fleet
from tests.onboarding.conftest import PNG_BYTES


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_inspection_page_works_offline_at_phone_size_and_sends_once_back_online(phone_page, screenshot,
                                                                                       tmp_path):
    _partner, _owner, (van, spare), driver = insured_fleet()
    page = phone_page
    login(page, driver.user.email)
    page.goto(f"/fleet/inspect/?vehicle={van.pk}")
    page.wait_for_selector("html[data-offline-ready='1']")
    assert page.locator(".check-item").count() == 9
    screenshot(page, "upkeep-01-inspection-phone")

    page.context.set_offline(True)
    page.reload()  # served by the service worker: the network is gone
    page.wait_for_selector("#inspection-form")
    assert page.locator("select[name=vehicle]").input_value() == str(van.pk)
    card = page.locator(".check-item[data-item=brakes]")
    card.locator("label", has_text="High").click()
    card.locator("input[type=text]").fill("Pedal sinks to the floor")
    photo = tmp_path / "brakes.png"
    photo.write_bytes(PNG_BYTES)
    card.locator("input[type=file]").set_input_files(str(photo))
    page.fill("input[name=odometer_miles]", "18250")
    page.click("#inspection-submit")
    page.wait_for_selector("#sent-list li[data-state=waiting]")
    assert "waiting" in page.locator("[data-offline-badge]").inner_text()
    screenshot(page, "upkeep-02-inspection-offline-waiting")
    assert not Inspection.objects.exists()

    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    page.wait_for_selector("#sent-list li[data-result=failed]")
    assert "grounded" in page.locator("#sent-list li").first.inner_text()
    screenshot(page, "upkeep-03-inspection-sent-grounded")

    inspection = Inspection.objects.get()
    van.refresh_from_db()
    assert inspection.result == "failed" and inspection.odometer_miles == 18250 and inspection.driver == driver
    assert van.status == Vehicle.Status.GROUNDED and WorkOrder.objects.filter(vehicle=van).count() == 1
    assert UpkeepPhoto.objects.get().defect.item.code == "brakes"
    spare.refresh_from_db()
    assert spare.status == Vehicle.Status.ACTIVE

    page.locator("#sent-list li a").first.click()
    page.wait_for_selector("#grounded")
    screenshot(page, "upkeep-04-inspection-detail-phone")
    page.reload()  # the queue sends nothing twice
    assert Inspection.objects.count() == 1
