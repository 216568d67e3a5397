from datetime import date

from django.db import transaction
from django.db.models import Max, Min
from django.utils.translation import gettext as _

from core.errors import Conflict, ValidationFailed
from core.integrity import constraint_messages
from core.servicedays import service_today
from core.workflow import lock, transition
from fleet.models import VEHICLE_WORKFLOW, Acquisition, OdometerReading, Vehicle, VehicleEvent
from fleet.services.common import apply_fields, full_clean
from fleet.vin import normalise_vin, vin_problem

# Plausible vans: the program's delivery vans are recent, and carry a route's load, not a warehouse's.
OLDEST_MODEL_YEAR = 1990
MAX_PACKAGE_CAPACITY = 1_000
# No delivery van reaches this: a reading above it is a typo.
MAX_ODOMETER_MILES = 2_000_000
EDITABLE = {"vin", "plate", "plate_state", "make", "model", "year", "package_capacity", "ownership"}


def _check_vin(vin: str, *, exclude_pk=None) -> str:
    vin = normalise_vin(vin)
    problem = vin_problem(vin)
    if problem:
        raise ValidationFailed(problem, code="invalid_vin", fields={"vin": [problem]})
    clash = Vehicle.objects.filter(vin__iexact=vin)
    if exclude_pk:
        clash = clash.exclude(pk=exclude_pk)
    if clash.exists():
        # Across the whole program, so the message names no partner.
        message = _("A van with this VIN is already registered in the program.")
        raise Conflict(message, code="vin_taken", fields={"vin": [message]})
    return vin


def _check_plate(plate: str, plate_state: str, *, exclude_pk=None) -> None:
    if not plate:
        return
    clash = Vehicle.objects.filter(plate__iexact=plate, plate_state=plate_state)
    if exclude_pk:
        clash = clash.exclude(pk=exclude_pk)
    if clash.exists():
        message = _("A van with this plate is already registered in that state.")
        raise Conflict(message, code="plate_taken", fields={"plate": [message]})


def _check_plausible(vehicle) -> None:
    """Model year and capacity a real van can have (the model's validators only bound the column). Every
    problem is named at once, so a person fixes the form in one go."""
    newest = service_today().year + 1
    fields = {}
    if vehicle.year is not None and not OLDEST_MODEL_YEAR <= int(vehicle.year) <= newest:
        fields["year"] = [_("Enter a model year between %(old)s and %(new)s.") % {"old": OLDEST_MODEL_YEAR,
                                                                                  "new": newest}]
    if vehicle.package_capacity is not None and not 1 <= int(vehicle.package_capacity) <= MAX_PACKAGE_CAPACITY:
        fields["package_capacity"] = [_("A van carries between 1 and %(max)s packages.")
                                      % {"max": f"{MAX_PACKAGE_CAPACITY:,}"}]
    if fields:
        raise ValidationFailed(next(iter(fields.values()))[0], fields=fields)


_CONSTRAINT_FIELDS = {"fleet_vehicle_vin_unique": "vin", "fleet_vehicle_plate_unique": "plate",
                      "fleet_vehicle_capacity_positive": "package_capacity"}


def _save_unique(instance, **kwargs):
    # A concurrent registration may win the race for the same VIN or plate: its constraint's sentence answers.
    with constraint_messages(Vehicle, fields=_CONSTRAINT_FIELDS, code="vin_taken"):
        instance.save(**kwargs)


def vehicle_register(*, partner, vin: str, make: str, model: str, year: int, package_capacity: int, plate: str = "",
                     plate_state: str = "", ownership: str = Vehicle.Ownership.OWNED,
                     status: str = Vehicle.Status.ACTIVE, acquired_via: str = Acquisition.DIRECT,
                     source_reference: str = "", odometer_miles: int | None = None, by=None) -> Vehicle:
    """Add a van to a partner's fleet (by hand, by import, or on delivery of a program order)."""
    plate = (plate or "").strip().upper()
    if status not in (Vehicle.Status.ACTIVE, Vehicle.Status.MAINTENANCE):
        raise ValidationFailed(_("A new van starts active or in maintenance."), fields={"status": ["invalid"]})
    with transaction.atomic():
        vehicle = Vehicle(partner=partner, vin=_check_vin(vin), plate=plate, plate_state=plate_state or "",
                          make=(make or "").strip(), model=(model or "").strip(), year=year,
                          package_capacity=package_capacity, ownership=ownership, status=status,
                          acquired_via=acquired_via, source_reference=source_reference,
                          created_by=by if by and by.is_authenticated else None)
        _check_plausible(vehicle)
        full_clean(vehicle, exclude=["partner", "created_by"])
        _check_plate(plate, vehicle.plate_state)
        _save_unique(vehicle)
        VehicleEvent.objects.create(vehicle=vehicle, actor=vehicle.created_by, from_status="", to_status=status,
                                    note=_("Registered (%(how)s).") % {"how": vehicle.get_acquired_via_display()})
        if odometer_miles is not None:
            if not 0 <= int(odometer_miles) <= MAX_ODOMETER_MILES:
                message = _("An odometer reads 0 to %(max)s miles: check the number.") % {
                    "max": f"{MAX_ODOMETER_MILES:,}"}
                raise ValidationFailed(message, fields={"odometer_miles": [message]})
            OdometerReading.objects.create(vehicle=vehicle, miles=odometer_miles, recorded_by=vehicle.created_by)
    return vehicle


def vehicle_update(*, vehicle, by=None, **fields) -> Vehicle:
    with transaction.atomic():
        row = lock(vehicle)
        if "vin" in fields:
            fields["vin"] = _check_vin(fields["vin"], exclude_pk=row.pk)
        if "plate" in fields:
            fields["plate"] = (fields["plate"] or "").strip().upper()
        changed = apply_fields(row, fields, EDITABLE)
        if not changed:
            return row
        _check_plausible(row)
        full_clean(row, exclude=["partner", "created_by"])
        _check_plate(row.plate, row.plate_state, exclude_pk=row.pk)
        _save_unique(row, update_fields=[*changed, "updated_at"])
    return row


def vehicle_transition(*, vehicle, to: str, note: str = "", by=None, on_date: date | None = None) -> Vehicle:
    """Change a van's status with a reason; putting a van back on the road needs its insurance in order."""
    from fleet.selectors import vehicle_return_problems

    note = (note or "").strip()
    if to == Vehicle.Status.ACTIVE and vehicle.status == Vehicle.Status.GROUNDED:
        problems = vehicle_return_problems(vehicle=vehicle, on_date=on_date or service_today())
        if problems:
            raise Conflict(_("This van cannot go back on the road: %(p)s.") % {
                "p": "; ".join(problems)}, code="vehicle_not_compliant")
    return transition(instance=vehicle, to=to, workflow=VEHICLE_WORKFLOW, log_model=VehicleEvent,
                      subject_field="vehicle", actor=by, note=note, changes={"status_reason": note[:300]})


def odometer_record(*, vehicle, miles: int, read_on: date | None = None, by=None) -> OdometerReading:
    """Readings are monotonic: never below an earlier reading, never above a later one."""
    read_on = read_on or service_today()
    if miles is None or int(miles) < 0:
        message = _("Enter the miles on the odometer.")
        raise ValidationFailed(message, fields={"miles": [message]})
    if int(miles) > MAX_ODOMETER_MILES:
        message = _("An odometer reads at most %(max)s miles: check the number.") % {"max": f"{MAX_ODOMETER_MILES:,}"}
        raise ValidationFailed(message, fields={"miles": [message]})
    if read_on > service_today():
        message = _("A reading cannot be dated in the future.")
        raise ValidationFailed(message, fields={"read_on": [message]})
    with transaction.atomic():
        row = lock(vehicle)  # serialises readings of one van
        if row.status == Vehicle.Status.RETIRED:
            raise Conflict(_("This van is retired."), code="vehicle_retired")
        before = row.odometer_readings.filter(read_on__lte=read_on).aggregate(m=Max("miles"))["m"]
        after = row.odometer_readings.filter(read_on__gt=read_on).aggregate(m=Min("miles"))["m"]
        if before is not None and miles < before:
            message = _("The odometer read %(m)s miles earlier; a reading cannot go down.") % {"m": before}
            raise ValidationFailed(message, code="odometer_went_down", fields={"miles": [message]})
        if after is not None and miles > after:
            message = _("A later reading says %(m)s miles; this one cannot be higher.") % {"m": after}
            raise ValidationFailed(message, code="odometer_went_down", fields={"miles": [message]})
        return OdometerReading.objects.create(vehicle=row, miles=miles, read_on=read_on,
                                              recorded_by=by if by and by.is_authenticated else None)
