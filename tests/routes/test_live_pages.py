"""The live board's pages: what a dispatcher and an admin see, the forms' sentences, and no other partner's routes."""

import time

import pytest
from django.urls import reverse
from freezegun import freeze_time

from routes.models import RouteStop
from routes.services.live import positions_record
from tests.routes.factories import partner_with_fleet
from tests.routes.live_day import live_day, local

pytestmark = pytest.mark.django_db
NOW = "2026-12-01 17:50:00"  # 09:50 in Seattle


@pytest.fixture(autouse=True)
def _throttle_clock(monkeypatch):
    from rest_framework.throttling import SimpleRateThrottle

    monkeypatch.setattr(SimpleRateThrottle, "timer", staticmethod(lambda: time.time()))


@pytest.fixture
def world():
    return live_day()


@freeze_time(NOW, tick=True)  # ticking: the solver stops on a clock
def test_the_dispatcher_sees_its_routes_live_and_another_partner_sees_none_of_them(world, client, admin_user):
    positions_record(route=world.routes[0], points=[{"at": local(9, 48).isoformat(), "lat": 47.55, "lng": -122.3}])
    client.force_login(world.owner)
    page = client.get(reverse("routes:board")).content.decode()
    assert all(r.code in page for r in world.routes) and "2 min ago" in page and 'class="driver"' in page
    fragment = client.get(reverse("routes:board_live")).content.decode()
    assert "<html" not in fragment and world.routes[0].code in fragment
    api = client.get("/api/v1/routes/board/").json()
    assert [r["code"] for r in api["routes"]] == [r.code for r in world.routes]
    assert api["routes"][0]["position"]["age_min"] == 2
    # another partner at the same station: its own (empty) board, none of these routes, their pages 404
    _other, stranger, *_ = partner_with_fleet(station=world.station, routes=1, vans=1, drivers=1)
    client.force_login(stranger)
    page = client.get(reverse("routes:board")).content.decode()
    assert not any(r.code in page for r in world.routes)
    assert client.get("/api/v1/routes/board/").json()["routes"] == []
    assert client.get(reverse("routes:route_live", args=[world.routes[0].pk])).status_code == 404
    # the program admin sees every route at any station
    client.force_login(admin_user)
    page = client.get(reverse("routes:board"), {"station": world.station.code}).content.decode()
    assert all(r.code in page for r in world.routes)


@freeze_time(NOW, tick=True)  # ticking: the solver stops on a clock
def test_the_rescue_and_callout_forms_answer_in_sentences(world, client):
    giver, taker = world.routes
    client.force_login(world.owner)
    page = client.get(reverse("routes:route_live", args=[giver.pk])).content.decode()
    assert world.spare_driver.full_name in page and taker.code in page
    url = reverse("routes:route_rescue", args=[giver.pk])
    nothing = client.post(url, {"to_route": taker.pk}, follow=True).content.decode()
    assert "Choose at least one remaining stop to move." in nothing
    stray = client.post(url, {"to_route": "987654", "stops": [giver.stops.last().pk]}, follow=True)
    assert "Choose one of your routes today." in stray.content.decode()
    moved = client.post(url, {"to_route": taker.pk, "stops": [giver.stops.order_by("sequence").last().pk]},
                        follow=True).content.decode()
    assert f"Stops moved to {taker.code}" in moved
    assert RouteStop.objects.filter(route=taker).count() == 6
    callout = reverse("routes:route_callout", args=[giver.pk])
    refused = client.post(callout, {"driver": world.drivers[1].pk}, follow=True).content.decode()
    assert "already drives another route that day" in refused
    done = client.post(callout, {"driver": world.spare_driver.pk}, follow=True).content.decode()
    assert f"now goes to {world.spare_driver.full_name}" in done
