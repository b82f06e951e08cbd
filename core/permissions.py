"""Who counts as a reviewer, for the API's permission classes and the services' guards alike.

A reviewer is a ministry reviewer or an administrator (`User.can_review`): this is the one place
that turns that into a 403.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext, gettext_lazy
from rest_framework import permissions

from core.errors import ApplicationError


class IsReviewer(permissions.BasePermission):
    """Ministry reviewers and administrators only; firm members get 403, anonymous 401."""

    message = gettext_lazy("Only ministry reviewers and administrators can do this.")

    def has_permission(self, request, view) -> bool:
        return bool(request.user and request.user.is_authenticated and request.user.can_review)


def require_reviewer(user: Any, message: str | None = None) -> str:
    """Raise a 403 ApplicationError unless `user` may review; return their role ("reviewer" or
    "administrator") for the audit trail."""
    if not (user.is_authenticated and user.can_review):
        raise ApplicationError(
            message or gettext("Only ministry reviewers can do this."), code="permission_denied", status=403
        )
    return user.role


# --- Scoped tokens (service accounts) ------------------------------------------------------------


class TokenScope(models.TextChoices):
    """What a firm's service-account token may do. A person's own token or session has no scopes: full access."""

    FIRMS_READ = "firms:read", gettext_lazy("Read the firm's profile, the directory and the catalogue")
    FIRMS_WRITE = "firms:write", gettext_lazy("Edit the firm's profile")
    PROPOSALS_READ = "proposals:read", gettext_lazy("Read proposals and their history")
    PROPOSALS_WRITE = (
        "proposals:write",
        gettext_lazy("Accept or decline proposals, record outcomes, ask for introductions"),
    )
    NOTIFICATIONS_READ = "notifications:read", gettext_lazy("Read notifications")
    NOTIFICATIONS_WRITE = "notifications:write", gettext_lazy("Mark notifications as read")
    EVENTS_READ = "events:read", gettext_lazy("Read events, participations and agendas")
    EVENTS_WRITE = "events:write", gettext_lazy("Register for events, send and answer meeting requests")
    WEBHOOKS_MANAGE = "webhooks:manage", gettext_lazy("Manage webhooks and read their delivery log")


ANY_TOKEN = ""  # the endpoint needs no scope
_S = TokenScope
# The one map: an API endpoint's URL name -> (scope for GET/HEAD/OPTIONS, scope for every other method).
# None: refused to scoped tokens. An endpoint missing here is refused to them too (deny by default).
SCOPES_BY_URL_NAME: dict[str, tuple[str | None, str | None]] = {
    "me": (ANY_TOKEN, None),
    "firm-list": (_S.FIRMS_READ, None),
    "firm-detail": (_S.FIRMS_READ, _S.FIRMS_WRITE),
    "firm-history": (_S.FIRMS_READ, None),
    "firm-owners": (_S.FIRMS_READ, _S.FIRMS_WRITE),
    "firm-owner": (_S.FIRMS_READ, _S.FIRMS_WRITE),
    "firm-capabilities": (_S.FIRMS_READ, _S.FIRMS_WRITE),
    "firm-capability": (_S.FIRMS_READ, _S.FIRMS_WRITE),
    "firm-platforms": (_S.FIRMS_READ, _S.FIRMS_WRITE),
    "firm-platform": (_S.FIRMS_READ, _S.FIRMS_WRITE),
    "capability-list": (_S.FIRMS_READ, None),
    "platform-list": (_S.FIRMS_READ, None),
    "directory-list": (_S.FIRMS_READ, None),
    "directory-firm": (_S.FIRMS_READ, None),
    "saved-search-list": (_S.FIRMS_READ, _S.FIRMS_WRITE),
    "saved-search-detail": (_S.FIRMS_READ, _S.FIRMS_WRITE),
    "directory-introduction": (_S.PROPOSALS_READ, _S.PROPOSALS_WRITE),
    "proposal-list": (_S.PROPOSALS_READ, None),
    "proposal-detail": (_S.PROPOSALS_READ, None),
    "proposal-events": (_S.PROPOSALS_READ, None),
    "proposal-accept": (_S.PROPOSALS_READ, _S.PROPOSALS_WRITE),
    "proposal-decline": (_S.PROPOSALS_READ, _S.PROPOSALS_WRITE),
    "proposal-outcome": (_S.PROPOSALS_READ, _S.PROPOSALS_WRITE),
    "notification-list": (_S.NOTIFICATIONS_READ, None),
    "notification-read": (_S.NOTIFICATIONS_READ, _S.NOTIFICATIONS_WRITE),
    "notification-read-all": (_S.NOTIFICATIONS_READ, _S.NOTIFICATIONS_WRITE),
    "event-list": (_S.EVENTS_READ, None),
    "event-detail": (_S.EVENTS_READ, None),
    "event-participants": (_S.EVENTS_READ, None),
    "event-register": (_S.EVENTS_READ, _S.EVENTS_WRITE),
    "participation-detail": (_S.EVENTS_READ, _S.EVENTS_WRITE),
    "participation-requests": (_S.EVENTS_READ, _S.EVENTS_WRITE),
    "participation-suggestions": (_S.EVENTS_READ, None),
    "participation-agenda": (_S.EVENTS_READ, None),
    "meeting-request-accept": (_S.EVENTS_READ, _S.EVENTS_WRITE),
    "meeting-request-decline": (_S.EVENTS_READ, _S.EVENTS_WRITE),
    "meeting-lock": (_S.EVENTS_READ, _S.EVENTS_WRITE),
    "meeting-cancel": (_S.EVENTS_READ, _S.EVENTS_WRITE),
    "meeting-follow-up": (_S.EVENTS_READ, _S.EVENTS_WRITE),
    "firm-webhooks": (_S.WEBHOOKS_MANAGE, _S.WEBHOOKS_MANAGE),
    "firm-webhook": (_S.WEBHOOKS_MANAGE, _S.WEBHOOKS_MANAGE),
    "firm-webhook-rotate": (_S.WEBHOOKS_MANAGE, _S.WEBHOOKS_MANAGE),
    "firm-webhook-deliveries": (_S.WEBHOOKS_MANAGE, _S.WEBHOOKS_MANAGE),
    "firm-webhook-delivery-resend": (_S.WEBHOOKS_MANAGE, _S.WEBHOOKS_MANAGE),
}


def required_scope(*, url_name: str | None, method: str) -> str | None:
    """The scope a scoped token needs for this endpoint and method ("" for none); None if refused to them."""
    read, write = SCOPES_BY_URL_NAME.get(url_name or "", (None, None))
    return read if method in permissions.SAFE_METHODS else write


class TokenScopePermission(permissions.BasePermission):
    """A service account's token reaches only what its scopes name (403 `insufficient_scope` naming the
    scope); people (session or their own token) are not limited here. In DEFAULT_PERMISSION_CLASSES."""

    def has_permission(self, request, view) -> bool:
        scopes = getattr(request.user, "token_scopes", None)  # set by accounts' token authentication
        if scopes is None:
            return True
        match = getattr(request, "resolver_match", None)
        needed = required_scope(url_name=match.url_name if match else None, method=request.method)
        if needed is None:
            raise ApplicationError(
                gettext("Service-account tokens cannot use this endpoint."),
                code="insufficient_scope",
                status=403,
                extra={"required_scope": None},
            )
        if needed and needed not in scopes:
            raise ApplicationError(
                gettext("This token lacks the scope %(scope)s.") % {"scope": needed},
                code="insufficient_scope",
                status=403,
                extra={"required_scope": str(needed)},
            )
        return True
