"""REST views: thin, like the HTML ones. A hub owner sees only their hub; another hub's ids are 404."""

from dataclasses import asdict
from datetime import date

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import FIELDS_PARAM_DESCRIPTION, ComputedOrderPagination, CursorPagination, ValuesListMixin
from core.compiled import PROBE_ID
from core.dates import parse_day
from core.errors import ValidationFailed
from core.idempotency import idempotent
from core.parsers import JSONParser
from hubs import selectors, services
from hubs.models import Hub
from hubs.serializers import (
    AdminHubSerializer,
    AllocationSerializer,
    CoverageSerializer,
    DecisionSerializer,
    EnrollmentSerializer,
    HubSerializer,
    OutcomeBatchSerializer,
    OutcomeResultSerializer,
    ParcelSerializer,
    SingleOutcomeSerializer,
    StatementSerializer,
    outcome_items_validated,
)
from hubs.services import OutcomeItem


def _date(value, *, field="date", default=None):
    return parse_day(value, field=field, default=default)


class EnrollmentView(APIView):
    api_area = "hubs"
    permission_required = {"GET": "hubs.operate", "POST": "hubs.enroll"}

    @extend_schema(responses=HubSerializer, summary="Your hub and its status")
    def get(self, request):
        return Response(HubSerializer(selectors.hub_get_for_owner(user=request.user)).data)

    @extend_schema(request=EnrollmentSerializer, responses={201: HubSerializer}, summary="Enroll a business")
    @idempotent
    def post(self, request):
        data = EnrollmentSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        join = fields.pop("join_waitlist")
        hub = services.hub_enroll(owner=request.user, data=fields, join_waitlist=join)
        return Response(HubSerializer(hub).data, status=status.HTTP_201_CREATED)


class ParcelPagination(CursorPagination):
    """A hub's day by tracking id (a 1,000-parcel day is 20 pages of 50, not one 350 KB answer)."""

    ordering = ("tracking_id", "id")


class ParcelListView(ValuesListMixin, generics.ListAPIView):
    """A day's parcels of your hub, read from values() and shaped like `ParcelSerializer`; `?fields=` selects."""

    api_area = "hubs"
    permission_required = "hubs.operate"
    serializer_class = ParcelSerializer
    pagination_class = ParcelPagination
    list_fields = tuple(ParcelSerializer.Meta.fields)
    # `has_photo` is finished in Python from the file's name (empty when there is none): the SQL expression for it
    # cost a third more to compile than the rest of the query.
    list_values = {"has_photo": "proof_photo"}

    @extend_schema(parameters=[OpenApiParameter("date", str, description="Service date; default: the hub's today"),
                               OpenApiParameter("fields", str, description=FIELDS_PARAM_DESCRIPTION)])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ParcelSerializer.Meta.model.objects.none()
        return self.list_queryset(None, *self.list_compiled()[1])

    # The page's SQL is compiled once (core.api.CompiledPage); the request binds its day and the caller's id.
    list_probes = (date(1900, 1, 1), PROBE_ID)

    def list_compiled(self):
        day = _date(self.request.query_params.get("date"))
        if day is None:  # the hub's own today: its time zone says which day that is
            day = selectors.hub_get_for_owner(user=self.request.user).local_today()
        return None, (day, self.request.user.pk)

    @classmethod
    def list_queryset(cls, shape, day, user_id):
        # Scoped in the list's own statement: the hub costs no query of its own (checked if the page is empty).
        return selectors.parcels_for_day(hub=selectors.hub_scope_of(user_id), service_date=day)

    def list_extend(self, rows):
        if rows and "has_photo" in rows[0]:
            for row in rows:
                row["has_photo"] = bool(row["has_photo"])

    def list_empty(self):
        selectors.hub_get_for_owner(user=self.request.user)  # someone with no hub gets a 404, not an empty list


class ParcelDetailView(APIView):
    api_area = "hubs"
    permission_required = "hubs.operate"

    @extend_schema(responses=ParcelSerializer)
    def get(self, request, pk):
        return Response(ParcelSerializer(selectors.parcel_get_for_owner(user=request.user, parcel_id=pk)).data)


class ParcelOutcomeView(APIView):
    """One outcome for one parcel, optionally with a proof-of-delivery photo (multipart)."""

    api_area = "hubs"
    permission_required = "hubs.operate"
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(request=SingleOutcomeSerializer, responses=OutcomeResultSerializer)
    @idempotent
    def post(self, request, pk):
        parcel = selectors.parcel_get_for_owner(user=request.user, parcel_id=pk)
        data = SingleOutcomeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        item = OutcomeItem(tracking_id=parcel.tracking_id, **{**data.validated_data,
                                                              "service_date": parcel.service_date})
        [result] = services.parcel_outcomes_record(hub=parcel.hub, items=[item], actor=request.user)
        if result.result == "rejected":
            code = 404 if result.code == "not_found" else 409 if result.code == "invalid_transition" else 400
            return Response({"code": result.code, "detail": result.detail, "fields": {}}, status=code)
        return Response(asdict(result))


class OutcomeBatchView(APIView):
    """A batch of outcomes from the phone's queue. Each item carries a client-generated id: an item
    already applied answers `duplicate` and changes nothing, so a resent batch is harmless."""

    api_area = "hubs"
    permission_required = "hubs.operate"

    @extend_schema(request=OutcomeBatchSerializer, responses=OutcomeResultSerializer(many=True))
    @idempotent(atomic=True)
    def post(self, request):
        hub = selectors.hub_get_for_owner(user=request.user)
        items = [OutcomeItem(**item) for item in outcome_items_validated(request.data)]
        results = services.parcel_outcomes_record(hub=hub, items=items, actor=request.user)
        return Response({"results": [dict(vars(r)) for r in results]})  # flat dataclasses: no deep asdict


class StatementListView(generics.ListAPIView):
    api_area = "hubs"
    permission_required = "hubs.operate"
    serializer_class = StatementSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return StatementSerializer.Meta.model.objects.none()
        return selectors.statements_for_hub(hub=selectors.hub_get_for_owner(user=self.request.user))


class StatementDetailView(APIView):
    api_area = "hubs"
    permission_required = "hubs.operate"

    @extend_schema(responses=StatementSerializer)
    def get(self, request, pk):
        return Response(StatementSerializer(selectors.statement_get_for_owner(user=request.user, statement_id=pk)).data)


class AdminHubListView(generics.ListAPIView):
    api_area = "hubs"
    permission_required = "hubs.review"
    serializer_class = AdminHubSerializer
    filterset_fields = ["status", "state", "kind"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Hub.objects.none()
        return selectors.hub_review_list().order_by("-pk")


class AdminHubDecideView(APIView):
    api_area = "hubs"
    permission_required = "hubs.review"

    @extend_schema(request=DecisionSerializer, responses=HubSerializer)
    def post(self, request, pk):
        data = DecisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        hub = services.hub_decide(hub=get_object_or_404(Hub, pk=pk), to=data.validated_data["decision"],
                                  decided_by=request.user, note=data.validated_data["note"])
        return Response(HubSerializer(hub).data)


class AllocationView(APIView):
    """For the routing side and integrators: give a hub its parcels for a service day."""

    api_area = "hubs"
    permission_required = "hubs.allocate"

    @extend_schema(request=AllocationSerializer, responses={201: ParcelSerializer(many=True)})
    @idempotent
    def post(self, request):
        data = AllocationSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        hub = get_object_or_404(Hub, pk=data.validated_data["hub"])
        parcels = services.parcels_allocate(hub=hub, service_date=data.validated_data["service_date"],
                                            parcels=data.validated_data["parcels"])
        return Response(ParcelSerializer(parcels, many=True).data, status=status.HTTP_201_CREATED)


class CoverageView(generics.GenericAPIView):
    """Which active hubs cover a point on a day, and how much room they have: nearest first, in numbered pages.

    Not cursor-paged: the order is the distance from the point the client gives, which no stored column holds, so a
    cursor has no position to point at. The selector bounds the list (hubs whose own radius covers the point)."""

    api_area = "hubs"
    permission_required = "hubs.allocate"
    pagination_class = ComputedOrderPagination
    serializer_class = CoverageSerializer
    queryset = Hub.objects.none()  # for the schema; the selector finds the hubs

    @extend_schema(parameters=[OpenApiParameter("latitude", float, required=True),
                               OpenApiParameter("longitude", float, required=True),
                               OpenApiParameter("date", str, required=True)],
                   responses=CoverageSerializer(many=True))
    def get(self, request):
        try:
            lat = float(request.query_params["latitude"])
            lng = float(request.query_params["longitude"])
        except (KeyError, ValueError):
            raise ValidationFailed("latitude and longitude are required numbers.",
                                   fields={"latitude": ["invalid"]}) from None
        if not (-90 <= lat <= 90 and -180 <= lng <= 180):
            raise ValidationFailed("Coordinates out of range.", fields={"latitude": ["out_of_range"]})
        day = _date(request.query_params.get("date"))
        if day is None:
            raise ValidationFailed("date is required.", fields={"date": ["required"]})
        found = selectors.hubs_active_near(latitude=lat, longitude=lng, service_date=day)
        page = self.paginate_queryset(found)
        return self.get_paginated_response(CoverageSerializer(page, many=True).data)
