from django.urls import path
from rest_framework.routers import SimpleRouter

from accounts import api

router = SimpleRouter()
router.register("tokens", api.ApiTokenViewSet, basename="api-token")

urlpatterns = [path("me/", api.MeView.as_view(), name="api-me"), *router.urls]
