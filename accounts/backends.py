"""Permissions of ministry reviewers in the Django admin, by role rather than per-user rows.

Reviewers (`User.is_reviewer`, with `is_staff`) may look at everything in the registry apps and
extend the capability taxonomy. Decisions (verify, suspend, approve, ...) go through each app's
services and admin actions, which check `user.can_review` themselves. Administrators are
superusers and need nothing here.
"""

from django.contrib.auth.backends import BaseBackend

REVIEWER_VIEW_APPS = frozenset({"accounts", "alliance", "matching", "compliance"})
REVIEWER_EXTRA_PERMISSIONS = frozenset({"alliance.add_capability", "alliance.change_capability"})


class ReviewerPermissionBackend(BaseBackend):
    """Grants nothing at log-in (authenticate returns None); only answers permission questions."""

    def _is_reviewer(self, user_obj) -> bool:
        return bool(user_obj.is_active and getattr(user_obj, "is_reviewer", False))

    def has_perm(self, user_obj, perm: str, obj=None) -> bool:
        if not self._is_reviewer(user_obj):
            return False
        app_label, _, codename = perm.partition(".")
        return (app_label in REVIEWER_VIEW_APPS and codename.startswith("view_")) or perm in REVIEWER_EXTRA_PERMISSIONS

    def has_module_perms(self, user_obj, app_label: str) -> bool:
        return self._is_reviewer(user_obj) and app_label in REVIEWER_VIEW_APPS
