"""The driver's phone in Chromium at 390x844: offline taps kept and saved once, undo, scans, proof rules, returns."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from core.models import OfflineReceipt, OutboxEvent
from routes.models import (
    Package,
    PackageScan,
    PackageStatus,
    RouteStatus,
    RouteStop,
    ScanResult,
    StopEvent,
    StopProof,
    StopStatus,
)
from tests.conftest import login
from tests.routes import driver_steps as steps

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def day(station):
    return timezone.now().astimezone(station.tz).date()  # the driver's page shows today's route at the station


def open_route(page, user):
    login(page, user.email)
    page.goto("/routes/today/")
    steps.wait_offline_ready(page)


def test_offline_taps_survive_a_reload_and_are_saved_exactly_once_back_online(phone_page, published, screenshot,
                                                                               tmp_path):
    page, route = phone_page, published["route"]
    first = route.stops.order_by("sequence").first()
    Package.objects.filter(stop=first).update(signature_required=True)
    open_route(page, published["driver_user"])
    total = route.stops.count()
    assert page.evaluate("document.body.scrollHeight") < 2000  # one stop at a time, the list folded
    screenshot(page, "driver-next-stop")

    page.context.set_offline(True)
    delivered = steps.deliver(page, tmp_path=tmp_path, photo=True)  # a photo and the signature its rule wants
    attempted = steps.attempt(page, "access_problem")
    assert delivered["id"] == first.pk and delivered["needs"]["signature"]
    page.wait_for_function("() => document.querySelector('[data-offline-status]').dataset.waiting === '2'")
    assert "offline" in page.locator("[data-offline-badge]").inner_text()
    screenshot(page, "driver-offline-two-waiting")

    page.reload()  # no network: the service worker's copy, with the taps replayed over it
    page.wait_for_selector("#phase-stop:not([hidden])")
    page.wait_for_function("() => document.querySelector('[data-offline-status]').dataset.waiting === '2'")
    # the replayed taps redraw the page asynchronously: wait for them rather than read before they land
    expect(page.locator("#progress")).to_have_text(f"2/{total}", timeout=15_000)
    expect(page.locator(f"#stop-{first.pk}")).to_have_attribute("data-status", "delivered", timeout=15_000)
    assert RouteStop.objects.get(pk=first.pk).status == StopStatus.PENDING  # nothing reached the server yet
    screenshot(page, "driver-offline-reloaded")

    page.context.set_offline(False)
    steps.wait_all_saved(page)
    saved = {s.pk: s for s in RouteStop.objects.filter(pk__in=[delivered["id"], attempted["id"]])}
    assert saved[delivered["id"]].status == StopStatus.DELIVERED
    assert (saved[attempted["id"]].status, saved[attempted["id"]].attempt_reason) == ("attempted", "access_problem")
    assert sorted(StopProof.objects.filter(stop_id=delivered["id"]).values_list("kind", flat=True)) == [
        "photo", "signature"]
    assert StopEvent.objects.filter(stop__route=route).count() == 2
    assert OutboxEvent.objects.filter(type__in=["stop.delivered", "stop.attempted"]).count() == 2

    receipts = OfflineReceipt.objects.count()
    page.reload()  # online again: nothing is sent twice
    steps.wait_offline_ready(page)
    steps.wait_all_saved(page)
    expect(page.locator("#progress")).to_have_text(f"2/{total}", timeout=15_000)
    assert OfflineReceipt.objects.count() == receipts
    assert StopEvent.objects.filter(stop__route=route).count() == 2
    screenshot(page, "driver-back-online")


def test_the_driver_undoes_the_last_tap(phone_page, published, screenshot):
    page = phone_page
    open_route(page, published["driver_user"])
    stop = steps.deliver(page)
    steps.wait_all_saved(page)
    assert RouteStop.objects.get(pk=stop["id"]).status == StopStatus.DELIVERED
    assert page.locator("#undo-bar").is_visible()
    screenshot(page, "driver-undo-offered")
    page.click("#btn-undo")
    page.wait_for_selector(f"#next-stop[data-stop='{stop['id']}']")
    steps.wait_all_saved(page)
    row = RouteStop.objects.get(pk=stop["id"])
    assert row.status == StopStatus.PENDING
    assert list(row.events.values_list("to_status", flat=True)) == ["delivered", "pending"]
    assert page.locator("#progress").inner_text().startswith("0/")


def test_a_scan_of_a_package_not_on_the_route_says_so(phone_page, published_ready, screenshot):
    page, route = phone_page, published_ready["route"]
    stranger = Package.objects.exclude(stop__route=route).exclude(stop=None).first()
    mine = Package.objects.filter(stop__route=route).first()
    open_route(page, published_ready["driver_user"])
    page.wait_for_selector("#phase-load:not([hidden])")
    steps.scan(page, mine.tracking_id.lower())
    assert page.locator("#scan-msg").inner_text() == f"{mine.tracking_id} loaded."
    steps.scan(page, stranger.tracking_id)
    assert page.locator("#scan-msg").inner_text() == f"{stranger.tracking_id} is not on this route."
    assert page.locator("#scan-msg").get_attribute("data-bad") == "1"
    assert page.locator("#load-count").inner_text().startswith("1/")
    screenshot(page, "driver-scan-not-on-route")
    steps.wait_all_saved(page)
    assert PackageScan.objects.get(code=stranger.tracking_id).result == ScanResult.NOT_ON_ROUTE
    assert PackageScan.objects.get(code=mine.tracking_id).result == ScanResult.OK


def test_a_proof_rule_refuses_to_complete_the_stop(phone_page, published, screenshot):
    page, route = phone_page, published["route"]
    first = route.stops.order_by("sequence").first()
    Package.objects.filter(stop=first).update(signature_required=True)
    open_route(page, published["driver_user"])
    steps.scan_stop(page, steps.current_stop(page))
    page.click("#btn-delivered")  # nobody signed
    assert page.locator("#ns-error").is_visible()
    assert "The recipient must sign." in page.locator("#ns-error").inner_text()
    screenshot(page, "driver-proof-refused")
    assert page.locator("#next-stop").get_attribute("data-stop") == str(first.pk)
    assert steps.waiting(page) == 0
    assert RouteStop.objects.get(pk=first.pk).status == StopStatus.PENDING


def test_the_returns_flow_ends_the_day_at_the_station(phone_page, published, screenshot):
    page, route = phone_page, published["route"]
    last = route.stops.filter(kind="address").order_by("-sequence").first()
    others = route.stops.exclude(pk=last.pk)
    others.update(status=StopStatus.DELIVERED, outcome_at=timezone.now())
    Package.objects.filter(stop__in=others).update(status=PackageStatus.DELIVERED)
    back = list(Package.objects.filter(stop=last).values_list("tracking_id", flat=True))
    open_route(page, published["driver_user"])
    steps.attempt(page, "address_not_found")
    page.wait_for_selector("#phase-return:not([hidden])")
    page.click("#btn-complete")  # not yet: the package is still in the van
    assert "Scan the packages you bring back first" in page.locator("#scan-msg").inner_text()
    for code in back:
        steps.scan(page, code)
    # the page marks a package returned once its scan is handled (asynchronously): wait for it, then look
    page.wait_for_selector(f"[data-return='{back[0]}'][data-returned='1']", timeout=10_000)
    assert page.locator(f"[data-return='{back[0]}']").get_attribute("data-returned") == "1"
    screenshot(page, "driver-returns")
    page.click("#btn-complete")
    page.wait_for_selector("#phase-done:not([hidden])")
    steps.wait_all_saved(page)
    route.refresh_from_db()
    assert route.status == RouteStatus.COMPLETED
    assert set(Package.objects.filter(stop=last).values_list("status", flat=True)) == {PackageStatus.RETURNED}
    again = Package.objects.filter(tracking_id__in=back, service_date__gt=route.service_date)
    assert again.count() == len(back) and {p.status for p in again} == {PackageStatus.PENDING}
    screenshot(page, "driver-route-completed")


def test_a_tap_the_server_refuses_shows_what_failed_and_why_and_the_stop_is_to_do_again(phone_page, published,
                                                                                        screenshot):
    page, route = phone_page, published["route"]
    first = route.stops.order_by("sequence").first()
    Package.objects.filter(stop=first).update(delivery_pin="4821")
    open_route(page, published["driver_user"])
    steps.deliver(page, pin="1111")  # the phone cannot know the PIN: the server checks it
    page.wait_for_function("() => document.querySelector('[data-offline-status]').dataset.failed === '1'")
    failed = page.locator("[data-offline-failed]").inner_text()
    assert f"Stop {first.sequence}" in failed and "The PIN does not match" in failed
    page.wait_for_selector(f"#next-stop[data-stop='{first.pk}']")
    assert page.locator("[data-offline-badge]").inner_text() == "1 failed"
    screenshot(page, "driver-failed-pin")
    assert RouteStop.objects.get(pk=first.pk).status == StopStatus.PENDING
    steps.deliver(page, pin="4821")
    steps.wait_all_saved(page)
    assert RouteStop.objects.get(pk=first.pk).status == StopStatus.DELIVERED
