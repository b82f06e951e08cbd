"""Accounts API: tokens, sign-up, `me`, firm members and invitations. Views only translate HTTP."""

from django.contrib.auth import authenticate, logout
from django.utils.translation import gettext
from drf_spectacular.utils import extend_schema
from knox.models import AuthToken
from rest_framework import status
from rest_framework.exceptions import MethodNotAllowed
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from accounts import selectors, services, two_factor
from accounts.api.serializers import (
    EmailConfirmationSentSerializer,
    EmailConfirmedSerializer,
    EmailConfirmSerializer,
    InvitationAcceptSerializer,
    InvitationCreateSerializer,
    InvitationSerializer,
    MemberSerializer,
    MemberUpdateSerializer,
    MeSerializer,
    MeUpdatedSerializer,
    MeUpdateSerializer,
    ServiceAccountCreatedSerializer,
    ServiceAccountCreateSerializer,
    ServiceAccountRotateSerializer,
    ServiceAccountSerializer,
    SignupAcceptedSerializer,
    SignupSerializer,
    TokenCreatedSerializer,
    TokenCreateSerializer,
    TokenSerializer,
    UserMembershipSerializer,
)
from accounts.models import Invitation, Membership, ServiceAccount
from accounts.throttling import EmailChangeRateThrottle, EmailConfirmationRateThrottle
from core.api.schemas import error_responses as errors
from core.errors import ApplicationError
from core.i18n import request_states_language

TAG_AUTH = ["auth"]
TAG_MEMBERS = ["members"]
TAG_INVITATIONS = ["invitations"]
TAG_SERVICE_ACCOUNTS = ["service-accounts"]


def _token_body(token: AuthToken, secret: str) -> dict:
    label = getattr(token, "label", None)
    body = {"id": token.token_key, "token": secret, "expiry": token.expiry, "name": label.name if label else ""}
    return TokenCreatedSerializer(body).data  # same datetime format as the token list


def _me_body(request, user) -> dict:
    context = {"request": request, "memberships": selectors.user_memberships(user=user)}
    return MeSerializer(user, context=context).data


class PublicAPIView(APIView):
    """No authentication at all: a stale or wrong Bearer header must not block logging in again."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [AnonRateThrottle]


class TokenCreateView(PublicAPIView):
    @extend_schema(
        tags=TAG_AUTH,
        summary="Log in: exchange username and password for an API token",
        description=(
            "Returns a new Bearer token (shown once; stored hashed) valid for the configured lifetime. "
            "Wrong credentials answer 400 `invalid_credentials` whether or not the username exists. "
            "Repeated failures lock the username and address out (429). Reviewers and administrators, when "
            "two-factor log-in is required (REQUIRE_STAFF_2FA), also give `otp`: 400 `otp_required` without a valid one."
        ),
        request=TokenCreateSerializer,
        responses={201: TokenCreatedSerializer, **errors(400, 403, 429)},
        auth=[],
    )
    def post(self, request):
        serializer = TokenCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        # The Django HttpRequest (not DRF's wrapper) so django-axes records the attempt and its
        # middleware can see the lock-out flag it sets on the request.
        user = authenticate(request._request, username=data["username"], password=data["password"])
        if user is None:
            raise ApplicationError(
                gettext("Unable to log in with these credentials."), code="invalid_credentials", status=400
            )
        two_factor.two_factor_check_token_login(user=user, code=data["otp"])
        token, secret = services.token_create(user=user, name=data["name"])
        if request_states_language(request):
            services.user_language_fill(user=user)
        return Response(_token_body(token, secret), status=status.HTTP_201_CREATED)


class TokenListView(GenericAPIView):
    serializer_class = TokenSerializer
    queryset = AuthToken.objects.none()  # only for the schema generator; the selector does the reading
    filter_backends: list = []  # no filtering or ordering parameters here

    @extend_schema(
        tags=TAG_AUTH,
        summary="List my API tokens",
        description="Active tokens of the caller: public key, label, created, expiry. Never the secret.",
        responses={200: TokenSerializer(many=True), **errors(401)},
    )
    def get(self, request):
        tokens = selectors.token_list(user=request.user)
        page = self.paginate_queryset(tokens)
        current = request.auth.token_key if isinstance(request.auth, AuthToken) else None
        data = TokenSerializer(page, many=True, context={"current_token_key": current}).data
        return self.get_paginated_response(data)


class TokenDetailView(APIView):
    @extend_schema(
        tags=TAG_AUTH,
        summary="Revoke one of my API tokens",
        responses={204: None, **errors(401, 404)},
    )
    def delete(self, request, token_key: str):
        services.token_revoke(user=request.user, token_key=token_key)
        return Response(status=status.HTTP_204_NO_CONTENT)


class LogoutView(APIView):
    @extend_schema(
        tags=TAG_AUTH,
        summary="Log out: revoke the token of this request (or end the browser session)",
        request=None,
        responses={204: None, **errors(401)},
    )
    def post(self, request):
        if isinstance(request.auth, AuthToken):
            services.token_revoke_current(token=request.auth)
        else:
            logout(request._request)
        return Response(status=status.HTTP_204_NO_CONTENT)


class SignupView(PublicAPIView):
    @extend_schema(
        tags=TAG_AUTH,
        summary="Sign up",
        description=(
            "Creates a firm-member account and answers 202 with what happens next. The answer is the same "
            "whether or not the address already has an account, so sign-up never tells which addresses are "
            "registered: a new account's address gets a welcome email, an address that already has an account "
            "gets its log-in and a password-reset link instead (and no second account). No token is returned: "
            "log in with `POST /api/v1/auth/token/` and the username and password you chose, then create your "
            "firm with `POST /api/v1/firms/`: you become its owner and it stays `pending` until a reviewer "
            "verifies it. A username taken in any letter case is refused (400 naming `username`). Without "
            "`language` the account reads emails in the request's language (Accept-Language). With "
            "`invitation_token` (signing up from an invitation) `email` must be the invited address (400 naming "
            "`email`): only that account can accept the invitation."
        ),
        request=SignupSerializer,
        responses={202: SignupAcceptedSerializer, **errors(400, 429)},
        auth=[],
    )
    def post(self, request):
        serializer = SignupSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.user_register(**serializer.validated_data)
        message = gettext("We have sent an email with the next step to the address you gave.")
        return Response(SignupAcceptedSerializer({"message": message}).data, status=status.HTTP_202_ACCEPTED)


class MeView(APIView):
    @extend_schema(
        tags=TAG_AUTH,
        summary="Who am I: the user, their role and firm memberships",
        responses={200: MeSerializer, **errors(401)},
    )
    def get(self, request):
        return Response(_me_body(request, request.user))

    @extend_schema(
        tags=TAG_AUTH,
        summary="Change my language or e-mail",
        description=(
            "A new `email` needs `current_password` (400 naming `current_password` without it or with a "
            "wrong one; wrong ones count towards the log-in lock-out). It does not replace the address at once: "
            "it becomes `pending_email`, a confirmation link goes to it (valid EMAIL_CONFIRMATION_TTL_DAYS, 3 "
            "by default), the current address is told, and `message` says so. Following the link "
            "(`POST /api/v1/me/email-confirmation/confirm/` or the web page it opens) makes it `email`, confirmed. "
            "Another new `email` replaces the pending one (the earlier link stops working); the current `email` "
            "again cancels the pending change."
        ),
        request=MeUpdateSerializer,
        responses={200: MeUpdatedSerializer, **errors(400, 401, 429)},
    )
    def patch(self, request):
        serializer = MeUpdateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        new_email = serializer.validated_data.get("email")
        if new_email is not None and selectors.email_change_sends_link(user=request.user, email=new_email):
            throttle = EmailChangeRateThrottle()
            if not throttle.allow_request(request, self):
                self.throttled(request, throttle.wait())
        # The Django HttpRequest, so django-axes counts a wrong current password as a failed log-in.
        user = services.user_update(user=request.user, request=request._request, **serializer.validated_data)
        body = _me_body(request, user)
        next_step = selectors.email_change_next_step(user=user) if "email" in serializer.validated_data else ""
        body["message"] = next_step or None
        return Response(body)


class EmailConfirmationSendView(APIView):
    throttle_classes = [*api_settings.DEFAULT_THROTTLE_CLASSES, EmailConfirmationRateThrottle]

    @extend_schema(
        tags=TAG_AUTH,
        summary="Send the link confirming my email address again",
        description=(
            "To `pending_email` when a change is waiting, else to the current `email` while it is not "
            "confirmed. 409 `email_already_confirmed` (naming `email`) when there is nothing to confirm, "
            "400 `no_email` for an account without an address. A few per hour (EMAIL_CONFIRMATION_RATE, "
            "5/hour by default), then 429 with `Retry-After`."
        ),
        request=None,
        responses={202: EmailConfirmationSentSerializer, **errors(400, 401, 409, 429)},
    )
    def post(self, request):
        address = services.email_confirmation_send(user=request.user)
        message = gettext("We have sent a new confirmation link to %(email)s.") % {"email": address}
        body = EmailConfirmationSentSerializer({"email": address, "message": message}).data
        return Response(body, status=status.HTTP_202_ACCEPTED)


class EmailConfirmView(PublicAPIView):
    @extend_schema(
        tags=TAG_AUTH,
        summary="Confirm an email address with the token from the emailed link",
        description=(
            "No log-in needed: the token names the account and the address it was sent to (the link reads "
            "`/accounts/email/confirm/<token>/`). A pending address becomes the account's `email`, confirmed, "
            "and the previous address is told; the current address is marked confirmed (again: no harm). "
            "400 naming `token`: `confirmation_invalid` (tampered or incomplete), `confirmation_expired` "
            "(older than EMAIL_CONFIRMATION_TTL_DAYS) or `confirmation_replaced` (a later change of address "
            "replaced the one it was sent to); ask for a new one with `POST /api/v1/me/email-confirmation/`. "
            "409 `email_taken` (naming `email`) when another account uses the address by now."
        ),
        request=EmailConfirmSerializer,
        responses={200: EmailConfirmedSerializer, **errors(400, 409, 429)},
        auth=[],
    )
    def post(self, request):
        serializer = EmailConfirmSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = services.email_confirm(token=serializer.validated_data["token"])
        message = gettext("Your email address %(email)s is confirmed.") % {"email": user.email}
        return Response(EmailConfirmedSerializer({"email": user.email, "message": message}).data)


class MemberListView(GenericAPIView):
    serializer_class = MemberSerializer
    queryset = Membership.objects.none()  # only for the schema generator; the selector does the reading
    filter_backends: list = []  # no filtering or ordering parameters here

    @extend_schema(
        tags=TAG_MEMBERS,
        summary="List a firm's members",
        description=(
            "For the firm's members, reviewers and administrators; 404 for anyone else. Members' emails are "
            "shown to owners, reviewers and administrators only. To add someone, invite them by email: "
            "`POST /api/v1/firms/{firm_id}/invitations/`."
        ),
        responses={200: MemberSerializer(many=True), **errors(401, 404)},
    )
    def get(self, request, firm_id: int):
        firm = selectors.firm_for_member_management(firm_id=firm_id, user=request.user)
        page = self.paginate_queryset(selectors.membership_list(firm=firm))
        context = {
            "show_emails": selectors.member_emails_visible(firm=firm, user=request.user),
            "viewer_id": request.user.pk,
        }
        return self.get_paginated_response(MemberSerializer(page, many=True, context=context).data)

    def http_method_not_allowed(self, request, *args, **kwargs):
        # POST (adding someone by username) was removed: it told owners who has an account.
        if request.method != "POST":
            return super().http_method_not_allowed(request, *args, **kwargs)
        raise MethodNotAllowed(
            request.method,
            detail=gettext("Members join by invitation: POST /api/v1/firms/%(firm_id)s/invitations/ with their email.")
            % {"firm_id": kwargs.get("firm_id")},
        )


class MemberDetailView(APIView):
    @extend_schema(
        tags=TAG_MEMBERS,
        summary="Change a member's role (owners)",
        description="The last owner cannot be demoted (409 `last_owner`).",
        request=MemberUpdateSerializer,
        responses={200: MemberSerializer, **errors(400, 401, 403, 404, 409)},
    )
    def patch(self, request, firm_id: int, membership_id: int):
        firm = selectors.firm_for_member_management(firm_id=firm_id, user=request.user)
        membership = selectors.membership_get(firm=firm, membership_id=membership_id)
        serializer = MemberUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        membership = services.membership_change_role(
            membership=membership, actor=request.user, **serializer.validated_data
        )
        return Response(MemberSerializer(membership, context={"show_emails": True}).data)

    @extend_schema(
        tags=TAG_MEMBERS,
        summary="Remove a member (owners), or leave the firm (yourself)",
        description="The last owner cannot be removed (409 `last_owner`).",
        responses={204: None, **errors(401, 403, 404, 409)},
    )
    def delete(self, request, firm_id: int, membership_id: int):
        firm = selectors.firm_for_member_management(firm_id=firm_id, user=request.user)
        membership = selectors.membership_get(firm=firm, membership_id=membership_id)
        services.membership_remove(membership=membership, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- Invitations ------------------------------------------------------------------------------


class InvitationListView(GenericAPIView):
    serializer_class = InvitationSerializer
    queryset = Invitation.objects.none()  # only for the schema generator; the selector does the reading
    filter_backends: list = []

    @extend_schema(
        tags=TAG_INVITATIONS,
        summary="List the firm's open invitations (owners)",
        description="Invitations not yet accepted, revoked or expired. 403 for other members, 404 for outsiders.",
        responses={200: InvitationSerializer(many=True), **errors(401, 403, 404)},
    )
    def get(self, request, firm_id: int):
        firm = selectors.firm_for_member_management(firm_id=firm_id, user=request.user)
        page = self.paginate_queryset(selectors.invitation_list_open(firm=firm, user=request.user))
        return self.get_paginated_response(InvitationSerializer(page, many=True).data)

    @extend_schema(
        tags=TAG_INVITATIONS,
        summary="Invite someone by email to join the firm (owners)",
        description=(
            "Emails a link, valid for a few days, that the person accepts once signed in (in the web, or with "
            "`POST /api/v1/invitations/accept/`). The answer is the same whether or not the address has an "
            "account or is already a member. Inviting an address again replaces its open invitation."
        ),
        request=InvitationCreateSerializer,
        responses={201: InvitationSerializer, **errors(400, 401, 403, 404)},
    )
    def post(self, request, firm_id: int):
        firm = selectors.firm_for_member_management(firm_id=firm_id, user=request.user)
        serializer = InvitationCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        invitation = services.invitation_create(firm=firm, actor=request.user, **serializer.validated_data)
        return Response(InvitationSerializer(invitation).data, status=status.HTTP_201_CREATED)


class InvitationDetailView(APIView):
    @extend_schema(
        tags=TAG_INVITATIONS,
        summary="Revoke an open invitation (owners)",
        description="Its link stops working. 404 for an invitation already accepted, revoked or expired.",
        responses={204: None, **errors(401, 403, 404)},
    )
    def delete(self, request, firm_id: int, invitation_id: int):
        firm = selectors.firm_for_member_management(firm_id=firm_id, user=request.user)
        services.invitation_revoke(firm=firm, invitation_id=invitation_id, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class InvitationAcceptView(APIView):
    @extend_schema(
        tags=TAG_INVITATIONS,
        summary="Accept an invitation: join the firm with its role",
        description=(
            "For the signed-in person the invitation was emailed to: the token is the last part of the link. "
            "400 `invitation_invalid` for a token that is unknown, expired, revoked or used; "
            "403 `invitation_other_address` (naming `token`) unless your account's email is the invited address "
            "(any letter case): the invitation stays open for that person; "
            "409 `already_member` if you are a member of the firm already."
        ),
        request=InvitationAcceptSerializer,
        responses={201: UserMembershipSerializer, **errors(400, 401, 403, 409)},
    )
    def post(self, request):
        serializer = InvitationAcceptSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        membership = services.invitation_accept(token=serializer.validated_data["token"], user=request.user)
        return Response(UserMembershipSerializer(membership).data, status=status.HTTP_201_CREATED)


# --- Service accounts -------------------------------------------------------------------------


class ServiceAccountListView(GenericAPIView):
    serializer_class = ServiceAccountSerializer
    queryset = ServiceAccount.objects.none()  # only for the schema generator; the selector does the reading
    filter_backends: list = []

    @extend_schema(
        tags=TAG_SERVICE_ACCOUNTS,
        summary="List the firm's service accounts (owners)",
        description=(
            "Accounts still in use, with their scopes, token key, expiry and last use; never the secret. "
            "403 for other members and reviewers, 404 for outsiders."
        ),
        responses={200: ServiceAccountSerializer(many=True), **errors(401, 403, 404)},
    )
    def get(self, request, firm_id: int):
        firm = selectors.firm_for_member_management(firm_id=firm_id, user=request.user)
        page = self.paginate_queryset(selectors.service_account_list(firm=firm, user=request.user))
        return self.get_paginated_response(ServiceAccountSerializer(page, many=True).data)

    @extend_schema(
        tags=TAG_SERVICE_ACCOUNTS,
        summary="Create a service account for an integration (owners)",
        description=(
            "An account without a password whose API token reaches only the given scopes (403 "
            "`insufficient_scope` naming the scope outside them). The token secret is in this answer only; "
            "only its hash is stored. 403 for other members and reviewers, 404 for outsiders."
        ),
        request=ServiceAccountCreateSerializer,
        responses={201: ServiceAccountCreatedSerializer, **errors(400, 401, 403, 404)},
    )
    def post(self, request, firm_id: int):
        firm = selectors.firm_for_member_management(firm_id=firm_id, user=request.user)
        serializer = ServiceAccountCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        account, secret = services.service_account_create(firm=firm, actor=request.user, **serializer.validated_data)
        account.token = secret
        return Response(ServiceAccountCreatedSerializer(account).data, status=status.HTTP_201_CREATED)


class ServiceAccountDetailView(APIView):
    @extend_schema(
        tags=TAG_SERVICE_ACCOUNTS,
        summary="Revoke a service account (owners)",
        description="Its token stops working at once (401). 404 for an unknown or already revoked account.",
        responses={204: None, **errors(401, 403, 404)},
    )
    def delete(self, request, firm_id: int, account_id: int):
        firm = selectors.firm_for_member_management(firm_id=firm_id, user=request.user)
        services.service_account_revoke(firm=firm, actor=request.user, account_id=account_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ServiceAccountRotateView(APIView):
    @extend_schema(
        tags=TAG_SERVICE_ACCOUNTS,
        summary="Rotate a service account's token (owners)",
        description=(
            "A new token, whose secret is in this answer only. The token it replaces keeps working for "
            "`overlap_hours` (default SERVICE_ACCOUNT_TOKEN_OVERLAP_HOURS, 24; listed as `previous_token_id` and "
            "`previous_token_expiry`), then answers 401; a token left running by an earlier rotation stops at "
            "once. 404 for an unknown or revoked account."
        ),
        request=ServiceAccountRotateSerializer,
        responses={200: ServiceAccountCreatedSerializer, **errors(400, 401, 403, 404)},
    )
    def post(self, request, firm_id: int, account_id: int):
        firm = selectors.firm_for_member_management(firm_id=firm_id, user=request.user)
        serializer = ServiceAccountRotateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        account, secret = services.service_account_token_rotate(
            firm=firm, actor=request.user, account_id=account_id, **serializer.validated_data
        )
        account = selectors.service_account_list(firm=firm, user=request.user).get(pk=account.pk)
        account.token = secret
        return Response(ServiceAccountCreatedSerializer(account).data)
