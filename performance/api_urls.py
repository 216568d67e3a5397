from django.urls import path

from performance import api

urlpatterns = [
    path("performance/scorecards/", api.ScorecardListView.as_view(), name="api-performance-scorecards"),
    path("performance/scorecards/<int:pk>/", api.ScorecardDetailView.as_view(), name="api-performance-scorecard"),
    path("performance/statements/", api.StatementListView.as_view(), name="api-performance-statements"),
    path("performance/statements/<int:pk>/", api.StatementDetailView.as_view(), name="api-performance-statement"),
    path("performance/statements/<int:pk>/disputes/", api.StatementDisputeView.as_view(),
         name="api-performance-statement-dispute"),
    path("performance/disputes/<int:pk>/resolve/", api.DisputeResolveView.as_view(),
         name="api-performance-dispute-resolve"),
]
