from django.urls import path

from routes import views, views_live, views_manifest, views_ops

app_name = "routes"

urlpatterns = [
    path("stations/", views.station_list, name="station_list"),
    path("stations/<slug:code>/", views.plan_detail, name="plan_detail"),
    path("stations/<slug:code>/build/", views.plan_build, name="plan_build"),
    path("stations/<slug:code>/progress/", views.plan_progress, name="plan_progress"),
    path("stations/<slug:code>/publish/", views.plan_publish, name="plan_publish"),
    path("stations/<slug:code>/manifest/", views_manifest.manifest_upload, name="manifest_upload"),
    path("stations/<slug:code>/manifest/<int:pk>/", views_manifest.manifest_import, name="manifest_import"),
    path("runs/", views.planning_runs, name="planning_runs"),
    path("dispatch/", views_ops.dispatch, name="dispatch"),
    path("dispatch/auto-assign/", views_ops.auto_assign, name="auto_assign"),
    path("routes/<int:pk>/assign/", views_ops.route_assign, name="route_assign"),
    path("routes/<int:pk>/manifest/", views_ops.route_manifest, name="route_manifest"),
    path("today/", views_ops.today, name="today"),
    path("stops/<int:pk>/outcome/", views_ops.stop_outcome, name="stop_outcome"),
    path("stops/<int:pk>/photo/", views_ops.stop_photo, name="stop_photo"),
    path("live/", views_live.board, name="board"),
    path("live/board/", views_live.board_live, name="board_live"),
    path("live/routes/<int:pk>/", views_live.route_live, name="route_live"),
    path("live/routes/<int:pk>/rescue/", views_live.route_rescue, name="route_rescue"),
    path("live/routes/<int:pk>/callout/", views_live.route_callout_view, name="route_callout"),
]
