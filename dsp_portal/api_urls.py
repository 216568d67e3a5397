"""`/api/v1/`: each app owns its own `api_urls.py`; this file only mounts them."""

from django.urls import include, path

urlpatterns = [
    path("", include("accounts.api_urls")),
    path("", include("onboarding.api_urls")),
    path("", include("fleet.api_urls")),
    path("", include("procurement.api_urls")),
    path("", include("hubs.api_urls")),
    path("", include("routes.api_urls")),
    path("", include("performance.api_urls")),
    path("", include("integrations.api_urls")),
]
