from django.contrib import admin

from fleet.models import Driver, DriverEvent, ExpiryReminder, InsurancePolicy, OdometerReading, Vehicle, VehicleEvent


@admin.register(Vehicle)
class VehicleAdmin(admin.ModelAdmin):
    list_display = ["vin", "plate", "plate_state", "make", "model", "year", "partner", "status"]
    list_filter = ["status", "ownership", "acquired_via"]
    search_fields = ["vin", "plate", "partner__legal_name"]
    readonly_fields = ["status", "status_reason", "status_changed_at"]  # statuses change through services


@admin.register(Driver)
class DriverAdmin(admin.ModelAdmin):
    list_display = ["last_name", "first_name", "partner", "licence_state", "licence_expires_on", "status"]
    list_filter = ["status", "background_check", "driving_record_check"]
    search_fields = ["last_name", "first_name", "email", "licence_number", "partner__legal_name"]
    readonly_fields = ["status", "status_changed_at", "user"]


@admin.register(InsurancePolicy)
class InsurancePolicyAdmin(admin.ModelAdmin):
    list_display = ["coverage", "carrier", "policy_number", "partner", "effective_on", "expires_on"]
    list_filter = ["coverage", "acquired_via"]
    search_fields = ["policy_number", "carrier", "partner__legal_name"]
    filter_horizontal = ["vehicles"]


admin.site.register([VehicleEvent, DriverEvent, OdometerReading, ExpiryReminder])


# --- Procurement: the catalog and the pricing rules are edited here; orders change through services. ---

from fleet.models import (  # noqa: E402
    CatalogItem,
    FleetSizeTier,
    Order,
    OrderEvent,
    OrderLine,
    ProcurementSettings,
    Promotion,
    Vendor,
)


@admin.register(Vendor)
class VendorAdmin(admin.ModelAdmin):
    list_display = ["name", "contact_email", "active"]
    search_fields = ["name"]


@admin.register(CatalogItem)
class CatalogItemAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "category", "vendor", "price_basis", "list_price", "discount_type",
                    "discount_value", "active"]
    list_filter = ["kind", "category", "vendor", "active"]
    search_fields = ["name", "sku", "make", "model", "carrier"]
    list_editable = ["list_price", "discount_type", "discount_value", "active"]


@admin.register(FleetSizeTier)
class FleetSizeTierAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "min_vans", "percent", "active"]
    list_editable = ["min_vans", "percent", "active"]


@admin.register(Promotion)
class PromotionAdmin(admin.ModelAdmin):
    list_display = ["name", "item", "kind", "percent", "amount", "starts_at", "ends_at", "active"]
    list_filter = ["active", "kind"]


@admin.register(ProcurementSettings)
class ProcurementSettingsAdmin(admin.ModelAdmin):
    list_display = ["__str__", "veteran_extra_percent", "deposit_percent_vehicle", "deposit_percent_insurance",
                    "deposit_percent_supply"]

    def has_add_permission(self, request):
        return not ProcurementSettings.objects.exists()


class OrderLineInline(admin.TabularInline):
    model = OrderLine
    extra = 0
    can_delete = False
    readonly_fields = [f.name for f in OrderLine._meta.fields]


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    list_display = ["pk", "partner", "status", "total", "savings", "deposit_amount", "submitted_at"]
    list_filter = ["status"]
    search_fields = ["partner__legal_name"]
    inlines = [OrderLineInline]
    readonly_fields = [f.name for f in Order._meta.fields]  # orders change through services, snapshots never


admin.site.register(OrderEvent)
