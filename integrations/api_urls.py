from django.urls import path
from rest_framework.routers import SimpleRouter

from integrations import api

api_area = "webhooks"

router = SimpleRouter()
router.register("webhooks/subscriptions", api.WebhookSubscriptionViewSet, basename="api-webhook-subscription")
router.register("webhooks/deliveries", api.WebhookDeliveryViewSet, basename="api-webhook-delivery")

urlpatterns = [
    path("webhooks/event-types/", api.EventTypeListView.as_view(), name="api-webhook-event-types"),
    *router.urls,
]
