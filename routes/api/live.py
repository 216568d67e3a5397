"""REST for the day's operations: positions from the phone (batch), the live board's data, a route's track,
rescue and call-out, and the recipient's tracking (public, by its signed link). Thin, like the pages."""

from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from core.errors import NotFound, ValidationFailed
from core.idempotency import idempotent
from core.servicedays import service_today
from fleet.models import Driver, Vehicle
from routes import selectors, selectors_live
from routes.models import RouteChange
from routes.services.live import positions_record
from routes.services.recipients import package_for_token, recipient_feedback_record, tracking_view
from routes.services.rescue import route_callout, stops_rescue


class PointSerializer(serializers.Serializer):
    at = serializers.DateTimeField(help_text="When the phone took the fix (ISO 8601 with offset).")
    lat = serializers.FloatField(min_value=-90, max_value=90)
    lng = serializers.FloatField(min_value=-180, max_value=180)
    accuracy = serializers.FloatField(required=False, allow_null=True, min_value=0)


class PositionsSerializer(serializers.Serializer):
    points = PointSerializer(many=True)


PositionsAnswer = inline_serializer("PositionsAnswer", {
    "received": serializers.IntegerField(), "route": serializers.IntegerField(),
    "route_version": serializers.IntegerField(allow_null=True,
                                              help_text="The route's latest change; reload the stops when it moves")})


class RoutePositionsView(APIView):
    """The driver's phone sends the fixes it took (queued offline, oldest first); a fix sent twice is stored once."""

    api_area = "routes"
    permission_required = "routes.drive"

    @extend_schema(request=PositionsSerializer, responses=PositionsAnswer,
                   summary="Send a batch of the route's positions (at most 500); resending a batch adds nothing")
    @idempotent
    def post(self, request, pk):
        route = selectors.route_get_for_user(user=request.user, route_id=pk)
        points = request.data.get("points") if isinstance(request.data, dict) else None
        received = positions_record(route=route, points=points)
        version = RouteChange.objects.filter(route=route).order_by("-id").values_list("id", flat=True).first()
        return Response({"received": received, "route": route.pk, "route_version": version})


def _row(row) -> dict:
    r, p = row.route, row.pace
    return {"route": r.pk, "code": r.code, "partner": r.partner_id, "driver": r.driver.full_name if r.driver else None,
            "done": p.done, "left": p.left, "attempted": p.attempted, "delay_min": p.delay_min,
            "planned_end_s": r.end_s, "projected_end_s": p.projected_end_s, "shift_end_s": p.shift_end_s,
            "position": ({"lat": row.position[0], "lng": row.position[1], "at": row.position_at,
                          "age_min": row.position_age_min} if row.position else None),
            "alerts": row.alerts}


BoardAnswer = inline_serializer("LiveBoard", {
    "station": serializers.CharField(), "service_date": serializers.DateField(),
    "routes": inline_serializer("LiveBoardRoute", {
        "route": serializers.IntegerField(), "code": serializers.CharField(), "partner": serializers.IntegerField(),
        "driver": serializers.CharField(allow_null=True), "done": serializers.IntegerField(),
        "left": serializers.IntegerField(), "attempted": serializers.IntegerField(),
        "delay_min": serializers.IntegerField(allow_null=True, help_text="+ behind, - ahead"),
        "planned_end_s": serializers.IntegerField(), "projected_end_s": serializers.IntegerField(),
        "shift_end_s": serializers.IntegerField(), "position": serializers.DictField(allow_null=True),
        "alerts": serializers.ListField(child=serializers.CharField())}, many=True)})


class BoardView(APIView):
    """Today's routes at a station with their pace, last position and alerts: your own routes for a partner, any
    station's (`?station=CODE`) for a program admin."""

    api_area = "routes"
    permission_required = "routes.live"

    @extend_schema(parameters=[OpenApiParameter("station", str, required=False)], responses=BoardAnswer,
                   summary="The live board's data")
    def get(self, request):
        station = selectors_live.board_station(user=request.user, code=request.query_params.get("station"))
        board = selectors_live.board_for(user=request.user, station=station, day=service_today(station))
        return Response({"station": station.code, "service_date": board.day,
                         "routes": [_row(r) for r in board.rows]})


TrackAnswer = inline_serializer("RouteTrack", {
    "route": serializers.IntegerField(), "service_date": serializers.DateField(),
    "points": PointSerializer(many=True)})


class RouteTrackView(APIView):
    """A route's track in the order the phone took the fixes (`?since=` for the newer ones only)."""

    api_area = "routes"

    @extend_schema(parameters=[OpenApiParameter("since", str, required=False)], responses=TrackAnswer,
                   summary="A route's positions today (yours only)")
    def get(self, request, pk):
        raw = request.query_params.get("since")
        since = parse_datetime(raw) if raw else None
        if raw and (since is None or since.tzinfo is None):
            message = _("Give `since` as an ISO 8601 time with its offset.")
            raise ValidationFailed(message, code="bad_since", fields={"since": [message]})
        route, track = selectors_live.route_track(user=request.user, route_id=pk, since=since)
        points = [{"at": p.recorded_at, "lat": p.latitude, "lng": p.longitude, "accuracy": p.accuracy_m}
                  for p in track.iterator(chunk_size=2000)]
        return Response({"route": route.pk, "service_date": route.service_date, "points": points})


class RescueSerializer(serializers.Serializer):
    to_route = serializers.IntegerField()
    stops = serializers.ListField(child=serializers.IntegerField(), allow_empty=False, max_length=1000)


class RescueView(APIView):
    api_area = "routes"
    permission_required = "routes.live"

    @extend_schema(request=RescueSerializer, responses=inline_serializer("RescueAnswer", {
        "from_route": serializers.IntegerField(), "to_route": serializers.IntegerField(),
        "order": serializers.ListField(child=serializers.IntegerField()), "end_s": serializers.IntegerField()}),
        summary="Move remaining stops to another of your routes today; the receiving route is re-sequenced")
    def post(self, request, pk):
        route = selectors_live.board_route_get(user=request.user, route_id=pk)
        data = RescueSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            target = selectors_live.board_route_get(user=request.user, route_id=data.validated_data["to_route"])
        except NotFound as exc:
            message = _("Choose one of your routes today.")
            raise ValidationFailed(message, code="not_yours", fields={"to_route": [message]}) from exc
        plan = stops_rescue(from_route=route, to_route=target, stop_ids=data.validated_data["stops"],
                            by=request.user)
        return Response({"from_route": route.pk, "to_route": target.pk, "order": [s.pk for s in plan.stops],
                         "end_s": plan.end_s})


class ReassignSerializer(serializers.Serializer):
    driver = serializers.IntegerField()
    vehicle = serializers.IntegerField(required=False, allow_null=True)


class ReassignView(APIView):
    api_area = "routes"
    permission_required = "routes.live"

    @extend_schema(request=ReassignSerializer, responses=inline_serializer("ReassignAnswer", {
        "route": serializers.IntegerField(), "driver": serializers.IntegerField(),
        "vehicle": serializers.IntegerField(allow_null=True)}),
        summary="Hand a whole route to another of your drivers (a call-out)")
    def post(self, request, pk):
        route = selectors_live.board_route_get(user=request.user, route_id=pk)
        data = ReassignSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        driver = Driver.objects.filter(partner=route.partner, pk=v["driver"]).first()
        vehicle = Vehicle.objects.filter(partner=route.partner, pk=v["vehicle"]).first() if v.get("vehicle") else None
        if driver is None or (v.get("vehicle") and vehicle is None):
            field = "driver" if driver is None else "vehicle"
            raise ValidationFailed(_("Not one of your drivers or vans."), code="not_yours",
                                   fields={field: ["not found"]})
        route = route_callout(route=route, driver=driver, vehicle=vehicle, by=request.user)
        return Response({"route": route.pk, "driver": route.driver_id, "vehicle": route.vehicle_id})


TrackingAnswer = inline_serializer("Tracking", {
    "tracking_id": serializers.CharField(), "status": serializers.CharField(),
    "status_label": serializers.CharField(), "service_date": serializers.DateField(),
    "window": serializers.CharField(), "eta": serializers.CharField(allow_null=True),
    "stops_away": serializers.IntegerField(allow_null=True),
    "delivered_at": serializers.DateTimeField(allow_null=True), "attempt_reason": serializers.CharField(),
    "has_photo": serializers.BooleanField()})


class TrackingView(APIView):
    """One package by its tracking link's token: nothing about any other package or recipient."""

    api_area = "routes"
    authentication_classes = []
    permission_classes = [AllowAny]

    @extend_schema(responses=TrackingAnswer, summary="A package's status and live ETA (public, by its signed token)")
    def get(self, request, token):
        view = tracking_view(package=package_for_token(token=token))
        return Response({k: view.get(k) for k in ("tracking_id", "status", "status_label", "service_date", "window",
                                                   "eta", "stops_away", "delivered_at", "attempt_reason",
                                                   "has_photo")})


class FeedbackSerializer(serializers.Serializer):
    rating = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=5)
    comment = serializers.CharField(required=False, allow_blank=True, max_length=1000, default="")
    not_received = serializers.BooleanField(required=False, default=False)


class TrackingFeedbackView(APIView):
    api_area = "routes"
    authentication_classes = []
    permission_classes = [AllowAny]

    @extend_schema(request=FeedbackSerializer, responses=inline_serializer("FeedbackAnswer", {
        "rating": serializers.IntegerField(allow_null=True), "not_received": serializers.BooleanField()}),
        summary="Rate the delivery (1-5, with a comment) or report it delivered but not received")
    def post(self, request, token):
        package = package_for_token(token=token)
        data = FeedbackSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        row = recipient_feedback_record(package=package, **data.validated_data)
        return Response({"rating": row.rating, "not_received": row.not_received})
