from django.contrib import admin

from core.models import IdempotencyRecord, OutboxEvent


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
