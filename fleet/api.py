"""REST views: thin, like the HTML ones. Everything is scoped to the caller's partner; another's id is 404."""

from datetime import date

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import FIELDS_PARAM_DESCRIPTION, CursorPagination, ValuesListMixin
from core.compiled import PROBE_ID
from core.dates import parse_day
from core.errors import ValidationFailed
from core.idempotency import idempotent
from core.serializers import validated
from core.servicedays import service_today
from fleet import selectors, services
from fleet.models import Driver, InsurancePolicy, Vehicle
from fleet.serializers import (
    DriverImportSerializer,
    DriverInputSerializer,
    DriverSerializer,
    OdometerSerializer,
    PolicyInputSerializer,
    PolicySerializer,
    TransitionSerializer,
    VehicleInputSerializer,
    VehicleSerializer,
)
from onboarding.models import Partner

ON_PARAM = OpenApiParameter("on", str, description="A date (YYYY-MM-DD); today by default.")


def _on_date(request, name="on") -> date:
    return parse_day(request.query_params.get(name), field=name, default=service_today())


class OdometerPagination(CursorPagination):
    """Latest reading first (a van's readings grow for years: paged like every other list)."""

    ordering = ("-read_on", "-miles", "-pk")


class _PartnerScoped:
    api_area = "fleet"
    permission_required = "fleet.manage"

    @property
    def partner(self):
        if not hasattr(self, "_partner"):
            self._partner = selectors.fleet_partner_for_user(user=self.request.user)
        return self._partner


class VehicleViewSet(_PartnerScoped, ValuesListMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                     viewsets.GenericViewSet):
    """Vans of your company. `?assignable_on=YYYY-MM-DD` lists only those a route may get that day."""

    serializer_class = VehicleSerializer
    list_fields = tuple(VehicleSerializer.Meta.fields)  # the list is read from values(), shaped like the serializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Vehicle.objects.none()
        if self.request.query_params.get("assignable_on"):
            return selectors.vehicles_assignable(partner=self.partner,
                                                 on_date=_on_date(self.request, "assignable_on"))
        # Scoped in the list's own statement: the partner costs no query of its own (checked if the page is empty).
        return selectors.vehicle_list(partner=selectors.fleet_partner_scope(user=self.request.user),
                                      filters=self.request.query_params)

    # The page's SQL is compiled once per shape (core.api.CompiledPage): which of status and ownership filter it;
    # a search (`q`, matched anywhere in the text) and `assignable_on` read through the ORM.
    list_probes = (PROBE_ID, "~status-probe~", "~ownership-probe~")

    def list_compiled(self):
        params = self.request.query_params
        if params.get("assignable_on") or (params.get("q") or "").strip():
            return None
        status, ownership = params.get("status") or "", params.get("ownership") or ""
        return (bool(status), bool(ownership)), (self.request.user.pk, status, ownership)

    @classmethod
    def list_queryset(cls, shape, user_id, status, ownership):
        filters = {name: value for name, value, used in (("status", status, shape[0]),
                                                         ("ownership", ownership, shape[1])) if used}
        return selectors.vehicle_list(partner=selectors.fleet_partner_scope_of(user_id), filters=filters)

    def list_empty(self):
        self.partner  # noqa: B018 - someone who acts for no partner gets 404 `no_partner`, not an empty list

    def get_object(self):
        return selectors.partner_vehicle_get(user=self.request.user, vehicle_id=self.kwargs["pk"])

    @extend_schema(parameters=[OpenApiParameter("q", str), OpenApiParameter("status", str),
                               OpenApiParameter("ownership", str), OpenApiParameter("assignable_on", str),
                               OpenApiParameter("fields", str, description=FIELDS_PARAM_DESCRIPTION)])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(request=VehicleInputSerializer, responses={201: VehicleSerializer})
    @idempotent
    def create(self, request):
        vehicle = services.vehicle_register(partner=self.partner, by=request.user,
                                            **validated(VehicleInputSerializer, request.data))
        return Response(VehicleSerializer(vehicle).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=VehicleInputSerializer, responses=VehicleSerializer)
    def partial_update(self, request, pk=None):
        vehicle = self.get_object()  # before validating: another partner's van is a 404, whatever the body
        data = validated(VehicleInputSerializer, request.data, partial=True)
        data.pop("status", None)
        data.pop("odometer_miles", None)
        vehicle = services.vehicle_update(vehicle=vehicle, by=request.user, **data)
        return Response(VehicleSerializer(vehicle).data)

    @extend_schema(request=TransitionSerializer, responses=VehicleSerializer)
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        data = validated(TransitionSerializer, request.data)
        vehicle = services.vehicle_transition(vehicle=self.get_object(), to=data["to"], note=data["note"],
                                              by=request.user)
        return Response(VehicleSerializer(vehicle).data)

    @extend_schema(methods=["GET"], responses=OdometerSerializer(many=True))
    @extend_schema(methods=["POST"], request=OdometerSerializer, responses={201: OdometerSerializer})
    @action(detail=True, methods=["get", "post"], pagination_class=OdometerPagination)
    def odometer(self, request, pk=None):
        vehicle = self.get_object()
        if request.method == "GET":
            page = self.paginate_queryset(vehicle.odometer_readings.all())
            return self.get_paginated_response(OdometerSerializer(page, many=True).data)
        return self._odometer_post(request, vehicle)

    @idempotent
    def _odometer_post(self, request, vehicle):
        data = validated(OdometerSerializer, request.data)
        reading = services.odometer_record(vehicle=vehicle, miles=data["miles"], read_on=data.get("read_on"),
                                           by=request.user)
        return Response(OdometerSerializer(reading).data, status=status.HTTP_201_CREATED)


class DriverViewSet(_PartnerScoped, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Drivers of your company. `?assignable_on=YYYY-MM-DD` lists only those a route may get that day."""

    serializer_class = DriverSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Driver.objects.none()
        if self.request.query_params.get("assignable_on"):
            return selectors.drivers_assignable(partner=self.partner,
                                                on_date=_on_date(self.request, "assignable_on"))
        return selectors.driver_list(partner=self.partner, filters=self.request.query_params)

    def get_object(self):
        return selectors.partner_driver_get(user=self.request.user, driver_id=self.kwargs["pk"])

    @extend_schema(parameters=[OpenApiParameter("q", str), OpenApiParameter("status", str),
                               OpenApiParameter("check", str), OpenApiParameter("assignable_on", str)])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(request=DriverInputSerializer, responses={201: DriverSerializer})
    @idempotent
    def create(self, request):
        driver = services.driver_create(partner=self.partner, by=request.user,
                                        **validated(DriverInputSerializer, request.data))
        return Response(DriverSerializer(driver).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=DriverInputSerializer, responses=DriverSerializer)
    def partial_update(self, request, pk=None):
        driver = self.get_object()  # before validating: another partner's driver is a 404, whatever the body
        data = validated(DriverInputSerializer, request.data, partial=True)
        data.pop("status", None)
        driver = services.driver_update(driver=driver, by=request.user, **data)
        return Response(DriverSerializer(driver).data)

    @extend_schema(request=TransitionSerializer, responses=DriverSerializer)
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        data = validated(TransitionSerializer, request.data)
        driver = services.driver_transition(driver=self.get_object(), to=data["to"], note=data["note"],
                                            by=request.user)
        return Response(DriverSerializer(driver).data)

    @extend_schema(request=None, responses={201: DriverSerializer})
    @action(detail=True, methods=["post"])
    @idempotent
    def invite(self, request, pk=None):
        """Create the driver's login (driver role) and e-mail a one-time password-set link."""
        driver = self.get_object()
        services.driver_invite_user(driver=driver, by=request.user)
        driver.refresh_from_db()
        return Response(DriverSerializer(driver).data, status=status.HTTP_201_CREATED)

    @extend_schema(request={"multipart/form-data": DriverImportSerializer, "application/json": DriverImportSerializer},
                   responses={200: OpenApiTypes.OBJECT, 201: OpenApiTypes.OBJECT})
    @action(detail=False, methods=["post"], url_path="import")
    @idempotent
    def import_csv(self, request):
        """`mode=preview` validates only; `all` writes nothing if any row fails (422 with row errors);
        `good_rows` imports the valid rows and reports the others."""
        data = validated(DriverImportSerializer, request.data)
        content = data["file"].read() if data.get("file") else data["csv"]
        if data["mode"] == "preview":
            preview = services.driver_import_preview(partner=self.partner, content=content)
            return Response(preview.as_dict())
        try:
            result = services.driver_import(partner=self.partner, content=content,
                                            only_good_rows=data["mode"] == "good_rows", by=request.user)
        except ValidationFailed as exc:
            if exc.code == "import_has_errors":
                exc.status_code = 422
            raise
        return Response({"created": len(result.created), "skipped": len(result.skipped),
                         "drivers": DriverSerializer(result.created, many=True).data,
                         "errors": [{"line": r.line, "errors": r.errors} for r in result.skipped]},
                        status=status.HTTP_201_CREATED)


class PolicyViewSet(_PartnerScoped, viewsets.GenericViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    serializer_class = PolicySerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return InsurancePolicy.objects.none()
        filters = {**self.request.query_params.dict(), "on_date": service_today()}
        return selectors.policy_list(partner=self.partner, filters=filters)

    def get_object(self):
        return selectors.partner_policy_get(user=self.request.user, policy_id=self.kwargs["pk"])

    @extend_schema(request=PolicyInputSerializer, responses={201: PolicySerializer})
    @idempotent
    def create(self, request):
        policy = services.policy_create(partner=self.partner, by=request.user,
                                        **validated(PolicyInputSerializer, request.data))
        return Response(PolicySerializer(policy).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=PolicyInputSerializer, responses=PolicySerializer)
    def partial_update(self, request, pk=None):
        data = validated(PolicyInputSerializer, request.data, partial=True)
        policy = services.policy_update(policy=self.get_object(), by=request.user, **data)
        return Response(PolicySerializer(policy).data)

    def destroy(self, request, pk=None):
        services.policy_delete(policy=self.get_object(), by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ComplianceView(_PartnerScoped, APIView):
    @extend_schema(parameters=[ON_PARAM], responses=OpenApiTypes.OBJECT, summary="Your fleet's compliance")
    def get(self, request):
        return Response(selectors.fleet_compliance(partner=self.partner, on_date=_on_date(request)).as_dict())


class AssignableView(_PartnerScoped, APIView):
    @extend_schema(parameters=[ON_PARAM], responses=OpenApiTypes.OBJECT,
                   summary="Vans and drivers a route may get on a date (active and compliant)")
    def get(self, request):
        on = _on_date(request)
        return Response({
            "on": on.isoformat(),
            "vehicles": VehicleSerializer(selectors.vehicles_assignable(partner=self.partner, on_date=on),
                                          many=True).data,
            "drivers": DriverSerializer(selectors.drivers_assignable(partner=self.partner, on_date=on),
                                        many=True).data,
        })


class ComplianceOverviewRowSerializer(serializers.Serializer):
    partner_id = serializers.IntegerField()
    partner = serializers.CharField()
    vans = serializers.DictField(child=serializers.IntegerField(), help_text="Vans by status.")
    drivers = serializers.DictField(child=serializers.IntegerField(), help_text="Drivers by status.")
    compliant = serializers.BooleanField()
    report = serializers.DictField(help_text="The partner's compliance report, as /fleet/compliance/ returns it.")


class ComplianceOverviewView(generics.GenericAPIView):
    """Every partner with a fleet, a page at a time (by partner id, as they joined): thousands of partners make a
    list that grows, so it is cursor-paged like every other; each page's reports are computed for that page only."""

    api_area = "fleet"
    permission_required = "fleet.oversee"
    pagination_class = CursorPagination
    serializer_class = ComplianceOverviewRowSerializer
    queryset = Partner.objects.none()  # for the schema; requests use get_queryset

    def get_queryset(self):
        return selectors.partners_with_fleet()

    @extend_schema(parameters=[ON_PARAM], responses=ComplianceOverviewRowSerializer(many=True),
                   summary="Every partner's fleet compliance (program admins), a page at a time")
    def get(self, request):
        page = self.paginate_queryset(self.get_queryset())
        rows = selectors.fleet_compliance_rows(partners=page, on_date=_on_date(request))
        # The counts and the full report sit side by side: the report has its own "drivers" list.
        return self.get_paginated_response([
            {"partner_id": r["partner"].pk, "partner": r["partner"].legal_name, "vans": r["vans"],
             "drivers": r["drivers"], "compliant": r["report"].is_compliant, "report": r["report"].as_dict()}
            for r in rows])
