"""Demo inspections, work orders and maintenance schedules for `manage.py seed_demo` (called by fleet.demo).

Idempotent: skipped when the partner already has inspections. The demo driver has no inspection today, so their
route page asks for one; van DSP4103 failed this morning's pre-trip (brakes, high) and is grounded with a work
order in repair; past repairs fill the cost chart; three schedules opened preventive work orders ahead of time."""

from datetime import timedelta

from django.utils import timezone

from fleet.models import Driver, Inspection, Vehicle, WorkOrder
from fleet.upkeep.maintenance import add_months, preventive_work_orders_open, schedule_create
from fleet.upkeep.services import inspection_record, work_order_create, work_order_transition, work_order_update

PAST_REPAIRS = [  # (van index, months ago, title, vendor, cost, parts)
    (1, 4, "Replace front tyres", "Discount Tire Fleet", "612.40", "2 × LT245/75R16"),
    (2, 3, "Windshield chip repair", "", "45.00", "Resin kit"),
    (4, 2, "Brake pads and rotors", "Midas Fleet", "488.75", "Pads, 2 rotors"),
    (1, 1, "Sliding door roller", "", "96.20", "Roller assembly"),
    (6, 1, "Coolant leak: hose and clamp", "Peach State Auto", "231.00", "Lower radiator hose"),
    (4, 0, "Oil and filter", "", "79.99", "6 qt 5W-30, filter"),
]


def _done(work_order, *, owner, day, **fields):
    work_order_update(work_order=work_order, by=owner, **fields)
    return work_order_transition(work_order=work_order, to=WorkOrder.Status.DONE, by=owner, on_date=day)


def seed(*, partner, owner, log, today):
    if Inspection.objects.filter(partner=partner).exists():
        return
    vans = list(Vehicle.objects.filter(partner=partner).order_by("plate"))
    drivers = list(Driver.objects.filter(partner=partner, status=Driver.Status.ACTIVE).order_by("pk")[1:12])
    if len(vans) < 12 or len(drivers) < 8:
        log("fleet: too few demo vans or drivers for inspections; skipped")
        return
    # Yesterday: every active van passed its pre-trip (one with a low note).
    for n, van in enumerate(v for v in vans[:10] if v.status == Vehicle.Status.ACTIVE):
        defects = [{"item": "body", "severity": "low", "note": "Scuff on the rear bumper"}] if n == 2 else []
        inspection_record(vehicle=van, driver=drivers[n % len(drivers)], by=owner, defects=defects,
                          on_date=today - timedelta(days=1))
    for index, months, title, vendor, cost, parts in PAST_REPAIRS:
        day = add_months(today, -months).replace(day=min(12 + index, 28))
        day = min(day, today)
        row = work_order_create(vehicle=vans[index], title=title, by=owner)
        _done(row, owner=owner, day=day, cost=cost, parts=parts,
              performer=WorkOrder.Performer.VENDOR if vendor else WorkOrder.Performer.IN_HOUSE, vendor_name=vendor)
    # Ten days ago a medium defect (brake light), repaired in-house the next day.
    inspection_record(vehicle=vans[7], driver=drivers[3], by=owner, on_date=today - timedelta(days=10),
                      defects=[{"item": "lights", "severity": "medium", "note": "Left brake light out"}])
    _done(WorkOrder.objects.get(vehicle=vans[7], status=WorkOrder.Status.OPEN), owner=owner,
          day=today - timedelta(days=9), cost="18.50", parts="Bulb 7443")
    # This morning: brakes, high severity: the van is grounded and at the vendor.
    grounded = vans[3]
    inspection_record(vehicle=grounded, driver=drivers[1], by=owner, odometer_miles=_miles(grounded) + 120,
                      defects=[{"item": "brakes", "severity": "high", "note": "Pedal soft, grinding front left"},
                               {"item": "tyres", "severity": "low", "note": "Rear tread near the limit"}])
    work_order = WorkOrder.objects.get(vehicle=grounded, status=WorkOrder.Status.OPEN)
    work_order_update(work_order=work_order, by=owner, performer=WorkOrder.Performer.VENDOR,
                      vendor_name="Midas Fleet", scheduled_for=today, cost="540.00", parts="Pads, rotors, caliper")
    work_order_transition(work_order=work_order, to=WorkOrder.Status.SCHEDULED, by=owner)
    work_order_transition(work_order=work_order, to=WorkOrder.Status.IN_REPAIR, by=owner)
    _schedules(partner, vans, today)
    log(f"fleet: {Inspection.objects.filter(partner=partner).count()} inspections, "
        f"{WorkOrder.objects.filter(partner=partner).count()} work orders ({grounded.plate} grounded)")


def _miles(van) -> int:
    return van.odometer_readings.order_by("-read_on", "-miles").values_list("miles", flat=True).first() or 0


def _schedules(partner, vans, today):
    schedule_create(partner=partner, kind="oil", label="Oil and filter", every_miles=7_500, every_months=6)
    schedule_create(partner=partner, kind="tyres", label="Rotate and check tyres", every_miles=15_000,
                    every_months=12)
    schedule_create(partner=partner, kind="brakes", label="Brake inspection", every_months=12, lead_days=21)
    # Two vans joined the fleet months ago: their six-month oil change falls due within the lead.
    for van, days in ((vans[8], 175), (vans[9], 172)):
        Vehicle.objects.filter(pk=van.pk).update(created_at=timezone.now() - timedelta(days=days))
    preventive_work_orders_open(on_date=today)
