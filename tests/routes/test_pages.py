import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from freezegun import freeze_time

from accounts.models import Role
from routes.models import ManifestUpload, Package, StopStatus
from tests.onboarding.factories import partner_with_owner

pytestmark = pytest.mark.django_db

CSV_HEAD = "tracking_id,recipient_name,address_line1,city,state,postal_code,latitude,longitude,size,weight_kg,window_start,window_end,signature_required\n"  # noqa: E501


def test_the_plan_page_draws_one_svg_path_per_route(client, make_user, published, day, station):
    client.force_login(make_user(role=Role.PROGRAM_ADMIN))
    response = client.get(reverse("routes:plan_detail", args=[station.code]), {"date": day.isoformat()})
    html = response.content.decode()
    assert response.status_code == 200
    svg = re.search(r"<svg class=\"route-map\".*?</svg>", html, re.S).group(0)
    assert svg.count('<path class="route"') == published["plan"].routes.count()
    assert 'class="depot"' in svg


def test_a_bad_csv_shows_row_errors_and_writes_nothing(client, make_user, station, day):
    client.force_login(make_user(role=Role.PROGRAM_ADMIN))
    body = CSV_HEAD + "T1,Ann,1 Pike St,Seattle,WA,98101,47.6,-122.3,M,1,,,no\nT2,Bo,,Seattle,WA,98101,abc,-1,Q,1,,,no\n"  # noqa: E501
    url = reverse("routes:manifest_upload", args=[station.code])
    response = client.post(url, {"service_date": day.isoformat(), "file": SimpleUploadedFile("m.csv", body.encode())})
    html = response.content.decode()
    assert 'id="manifest-errors"' in html and "address_line1" in html and "latitude" in html
    assert Package.objects.count() == 0


def test_a_good_csv_is_previewed_then_imported(client, make_user, station, day):
    client.force_login(make_user(role=Role.PROGRAM_ADMIN))
    body = CSV_HEAD + "T1,Ann,1 Pike St,Seattle,WA,98101,47.6,-122.3,M,1,,,no\nT2,Bo,1 Pike St,Seattle,WA,98101,47.6,-122.3,S,1,10:00,12:00,yes\n"  # noqa: E501
    url = reverse("routes:manifest_upload", args=[station.code])
    response = client.post(url, {"service_date": day.isoformat(), "file": SimpleUploadedFile("m.csv", body.encode())})
    start = reverse("routes:manifest_import", args=[station.code, ManifestUpload.objects.get().pk])
    assert f'action="{start}"' in response.content.decode() and 'id="manifest-import"' in response.content.decode()
    assert Package.objects.count() == 0
    page = client.post(start, follow=True).content.decode()
    assert Package.objects.filter(station=station, service_date=day).count() == 2
    assert 'id="import-result"' in page and "2 packages imported from 2 rows" in page


def test_another_partners_route_is_404_on_every_page(client, published):
    _other, stranger = partner_with_owner()
    client.force_login(stranger)
    route = published["route"]
    assert client.get(reverse("routes:route_manifest", args=[route.pk])).status_code == 404
    assert client.post(reverse("routes:route_assign", args=[route.pk]), {}).status_code == 404
    client.force_login(published["owner"])
    assert client.get(reverse("routes:route_manifest", args=[route.pk])).status_code == 200


def test_the_dispatch_page_lists_the_partners_routes(client, published, day):
    client.force_login(published["owner"])
    html = client.get(reverse("routes:dispatch"), {"date": day.isoformat()}).content.decode()
    assert published["route"].code in html and 'id="auto-assign"' in html


def test_the_driver_marks_a_stop_delivered_and_the_scorecard_counts_it(client, published, day):
    from routes.selectors import partner_scorecard

    client.force_login(published["driver_user"])
    stop = published["route"].stops.order_by("sequence").first()
    with freeze_time(f"{day.isoformat()} 17:00:00"):  # 9 am at the (Seattle) station
        html = client.get(reverse("routes:today")).content.decode()
        assert f"geo:{stop.latitude},{stop.longitude}" in html
        client.post(reverse("routes:stop_outcome", args=[stop.pk]), {"outcome": "delivered"})
    stop.refresh_from_db()
    assert stop.status == StopStatus.DELIVERED
    assert set(stop.packages.values_list("status", flat=True)) == {"delivered"}
    week = partner_scorecard(partner=published["partner"], today=day, weeks=1)[0]
    assert week["delivered"] == 1


def test_the_driver_sees_the_route_of_the_stations_local_day(client, published, day, station):
    """9 pm in Seattle is already the next day in UTC: the driver still sees tonight's route, not none."""
    from datetime import datetime, time
    from zoneinfo import ZoneInfo

    station.time_zone = "America/Los_Angeles"
    station.save(update_fields=["time_zone"])
    evening = datetime.combine(day, time(21, 0), tzinfo=ZoneInfo("America/Los_Angeles"))
    assert evening.astimezone(ZoneInfo("UTC")).date() > day
    client.force_login(published["driver_user"])
    with freeze_time(evening):
        html = client.get(reverse("routes:today")).content.decode()
    first = published["route"].stops.order_by("sequence").first()
    assert f"geo:{first.latitude},{first.longitude}" in html
    morning_in_tokyo = datetime.combine(day, time(9, 0), tzinfo=ZoneInfo("Asia/Tokyo"))  # the day before in Seattle
    with freeze_time(morning_in_tokyo):
        html = client.get(reverse("routes:today")).content.decode()
    assert f"geo:{first.latitude},{first.longitude}" not in html


def test_the_proof_photo_is_served_only_to_who_may_see_the_route(client, published, make_user, day):
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "green").save(buffer, format="JPEG")
    photo = SimpleUploadedFile("door.jpg", buffer.getvalue(), content_type="image/jpeg")
    stop = published["route"].stops.order_by("sequence").first()
    client.force_login(published["driver_user"])
    with freeze_time(f"{day.isoformat()} 17:00:00"):
        client.post(reverse("routes:stop_outcome", args=[stop.pk]), {"outcome": "delivered", "photo": photo})
    url = reverse("routes:stop_photo", args=[stop.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content)[:2] == b"\xff\xd8"  # the JPEG itself
    client.force_login(published["owner"])
    assert client.get(url).status_code == 200
    other_owner = partner_with_owner()[1]
    client.force_login(other_owner)
    assert client.get(url).status_code == 404
    client.force_login(make_user(role=Role.DRIVER))
    assert client.get(url).status_code == 404


def test_a_station_page_opens_with_its_code_typed_in_capitals(client, make_user, station):
    client.force_login(make_user(role=Role.PROGRAM_ADMIN))
    for code in (station.code.upper(), station.code.lower()):
        response = client.get(reverse("routes:plan_detail", args=[code]))
        assert response.status_code == 200
        assert response.context["station"] == station


def test_two_drivers_with_one_name_are_told_apart_on_the_dispatch_page(client, published, day):
    from tests.fleet.factories import DriverFactory

    partner = published["partner"]
    DriverFactory(partner=partner, first_name="Hana", last_name="Brown", licence_number="WDL1111AAAA")
    DriverFactory(partner=partner, first_name="Hana", last_name="Brown", licence_number="WDL2222BBBB")
    client.force_login(published["owner"])
    html = client.get(reverse("routes:dispatch"), {"date": day.isoformat()}).content.decode()
    assert "Hana Brown · licence …AAAA" in html
    assert "Hana Brown · licence …BBBB" in html


def test_dispatch_opens_on_tomorrow_at_the_partners_station_not_the_servers(client, station, fleet):
    """18:30 in Seattle on Nov 30 is 02:30 UTC on Dec 1: the dispatcher plans Dec 1, not Dec 2."""
    station.time_zone = "America/Los_Angeles"
    station.save(update_fields=["time_zone"])
    partner, owner, _vans, _drivers = fleet
    client.force_login(owner)
    with freeze_time("2026-12-01 02:30:00"):
        response = client.get(reverse("routes:dispatch"))
    assert response.context["day"].isoformat() == "2026-12-01"


def test_the_driver_page_says_the_stations_today_with_no_route(client, station, fleet, make_user):
    station.time_zone = "America/Los_Angeles"
    station.save(update_fields=["time_zone"])
    _partner, _owner, _vans, drivers = fleet
    driver_user = make_user(role=Role.DRIVER)
    drivers[0].user = driver_user
    drivers[0].save(update_fields=["user"])
    client.force_login(driver_user)
    with freeze_time("2026-12-01 02:30:00"):  # 18:30 on Nov 30 in Seattle
        response = client.get(reverse("routes:today"))
    assert response.context["today"].isoformat() == "2026-11-30"


@pytest.mark.parametrize("bad", ["2026-02-30", "x", "9999-99-99", "9999-12-31"])
def test_the_dispatch_and_station_pages_with_an_impossible_date_show_tomorrow_and_say_why(
        client, make_user, published, station, bad):
    client.force_login(published["owner"])
    dispatch = client.get(reverse("routes:dispatch"), {"date": bad})
    client.force_login(make_user(role=Role.PROGRAM_ADMIN))
    plan = client.get(reverse("routes:plan_detail", args=[station.code]), {"date": bad})

    for response in (dispatch, plan):
        assert response.status_code == 200
        assert "is not a date" in response.content.decode()


def test_building_a_plan_for_an_impossible_date_builds_nothing(client, make_user, station):
    from routes.models import Plan

    client.force_login(make_user(role=Role.PROGRAM_ADMIN))
    response = client.post(reverse("routes:plan_build", args=[station.code]), {"date": "2026-02-30"}, follow=True)

    assert response.status_code == 200 and "is not a date" in response.content.decode()
    assert not Plan.objects.exists()


def test_the_plan_page_shows_times_of_day_on_the_stations_clock(client, make_user, station):
    from datetime import UTC, date, datetime

    from routes.models import Plan, PlanEvent

    station.time_zone = "America/Los_Angeles"
    station.save(update_fields=["time_zone"])
    plan = Plan.objects.create(station=station, service_date=date(2026, 12, 1))
    PlanEvent.objects.create(plan=plan, from_status="draft", to_status="optimizing",
                             created_at=datetime(2026, 12, 1, 2, 30, tzinfo=UTC))  # 18:30 on Nov 30 in Seattle
    client.force_login(make_user(role=Role.PROGRAM_ADMIN))
    page = client.get(reverse("routes:plan_detail", args=[station.code]), {"date": "2026-12-01"}).content.decode()
    assert "Nov 30 18:30" in page and "Dec 1 02:30" not in page
