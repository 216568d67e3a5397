"""REST for the roster: shifts, availability, time off and shift swaps. Scoped to the caller's partner (another
partner's id is a 404), cursor-paginated, creates idempotent (`Idempotency-Key`)."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api import CursorPagination
from core.dates import parse_day
from core.errors import ValidationFailed
from core.idempotency import idempotent
from core.serializers import validated
from fleet import roster_selectors as roster
from fleet import services
from fleet.api import _PartnerScoped
from fleet.models import Availability, Driver, Shift, ShiftSwap, TimeOff


@extend_schema_field({"type": "string", "pattern": r"^\d{2}:\d{2}$", "example": "07:30"})
class ClockField(serializers.TimeField):
    """A local time of day as "HH:MM" (no zone: it is the station's clock), in and out."""

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", input_formats=["%H:%M"], **kwargs)


class ShiftSerializer(serializers.ModelSerializer):
    starts_at = ClockField(read_only=True)
    driver_name = serializers.CharField(source="driver.full_name", read_only=True)

    class Meta:
        model = Shift
        fields = ["id", "driver", "driver_name", "day", "starts_at", "minutes", "break_minutes", "station_id",
                  "state", "created_at"]
        read_only_fields = fields


class ShiftInputSerializer(serializers.Serializer):
    driver = serializers.IntegerField()
    day = serializers.DateField()
    starts_at = ClockField(help_text="Local start time (HH:MM): one of your station's dispatch waves.")
    minutes = serializers.IntegerField(min_value=60, max_value=16 * 60)
    break_minutes = serializers.IntegerField(min_value=0, max_value=120, required=False, allow_null=True,
                                             help_text="Omitted: the break the hours rule asks for.")
    station_id = serializers.IntegerField(required=False, allow_null=True)
    state = serializers.CharField(max_length=2, required=False, allow_blank=True, default="")


class AvailabilitySerializer(serializers.ModelSerializer):
    class Meta:
        model = Availability
        fields = ["id", "driver", "weekday", "date", "available", "note", "created_at"]
        read_only_fields = fields


class AvailabilityInputSerializer(serializers.Serializer):
    driver = serializers.IntegerField()
    weekday = serializers.IntegerField(min_value=0, max_value=6, required=False, allow_null=True,
                                       help_text="0 = Monday … 6 = Sunday (the usual week).")
    date = serializers.DateField(required=False, allow_null=True, help_text="One date that differs.")
    available = serializers.BooleanField()
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class TimeOffSerializer(serializers.ModelSerializer):
    class Meta:
        model = TimeOff
        fields = ["id", "driver", "first_day", "last_day", "reason", "status", "status_changed_at", "created_at"]
        read_only_fields = fields


class TimeOffInputSerializer(serializers.Serializer):
    driver = serializers.IntegerField()
    first_day = serializers.DateField()
    last_day = serializers.DateField()
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class SwapSerializer(serializers.ModelSerializer):
    class Meta:
        model = ShiftSwap
        fields = ["id", "shift", "from_driver", "to_driver", "note", "status", "status_changed_at", "created_at"]
        read_only_fields = fields


class SwapInputSerializer(serializers.Serializer):
    shift = serializers.IntegerField()
    to_driver = serializers.IntegerField()
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class RosterDecisionSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=["approve", "decline"])
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class _ByCreated(CursorPagination):
    ordering = ("-created_at", "-pk")


class _Roster(_PartnerScoped, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    pagination_class = _ByCreated

    def _driver(self, driver_id, field="driver") -> Driver:
        driver = Driver.objects.filter(partner=self.partner, pk=driver_id).first()
        if driver is None:
            raise ValidationFailed(_("Not one of your drivers."), code="driver_unknown",
                                   fields={field: [_("Not one of your drivers.")]})
        return driver


RANGE = [OpenApiParameter("from", str, description="First day (YYYY-MM-DD)."),
         OpenApiParameter("to", str, description="Last day (YYYY-MM-DD).")]


class ShiftViewSet(mixins.DestroyModelMixin, _Roster):
    """The roster: one shift per driver per day. `?from=&to=` limits the days. A create that breaks an hours rule
    is a 400 whose `code` and `detail` name the rule (`hours_rule_day`, `hours_rule_week`, `hours_rule_rest`,
    `hours_rule_break`), or `time_off` / `unavailable`."""

    serializer_class = ShiftSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Shift.objects.none()
        qs = Shift.objects.filter(partner=self.partner).select_related("driver")
        first = parse_day(self.request.query_params.get("from"), field="from")
        last = parse_day(self.request.query_params.get("to"), field="to")
        if first:
            qs = qs.filter(day__gte=first)
        if last:
            qs = qs.filter(day__lte=last)
        return qs

    def get_object(self):
        return roster.partner_shift_get(user=self.request.user, shift_id=self.kwargs["pk"])

    @extend_schema(parameters=RANGE)
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(request=ShiftInputSerializer, responses={201: ShiftSerializer})
    @idempotent
    def create(self, request):
        data = validated(ShiftInputSerializer, request.data)
        shift = services.shift_create(partner=self.partner, driver=self._driver(data.pop("driver")), by=request.user,
                                      **data)
        return Response(ShiftSerializer(shift).data, status=status.HTTP_201_CREATED)

    def destroy(self, request, pk=None):
        services.shift_delete(shift=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


class AvailabilityViewSet(_Roster):
    """Drivers' availability: the usual week (`weekday`) and dates that differ (`date`, which wins)."""

    serializer_class = AvailabilitySerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Availability.objects.none()
        return roster.availability_for_partner(partner=self.partner)

    def get_object(self):
        return roster.partner_availability_get(user=self.request.user, availability_id=self.kwargs["pk"])

    @extend_schema(request=AvailabilityInputSerializer, responses={201: AvailabilitySerializer})
    @idempotent
    def create(self, request):
        data = validated(AvailabilityInputSerializer, request.data)
        driver = self._driver(data["driver"])
        if (data.get("weekday") is None) == (data.get("date") is None):
            raise ValidationFailed(_("Give either a weekday or a date."), code="weekday_or_date",
                                   fields={"weekday": [_("Give either a weekday or a date.")]})
        if data.get("date") is not None:
            row = services.availability_exception_set(driver=driver, day=data["date"], available=data["available"],
                                                      note=data["note"])
        else:
            row, _created = Availability.objects.update_or_create(driver=driver, weekday=data["weekday"],
                                                            defaults={"available": data["available"],
                                                                      "note": data["note"]})
        return Response(AvailabilitySerializer(row).data, status=status.HTTP_201_CREATED)


class TimeOffViewSet(_Roster):
    """Time off: asked for a driver, approved or declined by the dispatcher (approval takes the driver's shifts in
    those days off the roster)."""

    serializer_class = TimeOffSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return TimeOff.objects.none()
        qs = roster.timeoff_for_partner(partner=self.partner)
        wanted = self.request.query_params.get("status")
        return qs.filter(status=wanted) if wanted else qs

    def get_object(self):
        return roster.partner_timeoff_get(user=self.request.user, time_off_id=self.kwargs["pk"])

    @extend_schema(parameters=[OpenApiParameter("status", str)])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(request=TimeOffInputSerializer, responses={201: TimeOffSerializer})
    @idempotent
    def create(self, request):
        data = validated(TimeOffInputSerializer, request.data)
        row = services.timeoff_request(driver=self._driver(data.pop("driver")), by=request.user, **data)
        return Response(TimeOffSerializer(row).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=RosterDecisionSerializer, responses=TimeOffSerializer)
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        row = self.get_object()
        data = validated(RosterDecisionSerializer, request.data)
        row = services.timeoff_decide(time_off=row, approve=data["decision"] == "approve", by=request.user,
                                      note=data["note"])
        return Response(TimeOffSerializer(row).data)


class SwapViewSet(_Roster):
    """Shift swaps: the shift's driver hands it to a colleague once the dispatcher approves (the colleague must
    pass every hours rule, else a 400 naming it)."""

    serializer_class = SwapSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ShiftSwap.objects.none()
        return roster.swaps_for_partner(partner=self.partner)

    def get_object(self):
        return roster.partner_swap_get(user=self.request.user, swap_id=self.kwargs["pk"])

    @extend_schema(request=SwapInputSerializer, responses={201: SwapSerializer})
    @idempotent
    def create(self, request):
        data = validated(SwapInputSerializer, request.data)
        shift = Shift.objects.filter(partner=self.partner, pk=data["shift"]).first()
        if shift is None:
            raise ValidationFailed(_("Not one of your shifts."), code="shift_unknown",
                                   fields={"shift": [_("Not one of your shifts.")]})
        row = services.swap_request(shift=shift, to_driver=self._driver(data["to_driver"], "to_driver"),
                                    note=data["note"], by=request.user)
        return Response(SwapSerializer(row).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=RosterDecisionSerializer, responses=SwapSerializer)
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        swap = self.get_object()
        data = validated(RosterDecisionSerializer, request.data)
        row = services.swap_decide(swap=swap, approve=data["decision"] == "approve", by=request.user,
                                   note=data["note"])
        return Response(SwapSerializer(row).data)
