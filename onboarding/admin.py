from django.contrib import admin

from onboarding.claims.models import Claim, ClaimCategory, ClaimEvent, ClaimReceipt
from onboarding.models import (
    Application,
    ApplicationDocument,
    ApplicationEvent,
    BackgroundCheck,
    OnboardingSettings,
    Partner,
    PartnerMembership,
    Region,
)


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["name", "state", "active"]
    list_filter = ["active", "state"]
    search_fields = ["name"]


@admin.register(OnboardingSettings)
class OnboardingSettingsAdmin(admin.ModelAdmin):
    list_display = ["__str__", "capital_minimum", "review_sla_business_days", "updated_at"]

    def has_add_permission(self, request):
        return not OnboardingSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


class EventInline(admin.TabularInline):
    model = ApplicationEvent
    extra = 0
    can_delete = False
    readonly_fields = ["created_at", "actor", "from_status", "to_status", "note"]

    def has_add_permission(self, request, obj=None):
        return False


class CheckInline(admin.TabularInline):
    model = BackgroundCheck
    extra = 0
    readonly_fields = ["kind", "status", "reference", "note", "recorded_by", "updated_at"]

    def has_add_permission(self, request, obj=None):
        return False


class DocumentInline(admin.TabularInline):
    model = ApplicationDocument
    extra = 0
    readonly_fields = ["kind", "original_name", "content_type", "size", "uploaded_at"]
    exclude = ["file", "sha256", "uploaded_by"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):
    """Read-mostly: status changes go through the review pages so every move is logged."""

    list_display = ["id", "applicant", "entity_name", "status", "track", "region", "submitted_at"]
    list_filter = ["status", "track", "region"]
    search_fields = ["applicant__email", "legal_name", "entity_name"]
    readonly_fields = ["status", "submitted_at", "first_submitted_at", "decided_at", "decided_by", "decision_note",
                       "veteran_status", "veteran_verified_by", "veteran_verified_at", "veteran_note",
                       "status_changed_at", "created_at", "updated_at"]
    raw_id_fields = ["applicant"]
    inlines = [DocumentInline, CheckInline, EventInline]


class MembershipInline(admin.TabularInline):
    model = PartnerMembership
    extra = 0
    raw_id_fields = ["user"]


@admin.register(Partner)
class PartnerAdmin(admin.ModelAdmin):
    list_display = ["legal_name", "entity_type", "state_of_formation", "region", "veteran_owned", "status",
                    "created_at"]
    list_filter = ["status", "veteran_owned", "region"]
    search_fields = ["legal_name", "ein"]
    raw_id_fields = ["application"]
    inlines = [MembershipInline]


@admin.register(ClaimCategory)
class ClaimCategoryAdmin(admin.ModelAdmin):
    """Program data: what claims may be for, and whether it is reimbursable."""

    list_display = ["name", "code", "eligible", "position"]
    list_editable = ["eligible", "position"]


class ClaimReceiptInline(admin.TabularInline):
    model = ClaimReceipt
    extra = 0
    can_delete = False
    fields = ["original_name", "content_type", "size", "sha256", "uploaded_at"]
    readonly_fields = fields


class ClaimEventInline(admin.TabularInline):
    model = ClaimEvent
    extra = 0
    can_delete = False
    fields = ["created_at", "actor", "from_status", "to_status", "note"]
    readonly_fields = fields


@admin.register(Claim)
class ClaimAdmin(admin.ModelAdmin):
    """Read-only: decisions and payouts go through the claim pages so the cap and the log hold."""

    list_display = ["id", "partner", "category", "vendor", "amount", "approved_amount", "status", "submitted_at"]
    list_filter = ["status", "category"]
    search_fields = ["vendor", "partner__legal_name"]
    readonly_fields = [f.name for f in Claim._meta.fields]
    inlines = [ClaimReceiptInline, ClaimEventInline]

    def has_add_permission(self, request):
        return False
