"""The vans' health on the embedded default (SQLite, in-process tasks): a driver inspects on the phone and finds
a high-severity defect (the van is grounded and its route gets the spare van), the owner moves the work order to
done through the pages and the van is back on the road."""

import pytest

from fleet.models import Inspection, Vehicle, WorkOrder
from tests.conftest import login
from tests.fleet.upkeep_helpers import insured_fleet, route_today

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_a_grounding_inspection_on_the_phone_and_its_repair_on_the_pages(browser, live_server, phone_page,
                                                                         screenshot):
    partner, owner, (van, spare), driver = insured_fleet()
    route = route_today(partner=partner, vehicle=van, driver=driver)

    login(phone_page, driver.user.email)
    phone_page.goto("/routes/today/")
    phone_page.locator("#pretrip a").click()
    phone_page.wait_for_selector("#inspection-form")
    card = phone_page.locator(".check-item[data-item=tyres]")
    card.locator("label", has_text="High").click()
    card.locator("input[type=text]").fill("Sidewall bulge, front right")
    phone_page.click("#inspection-submit")
    phone_page.wait_for_selector("#sent-list li[data-result=failed]")
    screenshot(phone_page, "embedded-upkeep-01-phone-grounded")
    van.refresh_from_db()
    route.refresh_from_db()
    assert van.status == Vehicle.Status.GROUNDED and Inspection.objects.get().result == "failed"
    assert route.vehicle_id == spare.pk

    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    login(page, owner.email)
    work_order = WorkOrder.objects.get(vehicle=van)
    page.goto(f"/fleet/work-orders/{work_order.pk}/")
    page.fill("#id_cost", "189.00")
    page.fill("#id_parts", "1 × LT245/75R16")
    page.get_by_role("button", name="Save").click()
    page.wait_for_selector("text=saved")
    page.select_option("select[name=to]", "done")
    page.get_by_role("button", name="Change status").click()
    page.wait_for_selector("#wo-status:has-text('Done')")
    screenshot(page, "embedded-upkeep-02-work-order-done")
    context.close()

    van.refresh_from_db()
    work_order.refresh_from_db()
    assert van.status == Vehicle.Status.ACTIVE and str(work_order.cost) == "189.00"
