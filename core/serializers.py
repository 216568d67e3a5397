"""DRF fields shared by every app's serializers."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.errors import DomainError
from core.money import money, parse_amount


@extend_schema_field({"type": "string", "example": "1,250.00",
                      "description": "USD as people write it: \"1250\", \"1,250.00\", \"$1,250\"."})
class AmountField(serializers.Field):
    """Money as people type it, parsed by `core.money.parse_amount` (the one parser); answered as "1250.00"."""

    default_error_messages = {"invalid": _("Enter an amount in dollars, such as 1,250.00.")}

    def __init__(self, *, allow_zero=False, maximum=None, **kwargs):
        self.allow_zero, self.maximum = allow_zero, maximum
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if isinstance(data, bool | dict | list):
            self.fail("invalid")
        try:
            return parse_amount(data, field=self.field_name or "amount", allow_zero=self.allow_zero,
                                maximum=self.maximum)
        except DomainError as exc:
            raise serializers.ValidationError(exc.detail, code="invalid") from None

    def to_representation(self, value):
        return str(money(value))


def validated(serializer_class, data, *, partial: bool = False) -> dict:
    """The validated input of an API request; invalid input raises DRF's 400 (the `{code, detail, fields}` envelope)."""
    serializer = serializer_class(data=data, partial=partial)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)
