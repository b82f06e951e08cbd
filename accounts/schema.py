"""OpenAPI description of `Authorization: Bearer <token>` (drf-spectacular extension, loaded in apps.ready)."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension

from core.permissions import SCOPES_BY_URL_NAME, TokenScope


def _scopes_text() -> str:
    lines = [f"- `{scope.value}`: {scope.label}" for scope in TokenScope]
    return "\n".join(lines)


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "accounts.authentication.BearerTokenAuthentication"
    name = "BearerAuth"
    priority = 1  # wins over drf-spectacular's generic knox scheme

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "An API token from `POST /api/v1/auth/token/`: `Authorization: Bearer <token>`. "
            "Tokens expire (90 days by default) and can be revoked.\n\n"
            "A firm's **service account** (`POST /api/v1/firms/{firm_id}/service-accounts/`, owners) has a token "
            "limited to its scopes; a call outside them answers 403 `insufficient_scope` with `required_scope`. "
            "Reads (GET) need a resource's `:read` scope, changes its `:write` scope; "
            f"{len(SCOPES_BY_URL_NAME)} endpoints are open to scoped tokens, every other one is refused to them. "
            "A person's own token or browser session is not limited by scopes.\n\n" + _scopes_text(),
        }
