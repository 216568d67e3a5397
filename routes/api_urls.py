from django.urls import path
from rest_framework.routers import SimpleRouter

from routes.api import live, nights, plans

router = SimpleRouter()
router.register("routes/stations", plans.StationViewSet, basename="api-route-station")

urlpatterns = [
    path("routes/stations/<slug:code>/manifests/", plans.ManifestImportView.as_view(), name="api-route-manifests"),
    path("routes/stations/<slug:code>/plans/", plans.StationPlansView.as_view(), name="api-route-station-plans"),
    path("routes/plans/<int:pk>/", plans.PlanDetailView.as_view(), name="api-route-plan"),
    path("routes/jobs/<int:pk>/", plans.JobDetailView.as_view(), name="api-route-job"),
    path("routes/plans/<int:pk>/publish/", plans.PlanPublishView.as_view(), name="api-route-plan-publish"),
    path("routes/routes/", plans.RouteListView.as_view(), name="api-route-list"),
    path("routes/routes/<int:pk>/", plans.RouteDetailView.as_view(), name="api-route-detail"),
    path("routes/routes/<int:pk>/assignment/", plans.RouteAssignmentView.as_view(), name="api-route-assignment"),
    path("routes/stops/<int:pk>/outcome/", plans.StopOutcomeView.as_view(), name="api-route-stop-outcome"),
    path("routes/nights/", nights.NightListView.as_view(), name="api-route-nights"),
    path("routes/nights/<int:pk>/", nights.NightDetailView.as_view(), name="api-route-night"),
    path("routes/nights/<int:pk>/stations/", nights.NightRunListView.as_view(), name="api-route-night-stations"),
    path("routes/driver/batch/", plans.DriverBatchView.as_view(), name="api-driver-batch"),
    path("routes/routes/<int:pk>/positions/", live.RoutePositionsView.as_view(), name="api-route-positions"),
    path("routes/routes/<int:pk>/track/", live.RouteTrackView.as_view(), name="api-route-track"),
    path("routes/routes/<int:pk>/rescue/", live.RescueView.as_view(), name="api-route-rescue"),
    path("routes/routes/<int:pk>/reassign/", live.ReassignView.as_view(), name="api-route-reassign"),
    path("routes/board/", live.BoardView.as_view(), name="api-route-board"),
    path("tracking/<str:token>/", live.TrackingView.as_view(), name="api-tracking"),
    path("tracking/<str:token>/feedback/", live.TrackingFeedbackView.as_view(), name="api-tracking-feedback"),
    *router.urls,
]
