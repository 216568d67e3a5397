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
from fleet.models.upkeep import (
    BLOCKING,
    WORK_ORDER_WORKFLOW,
    ChecklistItem,
    Defect,
    Inspection,
    MaintenanceSchedule,
    Severity,
    UpkeepPhoto,
    WorkOrder,
    WorkOrderEvent,
)
from fleet.models.vehicles import VEHICLE_WORKFLOW, Acquisition, OdometerReading, Vehicle, VehicleEvent

__all__ = [
    "DRIVER_WORKFLOW", "VEHICLE_WORKFLOW", "Acquisition", "CheckStatus", "Coverage", "Driver", "DriverEvent",
    "ExpiryReminder", "InsurancePolicy", "LicenceClass", "OdometerReading", "Vehicle", "VehicleEvent",
    "BLOCKING", "WORK_ORDER_WORKFLOW", "ChecklistItem", "Defect", "Inspection", "MaintenanceSchedule", "Severity",
    "UpkeepPhoto", "WorkOrder", "WorkOrderEvent",
    "SWAP_WORKFLOW", "TIME_OFF_WORKFLOW", "Availability", "HoursRule", "Shift", "ShiftSwap", "ShiftSwapEvent",
    "TimeOff", "TimeOffEvent",
]
