"""Django admin for the hub program's data (states, cities, rates, calendar) and read-mostly views of
hubs, parcels and statements. Status changes go through the review pages (services), not these forms."""

from django.contrib import admin

from hubs.models import EligibleState, Hub, HubSettings, HubTransition, Parcel, Statement, TargetCity


@admin.register(EligibleState)
class EligibleStateAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "enabled"]
    list_editable = ["enabled"]
    search_fields = ["code", "name"]


@admin.register(TargetCity)
class TargetCityAdmin(admin.ModelAdmin):
    list_display = ["name", "state", "enabled"]
    list_editable = ["enabled"]
    list_filter = ["state", "enabled"]
    search_fields = ["name"]


@admin.register(HubSettings)
class HubSettingsAdmin(admin.ModelAdmin):
    list_display = ["__str__", "delivered_rate", "attempted_rate", "returned_rate", "default_capacity",
                    "default_radius_miles"]

    def has_add_permission(self, request):
        return not HubSettings.objects.exists()  # one row

    def has_delete_permission(self, request, obj=None):
        return False


class HubTransitionInline(admin.TabularInline):
    model = HubTransition
    extra = 0
    can_delete = False
    readonly_fields = ["actor", "from_status", "to_status", "note", "created_at"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Hub)
class HubAdmin(admin.ModelAdmin):
    list_display = ["legal_name", "kind", "city", "state", "status", "capacity", "created_at"]
    list_filter = ["status", "kind", "state"]
    search_fields = ["legal_name", "city", "owner__email"]
    readonly_fields = ["status", "decided_at", "decided_by", "status_changed_at", "created_at", "stripe_account_id"]
    raw_id_fields = ["owner"]
    inlines = [HubTransitionInline]


@admin.register(Parcel)
class ParcelAdmin(admin.ModelAdmin):
    list_display = ["tracking_id", "hub", "service_date", "status"]
    list_filter = ["status", "service_date"]
    search_fields = ["tracking_id", "recipient_name"]
    raw_id_fields = ["hub"]
    readonly_fields = [f.name for f in Parcel._meta.fields]


@admin.register(Statement)
class StatementAdmin(admin.ModelAdmin):
    list_display = ["hub", "week_start", "delivered", "attempted", "returned", "earnings", "status", "paid_at"]
    list_filter = ["status", "week_start"]
    search_fields = ["hub__legal_name"]
    readonly_fields = [f.name for f in Statement._meta.fields]
