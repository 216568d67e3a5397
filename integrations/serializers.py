"""REST input and output shapes."""

from rest_framework import serializers

from accounts.permissions import SCOPE_AREAS
from core.events import EVENT_TYPES
from integrations.models import WebhookAttempt, WebhookDelivery, WebhookSubscription

EVENT_TYPE_CHOICES = sorted(EVENT_TYPES)
READ_SCOPE_CHOICES = [(f"{area}:read", f"{area}:read") for area in SCOPE_AREAS]
SCOPES_HELP = ("Integrators only: an area's read scope (e.g. `routes:read`) lets the subscription receive that "
               "area's events program-wide. Others receive the events about what they may read.")


class WebhookSubscriptionSerializer(serializers.ModelSerializer):
    owner = serializers.EmailField(source="owner.email", read_only=True)
    event_types = serializers.ListField(child=serializers.ChoiceField(choices=EVENT_TYPE_CHOICES))
    scopes = serializers.ListField(child=serializers.CharField(), help_text=SCOPES_HELP)
    secret_rotation_overlap_until = serializers.DateTimeField(source="previous_secret_expires_at", read_only=True,
                                                              allow_null=True)

    class Meta:
        model = WebhookSubscription
        fields = ["id", "url", "description", "event_types", "scopes", "active", "owner", "consecutive_failures",
                  "disabled_at", "disabled_reason", "secret_rotation_overlap_until", "created_at"]
        read_only_fields = fields


class WebhookSubscriptionCreateSerializer(serializers.Serializer):
    url = serializers.URLField(max_length=500, help_text="https:// URL on a public address.")
    event_types = serializers.ListField(child=serializers.ChoiceField(choices=EVENT_TYPE_CHOICES), allow_empty=False)
    scopes = serializers.ListField(child=serializers.ChoiceField(choices=READ_SCOPE_CHOICES), required=False,
                                   help_text=SCOPES_HELP)
    description = serializers.CharField(max_length=200, required=False, allow_blank=True)


class WebhookSubscriptionUpdateSerializer(serializers.Serializer):
    url = serializers.URLField(max_length=500, required=False)
    event_types = serializers.ListField(child=serializers.ChoiceField(choices=EVENT_TYPE_CHOICES), allow_empty=False,
                                        required=False)
    scopes = serializers.ListField(child=serializers.ChoiceField(choices=READ_SCOPE_CHOICES), required=False,
                                   help_text=SCOPES_HELP)
    description = serializers.CharField(max_length=200, required=False, allow_blank=True)
    active = serializers.BooleanField(required=False, help_text="false disables; true re-enables and clears failures.")


class WebhookSubscriptionSecretSerializer(WebhookSubscriptionSerializer):
    secret = serializers.CharField(read_only=True, help_text="Shown once; store it now to verify signatures.")

    class Meta(WebhookSubscriptionSerializer.Meta):
        fields = [*WebhookSubscriptionSerializer.Meta.fields, "secret"]
        read_only_fields = fields


class WebhookRotateSerializer(serializers.Serializer):
    overlap_hours = serializers.IntegerField(min_value=0, max_value=168, required=False,
                                             help_text="How long the old secret keeps signing (default 24).")


class WebhookAttemptSerializer(serializers.ModelSerializer):
    class Meta:
        model = WebhookAttempt
        fields = ["number", "started_at", "status_code", "latency_ms", "response_excerpt", "error", "succeeded"]
        read_only_fields = fields


class WebhookDeliverySerializer(serializers.ModelSerializer):
    event_id = serializers.UUIDField(source="event.id", read_only=True)
    event_type = serializers.CharField(source="event.type", read_only=True)
    subscription = serializers.IntegerField(source="subscription_id", read_only=True)
    attempt_log = WebhookAttemptSerializer(many=True, read_only=True)

    class Meta:
        model = WebhookDelivery
        fields = ["id", "subscription", "event_id", "event_type", "status", "attempts", "next_attempt_at",
                  "last_attempt_at", "retry_until", "created_at", "attempt_log"]
        read_only_fields = fields


class EventTypeSerializer(serializers.Serializer):
    type = serializers.CharField()
    description = serializers.CharField()
    payload = serializers.DictField(child=serializers.CharField(),
                                    help_text="Field name -> type of the `data` object delivered for this event.")
    audience = serializers.ListField(child=serializers.CharField(),
                                     help_text="Whose objects it is about (partner, hub, applicant): they receive it.")
    scope = serializers.CharField(allow_null=True,
                                  help_text="The read scope that lets an integrator receive it program-wide "
                                            "(null: no integrator does).")
