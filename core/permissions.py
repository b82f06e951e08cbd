"""Who counts as a reviewer, for the API's permission classes and the services' guards alike.

A reviewer is a ministry reviewer or an administrator (`User.can_review`): this is the one place
that turns that into a 403.
"""

from __future__ import annotations

from typing import Any

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
