from datetime import timedelta

import pytest
from django.urls import reverse

from core.servicedays import service_today
from fleet.models import Coverage, Vehicle
from tests.fleet.factories import DriverFactory, PolicyFactory, VehicleFactory, fully_insured, make_vin


@pytest.mark.django_db
def test_another_partners_van_is_404_on_html_and_api(client, token_client, partner_and_owner,
                                                      other_partner_and_owner):
    _partner, owner = partner_and_owner
    other_partner, _other_owner = other_partner_and_owner
    theirs = VehicleFactory(partner=other_partner)
    client.force_login(owner)

    assert client.get(reverse("fleet:vehicle_detail", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("fleet:vehicle_edit", args=[theirs.pk])).status_code == 404
    api = token_client(owner)
    response = api.get(f"/api/v1/fleet/vehicles/{theirs.pk}/")
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert api.post(f"/api/v1/fleet/vehicles/{theirs.pk}/transition/", {"to": "retired", "note": "x"}).status_code \
        == 404
    assert api.get("/api/v1/fleet/vehicles/999999/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == Vehicle.Status.ACTIVE


@pytest.mark.django_db
def test_grounded_van_is_absent_from_the_assignable_endpoint(token_client, partner_and_owner):
    partner, owner = partner_and_owner
    ok = VehicleFactory(partner=partner)
    grounded = VehicleFactory(partner=partner, status=Vehicle.Status.GROUNDED)
    fully_insured(partner)
    driver = DriverFactory(partner=partner)
    api = token_client(owner, scopes=["fleet:read"])

    body = api.get("/api/v1/fleet/assignable/").json()
    listed = api.get(f"/api/v1/fleet/vehicles/?assignable_on={service_today().isoformat()}").json()

    assert [v["id"] for v in body["vehicles"]] == [ok.pk]
    assert [d["id"] for d in body["drivers"]] == [driver.pk]
    assert [v["id"] for v in listed["results"]] == [ok.pk]
    assert grounded.pk not in [v["id"] for v in body["vehicles"]]


@pytest.mark.django_db
def test_register_a_van_over_the_api_idempotently_and_refuse_a_bad_vin(token_client, partner_and_owner):
    _partner, owner = partner_and_owner
    api = token_client(owner)
    data = {"vin": make_vin(4242).lower(), "plate": "abc123", "plate_state": "GA", "make": "Ford",
            "model": "E-Transit", "year": 2024, "package_capacity": 220, "odometer_miles": 12}
    first = api.post("/api/v1/fleet/vehicles/", data, HTTP_IDEMPOTENCY_KEY="van-1")
    again = api.post("/api/v1/fleet/vehicles/", data, HTTP_IDEMPOTENCY_KEY="van-1")
    assert first.status_code == 201 and first.json()["vin"] == make_vin(4242) and first.json()["plate"] == "ABC123"
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert Vehicle.objects.count() == 1

    duplicate = api.post("/api/v1/fleet/vehicles/", {**data, "plate": "XYZ9"})
    assert duplicate.status_code == 409 and duplicate.json()["code"] == "vin_taken"
    bad = api.post("/api/v1/fleet/vehicles/", {**data, "vin": "1HGCM82643A004352", "plate": "Q1"})
    assert bad.status_code == 400 and bad.json()["code"] == "invalid_vin" and "vin" in bad.json()["fields"]


@pytest.mark.django_db
def test_odometer_never_goes_down(token_client, partner_and_owner):
    partner, owner = partner_and_owner
    van = VehicleFactory(partner=partner)
    api = token_client(owner)
    today = service_today()
    assert api.post(f"/api/v1/fleet/vehicles/{van.pk}/odometer/", {"miles": 1000,
                                                                   "read_on": str(today)}).status_code == 201
    lower = api.post(f"/api/v1/fleet/vehicles/{van.pk}/odometer/", {"miles": 900, "read_on": str(today)})
    assert lower.status_code == 400 and lower.json()["code"] == "odometer_went_down"


@pytest.mark.django_db
def test_grounded_van_cannot_return_without_cover_and_history_says_why(token_client, partner_and_owner):
    partner, owner = partner_and_owner
    van = VehicleFactory(partner=partner, status=Vehicle.Status.GROUNDED)
    api = token_client(owner)
    refused = api.post(f"/api/v1/fleet/vehicles/{van.pk}/transition/", {"to": "active", "note": ""})
    assert refused.status_code == 409 and refused.json()["code"] == "vehicle_not_compliant"
    fully_insured(partner)
    assert api.post(f"/api/v1/fleet/vehicles/{van.pk}/transition/", {"to": "active"}).status_code == 200
    assert api.post(f"/api/v1/fleet/vehicles/{van.pk}/transition/", {"to": "retired"}).json()["code"] \
        == "reason_required"
    assert list(van.events.values_list("to_status", flat=True)) == ["active"]


@pytest.mark.django_db
def test_csv_import_over_the_api(token_client, partner_and_owner):
    partner, owner = partner_and_owner
    api = token_client(owner)
    csv = ("first_name,last_name,licence_number,licence_state,licence_expires_on\n"
           "Ana,Silva,S1,GA,2029-01-01\nBo,Lee,S2,GA,not-a-date\n")
    preview = api.post("/api/v1/fleet/drivers/import/", {"csv": csv, "mode": "preview"})
    assert preview.json()["good"] == 1 and preview.json()["errors"][0]["line"] == 3
    refused = api.post("/api/v1/fleet/drivers/import/", {"csv": csv, "mode": "all"})
    assert refused.status_code == 422 and refused.json()["code"] == "import_has_errors"
    assert partner.drivers.count() == 0
    done = api.post("/api/v1/fleet/drivers/import/", {"csv": csv, "mode": "good_rows"})
    assert done.status_code == 201 and done.json()["created"] == 1
    assert list(partner.drivers.values_list("last_name", flat=True)) == ["Silva"]


@pytest.mark.django_db
def test_html_import_preview_then_good_rows_only(client, partner_and_owner):
    from django.core.files.uploadedfile import SimpleUploadedFile

    partner, owner = partner_and_owner
    client.force_login(owner)
    csv = (b"first_name,last_name,licence_number,licence_state,licence_expires_on\n"
           b"Ana,Silva,S1,GA,2029-01-01\nBo,Lee,S2,ZZ,2029-01-01\n")
    page = client.post(reverse("fleet:driver_import"), {"step": "preview",
                                                        "file": SimpleUploadedFile("d.csv", csv, "text/csv")})
    assert b"1 row(s) ready, 1 with errors" in page.content and partner.drivers.count() == 0
    client.post(reverse("fleet:driver_import"), {"step": "good_rows", "content": csv.decode()})
    assert list(partner.drivers.values_list("last_name", flat=True)) == ["Silva"]


@pytest.mark.django_db
def test_policy_for_another_partners_van_is_refused(token_client, partner_and_owner, other_partner_and_owner):
    _partner, owner = partner_and_owner
    theirs = VehicleFactory(partner=other_partner_and_owner[0])
    today = service_today()
    response = token_client(owner).post("/api/v1/fleet/policies/", {
        "coverage": Coverage.CARGO, "carrier": "X", "policy_number": "1", "per_occurrence_limit": "100000.00",
        "effective_on": str(today), "expires_on": str(today + timedelta(days=365)), "vehicles": [theirs.pk]})
    assert response.status_code == 400 and "vehicles" in response.json()["fields"]


@pytest.mark.django_db
def test_admin_overview_lists_partners_least_compliant_first(client, admin_user, partner_and_owner,
                                                             other_partner_and_owner):
    good, _ = partner_and_owner
    bad, _ = other_partner_and_owner
    VehicleFactory(partner=good)
    fully_insured(good)
    VehicleFactory(partner=bad)
    PolicyFactory(partner=bad, coverage=Coverage.AUTO_LIABILITY, covers_all_vehicles=True)
    client.force_login(admin_user)
    page = client.get(reverse("fleet:compliance_overview")).content.decode()
    assert page.index(bad.legal_name) < page.index(good.legal_name)
    assert "no current general liability policy" in page.lower()
    assert client.get(reverse("console")).status_code == 200


@pytest.mark.django_db
def test_partner_pages_render(client, partner_and_owner):
    partner, owner = partner_and_owner
    van = VehicleFactory(partner=partner)
    driver = DriverFactory(partner=partner)
    policy = PolicyFactory(partner=partner, vehicles=[van])
    client.force_login(owner)
    for name, args in [("fleet:dashboard", []), ("fleet:vehicle_list", []), ("fleet:vehicle_create", []),
                       ("fleet:vehicle_detail", [van.pk]), ("fleet:driver_list", []), ("fleet:driver_create", []),
                       ("fleet:driver_detail", [driver.pk]), ("fleet:policy_list", []),
                       ("fleet:policy_create", []), ("fleet:policy_detail", [policy.pk]),
                       ("fleet:policy_edit", [policy.pk]), ("fleet:driver_import", [])]:
        assert client.get(reverse(name, args=args)).status_code == 200, name


def test_admin_overview_api_lists_counts_and_reports(admin_user, partner_and_owner, token_client):
    from tests.fleet.factories import VehicleFactory

    partner, _owner = partner_and_owner
    VehicleFactory(partner=partner)
    rows = token_client(admin_user).get("/api/v1/fleet/compliance/overview/").json()["results"]
    row = next(r for r in rows if r["partner_id"] == partner.pk)
    assert row["vans"] == {"active": 1} and row["drivers"] == {}
    assert row["compliant"] is False  # no company cover yet
    assert row["report"]["partner_id"] == partner.pk


def test_admin_overview_api_pages_through_partners_with_a_fleet_and_skips_those_without(admin_user, token_client):
    from tests.onboarding.factories import partner_with_owner

    with_vans = [partner_with_owner()[0] for _ in range(3)]
    for partner in with_vans:
        VehicleFactory(partner=partner)
    with_a_driver = partner_with_owner()[0]
    DriverFactory(partner=with_a_driver)
    without_fleet = partner_with_owner()[0]
    api = token_client(admin_user)

    seen, url, params = [], "/api/v1/fleet/compliance/overview/", {"page_size": 2}
    while url:
        page = api.get(url, params).json()
        assert len(page["results"]) <= 2
        seen += [row["partner_id"] for row in page["results"]]
        url, params = page["next"], None

    assert sorted(seen) == sorted(p.pk for p in [*with_vans, with_a_driver])
    assert without_fleet.pk not in seen


@pytest.mark.django_db
def test_editing_a_van_on_its_page_saves_it_and_a_bad_vin_is_shown_on_the_form(client, partner_and_owner):
    partner, owner = partner_and_owner
    van = VehicleFactory(partner=partner)
    client.force_login(owner)
    url = reverse("fleet:vehicle_edit", args=[van.pk])
    data = {"vin": van.vin, "plate": "NEW123", "plate_state": "GA", "make": "Ford", "model": "Transit 350",
            "year": 2024, "package_capacity": 300, "ownership": van.ownership}

    response = client.post(url, data)

    assert response.status_code == 302 and response.url == reverse("fleet:vehicle_detail", args=[van.pk])
    van.refresh_from_db()
    assert (van.plate, van.model, van.package_capacity) == ("NEW123", "Transit 350", 300)
    refused = client.post(url, {**data, "vin": "1FTBW2CM0HKA12345", "plate": "OTHER1"})
    assert refused.status_code == 200 and refused.context["form"].errors
    van.refresh_from_db()
    assert van.plate == "NEW123"


@pytest.mark.django_db
def test_status_changes_on_the_detail_pages_need_a_reason_where_the_workflow_says_so(client, partner_and_owner):
    partner, owner = partner_and_owner
    van, driver = VehicleFactory(partner=partner), DriverFactory(partner=partner)
    client.force_login(owner)

    no_reason = client.post(reverse("fleet:driver_detail", args=[driver.pk]),
                            {"action": "transition", "to": "suspended", "note": ""})
    assert no_reason.status_code == 200 and no_reason.context["form"].errors
    driver.refresh_from_db()
    assert driver.status == "active"

    moved = client.post(reverse("fleet:driver_detail", args=[driver.pk]),
                        {"action": "transition", "to": "suspended", "note": "Licence under review."})
    assert moved.status_code == 302
    driver.refresh_from_db()
    assert driver.status == "suspended"

    moved = client.post(reverse("fleet:vehicle_detail", args=[van.pk]),
                        {"action": "transition", "to": "maintenance", "note": "Brakes."})
    assert moved.status_code == 302
    van.refresh_from_db()
    assert van.status == "maintenance"
