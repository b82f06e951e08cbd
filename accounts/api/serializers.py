"""Request and response shapes for accounts: tokens, sign-up, `me`, firm members.

Input serializers check shape only; rules (password strength, last owner, ...) live in services.
"""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import Membership, User
from accounts.selectors import service_account_tokens
from core.api.strict import StrictFieldsMixin
from core.permissions import TokenScope
from registry.models import Firm

LANGUAGE_CHOICES = [c for c in User.Language.values if c]


# --- Tokens -------------------------------------------------------------------------------------


class TokenCreateSerializer(StrictFieldsMixin, serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=4096, trim_whitespace=False, style={"input_type": "password"})
    name = serializers.CharField(
        max_length=100, required=False, allow_blank=True, default="", help_text="A label, e.g. 'ERP integration'."
    )
    otp = serializers.CharField(
        max_length=32,
        required=False,
        allow_blank=True,
        default="",
        help_text="Reviewers and administrators, when two-factor log-in is required: the authenticator code.",
    )


class TokenCreatedSerializer(serializers.Serializer):
    id = serializers.CharField(help_text="Public key of the token (its first characters); use it to revoke.")
    token = serializers.CharField(help_text="The secret. Shown once; only its hash is stored.")
    expiry = serializers.DateTimeField(allow_null=True)
    name = serializers.CharField()


class TokenSerializer(serializers.Serializer):
    id = serializers.CharField(source="token_key", help_text="Public key of the token; never the secret.")
    name = serializers.SerializerMethodField()
    created = serializers.DateTimeField()
    expiry = serializers.DateTimeField(allow_null=True)
    current = serializers.SerializerMethodField(help_text="True for the token this request was made with.")

    def get_name(self, token) -> str:
        label = getattr(token, "label", None)  # a missing reverse one-to-one raises AttributeError
        return label.name if label is not None else ""

    def get_current(self, token) -> bool:
        return token.token_key == self.context.get("current_token_key")


# --- Sign-up and me -----------------------------------------------------------------------------


class SignupSerializer(StrictFieldsMixin, serializers.Serializer):
    username = serializers.CharField(max_length=150)
    email = serializers.EmailField(max_length=254)
    password = serializers.CharField(max_length=4096, trim_whitespace=False, style={"input_type": "password"})
    # No default: an absent language means the browser's (user_register's own default); a default of ""
    # outside the choices made generated clients (openapi-python-client) drop sign-up altogether.
    language = serializers.ChoiceField(choices=LANGUAGE_CHOICES, required=False)
    invitation_token = serializers.CharField(
        max_length=200,
        required=False,
        help_text="Signing up from an invitation's link: its token. The email must then be the invited address.",
    )


class UserMembershipSerializer(serializers.Serializer):
    firm_id = serializers.IntegerField(source="firm.id")
    ref = serializers.CharField(source="firm.ref")
    name = serializers.CharField(source="firm.name")
    side = serializers.ChoiceField(source="firm.side", choices=Firm.Side.choices)
    status = serializers.ChoiceField(source="firm.status", choices=Firm.Status.choices, help_text="The firm's status.")
    role = serializers.ChoiceField(choices=Membership.Role.choices, help_text="The user's role in the firm.")


class MeSerializer(serializers.Serializer):
    optional_in_response = ()

    id = serializers.IntegerField()
    username = serializers.CharField()
    email = serializers.EmailField()
    email_confirmed = serializers.BooleanField(
        help_text="True once a link sent to `email` was followed (or an operator set it). "
        "Accepting an invitation needs it."
    )
    pending_email = serializers.SerializerMethodField(
        help_text="A new address asked for and not confirmed yet (it replaces `email` when the link sent to it "
        "is followed); null when there is none."
    )
    language = serializers.ChoiceField(choices=User.Language.values, help_text="'' means the browser's language.")
    role = serializers.ChoiceField(choices=["firm_member", "reviewer", "administrator"])
    memberships = serializers.SerializerMethodField()

    @extend_schema_field(serializers.EmailField(allow_null=True))
    def get_pending_email(self, user) -> str | None:
        return user.pending_email or None

    @extend_schema_field(UserMembershipSerializer(many=True))
    def get_memberships(self, user) -> list[dict]:
        return UserMembershipSerializer(self.context["memberships"], many=True).data


class MeUpdatedSerializer(MeSerializer):
    """`me` after a change, with what happens next."""

    message = serializers.CharField(
        allow_null=True,
        help_text="What happens next, when something does: after a change of `email`, where the confirmation "
        "link went. Null otherwise.",
    )


class EmailConfirmationSentSerializer(serializers.Serializer):
    optional_in_response = ()

    email = serializers.EmailField(help_text="Where the link was sent: the pending address, else the current one.")
    message = serializers.CharField(help_text="What to do next.")


class EmailConfirmSerializer(StrictFieldsMixin, serializers.Serializer):
    token = serializers.CharField(max_length=1000, help_text="The last part of the emailed confirmation link.")


class EmailConfirmedSerializer(serializers.Serializer):
    optional_in_response = ()

    email = serializers.EmailField(help_text="The account's address, now confirmed.")
    message = serializers.CharField()


class MeUpdateSerializer(StrictFieldsMixin, serializers.Serializer):
    language = serializers.ChoiceField(choices=User.Language.values, required=False)
    email = serializers.EmailField(max_length=254, required=False)
    current_password = serializers.CharField(
        max_length=4096,
        required=False,
        write_only=True,
        trim_whitespace=False,
        style={"input_type": "password"},
        help_text="Your current password: required to change `email` (a wrong one counts as a failed log-in).",
    )


class SignupAcceptedSerializer(serializers.Serializer):
    message = serializers.CharField(help_text="What happens next: an email to the address given.")


# --- Firm members -------------------------------------------------------------------------------


class MemberSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="Membership id.")
    user_id = serializers.IntegerField()
    username = serializers.CharField(source="user.username")
    email = serializers.SerializerMethodField(
        help_text="For the firm's owners, reviewers and administrators (and your own row); null for other members."
    )
    role = serializers.ChoiceField(choices=Membership.Role.choices)
    created_at = serializers.DateTimeField()

    @extend_schema_field(serializers.EmailField(allow_null=True))
    def get_email(self, membership) -> str | None:
        if self.context.get("show_emails") or membership.user_id == self.context.get("viewer_id"):
            return membership.user.email
        return None


# --- Invitations --------------------------------------------------------------------------------


class InvitationCreateSerializer(StrictFieldsMixin, serializers.Serializer):
    email = serializers.EmailField(max_length=254, help_text="Where the invitation link is sent.")
    role = serializers.ChoiceField(choices=Membership.Role.choices)


class InvitationSerializer(serializers.Serializer):
    """An open invitation. Says nothing about whether the address has an account."""

    id = serializers.IntegerField()
    email = serializers.EmailField(help_text="The address as the owner typed it.")
    role = serializers.ChoiceField(choices=Membership.Role.choices)
    created_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField()


class InvitationAcceptSerializer(StrictFieldsMixin, serializers.Serializer):
    token = serializers.CharField(max_length=200, help_text="The token from the emailed invitation link.")


class MemberUpdateSerializer(StrictFieldsMixin, serializers.Serializer):
    role = serializers.ChoiceField(choices=Membership.Role.choices)


# --- Service accounts -----------------------------------------------------------------------------


class ServiceAccountCreateSerializer(StrictFieldsMixin, serializers.Serializer):
    """A service account's name and the scopes its token gets."""

    name = serializers.CharField(max_length=100, help_text="A label, e.g. 'ERP integration'.")
    scopes = serializers.ListField(
        child=serializers.ChoiceField(choices=TokenScope.choices), min_length=1, max_length=len(TokenScope.values)
    )


class ServiceAccountSerializer(serializers.Serializer):
    """A service account in use: its scopes and its token's public key, expiry and last use; never the secret."""

    id = serializers.IntegerField()
    name = serializers.CharField()
    scopes = serializers.ListField(child=serializers.ChoiceField(choices=TokenScope.choices))
    token_id = serializers.SerializerMethodField(
        help_text="Public key of the token (never the secret); null once expired."
    )
    expiry = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()
    created_by = serializers.SerializerMethodField()
    last_used_at = serializers.DateTimeField(allow_null=True, help_text="Last API call with the token (to the minute).")

    previous_token_id = serializers.SerializerMethodField(
        help_text="During a rotation's overlap: the public key of the token being replaced, else null."
    )
    previous_token_expiry = serializers.SerializerMethodField(
        help_text="During a rotation's overlap: when the token being replaced stops working, else null."
    )

    def _tokens(self, account) -> list:
        return service_account_tokens(account=account)

    def _token(self, account):
        tokens = self._tokens(account)
        return tokens[0] if tokens else None

    def get_previous_token_id(self, account) -> str | None:
        tokens = self._tokens(account)
        return tokens[1].token_key if len(tokens) > 1 else None

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_previous_token_expiry(self, account):
        tokens = self._tokens(account)
        return serializers.DateTimeField().to_representation(tokens[1].expiry) if len(tokens) > 1 else None

    def get_token_id(self, account) -> str | None:
        token = self._token(account)
        return token.token_key if token else None

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_expiry(self, account):
        token = self._token(account)
        return serializers.DateTimeField().to_representation(token.expiry) if token and token.expiry else None

    def get_created_by(self, account) -> str:
        return account.created_by.username if account.created_by else ""


class ServiceAccountRotateSerializer(StrictFieldsMixin, serializers.Serializer):
    """How long the token being replaced keeps working."""

    overlap_hours = serializers.IntegerField(
        required=False,
        min_value=0,
        max_value=168,
        help_text="0 to 168; default SERVICE_ACCOUNT_TOKEN_OVERLAP_HOURS (24). 0: the old token stops at once.",
    )


class ServiceAccountCreatedSerializer(ServiceAccountSerializer):
    """A new service account, with its token's secret: shown in this answer only."""

    token = serializers.CharField(
        help_text="The secret: `Authorization: Bearer <token>`. Shown once; only its hash is stored."
    )
