"""Per-token throttling for the partner API (429 with Retry-After, from DRF)."""

from rest_framework.throttling import SimpleRateThrottle


class TokenRateThrottle(SimpleRateThrottle):
    """Counts requests per API token; session users are counted per user."""

    scope = "token"

    def get_cache_key(self, request, view):
        if not request.user or not request.user.is_authenticated:
            return None  # anonymous clients fall to AnonRateThrottle
        token = getattr(request, "auth", None)
        ident = getattr(token, "token_key", None) or f"user-{request.user.pk}"
        return self.cache_format % {"scope": self.scope, "ident": ident}
