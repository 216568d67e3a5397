"""REST input and output shapes."""

import re
import uuid

from django.utils.dateparse import parse_date
from rest_framework import serializers

from hubs.models import AttemptReason, BusinessKind, DeliveryMeans, Hub, Parcel, Statement
from hubs.services.parcels import MAX_BATCH, OUTCOMES


class HubSerializer(serializers.ModelSerializer):
    class Meta:
        model = Hub
        fields = ["id", "legal_name", "kind", "street", "city", "state", "postal_code", "latitude", "longitude",
                  "time_zone", "opening_hours", "storage_size", "delivery_means", "staff_count", "capacity",
                  "radius_miles", "status", "eligible_at_enrollment", "decision_note", "decided_at", "created_at"]
        read_only_fields = fields


class AdminHubSerializer(HubSerializer):
    owner_email = serializers.EmailField(source="owner.email", read_only=True)
    volume = serializers.IntegerField(read_only=True, default=None)
    delivered = serializers.IntegerField(read_only=True, default=None)
    total_earnings = serializers.DecimalField(max_digits=12, decimal_places=2, read_only=True, default=None)

    class Meta(HubSerializer.Meta):
        fields = [*HubSerializer.Meta.fields, "owner_email", "volume", "delivered", "total_earnings"]
        read_only_fields = fields


class EnrollmentSerializer(serializers.Serializer):
    legal_name = serializers.CharField(max_length=200)
    kind = serializers.ChoiceField(choices=BusinessKind.choices)
    street = serializers.CharField(max_length=200)
    city = serializers.CharField(max_length=100)
    state = serializers.CharField(max_length=2, min_length=2)
    postal_code = serializers.CharField(max_length=10)
    latitude = serializers.DecimalField(max_digits=9, decimal_places=6, min_value=-90, max_value=90)
    longitude = serializers.DecimalField(max_digits=9, decimal_places=6, min_value=-180, max_value=180)
    time_zone = serializers.CharField(max_length=64, required=False, allow_blank=True,
                                      help_text="IANA name; left out, the state's zone (multi-zone states: required).")
    opening_hours = serializers.DictField(child=serializers.CharField(allow_blank=True), required=False)
    storage_attested = serializers.BooleanField()
    storage_size = serializers.IntegerField(min_value=1)
    delivery_means = serializers.ListField(child=serializers.ChoiceField(choices=DeliveryMeans.choices), min_length=1)
    staff_count = serializers.IntegerField(min_value=1)
    terms_accepted = serializers.BooleanField()
    join_waitlist = serializers.BooleanField(default=False)


class DecisionSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=["approved", "rejected", "waitlisted", "active", "paused",
                                                "offboarded"])
    note = serializers.CharField(allow_blank=True, required=False, default="")


class ParcelSerializer(serializers.ModelSerializer):
    has_photo = serializers.SerializerMethodField()
    # Blank until a parcel is attempted: declared so the schema's enum allows "".
    attempt_reason = serializers.ChoiceField(choices=AttemptReason.choices, allow_blank=True, read_only=True)

    class Meta:
        model = Parcel
        fields = ["id", "tracking_id", "service_date", "recipient_name", "recipient_address", "status",
                  "allocated_at", "received_at", "out_for_delivery_at", "delivered_at", "attempted_at", "returned_at",
                  "delivered_to", "attempt_reason", "has_photo"]
        read_only_fields = fields

    def get_has_photo(self, obj) -> bool:
        return bool(obj.proof_photo)


class OutcomeItemSerializer(serializers.Serializer):
    client_id = serializers.UUIDField()
    tracking_id = serializers.CharField(max_length=64)
    outcome = serializers.ChoiceField(choices=OUTCOMES)
    service_date = serializers.DateField(required=False, allow_null=True, default=None)
    recipient_name = serializers.CharField(max_length=200, allow_blank=True, required=False, default="")
    reason = serializers.ChoiceField(choices=AttemptReason.choices, allow_blank=True, required=False, default="")
    note = serializers.CharField(max_length=500, allow_blank=True, required=False, default="")
    occurred_at = serializers.DateTimeField(required=False, allow_null=True, default=None)


class SingleOutcomeSerializer(OutcomeItemSerializer):
    tracking_id = None
    photo = serializers.FileField(required=False, allow_null=True, default=None)


class OutcomeBatchSerializer(serializers.Serializer):
    items = OutcomeItemSerializer(many=True, max_length=MAX_BATCH, allow_empty=False)


def outcome_items_validated(data) -> list[dict]:
    """A batch's items as `OutcomeBatchSerializer` would validate them.

    The batches phones send (every field a plain string of the right shape, no `occurred_at`) are checked
    here in one pass, a tenth of the serializer's cost; anything else goes through the serializer, which words
    every error. Both give the same dictionaries."""
    items = _plain_items(data)
    if items is None:
        serializer = OutcomeBatchSerializer(data=data)
        serializer.is_valid(raise_exception=True)
        items = serializer.validated_data["items"]
    return items


_TEXT_LIMITS = {"recipient_name": 200, "note": 500}
_OUTCOME_VALUES = frozenset(OUTCOMES)
_REASON_VALUES = frozenset(AttemptReason.values) | {""}
_ITEM_FIELDS = frozenset(OutcomeItemSerializer._declared_fields)
# What DRF's CharField refuses besides length: NUL and lone surrogates.
_REFUSED_CHARACTERS = re.compile("[\x00\ud800-\udfff]")


def _plain_items(data) -> list[dict] | None:
    """The items if each is plainly valid, else None (the serializer then finds and words what is wrong)."""
    raw = data.get("items") if isinstance(data, dict) else None
    if not isinstance(raw, list) or not 0 < len(raw) <= MAX_BATCH:
        return None
    items = []
    for item in raw:
        if type(item) is not dict or item.get("occurred_at") is not None or not item.keys() <= _ITEM_FIELDS:
            return None
        client_id, tracking_id, outcome = item.get("client_id"), item.get("tracking_id"), item.get("outcome")
        if type(client_id) is not str or type(tracking_id) is not str or type(outcome) is not str:
            return None
        if outcome not in _OUTCOME_VALUES or _REFUSED_CHARACTERS.search(tracking_id):
            return None
        tracking_id = tracking_id.strip()
        if not tracking_id or len(tracking_id) > 64:
            return None
        try:
            client_id = uuid.UUID(client_id)
            service_date = item.get("service_date")
            if service_date is not None and (type(service_date) is not str
                                             or (service_date := parse_date(service_date)) is None):
                return None
        except ValueError:
            return None
        texts = {}
        for name, limit in _TEXT_LIMITS.items():
            value = item.get(name, "")
            if type(value) is not str or len(value := value.strip()) > limit or _REFUSED_CHARACTERS.search(value):
                return None
            texts[name] = value
        reason = item.get("reason", "")
        if type(reason) is not str or reason not in _REASON_VALUES:
            return None
        items.append({"client_id": client_id, "tracking_id": tracking_id, "outcome": outcome,
                      "service_date": service_date, "reason": reason, "occurred_at": None, **texts})
    return items


class OutcomeResultSerializer(serializers.Serializer):
    client_id = serializers.CharField()
    tracking_id = serializers.CharField()
    parcel_id = serializers.IntegerField(allow_null=True)
    result = serializers.ChoiceField(choices=["applied", "duplicate", "rejected"])
    status = serializers.CharField()
    code = serializers.CharField()
    detail = serializers.CharField()


class AllocationParcelSerializer(serializers.Serializer):
    tracking_id = serializers.CharField(max_length=64)
    recipient_name = serializers.CharField(max_length=200)
    recipient_address = serializers.CharField(max_length=300)


class AllocationSerializer(serializers.Serializer):
    hub = serializers.IntegerField()
    service_date = serializers.DateField()
    parcels = AllocationParcelSerializer(many=True, allow_empty=False, max_length=500)


class StatementSerializer(serializers.ModelSerializer):
    class Meta:
        model = Statement
        fields = ["id", "hub", "week_start", "week_end", "delivered", "attempted", "returned", "delivered_rate",
                  "attempted_rate", "returned_rate", "earnings", "days", "status", "paid_at", "computed_at"]
        read_only_fields = fields


class CoverageSerializer(serializers.Serializer):
    hub = serializers.IntegerField(source="hub.pk")
    legal_name = serializers.CharField(source="hub.legal_name")
    distance_miles = serializers.FloatField()
    capacity_left = serializers.IntegerField()
