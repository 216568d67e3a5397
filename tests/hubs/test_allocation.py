from datetime import date

import pytest

from core.errors import Conflict
from core.models import CalendarDay
from hubs.models import HubStatus, Parcel
from hubs.selectors import hub_capacity_left, hubs_active_near, hubs_capacity_left
from hubs.services import ParcelSpec, parcels_allocate
from tests.hubs.factories import HubFactory

pytestmark = pytest.mark.django_db

DAY = date(2026, 3, 10)


def specs(n, prefix="TBA"):
    return [ParcelSpec(f"{prefix}{i:05d}", f"Recipient {i}", f"{i} Pine St, Seattle") for i in range(n)]


def test_allocation_writes_the_parcels_for_the_day(hub):
    parcels = parcels_allocate(hub=hub, service_date=DAY, parcels=specs(30))
    assert len(parcels) == 30
    assert Parcel.objects.filter(hub=hub, service_date=DAY, status="allocated").count() == 30
    assert hub_capacity_left(hub=hub, service_date=DAY) == 0


def test_allocation_over_capacity_is_refused_and_writes_nothing(hub):
    parcels_allocate(hub=hub, service_date=DAY, parcels=specs(20, "A"))
    with pytest.raises(Conflict) as exc:
        parcels_allocate(hub=hub, service_date=DAY, parcels=specs(11, "B"))
    assert exc.value.code == "over_capacity"
    assert Parcel.objects.filter(hub=hub, service_date=DAY).count() == 20


@pytest.mark.parametrize("holiday", [date(2026, 12, 25), date(2026, 11, 26), date(2026, 7, 4)])
def test_allocation_on_a_major_holiday_is_refused(hub, holiday):
    with pytest.raises(Conflict) as exc:
        parcels_allocate(hub=hub, service_date=holiday, parcels=specs(1))
    assert exc.value.code == "program_closed"


def test_the_program_calendar_adds_and_removes_closed_days(hub):
    CalendarDay.objects.create(date=DAY, kind=CalendarDay.Kind.CLOSED, note="Storm")
    CalendarDay.objects.create(date=date(2026, 12, 25), kind=CalendarDay.Kind.OPEN)
    with pytest.raises(Conflict):
        parcels_allocate(hub=hub, service_date=DAY, parcels=specs(1))
    assert len(parcels_allocate(hub=hub, service_date=date(2026, 12, 25), parcels=specs(1))) == 1
    # Juneteenth is a federal holiday but not one of the program's major ones
    assert len(parcels_allocate(hub=hub, service_date=date(2026, 6, 19), parcels=specs(1))) == 1


@pytest.mark.parametrize("status", [HubStatus.PAUSED, HubStatus.APPLIED, HubStatus.OFFBOARDED])
def test_allocation_to_a_hub_that_is_not_active_is_refused(status):
    hub = HubFactory(status=status)
    with pytest.raises(Conflict) as exc:
        parcels_allocate(hub=hub, service_date=DAY, parcels=specs(1))
    assert exc.value.code == "hub_not_active"


def test_a_tracking_id_is_unique_per_service_day(hub):
    parcels_allocate(hub=hub, service_date=DAY, parcels=specs(1))
    other = HubFactory()
    with pytest.raises(Conflict) as exc:
        parcels_allocate(hub=other, service_date=DAY, parcels=specs(1))
    assert exc.value.code == "tracking_id_taken"
    assert len(parcels_allocate(hub=other, service_date=date(2026, 3, 11), parcels=specs(1))) == 1


def test_planner_finds_active_hubs_covering_a_point_with_room_left(django_assert_max_num_queries):
    near = HubFactory()  # Pike Place, Seattle
    also_near = HubFactory(latitude="47.615000", longitude="-122.330000")
    HubFactory(latitude="47.700000", longitude="-122.330000")  # ~6 miles north: out of its 2-mile radius
    HubFactory(status=HubStatus.PAUSED)
    parcels_allocate(hub=near, service_date=DAY, parcels=specs(12))
    with django_assert_max_num_queries(2):
        found = hubs_active_near(latitude=47.6101, longitude=-122.3421, service_date=DAY)
    assert [(c.hub.pk, c.capacity_left) for c in found] == [(near.pk, 18), (also_near.pk, 30)]
    assert hubs_capacity_left(hub_ids=[near.pk, also_near.pk], service_date=DAY) == {near.pk: 18, also_near.pk: 30}
    assert hubs_active_near(latitude=47.6101, longitude=-122.3421, service_date=date(2026, 12, 25)) == []
