"""Inspections, work orders and maintenance schedules over the REST API and on the partner's pages."""

import json
import uuid

import pytest
from django.urls import reverse

from core.models import OutboxEventPartner
from core.servicedays import service_today
from fleet.models import Inspection, MaintenanceSchedule, Vehicle, WorkOrder
from fleet.upkeep.services import inspection_record, work_order_transition, work_order_update
from tests.fleet.upkeep_helpers import insured_fleet, png, route_today
from tests.onboarding.conftest import PNG_BYTES

pytestmark = pytest.mark.django_db

HIGH = [{"item": "brakes", "severity": "high", "note": "Grinding"}]


def test_a_driver_records_a_failed_inspection_with_photos_over_the_api_once_per_idempotency_key(token_client):
    _partner, _owner, (van, _spare), driver = insured_fleet()
    api = token_client(driver.user)
    body = {"vehicle": van.pk, "kind": "pre_trip", "defects": json.dumps(HIGH), "odometer_miles": 5100,
            "photos": [png("van.png")], "photo_brakes": [png("brakes.png")]}

    created = api.post("/api/v1/fleet/inspections/", body, format="multipart", HTTP_IDEMPOTENCY_KEY="insp-1")
    again = api.post("/api/v1/fleet/inspections/", {**body, "photos": [png("van.png")],
                                                    "photo_brakes": [png("brakes.png")]},
                     format="multipart", HTTP_IDEMPOTENCY_KEY="insp-1")

    assert created.status_code == 201, created.content
    data = created.json()
    assert data["result"] == "failed" and [d["item"] for d in data["defects"]] == ["brakes"]
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert Inspection.objects.count() == 1
    van.refresh_from_db()
    assert van.status == Vehicle.Status.GROUNDED
    photo = next(p for p in data["photos"] if p["defect"])
    download = api.get(photo["url"])
    assert download.status_code == 200 and b"".join(download.streaming_content) == PNG_BYTES
    listed = api.get("/api/v1/fleet/inspections/").json()
    assert [i["id"] for i in listed["results"]] == [data["id"]] and "next" in listed


def test_bad_inspections_over_the_api_get_a_sentence_and_another_partners_van_is_404(token_client):
    _partner, _owner, (van, _spare), driver = insured_fleet()
    _other, _other_owner, (theirs, _x), _d = insured_fleet()
    api = token_client(driver.user)

    unknown = api.post("/api/v1/fleet/inspections/", {"vehicle": van.pk, "defects": [
        {"item": "wings", "severity": "high"}]}, format="json")
    not_theirs = api.post("/api/v1/fleet/inspections/", {"vehicle": theirs.pk, "defects": HIGH}, format="json")
    garbled = api.post("/api/v1/fleet/inspections/", {"vehicle": van.pk, "defects": "{oops"}, format="multipart")

    assert unknown.status_code == 400 and "not on the inspection checklist" in unknown.json()["detail"]
    assert not_theirs.status_code == 404
    assert garbled.status_code == 400 and garbled.json()["fields"]["defects"]
    theirs.refresh_from_db()
    assert not Inspection.objects.exists() and theirs.status == Vehicle.Status.ACTIVE


def test_the_offline_batch_records_an_inspection_once_and_rejects_a_bad_one_with_a_sentence(token_client):
    _partner, _owner, (van, _spare), driver = insured_fleet()
    api = token_client(driver.user)
    photo = "data:image/png;base64," + __import__("base64").b64encode(PNG_BYTES).decode()
    item = {"client_id": str(uuid.uuid4()), "kind": "inspection", "vehicle": van.pk, "inspection": "pre_trip",
            "defects": HIGH, "defect_photos": {"brakes": [photo]}, "photos": [photo]}
    bad = {"client_id": str(uuid.uuid4()), "kind": "inspection", "vehicle": van.pk,
           "defects": [{"item": "brakes", "severity": "bad"}]}

    first = api.post("/api/v1/fleet/inspections/batch/", {"items": [item, bad]}, format="json").json()["results"]
    again = api.post("/api/v1/fleet/inspections/batch/", {"items": [item]}, format="json").json()["results"]

    assert [r["result"] for r in first] == ["applied", "rejected"]
    assert first[0]["status"] == "failed" and first[0]["vehicle_status"] == "grounded"
    assert "how serious" in first[1]["detail"]
    assert again[0]["result"] == "duplicate"
    assert Inspection.objects.count() == 1 and Inspection.objects.get().photos.count() == 2


def test_a_work_order_over_the_api_from_open_to_done_puts_the_van_back(token_client):
    _partner, owner, (van, _spare), driver = insured_fleet()
    inspection_record(vehicle=van, defects=HIGH, driver=driver, by=driver.user)
    work_order = WorkOrder.objects.get()
    api = token_client(owner)
    url = f"/api/v1/fleet/work-orders/{work_order.pk}/"

    patched = api.patch(url, {"cost": "1,250.50", "performer": "vendor", "vendor_name": "Midas Fleet",
                              "parts": "Pads, rotors", "scheduled_for": service_today().isoformat()}, format="json")
    refused = api.post(url + "transition/", {"to": "paid"}, format="json")
    steps = [api.post(url + "transition/", {"to": to}, format="json") for to in ("scheduled", "in_repair", "done")]
    photo = api.post(url + "photos/", {"photo": png()}, format="multipart")

    assert patched.status_code == 200 and patched.json()["cost"] == "1250.50"
    assert refused.status_code in (400, 409) and "Cannot move" in refused.json()["detail"]
    assert [s.json()["status"] for s in steps] == ["scheduled", "in_repair", "done"]
    assert photo.status_code == 201 and len(photo.json()["photos"]) == 1
    van.refresh_from_db()
    assert van.status == Vehicle.Status.ACTIVE
    assert OutboxEventPartner.objects.filter(event__type="workorder.done", partner_id=van.partner_id).exists()
    done = api.patch(url, {"cost": "1.00"}, format="json")
    assert done.status_code == 409 and "done" in done.json()["detail"]


def test_work_orders_and_schedules_are_created_over_the_api(token_client):
    _partner, owner, (van, _spare), _driver = insured_fleet()
    api = token_client(owner)

    created = api.post("/api/v1/fleet/work-orders/", {"vehicle": van.pk, "title": "Replace wiper blades",
                                                      "cost": "38.00"}, format="json")
    no_vendor = api.post("/api/v1/fleet/work-orders/", {"vehicle": van.pk, "title": "Alignment",
                                                        "performer": "vendor"}, format="json")
    schedule = api.post("/api/v1/fleet/maintenance-schedules/", {"kind": "oil", "every_miles": 7500,
                                                                 "every_months": 6}, format="json")
    no_interval = api.post("/api/v1/fleet/maintenance-schedules/", {"kind": "brakes"}, format="json")
    checklist = api.get("/api/v1/fleet/checklist/").json()

    assert created.status_code == 201 and created.json()["code"].startswith("WO-")
    assert no_vendor.status_code == 400 and "vendor" in no_vendor.json()["detail"]
    assert schedule.status_code == 201 and schedule.json()["label"] == "Oil and filter"
    assert no_interval.status_code == 400 and "miles or months" in no_interval.json()["detail"]
    assert MaintenanceSchedule.objects.count() == 1 and WorkOrder.objects.count() == 1
    assert "brakes" in [c["code"] for c in checklist]


def test_the_inspection_form_posts_without_javascript_and_refuses_a_high_defect_without_a_note(client):
    _partner, _owner, (van, _spare), driver = insured_fleet()
    client.force_login(driver.user)
    form = {"vehicle": van.pk, "kind": "pre_trip", **{f"item_{c}": "ok" for c in (
        "tyres", "lights", "brakes", "mirrors", "body", "fluids", "cargo_door", "horn_belts", "safety_kit")}}

    refused = client.post(reverse("fleet:inspect"), {**form, "item_brakes": "high"})
    assert refused.status_code == 200 and "Say what is wrong with the brakes" in refused.content.decode()
    assert not Inspection.objects.exists()

    sent = client.post(reverse("fleet:inspect"), {**form, "item_body": "low", "note_body": "Scuff",
                                                  "photo_body": png()})
    inspection = Inspection.objects.get()
    assert sent.status_code == 302 and sent.url == reverse("fleet:inspection_detail", args=[inspection.pk])
    assert inspection.passed and inspection.photos.get().defect.item.code == "body"
    page = client.get(sent.url).content.decode()
    assert "may start its route today" in page


def test_the_driver_page_asks_for_the_pre_trip_inspection_before_the_start(client):
    partner, _owner, (van, _spare), driver = insured_fleet()
    route_today(partner=partner, vehicle=van, driver=driver)
    client.force_login(driver.user)

    before = client.get(reverse("routes:today")).content.decode()
    inspection_record(vehicle=van, driver=driver, by=driver.user)
    after = client.get(reverse("routes:today")).content.decode()

    assert 'id="pretrip"' in before and f"/fleet/inspect/?vehicle={van.pk}" in before
    assert 'id="pretrip"' not in after


def test_the_work_order_pages_move_a_repair_on_and_chart_the_costs(client):
    _partner, owner, (van, _spare), driver = insured_fleet()
    inspection_record(vehicle=van, defects=HIGH, driver=driver, by=driver.user)
    work_order = WorkOrder.objects.get()
    client.force_login(owner)
    url = reverse("fleet:work_order_detail", args=[work_order.pk])

    saved = client.post(url, {"action": "save", "title": work_order.title, "performer": "in_house",
                              "cost": "$212.40", "parts": "Brake pads", "odometer_miles": ""})
    moved = client.post(url, {"action": "transition", "to": "done", "note": ""})
    listing = client.get(reverse("fleet:work_order_list")).content.decode()
    vehicle_page = client.get(reverse("fleet:vehicle_detail", args=[van.pk])).content.decode()

    assert saved.status_code == 302 and moved.status_code == 302
    work_order.refresh_from_db()
    van.refresh_from_db()
    assert str(work_order.cost) == "212.40" and work_order.status == "done" and van.status == Vehicle.Status.ACTIVE
    assert 'class="cost-chart"' in listing and "$212.40" in listing and 'class="cost-bar"' in listing
    assert "van-upkeep" in vehicle_page and work_order.code in vehicle_page


def test_a_refused_status_change_on_the_page_says_why_and_changes_nothing(client):
    _partner, owner, (van, _spare), driver = insured_fleet()
    inspection_record(vehicle=van, defects=HIGH, driver=driver, by=driver.user)
    work_order = WorkOrder.objects.get()
    work_order_update(work_order=work_order, performer="vendor", vendor_name="Midas", by=owner)
    client.force_login(owner)

    refused = client.post(reverse("fleet:work_order_detail", args=[work_order.pk]),
                          {"action": "transition", "to": "scheduled", "note": ""})
    assert refused.status_code == 200 and "Set the date the van goes in" in refused.content.decode()
    work_order.refresh_from_db()
    assert work_order.status == "open"
    work_order_transition(work_order=work_order, to="done", by=owner)
