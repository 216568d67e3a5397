from django.urls import path
from rest_framework.routers import SimpleRouter

from routes import api, api_live

router = SimpleRouter()
router.register("routes/stations", api.StationViewSet, basename="api-route-station")

urlpatterns = [
    path("routes/stations/<slug:code>/manifests/", api.ManifestImportView.as_view(), name="api-route-manifests"),
    path("routes/stations/<slug:code>/plans/", api.StationPlansView.as_view(), name="api-route-station-plans"),
    path("routes/plans/<int:pk>/", api.PlanDetailView.as_view(), name="api-route-plan"),
    path("routes/jobs/<int:pk>/", api.JobDetailView.as_view(), name="api-route-job"),
    path("routes/plans/<int:pk>/publish/", api.PlanPublishView.as_view(), name="api-route-plan-publish"),
    path("routes/routes/", api.RouteListView.as_view(), name="api-route-list"),
    path("routes/routes/<int:pk>/", api.RouteDetailView.as_view(), name="api-route-detail"),
    path("routes/routes/<int:pk>/assignment/", api.RouteAssignmentView.as_view(), name="api-route-assignment"),
    path("routes/stops/<int:pk>/outcome/", api.StopOutcomeView.as_view(), name="api-route-stop-outcome"),
    path("routes/driver/batch/", api.DriverBatchView.as_view(), name="api-driver-batch"),
    path("routes/routes/<int:pk>/positions/", api_live.RoutePositionsView.as_view(), name="api-route-positions"),
    path("routes/routes/<int:pk>/track/", api_live.RouteTrackView.as_view(), name="api-route-track"),
    path("routes/routes/<int:pk>/rescue/", api_live.RescueView.as_view(), name="api-route-rescue"),
    path("routes/routes/<int:pk>/reassign/", api_live.ReassignView.as_view(), name="api-route-reassign"),
    path("routes/board/", api_live.BoardView.as_view(), name="api-route-board"),
    path("tracking/<str:token>/", api_live.TrackingView.as_view(), name="api-tracking"),
    path("tracking/<str:token>/feedback/", api_live.TrackingFeedbackView.as_view(), name="api-tracking-feedback"),
    *router.urls,
]
