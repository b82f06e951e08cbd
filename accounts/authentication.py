"""`Authorization: Bearer <token>` authentication backed by django-rest-knox (hashed, expiring tokens)."""

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from knox.auth import TokenAuthentication
from knox.signals import token_expired
from rest_framework import exceptions

from accounts.models import ServiceAccount

LAST_USED_PRECISION = timedelta(minutes=1)  # at most one write per service account and minute


class BearerTokenAuthentication(TokenAuthentication):
    """knox with the `Bearer` prefix (set in REST_KNOX) and a schema name for OpenAPI.

    A service account's token carries its scopes on the user (`user.token_scopes`), which
    core.permissions.TokenScopePermission checks; a person's token has none (full access).
    """

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

    def validate_user(self, auth_token):
        user, token = super().validate_user(auth_token)
        if user.is_service_account:  # a flag on the row already loaded: people cost no query here
            account = ServiceAccount.objects.filter(user=user, revoked_at__isnull=True).first()
            if account is None:
                raise exceptions.AuthenticationFailed(_("Invalid token."))
            user.token_scopes = frozenset(account.scopes)
            now = timezone.now()
            if account.last_used_at is None or account.last_used_at < now - LAST_USED_PRECISION:
                ServiceAccount.objects.filter(pk=account.pk).update(last_used_at=now)
        return user, token
