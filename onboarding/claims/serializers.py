from rest_framework import serializers

from onboarding.claims.models import Claim, ClaimCategory, ClaimEvent, ClaimReceipt
from onboarding.claims.selectors import claim_cap_warning


class ClaimCategorySerializer(serializers.ModelSerializer):
    class Meta:
        model = ClaimCategory
        fields = ["id", "code", "name", "description", "eligible"]
        read_only_fields = fields


class ClaimEventSerializer(serializers.ModelSerializer):
    actor = serializers.EmailField(source="actor.email", read_only=True, default=None, allow_null=True)

    class Meta:
        model = ClaimEvent
        fields = ["id", "from_status", "to_status", "note", "actor", "created_at"]
        read_only_fields = fields


class ClaimReceiptSerializer(serializers.ModelSerializer):
    class Meta:
        model = ClaimReceipt
        fields = ["id", "original_name", "content_type", "size", "sha256", "uploaded_at"]
        read_only_fields = fields


class ClaimSerializer(serializers.ModelSerializer):
    category = serializers.SlugRelatedField(slug_field="code", read_only=True)
    partner_name = serializers.CharField(source="partner.legal_name", read_only=True)
    likely_duplicate = serializers.SerializerMethodField()
    receipts = ClaimReceiptSerializer(many=True, read_only=True)
    history = ClaimEventSerializer(source="events", many=True, read_only=True)

    class Meta:
        model = Claim
        fields = ["id", "partner", "partner_name", "category", "vendor", "incurred_on", "amount", "description",
                  "status", "approved_amount", "decision_note", "submitted_at", "decided_at", "paid_at",
                  "likely_duplicate", "receipts", "history", "created_at"]
        read_only_fields = fields

    def get_likely_duplicate(self, claim) -> bool:
        return bool(getattr(claim, "dup_receipt", False) or getattr(claim, "dup_purchase", False))


class ClaimFiledSerializer(ClaimSerializer):
    """The answer to filing or submitting a claim: the claim, and a warning when it asks for more than is left."""

    cap_warning = serializers.SerializerMethodField(
        help_text="A sentence when the amount is more than what is left under the cap (counting claims awaiting a "
                  "decision); empty otherwise. The claim is filed all the same: a reviewer may approve part of it.")

    class Meta(ClaimSerializer.Meta):
        fields = [*ClaimSerializer.Meta.fields, "cap_warning"]
        read_only_fields = fields

    def get_cap_warning(self, claim) -> str:
        return claim_cap_warning(claim=claim)


class ClaimCreateSerializer(serializers.Serializer):
    """Formats only; the service checks eligibility, amount precision, receipts by content."""

    category = serializers.SlugRelatedField(slug_field="code", queryset=ClaimCategory.objects.all())
    vendor = serializers.CharField(max_length=150)
    incurred_on = serializers.DateField()
    # Parsed by the service (core.money.parse_amount), which answers the stable code `amount_invalid`.
    amount = serializers.CharField(max_length=30,
                                   help_text="USD as people write it: \"1250\", \"1,250.00\", \"$1,250\".")
    description = serializers.CharField(max_length=2000)
    receipts = serializers.ListField(child=serializers.FileField(), required=False, default=list,
                                     help_text="multipart only: one or more PDF/JPEG/PNG files")
    submit = serializers.BooleanField(required=False, default=False,
                                      help_text="File it for review at once (needs at least one receipt).")


class ReceiptUploadSerializer(serializers.Serializer):
    file = serializers.FileField()


class ClaimDecisionSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=["approve", "partial", "reject"])
    approved_amount = serializers.CharField(max_length=20, required=False, allow_blank=True, default=None,
                                            allow_null=True)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class ClaimSummarySerializer(serializers.Serializer):
    cap = serializers.DecimalField(max_digits=12, decimal_places=2)
    approved = serializers.DecimalField(max_digits=12, decimal_places=2)
    paid = serializers.DecimalField(max_digits=12, decimal_places=2)
    pending = serializers.DecimalField(max_digits=12, decimal_places=2)
    under_review = serializers.DecimalField(max_digits=12, decimal_places=2)
    remaining = serializers.DecimalField(max_digits=12, decimal_places=2)
    window_closes = serializers.DateField()


class PayoutRunSerializer(serializers.Serializer):
    sent = serializers.ListField(child=serializers.IntegerField())
    failed = serializers.ListField(child=serializers.IntegerField())
    waiting = serializers.ListField(child=serializers.IntegerField())
