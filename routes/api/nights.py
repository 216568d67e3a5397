"""The national night over the API (planners): nights, one night's counts and stations done over time, and its
stations' runs (cursor-paginated) with the solving ones' progress."""

from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from core.errors import NotFound
from routes import nights
from routes.models import PlanningNight, PlanningRun
from routes.serializers import JobProgressSerializer


class NightSerializer(serializers.ModelSerializer):
    class Meta:
        model = PlanningNight
        fields = ["id", "night_of", "status", "stations", "started_at", "finished_at"]


class NightCountsSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    queued = serializers.IntegerField()
    running = serializers.IntegerField(help_text="solving now")
    planned = serializers.IntegerField(help_text="saved")
    skipped = serializers.IntegerField()
    failed = serializers.IntegerField()
    done = serializers.IntegerField(help_text="saved + skipped + failed")


class NightDetailSerializer(NightSerializer):
    counts = serializers.SerializerMethodField()
    done_over_time = serializers.SerializerMethodField(
        help_text="[seconds since the night started, stations done by then], one pair per station done")

    class Meta(NightSerializer.Meta):
        fields = [*NightSerializer.Meta.fields, "counts", "done_over_time"]

    @extend_schema(responses=NightCountsSerializer)
    def get_counts(self, night) -> dict:
        return NightCountsSerializer(nights.night_counts(night=night)).data

    def get_done_over_time(self, night) -> list[list[float]]:
        return [[round(t, 1), n] for t, n in nights.night_series(night=night)]


class NightRunSerializer(serializers.ModelSerializer):
    station = serializers.SlugRelatedField(slug_field="code", read_only=True)
    state = serializers.CharField(source="result", help_text="queued, running (solving), planned (saved), skipped "
                                                             "or failed")
    progress = serializers.SerializerMethodField()

    class Meta:
        model = PlanningRun
        fields = ["id", "station", "service_date", "plan", "state", "detail", "packages", "routes", "attempts",
                  "worker", "started_at", "finished_at", "progress"]

    @extend_schema(responses=JobProgressSerializer(allow_null=True))
    def get_progress(self, run) -> dict | None:
        return self.context.get("progress", {}).get(run.pk)


def _night(pk: int) -> PlanningNight:
    night = nights.night_get(night_id=pk)
    if night is None:
        raise NotFound()
    return night


class NightListView(generics.ListAPIView):
    api_area = "routes"
    permission_required = "routes.plan"
    serializer_class = NightSerializer
    queryset = PlanningNight.objects.all()

    @extend_schema(summary="Planning nights, newest first")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class NightDetailView(APIView):
    api_area = "routes"
    permission_required = "routes.plan"

    @extend_schema(responses=NightDetailSerializer, summary="A night: its stations' states and stations done over time")
    def get(self, request, pk):
        return Response(NightDetailSerializer(_night(pk)).data)


class NightRunListView(generics.ListAPIView):
    api_area = "routes"
    permission_required = "routes.plan"
    serializer_class = NightRunSerializer

    @extend_schema(summary="A night's stations: state, progress while solving, worker, attempts, times, reason")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return PlanningRun.objects.none()
        return PlanningRun.objects.filter(night=_night(self.kwargs["pk"])).select_related("station")

    def get_serializer_context(self):
        context = super().get_serializer_context()
        page = getattr(self, "_runs", None)
        context["progress"] = nights.runs_progress(page) if page else {}
        return context

    def paginate_queryset(self, queryset):
        self._runs = super().paginate_queryset(queryset)
        return self._runs
