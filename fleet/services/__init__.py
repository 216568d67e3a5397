"""Fleet writes. Procurement (order fulfilment) calls `vehicle_register` and `policy_create`."""

from fleet.services.drivers import driver_create, driver_invite_user, driver_transition, driver_update
from fleet.services.expiry import fleet_expiry_run
from fleet.services.hours import Work, driver_may_work, hours_rule_for, rule_state
from fleet.services.imports import DRIVER_CSV_COLUMNS, driver_import, driver_import_preview
from fleet.services.insurance import policy_create, policy_delete, policy_update
from fleet.services.roster import (
    availability_exception_set,
    availability_set_pattern,
    roster_copy_week,
    shift_create,
    shift_delete,
    swap_decide,
    swap_request,
    timeoff_cancel,
    timeoff_decide,
    timeoff_request,
)
from fleet.services.vehicles import odometer_record, vehicle_register, vehicle_transition, vehicle_update

__all__ = [
    "DRIVER_CSV_COLUMNS", "driver_create", "driver_import", "driver_import_preview", "driver_invite_user",
    "driver_transition", "driver_update", "fleet_expiry_run", "odometer_record", "policy_create", "policy_delete",
    "policy_update", "vehicle_register", "vehicle_transition", "vehicle_update",
    "Work", "availability_exception_set", "availability_set_pattern", "driver_may_work", "hours_rule_for",
    "roster_copy_week", "rule_state", "shift_create", "shift_delete", "swap_decide", "swap_request", "timeoff_cancel",
    "timeoff_decide", "timeoff_request",
]
