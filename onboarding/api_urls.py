from django.urls import path
from rest_framework.routers import SimpleRouter

from onboarding import api
from onboarding.claims import api as claims_api

router = SimpleRouter()
router.register("applications", api.ApplicationViewSet, basename="api-application")
router.register("partners", api.PartnerViewSet, basename="api-partner")
router.register("regions", api.RegionViewSet, basename="api-region")
router.register("claims", claims_api.ClaimViewSet, basename="api-claim")
router.register("claim-categories", claims_api.ClaimCategoryViewSet, basename="api-claim-category")

urlpatterns = [
    path("applications/<int:application_pk>/documents/<int:pk>/download/",
         api.ApplicationDocumentDownloadView.as_view({"get": "retrieve"}), name="api-application-document-download"),
    *router.urls,
]
