"""Money rows are read-only in the admin: they change only through payments.services."""

from django.contrib import admin

from payments.models import ConnectedAccount, Payment, PaymentLog, Refund, StripeEvent, Transfer, TransferLog


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class TransferLogInline(admin.TabularInline):
    model = TransferLog
    extra = 0
    can_delete = False
    fields = readonly_fields = ["created_at", "from_status", "to_status", "actor", "note"]

    def has_add_permission(self, request, obj=None):
        return False


class PaymentLogInline(TransferLogInline):
    model = PaymentLog


@admin.register(ConnectedAccount)
class ConnectedAccountAdmin(ReadOnlyAdmin):
    list_display = ["holder", "stripe_account_id", "email", "details_submitted", "payouts_enabled",
                    "transfers_active", "updated_at"]
    list_filter = ["payouts_enabled", "details_submitted"]
    search_fields = ["holder", "stripe_account_id", "email"]


@admin.register(Transfer)
class TransferAdmin(ReadOnlyAdmin):
    list_display = ["id", "purpose", "reference", "amount", "currency", "status", "stripe_transfer_id", "account",
                    "created_at"]
    list_filter = ["status", "purpose"]
    search_fields = ["reference", "idempotency_key", "stripe_transfer_id", "account__holder"]
    list_select_related = ["account"]
    inlines = [TransferLogInline]


class RefundInline(admin.TabularInline):
    model = Refund
    extra = 0
    can_delete = False
    fields = readonly_fields = ["created_at", "amount", "status", "stripe_refund_id", "idempotency_key",
                                "failure_message"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = ["id", "purpose", "reference", "amount", "amount_refunded", "status", "stripe_payment_intent_id",
                    "created_at"]
    list_filter = ["status", "purpose"]
    search_fields = ["reference", "idempotency_key", "stripe_payment_intent_id"]
    exclude = ["client_secret"]
    inlines = [RefundInline, PaymentLogInline]


@admin.register(Refund)
class RefundAdmin(ReadOnlyAdmin):
    list_display = ["id", "payment", "amount", "status", "stripe_refund_id", "created_at"]
    list_filter = ["status"]
    search_fields = ["stripe_refund_id", "idempotency_key"]


@admin.register(StripeEvent)
class StripeEventAdmin(ReadOnlyAdmin):
    list_display = ["event_id", "type", "object_id", "received_at", "processed_at"]
    list_filter = ["type"]
    search_fields = ["event_id", "object_id"]
