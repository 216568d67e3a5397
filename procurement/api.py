"""Procurement REST API (`api_area = "procurement"`): catalog read, the partner's quote and orders, admin decisions.

Partners see only their own orders (another partner's is 404); decisions and fulfilment need orders.decide."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import CursorPagination
from core.errors import Conflict
from core.idempotency import idempotent
from core.serializers import validated
from onboarding.selectors import partner_for_user
from procurement import selectors as sel
from procurement import services as svc
from procurement.models import Order
from procurement.serializers import (
    CatalogItemSerializer,
    FulfilSerializer,
    LineInputSerializer,
    OrderSerializer,
    ReasonSerializer,
)


class CatalogPagination(CursorPagination):
    ordering = ("name", "pk")


def _order_data(order):
    order = Order.objects.select_related("deposit_payment").prefetch_related("lines", "events").get(pk=order.pk)
    return OrderSerializer(order).data


class _Procurement(APIView):
    api_area = "procurement"


class CatalogListView(_Procurement, generics.ListAPIView):
    """Offered items, with the program price for your company (list price minus every rule that applies)."""

    permission_required = "catalog.view"
    serializer_class = CatalogItemSerializer
    pagination_class = CatalogPagination

    def get_queryset(self):
        return sel.catalog_list(filters=self.request.query_params)

    @extend_schema(parameters=[OpenApiParameter("kind", str), OpenApiParameter("category", str),
                               OpenApiParameter("vendor", int), OpenApiParameter("q", str)])
    def get(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        prices = sel.catalog_price_preview(items=page, partner=partner_for_user(user=request.user))
        return self.get_paginated_response(CatalogItemSerializer(page, many=True, context={"prices": prices}).data)


class CatalogItemView(_Procurement):
    permission_required = "catalog.view"

    @extend_schema(responses=CatalogItemSerializer)
    def get(self, request, item_id):
        item = sel.catalog_item_get(item_id=item_id)
        prices = sel.catalog_price_preview(items=[item], partner=partner_for_user(user=request.user))
        return Response(CatalogItemSerializer(item, context={"prices": prices}).data)


class QuoteView(_Procurement):
    """Your quote (cart). GET shows it re-priced now; POST puts an item on it; the submit action places it."""

    permission_required = "orders.place"

    @extend_schema(responses=OrderSerializer)
    def get(self, request):
        partner = sel.buyer_partner_for_user(user=request.user)
        order = svc.quote_get_or_create(partner=partner, by=request.user)
        return Response(_order_data(svc.order_reprice(order=order)))

    @extend_schema(request=LineInputSerializer, responses={201: OrderSerializer})
    @idempotent
    def post(self, request):
        data = validated(LineInputSerializer, request.data)
        partner = sel.buyer_partner_for_user(user=request.user)
        item = sel.catalog_item_get(item_id=data["item"])
        line = svc.quote_line_set(partner=partner, item=item, quantity=data["quantity"], periods=data.get("periods"),
                                  by=request.user)
        return Response(_order_data(line.order), status=status.HTTP_201_CREATED)


class QuoteLineView(_Procurement):
    permission_required = "orders.place"

    @extend_schema(responses=OrderSerializer)
    def delete(self, request, line_id):
        partner = sel.buyer_partner_for_user(user=request.user)
        return Response(_order_data(svc.quote_line_remove(partner=partner, line_id=line_id, by=request.user)))


class QuoteSubmitView(_Procurement):
    permission_required = "orders.place"

    @extend_schema(request=None, responses={201: OrderSerializer})
    @idempotent
    def post(self, request):
        partner = sel.buyer_partner_for_user(user=request.user)
        quote = sel.quote_for(partner=partner)
        if quote is None:
            raise Conflict(_("You have no quote in progress."), code="no_quote")
        return Response(_order_data(svc.order_submit(order=quote, by=request.user)), status=status.HTTP_201_CREATED)


class OrderListView(_Procurement, generics.ListAPIView):
    """Partners: your orders. Program admins: every placed order (`?status=submitted` for the queue)."""

    permission_required = "catalog.view"
    serializer_class = OrderSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Order.objects.none()
        return sel.order_list(fetched_by=self.request.user, filters=self.request.query_params).prefetch_related(
            "lines", "events")

    @extend_schema(parameters=[OpenApiParameter("status", str), OpenApiParameter("partner", int)])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class OrderDetailView(_Procurement):
    permission_required = "catalog.view"

    @extend_schema(responses=OrderSerializer)
    def get(self, request, order_id):
        return Response(_order_data(sel.order_get(user=request.user, order_id=order_id)))


class OrderCancelView(_Procurement):
    permission_required = "orders.place"

    @extend_schema(request=ReasonSerializer, responses=OrderSerializer)
    def post(self, request, order_id):
        order = sel.order_get(user=request.user, order_id=order_id)
        data = validated(ReasonSerializer, request.data)
        return Response(_order_data(svc.order_cancel(order=order, by=request.user, note=data["reason"])))


class OrderDepositView(_Procurement):
    """Start paying the deposit: a Stripe PaymentIntent whose `client_secret` Stripe.js confirms."""

    permission_required = "orders.place"

    @extend_schema(request=None, responses={201: dict})
    @idempotent
    def post(self, request, order_id):
        order = sel.order_get(user=request.user, order_id=order_id)
        payment = svc.order_deposit_start(order=order, by=request.user)
        return Response({"order": order.pk, "amount": str(payment.amount), "status": payment.status,
                         "payment_intent": payment.stripe_payment_intent_id,
                         "client_secret": payment.client_secret}, status=status.HTTP_201_CREATED)


class OrderDecisionView(_Procurement):
    permission_required = "orders.decide"
    decision = ""

    @extend_schema(request=ReasonSerializer, responses=OrderSerializer)
    def post(self, request, order_id):
        order = sel.order_get(user=request.user, order_id=order_id)
        note = validated(ReasonSerializer, request.data)["reason"]
        if self.decision == "approve":
            order = svc.order_approve(order=order, by=request.user, note=note)
        else:
            order = svc.order_reject(order=order, by=request.user, note=note)
        return Response(_order_data(order))


class OrderFulfilView(_Procurement):
    permission_required = "orders.decide"

    @extend_schema(request=FulfilSerializer, responses=OrderSerializer)
    def post(self, request, order_id):
        order = sel.order_get(user=request.user, order_id=order_id)
        data = validated(FulfilSerializer, request.data)
        order = svc.order_fulfil(order=order, by=request.user, vans=data.get("vans"), policies=data.get("policies"))
        return Response(_order_data(order))
