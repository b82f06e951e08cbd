"""`Authorization: Bearer <token>` authentication backed by django-rest-knox (hashed, expiring tokens)."""

from knox.auth import TokenAuthentication


class BearerTokenAuthentication(TokenAuthentication):
    """knox with the `Bearer` prefix (set in REST_KNOX) and a schema name for OpenAPI."""
