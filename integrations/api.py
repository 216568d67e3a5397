"""REST views: thin, like the HTML ones. Another owner's subscription or delivery is a 404."""

from datetime import timedelta

from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from core.idempotency import idempotent
from integrations import selectors, services
from integrations.models import WebhookDelivery, WebhookSubscription
from integrations.serializers import (
    EventTypeSerializer,
    WebhookDeliverySerializer,
    WebhookRotateSerializer,
    WebhookSubscriptionCreateSerializer,
    WebhookSubscriptionSecretSerializer,
    WebhookSubscriptionSerializer,
    WebhookSubscriptionUpdateSerializer,
)

TAG = ["webhooks"]


@extend_schema_view(
    list=extend_schema(tags=TAG, summary="Your webhook subscriptions (program admins: all)"),
    retrieve=extend_schema(tags=TAG, summary="One webhook subscription"),
)
class WebhookSubscriptionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    api_area = "webhooks"
    permission_required = "webhooks.manage"
    serializer_class = WebhookSubscriptionSerializer
    filterset_fields = ["active"]
    queryset = WebhookSubscription.objects.none()  # the schema's model; requests use the scoped selector

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        return selectors.webhook_subscription_list(fetched_by=self.request.user)

    @extend_schema(tags=TAG, summary="Subscribe a URL to event types", request=WebhookSubscriptionCreateSerializer,
                   responses={201: WebhookSubscriptionSecretSerializer},
                   description="The response carries the signing `secret` once. Accepts `Idempotency-Key`.")
    @idempotent
    def create(self, request):
        data = WebhookSubscriptionCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        subscription, _secret = services.webhook_subscription_create(owner=request.user, **data.validated_data)
        return Response(WebhookSubscriptionSecretSerializer(subscription).data, status=status.HTTP_201_CREATED)

    @extend_schema(tags=TAG, summary="Change a subscription (or disable / re-enable it with `active`)",
                   request=WebhookSubscriptionUpdateSerializer, responses=WebhookSubscriptionSerializer)
    def partial_update(self, request, pk=None):
        subscription = self.get_object()
        data = WebhookSubscriptionUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        subscription = services.webhook_subscription_update(subscription=subscription, **data.validated_data)
        return Response(WebhookSubscriptionSerializer(subscription).data)

    @extend_schema(tags=TAG, summary="Delete a subscription and its delivery log",
                   responses={204: OpenApiResponse(description="Deleted.")})
    def destroy(self, request, pk=None):
        services.webhook_subscription_delete(subscription=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(tags=TAG, summary="Rotate the signing secret (the old one keeps signing during the overlap)",
                   request=WebhookRotateSerializer, responses=WebhookSubscriptionSecretSerializer)
    @action(detail=True, methods=["post"])
    def rotate(self, request, pk=None):
        subscription = self.get_object()
        data = WebhookRotateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        hours = data.validated_data.get("overlap_hours")
        subscription, _secret = services.webhook_secret_rotate(
            subscription=subscription, overlap=None if hours is None else timedelta(hours=hours))
        return Response(WebhookSubscriptionSecretSerializer(subscription).data)


@extend_schema_view(
    list=extend_schema(tags=TAG, summary="Deliveries with their attempts, newest first"),
    retrieve=extend_schema(tags=TAG, summary="One delivery with its attempts"),
)
class WebhookDeliveryViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    api_area = "webhooks"
    permission_required = "webhooks.manage"
    serializer_class = WebhookDeliverySerializer
    filterset_fields = ["subscription", "status"]
    queryset = WebhookDelivery.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        return selectors.webhook_delivery_list(fetched_by=self.request.user)

    @extend_schema(tags=TAG, summary="Send this delivery again now", request=None,
                   responses={202: WebhookDeliverySerializer})
    @action(detail=True, methods=["post"])
    def redeliver(self, request, pk=None):
        delivery = services.webhook_delivery_redeliver(delivery=self.get_object())
        delivery.refresh_from_db()
        return Response(WebhookDeliverySerializer(delivery).data, status=status.HTTP_202_ACCEPTED)


class EventTypeListView(APIView):
    """The event catalogue: every type a subscription can ask for, with the shape of its `data`."""

    api_area = "webhooks"
    permission_required = "webhooks.manage"

    @extend_schema(tags=TAG, summary="Event types and their payload shapes", responses=EventTypeSerializer(many=True))
    def get(self, request):
        return Response(EventTypeSerializer(selectors.event_type_catalogue(), many=True).data)
