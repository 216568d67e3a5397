"""Preventive maintenance: schedules by months and miles open work orders ahead of time, once."""

from datetime import timedelta

import pytest
from django.utils import timezone

from core.errors import ValidationFailed
from core.servicedays import service_today
from fleet.models import MaintenanceSchedule, OdometerReading, WorkOrder
from fleet.tasks import preventive_maintenance_daily
from fleet.upkeep.maintenance import add_months, preventive_work_orders_open, schedule_create
from fleet.upkeep.services import work_order_transition, work_order_update
from tests.fleet.factories import VehicleFactory
from tests.onboarding.factories import partner_with_owner

pytestmark = pytest.mark.django_db


def _van_registered(partner, *, days_ago, miles=None):
    van = VehicleFactory(partner=partner)
    van.created_at = timezone.now() - timedelta(days=days_ago)
    van.save(update_fields=["created_at"])
    if miles is not None:
        OdometerReading.objects.create(vehicle=van, miles=miles, read_on=service_today() - timedelta(days=days_ago))
    return van


def test_a_schedule_by_months_opens_one_work_order_ahead_of_time_however_often_the_job_runs():
    partner, owner = partner_with_owner()
    schedule = schedule_create(partner=partner, kind="oil", every_months=3, lead_days=14)
    due_soon = _van_registered(partner, days_ago=85)  # due in ~5 days: inside the 14-day lead
    not_yet = _van_registered(partner, days_ago=30)
    today = service_today()

    assert preventive_work_orders_open(on_date=today) == 1
    assert preventive_work_orders_open(on_date=today) == 0
    assert preventive_maintenance_daily(on_date=today.isoformat()) == {"opened": 0}

    work_order = WorkOrder.objects.get()
    assert (work_order.vehicle, work_order.schedule, work_order.source) == (due_soon, schedule, "preventive")
    assert work_order.due_on == add_months(due_soon.created_at.date(), 3)
    assert not WorkOrder.objects.filter(vehicle=not_yet).exists()

    # Done today: the next one falls three months on, so the job opens nothing more now...
    work_order_update(work_order=work_order, cost="79.99", by=owner)
    work_order_transition(work_order=work_order, to="done", by=owner)
    assert preventive_work_orders_open(on_date=today) == 0
    # ...and one again when that comes within the lead.
    assert preventive_work_orders_open(on_date=add_months(today, 3) - timedelta(days=10)) == 2  # both vans by then


def test_a_schedule_by_miles_fires_on_the_odometer():
    partner, _owner = partner_with_owner()
    schedule_create(partner=partner, kind="tyres", every_miles=10_000, lead_miles=500)
    van = _van_registered(partner, days_ago=10, miles=20_000)
    assert preventive_work_orders_open(on_date=service_today()) == 0
    OdometerReading.objects.create(vehicle=van, miles=29_600, read_on=service_today())
    assert preventive_work_orders_open(on_date=service_today()) == 1
    assert WorkOrder.objects.get().due_miles == 30_000


@pytest.mark.parametrize(("kwargs", "words"), [
    ({"kind": "oil"}, "miles or months"),
    ({"kind": "oil", "every_miles": 5}, "100 to"),
    ({"kind": "oil", "every_months": "soon"}, "months"),
    ({"kind": "paint", "every_months": 3}, "oil, tyres, brakes"),
])
def test_a_bad_schedule_is_refused_with_a_sentence(kwargs, words):
    partner, _owner = partner_with_owner()
    with pytest.raises(ValidationFailed, match=words):
        schedule_create(partner=partner, **kwargs)
    assert not MaintenanceSchedule.objects.exists()


def test_add_months_keeps_to_the_end_of_short_months():
    from datetime import date

    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2026, 11, 30), 3) == date(2027, 2, 28)
    assert add_months(date(2026, 5, 15), -6) == date(2025, 11, 15)
