from django.urls import path
from rest_framework.routers import SimpleRouter

from fleet import api

router = SimpleRouter()
router.register("fleet/vehicles", api.VehicleViewSet, basename="fleet-vehicle")
router.register("fleet/drivers", api.DriverViewSet, basename="fleet-driver")
router.register("fleet/policies", api.PolicyViewSet, basename="fleet-policy")

urlpatterns = [
    path("fleet/compliance/", api.ComplianceView.as_view(), name="fleet-compliance"),
    path("fleet/compliance/overview/", api.ComplianceOverviewView.as_view(), name="fleet-compliance-overview"),
    path("fleet/assignable/", api.AssignableView.as_view(), name="fleet-assignable"),
    *router.urls,
]
