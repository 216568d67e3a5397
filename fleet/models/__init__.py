"""Fleet models, one module per area."""

from fleet.models.drivers import DRIVER_WORKFLOW, CheckStatus, Driver, DriverEvent, LicenceClass
from fleet.models.insurance import Coverage, ExpiryReminder, InsurancePolicy
from fleet.models.roster import (
    SWAP_WORKFLOW,
    TIME_OFF_WORKFLOW,
    Availability,
    HoursRule,
    Shift,
    ShiftSwap,
    ShiftSwapEvent,
    TimeOff,
    TimeOffEvent,
)
from fleet.models.vehicles import VEHICLE_WORKFLOW, Acquisition, OdometerReading, Vehicle, VehicleEvent

__all__ = [
    "DRIVER_WORKFLOW", "VEHICLE_WORKFLOW", "Acquisition", "CheckStatus", "Coverage", "Driver", "DriverEvent",
    "ExpiryReminder", "InsurancePolicy", "LicenceClass", "OdometerReading", "Vehicle", "VehicleEvent",
    "SWAP_WORKFLOW", "TIME_OFF_WORKFLOW", "Availability", "HoursRule", "Shift", "ShiftSwap", "ShiftSwapEvent",
    "TimeOff", "TimeOffEvent",
]
