"""Fleet models, one module per area (procurement adds its catalog and order modules alongside)."""

from fleet.models.catalog import (
    CatalogItem,
    DiscountType,
    FleetSizeTier,
    ItemCategory,
    ItemKind,
    PriceBasis,
    ProcurementSettings,
    Promotion,
    Vendor,
)
from fleet.models.drivers import DRIVER_WORKFLOW, CheckStatus, Driver, DriverEvent, LicenceClass
from fleet.models.insurance import Coverage, ExpiryReminder, InsurancePolicy
from fleet.models.orders import ORDER_WORKFLOW, Order, OrderEvent, OrderLine
from fleet.models.vehicles import VEHICLE_WORKFLOW, Acquisition, OdometerReading, Vehicle, VehicleEvent

__all__ = [
    "DRIVER_WORKFLOW", "VEHICLE_WORKFLOW", "Acquisition", "CheckStatus", "Coverage", "Driver", "DriverEvent",
    "ExpiryReminder", "InsurancePolicy", "LicenceClass", "OdometerReading", "Vehicle", "VehicleEvent",
    # procurement
    "ORDER_WORKFLOW", "CatalogItem", "DiscountType", "FleetSizeTier", "ItemCategory", "ItemKind", "Order",
    "OrderEvent", "OrderLine", "PriceBasis", "ProcurementSettings", "Promotion", "Vendor",
]
