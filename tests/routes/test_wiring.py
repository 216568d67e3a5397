import pytest

from accounts.models import Role
from onboarding.checklist import partner_checklist

pytestmark = pytest.mark.django_db


def test_the_first_published_route_ticks_the_onboarding_checklist(published):
    items = {i.key: i for i in partner_checklist(partner=published["partner"])}
    assert items["first_route"].done and items["first_route"].automatic
    day = published["plan"].service_date
    assert items["first_route"].detail == f"{day:%b %-d, %Y}"  # the route's day shows, as a typed-in one would


def test_the_console_shows_the_route_planning_panel(client, make_user, published):
    client.force_login(make_user(role=Role.PROGRAM_ADMIN))
    html = client.get("/console/").content.decode()
    assert "Route planning" in html and "Failed planning runs" in html


def test_admins_create_stations_through_the_api(token_client, make_user):
    client = token_client(make_user(role=Role.INTEGRATOR))
    body = {"code": "pdx1", "name": "Portland", "latitude": "45.5", "longitude": "-122.6",
            "time_zone": "America/Los_Angeles", "dispatch_start": "07:30"}
    created = client.post("/api/v1/routes/stations/", body, format="json", HTTP_IDEMPOTENCY_KEY="st-1")
    assert created.status_code == 201 and created.json()["dispatch_start"] == "07:30"
    assert client.post("/api/v1/routes/stations/", {**body, "time_zone": "Mars/Base"},
                       format="json").status_code == 400
