from django.urls import path

from fleet import views
from fleet.upkeep import views as upkeep

app_name = "fleet"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("vehicles/", views.vehicle_list, name="vehicle_list"),
    path("vehicles/new/", views.vehicle_create, name="vehicle_create"),
    path("vehicles/<int:vehicle_id>/", views.vehicle_detail, name="vehicle_detail"),
    path("vehicles/<int:vehicle_id>/edit/", views.vehicle_edit, name="vehicle_edit"),
    path("drivers/", views.driver_list, name="driver_list"),
    path("drivers/new/", views.driver_create, name="driver_create"),
    path("drivers/import/", views.driver_import, name="driver_import"),
    path("drivers/<int:driver_id>/", views.driver_detail, name="driver_detail"),
    path("drivers/<int:driver_id>/edit/", views.driver_edit, name="driver_edit"),
    path("insurance/", views.policy_list, name="policy_list"),
    path("insurance/new/", views.policy_create, name="policy_create"),
    path("insurance/<int:policy_id>/", views.policy_detail, name="policy_detail"),
    path("insurance/<int:policy_id>/edit/", views.policy_edit, name="policy_edit"),
    path("compliance/", views.compliance_overview, name="compliance_overview"),
    path("inspect/", upkeep.inspect, name="inspect"),
    path("inspections/", upkeep.inspection_list, name="inspection_list"),
    path("inspections/<int:inspection_id>/", upkeep.inspection_detail, name="inspection_detail"),
    path("upkeep-photos/<int:photo_id>/", upkeep.upkeep_photo, name="upkeep_photo"),
    path("work-orders/", upkeep.work_order_list, name="work_order_list"),
    path("work-orders/new/", upkeep.work_order_create, name="work_order_create"),
    path("work-orders/<int:work_order_id>/", upkeep.work_order_detail, name="work_order_detail"),
    path("maintenance/", upkeep.maintenance_schedules, name="maintenance_schedules"),
]
