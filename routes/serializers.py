"""REST input and output shapes."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from hubs.models import AttemptReason
from hubs.services.parcels import OUTCOMES as _HUB_OUTCOMES
from routes.models import Plan, Route, RouteStop, Station, StopStatus


@extend_schema_field({"type": "string", "pattern": "^[0-2][0-9]:[0-5][0-9]$", "example": "08:00"})
class ClockField(serializers.TimeField):
    """A local clock time as HH:MM (OpenAPI's "time" format wants an offset, which a station clock has not)."""

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", input_formats=["%H:%M", "%H:%M:%S"], **kwargs)


class StationSerializer(serializers.ModelSerializer):
    dispatch_start = ClockField(required=False)

    class Meta:
        model = Station
        fields = ["id", "code", "name", "latitude", "longitude", "time_zone", "dispatch_start", "shift_minutes",
                  "speed_kmh", "circuity", "active"]


class ManifestRowSerializer(serializers.Serializer):
    tracking_id = serializers.CharField(max_length=100)
    recipient_name = serializers.CharField(required=False, allow_blank=True, default="")
    address_line1 = serializers.CharField(required=False, allow_blank=True, default="")
    city = serializers.CharField(required=False, allow_blank=True, default="")
    state = serializers.CharField(required=False, allow_blank=True, default="")
    postal_code = serializers.CharField(required=False, allow_blank=True, default="")
    latitude = serializers.CharField()
    longitude = serializers.CharField()
    size = serializers.CharField(required=False, allow_blank=True, default="")
    volume_l = serializers.CharField(required=False, allow_blank=True, default="")
    weight_kg = serializers.CharField(required=False, allow_blank=True, default="")
    window_start = serializers.CharField(required=False, allow_blank=True, default="")
    window_end = serializers.CharField(required=False, allow_blank=True, default="")
    signature_required = serializers.CharField(required=False, allow_blank=True, default="no")
    recipient_email = serializers.CharField(required=False, allow_blank=True, default="", help_text=_(
        "Where the recipient hears about the delivery by e-mail (blank: not by e-mail)."))
    recipient_phone = serializers.CharField(required=False, allow_blank=True, default="", help_text=_(
        "A US phone for text messages, written any usual way; stored as E.164 (+12065550100). Blank: no texts."))


@extend_schema_field(ManifestRowSerializer(many=True))
class ManifestRowsField(serializers.Field):
    """The rows as objects. Each row's values are checked by the import job, whose row errors name the row and
    the column: one set of rules (routes.services.manifests), and a big manifest answers at once."""

    def to_internal_value(self, data):
        if not isinstance(data, list) or not all(isinstance(row, dict) for row in data):
            raise serializers.ValidationError(_("A list of rows, each an object with the manifest's columns."))
        if not data:
            raise serializers.ValidationError(_("The manifest has no rows."))
        return data

    def to_representation(self, value):
        return value


class ManifestSerializer(serializers.Serializer):
    service_date = serializers.DateField()
    rows = ManifestRowsField(required=False, help_text="The manifest's rows (JSON); or send `file` instead")
    file = serializers.FileField(required=False, help_text="The manifest as a CSV file (multipart), instead of rows")

    def validate(self, attrs):
        if ("rows" in attrs) == ("file" in attrs):
            raise serializers.ValidationError({"rows": [_("Send the rows or a CSV file (one of the two).")]})
        return attrs


class PlanBuildSerializer(serializers.Serializer):
    service_date = serializers.DateField()


class PlanPublishSerializer(serializers.Serializer):
    allow_unassigned = serializers.BooleanField(default=False, help_text="Publish although some routes have no "
                                                                         "driver and van (logged with the reason)")
    reason = serializers.CharField(default="", allow_blank=True, max_length=500)


class JobProgressSerializer(serializers.Serializer):
    status = serializers.CharField()
    phase = serializers.CharField(help_text="a plan: hub_split, building, solving, repairing, saving; "
                                            "a manifest import: reading, validating, writing")
    phase_label = serializers.CharField()
    sector = serializers.IntegerField(allow_null=True)
    sectors = serializers.IntegerField(allow_null=True)
    sectors_done = serializers.IntegerField(allow_null=True)
    best_m = serializers.IntegerField(allow_null=True, help_text="The best plan's distance so far, metres")
    best_km = serializers.FloatField(allow_null=True)
    left_s = serializers.FloatField(allow_null=True, help_text="Seconds of the solver's budget left")
    percent = serializers.IntegerField(allow_null=True)
    stops = serializers.IntegerField(allow_null=True)
    rows = serializers.IntegerField(allow_null=True, help_text="A manifest import: the file's rows")
    rows_checked = serializers.IntegerField(allow_null=True, help_text="A manifest import: rows checked so far")
    to_write = serializers.IntegerField(allow_null=True, help_text="A manifest import: new packages being saved")


class JobSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    status = serializers.CharField(help_text="queued, running, done or failed")
    stale = serializers.BooleanField(help_text="Active, but its worker has gone quiet past its lease (dead)")
    error = serializers.CharField()
    subject = serializers.CharField()
    plan = serializers.IntegerField(allow_null=True)
    progress = JobProgressSerializer()
    result = serializers.JSONField(help_text="Done: what it made (a plan: plan, status, routes; an import: rows, "
                                             "created, duplicates, packages). Failed: the error envelope "
                                             "{code, detail, fields} when the job refused its input (an import's "
                                             "row errors: fields.rows, the first 50)")
    created_at = serializers.DateTimeField()
    started_at = serializers.DateTimeField(allow_null=True)
    heartbeat_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
    url = serializers.URLField()


class RouteBriefSerializer(serializers.ModelSerializer):
    code = serializers.CharField(read_only=True)

    class Meta:
        model = Route
        fields = ["id", "code", "sequence", "service_date", "partner", "driver", "vehicle", "capacity", "distance_m",
                  "duration_s", "load", "start_s", "end_s", "stop_count", "late_stops",
                  "break_s", "break_start_s"]


class PlanSerializer(serializers.ModelSerializer):
    station = serializers.SlugRelatedField(slug_field="code", read_only=True)
    routes = RouteBriefSerializer(many=True, read_only=True)
    unassigned_count = serializers.SerializerMethodField()

    class Meta:
        model = Plan
        fields = ["id", "station", "service_date", "status", "failure_reason", "distance_m", "duration_s",
                  "solver_seconds", "sectors", "published_at", "unassigned_count", "routes"]

    def get_unassigned_count(self, plan) -> int:
        return plan.unassigned.count()


class StopSerializer(serializers.ModelSerializer):
    tracking_ids = serializers.SerializerMethodField()

    class Meta:
        model = RouteStop
        fields = ["id", "sequence", "kind", "hub", "latitude", "longitude", "address", "recipient", "package_count",
                  "window_start_s", "window_end_s", "planned_arrival_s", "late", "signature_required", "status",
                  "attempt_reason", "note", "outcome_at", "tracking_ids"]

    def get_tracking_ids(self, stop) -> list[str]:
        return [p.tracking_id for p in stop.packages.all()]


class RouteSerializer(RouteBriefSerializer):
    stops = StopSerializer(many=True, read_only=True)

    class Meta(RouteBriefSerializer.Meta):
        fields = [*RouteBriefSerializer.Meta.fields, "stops"]


class AssignmentSerializer(serializers.Serializer):
    driver = serializers.IntegerField(allow_null=True)
    vehicle = serializers.IntegerField(allow_null=True)


STOP_OUTCOMES = [(s.value, s.label) for s in (StopStatus.DELIVERED, StopStatus.ATTEMPTED)]
# The hubs' parcel outcomes share the field name "outcome"; both sets are named in ENUM_NAME_OVERRIDES
# so neither gets a hashed name (hubs' list holds enum members, the override needs pairs).
PARCEL_OUTCOMES = [(s.value, s.value) for s in _HUB_OUTCOMES]  # DRF labels bare members by value


class OutcomeSerializer(serializers.Serializer):
    client_id = serializers.UUIDField()
    outcome = serializers.ChoiceField(choices=STOP_OUTCOMES)
    reason = serializers.ChoiceField(choices=AttemptReason.choices, required=False, allow_blank=True, default="")
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)
    photo = serializers.ImageField(required=False)
    signature = serializers.ImageField(required=False, help_text="the recipient's signature drawn on the screen (PNG)")
    pin = serializers.CharField(required=False, allow_blank=True, default="", max_length=8)
    age_checked = serializers.BooleanField(required=False, default=False, help_text="the driver saw an ID")
