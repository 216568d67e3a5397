"""REST input and output shapes."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.places import US_STATES
from core.serializers import AmountField
from fleet.models import CheckStatus, Coverage, Driver, InsurancePolicy, LicenceClass, OdometerReading, Vehicle

STATES = [s for s, _n in US_STATES]


class VehicleSerializer(serializers.ModelSerializer):
    class Meta:
        model = Vehicle
        fields = ["id", "vin", "plate", "plate_state", "make", "model", "year", "package_capacity", "ownership",
                  "status", "status_reason", "status_changed_at", "acquired_via", "source_reference", "created_at"]
        read_only_fields = fields


class VehicleInputSerializer(serializers.Serializer):
    vin = serializers.CharField(max_length=40)
    plate = serializers.CharField(max_length=10, required=False, allow_blank=True)
    plate_state = serializers.ChoiceField(choices=STATES, required=False, allow_blank=True)
    make = serializers.CharField(max_length=40)
    model = serializers.CharField(max_length=60)
    # Bounds are the service's (fleet.services.vehicles._check_plausible), so API and page say the same sentence.
    year = serializers.IntegerField(help_text="Model year, 1990 to next year + 1.")
    package_capacity = serializers.IntegerField(help_text="Packages the van carries on a route, 1 to 1,000.")
    ownership = serializers.ChoiceField(choices=Vehicle.Ownership.choices, required=False)
    status = serializers.ChoiceField(choices=[Vehicle.Status.ACTIVE, Vehicle.Status.MAINTENANCE], required=False)
    odometer_miles = serializers.IntegerField(min_value=0, required=False)


class TransitionSerializer(serializers.Serializer):
    to = serializers.CharField(max_length=16)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class OdometerSerializer(serializers.ModelSerializer):
    class Meta:
        model = OdometerReading
        fields = ["id", "miles", "read_on", "created_at"]
        read_only_fields = ["id", "created_at"]
        extra_kwargs = {"read_on": {"required": False}}


@extend_schema_field({"anyOf": [{"type": "string", "format": "email"}, {"type": "string", "maxLength": 0}],
                      "description": "The driver's e-mail, or \"\" when none is on file."})
class OptionalEmailField(serializers.EmailField):
    """An e-mail that may be blank: the schema says so, instead of promising a valid address every time."""


class DriverSerializer(serializers.ModelSerializer):
    has_account = serializers.SerializerMethodField()
    email = OptionalEmailField(read_only=True, allow_blank=True)

    class Meta:
        model = Driver
        fields = ["id", "first_name", "last_name", "email", "phone", "licence_number", "licence_state",
                  "licence_class", "licence_expires_on", "background_check", "driving_record_check", "status",
                  "status_changed_at", "has_account", "created_at"]
        read_only_fields = fields

    def get_has_account(self, obj) -> bool:
        return obj.user_id is not None


class DriverInputSerializer(serializers.Serializer):
    first_name = serializers.CharField(max_length=80)
    last_name = serializers.CharField(max_length=80)
    email = serializers.EmailField(required=False, allow_blank=True)
    phone = serializers.CharField(max_length=32, required=False, allow_blank=True)
    licence_number = serializers.CharField(max_length=32)
    licence_state = serializers.ChoiceField(choices=STATES)
    licence_class = serializers.ChoiceField(choices=LicenceClass.choices, required=False)
    licence_expires_on = serializers.DateField()
    background_check = serializers.ChoiceField(choices=CheckStatus.choices, required=False)
    driving_record_check = serializers.ChoiceField(choices=CheckStatus.choices, required=False)
    status = serializers.ChoiceField(choices=[Driver.Status.ONBOARDING, Driver.Status.ACTIVE], required=False)


class DriverImportSerializer(serializers.Serializer):
    file = serializers.FileField(required=False)
    csv = serializers.CharField(required=False, trim_whitespace=False)
    mode = serializers.ChoiceField(choices=["preview", "all", "good_rows"], default="preview")

    def validate(self, attrs):
        if not attrs.get("file") and not attrs.get("csv"):
            raise serializers.ValidationError({"file": ["Send a CSV file or a `csv` text field."]})
        return attrs


class PolicySerializer(serializers.ModelSerializer):
    vehicles = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = InsurancePolicy
        fields = ["id", "coverage", "carrier", "policy_number", "per_occurrence_limit", "aggregate_limit",
                  "effective_on", "expires_on", "covers_all_vehicles", "vehicles", "acquired_via",
                  "source_reference", "created_at"]
        read_only_fields = fields


class PolicyInputSerializer(serializers.Serializer):
    coverage = serializers.ChoiceField(choices=Coverage.choices)
    carrier = serializers.CharField(max_length=120)
    policy_number = serializers.CharField(max_length=60)
    per_occurrence_limit = AmountField()
    aggregate_limit = AmountField(required=False, allow_null=True)
    effective_on = serializers.DateField()
    expires_on = serializers.DateField()
    covers_all_vehicles = serializers.BooleanField(required=False, default=False)
    vehicles = serializers.ListField(child=serializers.IntegerField(), required=False)
