from django.contrib import admin

from fleet.models import (
    Availability,
    ChecklistItem,
    Defect,
    Driver,
    DriverEvent,
    ExpiryReminder,
    HoursRule,
    Inspection,
    InsurancePolicy,
    MaintenanceSchedule,
    OdometerReading,
    Shift,
    ShiftSwap,
    ShiftSwapEvent,
    TimeOff,
    TimeOffEvent,
    Vehicle,
    VehicleEvent,
    WorkOrder,
)


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


@admin.register(ChecklistItem)
class ChecklistItemAdmin(admin.ModelAdmin):
    list_display = ["label", "code", "position", "active"]
    list_editable = ["position", "active"]


@admin.register(WorkOrder)
class WorkOrderAdmin(admin.ModelAdmin):
    list_display = ["__str__", "partner", "vehicle", "status", "cost", "completed_on"]
    list_filter = ["status", "source"]
    raw_id_fields = ["partner", "vehicle", "schedule", "created_by"]


admin.site.register([Inspection, Defect, MaintenanceSchedule])
@admin.register(HoursRule)
class HoursRuleAdmin(admin.ModelAdmin):
    list_display = ["__str__", "max_day_minutes", "max_week_minutes", "min_rest_minutes", "break_after_minutes",
                    "break_minutes"]


@admin.register(Shift)
class ShiftAdmin(admin.ModelAdmin):
    list_display = ["day", "starts_at", "minutes", "break_minutes", "driver", "partner"]
    list_filter = ["day"]
    search_fields = ["driver__last_name", "partner__legal_name"]


@admin.register(TimeOff)
class TimeOffAdmin(admin.ModelAdmin):
    list_display = ["driver", "first_day", "last_day", "status", "partner"]
    list_filter = ["status"]
    readonly_fields = ["status", "status_changed_at"]  # decided through services


admin.site.register([Availability, ShiftSwap, TimeOffEvent, ShiftSwapEvent])
