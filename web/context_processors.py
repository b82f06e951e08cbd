"""What every page's header needs: the user's firms, unread notifications and role."""

from functools import cache

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject


def navigation(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def memberships():
        # Evaluated once per request, only when a template touches it.
        return list(user.memberships.select_related("firm").order_by("created_at", "id"))

    @cache
    def unread() -> int:
        # A plain callable, not a SimpleLazyObject: templates call it and get a real int, which
        # `{% blocktranslate count %}` needs (Ukrainian's plural rule computes `n % 10`, which a
        # lazy proxy does not support). Cached: the header reads it twice.
        return user.notifications.filter(read_at__isnull=True).count()

    return {
        "nav_memberships": SimpleLazyObject(memberships),
        "nav_unread": unread,
    }
