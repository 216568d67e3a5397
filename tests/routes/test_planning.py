from datetime import timedelta

import pytest

from core.errors import Conflict
from hubs.models import HubStatus, Parcel
from routes.models import Package, PackageStatus, PartnerCapacity, PlanEvent, PlanStatus, Route, RouteStop, StopKind
from routes.services import hub_split, manifest_import, plan_build
from tests.hubs.factories import HubFactory
from tests.routes.evaluator import violations
from tests.routes.factories import partner_with_fleet
from tests.routes.saved import saved_problem_and_solution

pytestmark = pytest.mark.django_db


def _pkg(tid, lat, lng, address="1 Main St", **kw):
    return {"tracking_id": tid, "address_line1": address, "latitude": str(lat), "longitude": str(lng), **kw}


def test_a_saved_plan_never_breaks_capacity_windows_or_shift(station, day, fleet, imported):
    imported(200)
    plan = plan_build(station=station, service_date=day, seconds=1)
    assert plan.status == PlanStatus.READY, plan.failure_reason
    problem, solution = saved_problem_and_solution(plan)
    assert problem.stops and violations(problem, solution) == []
    routed = Package.objects.filter(status=PackageStatus.ROUTED).count()
    left = plan.unassigned.count()
    assert routed + left == 200
    assert all(r.partner_id == fleet[0].pk for r in plan.routes.all())
    assert [e.to_status for e in PlanEvent.objects.filter(plan=plan)] == ["optimizing", "ready"]


def test_packages_to_one_address_become_one_stop(station, day, fleet):
    manifest_import(station=station, service_date=day, rows=[
        _pkg("A1", 47.60, -122.33, "12 Pine St"), _pkg("A2", 47.60, -122.33, "12 pine st."),
        _pkg("B1", 47.61, -122.34, "14 Pine St")])
    plan_build(station=station, service_date=day, seconds=0.5)
    a1, a2, b1 = (Package.objects.get(tracking_id=t) for t in ["A1", "A2", "B1"])
    assert a1.stop_id == a2.stop_id and a1.stop_id != b1.stop_id
    assert RouteStop.objects.get(pk=a1.stop_id).package_count == 2


def test_saving_a_plan_takes_a_bounded_number_of_queries(station, day, fleet, imported,
                                                          django_assert_max_num_queries):
    imported(300)
    with django_assert_max_num_queries(60):
        plan = plan_build(station=station, service_date=day, seconds=1)
    assert plan.status == PlanStatus.READY


def test_hub_split_sends_packages_within_the_radius_up_to_capacity(station, day, fleet):
    hub = HubFactory(latitude="47.609700", longitude="-122.342200", radius_miles="1.00", capacity=3)
    near = [_pkg(f"N{k}", 47.6097 + k * 0.0005, -122.3422) for k in range(5)]
    far = [_pkg("F1", 47.52, -122.27)]
    manifest_import(station=station, service_date=day, rows=near + far)
    assert hub_split(station=station, service_date=day) == {hub.pk: 3}
    assert Parcel.objects.filter(hub=hub, service_date=day).count() == 3
    assert set(Package.objects.filter(hub=hub).values_list("tracking_id", flat=True)) == {"N0", "N1", "N2"}
    plan = plan_build(station=station, service_date=day, seconds=0.5)
    hub_stops = RouteStop.objects.filter(route__plan=plan, kind=StopKind.HUB)
    assert [(s.hub_id, s.package_count) for s in hub_stops] == [(hub.pk, 3)]
    assert hub_stops[0].service_s == 300 + 10 * 3


def test_a_paused_hub_gets_no_packages(station, day, fleet):
    HubFactory(latitude="47.609700", longitude="-122.342200", radius_miles="1.00", capacity=30,
               status=HubStatus.PAUSED)
    manifest_import(station=station, service_date=day, rows=[_pkg("N1", 47.6097, -122.3422)])
    assert hub_split(station=station, service_date=day) == {}
    assert not Parcel.objects.exists()


def test_routes_are_dealt_within_each_partners_commitment(station, day, imported):
    small, *_ = partner_with_fleet(station=station, routes=1, vans=2, on=day)
    big, *_ = partner_with_fleet(station=station, routes=4, vans=4, on=day)
    imported(300)
    plan = plan_build(station=station, service_date=day, seconds=1)
    counts = {pid: plan.routes.filter(partner_id=pid).count() for pid in (small.pk, big.pk)}
    assert counts[small.pk] <= 1 and counts[big.pk] <= 4
    assert sum(counts.values()) == plan.routes.count() >= 2


def test_without_commitments_the_plan_fails_with_the_reason(station, day, imported):
    imported(10)
    plan = plan_build(station=station, service_date=day, seconds=0.5)
    assert plan.status == PlanStatus.FAILED and "committed" in plan.failure_reason


def test_a_date_entry_overrides_the_weekday_default(station, day, fleet, imported):
    PartnerCapacity.objects.create(partner=fleet[0], station=station, date=day, routes=0)
    imported(10)
    plan = plan_build(station=station, service_date=day, seconds=0.5)
    assert plan.status == PlanStatus.FAILED and "committed" in plan.failure_reason
    week_later = day + timedelta(days=7)
    manifest_import(station=station, service_date=week_later, rows=[_pkg("W1", 47.6, -122.33)])
    assert plan_build(station=station, service_date=week_later, seconds=0.5).status == PlanStatus.READY


def test_replanning_replaces_routes_until_published(station, day, fleet, imported):
    from routes.services import plan_publish

    imported(60)
    plan = plan_build(station=station, service_date=day, seconds=0.5)
    first = set(plan.routes.values_list("pk", flat=True))
    plan = plan_build(station=station, service_date=day, seconds=0.5)
    assert plan.status == PlanStatus.READY and not first & set(plan.routes.values_list("pk", flat=True))
    plan_publish(plan=plan, allow_unassigned=True, reason="drivers are told by phone")
    with pytest.raises(Conflict):
        plan_build(station=station, service_date=day, seconds=0.5)
    assert Route.objects.filter(plan=plan).count() == plan.routes.count()
