from rest_framework import serializers

from accounts.models import ApiToken, User
from accounts.permissions import ALL_SCOPES


class MeSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "email", "full_name", "role", "date_joined"]
        read_only_fields = fields


class ApiTokenSerializer(serializers.ModelSerializer):
    user = serializers.EmailField(source="user.email", read_only=True)
    is_active = serializers.BooleanField(read_only=True)

    class Meta:
        model = ApiToken
        fields = ["id", "name", "user", "key_prefix", "scopes", "created_at", "expires_at", "last_used_at",
                  "revoked_at", "is_active"]
        read_only_fields = fields


class ApiTokenCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    scopes = serializers.ListField(
        child=serializers.ChoiceField(choices=ALL_SCOPES), allow_empty=False,
        help_text="A token may create tokens only with `tokens:write`, and only with scopes it holds itself.")
    expires_at = serializers.DateTimeField(
        required=False, allow_null=True,
        help_text="Required when the request itself uses a token, and no later than that token's expiry.")
    user_id = serializers.IntegerField(required=False, help_text="Admins only: issue the token to this account.")


class ApiTokenCreatedSerializer(ApiTokenSerializer):
    token = serializers.CharField(read_only=True, help_text="Shown once; store it now.")

    class Meta(ApiTokenSerializer.Meta):
        fields = [*ApiTokenSerializer.Meta.fields, "token"]
        read_only_fields = fields
