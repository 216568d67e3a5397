"""REST of the vans' health: inspections (with photos), work orders, maintenance schedules, the checklist.
Scoped to the caller's partner (a driver: their own inspections); another partner's id is 404."""

from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from core.errors import NotFound, ValidationFailed
from core.files import private_file_response
from core.idempotency import idempotent
from core.offline import (
    OfflineBatchResultSerializer,
    OfflineBatchSerializer,
    data_url_file,
    offline_batch_apply,
    offline_results,
)
from core.serializers import validated
from fleet.hooks import partner_service_today
from fleet.models import Inspection, MaintenanceSchedule, WorkOrder
from fleet.selectors import fleet_partner_for_user
from fleet.serializers import TransitionSerializer
from fleet.upkeep import maintenance, selectors, services
from fleet.upkeep.serializers import (
    ChecklistItemSerializer,
    InspectionInputSerializer,
    InspectionSerializer,
    ScheduleSerializer,
    WorkOrderInputSerializer,
    WorkOrderPhotoInputSerializer,
    WorkOrderSerializer,
)

PHOTO_ID = OpenApiParameter("photo_id", int, OpenApiParameter.PATH, description="The photo's id.")


def _photo(photos, photo_id):
    photo = photos.filter(pk=photo_id).first() if str(photo_id).isdigit() else None
    if photo is None:
        raise NotFound()
    return private_file_response(photo.file, download_name=f"upkeep-photo-{photo.pk}.jpg")


class ChecklistView(APIView):
    """The program's inspection checklist: the item codes a defect names."""

    api_area = "fleet"
    permission_required = "fleet.inspect"

    @extend_schema(responses=ChecklistItemSerializer(many=True))
    def get(self, request):
        return Response(ChecklistItemSerializer(selectors.checklist(), many=True).data)


class InspectionBatchView(APIView):
    """The inspection page's offline outbox (core.offline): `{"items": [{"client_id", "kind": "inspection",
    "vehicle", "inspection": "pre_trip"|"post_trip", "defects": [...], "odometer_miles", "note", "photos": [data
    URLs], "defect_photos": {item code: [data URLs]}, "occurred_at"}]}`. Each item is recorded once per client id."""

    api_area = "fleet"
    permission_required = "fleet.inspect"

    @extend_schema(request=OfflineBatchSerializer, responses=OfflineBatchResultSerializer)
    def post(self, request):
        data = validated(OfflineBatchSerializer, request.data)
        partner, driver = selectors.inspector_for_user(user=request.user)

        def inspection(item):
            return _inspection_from_item(item, partner=partner, driver=driver, user=request.user)

        results = offline_batch_apply(actor=request.user, items=data["items"], handlers={"inspection": inspection})
        return Response(offline_results(results))


def _photos(values, *, field, prefix) -> list:
    if not isinstance(values, list):
        raise ValidationFailed(_("The photos could not be read; take them again."), code="bad_file")
    return [data_url_file(v, field=field, name=f"{prefix}-{n}.jpg") for n, v in enumerate(values) if v]


def _inspection_from_item(item, *, partner, driver, user) -> dict:
    vehicle = selectors.partner_inspectable_vehicle_get(partner=partner, vehicle_id=item.get("vehicle"))
    defects = item.get("defects") or []
    by_item = item.get("defect_photos") or {}
    if not isinstance(defects, list) or not isinstance(by_item, dict):
        raise ValidationFailed(_("The inspection could not be read; fill it in again."), code="bad_item")
    moment = parse_datetime(str(item.get("occurred_at") or ""))
    row = services.inspection_record(
        vehicle=vehicle, kind=item.get("inspection") or Inspection.Kind.PRE_TRIP, defects=defects,
        odometer_miles=item.get("odometer_miles"), note=str(item.get("note") or ""),
        photos=_photos(item.get("photos") or [], field="photos", prefix="inspection"),
        defect_photos={str(code): _photos(v, field="photos", prefix=str(code)[:20]) for code, v in by_item.items()},
        driver=driver, by=user, client_id=item.get("client_id"),
        on_date=partner_service_today(partner, moment=moment) if moment and moment <= timezone.now() else None)
    vehicle.refresh_from_db()
    return {"id": row.pk, "status": row.result, "url": reverse("fleet:inspection_detail", args=[row.pk]),
            "vehicle_status": vehicle.status}


class InspectionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Pre- and post-trip inspections of your company's vans (a driver: the ones they recorded). POST records one:
    JSON, or multipart with `photos` and `photo_<item code>` files and `defects` as a JSON string."""

    api_area = "fleet"
    permission_required = "fleet.inspect"
    serializer_class = InspectionSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Inspection.objects.none()
        partner, driver = selectors.inspector_for_user(user=self.request.user)
        qs = selectors.inspection_list(partner=partner, filters=self.request.query_params).prefetch_related("photos")
        return qs.filter(driver=driver) if driver is not None else qs

    def get_object(self):
        return selectors.inspection_get(user=self.request.user, inspection_id=self.kwargs["pk"])

    @extend_schema(parameters=[OpenApiParameter("vehicle", int), OpenApiParameter("result", str),
                               OpenApiParameter("kind", str)])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(request={"application/json": InspectionInputSerializer,
                            "multipart/form-data": InspectionInputSerializer},
                   responses={201: InspectionSerializer})
    @idempotent
    def create(self, request):
        partner, driver = selectors.inspector_for_user(user=request.user)
        data = validated(InspectionInputSerializer, request.data)
        vehicle = selectors.partner_inspectable_vehicle_get(partner=partner, vehicle_id=data["vehicle"])
        files = request.FILES
        inspection = services.inspection_record(
            vehicle=vehicle, kind=data["kind"], defects=data["defects"], odometer_miles=data.get("odometer_miles"),
            note=data["note"], photos=files.getlist("photos") if files else [], driver=driver, by=request.user,
            defect_photos={k.removeprefix("photo_"): files.getlist(k) for k in (files or {}) if k.startswith("photo_")},
            client_id=data.get("client_id"))
        inspection = selectors.inspection_get(user=request.user, inspection_id=inspection.pk)
        return Response(InspectionSerializer(inspection).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={(200, "application/octet-stream"): bytes}, parameters=[PHOTO_ID])
    @action(detail=True, methods=["get"], url_path=r"photos/(?P<photo_id>[^/.]+)", url_name="photo")
    def photo(self, request, pk=None, photo_id=None):
        return _photo(self.get_object().photos.all(), photo_id)


class WorkOrderViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Work orders of your company's vans: `open → scheduled → in_repair → done`. Done closes the defects it
    repairs and puts a grounded van back on the road when its cover is current."""

    api_area = "fleet"
    permission_required = "fleet.manage"
    serializer_class = WorkOrderSerializer

    @property
    def partner(self):
        return fleet_partner_for_user(user=self.request.user)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return WorkOrder.objects.none()
        return selectors.work_order_list(partner=self.partner, filters=self.request.query_params).prefetch_related(
            "defects__item", "photos")

    def get_object(self):
        return selectors.work_order_get(partner=self.partner, work_order_id=self.kwargs["pk"])

    @extend_schema(parameters=[OpenApiParameter("vehicle", int),
                               OpenApiParameter("status", str, description="A status, or `not_done`.")])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(request=WorkOrderInputSerializer, responses={201: WorkOrderSerializer})
    @idempotent
    def create(self, request):
        data = validated(WorkOrderInputSerializer, request.data)
        vehicle = selectors.partner_inspectable_vehicle_get(partner=self.partner, vehicle_id=data.pop("vehicle"))
        row = services.work_order_create(vehicle=vehicle, by=request.user, **data)
        return Response(WorkOrderSerializer(self._fresh(row)).data, status=status.HTTP_201_CREATED)

    def _fresh(self, row):
        return selectors.work_order_get(partner=self.partner, work_order_id=row.pk)

    @extend_schema(request=WorkOrderInputSerializer, responses=WorkOrderSerializer)
    def partial_update(self, request, pk=None):
        row = self.get_object()  # before validating: another partner's work order is a 404, whatever the body
        data = validated(WorkOrderInputSerializer, request.data, partial=True)
        data.pop("vehicle", None)
        row = services.work_order_update(work_order=row, by=request.user, **data)
        return Response(WorkOrderSerializer(self._fresh(row)).data)

    @extend_schema(request=TransitionSerializer, responses=WorkOrderSerializer)
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        row = self.get_object()
        data = validated(TransitionSerializer, request.data)
        row = services.work_order_transition(work_order=row, to=data["to"], note=data["note"], by=request.user)
        return Response(WorkOrderSerializer(self._fresh(row)).data)

    @extend_schema(request={"multipart/form-data": WorkOrderPhotoInputSerializer}, responses={201: WorkOrderSerializer})
    @action(detail=True, methods=["post"])
    def photos(self, request, pk=None):
        row = self.get_object()
        data = validated(WorkOrderPhotoInputSerializer, request.data)
        services.work_order_photo_add(work_order=row, photo=data["photo"], by=request.user)
        return Response(WorkOrderSerializer(self._fresh(row)).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={(200, "application/octet-stream"): bytes}, parameters=[PHOTO_ID])
    @action(detail=True, methods=["get"], url_path=r"photos/(?P<photo_id>[^/.]+)", url_name="photo")
    def photo(self, request, pk=None, photo_id=None):
        return _photo(self.get_object().photos.all(), photo_id)


class MaintenanceScheduleViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Preventive maintenance schedules (every so many miles and/or months, for every van in service)."""

    api_area = "fleet"
    permission_required = "fleet.manage"
    serializer_class = ScheduleSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return MaintenanceSchedule.objects.none()
        return selectors.schedule_list(partner=fleet_partner_for_user(user=self.request.user))

    @extend_schema(request=ScheduleSerializer, responses={201: ScheduleSerializer})
    @idempotent
    def create(self, request):
        data = validated(ScheduleSerializer, request.data)
        row = maintenance.schedule_create(partner=fleet_partner_for_user(user=request.user), by=request.user, **data)
        return Response(ScheduleSerializer(row).data, status=status.HTTP_201_CREATED)

