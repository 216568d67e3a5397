from django.contrib import admin
from django.contrib.auth.decorators import login_required
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.permissions import AllowAny

from core.offline_views import service_worker
from dsp_portal import metrics, views

# The Django admin signs in through allauth, so MFA and verification apply there too.
admin.site.login = login_required(admin.site.login)
admin.site.site_header = "DSP Portal administration"
admin.site.site_title = "DSP Portal admin"

urlpatterns = [
    path("api/v1/", include("dsp_portal.api_urls")),  # first: the busiest paths, and no page shares its prefix
    path("", views.landing, name="landing"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("console/", views.console, name="console"),
    path("favicon.ico", views.favicon),
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("metrics", metrics.metrics, name="metrics"),
    path("sw.js", service_worker, name="offline-service-worker"),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("account/", include("accounts.urls")),
    path("payments/", include("payments.urls")),
    path("onboarding/", include("onboarding.urls")),
    path("fleet/", include("fleet.urls")),
    path("fleet/", include("procurement.urls")),  # procurement pages kept their /fleet/ paths
    path("hubs/", include("hubs.urls")),
    path("routes/", include("routes.urls")),
    path("performance/", include("performance.urls")),
    path("integrations/", include("integrations.urls")),
    path("t/", include("routes.urls_track")),  # the recipient's tracking link (public, signed)
    path("api/schema/", SpectacularAPIView.as_view(permission_classes=[AllowAny]), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema", permission_classes=[AllowAny]),
         name="api-docs"),
]

handler400 = "dsp_portal.views.bad_request"
handler403 = "dsp_portal.views.permission_denied"
handler404 = "dsp_portal.views.page_not_found"
handler500 = "dsp_portal.views.server_error"
