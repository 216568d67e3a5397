import io
import uuid
from datetime import date
from decimal import Decimal

import pytest
from PIL import Image

from hubs.models import Hub, Parcel, ParcelEvent
from tests.hubs.factories import HubFactory, ParcelFactory

pytestmark = pytest.mark.django_db

DAY = date(2026, 3, 10)

AUSTIN = {"city": "Austin", "state": "TX", "latitude": "30.2672", "longitude": "-97.7431",
          "time_zone": "America/Chicago"}


def batch(*parcels, outcome="delivered"):
    return {"items": [{"client_id": str(uuid.uuid4()), "tracking_id": p.tracking_id, "outcome": outcome,
                       "service_date": str(p.service_date), "recipient_name": "Front desk"} for p in parcels]}


def test_a_parcel_from_another_hub_is_404(token_client, hub):
    mine = ParcelFactory(hub=hub, service_date=DAY, status="received")
    theirs = ParcelFactory(hub=HubFactory(), service_date=DAY, status="received")
    client = token_client(hub.owner)
    assert client.get(f"/api/v1/hubs/parcels/{mine.pk}/").status_code == 200
    response = client.get(f"/api/v1/hubs/parcels/{theirs.pk}/")
    assert (response.status_code, response.json()["code"]) == (404, "not_found")
    response = client.post(f"/api/v1/hubs/parcels/{theirs.pk}/outcome/",
                           {"client_id": str(uuid.uuid4()), "outcome": "delivered", "recipient_name": "X"},
                           format="json")
    assert response.status_code == 404
    listed = client.get("/api/v1/hubs/parcels/", {"date": str(DAY)}).json()["results"]
    assert [p["tracking_id"] for p in listed] == [mine.tracking_id]
    # in a batch, another hub's tracking id is simply not found
    result = client.post("/api/v1/hubs/outcomes/batch/", batch(theirs), format="json").json()["results"][0]
    assert (result["result"], result["code"]) == ("rejected", "not_found")
    theirs.refresh_from_db()
    assert theirs.status == "received"


def test_the_same_batch_posted_twice_changes_nothing(token_client, hub):
    parcels = [ParcelFactory(hub=hub, service_date=DAY, status="received") for _ in range(3)]
    client = token_client(hub.owner)
    body = batch(*parcels)
    first = client.post("/api/v1/hubs/outcomes/batch/", body, format="json")
    again = client.post("/api/v1/hubs/outcomes/batch/", body, format="json")  # no Idempotency-Key: item ids
    assert [r["result"] for r in first.json()["results"]] == ["applied"] * 3
    assert [r["result"] for r in again.json()["results"]] == ["duplicate"] * 3
    assert ParcelEvent.objects.count() == 3
    keyed = client.post("/api/v1/hubs/outcomes/batch/", body, format="json", HTTP_IDEMPOTENCY_KEY="k1")
    replay = client.post("/api/v1/hubs/outcomes/batch/", body, format="json", HTTP_IDEMPOTENCY_KEY="k1")
    assert replay["Idempotent-Replayed"] == "true"
    assert replay.json() == keyed.json()


def test_bad_batch_input_is_a_400_with_fields(token_client, hub):
    response = token_client(hub.owner).post("/api/v1/hubs/outcomes/batch/",
                                            {"items": [{"client_id": "nope", "outcome": "teleported"}]},
                                            format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "validation_failed"


def test_single_outcome_with_a_proof_photo_is_served_only_to_the_owner_and_admins(
        token_client, client, hub, admin_user, make_user):
    parcel = ParcelFactory(hub=hub, service_date=DAY, status="received")
    image = io.BytesIO()
    Image.new("RGB", (20, 20), "red").save(image, "JPEG")
    image.seek(0)
    image.name = "door.jpg"
    response = token_client(hub.owner).post(
        f"/api/v1/hubs/parcels/{parcel.pk}/outcome/",
        {"client_id": str(uuid.uuid4()), "outcome": "delivered", "recipient_name": "Neighbour", "photo": image},
        format="multipart")
    assert response.status_code == 200, response.content
    parcel.refresh_from_db()
    assert parcel.proof_photo
    url = f"/hubs/parcels/{parcel.pk}/photo/"
    client.force_login(hub.owner)
    assert client.get(url).status_code == 200
    client.force_login(admin_user)
    assert client.get(url).status_code == 200
    client.force_login(HubFactory().owner)
    assert client.get(url).status_code == 404


def test_a_text_file_is_not_a_photo(token_client, hub):
    parcel = ParcelFactory(hub=hub, service_date=DAY, status="received")
    fake = io.BytesIO(b"not an image at all")
    fake.name = "x.jpg"
    response = token_client(hub.owner).post(
        f"/api/v1/hubs/parcels/{parcel.pk}/outcome/",
        {"client_id": str(uuid.uuid4()), "outcome": "delivered", "recipient_name": "N", "photo": fake},
        format="multipart")
    assert (response.status_code, response.json()["code"]) == (400, "file_type_not_allowed")


def test_enrollment_and_admin_decision_over_the_api(token_client, user, admin_user):
    body = {"legal_name": "Bean There LLC", "kind": "coffee_shop", "street": "1 Main St", "city": "Boston",
            "state": "MA", "postal_code": "02108", "latitude": "42.3588", "longitude": "-71.0578",
            "time_zone": "America/New_York", "opening_hours": {"mon": "09:00-17:00"}, "storage_attested": True,
            "storage_size": 30,
            "delivery_means": ["bike"], "staff_count": 2, "terms_accepted": True}
    response = token_client(user).post("/api/v1/hubs/enrollment/", body, format="json", HTTP_IDEMPOTENCY_KEY="e1")
    assert response.status_code == 201, response.content
    hub_id = response.json()["id"]
    admin = token_client(admin_user)
    listed = admin.get("/api/v1/hubs/admin/hubs/", {"status": "applied"}).json()["results"]
    assert [h["id"] for h in listed] == [hub_id]
    response = admin.post(f"/api/v1/hubs/admin/hubs/{hub_id}/decide/", {"decision": "approved"}, format="json")
    assert response.json()["status"] == "approved"
    outside = {**body, **AUSTIN}
    response = token_client(user).post("/api/v1/hubs/enrollment/", outside, format="json")
    assert (response.status_code, response.json()["code"]) == (400, "outside_program_area")


def test_allocation_endpoint_needs_the_allocate_permission(token_client, hub, admin_user):
    body = {"hub": hub.pk, "service_date": str(DAY),
            "parcels": [{"tracking_id": "TBA1", "recipient_name": "A", "recipient_address": "1 Pine St"}]}
    assert token_client(hub.owner).post("/api/v1/hubs/allocations/", body, format="json").status_code == 403
    response = token_client(admin_user).post("/api/v1/hubs/allocations/", body, format="json")
    assert response.status_code == 201
    assert Parcel.objects.filter(hub=hub).count() == 1
    Hub.objects.filter(pk=hub.pk).update(status="paused")
    body["parcels"][0]["tracking_id"] = "TBA2"
    response = token_client(admin_user).post("/api/v1/hubs/allocations/", body, format="json")
    assert (response.status_code, response.json()["code"]) == (409, "hub_not_active")
    coverage = token_client(admin_user).get("/api/v1/hubs/coverage/",
                                            {"latitude": "47.61", "longitude": "-122.34", "date": str(DAY)})
    assert coverage.json()["results"] == []


@pytest.mark.parametrize("bad", ["2026-02-30", "x", "-1", "9999-99-99", "10000-01-01"])
def test_an_impossible_date_on_the_parcels_and_coverage_apis_is_a_400_on_the_field(
        token_client, hub, admin_user, bad):
    parcels = token_client(hub.owner).get("/api/v1/hubs/parcels/", {"date": bad})
    coverage = token_client(admin_user).get("/api/v1/hubs/coverage/",
                                            {"latitude": "47.6", "longitude": "-122.3", "date": bad})

    for response in (parcels, coverage):
        assert response.status_code == 400
        assert response.json()["code"] == "invalid_date"
        assert "2026-03-15" in response.json()["fields"]["date"][0]



def test_coverage_comes_nearest_first_in_numbered_pages(token_client, admin_user):
    far, near, middle = (HubFactory(latitude=lat) for lat in (Decimal("47.6300"), Decimal("47.6100"),
                                                              Decimal("47.6200")))
    api = token_client(admin_user)

    first = api.get("/api/v1/hubs/coverage/", {"latitude": "47.61", "longitude": "-122.3422", "date": str(DAY),
                                               "page_size": 2}).json()
    second = api.get(first["next"]).json()

    assert [row["hub"] for row in first["results"]] == [near.pk, middle.pk]
    assert [row["hub"] for row in second["results"]] == [far.pk]
    assert (first["count"], second["next"]) == (3, None)


def test_a_batchs_events_reach_the_webhooks_after_commit(token_client, hub, django_capture_on_commit_callbacks):
    """Hub outcomes' events are dispatched once the batch commits (the tasks run in process here), not left to
    the minute's sweep."""
    from core.models import OutboxEvent

    parcels = [ParcelFactory(hub=hub, service_date=DAY, status="received") for _ in range(3)]
    with django_capture_on_commit_callbacks(execute=True):
        response = token_client(hub.owner).post("/api/v1/hubs/outcomes/batch/", batch(*parcels), format="json")
    assert [r["result"] for r in response.json()["results"]] == ["applied"] * 3
    events = OutboxEvent.objects.filter(type="parcel.delivered")
    assert events.count() == 3
    assert not events.filter(dispatched_at__isnull=True).exists()
