"""The hub owner's phone page offline, the same way as the driver's: taps kept on the phone through a reload,
saved exactly once when the network returns."""

import pytest
from playwright.sync_api import expect

from hubs.models import Parcel, ParcelEvent
from tests.conftest import login
from tests.hubs.factories import HubFactory, ParcelFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def waiting(page):
    return page.locator("[data-offline-status]").get_attribute("data-waiting")


def test_the_hub_page_works_offline_and_saves_each_outcome_once(phone_page, screenshot, tmp_path):
    from tests.routes.driver_steps import photo_file, wait_all_saved, wait_offline_ready

    page = phone_page
    hub = HubFactory()
    parcels = [ParcelFactory(hub=hub, service_date=hub.local_today(), status="received") for _ in range(4)]
    login(page, hub.owner.email)
    page.goto("/hubs/today/")
    wait_offline_ready(page)
    page.context.set_offline(True)

    page.fill("#scan", parcels[0].tracking_id)
    page.press("#scan", "Enter")
    page.fill("#recipient", "Front desk")
    page.set_input_files("#photo", photo_file(tmp_path))
    page.click("#btn-delivered")
    page.fill("#scan", parcels[1].tracking_id)
    page.press("#scan", "Enter")
    page.click("[data-reason='nobody_home']")
    page.wait_for_function("() => document.querySelector('[data-offline-status]').dataset.waiting === '2'")

    page.reload()  # offline: the service worker's copy, the taps replayed over it
    page.wait_for_function("() => document.querySelector('[data-offline-status]').dataset.waiting === '2'")
    # the replayed taps redraw the rows asynchronously: wait for them (a busy machine lost this race once)
    expect(page.locator(f"[data-parcel='{parcels[0].pk}'] .badge")).to_have_text("Delivered", timeout=15_000)
    expect(page.locator(f"[data-parcel='{parcels[1].pk}'] .badge")).to_have_text("Attempted", timeout=15_000)
    expect(page.locator("#sync-state")).to_contain_text("offline", timeout=15_000)
    assert Parcel.objects.get(pk=parcels[0].pk).status == "received"
    screenshot(page, "hubs-phone-offline-reloaded")

    page.context.set_offline(False)
    wait_all_saved(page)
    page.wait_for_selector("#sync-state:has-text('All synced')")
    first, second = Parcel.objects.get(pk=parcels[0].pk), Parcel.objects.get(pk=parcels[1].pk)
    assert (first.status, first.delivered_to, bool(first.proof_photo)) == ("delivered", "Front desk", True)
    assert (second.status, second.attempt_reason) == ("attempted", "nobody_home")
    assert ParcelEvent.objects.filter(hub=hub).count() == 2
    page.reload()
    wait_offline_ready(page)
    wait_all_saved(page)
    assert ParcelEvent.objects.filter(hub=hub).count() == 2  # nothing sent twice
    screenshot(page, "hubs-phone-back-online")
