"""Pages for firm members: onboarding, the firm dashboard, proposals, notifications."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import Membership
from core.errors import ApplicationError
from registry import services as registry
from registry.models import Firm
from review import selectors as proposals
from review.services import workflow as review
from review.services.notifications import notification_mark_read, notifications_mark_all_read
from web.forms import DecisionForm, FirmProfileForm, capability_groups


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


def _profile_page(request: HttpRequest, form: FirmProfileForm, firm: Firm | None) -> HttpResponse:
    selected_offers = form["offers"].value() or []
    selected_seeks = form["seeks"].value() or []
    return render(
        request,
        "web/firm/profile_form.html",
        {
            "form": form,
            "firm": firm,
            "offer_groups": capability_groups(selected_offers, form.capability_extras("offers")),
            "seek_groups": capability_groups(selected_seeks, form.capability_extras("seeks")),
        },
    )


@login_required
def firm_create(request: HttpRequest) -> HttpResponse:
    form = FirmProfileForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            firm = registry.firm_create(user=request.user, data=form.to_exchange())
        except ApplicationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("Your firm profile was submitted. A ministry reviewer will verify it."))
            return redirect("web:firm_dashboard", firm.pk)
    return _profile_page(request, form, None)


@login_required
def firm_edit(request: HttpRequest, firm_id: int) -> HttpResponse:
    membership = _membership(request, firm_id)
    firm = membership.firm
    if not membership.can_edit:
        messages.error(request, _("Only the firm's owners and editors can change its profile."))
        return redirect("web:firm_dashboard", firm.pk)
    form = FirmProfileForm(request.POST or None, firm=firm)
    if request.method == "POST" and form.is_valid():
        try:
            registry.firm_update(firm=firm, user=request.user, data=form.to_exchange())
        except ApplicationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("Profile saved."))
            return redirect("web:firm_dashboard", firm.pk)
    return _profile_page(request, form, firm)


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
    firm_caps = list(firm.capabilities.select_related("capability").order_by("kind", "capability__code"))
    return render(
        request,
        "web/firm/dashboard.html",
        {
            "firm": firm,
            "membership": membership,
            "proposals": rows,
            "connected": [p for p in rows if p.contacts_visible],
            "offers": [c for c in firm_caps if c.kind == "offer"],
            "seeks": [c for c in firm_caps if c.kind == "seek"],
        },
    )


@login_required
def proposal_detail(request: HttpRequest, firm_id: int, pk: int) -> HttpResponse:
    membership = _membership(request, firm_id)
    proposal = _firm_proposal(request, membership.firm, pk)
    return render(request, "web/firm/proposal.html", _proposal_context(request, membership, proposal))


def _proposal_context(request, membership: Membership, proposal) -> dict:
    firm = membership.firm
    other = proposal.partner if proposal.ukrainian_id == firm.pk else proposal.ukrainian
    accepted_at = proposal.ukrainian_accepted_at if proposal.ukrainian_id == firm.pk else proposal.partner_accepted_at
    return {
        "firm": firm,
        "membership": membership,
        "proposal": proposal,
        "other": other,
        "we_accepted": accepted_at is not None,
        "can_answer": membership.can_edit and proposal.status == "approved" and accepted_at is None,
        "contacts_visible": proposals.proposal_contacts_visible(
            proposal=proposal, user=request.user, firm_roles={firm.pk: membership.role}
        ),
        "events": proposals.proposal_event_list(proposal=proposal, user=request.user),
    }


@login_required
def proposal_accept(request: HttpRequest, firm_id: int, pk: int) -> HttpResponse:
    """GET: the confirmation step. POST: accept on behalf of this firm."""
    membership = _membership(request, firm_id)
    proposal = _firm_proposal(request, membership.firm, pk)
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
    """GET: the confirmation step with a reason. POST: decline on behalf of this firm."""
    membership = _membership(request, firm_id)
    proposal = _firm_proposal(request, membership.firm, pk)
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


@login_required
def notifications(request: HttpRequest) -> HttpResponse:
    rows = list(proposals.notification_list(user=request.user)[:100])
    return render(request, "web/notifications.html", {"notifications": rows})


@login_required
@require_POST
def notification_read(request: HttpRequest, pk: int) -> HttpResponse:
    notification = get_object_or_404(proposals.notification_list(user=request.user), pk=pk)
    notification_mark_read(notification=notification)
    if request.headers.get("HX-Request"):
        return render(request, "web/partials/notification.html", {"n": notification})
    return redirect("web:notifications")


@login_required
@require_POST
def notification_read_all(request: HttpRequest) -> HttpResponse:
    notifications_mark_all_read(user=request.user)
    return redirect("web:notifications")
