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


class EmailConfirmationRateThrottle(SimpleRateThrottle):
    """Counts requests to send an email-confirmation link again, per person (rate `email_confirmation`).

    The API view lists it in `throttle_classes`; the web page asks it the same question
    (`allow_request`, then `wait`), so both count against one limit.
    """

    scope = "email_confirmation"

    def get_cache_key(self, request, view):
        user = getattr(request, "user", None)
        if request.method != "POST" or not user or not user.is_authenticated:
            return None  # only asking for a link counts; a wrong method answers 405, not 429
        return self.cache_format % {"scope": self.scope, "ident": f"user-{user.pk}"}


class EmailChangeRateThrottle(EmailConfirmationRateThrottle):
    """The same limit (scope and counter) for a change of address, which also emails a link: asked by
    `PATCH /me/` and the web email page before `user_update` sends one, whatever the method."""

    def get_cache_key(self, request, view):
        user = getattr(request, "user", None)
        if not user or not user.is_authenticated:
            return None
        return self.cache_format % {"scope": self.scope, "ident": f"user-{user.pk}"}
