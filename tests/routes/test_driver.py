"""The driver's phone on the server: the batch of taps (each once), proof rules, undo, scans, returns, contacts,
and a driver reaching only their own route."""

import base64
import io
import uuid
from datetime import timedelta

import pytest
from django.utils import timezone
from PIL import Image

from core.models import OfflineReceipt, OutboxEvent
from routes.models import (
    Package,
    PackageScan,
    PackageStatus,
    ProofRule,
    RouteStatus,
    RouteStop,
    ScanResult,
    StopContact,
    StopProof,
    StopStatus,
)
from routes.services import driver_batch_apply, route_start

BATCH = "/api/v1/routes/driver/batch/"


def data_url(fmt="JPEG", colour="green"):
    buffer = io.BytesIO()
    Image.new("RGB", (16, 16), colour).save(buffer, format=fmt)
    mime = "image/jpeg" if fmt == "JPEG" else "image/png"
    return f"data:{mime};base64," + base64.b64encode(buffer.getvalue()).decode()


def item(kind, **fields):
    return {"client_id": str(uuid.uuid4()), "kind": kind, "occurred_at": timezone.now().isoformat(), **fields}


def stops_of(route):
    return list(route.stops.filter(kind="address").order_by("sequence"))


def codes(stop):
    return list(Package.objects.filter(stop=stop).values_list("tracking_id", flat=True))


def post(client, *items):
    response = client.post(BATCH, {"items": list(items)}, format="json")
    assert response.status_code == 200, response.content
    return response.json()["results"]


@pytest.fixture
def driver(token_client, published):
    return token_client(published["driver_user"])


def test_a_resent_batch_applies_every_outcome_once_with_its_proof(driver, published):
    first, second = stops_of(published["route"])[:2]
    Package.objects.filter(stop=first).update(signature_required=True)
    delivered = item("delivered", stop=first.pk, scans=codes(first), photo=data_url(), signature=data_url("PNG"))
    attempted = item("attempted", stop=second.pk, reason="nobody_home")
    assert [r["result"] for r in post(driver, delivered, attempted)] == ["applied", "applied"]
    again = post(driver, delivered, attempted)
    assert [r["result"] for r in again] == ["duplicate", "duplicate"]
    assert again[0]["status"] == "delivered"

    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status, second.attempt_reason) == ("delivered", "attempted", "nobody_home")
    proofs = {p.kind: p for p in StopProof.objects.filter(stop=first)}
    assert set(proofs) == {"photo", "signature"}
    assert proofs["signature"].required and not proofs["photo"].required
    assert proofs["signature"].file.read()[:4] == b"\x89PNG"
    assert PackageScan.objects.filter(stop=first, kind="delivery", result=ScanResult.OK).count() == len(codes(first))
    types = list(OutboxEvent.objects.filter(type__startswith="stop.").values_list("type", flat=True))
    assert sorted(types) == ["stop.attempted", "stop.delivered"]


def test_a_signature_rule_refuses_a_delivery_without_a_signature_and_changes_nothing(driver, published):
    stop = stops_of(published["route"])[0]
    Package.objects.filter(stop=stop).update(signature_required=True)
    [result] = post(driver, item("delivered", stop=stop.pk, scans=codes(stop), photo=data_url()))
    assert result["result"] == "rejected" and result["code"] == "proof_missing"
    assert "signature" in result["detail"]
    stop.refresh_from_db()
    assert stop.status == StopStatus.PENDING
    assert not StopProof.objects.filter(stop=stop).exists()
    assert not OutboxEvent.objects.filter(type="stop.delivered").exists()


def test_the_program_rule_for_a_photo_on_every_delivery_is_data_an_admin_turns_on(driver, published):
    stop = stops_of(published["route"])[0]
    ProofRule.objects.filter(applies_to="all").update(active=True)
    [result] = post(driver, item("delivered", stop=stop.pk))
    assert (result["result"], result["code"]) == ("rejected", "proof_missing")
    assert "photo" in result["detail"]
    [result] = post(driver, item("delivered", stop=stop.pk, photo=data_url()))
    assert result["result"] == "applied"


def test_a_pin_must_match_the_recipients_and_is_never_stored(driver, published):
    stop = stops_of(published["route"])[0]
    Package.objects.filter(stop=stop).update(delivery_pin="4821")
    [wrong] = post(driver, item("delivered", stop=stop.pk, pin="1111"))
    assert (wrong["result"], wrong["code"]) == ("rejected", "pin_mismatch")
    [right] = post(driver, item("delivered", stop=stop.pk, pin="4821"))
    assert right["result"] == "applied"
    proof = StopProof.objects.get(stop=stop, kind="pin")
    assert "4821" not in proof.detail


def test_an_age_check_package_needs_the_id_seen_and_a_signature(driver, published):
    stop = stops_of(published["route"])[0]
    Package.objects.filter(stop=stop).update(age_check_required=True)
    [result] = post(driver, item("delivered", stop=stop.pk, signature=data_url("PNG")))
    assert (result["result"], result["code"]) == ("rejected", "proof_missing")
    [result] = post(driver, item("delivered", stop=stop.pk, signature=data_url("PNG"), age_checked=True))
    assert result["result"] == "applied"
    assert set(StopProof.objects.filter(stop=stop).values_list("kind", flat=True)) == {"signature", "age_check"}


def test_a_photo_that_is_not_an_image_is_refused_with_a_sentence(driver, published):
    stop = stops_of(published["route"])[0]
    text = "data:image/jpeg;base64," + base64.b64encode(b"<html>not a photo</html>").decode()
    [result] = post(driver, item("delivered", stop=stop.pk, photo=text))
    assert result["result"] == "rejected" and result["detail"] and "Traceback" not in result["detail"]
    assert RouteStop.objects.get(pk=stop.pk).status == StopStatus.PENDING


def test_undo_reopens_the_stop_within_its_window_and_voids_its_proof(driver, published, settings):
    first, second = stops_of(published["route"])[:2]
    delivered = item("delivered", stop=first.pk, photo=data_url())
    post(driver, delivered)
    [undo] = post(driver, item("undo", stop=first.pk, undoes=delivered["client_id"]))
    assert undo["result"] == "applied"
    first.refresh_from_db()
    assert first.status == StopStatus.PENDING and not first.outcome_client_id
    assert set(StopProof.objects.filter(stop=first).values_list("status", flat=True)) == {"void"}
    assert set(Package.objects.filter(stop=first).values_list("status", flat=True)) == {PackageStatus.ROUTED}
    assert list(first.events.values_list("to_status", flat=True)) == ["delivered", "pending"]
    assert OutboxEvent.objects.filter(type="stop.reopened").count() == 1

    tapped = timezone.now() - timedelta(seconds=settings.ROUTES_UNDO_SECONDS + 5)
    late = item("attempted", stop=second.pk, reason="refused", occurred_at=tapped.isoformat())
    post(driver, late)
    [too_late] = post(driver, item("undo", stop=second.pk, undoes=late["client_id"]))
    assert (too_late["result"], too_late["code"]) == ("rejected", "undo_expired")
    assert RouteStop.objects.get(pk=second.pk).status == StopStatus.ATTEMPTED


def test_a_scan_of_a_package_not_on_this_route_says_so_and_is_kept(driver, published):
    route = published["route"]
    other = Package.objects.exclude(stop__route=route).exclude(stop=None).first()
    [result] = post(driver, item("scan", route=route.pk, code=other.tracking_id, scan="load"))
    assert result["result"] == "applied" and result["scan_result"] == "not_on_route"
    assert result["message"] == f"{other.tracking_id} is not on this route."
    scan = PackageScan.objects.get(code=other.tracking_id)
    assert scan.result == ScanResult.NOT_ON_ROUTE and scan.package is None


def test_load_out_scans_count_on_the_route_started_event(token_client, published_ready):
    route = published_ready["route"]
    client = token_client(published_ready["driver_user"])
    mine = list(Package.objects.filter(stop__route=route).values_list("tracking_id", flat=True))
    stop = stops_of(route)[0]
    [early] = post(client, item("delivered", stop=stop.pk))
    assert (early["result"], early["code"]) == ("rejected", "route_not_started")
    post(client, *[item("scan", route=route.pk, code=c.lower(), scan="load") for c in mine[:3]])
    [started] = post(client, item("start", route=route.pk))
    assert started["status"] == RouteStatus.STARTED
    event = OutboxEvent.objects.get(type="route.started")
    assert (event.payload["loaded"], event.payload["packages"]) == (3, len(mine))
    assert route.events.get().to_status == RouteStatus.STARTED


def test_returns_end_the_day_at_the_station_and_come_back_on_the_next_days_manifest(driver, published, station):
    from routes.services import manifest_import, manifest_rows_from_csv
    from tests.routes.conftest import SAMPLE

    route = published["route"]
    stops = list(route.stops.order_by("sequence"))
    attempted, rest = stops[0], stops[1:]
    post(driver, item("attempted", stop=attempted.pk, reason="address_not_found"),
         *[item("delivered", stop=s.pk, signature=data_url("PNG"), age_checked=True) for s in rest])
    back = codes(attempted)
    [refused] = post(driver, item("complete", route=route.pk))
    assert (refused["result"], refused["code"]) == ("rejected", "returns_pending")
    assert back[0] in refused["detail"]

    [not_due] = post(driver, item("scan", route=route.pk, code=codes(rest[0])[0], scan="return"))
    assert not_due["scan_result"] == "not_returnable"
    results = post(driver, *[item("scan", route=route.pk, code=c, scan="return") for c in back])
    assert {r["scan_result"] for r in results} == {"ok"}
    [done] = post(driver, item("complete", route=route.pk))
    assert done["status"] == RouteStatus.COMPLETED
    assert OutboxEvent.objects.get(type="route.completed").payload["returned"] == len(back)

    old = Package.objects.filter(tracking_id__in=back, service_date=route.service_date)
    assert set(old.values_list("status", flat=True)) == {PackageStatus.RETURNED}
    again = Package.objects.filter(tracking_id__in=back, service_date__gt=route.service_date)
    assert again.count() == len(back)
    assert {p.returned_from_id for p in again} == set(old.values_list("pk", flat=True))
    assert {p.status for p in again} == {PackageStatus.PENDING}
    # the integrator's manifest for that day naming the same package again is a no-op
    next_day = again.first().service_date
    rows = [r for r in manifest_rows_from_csv(SAMPLE.read_bytes()) if r["tracking_id"] in back]
    manifest_import(station=station, service_date=next_day, rows=rows)
    assert Package.objects.filter(tracking_id__in=back, service_date=next_day).count() == len(back)


def test_a_call_through_the_platform_is_recorded_with_who_and_when(driver, published):
    stop = stops_of(published["route"])[0]
    [result] = post(driver, item("contact", stop=stop.pk, channel="call"))
    assert result["result"] == "applied"
    contact = StopContact.objects.get(stop=stop)
    assert (contact.channel, contact.by) == ("call", published["driver_user"])
    [bad] = post(driver, item("contact", stop=stop.pk, channel="pigeon"))
    assert bad["result"] == "rejected" and bad["detail"]


def test_another_drivers_route_and_another_partners_stops_are_not_found(token_client, published, make_user, fleet):
    from accounts.models import Role
    from tests.routes.factories import partner_with_owner

    route = published["route"]
    stop = stops_of(route)[0]
    other_route = published["plan"].routes.exclude(pk=route.pk).first()
    other_stop = other_route.stops.first()
    mine = token_client(published["driver_user"])
    results = post(mine, item("delivered", stop=other_stop.pk),
                   item("scan", route=other_route.pk, code="X", scan="load"), item("start", route=other_route.pk),
                   item("undo", stop=other_stop.pk, undoes=str(uuid.uuid4())),
                   item("contact", stop=other_stop.pk, channel="call"))
    assert {(r["result"], r["code"]) for r in results} == {("rejected", "not_found")}
    assert RouteStop.objects.get(pk=other_stop.pk).status == StopStatus.PENDING

    stranger = token_client(make_user(role=Role.DRIVER))
    assert {r["code"] for r in post(stranger, item("delivered", stop=stop.pk), item("complete", route=route.pk))} == {
        "not_found"}
    _partner, other_owner = partner_with_owner()
    assert token_client(other_owner).post(BATCH, {"items": [item("delivered", stop=stop.pk)]},
                                          format="json").status_code == 403
    assert RouteStop.objects.get(pk=stop.pk).status == StopStatus.PENDING


def test_a_batch_that_is_not_a_list_of_items_answers_a_sentence(driver):
    response = driver.post(BATCH, {"items": "everything"}, format="json")
    assert response.status_code == 400 and response.json()["detail"]
    response = driver.post(BATCH, {"items": [{"kind": "delivered"}]}, format="json")
    assert response.json()["results"][0]["code"] == "bad_client_id"


def test_starting_twice_changes_nothing(published):
    route = route_start(route=published["route"], by=published["driver_user"])
    assert route.events.count() == 1 and OutboxEvent.objects.filter(type="route.started").count() == 1


def test_items_are_receipted_per_driver(driver, published):
    stop = stops_of(published["route"])[0]
    one = item("contact", stop=stop.pk, channel="text")
    post(driver, one)
    assert OfflineReceipt.objects.get(client_id=one["client_id"]).scope == f"user:{published['driver_user'].pk}"
    assert driver_batch_apply(user=published["driver_user"], items=[one])[0].result == "duplicate"


def test_another_drivers_route_pages_and_proof_are_404(client, published, make_user):
    from django.urls import reverse

    from accounts.models import Role

    route = published["route"]
    stop = stops_of(route)[0]
    other_route = published["plan"].routes.exclude(pk=route.pk).first()
    client.force_login(published["driver_user"])
    assert client.get(reverse("routes:route_manifest", args=[other_route.pk])).status_code == 404
    assert client.get(reverse("routes:stop_photo", args=[other_route.stops.first().pk])).status_code == 404
    assert client.get(f"/api/v1/routes/routes/{other_route.pk}/").status_code == 404
    client.force_login(make_user(role=Role.DRIVER))
    assert client.get(reverse("routes:route_manifest", args=[route.pk])).status_code == 404
    assert client.get(reverse("routes:stop_photo", args=[stop.pk])).status_code == 404
    html = client.get(reverse("routes:today")).content.decode()
    assert route.code not in html and "driver-config" not in html


def test_an_admin_rejects_a_proof_with_a_reason_and_an_undone_one_cannot_be(driver, published, make_user):
    from accounts.models import Role
    from core.errors import ValidationFailed
    from routes.services import stop_proof_reject

    first, second = stops_of(published["route"])[:2]
    post(driver, item("delivered", stop=first.pk, photo=data_url()))
    undone = item("delivered", stop=second.pk, photo=data_url())
    post(driver, undone, item("undo", stop=second.pk, undoes=undone["client_id"]))
    admin = make_user(role=Role.PROGRAM_ADMIN)
    proof = StopProof.objects.get(stop=first)
    with pytest.raises(ValidationFailed):
        stop_proof_reject(proof=proof, by=admin, note=" ")
    rejected = stop_proof_reject(proof=proof, by=admin, note="the photo shows no door")
    assert (rejected.status, rejected.reviewed_by) == ("rejected", admin)
    with pytest.raises(ValidationFailed):
        stop_proof_reject(proof=StopProof.objects.get(stop=second), by=admin, note="blurred")
