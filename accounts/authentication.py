"""`Authorization: Bearer <token>` authentication backed by django-rest-knox (hashed, expiring tokens)."""

from django.utils import timezone
from knox.auth import TokenAuthentication
from knox.signals import token_expired


class BearerTokenAuthentication(TokenAuthentication):
    """knox with the `Bearer` prefix (set in REST_KNOX) and a schema name for OpenAPI."""

    def _cleanup_token(self, auth_token) -> bool:
        # knox reads all the user's tokens on every request to delete the expired ones: a query
        # and up to 20 model instances per API call. The presented token is still refused (and
        # deleted) once expired; the others go in the nightly `purge_expired_tokens_task`.
        if auth_token.expiry is not None and auth_token.expiry < timezone.now():
            user = auth_token.user
            auth_token.delete()
            token_expired.send(sender=self.__class__, username=user.get_username(), source="auth_token")
            return True
        return False
