"""A route starts only with a passed pre-trip inspection of its van that service day (fleet's rule, asked by
`route_start`); a high-severity defect grounds the van and the start is refused with the reason."""

from datetime import timedelta

import pytest

from core.errors import Conflict
from core.servicedays import service_today
from fleet.models import WorkOrder
from fleet.upkeep.services import inspection_record, work_order_transition
from routes.models import RouteStatus
from routes.services import route_start
from tests.fleet.upkeep_helpers import insured_fleet, route_today

pytestmark = pytest.mark.django_db


def _start_refused(route, words):
    with pytest.raises(Conflict, match=words) as caught:
        route_start(route=route)
    route.refresh_from_db()
    assert caught.value.code == "pretrip_inspection_required" and route.status == RouteStatus.READY


def test_a_route_does_not_start_without_a_passed_pre_trip_inspection_of_its_van_that_day():
    partner, _owner, (van,), driver = insured_fleet(vans=1)
    route = route_today(partner=partner, vehicle=van, driver=driver)

    _start_refused(route, "no pre-trip inspection today")
    inspection_record(vehicle=van, driver=driver, by=driver.user, on_date=service_today() - timedelta(days=1))
    _start_refused(route, "no pre-trip inspection today")
    inspection_record(vehicle=van, kind="post_trip", driver=driver, by=driver.user)
    _start_refused(route, "no pre-trip inspection today")

    inspection_record(vehicle=van, driver=driver, by=driver.user)
    assert route_start(route=route).status == RouteStatus.STARTED


def test_a_high_severity_defect_blocks_the_start_until_its_work_order_is_done_and_the_van_passes_again(
        django_capture_on_commit_callbacks):
    partner, owner, (van,), driver = insured_fleet(vans=1)  # no other van: the route keeps none
    route = route_today(partner=partner, vehicle=van, driver=driver)
    with django_capture_on_commit_callbacks(execute=True):
        inspection_record(vehicle=van, driver=driver, by=driver.user,
                          defects=[{"item": "brakes", "severity": "high", "note": "Grinding"}])
    route.refresh_from_db()
    assert route.vehicle is None  # no other van was free: the dispatcher sees the gap
    route.vehicle = van
    route.save(update_fields=["vehicle"])
    _start_refused(route, "grounded")

    work_order_transition(work_order=WorkOrder.objects.get(vehicle=van), to="done", by=owner)
    _start_refused(route, "failed")  # today's inspection failed: inspect again after the repair
    inspection_record(vehicle=van, driver=driver, by=driver.user)
    assert route_start(route=route).status == RouteStatus.STARTED


def test_a_post_trip_grounding_leaves_the_driven_route_as_it_was(django_capture_on_commit_callbacks):
    partner, _owner, (van, _spare), driver = insured_fleet(vans=2)  # a spare is free, yet the route keeps its van
    route = route_today(partner=partner, vehicle=van, driver=driver)
    inspection_record(vehicle=van, driver=driver, by=driver.user)
    route_start(route=route)

    with django_capture_on_commit_callbacks(execute=True):
        inspection_record(vehicle=van, kind="post_trip", driver=driver, by=driver.user,
                          defects=[{"item": "cargo_door", "severity": "high", "note": "Door will not lock"}])

    route.refresh_from_db()
    van.refresh_from_db()
    assert van.status == "grounded" and route.vehicle_id == van.pk and not route.changes.exists()
