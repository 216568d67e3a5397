"""Inspections and work orders: a failed high-severity inspection grounds the van, opens a work order, alerts the
partner and takes the van off its routes; the work order done brings it back (only with its cover current)."""

from datetime import timedelta

import pytest

from core.errors import Conflict, ValidationFailed
from core.models import OutboxEmail, OutboxEvent
from core.servicedays import service_today
from fleet.models import Coverage, Defect, Inspection, InsurancePolicy, Vehicle, WorkOrder, WorkOrderEvent
from fleet.selectors import pretrip_block_reason, vehicles_assignable, vehicles_assignable_many
from fleet.services import vehicle_transition
from fleet.upkeep.services import inspection_record, work_order_transition, work_order_update
from tests.fleet.upkeep_helpers import insured_fleet, png, route_today

pytestmark = pytest.mark.django_db

BRAKES_HIGH = [{"item": "brakes", "severity": "high", "note": "Pedal goes to the floor"}]


def _done(work_order, by=None):
    work_order_update(work_order=work_order, cost="412.50", performer="vendor", vendor_name="Midas Fleet", by=by)
    for to in ("scheduled", "in_repair", "done"):
        if to == "scheduled":
            work_order_update(work_order=work_order, scheduled_for=service_today(), by=by)
        work_order = work_order_transition(work_order=work_order, to=to, by=by)
    return work_order


def test_a_failed_high_severity_inspection_grounds_the_van_blocks_its_start_and_a_done_work_order_brings_it_back(
        django_capture_on_commit_callbacks):
    partner, owner, (van, _spare), driver = insured_fleet()
    assert pretrip_block_reason(van, service_today()) is not None  # no inspection yet today

    with django_capture_on_commit_callbacks(execute=True):
        inspection = inspection_record(vehicle=van, defects=BRAKES_HIGH, driver=driver, by=driver.user,
                                       defect_photos={"brakes": [png()]})

    van.refresh_from_db()
    work_order = WorkOrder.objects.get(vehicle=van)
    assert inspection.result == Inspection.Result.FAILED
    assert van.status == Vehicle.Status.GROUNDED and f"#{inspection.pk}" in van.status_reason
    assert list(work_order.defects.values_list("item__code", flat=True)) == ["brakes"]
    assert inspection.photos.get().defect.item.code == "brakes"
    assert "grounded" in pretrip_block_reason(van, service_today())
    assert van not in vehicles_assignable(partner=partner, on_date=service_today())
    assert set(OutboxEvent.objects.values_list("type", flat=True)) >= {"inspection.failed", "vehicle.grounded"}
    alert = OutboxEmail.objects.get(subject__contains="grounded")
    assert owner.email in alert.to

    _done(work_order, by=owner)

    van.refresh_from_db()
    assert van.status == Vehicle.Status.ACTIVE
    assert not Defect.objects.filter(vehicle=van, closed_at__isnull=True).exists()
    assert OutboxEvent.objects.filter(type="workorder.done", subject_id=str(work_order.pk)).exists()
    assert list(WorkOrderEvent.objects.filter(work_order=work_order).values_list("to_status", flat=True)) == [
        "open", "scheduled", "in_repair", "done"]
    # Back on the road, but a route still needs today's passed pre-trip inspection.
    assert "pre-trip inspection of van" in pretrip_block_reason(van, service_today())
    assert "failed" in pretrip_block_reason(van, service_today())
    inspection_record(vehicle=van, defects=[], driver=driver, by=driver.user)
    assert pretrip_block_reason(van, service_today()) is None


def test_a_van_whose_cover_lapsed_stays_grounded_when_its_work_order_is_done():
    partner, owner, (van, _spare), driver = insured_fleet()
    inspection_record(vehicle=van, defects=BRAKES_HIGH, driver=driver, by=driver.user)
    InsurancePolicy.objects.filter(partner=partner, coverage=Coverage.CARGO).update(
        expires_on=service_today() - timedelta(days=1), effective_on=service_today() - timedelta(days=200))

    _done(WorkOrder.objects.get(vehicle=van), by=owner)

    van.refresh_from_db()
    assert van.status == Vehicle.Status.GROUNDED
    with pytest.raises(Conflict, match="cargo"):
        vehicle_transition(vehicle=van, to=Vehicle.Status.ACTIVE, note="fixed", by=owner)


def test_a_grounded_van_cannot_be_put_back_by_hand_while_its_defect_is_open():
    _partner, owner, (van, _spare), driver = insured_fleet()
    inspection_record(vehicle=van, defects=BRAKES_HIGH, driver=driver, by=driver.user)
    van.refresh_from_db()

    with pytest.raises(Conflict, match="not repaired"):
        vehicle_transition(vehicle=van, to=Vehicle.Status.ACTIVE, note="looks fine", by=owner)
    van.refresh_from_db()
    assert van.status == Vehicle.Status.GROUNDED


def test_a_medium_defect_fails_the_inspection_without_grounding_and_keeps_the_van_off_routes_until_repaired():
    partner, owner, (van, spare), driver = insured_fleet()
    inspection = inspection_record(vehicle=van, defects=[{"item": "lights", "severity": "medium", "note": "Left "
                                                          "brake light out"},
                                                         {"item": "body", "severity": "low", "note": "Scratch"}],
                                   driver=driver, by=driver.user)
    van.refresh_from_db()
    work_order = WorkOrder.objects.get(vehicle=van)

    assert inspection.result == Inspection.Result.FAILED and van.status == Vehicle.Status.ACTIVE
    assert list(work_order.defects.values_list("item__code", flat=True)) == ["lights"]  # low ones wait
    assert [v.pk for v in vehicles_assignable_many(partner_ids=[partner.pk], on_date=service_today())[partner.pk]] \
        == [spare.pk]
    assert "Lights" in pretrip_block_reason(van, service_today())

    _done(work_order, by=owner)
    assert van.pk in [v.pk for v in vehicles_assignable(partner=partner, on_date=service_today())]


def test_a_passed_inspection_with_only_low_defects_clears_the_van():
    _partner, _owner, (van, _spare), driver = insured_fleet()
    inspection = inspection_record(vehicle=van, defects=[{"item": "body", "severity": "low", "note": "Dent"}],
                                   driver=driver, by=driver.user, odometer_miles=1200)
    assert inspection.passed and not WorkOrder.objects.exists()
    assert pretrip_block_reason(van, service_today()) is None
    assert van.odometer_readings.get().miles == 1200


def test_yesterdays_passed_inspection_does_not_clear_today():
    _partner, _owner, (van, _spare), driver = insured_fleet()
    inspection_record(vehicle=van, driver=driver, by=driver.user, on_date=service_today() - timedelta(days=1))
    assert "no pre-trip inspection today" in pretrip_block_reason(van, service_today())


def test_the_same_form_sent_twice_records_one_inspection():
    _partner, _owner, (van, _spare), driver = insured_fleet()
    key = "7c9e6679-7425-40de-944b-e07fc1f77de9"
    first = inspection_record(vehicle=van, defects=BRAKES_HIGH, driver=driver, by=driver.user, client_id=key)
    again = inspection_record(vehicle=van, defects=BRAKES_HIGH, driver=driver, by=driver.user, client_id=key)
    assert first.pk == again.pk
    assert Inspection.objects.count() == 1 and WorkOrder.objects.count() == 1


@pytest.mark.parametrize(("defects", "photos", "words"), [
    ([{"item": "wings", "severity": "high"}], [], "not on the inspection checklist"),
    ([{"item": "brakes", "severity": "urgent"}], [], "how serious"),
    ([{"item": "brakes", "severity": "low"}, {"item": "brakes", "severity": "high"}], [], "listed twice"),
    ([], ["not-an-image"], "Only JPG, PNG"),
])
def test_bad_inspections_are_refused_with_a_sentence_and_change_nothing(defects, photos, words):
    from django.core.files.uploadedfile import SimpleUploadedFile

    _partner, _owner, (van, _spare), driver = insured_fleet()
    files = [SimpleUploadedFile("x.png", b"%PDF-1.4 nope" * 10, content_type="image/png") for _ in photos]
    with pytest.raises(ValidationFailed, match=words):
        inspection_record(vehicle=van, defects=defects, photos=files, driver=driver, by=driver.user)
    van.refresh_from_db()
    assert not Inspection.objects.exists() and van.status == Vehicle.Status.ACTIVE


def test_a_work_order_needs_a_vendor_name_a_date_to_be_scheduled_and_refuses_a_negative_cost():
    _partner, owner, (van, _spare), driver = insured_fleet()
    inspection_record(vehicle=van, defects=BRAKES_HIGH, driver=driver, by=driver.user)
    work_order = WorkOrder.objects.get()

    with pytest.raises(ValidationFailed, match="date"):
        work_order_transition(work_order=work_order, to="scheduled", by=owner)
    with pytest.raises(ValidationFailed, match="vendor"):
        work_order_update(work_order=work_order, performer="vendor", by=owner)
    with pytest.raises(ValidationFailed, match="more than zero|negative|amount"):
        work_order_update(work_order=work_order, cost="-5", by=owner)
    work_order.refresh_from_db()
    assert work_order.status == "open" and work_order.performer == "in_house" and str(work_order.cost) == "0.00"


def test_a_done_work_order_cannot_be_edited():
    _partner, owner, (van, _spare), driver = insured_fleet()
    inspection_record(vehicle=van, defects=BRAKES_HIGH, driver=driver, by=driver.user)
    work_order = _done(WorkOrder.objects.get(), by=owner)
    with pytest.raises(Conflict, match="done"):
        work_order_update(work_order=work_order, cost="1.00", by=owner)
    assert str(WorkOrder.objects.get().cost) == "412.50"


def test_the_grounded_vans_route_gets_another_van_and_without_one_loses_it(django_capture_on_commit_callbacks):
    partner, _owner, (van, spare), driver = insured_fleet()
    route = route_today(partner=partner, vehicle=van, driver=driver)

    with django_capture_on_commit_callbacks(execute=True):
        inspection_record(vehicle=van, defects=BRAKES_HIGH, driver=driver, by=driver.user)
    route.refresh_from_db()
    assert route.vehicle_id == spare.pk
    assert "van:" in route.changes.get().detail

    with django_capture_on_commit_callbacks(execute=True):
        inspection_record(vehicle=spare, defects=[{"item": "tyres", "severity": "high", "note": "Flat"}],
                          driver=driver, by=driver.user)
    route.refresh_from_db()
    assert route.vehicle_id is None
    assert route.changes.count() == 2
