"""REST views: thin, like the HTML ones. Partners see only their routes (another's is 404)."""

from datetime import date

from django.db.models import Prefetch
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status, viewsets
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import user_has_perm
from core.api import FIELDS_PARAM_DESCRIPTION, CursorPagination, ValuesListMixin
from core.compiled import PROBE_ID
from core.dates import parse_day
from core.errors import NotFound, ValidationFailed
from core.idempotency import idempotent
from core.offline import OfflineBatchResultSerializer, OfflineBatchSerializer, offline_results
from core.parsers import JSONParser
from fleet.models import Driver, Vehicle
from onboarding.selectors import partner_scope_of
from routes import selectors, services
from routes.api.stops import stops_by_route
from routes.models import Package, Plan, PlanStatus, Route, RouteStop, Station
from routes.serializers import (
    AssignmentSerializer,
    JobSerializer,
    ManifestSerializer,
    OutcomeSerializer,
    PlanBuildSerializer,
    PlanPublishSerializer,
    PlanSerializer,
    RouteBriefSerializer,
    RouteSerializer,
    StationSerializer,
)
from routes.views.jobs import job_progress_view

ROUTE_READERS = ("routes.plan", "routes.dispatch", "routes.drive")


class StationViewSet(viewsets.ModelViewSet):
    api_area = "routes"
    permission_required = "routes.plan"
    serializer_class = StationSerializer
    lookup_field = "code"
    queryset = Station.objects.order_by("code")
    http_method_names = ["get", "post", "patch", "head", "options"]

    @idempotent
    def create(self, request, *args, **kwargs):
        return super().create(request, *args, **kwargs)


class ManifestImportView(APIView):
    """Store the manifest, import it as a job and answer 202 with the job at once; the job's result says what was
    imported, or (failed) which rows are wrong. One import per station-day at a time (409 `import_busy`)."""

    api_area = "routes"
    permission_required = "routes.plan"
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(request={"application/json": ManifestSerializer, "multipart/form-data": ManifestSerializer},
                   responses={202: JobSerializer},
                   summary="Upload a manifest (JSON rows or a CSV file) and start importing it; poll the job. Rows "
                           "already imported that day are no-ops; any bad row fails the job and writes nothing")
    @idempotent
    def post(self, request, code):
        station = selectors.station_get(code=code)
        data = ManifestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        upload = services.manifest_upload_store(station=station, service_date=v["service_date"], rows=v.get("rows"),
                                                file=v.get("file"), by=request.user)
        job = services.manifest_import_start(upload=upload, by=request.user)
        job.refresh_from_db()
        return Response(job_data(job, request), status=status.HTTP_202_ACCEPTED)


def _plans():
    return Plan.objects.select_related("station").prefetch_related(
        Prefetch("routes", queryset=Route.objects.order_by("sequence")))


class StationPlanPagination(CursorPagination):
    """A station's plans, newest service day first (one plan per station-day, so the day is unique); each plan
    carries its routes, so a page holds at most 60 plans."""

    ordering = "-service_date"
    max_page_size = 60


class StationPlansView(generics.GenericAPIView):
    api_area = "routes"
    permission_required = "routes.plan"
    pagination_class = StationPlanPagination
    serializer_class = PlanSerializer
    queryset = Plan.objects.none()  # for the schema; requests read the station's plans

    @extend_schema(responses=PlanSerializer(many=True), summary="A station's plans, newest first, a page at a time")
    def get(self, request, code):
        station = selectors.station_get(code=code)
        page = self.paginate_queryset(_plans().filter(station=station))
        return self.get_paginated_response(PlanSerializer(page, many=True).data)

    @extend_schema(request=PlanBuildSerializer, responses={202: JobSerializer},
                   summary="Start building (or re-building) the plan for a service date; poll the job's progress")
    @idempotent
    def post(self, request, code):
        station = selectors.station_get(code=code)
        data = PlanBuildSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        job = services.plan_build_start(station=station, service_date=data.validated_data["service_date"],
                                        by=request.user)
        job.refresh_from_db()
        return Response(job_data(job, request), status=status.HTTP_202_ACCEPTED)


def job_data(job, request) -> dict:
    return JobSerializer({
        "id": job.pk, "kind": job.kind, "status": job.status, "stale": job.stale, "error": job.error,
        "subject": f"{job.subject_type}:{job.subject_id}",
        "plan": int(job.subject_id) if job.subject_type == "routes.plan" else None,
        "progress": job_progress_view(job), "result": job.result, "created_at": job.created_at,
        "started_at": job.started_at, "heartbeat_at": job.heartbeat_at, "finished_at": job.finished_at,
        "url": request.build_absolute_uri(reverse("api-route-job", args=[job.pk]))}).data


class JobDetailView(APIView):
    """A job's progress (a plan, a manifest import); planners see any, others only the jobs they started
    (else 404)."""

    api_area = "routes"

    @extend_schema(responses=JobSerializer,
                   summary="A job's status, progress (phase; sectors and best distance, or rows checked) and result")
    def get(self, request, pk):
        return Response(job_data(selectors.job_get_for_user(user=request.user, job_id=pk), request))


class PlanDetailView(generics.RetrieveAPIView):
    api_area = "routes"
    permission_required = "routes.plan"
    serializer_class = PlanSerializer

    def get_queryset(self):
        return _plans()


class PlanPublishView(APIView):
    api_area = "routes"
    permission_required = "routes.plan"

    @extend_schema(request=PlanPublishSerializer, responses=PlanSerializer,
                   summary="Publish a ready plan (records route.published); every route needs a driver and a van "
                           "unless allow_unassigned with a reason")
    def post(self, request, pk):
        plan = Plan.objects.filter(pk=pk).first()
        if plan is None:
            raise NotFound()
        data = PlanPublishSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.plan_publish(plan=plan, by=request.user, **data.validated_data)
        return Response(PlanSerializer(_plans().get(pk=pk)).data)


def _route_qs():
    stops = RouteStop.objects.order_by("sequence").prefetch_related(
        Prefetch("packages", queryset=Package.objects.only("id", "tracking_id", "stop_id")))
    return Prefetch("stops", queryset=stops)


class RoutePagination(CursorPagination):
    """A day's routes in the order they were planned (ids follow plan and sequence)."""

    ordering = ("id",)


class RouteListView(ValuesListMixin, generics.ListAPIView):
    """A service day's routes you may read, cursor-paginated, without their stops (`fields` like
    `RouteBriefSerializer`). `?expand=stops` nests each route's stops and their tracking ids, as the route
    detail does (keep `page_size` small then); `?fields=` picks fields of the plain list."""

    api_area = "routes"
    serializer_class = RouteBriefSerializer
    pagination_class = RoutePagination
    list_fields = tuple(RouteBriefSerializer.Meta.fields)
    # `Route.code` ("SEA1-07") is finished in Python from the station's code, as the model's property writes it: the
    # same text in SQL (a CASE over two concatenations) cost more to compile than the rest of the query.
    list_values = {"code": "plan__station__code"}
    list_requires = {"code": ("sequence",)}

    @extend_schema(parameters=[OpenApiParameter("date", str, required=True, description="Service date"),
                               OpenApiParameter("expand", str, enum=["stops"],
                                                description="`stops`: nest each route's stops (see the route detail)"),
                               OpenApiParameter("fields", str, description=FIELDS_PARAM_DESCRIPTION)])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def _expand(self) -> bool:
        expand = self.request.query_params.get("expand", "")
        if expand not in ("", "stops"):
            message = _("The only thing a route list expands is “stops”.")
            raise ValidationFailed(message, code="invalid_expand", fields={"expand": [message]})
        return expand == "stops"

    def list(self, request, *args, **kwargs):
        self.expand_stops = self._expand()
        return super().list(request, *args, **kwargs)

    def list_extend(self, rows):
        if rows and "code" in rows[0]:
            for row in rows:
                row["code"] = f"{row['code'].upper()}-{row['sequence']:02d}"  # as Route.code
        if self.expand_stops:
            self._add_stops(rows)

    def _add_stops(self, rows):
        """`?expand=stops`: each route's stops as the route detail gives them, read with one more query."""
        by_route = stops_by_route([row["id"] for row in rows])
        for row in rows:
            row["stops"] = by_route[row["id"]]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Route.objects.none()
        role, values = self._scope()
        return self.list_queryset(role, *values)

    # The page's SQL is compiled once per shape (core.api.CompiledPage): the caller's role, the day, their id.
    list_probes = (date(1900, 1, 1), PROBE_ID)

    def list_compiled(self):
        role, values = self._scope()
        return (role, values) if role is not None else None  # someone who may read no routes: the ORM's none()

    def _scope(self):
        day = parse_day(self.request.query_params.get("date"))
        if day is None:
            message = _("Give the service day as ?date=YYYY-MM-DD.")
            raise ValidationFailed(message, fields={"date": [message]})
        user = self.request.user
        if user_has_perm(user, "routes.plan"):
            role = "plan"
        elif user_has_perm(user, "routes.dispatch"):
            role = "dispatch"
        elif user_has_perm(user, "routes.drive"):
            role = "drive"
        else:
            role = None
        return role, (day, user.pk)

    @classmethod
    def list_queryset(cls, role, day, user_id):
        qs = Route.objects.filter(service_date=day)
        if role == "plan":
            return qs
        if role == "dispatch":
            # The partner as a subquery of this statement: no query of its own, and no partner matches nothing.
            return qs.filter(partner=partner_scope_of(user_id),
                             plan__status__in=[PlanStatus.READY, PlanStatus.PUBLISHED])
        if role == "drive":
            return qs.filter(driver__user_id=user_id, plan__status=PlanStatus.PUBLISHED)
        return qs.none()


class RouteDetailView(APIView):
    api_area = "routes"

    @extend_schema(responses=RouteSerializer, summary="A route with its stops (yours only)")
    def get(self, request, pk):
        route = selectors.route_get_for_user(user=request.user, route_id=pk)
        route = Route.objects.prefetch_related(_route_qs()).get(pk=route.pk)
        return Response(RouteSerializer(route).data)


class RouteAssignmentView(APIView):
    api_area = "routes"
    permission_required = "routes.dispatch"

    @extend_schema(request=AssignmentSerializer, responses=RouteSerializer, summary="Assign a driver and a van")
    def post(self, request, pk):
        route = selectors.route_get_for_user(user=request.user, route_id=pk)
        data = AssignmentSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        driver_id, vehicle_id = data.validated_data["driver"], data.validated_data["vehicle"]
        driver = Driver.objects.filter(partner=route.partner, pk=driver_id).first() if driver_id else None
        vehicle = Vehicle.objects.filter(partner=route.partner, pk=vehicle_id).first() if vehicle_id else None
        if (driver_id and driver is None) or (vehicle_id and vehicle is None):
            raise ValidationFailed("Not one of your drivers or vans.", code="not_yours",
                                   fields={"driver" if driver_id and driver is None else "vehicle": ["not found"]})
        services.route_assign(route=route, driver=driver, vehicle=vehicle, by=request.user)
        route = Route.objects.prefetch_related(_route_qs()).get(pk=route.pk)
        return Response(RouteSerializer(route).data)


class StopOutcomeView(APIView):
    """A driver's outcome for one stop; resending the same client_id changes nothing."""

    api_area = "routes"
    permission_required = "routes.drive"
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(request=OutcomeSerializer, responses={200: RouteSerializer}, summary="Record a stop's outcome")
    def post(self, request, pk):
        stop = selectors.stop_get_for_driver(user=request.user, stop_id=pk)
        data = OutcomeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        services.stop_outcome_record(stop=stop, outcome=v["outcome"], reason=v["reason"], note=v["note"],
                                     photo=v.get("photo"), signature=v.get("signature"), pin=v["pin"],
                                     age_checked=v["age_checked"], client_id=v["client_id"], by=request.user)
        route = Route.objects.prefetch_related(_route_qs()).get(pk=stop.route_id)
        return Response(RouteSerializer(route).data)


class DriverBatchView(APIView):
    """The driver's phone outbox: scans, stop outcomes with proof, undo, calls and texts, route start and
    completion, each item with a client id (see routes.services.driver_batch). An item already applied answers
    `duplicate` and changes nothing; a refused one answers `rejected` with a sentence. Your own route only."""

    api_area = "routes"
    permission_required = "routes.drive"

    @extend_schema(request=OfflineBatchSerializer, responses=OfflineBatchResultSerializer,
                   summary="Send the driver's queued taps (batch, each with a client id)")
    def post(self, request):
        data = OfflineBatchSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return Response(offline_results(services.driver_batch_apply(user=request.user,
                                                                    items=data.validated_data["items"])))
