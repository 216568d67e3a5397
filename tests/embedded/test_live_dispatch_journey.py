"""Live dispatch on the embedded default (SQLite, in-process tasks): the driver's phone sends its position while
the route runs; the owner watches the live board, sees the pace and moves two stops to the other driver (a
rescue); a recipient follows the package on the tracking page, hears about it by text and e-mail, and rates the
delivery."""

from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from routes import sms
from routes.models import Package, RecipientFeedback, RecipientNotification, RoutePosition, RouteStop
from routes.services import route_start, stop_outcome_record
from routes.services.recipients import tracking_token
from tests.conftest import login
from tests.embedded.conftest import eventually
from tests.routes.live_day import live_day

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_live_board_rescue_and_tracking(page, phone_page, screenshot):
    sms.outbox.clear()
    local = timezone.now().astimezone(ZoneInfo("America/Los_Angeles"))
    world = live_day(day=local.date(), start_hour=max(0, local.hour - 1))
    giver, taker = world.routes
    route_start(route=giver, by=world.driver_users[0])
    route_start(route=taker, by=world.driver_users[1])
    assert RecipientNotification.objects.filter(trigger="route_started").count() == 20  # 10 packages, 2 channels

    # The first driver's phone reports where it is while the route runs (the Geolocation API, faked here).
    phone_page.context.grant_permissions(["geolocation"])
    phone_page.context.set_geolocation({"latitude": 47.552, "longitude": -122.328, "accuracy": 10})
    login(phone_page, world.driver_users[0].email)
    phone_page.goto("/routes/today/")
    assert eventually(lambda: RoutePosition.objects.filter(route=giver).exists(), timeout=30)
    screenshot(phone_page, "embedded-live-00-driver-pinging")

    # The owner's live board: both routes, the first with a fresh position, the second's phone silent.
    login(page, world.owner.email)
    page.goto("/routes/live/")
    page.wait_for_selector("#board-table")
    assert page.locator(f"#board-route-{giver.pk}").is_visible() and page.locator(f"#board-route-{taker.pk}")
    assert "no position from the phone" in page.locator(f"#board-route-{taker.pk} .alerts").inner_text()
    assert page.locator(".live-map .driver").count() == 1
    screenshot(page, "embedded-live-01-board")

    # A rescue: the last two stops of the first route go to the second driver.
    page.click(f"#board-route-{giver.pk} a")
    moving = list(giver.stops.order_by("-sequence").values_list("pk", flat=True)[:2])
    for pk in moving:
        page.check(f"input[name=stops][value='{pk}']")
    page.select_option("select[name=to_route]", str(taker.pk))
    page.click("#rescue-submit")
    page.wait_for_selector("text=Stops moved to")
    screenshot(page, "embedded-live-02-rescued")
    assert set(RouteStop.objects.filter(pk__in=moving).values_list("route_id", flat=True)) == {taker.pk}

    # A recipient on the second route follows the package, then it is delivered and rated.
    package = Package.objects.get(stop_id=moving[0])
    recipient = phone_page.context.browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True,
                                                       base_url=page.url.split("/routes/")[0])
    track = recipient.new_page()
    track.goto(f"/t/{tracking_token(package.pk)}/")
    assert package.tracking_id in track.locator("#tracking-id").inner_text()
    assert "stops away" in track.locator("#stops-away").inner_text()
    screenshot(track, "embedded-live-03-tracking")
    stop_outcome_record(stop=RouteStop.objects.get(pk=moving[0]), outcome="delivered", by=world.driver_users[1])
    assert any(package.recipient_phone == m["to"] and "delivered" in m["body"] for m in sms.outbox)
    track.reload()
    track.get_by_role("button", name="4 stars").click()
    track.wait_for_selector("text=Thank you")
    screenshot(track, "embedded-live-04-rated")
    assert RecipientFeedback.objects.get(package=package).rating == 4
    recipient.close()
