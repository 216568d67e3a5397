import uuid

import pytest

from accounts.models import Role
from core.models import OutboxEvent
from hubs.models import Parcel
from routes.models import Package, PlanStatus, RouteStop, StopStatus
from tests.onboarding.factories import partner_with_owner

pytestmark = pytest.mark.django_db


def _rows(n, prefix="API"):
    return [{"tracking_id": f"{prefix}{k}", "address_line1": f"{k} Pike St", "latitude": "47.60",
             "longitude": f"{-122.33 + k * 0.001:.4f}"} for k in range(n)]


def test_an_integrator_imports_plans_and_publishes_through_the_api(token_client, make_user, station, fleet, day,
                                                                   settings):
    settings.ROUTES_SOLVER_SECONDS = 0.5
    client = token_client(make_user(role=Role.INTEGRATOR))
    url = f"/api/v1/routes/stations/{station.code}/manifests/"
    body = {"service_date": day.isoformat(), "rows": _rows(12)}
    first = client.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="m-1")
    assert first.status_code == 202 and first.json()["result"]["created"] == 12
    again = client.post(url, {**body, "rows": _rows(13)}, format="json")
    assert {k: again.json()["result"][k] for k in ("created", "duplicates", "packages")} == {
        "created": 1, "duplicates": 12, "packages": 13}
    bad = client.post(url, {"service_date": day.isoformat(), "rows": [{"tracking_id": "X", "latitude": "x",
                                                                      "longitude": "1"}]}, format="json")
    assert bad.status_code == 202 and bad.json()["status"] == "failed"
    assert bad.json()["result"]["code"] == "manifest_invalid"
    assert Package.objects.count() == 13
    started = client.post(f"/api/v1/routes/stations/{station.code}/plans/", {"service_date": day.isoformat()},
                          format="json")
    assert started.status_code == 202
    job = client.get(started.json()["url"]).json()
    assert job["status"] == "done" and job["progress"]["phase"] == "saving"
    plan = client.get(f"/api/v1/routes/plans/{job['plan']}/").json()
    assert plan["status"] == PlanStatus.READY and plan["routes"]
    refused = client.post(f"/api/v1/routes/plans/{plan['id']}/publish/", {}, format="json")
    assert refused.status_code == 409 and refused.json()["code"] == "routes_unassigned"
    assert plan["routes"][0]["id"] and "-01" in refused.json()["detail"]
    published = client.post(f"/api/v1/routes/plans/{plan['id']}/publish/",
                            {"allow_unassigned": True, "reason": "drivers assigned at the station"}, format="json")
    assert published.json()["status"] == PlanStatus.PUBLISHED
    assert OutboxEvent.objects.filter(type="route.published").count() == 1


def test_partners_see_only_their_routes_and_anothers_is_404(token_client, published, day):
    mine = token_client(published["owner"])
    listed = mine.get("/api/v1/routes/routes/", {"date": day.isoformat()}).json()["results"]
    assert {r["id"] for r in listed} == set(published["plan"].routes.values_list("pk", flat=True))
    _other, stranger = partner_with_owner()
    theirs = token_client(stranger)
    route = published["route"]
    assert theirs.get(f"/api/v1/routes/routes/{route.pk}/").status_code == 404
    assert theirs.post(f"/api/v1/routes/routes/{route.pk}/assignment/", {"driver": None, "vehicle": None},
                       format="json").status_code == 404
    assert theirs.get("/api/v1/routes/routes/", {"date": day.isoformat()}).json()["results"] == []


def test_a_driver_resending_an_outcome_changes_nothing(token_client, published):
    client = token_client(published["driver_user"])
    stop = published["route"].stops.order_by("sequence").first()
    body = {"client_id": str(uuid.uuid4()), "outcome": "attempted", "reason": "nobody_home"}
    url = f"/api/v1/routes/stops/{stop.pk}/outcome/"
    assert client.post(url, body, format="json").status_code == 200
    assert client.post(url, body, format="json").status_code == 200
    stop = RouteStop.objects.get(pk=stop.pk)
    assert stop.status == StopStatus.ATTEMPTED and stop.attempt_reason == "nobody_home"
    other = client.post(url, {**body, "client_id": str(uuid.uuid4()), "outcome": "delivered"}, format="json")
    assert other.status_code == 409


def test_a_driver_and_a_hub_give_the_same_attempt_reasons(token_client, published):
    assert RouteStop._meta.get_field("attempt_reason").choices == Parcel._meta.get_field("attempt_reason").choices
    client = token_client(published["driver_user"])
    stop = published["route"].stops.order_by("sequence").first()
    body = {"client_id": str(uuid.uuid4()), "outcome": "attempted", "reason": "address_not_found"}
    assert client.post(f"/api/v1/routes/stops/{stop.pk}/outcome/", body, format="json").status_code == 200
    assert RouteStop.objects.get(pk=stop.pk).attempt_reason == "address_not_found"


@pytest.mark.parametrize("bad", ["2026-02-30", "x", "-1", "9999-99-99"])
def test_the_routes_list_with_an_impossible_date_is_a_400_on_the_field(token_client, published, bad):
    response = token_client(published["owner"]).get("/api/v1/routes/routes/", {"date": bad})

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_date" and "date" in response.json()["fields"]


def test_a_stations_plans_come_newest_day_first_a_page_at_a_time(token_client, make_user, station, day):
    from datetime import timedelta

    from routes.models import Plan

    days = [day - timedelta(days=k) for k in range(3)]
    for d in days:
        Plan.objects.create(station=station, service_date=d, status=PlanStatus.PUBLISHED)
    client = token_client(make_user(role=Role.INTEGRATOR))

    first = client.get(f"/api/v1/routes/stations/{station.code}/plans/", {"page_size": 2}).json()
    second = client.get(first["next"]).json()

    assert [p["service_date"] for p in first["results"] + second["results"]] == [d.isoformat() for d in days]
    assert second["next"] is None
