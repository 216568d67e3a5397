"""`/api/v1/`: each app owns its own `api_urls.py`; this file only mounts them.

The apps' paths never overlap, so the order only decides how much is tried before a match: Django's resolver walks
the includes in order and, for every include that misses, builds the list of everything it tried. The busiest
APIs (drivers' routes, hubs' parcels, fleets) come first; a request for them tries nothing else."""

from django.urls import include, path

urlpatterns = [
    path("", include("routes.api_urls")),
    path("", include("hubs.api_urls")),
    path("", include("fleet.api_urls")),
    path("", include("accounts.api_urls")),
    path("", include("onboarding.api_urls")),
    path("", include("procurement.api_urls")),
    path("", include("performance.api_urls")),
    path("", include("integrations.api_urls")),
]
