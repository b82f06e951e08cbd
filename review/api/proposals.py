"""REST API of the review workflow: proposals, their events, decisions, notifications and stats.

Views only translate HTTP: visibility and redaction live in `review.selectors`, rules and
transitions in `review.services.workflow`.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils import timezone, translation
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.generics import GenericAPIView, ListAPIView, get_object_or_404
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.ordering import CheckedOrderingFilter
from core.api.schemas import error_responses
from core.api.strict import StrictFieldsMixin
from core.errors import ConflictError
from core.i18n import language_code
from core.text import NOTE_MAX_LENGTH
from matching.models import Notification, Proposal, ProposalEvent
from registry.api.serializers import ContactSerializer, iso_datetime
from registry.history import revision_note
from review.selectors import (
    NO_EVENT_NOTES,
    ProposalFilter,
    firm_capability_lists,
    notification_list,
    proposal_contacts_visible,
    proposal_event_list,
    proposal_event_notes,
    proposal_get,
    proposal_visible_queryset,
    review_stats,
    user_firm_roles,
)
from review.services import workflow as review
from review.services.notifications import notification_mark_read, notifications_mark_all_read
from review.services.workflow import expiry_period


def _language() -> str:
    return language_code()


# --- Output ---------------------------------------------------------------------------------


class ProposalCapabilitySerializer(serializers.Serializer):
    """A capability a firm offers or seeks, named in the request's language (documents the shape)."""

    code = serializers.CharField()
    domain = serializers.CharField()
    name = serializers.CharField()


class OutcomeSerializer(serializers.Serializer):
    """How a connection ended (documents the shape; `get_outcome` builds it)."""

    kind = serializers.CharField(help_text="A partnership kind (see OutcomeInput), or `closed`.")
    date = serializers.DateField(allow_null=True)
    note = serializers.CharField(allow_blank=True)


class FirmPublicSerializer(serializers.Serializer):
    """A firm's public profile in a proposal (documents the shape; `firm_public()` builds it)."""

    id = serializers.IntegerField()
    ref = serializers.CharField()
    name = serializers.CharField()
    country = serializers.CharField()
    side = serializers.CharField()
    offers = ProposalCapabilitySerializer(many=True)
    seeks = ProposalCapabilitySerializer(many=True)
    contact = ContactSerializer(allow_null=True, help_text="null until the proposal is connected")


def firm_public(firm, *, show_contact: bool, capabilities: dict[str, list[dict[str, str]]] | None) -> dict[str, Any]:
    # A plain dict, not a nested serializer per firm: a page of 200 proposals would build 400 of them.
    capabilities = capabilities or {}
    contact = None
    if show_contact:
        contact = {"name": firm.contact_name, "email": firm.contact_email, "phone": str(firm.contact_phone or "")}
    return {
        "id": firm.pk,
        "ref": firm.ref,
        "name": firm.name,
        "country": str(firm.country),
        "side": firm.side,
        "offers": capabilities.get("offer", []),
        "seeks": capabilities.get("seek", []),
        "contact": contact,
    }


class ProposalListSerializer(serializers.ListSerializer):
    """Reads what the whole page needs (firm capabilities, event notes) once before rendering it."""

    def to_representation(self, data):
        proposals = list(data.all() if hasattr(data, "all") else data)
        self.child.load_page(proposals)
        return [self.child.to_representation(p) for p in proposals]


class ProposalSerializer(serializers.ModelSerializer):
    """A proposal as its viewer may see it. Reviewer-only keys are absent for everyone else."""

    # The fields document the shape for OpenAPI; `to_representation` builds the same dict
    # directly (a page of 50 through DRF's per-field machinery cost ~10 ms of CPU).

    ukrainian = FirmPublicSerializer(read_only=True)
    partner = FirmPublicSerializer(read_only=True)
    reasons = serializers.ListField(child=serializers.CharField(), read_only=True)
    flags = serializers.ListField(child=serializers.CharField(), read_only=True)
    flag_codes = serializers.ListField(child=serializers.CharField(), read_only=True)
    accepted = serializers.DictField(child=serializers.BooleanField(), read_only=True)
    request_message = serializers.CharField(
        read_only=True, allow_null=True, help_text="why a firm asked for this introduction (origin `requested`)"
    )
    components = serializers.DictField(child=serializers.FloatField(), read_only=True)
    outcome = serializers.SerializerMethodField()
    expires_at = serializers.SerializerMethodField()

    REVIEWER_ONLY = ("review_note", "decline_reason", "declined_by_firm")
    optional_in_response = REVIEWER_ONLY  # every other field is in every answer (core.api.openapi.AutoSchema)
    review_note = serializers.CharField(
        read_only=True,
        allow_null=True,
        help_text="Reviewers and administrators only (absent for firm members): the reviewer's note on the "
        "latest approval or rejection; null when none.",
    )
    decline_reason = serializers.CharField(
        read_only=True,
        allow_null=True,
        help_text="Reviewers and administrators only (absent for firm members): why a firm declined; null when none.",
    )
    declined_by_firm = serializers.IntegerField(
        source="declined_by_firm_id",
        read_only=True,
        allow_null=True,
        help_text="Reviewers and administrators only (absent for firm members): the id of the firm that declined; "
        "null when none did.",
    )

    class Meta:
        model = Proposal
        list_serializer_class = ProposalListSerializer
        fields = [
            "id",
            "status",
            "origin",
            "request_message",
            "score",
            "rank_for_ukrainian",
            "rank_for_partner",
            "components",
            "reasons",
            "flags",
            "flag_codes",
            "ukrainian",
            "partner",
            "accepted",
            "ukrainian_accepted_at",
            "partner_accepted_at",
            "outcome",
            "expires_at",
            "created_at",
            "updated_at",
            "status_changed_at",
            "review_note",
            "decline_reason",
            "declined_by_firm",
        ]
        read_only_fields = fields

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._capabilities: dict[int, dict[str, list[dict[str, str]]]] = {}
        self._notes: dict[int, dict[str, Any]] = {}

    def get_fields(self):
        # Read lazily (the schema generator, OPTIONS), never while rendering. The schema (no request, or
        # the generator's anonymous one) documents the reviewer-only keys as optional; OPTIONS, always
        # authenticated here, lists them only for reviewers.
        fields = super().get_fields()
        user = getattr(self.context.get("request"), "user", None)
        if user is not None and user.is_authenticated and not getattr(user, "can_review", False):
            for name in self.REVIEWER_ONLY:
                fields.pop(name, None)
        return fields

    def load_page(self, proposals: list[Proposal]) -> None:
        """Read what the payload shows beyond the proposal rows for all of `proposals` at once."""
        firm_ids = {p.ukrainian_id for p in proposals} | {p.partner_id for p in proposals}
        self._capabilities = firm_capability_lists(firm_ids=firm_ids, lang=_language())
        reviewer = self.context["request"].user.can_review
        # Firms see only outcome notes: no query unless the page has an outcome.
        with_notes = [
            p.pk for p in proposals if reviewer or p.status in (Proposal.Status.PARTNERSHIP, Proposal.Status.CLOSED)
        ]
        self._notes = proposal_event_notes(proposal_ids=with_notes, reviewer=reviewer)
        for p in proposals:
            self._notes.setdefault(p.pk, NO_EVENT_NOTES)

    def to_representation(self, proposal: Proposal) -> dict[str, Any]:
        if proposal.pk not in self._notes:
            self.load_page([proposal])
        user = self.context["request"].user
        lang = _language()
        tz = timezone.get_current_timezone()
        show = proposal_contacts_visible(proposal=proposal, user=user, firm_roles=self.context["firm_roles"])
        caps = self._capabilities
        reasons = proposal.reasons or {}
        flags = proposal.flags or {}
        data = {
            "id": proposal.pk,
            "status": proposal.status,
            "origin": proposal.origin,
            "request_message": proposal.request_message or None,
            "score": proposal.score,
            "rank_for_ukrainian": proposal.rank_for_ukrainian,
            "rank_for_partner": proposal.rank_for_partner,
            "components": proposal.components,
            "reasons": reasons.get(lang) or reasons.get("en") or [],
            "flags": flags.get(lang) or flags.get("en") or [],
            "flag_codes": flags.get("codes") or [],
            "ukrainian": firm_public(
                proposal.ukrainian, show_contact=show, capabilities=caps.get(proposal.ukrainian_id)
            ),
            "partner": firm_public(proposal.partner, show_contact=show, capabilities=caps.get(proposal.partner_id)),
            "accepted": {
                "ukrainian": proposal.ukrainian_accepted_at is not None,
                "partner": proposal.partner_accepted_at is not None,
            },
            "ukrainian_accepted_at": iso_datetime(proposal.ukrainian_accepted_at, tz),
            "partner_accepted_at": iso_datetime(proposal.partner_accepted_at, tz),
            "outcome": self.get_outcome(proposal),
            "expires_at": self.get_expires_at(proposal),
            "created_at": iso_datetime(proposal.created_at, tz),
            "updated_at": iso_datetime(proposal.updated_at, tz),
            "status_changed_at": iso_datetime(proposal.status_changed_at, tz),
        }
        if user.can_review:
            notes = self._notes[proposal.pk]
            data["review_note"] = notes["review_note"]
            data["decline_reason"] = notes["decline_reason"]
            data["declined_by_firm"] = notes["declined_by_firm_id"]
        return data

    @extend_schema_field(OutcomeSerializer(allow_null=True))
    def get_outcome(self, proposal: Proposal) -> dict[str, Any] | None:
        if proposal.status not in (Proposal.Status.PARTNERSHIP, Proposal.Status.CLOSED):
            return None
        return {
            "kind": proposal.outcome_kind or "closed",
            "date": proposal.outcome_date.isoformat() if proposal.outcome_date else None,
            "note": self._notes[proposal.pk]["outcome_note"] or "",  # redacted by the selector
        }

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_expires_at(self, proposal: Proposal) -> str | None:
        if proposal.status != Proposal.Status.APPROVED:
            return None
        return iso_datetime(proposal.status_changed_at + expiry_period())


class EventSerializer(serializers.ModelSerializer):
    optional_in_response = ()  # every field is in every answer: required in the schema (core.api.openapi)
    actor = serializers.SerializerMethodField()
    note = serializers.SerializerMethodField(
        help_text="A person's note as written, or the system's note in the request's language; empty when hidden."
    )
    note_hidden = serializers.BooleanField()

    class Meta:
        model = ProposalEvent
        fields = [
            "id",
            "from_status",
            "to_status",
            "actor",
            "actor_role",
            "firm",
            "note",
            "note_hidden",
            "data",
            "created_at",
        ]

    def get_actor(self, event: ProposalEvent) -> str | None:
        return event.actor.get_username() if getattr(event, "actor_visible", False) else None

    def get_note(self, event: ProposalEvent) -> str:
        return revision_note(event)


class NotificationKind(models.TextChoices):
    """What a notification is about, for API clients (the `kind` column is written by each app that notifies;
    tests/integrations/test_notifications_api.py checks that every kind they write is listed here)."""

    APPROVED = "approved", "A proposal was approved by the ministry"
    ACCEPTED = "accepted", "The other firm accepted a proposal"
    CONNECTED = "connected", "Both firms accepted: contacts are shared"
    EXPIRED = "expired", "A proposal expired unanswered"
    EXPIRY_REMINDER = "expiry_reminder", "An approved proposal expires soon and the firm has not answered"
    OUTCOME = "outcome", "An outcome was recorded"
    DIGEST = "digest", "The periodic digest"
    SAVED_SEARCH = "saved_search", "New firms match a saved directory search"
    EVENT_AGENDA = "event_agenda", "An event's agenda was published"
    EVENT_MEETING_CHANGED = "event_meeting_changed", "A meeting at an event changed"
    EVENT_MEETING_CANCELLED = "event_meeting_cancelled", "A meeting at an event was cancelled"
    PROFILE_FRESHNESS = "profile_freshness", "The firm profile should be reviewed"
    CERTIFICATION_EXPIRY = "certification_expiry", "A certification expires soon"


class NotificationSerializer(serializers.ModelSerializer):
    optional_in_response = ()  # every field is in every answer: required in the schema (core.api.openapi)
    unread = serializers.SerializerMethodField()
    kind = serializers.ChoiceField(choices=NotificationKind.choices, read_only=True)

    class Meta:
        model = Notification
        fields = ["id", "kind", "proposal", "title", "body", "unread", "read_at", "emailed_at", "created_at"]

    def get_unread(self, notification: Notification) -> bool:
        return notification.read_at is None

    def to_representation(self, notification: Notification) -> dict:
        data = super().to_representation(notification)
        # In the request's language (Accept-Language, else the person's own), whatever it was when written.
        data["title"], data["body"] = notification.text_in(language_code())
        return data


# --- Input ----------------------------------------------------------------------------------


class ApproveInput(StrictFieldsMixin, serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=NOTE_MAX_LENGTH, default="")


class RejectInput(StrictFieldsMixin, serializers.Serializer):
    reason = serializers.CharField(max_length=NOTE_MAX_LENGTH)


class AcceptInput(StrictFieldsMixin, serializers.Serializer):
    firm = serializers.IntegerField(required=False, min_value=1)


class DeclineInput(StrictFieldsMixin, serializers.Serializer):
    firm = serializers.IntegerField(required=False, min_value=1)
    reason = serializers.CharField(max_length=NOTE_MAX_LENGTH)


class OutcomeInput(StrictFieldsMixin, serializers.Serializer):
    kind = serializers.ChoiceField(choices=[*review.OUTCOME_KINDS, "closed"])
    date = serializers.DateField(
        required=False,
        help_text="A partnership's date: from the day the proposal was created (Kyiv time) to a year ahead.",
    )
    note = serializers.CharField(required=False, allow_blank=True, max_length=NOTE_MAX_LENGTH, default="")
    reason = serializers.CharField(required=False, allow_blank=True, max_length=NOTE_MAX_LENGTH, default="")
    firm = serializers.IntegerField(required=False, min_value=1)

    def validate(self, attrs):
        if attrs["kind"] == "closed":
            if not (attrs.get("reason") or "").strip():
                raise serializers.ValidationError(
                    {"reason": [translation.gettext("Required when closing without a partnership.")]}
                )
            if attrs.get("date"):
                raise serializers.ValidationError(
                    {"date": [translation.gettext("Only for a partnership, not when closing.")]}
                )
        else:
            if attrs.get("date") is None:
                raise serializers.ValidationError({"date": [translation.gettext("Required for a partnership.")]})
            if (attrs.get("reason") or "").strip():
                raise serializers.ValidationError(
                    {"reason": [translation.gettext("Only when closing; use note for a partnership.")]}
                )
        return attrs


class BulkReviewInput(StrictFieldsMixin, serializers.Serializer):
    action = serializers.ChoiceField(choices=["approve", "reject"])
    ids = serializers.ListField(child=serializers.IntegerField(min_value=1), min_length=1, max_length=500)
    note = serializers.CharField(required=False, allow_blank=True, max_length=NOTE_MAX_LENGTH, default="")
    reason = serializers.CharField(required=False, allow_blank=True, max_length=NOTE_MAX_LENGTH, default="")

    def validate(self, attrs):
        if attrs["action"] == "reject" and not attrs.get("reason", "").strip():
            raise serializers.ValidationError({"reason": [translation.gettext("Required when rejecting.")]})
        return attrs


def _validated(serializer_class, request) -> dict[str, Any]:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


# --- Views ----------------------------------------------------------------------------------


class ProposalContextMixin:
    def firm_roles(self) -> dict[int, str]:
        """The caller's {firm_id: role}, read once per request (reviewers need none)."""
        if not hasattr(self, "_firm_roles"):
            user = self.request.user  # type: ignore[attr-defined]
            self._firm_roles = {} if user.can_review else user_firm_roles(user=user)
        return self._firm_roles

    def get_serializer_context(self):
        context = super().get_serializer_context()  # type: ignore[misc]
        context["firm_roles"] = self.firm_roles()
        return context


class ProposalListView(ProposalContextMixin, ListAPIView):
    """Reviewers see every proposal; a firm's members see their firms' proposals from `approved` on."""

    serializer_class = ProposalSerializer
    filter_backends = [DjangoFilterBackend, CheckedOrderingFilter]
    filterset_class = ProposalFilter
    ordering_fields = ["score", "created_at", "status_changed_at", "updated_at"]
    sync_field = "updated_at"  # updated_since, cursor (core.api.pagination.SyncPagination)
    ordering = ["-score", "id"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation has no user
            return Proposal.objects.none()
        return proposal_visible_queryset(user=self.request.user, public_only=True, firm_ids=self.firm_roles())


class ProposalDetailView(ProposalContextMixin, GenericAPIView):
    serializer_class = ProposalSerializer

    def get(self, request, pk: int):
        proposal = proposal_get(user=request.user, pk=pk, public_only=True, firm_ids=self.firm_roles())
        return Response(self.get_serializer(proposal).data)


class ProposalEventsView(GenericAPIView):
    serializer_class = EventSerializer
    queryset = ProposalEvent.objects.none()  # for the schema generator; reads go through proposal_event_list
    pagination_class = None

    @extend_schema(responses={200: EventSerializer(many=True)})  # a list, not one event (schemathesis ST108)
    def get(self, request, pk: int):
        proposal = proposal_get(user=request.user, pk=pk)
        events = proposal_event_list(proposal=proposal, user=request.user)
        return Response(self.get_serializer(events, many=True).data)


class _TransitionView(ProposalContextMixin, GenericAPIView):
    """POST one decision: 404 unless the proposal is visible, then the service decides (403/409/400)."""

    serializer_class = ProposalSerializer
    input_class: type[serializers.Serializer]

    def act(self, request, proposal: Proposal, data: dict[str, Any]) -> None:
        raise NotImplementedError

    def post(self, request, pk: int):
        proposal = proposal_get(user=request.user, pk=pk, public_only=True)
        self.act(request, proposal, _validated(self.input_class, request))
        return Response(self.get_serializer(proposal_get(user=request.user, pk=pk, public_only=True)).data)


@extend_schema(request=ApproveInput)
class ProposalApproveView(_TransitionView):
    input_class = ApproveInput

    def act(self, request, proposal, data):
        review.proposal_approve(proposal=proposal, reviewer=request.user, note=data["note"])


@extend_schema(request=RejectInput)
class ProposalRejectView(_TransitionView):
    input_class = RejectInput

    def act(self, request, proposal, data):
        review.proposal_reject(proposal=proposal, reviewer=request.user, reason=data["reason"])


@extend_schema(request=AcceptInput)
class ProposalAcceptView(_TransitionView):
    input_class = AcceptInput

    def act(self, request, proposal, data):
        try:
            review.proposal_accept(proposal=proposal, user=request.user, firm=data.get("firm"))
        except ConflictError:
            # A repeated accept by a firm that has accepted already (a client's retry) answers 200
            # with the current state; every other conflict stays a 409.
            proposal.refresh_from_db(fields=["ukrainian_accepted_at", "partner_accepted_at", "status"])
            accepted = {proposal.ukrainian_id: proposal.ukrainian_accepted_at, proposal.partner_id: proposal.partner_accepted_at}  # fmt: skip
            firms = [data["firm"]] if data.get("firm") else list(self.firm_roles())
            repeat = proposal.status in (Proposal.Status.APPROVED, Proposal.Status.CONNECTED) and any(
                accepted.get(firm) and self.firm_roles().get(firm) in review.EDIT_ROLES for firm in firms
            )
            if not repeat:
                raise


@extend_schema(request=DeclineInput)
class ProposalDeclineView(_TransitionView):
    input_class = DeclineInput

    def act(self, request, proposal, data):
        review.proposal_decline(proposal=proposal, user=request.user, firm=data.get("firm"), reason=data["reason"])


@extend_schema(request=OutcomeInput)
class ProposalOutcomeView(_TransitionView):
    input_class = OutcomeInput

    def act(self, request, proposal, data):
        review.proposal_record_outcome(
            proposal=proposal,
            user=request.user,
            kind=data["kind"],
            date=data.get("date"),
            note=data["reason"] if data["kind"] == "closed" else data["note"],
            firm=data.get("firm"),
        )


@extend_schema(
    request=BulkReviewInput,
    responses=inline_serializer(
        "BulkReviewResult",
        {"results": serializers.ListField(child=serializers.DictField())},
    ),
)
class ProposalBulkReviewView(APIView):
    """Approve or reject many proposals; each item in its own transaction, each reported on its own."""

    def post(self, request):
        if not request.user.can_review:
            raise PermissionDenied(translation.gettext("Only ministry reviewers can review proposals."))
        data = _validated(BulkReviewInput, request)
        results = review.proposal_bulk_review(reviewer=request.user, **data)
        return Response({"results": results})


@extend_schema(parameters=[OpenApiParameter("unread", bool, description="true: unread only; false: read only")])
class NotificationListView(ListAPIView):
    serializer_class = NotificationSerializer
    filter_backends = [CheckedOrderingFilter]
    ordering_fields = ["created_at", "read_at", "id"]
    ordering = ["-created_at", "-id"]
    sync_field = "created_at"  # notifications are new rows: sync them with updated_since and cursor

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Notification.objects.none()
        raw = self.request.query_params.get("unread")
        choices = {"true": True, "1": True, "false": False, "0": False}
        if raw is not None and raw.lower() not in choices:
            raise serializers.ValidationError({"unread": [translation.gettext("Must be true or false.")]})
        return notification_list(user=self.request.user, unread=choices.get((raw or "").lower()))


@extend_schema(request=None)
class NotificationReadView(GenericAPIView):
    serializer_class = NotificationSerializer

    def post(self, request, pk: int):
        notification = get_object_or_404(notification_list(user=request.user), pk=pk)
        return Response(self.get_serializer(notification_mark_read(notification=notification)).data)


@extend_schema(request=None, responses=inline_serializer("ReadAll", {"marked": serializers.IntegerField()}))
class NotificationReadAllView(APIView):
    def post(self, request):
        return Response({"marked": notifications_mark_all_read(user=request.user)}, status=status.HTTP_200_OK)


class CountryPairSerializer(serializers.Serializer):
    ukrainian_country = serializers.CharField(help_text="The Ukrainian firm's country (ISO 3166-1 alpha-2).")
    partner_country = serializers.CharField(help_text="The partner firm's country (ISO 3166-1 alpha-2).")
    count = serializers.IntegerField(help_text="Partnerships between firms of these two countries.")


class ReviewStatsSerializer(serializers.Serializer):
    """The figures of `review.selectors.review_stats`, as the reviewers' dashboard shows them."""

    optional_in_response = ()  # every figure is in every answer (null where nothing is known yet)
    counts = serializers.DictField(
        child=serializers.IntegerField(), help_text="Proposals in each state, every state listed (0 when none)."
    )
    total = serializers.IntegerField(help_text="All proposals, the sum of `counts`.")
    median_hours_to_decision = serializers.FloatField(
        allow_null=True, help_text="Median hours from entering `proposed` to approval or rejection; null before any."
    )
    median_hours_to_connection = serializers.FloatField(
        allow_null=True, help_text="Median hours from approval to `connected`; null before any."
    )
    acceptance_rate = serializers.FloatField(
        allow_null=True,
        help_text="Share (0..1) of answered proposals that reached `connected`: connected / (connected + declined "
        "+ expired), partnerships and closed ones counted as connected; null before any was answered.",
    )
    partnerships_by_kind = serializers.DictField(
        child=serializers.IntegerField(), help_text="Partnerships by outcome kind (`mou`, `contract`, ...)."
    )
    partnerships_by_country_pair = CountryPairSerializer(many=True, help_text="Most partnerships first.")
    open_by_domain = serializers.DictField(
        child=serializers.IntegerField(),
        help_text="Open proposals (`proposed` and `approved`) by either firm's capability domain, today.",
    )


@extend_schema(responses={200: ReviewStatsSerializer, **error_responses(403)})
class StatsView(APIView):
    """Review statistics for reviewers and administrators (the dashboard draws from the same selector)."""

    def get(self, request):
        if not request.user.can_review:
            raise PermissionDenied(
                translation.gettext("Only ministry reviewers and administrators can see statistics.")
            )
        return Response(review_stats())
