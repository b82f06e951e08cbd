"""Pages for firm members: onboarding, the firm dashboard, proposals, notifications."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import Membership
from compliance import services as compliance
from core.errors import ApplicationError
from core.i18n import language_code
from directory.completeness import firm_completeness
from matching.models import Notification
from registry import services as registry
from registry.models import Firm
from registry.selectors import firm_freshness, firm_matching_block, firm_revision_list, firm_verification
from review import selectors as proposals
from review.services import workflow as review
from review.services.notifications import notification_mark_read, notifications_mark_all_read
from web.forms import (
    BaseOwnerFormSet,
    DecisionForm,
    FirmProfileForm,
    OutcomeForm,
    capability_groups,
    error_summary,
    owner_formset,
    owners_differ,
)
from web.views.review import FIRM_HISTORY_ROWS


def _membership(request: HttpRequest, firm_id: int) -> Membership:
    """The user's membership of the firm; 404 for everyone else so firm ids cannot be probed."""
    membership = Membership.objects.filter(user=request.user, firm_id=firm_id).select_related("firm").first()
    if membership is None:
        raise Http404
    return membership


def _firm_proposal(request: HttpRequest, firm: Firm, pk: int):
    proposal = proposals.proposal_get(user=request.user, pk=pk)
    if firm.pk not in (proposal.ukrainian_id, proposal.partner_id):
        raise Http404
    return proposal


def home(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect("web:login")
    membership = Membership.objects.filter(user=request.user).order_by("created_at", "id").first()
    if membership is not None:
        return redirect("web:firm_dashboard", membership.firm_id)
    if request.user.can_review:
        return redirect("web:review_queue")
    return redirect("web:firm_create")


def _profile_page(
    request: HttpRequest, form: FirmProfileForm, owners: BaseOwnerFormSet, firm: Firm | None
) -> HttpResponse:
    selected_offers = form["offers"].value() or []
    selected_seeks = form["seeks"].value() or []
    summary = error_summary(form) + (owners.error_summary() if owners.is_bound else [])
    offer_groups = capability_groups(selected_offers, form.capability_extras("offers"))
    seek_groups = capability_groups(selected_seeks, form.capability_extras("seeks"))
    return render(
        request,
        "web/firm/profile_form.html",
        {
            "form": form,
            "owners": owners,
            "firm": firm,
            "error_summary": summary,
            "offer_groups": offer_groups,
            "seek_groups": seek_groups,
            "offer_selected": [item for group in offer_groups for item in group["items"] if item["checked"]],
            "seek_selected": [item for group in seek_groups for item in group["items"] if item["checked"]],
        },
    )


def _profile_save(request: HttpRequest, form: FirmProfileForm, owners: BaseOwnerFormSet, firm: Firm | None):
    """Validate the profile and its owners together (every error in one round), then save both in one
    transaction: the firm through the registry, its owners through compliance. The saved firm, or None."""
    valid = form.is_valid()
    valid = (owners.is_valid() or not owners.is_bound) and valid
    if not valid:
        return None
    step = "profile"
    try:
        with transaction.atomic():
            if firm is None:
                firm = registry.firm_create(user=request.user, data=form.to_exchange())
            else:
                firm = registry.firm_update(firm=firm, user=request.user, data=form.to_exchange())
            rows = owners.owners() if owners.is_bound else None
            if rows is not None and owners_differ(firm, rows):
                step = "owners"
                compliance.beneficial_owners_replace(firm=firm, owners=rows, user=request.user)
    except ApplicationError as error:
        (owners if step == "owners" else form).add_service_errors(error)
        return None
    return firm


@login_required
def firm_create(request: HttpRequest) -> HttpResponse:
    form = FirmProfileForm(request.POST or None)
    owners = owner_formset(request.POST or None)
    if request.method == "POST" and (firm := _profile_save(request, form, owners, None)) is not None:
        messages.success(request, _("Your firm profile was submitted. A ministry reviewer will verify it."))
        return redirect("web:firm_dashboard", firm.pk)
    return _profile_page(request, form, owners, None)


@login_required
def firm_edit(request: HttpRequest, firm_id: int) -> HttpResponse:
    membership = _membership(request, firm_id)
    firm = membership.firm
    if not membership.can_edit:
        messages.error(request, _("Only the firm's owners and editors can change its profile."))
        return redirect("web:firm_dashboard", firm.pk)
    form = FirmProfileForm(request.POST or None, firm=firm)
    owners = owner_formset(request.POST or None, firm=firm)
    if request.method == "POST" and _profile_save(request, form, owners, firm) is not None:
        messages.success(request, _("Profile saved."))
        return redirect("web:firm_dashboard", firm.pk)
    return _profile_page(request, form, owners, firm)


def _contacts_withheld_because(proposal) -> str:
    """Why a connected introduction shows no contacts to the firm ("" if it shows them or is not
    connected): the partner or this firm cannot be introduced for now. Why (a suspension, a sanctions
    review) is the ministry's business: the firm is told only that, as everywhere else."""
    if proposal.status not in proposals.CONTACT_STATUSES or proposal.contacts_visible:
        return ""
    if (
        proposal.other.status == Firm.Status.SUSPENDED
        or firm_matching_block(firm=proposal.other, owners=False) is not None
    ):
        return "partner_blocked"
    return "own_firm_blocked"


@login_required
def firm_dashboard(request: HttpRequest, firm_id: int) -> HttpResponse:
    membership = _membership(request, firm_id)
    firm = membership.firm
    rows = list(
        proposals.proposal_visible_queryset(user=request.user)
        .filter(Q(ukrainian=firm) | Q(partner=firm))
        .order_by("-status_changed_at", "-id")[:100]
    )
    roles = {firm.pk: membership.role}
    for p in rows:
        p.other = p.partner if p.ukrainian_id == firm.pk else p.ukrainian
        p.contacts_visible = proposals.proposal_contacts_visible(proposal=p, user=request.user, firm_roles=roles)
        p.we_accepted = (p.ukrainian_accepted_at if p.ukrainian_id == firm.pk else p.partner_accepted_at) is not None
        p.withheld = _contacts_withheld_because(p)
    firm_caps = list(firm.capabilities.select_related("capability").order_by("kind", "capability__code"))
    completeness, hints = firm_completeness(firm=firm)
    return render(
        request,
        "web/firm/dashboard.html",
        {
            "firm": firm,
            "membership": membership,
            "proposals": rows,
            "connected": [p for p in rows if p.contacts_visible],
            "withheld": [p for p in rows if p.withheld],
            "offers": [c for c in firm_caps if c.kind == "offer"],
            "seeks": [c for c in firm_caps if c.kind == "seek"],
            "freshness": firm_freshness(firm=firm),
            "completeness": completeness,
            "completeness_hints": hints,
            "verification": firm_verification(firm=firm),
        },
    )


@login_required
@require_POST
def firm_confirm(request: HttpRequest, firm_id: int) -> HttpResponse:
    """One click: an owner or editor confirms that the firm's profile is current."""
    membership = _membership(request, firm_id)
    try:
        firm = registry.firm_confirm(firm=membership.firm, user=request.user)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("Thank you: the profile is confirmed. It stays current until %(date)s.")
            % {"date": date_format(timezone.localtime(firm.stale_on), "DATE_FORMAT")},
        )
    return redirect("web:firm_dashboard", firm_id)


@login_required
def firm_history(request: HttpRequest, firm_id: int) -> HttpResponse:
    """The firm's latest profile changes (its beneficial owners too) for every member: what changed, when,
    by which colleague; whoever at the ministry decided stays unnamed, as on the proposals' history."""
    membership = _membership(request, firm_id)
    firm = membership.firm
    colleagues = set(Membership.objects.filter(firm=firm).values_list("user_id", flat=True))
    revisions = list(firm_revision_list(firm=firm)[:FIRM_HISTORY_ROWS])
    for revision in revisions:
        revision.changer_hidden = revision.changed_by_id not in colleagues
    return render(request, "web/firm/history.html", {"firm": firm, "membership": membership, "revisions": revisions})


@login_required
def proposal_detail(request: HttpRequest, firm_id: int, pk: int) -> HttpResponse:
    """The introduction; POST: its outcome (a partnership or closing it), by an owner or editor of either
    firm once connected, through the workflow service the API uses."""
    membership = _membership(request, firm_id)
    proposal = _firm_proposal(request, membership.firm, pk)
    outcome_form = OutcomeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if not (membership.can_edit and proposal.status == "connected"):  # the form is not on this page
            messages.error(
                request, _("An outcome is recorded by an owner or editor of either firm, once both firms accepted.")
            )
            return redirect("web:firm_proposal", firm_id, pk)
        if outcome_form.is_valid():
            try:
                review.proposal_record_outcome(
                    proposal=proposal,
                    user=request.user,
                    kind=outcome_form.cleaned_data["kind"],
                    date=outcome_form.cleaned_data["date"],
                    note=outcome_form.cleaned_data["note"],
                    firm=membership.firm,
                )
            except ApplicationError as error:
                if error.status == 400:
                    outcome_form.add_service_errors(error)
                else:  # not allowed (a viewer) or not connected any more: say so on the page as it is now
                    messages.error(request, error.message)
                    return redirect("web:firm_proposal", firm_id, pk)
            else:
                messages.success(request, _("The outcome is recorded. Both firms are told."))
                return redirect("web:firm_proposal", firm_id, pk)
        context = _proposal_context(request, membership, proposal, outcome_form=outcome_form)
        return render(request, "web/firm/proposal.html", context)
    return render(request, "web/firm/proposal.html", _proposal_context(request, membership, proposal))


def _proposal_context(request, membership: Membership, proposal, outcome_form: OutcomeForm | None = None) -> dict:
    firm = membership.firm
    other = proposal.partner if proposal.ukrainian_id == firm.pk else proposal.ukrainian
    accepted_at = proposal.ukrainian_accepted_at if proposal.ukrainian_id == firm.pk else proposal.partner_accepted_at
    can_record_outcome = membership.can_edit and proposal.status == "connected"
    can_answer = membership.can_edit and proposal.status == "approved" and accepted_at is None
    return {
        "firm": firm,
        "membership": membership,
        "proposal": proposal,
        "other": other,
        "we_accepted": accepted_at is not None,
        "can_answer": can_answer,
        # One person on both sides: someone else at this firm accepts (the page says so instead of the button).
        "accept_refusal": review.proposal_accept_refusal(proposal=proposal, user=request.user, firm=firm)
        if can_answer
        else "",
        "outcome_form": (outcome_form or OutcomeForm()) if can_record_outcome else None,
        "outcome_errors": error_summary(outcome_form) if outcome_form is not None and outcome_form.is_bound else [],
        "contacts_visible": proposals.proposal_contacts_visible(
            proposal=proposal, user=request.user, firm_roles={firm.pk: membership.role}
        ),
        "events": proposals.proposal_event_list(proposal=proposal, user=request.user),
    }


def _require_answering_role(membership: Membership) -> None:
    """Accept, decline and outcomes are for the firm's owners and editors (the workflow's EDIT_ROLES)."""
    if membership.role not in review.EDIT_ROLES:
        raise PermissionDenied(_("Only an owner or editor of %(firm)s can do this.") % {"firm": membership.firm.name})


@login_required
def proposal_accept(request: HttpRequest, firm_id: int, pk: int) -> HttpResponse:
    """GET: the confirmation step. POST: accept on behalf of this firm. Only for its owners and editors (403)."""
    membership = _membership(request, firm_id)
    proposal = _firm_proposal(request, membership.firm, pk)
    _require_answering_role(membership)
    context = _proposal_context(request, membership, proposal) | {"action": "accept", "form": DecisionForm()}
    if request.method == "POST":
        try:
            review.proposal_accept(proposal=proposal, user=request.user, firm=membership.firm)
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("You accepted the introduction."))
        return redirect("web:firm_proposal", firm_id, pk)
    return render(request, "web/firm/confirm.html", context)


@login_required
def proposal_decline(request: HttpRequest, firm_id: int, pk: int) -> HttpResponse:
    """GET: the confirmation step with a reason. POST: decline on behalf of this firm. Only for its owners
    and editors (403): a viewer is not shown a form they could not send."""
    membership = _membership(request, firm_id)
    proposal = _firm_proposal(request, membership.firm, pk)
    _require_answering_role(membership)
    form = DecisionForm(request.POST or None, note_label=_("Reason"), note_required=True)
    if request.method == "POST" and form.is_valid():
        try:
            review.proposal_decline(
                proposal=proposal, user=request.user, reason=form.cleaned_data["note"], firm=membership.firm
            )
        except ApplicationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("You declined the introduction."))
            return redirect("web:firm_proposal", firm_id, pk)
    context = _proposal_context(request, membership, proposal) | {"action": "decline", "form": form}
    return render(request, "web/firm/confirm.html", context)


def _shown_in_page_language(rows: list[Notification]) -> list[Notification]:
    """The rows with title and body in the page's language, whatever it was when they were written
    (in memory only: marking one read saves `read_at` alone)."""
    language = language_code()
    for row in rows:
        row.title, row.body = row.text_in(language)
    return rows


@login_required
def notifications(request: HttpRequest) -> HttpResponse:
    rows = _shown_in_page_language(list(proposals.notification_list(user=request.user)[:100]))
    return render(request, "web/notifications.html", {"notifications": rows})


@login_required
@require_POST
def notification_read(request: HttpRequest, pk: int) -> HttpResponse:
    notification = get_object_or_404(proposals.notification_list(user=request.user), pk=pk)
    notification_mark_read(notification=notification)
    if request.headers.get("HX-Request"):
        # The header's unread badge comes along as an out-of-band swap, so it drops at once.
        (shown,) = _shown_in_page_language([notification])
        return render(request, "web/partials/notification.html", {"n": shown, "oob": True})
    return redirect("web:notifications")


@login_required
@require_POST
def notification_read_all(request: HttpRequest) -> HttpResponse:
    notifications_mark_all_read(user=request.user)
    return redirect("web:notifications")
