"""OpenAPI description of `Authorization: Bearer <token>` (drf-spectacular extension, loaded in apps.ready)."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "accounts.authentication.BearerTokenAuthentication"
    name = "BearerAuth"
    priority = 1  # wins over drf-spectacular's generic knox scheme

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "An API token from `POST /api/v1/auth/token/`: `Authorization: Bearer <token>`. "
            "Tokens expire (90 days by default) and can be revoked.",
        }
