"""REST: scorecards and statements for the partner (its own) and the program (all), cursor-paginated;
dispute a line; resolve a dispute. Another partner's id is 404."""

from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from core.idempotency import idempotent
from core.parsers import JSONParser
from performance import selectors
from performance.serializers import (
    DisputeCreateSerializer,
    DisputeResolveSerializer,
    DisputeSerializer,
    PartnerStatementDetailSerializer,
    PartnerStatementSerializer,
    ScorecardSerializer,
)
from performance.services.statements import dispute_resolve, statement_dispute


class ScorecardListView(generics.ListAPIView):
    api_area = "performance"
    permission_required = "performance.read"
    serializer_class = ScorecardSerializer
    filterset_fields = ["week_start", "tier", "partner"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ScorecardSerializer.Meta.model.objects.none()
        return selectors.scorecard_list(fetched_by=self.request.user).prefetch_related("drivers")


class ScorecardDetailView(APIView):
    api_area = "performance"
    permission_required = "performance.read"

    @extend_schema(responses=ScorecardSerializer)
    def get(self, request, pk):
        return Response(ScorecardSerializer(selectors.scorecard_get(user=request.user, scorecard_id=pk)).data)


class StatementListView(generics.ListAPIView):
    api_area = "performance"
    permission_required = "performance.read"
    serializer_class = PartnerStatementSerializer
    filterset_fields = ["week_start", "status", "partner"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return PartnerStatementSerializer.Meta.model.objects.none()
        return selectors.statement_list(fetched_by=self.request.user)


class StatementDetailView(APIView):
    api_area = "performance"
    permission_required = "performance.read"

    @extend_schema(responses=PartnerStatementDetailSerializer)
    def get(self, request, pk):
        statement = selectors.statement_get(user=request.user, statement_id=pk)
        data = PartnerStatementDetailSerializer(statement).data
        data["lines"] = PartnerStatementDetailSerializer().fields["lines"].to_representation(
            selectors.statement_lines(statement=statement))
        return Response(data)


class StatementDisputeView(APIView):
    api_area = "performance"
    permission_required = "performance.dispute"
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(request=DisputeCreateSerializer, responses={201: DisputeSerializer},
                   summary="Dispute a line of an issued statement (within the window)")
    @idempotent
    def post(self, request, pk):
        statement = selectors.statement_get(user=request.user, statement_id=pk)
        data = DisputeCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        dispute = statement_dispute(statement=statement, line_id=data.validated_data["line"],
                                    reason=data.validated_data["reason"],
                                    attachment=data.validated_data.get("attachment"), by=request.user)
        return Response(DisputeSerializer(dispute).data, status=status.HTTP_201_CREATED)


class DisputeResolveView(APIView):
    api_area = "performance"
    permission_required = "performance.manage"

    @extend_schema(request=DisputeResolveSerializer, responses=DisputeSerializer,
                   summary="Resolve a dispute with an adjustment line (program admins)")
    def post(self, request, pk):
        dispute = selectors.dispute_get(user=request.user, dispute_id=pk)
        data = DisputeResolveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        dispute = dispute_resolve(dispute=dispute, adjustment=data.validated_data["adjustment"],
                                  note=data.validated_data["note"], by=request.user)
        return Response(DisputeSerializer(dispute).data)
