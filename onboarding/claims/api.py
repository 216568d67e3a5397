"""REST for claims (`api_area = "claims"`): owners file and follow theirs; admins list, decide and run payouts.

Another partner's claim is a 404, like on the pages."""

import django_filters
from django.db.models import Prefetch, Q
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, parsers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.errors import NotFound
from core.files import private_file_response
from core.idempotency import idempotent
from core.parsers import JSONParser
from onboarding.claims import payouts, services
from onboarding.claims.models import Claim, ClaimCategory, ClaimEvent
from onboarding.claims.selectors import (
    claim_category_list,
    claim_get,
    claim_list,
    claim_partner_for_owner,
    claim_receipt_get,
    claim_summary,
)
from onboarding.claims.serializers import (
    ClaimCategorySerializer,
    ClaimCreateSerializer,
    ClaimDecisionSerializer,
    ClaimFiledSerializer,
    ClaimReceiptSerializer,
    ClaimSerializer,
    ClaimSummarySerializer,
    PayoutRunSerializer,
    ReceiptUploadSerializer,
)


class ClaimFilter(django_filters.FilterSet):
    category = django_filters.CharFilter(field_name="category__code")
    likely_duplicate = django_filters.BooleanFilter(method="filter_duplicate")
    submitted_after = django_filters.IsoDateTimeFilter(field_name="submitted_at", lookup_expr="gte")

    class Meta:
        model = Claim
        fields = ["status", "partner"]

    def filter_duplicate(self, queryset, name, value):
        flagged = Q(dup_receipt=True) | Q(dup_purchase=True)
        return queryset.filter(flagged) if value else queryset.exclude(flagged)


ACTION_PERMISSIONS = {
    "create": "claims.file", "receipts": "claims.file", "submit": "claims.file", "summary": "claims.file",
    "decide": "claims.review", "payout_run": "claims.review", "retry_payout": "claims.review",
}


def _owned_partner(user):
    partner = claim_partner_for_owner(user=user)
    if partner is None:
        raise NotFound()
    return partner


class ClaimViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Veteran start-up reimbursement claims."""

    api_area = "claims"
    serializer_class = ClaimSerializer
    filterset_class = ClaimFilter
    queryset = Claim.objects.none()  # for the schema; requests use get_queryset
    parser_classes = [JSONParser, parsers.MultiPartParser, parsers.FormParser]

    @property
    def permission_required(self):
        if self.action == "receipts" and self.request.method == "GET":
            return None
        return ACTION_PERMISSIONS.get(self.action)

    def get_queryset(self):
        return claim_list(fetched_by=self.request.user).prefetch_related(
            "receipts", Prefetch("events", queryset=ClaimEvent.objects.select_related("actor")))

    def get_object(self):
        return claim_get(user=self.request.user, claim_id=self.kwargs["pk"])

    def _read(self, claim, status_code=status.HTTP_200_OK, serializer=ClaimSerializer):
        return Response(serializer(self.get_queryset().get(pk=claim.pk)).data, status=status_code)

    @extend_schema(request={"multipart/form-data": ClaimCreateSerializer, "application/json": ClaimCreateSerializer},
                   responses={201: ClaimFiledSerializer}, summary="File a claim (draft, or submitted with submit=true)")
    @idempotent
    def create(self, request):
        data = ClaimCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        receipts = request.FILES.getlist("receipts") if hasattr(request, "FILES") else []
        values["receipts"] = receipts or values.get("receipts", [])
        claim = services.claim_create(partner=_owned_partner(request.user), created_by=request.user, **values)
        return self._read(claim, status.HTTP_201_CREATED, serializer=ClaimFiledSerializer)

    @extend_schema(methods=["GET"], responses=ClaimReceiptSerializer(many=True))
    @extend_schema(methods=["POST"], request={"multipart/form-data": ReceiptUploadSerializer},
                   responses={201: ClaimReceiptSerializer}, summary="Add a receipt to a draft claim")
    @action(detail=True, methods=["get", "post"], pagination_class=None)  # a claim holds a handful: one array
    def receipts(self, request, pk=None):
        claim = self.get_object()
        if request.method == "GET":
            return Response(ClaimReceiptSerializer(claim.receipts.all(), many=True).data)
        return self._upload(request, claim)

    @idempotent
    def _upload(self, request, claim):
        data = ReceiptUploadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        receipt = services.claim_receipt_add(claim=claim, upload=data.validated_data["file"], uploaded_by=request.user)
        return Response(ClaimReceiptSerializer(receipt).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=ClaimFiledSerializer, summary="Submit a draft for review")
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        claim = services.claim_submit(claim=self.get_object(), submitted_by=request.user)
        return self._read(claim, serializer=ClaimFiledSerializer)

    @extend_schema(request=ClaimDecisionSerializer, responses=ClaimSerializer,
                   summary="Admin: approve, approve part (with a reason) or reject (with a reason)")
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        data = ClaimDecisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._read(services.claim_decide(claim=self.get_object(), decided_by=request.user,
                                                **data.validated_data))

    @extend_schema(request=None, responses=ClaimSerializer, summary="Admin: send a failed payout again")
    @action(detail=True, methods=["post"], url_path="retry-payout")
    def retry_payout(self, request, pk=None):
        return self._read(payouts.claim_payout_retry(claim=self.get_object(), actor=request.user))

    @extend_schema(request=None, responses=PayoutRunSerializer,
                   summary="Admin: pay every approved claim now (one transfer per claim, never twice)")
    @action(detail=False, methods=["post"], url_path="payout-run")
    @idempotent
    def payout_run(self, request):
        return Response(payouts.claims_payout_run(actor=request.user).as_dict())

    @extend_schema(responses=ClaimSummarySerializer, summary="Your cap, approved, paid, pending and remaining")
    @action(detail=False, methods=["get"])
    def summary(self, request):
        return Response(ClaimSummarySerializer(claim_summary(partner=_owned_partner(request.user))).data)

    @extend_schema(responses={(200, "application/octet-stream"): bytes}, summary="Download a receipt")
    @action(detail=True, methods=["get"], url_path=r"receipts/(?P<receipt_id>\d+)/download")
    def receipt_download(self, request, pk=None, receipt_id=None):
        receipt = claim_receipt_get(user=request.user, claim_id=pk, receipt_id=receipt_id)
        return private_file_response(receipt.file, download_name=receipt.original_name)


class ClaimCategoryViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """What claims may be for (program data admins edit)."""

    api_area = "claims"
    serializer_class = ClaimCategorySerializer
    queryset = ClaimCategory.objects.none()
    pagination_class = None

    def get_queryset(self):
        return claim_category_list()
