"""REST input and output shapes."""

from django.urls import reverse
from rest_framework import serializers

from core.serializers import AmountField
from onboarding.models import (
    Application,
    ApplicationDocument,
    ApplicationEvent,
    BackgroundCheck,
    Partner,
    Region,
)
from onboarding.selectors import onboarding_settings
from onboarding.steps import ANSWER_FIELDS, application_problems


class RegionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Region
        fields = ["id", "name", "state", "active"]
        read_only_fields = fields


class DocumentSerializer(serializers.ModelSerializer):
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = ApplicationDocument
        fields = ["id", "kind", "original_name", "content_type", "size", "sha256", "uploaded_at", "download_url"]
        read_only_fields = fields

    def get_download_url(self, obj) -> str:
        return reverse("api-application-document-download", args=[obj.application_id, obj.pk])


class DocumentUploadSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ApplicationDocument.Kind.choices)
    file = serializers.FileField(help_text="PDF, JPEG or PNG (checked by content), at most 10 MB.")


class CheckSerializer(serializers.ModelSerializer):
    recorded_by = serializers.EmailField(source="recorded_by.email", read_only=True, default=None, allow_null=True)

    class Meta:
        model = BackgroundCheck
        fields = ["kind", "status", "reference", "note", "recorded_by", "updated_at"]
        read_only_fields = fields


class CheckRecordSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=BackgroundCheck.Kind.choices)
    status = serializers.ChoiceField(choices=BackgroundCheck.Result.choices)
    reference = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    note = serializers.CharField(required=False, allow_blank=True, default="")


class EventSerializer(serializers.ModelSerializer):
    actor = serializers.EmailField(source="actor.email", read_only=True, default=None, allow_null=True)

    class Meta:
        model = ApplicationEvent
        fields = ["id", "from_status", "to_status", "note", "actor", "created_at"]
        read_only_fields = fields


class ProblemSerializer(serializers.Serializer):
    step = serializers.IntegerField()
    field = serializers.CharField()
    message = serializers.CharField()
    code = serializers.CharField()


def _blank_choice(model_field: str):
    """A read-only choice that may still be unanswered (""): declared so the schema allows the blank."""
    field = Application._meta.get_field(model_field)
    return serializers.ChoiceField(choices=field.choices, allow_blank=True, read_only=True)


class ApplicationSerializer(serializers.ModelSerializer):
    applicant = serializers.EmailField(source="applicant.email", read_only=True)
    state = _blank_choice("state")
    military_branch = _blank_choice("military_branch")
    discharge_type = _blank_choice("discharge_type")
    entity_type = _blank_choice("entity_type")
    formation_state = _blank_choice("formation_state")
    documents = DocumentSerializer(many=True, read_only=True)
    checks = CheckSerializer(many=True, read_only=True)
    missing = serializers.SerializerMethodField(help_text="What still stops a submit (empty when complete).")

    class Meta:
        model = Application
        fields = ["id", "applicant", "status", "track", *ANSWER_FIELDS, "submitted_at", "decided_at",
                  "decision_note", "veteran_status", "veteran_note", "created_at", "updated_at", "documents", "checks",
                  "missing"]
        read_only_fields = fields

    def get_missing(self, obj) -> list[dict]:
        if not obj.is_editable:
            return []
        if "settings" not in self.context:
            self.context["settings"] = onboarding_settings()
        return ProblemSerializer(application_problems(obj, settings=self.context["settings"]), many=True).data


class ApplicationWriteSerializer(serializers.ModelSerializer):
    """Any subset of the answers; formats are checked here, completeness on submit."""

    region = serializers.PrimaryKeyRelatedField(queryset=Region.objects.filter(active=True), required=False,
                                                allow_null=True)
    liquid_capital = AmountField(allow_zero=True, required=False, allow_null=True)

    class Meta:
        model = Application
        fields = list(ANSWER_FIELDS)
        extra_kwargs = {name: {"required": False} for name in ANSWER_FIELDS}


class ApplicationDecisionSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=["approve", "reject", "needs_info"])
    note = serializers.CharField(required=False, allow_blank=True, default="",
                                 help_text="Required for reject and needs_info.")


class NoteSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="")


class VeteranVerifySerializer(serializers.Serializer):
    verified = serializers.BooleanField()
    note = serializers.CharField(required=False, allow_blank=True, default="",
                                 help_text="Required when not verified.")


class ChecklistItemSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    done = serializers.BooleanField()
    automatic = serializers.BooleanField()
    detail = serializers.CharField()


class PartnerSerializer(serializers.ModelSerializer):
    region = RegionSerializer(read_only=True)
    checklist = serializers.SerializerMethodField()

    class Meta:
        model = Partner
        fields = ["id", "legal_name", "entity_type", "state_of_formation", "ein", "region", "veteran_owned", "status",
                  "application", "created_at", "first_route_on", "checklist"]
        read_only_fields = fields

    def get_checklist(self, obj) -> list[dict]:
        from onboarding.checklist import partner_checklist

        return ChecklistItemSerializer(partner_checklist(partner=obj), many=True).data
