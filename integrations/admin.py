from django.contrib import admin

from integrations.models import WebhookAttempt, WebhookDelivery, WebhookSubscription


@admin.register(WebhookSubscription)
class WebhookSubscriptionAdmin(admin.ModelAdmin):
    list_display = ["url", "owner", "active", "consecutive_failures", "disabled_at", "created_at"]
    list_filter = ["active"]
    search_fields = ["url", "owner__email"]
    readonly_fields = ["consecutive_failures", "disabled_at", "previous_secret_expires_at", "created_at"]


class WebhookAttemptInline(admin.TabularInline):
    model = WebhookAttempt
    extra = 0
    can_delete = False
    readonly_fields = ["number", "started_at", "status_code", "latency_ms", "response_excerpt", "error", "succeeded"]


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = ["event", "subscription", "status", "attempts", "next_attempt_at", "created_at"]
    list_filter = ["status"]
    raw_id_fields = ["subscription", "event"]
    inlines = [WebhookAttemptInline]
