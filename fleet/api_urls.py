from django.urls import path
from rest_framework.routers import SimpleRouter

from fleet import api, api_roster
from fleet.upkeep import api as upkeep_api

router = SimpleRouter()
router.register("fleet/vehicles", api.VehicleViewSet, basename="fleet-vehicle")
router.register("fleet/drivers", api.DriverViewSet, basename="fleet-driver")
router.register("fleet/policies", api.PolicyViewSet, basename="fleet-policy")
router.register("fleet/inspections", upkeep_api.InspectionViewSet, basename="fleet-inspection")
router.register("fleet/work-orders", upkeep_api.WorkOrderViewSet, basename="fleet-work-order")
router.register("fleet/maintenance-schedules", upkeep_api.MaintenanceScheduleViewSet, basename="fleet-schedule")
router.register("fleet/shifts", api_roster.ShiftViewSet, basename="fleet-shift")
router.register("fleet/availability", api_roster.AvailabilityViewSet, basename="fleet-availability")
router.register("fleet/time-off", api_roster.TimeOffViewSet, basename="fleet-timeoff")
router.register("fleet/shift-swaps", api_roster.SwapViewSet, basename="fleet-swap")

urlpatterns = [
    path("fleet/compliance/", api.ComplianceView.as_view(), name="fleet-compliance"),
    path("fleet/compliance/overview/", api.ComplianceOverviewView.as_view(), name="fleet-compliance-overview"),
    path("fleet/assignable/", api.AssignableView.as_view(), name="fleet-assignable"),
    path("fleet/checklist/", upkeep_api.ChecklistView.as_view(), name="fleet-checklist"),
    # before the router: "batch" is no inspection id
    path("fleet/inspections/batch/", upkeep_api.InspectionBatchView.as_view(), name="fleet-inspection-batch"),
    *router.urls,
]
