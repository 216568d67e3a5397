from rest_framework import serializers

from performance.exports import line_source
from performance.models import Dispute, DriverScore, Scorecard, Statement, StatementLine


class DriverScoreSerializer(serializers.ModelSerializer):
    class Meta:
        model = DriverScore
        fields = ["driver", "metrics", "score", "tier", "dispatched", "delivered", "routes"]


class ScorecardSerializer(serializers.ModelSerializer):
    drivers = DriverScoreSerializer(many=True, read_only=True)
    frozen = serializers.BooleanField(read_only=True)

    class Meta:
        model = Scorecard
        fields = ["id", "partner", "week_start", "week_end", "ruleset", "metrics", "score", "tier", "dispatched",
                  "delivered", "routes", "status", "frozen", "frozen_at", "computed_at", "drivers"]


class StatementLineSerializer(serializers.ModelSerializer):
    source = serializers.SerializerMethodField()

    class Meta:
        model = StatementLine
        fields = ["id", "kind", "description", "service_date", "quantity", "rate", "amount", "source", "route",
                  "scorecard", "peak_week", "chargeback", "deduction", "instalment_no", "dispute"]

    def get_source(self, line) -> str:
        return line_source(line)


class PartnerStatementSerializer(serializers.ModelSerializer):
    class Meta:
        model = Statement
        fields = ["id", "partner", "week_start", "week_end", "tier", "total", "status", "issued_at", "dispute_until",
                  "approved_at", "paid_at", "scorecard"]


class PartnerStatementDetailSerializer(PartnerStatementSerializer):
    """A statement with its lines."""

    lines = StatementLineSerializer(many=True, read_only=True)

    class Meta(PartnerStatementSerializer.Meta):
        fields = [*PartnerStatementSerializer.Meta.fields, "lines"]


class DisputeSerializer(serializers.ModelSerializer):
    class Meta:
        model = Dispute
        fields = ["id", "statement", "line", "reason", "status", "created_at", "resolved_at", "resolution",
                  "adjustment"]


class DisputeCreateSerializer(serializers.Serializer):
    line = serializers.IntegerField()
    reason = serializers.CharField(max_length=4000)
    attachment = serializers.FileField(required=False)


class DisputeResolveSerializer(serializers.Serializer):
    adjustment = serializers.CharField(max_length=20, help_text="Signed dollars: 12.50 pays more, -12.50 takes back, "
                                                                "0 upholds the line.")
    note = serializers.CharField(max_length=4000)
