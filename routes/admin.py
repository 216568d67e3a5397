"""Django admin: stations and the capacity calendar are edited here; plans, routes and runs are
read-only views (plans change through the planning services and pages)."""

from django.contrib import admin

from routes.models import PartnerCapacity, Plan, PlanEvent, PlanningRun, Route, RouteChange, Station


@admin.register(Station)
class StationAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "time_zone", "dispatch_start", "shift_minutes", "speed_kmh", "circuity", "active"]
    list_filter = ["active", "time_zone"]
    search_fields = ["code", "name"]


@admin.register(PartnerCapacity)
class PartnerCapacityAdmin(admin.ModelAdmin):
    list_display = ["partner", "station", "date", "weekday", "routes"]
    list_filter = ["station", "weekday"]
    search_fields = ["partner__legal_name", "station__code"]
    autocomplete_fields = ["partner"]


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class PlanEventInline(admin.TabularInline):
    model = PlanEvent
    extra = 0
    can_delete = False
    readonly_fields = ["actor", "from_status", "to_status", "note", "created_at"]


@admin.register(Plan)
class PlanAdmin(ReadOnly):
    list_display = ["station", "service_date", "status", "distance_m", "solver_seconds", "published_at"]
    list_filter = ["status", "station"]
    date_hierarchy = "service_date"
    exclude = ["context"]
    inlines = [PlanEventInline]


@admin.register(Route)
class RouteAdmin(ReadOnly):
    list_display = ["__str__", "partner", "driver", "vehicle", "load", "stop_count", "late_stops"]
    list_filter = ["service_date", "plan__station"]
    list_select_related = ["plan__station", "partner", "driver", "vehicle"]


@admin.register(RouteChange)
class RouteChangeAdmin(ReadOnly):
    list_display = ["route", "kind", "detail", "actor", "created_at"]


@admin.register(PlanningRun)
class PlanningRunAdmin(ReadOnly):
    list_display = ["station", "service_date", "result", "routes", "packages", "started_at", "finished_at"]
    list_filter = ["result", "station"]
