"""Procurement REST serializers: the catalog with program prices, orders with their lines and log, and inputs."""

from rest_framework import serializers

from procurement.models import CatalogItem, Order, OrderEvent, OrderLine


class CatalogItemSerializer(serializers.ModelSerializer):
    vendor = serializers.CharField(source="vendor.name")
    program_price = serializers.SerializerMethodField()
    savings = serializers.SerializerMethodField()

    class Meta:
        model = CatalogItem
        fields = ["id", "sku", "kind", "category", "name", "vendor", "description", "price_basis", "list_price",
                  "program_price", "savings", "min_term_months", "make", "model", "year", "package_capacity",
                  "cargo_cubic_feet", "range_miles", "coverage", "carrier", "per_occurrence_limit",
                  "aggregate_limit", "deductible"]

    def _price(self, obj):
        return (self.context.get("prices") or {}).get(obj.pk)

    def get_program_price(self, obj) -> str | None:
        price = self._price(obj)
        return str(price.unit_program_price) if price else None

    def get_savings(self, obj) -> str | None:
        price = self._price(obj)
        return str(price.savings) if price else None


class OrderLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = OrderLine
        fields = ["id", "item", "kind", "category", "item_name", "vendor_name", "price_basis", "quantity", "periods",
                  "unit_list_price", "unit_program_price", "list_total", "total", "savings", "deposit_percent",
                  "rules_applied"]


class OrderEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = OrderEvent
        fields = ["from_status", "to_status", "note", "created_at"]


class OrderSerializer(serializers.ModelSerializer):
    lines = OrderLineSerializer(many=True, read_only=True)
    events = OrderEventSerializer(many=True, read_only=True)
    deposit_status = serializers.CharField(source="deposit_payment.status", default=None, allow_null=True)

    class Meta:
        model = Order
        fields = ["id", "partner", "status", "list_total", "total", "savings", "deposit_amount", "deposit_status",
                  "fleet_size", "veteran_owned", "priced_at", "submitted_at", "decided_at", "decision_note",
                  "fulfilled_at", "created_at", "lines", "events"]


class LineInputSerializer(serializers.Serializer):
    item = serializers.IntegerField()
    quantity = serializers.IntegerField(min_value=1)
    periods = serializers.IntegerField(min_value=1, required=False)


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class FulfilSerializer(serializers.Serializer):
    vans = serializers.DictField(child=serializers.ListField(child=serializers.DictField()), required=False,
                                 help_text='{"<line id>": [{"vin": "...", "plate": "", "plate_state": ""}]}')
    policies = serializers.DictField(child=serializers.DictField(), required=False,
                                     help_text='{"<line id>": {"policy_number": "...", "effective_on": "2026-04-01"}}')
