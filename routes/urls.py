from django.urls import path

from routes.views import day, live, manifest, night, planning, roster

app_name = "routes"

urlpatterns = [
    path("stations/", planning.station_list, name="station_list"),
    path("stations/<slug:code>/", planning.plan_detail, name="plan_detail"),
    path("stations/<slug:code>/build/", planning.plan_build, name="plan_build"),
    path("stations/<slug:code>/progress/", planning.plan_progress, name="plan_progress"),
    path("stations/<slug:code>/publish/", planning.plan_publish, name="plan_publish"),
    path("stations/<slug:code>/manifest/", manifest.manifest_upload, name="manifest_upload"),
    path("stations/<slug:code>/manifest/<int:pk>/", manifest.manifest_import, name="manifest_import"),
    path("runs/", night.planning_runs, name="planning_runs"),
    path("runs/<int:pk>/", night.planning_runs, name="planning_night"),
    path("dispatch/", day.dispatch, name="dispatch"),
    path("dispatch/auto-assign/", day.auto_assign, name="auto_assign"),
    path("routes/<int:pk>/assign/", day.route_assign, name="route_assign"),
    path("routes/<int:pk>/manifest/", day.route_manifest, name="route_manifest"),
    path("today/", day.today, name="today"),
    path("stops/<int:pk>/outcome/", day.stop_outcome, name="stop_outcome"),
    path("stops/<int:pk>/photo/", day.stop_photo, name="stop_photo"),
    path("live/", live.board, name="board"),
    path("live/board/", live.board_live, name="board_live"),
    path("live/routes/<int:pk>/", live.route_live, name="route_live"),
    path("live/routes/<int:pk>/rescue/", live.route_rescue, name="route_rescue"),
    path("live/routes/<int:pk>/callout/", live.route_callout_view, name="route_callout"),
    path("roster/", roster.roster_page, name="roster"),
    path("roster/shifts/", roster.roster_shift_add, name="roster_shift_add"),
    path("roster/shifts/<int:pk>/delete/", roster.roster_shift_delete, name="roster_shift_delete"),
    path("roster/copy-forward/", roster.roster_copy_week, name="roster_copy_week"),
    path("roster/time-off/<int:pk>/decide/", roster.roster_timeoff_decide, name="roster_timeoff_decide"),
    path("roster/swaps/<int:pk>/decide/", roster.roster_swap_decide, name="roster_swap_decide"),
    path("roster/drivers/<int:driver_id>/availability/", roster.roster_availability,
         name="roster_availability"),
    path("roster/drivers/<int:driver_id>/exception/", roster.roster_availability_exception,
         name="roster_availability_exception"),
    path("my-week/", roster.my_week, name="my_week"),
    path("my-week/time-off/", roster.my_timeoff_request, name="my_timeoff_request"),
    path("my-week/time-off/<int:pk>/cancel/", roster.my_timeoff_cancel, name="my_timeoff_cancel"),
    path("my-week/shifts/<int:pk>/swap/", roster.my_shift_swap, name="my_shift_swap"),
]
