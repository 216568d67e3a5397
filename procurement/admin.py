"""Procurement admin: the catalog and the pricing rules are edited here; orders change through services."""

from django.contrib import admin

from procurement.models import (
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
