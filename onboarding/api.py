"""REST views: thin, like the HTML ones. Everything is scoped: another applicant's id is a 404."""

import django_filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, parsers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api import OldestFirstPagination
from core.files import private_file_response
from core.idempotency import idempotent
from core.parsers import JSONParser
from onboarding import services
from onboarding.models import Application, Partner
from onboarding.selectors import (
    application_document_get,
    application_events,
    application_get,
    application_get_for_checks,
    application_list,
    partner_get_for_user,
    partner_list,
    region_list,
)
from onboarding.serializers import (
    ApplicationDecisionSerializer,
    ApplicationSerializer,
    ApplicationWriteSerializer,
    CheckRecordSerializer,
    CheckSerializer,
    DocumentSerializer,
    DocumentUploadSerializer,
    EventSerializer,
    NoteSerializer,
    PartnerSerializer,
    RegionSerializer,
    VeteranVerifySerializer,
)


class ApplicationFilter(django_filters.FilterSet):
    submitted_after = django_filters.IsoDateTimeFilter(field_name="submitted_at", lookup_expr="gte")
    submitted_before = django_filters.IsoDateTimeFilter(field_name="submitted_at", lookup_expr="lt")

    class Meta:
        model = Application
        fields = ["status", "track", "region", "veteran_status"]


# action -> the portal permission it needs (None: any signed-in user; the selectors scope what they see).
ACTION_PERMISSIONS = {
    "create": "onboarding.apply",
    "partial_update": "onboarding.apply",
    "submit": "onboarding.apply",
    "withdraw": "onboarding.apply",
    "start_review": "onboarding.review",
    "decide": "onboarding.review",
    "verify_veteran": "onboarding.review",
}


class ApplicationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """DSP applications: applicants see and edit their own; program admins see and decide all."""

    api_area = "onboarding"
    serializer_class = ApplicationSerializer
    filterset_class = ApplicationFilter
    http_method_names = ["get", "post", "patch", "head", "options"]

    @property
    def permission_required(self):
        if self.action == "documents" and self.request.method == "POST":
            return "onboarding.apply"
        if self.action == "checks" and self.request.method == "POST":
            return "onboarding.checks"
        return ACTION_PERMISSIONS.get(self.action)

    queryset = Application.objects.none()  # for the schema; requests use get_queryset

    def get_queryset(self):
        return application_list(fetched_by=self.request.user).prefetch_related("documents", "checks__recorded_by")

    def get_object(self):
        return application_get(user=self.request.user, application_id=self.kwargs["pk"])

    def _read(self, application, status_code=status.HTTP_200_OK):
        application = self.get_queryset().get(pk=application.pk)
        return Response(ApplicationSerializer(application, context=self.get_serializer_context()).data,
                        status=status_code)

    @extend_schema(request=ApplicationWriteSerializer, responses={201: ApplicationSerializer},
                   summary="Start a draft (one open application per person)")
    @idempotent
    def create(self, request):
        data = ApplicationWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        application = services.application_create(applicant=request.user, data=data.validated_data)
        return self._read(application, status.HTTP_201_CREATED)

    @extend_schema(request=ApplicationWriteSerializer, responses=ApplicationSerializer,
                   summary="Save answers while a draft or asked for information")
    def partial_update(self, request, pk=None):
        application = self.get_object()
        data = ApplicationWriteSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        application = services.application_update(application=application, data=data.validated_data,
                                                   updated_by=request.user)
        return self._read(application)

    @extend_schema(request=None, responses=ApplicationSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        return self._read(services.application_submit(application=self.get_object(), submitted_by=request.user))

    @extend_schema(request=NoteSerializer, responses=ApplicationSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        data = NoteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._read(services.application_withdraw(application=self.get_object(), withdrawn_by=request.user,
                                                        **data.validated_data))

    @extend_schema(request=None, responses=ApplicationSerializer, summary="Admin: take a submitted application")
    @action(detail=True, methods=["post"], url_path="start-review")
    def start_review(self, request, pk=None):
        return self._read(services.application_review_start(application=self.get_object(), reviewer=request.user))

    @extend_schema(request=ApplicationDecisionSerializer, responses=ApplicationSerializer,
                   summary="Admin: approve, reject or ask for information")
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        data = ApplicationDecisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        application = services.application_decide(application=self.get_object(), decided_by=request.user,
                                                  **data.validated_data)
        return self._read(application)

    @extend_schema(request=VeteranVerifySerializer, responses=ApplicationSerializer)
    @action(detail=True, methods=["post"], url_path="verify-veteran")
    def verify_veteran(self, request, pk=None):
        data = VeteranVerifySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._read(services.veteran_verify(application=self.get_object(), verified_by=request.user,
                                                  **data.validated_data))

    @extend_schema(responses=EventSerializer(many=True), summary="Every status move and decision, oldest first")
    @action(detail=True, methods=["get"], pagination_class=OldestFirstPagination, filterset_class=None)
    def history(self, request, pk=None):
        # Paged: an application asked for information again and again keeps adding moves.
        page = self.paginate_queryset(application_events(application=self.get_object()))
        return self.get_paginated_response(EventSerializer(page, many=True).data)

    @extend_schema(methods=["GET"], responses=CheckSerializer(many=True))
    @extend_schema(methods=["POST"], request=CheckRecordSerializer, responses={201: CheckSerializer},
                   summary="Record a background check result (admins, integrators)")
    @action(detail=True, methods=["get", "post"], pagination_class=None)  # a few per application: one array
    def checks(self, request, pk=None):
        application = application_get_for_checks(user=request.user, application_id=pk)
        if request.method == "GET":
            return Response(CheckSerializer(application.checks.select_related("recorded_by"), many=True).data)
        return self._record_check(request, application)

    @idempotent
    def _record_check(self, request, application):
        data = CheckRecordSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        check = services.background_check_record(application=application, recorded_by=request.user,
                                                 **data.validated_data)
        return Response(CheckSerializer(check).data, status=status.HTTP_201_CREATED)

    @extend_schema(methods=["GET"], responses=DocumentSerializer(many=True))
    @extend_schema(methods=["POST"], request={"multipart/form-data": DocumentUploadSerializer},
                   responses={201: DocumentSerializer}, summary="Upload a document (replaces one of the same kind)")
    @action(detail=True, methods=["get", "post"], pagination_class=None,  # one per kind: one array
            parser_classes=[parsers.MultiPartParser, parsers.FormParser, JSONParser])
    def documents(self, request, pk=None):
        application = self.get_object()
        if request.method == "GET":
            return Response(DocumentSerializer(application.documents.all(), many=True).data)
        return self._upload(request, application)

    @idempotent
    def _upload(self, request, application):
        data = DocumentUploadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        document = services.application_document_upload(application=application, kind=data.validated_data["kind"],
                                                         upload=data.validated_data["file"], uploaded_by=request.user)
        return Response(DocumentSerializer(document).data, status=status.HTTP_201_CREATED)


class ApplicationDocumentDownloadView(viewsets.ViewSet):
    api_area = "onboarding"

    @extend_schema(responses={(200, "application/octet-stream"): bytes}, summary="Download a private document")
    def retrieve(self, request, application_pk=None, pk=None):
        document = application_document_get(user=request.user, application_id=application_pk, document_id=pk)
        ext = document.file.name.rsplit(".", 1)[-1]
        return private_file_response(document.file, download_name=f"application-{application_pk}-{document.kind}.{ext}")


class PartnerViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Partners (DSP companies): yours, or every one for program admins."""

    api_area = "onboarding"
    serializer_class = PartnerSerializer
    queryset = Partner.objects.none()  # for the schema; requests use get_queryset
    filterset_fields = ["status", "region", "veteran_owned"]

    def get_queryset(self):
        return partner_list(fetched_by=self.request.user)

    def get_object(self):
        return partner_get_for_user(user=self.request.user, partner_id=self.kwargs["pk"])


class RegionViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Regions taking applications."""

    api_area = "onboarding"
    serializer_class = RegionSerializer
    pagination_class = None

    def get_queryset(self):
        return region_list()
