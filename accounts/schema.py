"""Tells drf-spectacular how API tokens authenticate, so every operation documents its auth."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "accounts.authentication.ApiTokenAuthentication"
    name = "ApiToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "dsp_<prefix>_<secret>",
            "description": "An API token from /account/tokens/ or POST /api/v1/tokens/, sent as "
                           "`Authorization: Bearer <token>`. Scopes limit it per area (read/write).",
        }
