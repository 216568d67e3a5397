from django.contrib import admin

from core.models import CalendarDay, IdempotencyRecord, OutboxEmail, OutboxEvent


@admin.register(OutboxEvent)
class OutboxEventAdmin(admin.ModelAdmin):
    list_display = ["type", "subject_type", "subject_id", "created_at", "dispatched_at"]
    list_filter = ["type", "subject_type"]
    search_fields = ["subject_id"]
    readonly_fields = [f.name for f in OutboxEvent._meta.fields]


@admin.register(IdempotencyRecord)
class IdempotencyRecordAdmin(admin.ModelAdmin):
    list_display = ["scope", "key", "state", "response_status", "created_at"]
    readonly_fields = [f.name for f in IdempotencyRecord._meta.fields]


@admin.register(OutboxEmail)
class OutboxEmailAdmin(admin.ModelAdmin):
    list_display = ["subject", "created_at", "sent_at", "attempts", "last_error"]
    search_fields = ["subject", "dedupe_key"]
    readonly_fields = [f.name for f in OutboxEmail._meta.fields]


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ["date", "kind", "note"]
    list_filter = ["kind"]
    date_hierarchy = "date"
