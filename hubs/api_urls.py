from django.urls import path

from hubs import api

urlpatterns = [
    path("hubs/enrollment/", api.EnrollmentView.as_view(), name="api-hub-enrollment"),
    path("hubs/parcels/", api.ParcelListView.as_view(), name="api-hub-parcels"),
    path("hubs/parcels/<int:pk>/", api.ParcelDetailView.as_view(), name="api-hub-parcel"),
    path("hubs/parcels/<int:pk>/outcome/", api.ParcelOutcomeView.as_view(), name="api-hub-parcel-outcome"),
    path("hubs/outcomes/batch/", api.OutcomeBatchView.as_view(), name="api-hub-outcome-batch"),
    path("hubs/statements/", api.StatementListView.as_view(), name="api-hub-statements"),
    path("hubs/statements/<int:pk>/", api.StatementDetailView.as_view(), name="api-hub-statement"),
    path("hubs/admin/hubs/", api.AdminHubListView.as_view(), name="api-hub-admin-list"),
    path("hubs/admin/hubs/<int:pk>/decide/", api.AdminHubDecideView.as_view(), name="api-hub-admin-decide"),
    path("hubs/allocations/", api.AllocationView.as_view(), name="api-hub-allocations"),
    path("hubs/coverage/", api.CoverageView.as_view(), name="api-hub-coverage"),
]
