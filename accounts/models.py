"""People, their firm memberships and roles."""

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A person. Ministry reviewers have `is_reviewer`; administrators are superusers."""

    class Language(models.TextChoices):
        BROWSER = "", _("Browser default")
        UK = "uk", _("Ukrainian")
        EN = "en", _("English")

    is_reviewer = models.BooleanField(_("ministry reviewer"), default=False)
    # A firm's integration (ServiceAccount), not a person: no password, only its scoped API token.
    is_service_account = models.BooleanField(_("service account"), default=False, editable=False)
    language = models.CharField(_("language"), max_length=5, choices=Language.choices, blank=True, default="")
    # `email` counts as the person's only once a link sent to it was followed (or an operator set it):
    # inviting an address means inviting whoever reads its mail, not whoever typed it.
    email_confirmed_at = models.DateTimeField(_("email confirmed at"), null=True, blank=True)
    # A change of address waits here until the link sent to the new address is followed.
    pending_email = models.EmailField(_("new email address, not yet confirmed"), max_length=254, blank=True, default="")
    # When the pending change was asked for: its links carry it, so a later change voids them.
    pending_email_requested_at = models.DateTimeField(null=True, blank=True, editable=False)

    @property
    def email_confirmed(self) -> bool:
        return bool(self.email) and self.email_confirmed_at is not None

    @property
    def is_administrator(self) -> bool:
        return self.is_superuser

    @property
    def can_review(self) -> bool:
        return self.is_reviewer or self.is_superuser

    @property
    def role(self) -> str:
        if self.is_superuser:
            return "administrator"
        if self.is_reviewer:
            return "reviewer"
        return "firm_member"


class Membership(models.Model):
    """A person's place in a firm: owner, editor or viewer."""

    class Role(models.TextChoices):
        OWNER = "owner", _("Owner")
        EDITOR = "editor", _("Editor")
        VIEWER = "viewer", _("Viewer")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    firm = models.ForeignKey("alliance.Firm", on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.VIEWER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "firm"], name="membership_unique_user_firm")]

    def __str__(self) -> str:
        return f"{self.user} @ {self.firm} ({self.role})"

    @property
    def can_edit(self) -> bool:
        return self.role in (self.Role.OWNER, self.Role.EDITOR)


class ApiTokenName(models.Model):
    """A human label for a knox API token ("ERP integration"), so owners can tell their tokens apart.

    knox's token table has no name column and swapping its model would break existing tokens,
    so the label lives beside it and disappears with the token (CASCADE).
    """

    token = models.OneToOneField("knox.AuthToken", primary_key=True, on_delete=models.CASCADE, related_name="label")
    name = models.CharField(max_length=100)

    def __str__(self) -> str:
        return self.name


class ServiceAccount(models.Model):
    """A firm's integration: a user without a password whose one API token is limited to `scopes`.

    The token is a knox token of `user` (only its hash is stored); its rights are the scopes on top
    of the firm membership the account is given (core.permissions.TokenScopePermission checks them).
    Revoking deletes the token and deactivates the user; the row stays for the record.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="service_account", editable=False
    )
    firm = models.ForeignKey("alliance.Firm", on_delete=models.CASCADE, related_name="service_accounts")
    name = models.CharField(_("name"), max_length=100)
    scopes = models.JSONField(_("scopes"), default=list)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                Lower("name"), "firm", condition=models.Q(revoked_at__isnull=True), name="service_account_unique_name"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.firm_id})"


class Invitation(models.Model):
    """An owner's invitation, by email, to join their firm with a role.

    Only a hash of the emailed token is stored. Open until accepted, revoked or past `expires_at`;
    `email` is what the owner typed, and nothing about who (if anyone) has that address is kept.
    """

    firm = models.ForeignKey("alliance.Firm", on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(max_length=254)
    role = models.CharField(max_length=10, choices=Membership.Role.choices)
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            # Inviting the same address again replaces the open invitation (services revoke it first).
            models.UniqueConstraint(
                Lower("email"),
                "firm",
                condition=models.Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="invitation_one_open_per_firm_and_email",
            ),
            models.CheckConstraint(
                condition=models.Q(accepted_at__isnull=True) | models.Q(revoked_at__isnull=True),
                name="invitation_not_both_accepted_and_revoked",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} -> {self.firm_id} ({self.role})"
