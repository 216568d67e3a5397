"""REST shapes of inspections, work orders and maintenance schedules."""

import json

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.serializers import AmountField
from fleet.models import ChecklistItem, Defect, Inspection, MaintenanceSchedule, Severity, UpkeepPhoto, WorkOrder


class ChecklistItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = ChecklistItem
        fields = ["code", "label", "hint"]
        read_only_fields = fields


class DefectSerializer(serializers.ModelSerializer):
    item = serializers.CharField(source="item.code", read_only=True)
    item_label = serializers.CharField(source="item.label", read_only=True)
    open = serializers.BooleanField(source="is_open", read_only=True)

    class Meta:
        model = Defect
        fields = ["id", "item", "item_label", "severity", "note", "work_order", "open", "closed_at"]
        read_only_fields = fields


class PhotoSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    defect = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = UpkeepPhoto
        fields = ["id", "defect", "url", "created_at"]
        read_only_fields = fields

    def get_url(self, photo) -> str:
        if photo.inspection_id:
            return reverse("fleet-inspection-photo", kwargs={"pk": photo.inspection_id, "photo_id": photo.pk})
        return reverse("fleet-work-order-photo", kwargs={"pk": photo.work_order_id, "photo_id": photo.pk})


class InspectionSerializer(serializers.ModelSerializer):
    defects = DefectSerializer(many=True, read_only=True)
    photos = PhotoSerializer(many=True, read_only=True)

    class Meta:
        model = Inspection
        fields = ["id", "vehicle", "driver", "kind", "service_date", "result", "odometer_miles", "note", "client_id",
                  "defects", "photos", "created_at"]
        read_only_fields = fields


class DefectInputSerializer(serializers.Serializer):
    item = serializers.CharField(max_length=40, help_text="A checklist item's code (GET /api/v1/fleet/checklist/).")
    severity = serializers.ChoiceField(choices=Severity.choices)
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


@extend_schema_field(DefectInputSerializer(many=True))
class DefectListField(serializers.Field):
    """A list of defects, as JSON in a JSON body or as a JSON string in a multipart form (with photos)."""

    default_error_messages = {
        "invalid": _("Send the defects as a list of items, each with its item code, severity and note.")}

    def to_internal_value(self, data):
        if isinstance(data, str):
            try:
                data = json.loads(data or "[]")
            except ValueError:
                self.fail("invalid")
        if not isinstance(data, list):
            self.fail("invalid")
        rows = DefectInputSerializer(data=data, many=True)
        if not rows.is_valid():
            raise serializers.ValidationError(rows.errors)
        return [dict(r) for r in rows.validated_data]

    def to_representation(self, value):
        return value


class InspectionInputSerializer(serializers.Serializer):
    vehicle = serializers.IntegerField(min_value=1)
    kind = serializers.ChoiceField(choices=Inspection.Kind.choices, default=Inspection.Kind.PRE_TRIP)
    defects = DefectListField(required=False, default=list)
    odometer_miles = serializers.IntegerField(min_value=0, required=False, allow_null=True)
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    client_id = serializers.UUIDField(required=False, allow_null=True,
                                      help_text="The device's id for this inspection: sent twice, recorded once.")
    photos = serializers.ListField(child=serializers.FileField(), required=False, default=list,
                                   help_text="Photos of the van (multipart). A defect's own photos go in "
                                             "`photo_<item code>`.")


class WorkOrderSerializer(serializers.ModelSerializer):
    cost = AmountField(read_only=True)
    code = serializers.CharField(read_only=True)
    defects = DefectSerializer(many=True, read_only=True)
    photos = PhotoSerializer(many=True, read_only=True)

    class Meta:
        model = WorkOrder
        fields = ["id", "code", "vehicle", "title", "source", "status", "performer", "vendor_name", "cost", "parts",
                  "odometer_miles", "scheduled_for", "completed_on", "schedule", "due_on", "due_miles", "defects",
                  "photos", "created_at", "status_changed_at"]
        read_only_fields = fields


class WorkOrderInputSerializer(serializers.Serializer):
    vehicle = serializers.IntegerField(min_value=1)
    title = serializers.CharField(max_length=200)
    performer = serializers.ChoiceField(choices=WorkOrder.Performer.choices, required=False)
    vendor_name = serializers.CharField(max_length=120, required=False, allow_blank=True)
    cost = AmountField(allow_zero=True, required=False)
    parts = serializers.CharField(required=False, allow_blank=True)
    odometer_miles = serializers.IntegerField(min_value=0, required=False, allow_null=True)
    scheduled_for = serializers.DateField(required=False, allow_null=True)


class WorkOrderPhotoInputSerializer(serializers.Serializer):
    photo = serializers.FileField()


class ScheduleSerializer(serializers.ModelSerializer):
    class Meta:
        model = MaintenanceSchedule
        fields = ["id", "kind", "label", "every_miles", "every_months", "lead_days", "lead_miles", "active",
                  "created_at"]
        read_only_fields = ["id", "active", "created_at"]
        extra_kwargs = {"label": {"required": False}, "every_miles": {"validators": []},
                        "every_months": {"validators": []}}
