"""The API's throttles, telling the caller where they stand: `RateLimit-Limit`, `RateLimit-Remaining`
and `RateLimit-Reset` (IETF draft header names) on every throttled API answer, 429 included."""

from rest_framework.throttling import AnonRateThrottle as DRFAnonRateThrottle

from accounts.throttling import TokenRateThrottle as AccountsTokenRateThrottle


class RateLimitHeadersMixin:
    def allow_request(self, request, view):
        allowed = super().allow_request(request, view)
        history = getattr(self, "history", None)
        if getattr(self, "key", None) and history is not None and getattr(self, "num_requests", None):
            oldest = history[-1] if history else self.now
            reset = max(int(self.duration - (self.now - oldest)), 0)
            remaining = max(self.num_requests - len(history), 0)
            request._request.ratelimit = (self.num_requests, remaining, reset)
        return allowed


class TokenRateThrottle(RateLimitHeadersMixin, AccountsTokenRateThrottle):
    pass


class AnonRateThrottle(RateLimitHeadersMixin, DRFAnonRateThrottle):
    pass
