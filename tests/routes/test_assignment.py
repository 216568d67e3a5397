import pytest
from django.db import IntegrityError, transaction

from core.errors import Conflict, ValidationFailed
from fleet.models import Vehicle
from routes.models import PlanStatus, Route, RouteChange
from routes.services import plan_build, plan_publish, route_assign, routes_auto_assign
from tests.fleet.factories import DriverFactory, VehicleFactory
from tests.routes.factories import partner_with_fleet

pytestmark = pytest.mark.django_db


@pytest.fixture
def planned(station, day, fleet, imported):
    imported(300)
    plan = plan_build(station=station, service_date=day, seconds=1)
    assert plan.status == PlanStatus.READY and plan.routes.count() >= 2
    return plan


def test_auto_assign_gives_every_route_its_own_driver_and_a_big_enough_van(planned, fleet, day):
    partner = fleet[0]
    routes_auto_assign(partner=partner, service_date=day)
    routes = list(Route.objects.filter(plan=planned).select_related("vehicle"))
    assert all(r.driver_id and r.vehicle_id for r in routes)
    assert len({r.driver_id for r in routes}) == len(routes) == len({r.vehicle_id for r in routes})
    assert all(r.vehicle.package_capacity >= r.load for r in routes)


def test_a_driver_or_van_is_never_on_two_routes_a_day(planned, fleet):
    partner, _owner, vans, drivers = fleet
    first, second = planned.routes.order_by("sequence")[:2]
    route_assign(route=first, driver=drivers[0], vehicle=vans[0])
    with pytest.raises(Conflict) as exc:
        route_assign(route=second, driver=drivers[0], vehicle=vans[1])
    assert exc.value.code == "driver_taken"
    with pytest.raises(Conflict):
        route_assign(route=second, driver=drivers[1], vehicle=vans[0])
    # and the database says so too, whatever the service does
    with pytest.raises(IntegrityError), transaction.atomic():
        Route.objects.filter(pk=second.pk).update(vehicle=vans[0])


def test_a_grounded_van_or_another_partners_driver_is_refused(planned, fleet, station, day):
    partner, _owner, vans, drivers = fleet
    Vehicle.objects.filter(pk=vans[0].pk).update(status=Vehicle.Status.GROUNDED)
    route = planned.routes.first()
    with pytest.raises(ValidationFailed) as exc:
        route_assign(route=route, driver=drivers[0], vehicle=Vehicle.objects.get(pk=vans[0].pk))
    assert exc.value.code == "vehicle_not_assignable"
    other, *_ = partner_with_fleet(station=station, routes=0, vans=0, drivers=0, on=day)
    stranger = DriverFactory(partner=other)
    with pytest.raises(ValidationFailed):
        route_assign(route=route, driver=stranger, vehicle=None)
    routes_auto_assign(partner=partner, service_date=day)
    assert not Route.objects.filter(vehicle_id=vans[0].pk).exists()


def test_a_van_too_small_for_the_load_is_refused(planned, fleet, day):
    tiny = VehicleFactory(partner=fleet[0], package_capacity=1)
    route = planned.routes.order_by("-load").first()
    with pytest.raises(ValidationFailed) as exc:
        route_assign(route=route, driver=None, vehicle=tiny)
    assert exc.value.code == "vehicle_too_small"


def test_publishing_records_the_event_and_later_changes_are_logged_and_mailed(
        planned, fleet, day, mailoutbox, django_capture_on_commit_callbacks):
    from core.models import OutboxEvent

    partner, owner, vans, drivers = fleet
    routes_auto_assign(partner=partner, service_date=day)
    with django_capture_on_commit_callbacks(execute=True):
        plan_publish(plan=planned)
    assert OutboxEvent.objects.filter(type="route.published", subject_id=str(planned.pk)).count() == 1
    assert any(owner.email in m.to for m in mailoutbox)
    route = planned.routes.exclude(driver=None).first()
    spare = DriverFactory(partner=partner)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        route_assign(route=route, driver=spare, vehicle=route.vehicle)
    change = RouteChange.objects.get(route=route)
    assert "driver" in change.detail
    assert {spare.email} <= {e for m in mailoutbox for e in m.to}
