"""Django admin: stations and the capacity calendar are edited here; plans, routes and runs are
read-only views (plans change through the planning services and pages)."""

from django.contrib import admin, messages

from core.errors import DomainError
from routes.models import (
    LiveSettings,
    PackageScan,
    PartnerCapacity,
    Plan,
    PlanEvent,
    PlanningRun,
    ProofRule,
    RecipientFeedback,
    RecipientNotification,
    Route,
    RouteChange,
    Station,
    StopContact,
    StopProof,
)
from routes.services import stop_proof_reject


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


# --- the driver's phone -----------------------------------------------------------------------------

@admin.register(ProofRule)
class ProofRuleAdmin(admin.ModelAdmin):
    """Proof of delivery as program data: what a delivery must carry, for every stop or by package flag."""

    list_display = ["name", "applies_to", "photo", "signature", "pin", "age_check", "active"]
    list_editable = ["active"]
    list_filter = ["applies_to", "active"]


@admin.action(description="Reject the selected proofs (asks no reason: the note says 'rejected in review')")
def reject_proofs(modeladmin, request, queryset):
    done = 0
    for proof in queryset:
        try:
            stop_proof_reject(proof=proof, by=request.user, note=request.POST.get("note") or "rejected in review")
        except DomainError as exc:
            modeladmin.message_user(request, f"{proof}: {exc.detail}", level=messages.WARNING)
        else:
            done += 1
    modeladmin.message_user(request, f"{done} proof(s) rejected.")


@admin.register(StopProof)
class StopProofAdmin(ReadOnly):
    list_display = ["stop", "kind", "required", "status", "taken_by", "taken_at", "reviewed_by"]
    list_filter = ["kind", "status", "required"]
    list_select_related = ["stop", "taken_by", "reviewed_by"]
    actions = [reject_proofs]
    exclude = ["file"]


@admin.register(StopContact)
class StopContactAdmin(ReadOnly):
    list_display = ["stop", "channel", "by", "occurred_at"]
    list_filter = ["channel"]
    list_select_related = ["stop", "by"]


@admin.register(PackageScan)
class PackageScanAdmin(ReadOnly):
    list_display = ["code", "kind", "result", "route", "by", "occurred_at"]
    list_filter = ["kind", "result"]
    search_fields = ["code"]
    list_select_related = ["route__plan__station", "by"]


# --- live dispatch and the recipient ----------------------------------------------------------------------------

@admin.register(LiveSettings)
class LiveSettingsAdmin(admin.ModelAdmin):
    list_display = ["__str__", "track_retention_days", "silent_after_minutes", "behind_after_minutes", "nearby_stops"]

    def has_add_permission(self, request):
        return not LiveSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(RecipientFeedback)
class RecipientFeedbackAdmin(ReadOnly):
    list_display = ["package", "partner", "service_date", "rating", "not_received", "comment", "created_at"]
    list_filter = ["not_received", "rating", "service_date"]
    list_select_related = ["package", "partner"]


@admin.register(RecipientNotification)
class RecipientNotificationAdmin(ReadOnly):
    list_display = ["package", "trigger", "channel", "sent_at", "error", "created_at"]
    list_filter = ["trigger", "channel"]
    list_select_related = ["package"]
    exclude = ["to"]  # the recipient's address stays out of the admin's lists
