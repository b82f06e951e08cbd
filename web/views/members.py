"""A firm's members page (owners invite and withdraw invitations there) and the invitation link."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import selectors as accounts
from accounts import services
from accounts.models import Membership
from core.errors import ApplicationError
from web.forms import InvitationForm


def _membership(request: HttpRequest, firm_id: int) -> Membership:
    """The user's membership of the firm; 404 for everyone else, as on the other firm pages."""
    membership = Membership.objects.filter(user=request.user, firm_id=firm_id).select_related("firm").first()
    if membership is None:
        raise Http404
    return membership


def _members_page(request: HttpRequest, membership: Membership, form: InvitationForm, status: int = 200):
    firm = membership.firm
    manages = accounts.user_manages_firm(firm=firm, user=request.user)
    context = {
        "firm": firm,
        "membership": membership,
        "members": accounts.membership_list(firm=firm),
        "show_emails": accounts.member_emails_visible(firm=firm, user=request.user),
        "manages": manages,
        "invitations": accounts.invitation_list_open(firm=firm, user=request.user) if manages else [],
        "form": form,
        "roles": Membership.Role.choices,
    }
    return render(request, "web/members/list.html", context, status=status)


@login_required
def firm_members(request: HttpRequest, firm_id: int) -> HttpResponse:
    """Everyone in the firm sees who is in it; owners also invite people by email here."""
    membership = _membership(request, firm_id)
    form = InvitationForm(request.POST or None)
    if request.method == "POST":
        if not accounts.user_manages_firm(firm=membership.firm, user=request.user):
            raise PermissionDenied
        if form.is_valid():
            try:
                invitation = services.invitation_create(firm=membership.firm, actor=request.user, **form.cleaned_data)
            except ApplicationError as error:
                form.add_service_errors(error)
            else:
                messages.success(request, _("An invitation was sent to %(email)s.") % {"email": invitation.email})
                return redirect("web:firm_members", firm_id)
        return _members_page(request, membership, form, status=400)
    return _members_page(request, membership, form)


@login_required
@require_POST
def invitation_revoke(request: HttpRequest, firm_id: int, pk: int) -> HttpResponse:
    membership = _membership(request, firm_id)
    try:
        services.invitation_revoke(firm=membership.firm, invitation_id=pk, actor=request.user)
    except ApplicationError as error:
        if error.status == 403:
            raise PermissionDenied from error
        raise
    messages.success(request, _("The invitation was withdrawn; its link no longer works."))
    return redirect("web:firm_members", firm_id)


def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    """The emailed link: asks to log in or sign up first (and comes back), then to accept."""
    invitation = accounts.invitation_for_token(token=token)
    if invitation is None:
        return render(request, "web/members/invitation.html", {"invitation": None}, status=404)
    here = reverse("web:invitation_accept", kwargs={"token": token})
    context = {
        "invitation": invitation,
        "role": Membership.Role(invitation.role).label,
        "next_query": urlencode({"next": here}),
    }
    if request.user.is_authenticated:
        try:  # someone else's account: said before any button, and the invitation stays open
            services.invitation_require_addressee(invitation=invitation, user=request.user)
        except ApplicationError as error:
            # Their own address, not confirmed yet: a way to have the link sent again, then come back here.
            unconfirmed = error.code == "email_not_confirmed"
            context |= {"error": error.message, "other_address": not unconfirmed, "unconfirmed": unconfirmed}
            status = error.status if request.method == "POST" else 200
            return render(request, "web/members/invitation.html", context, status=status)
    if request.method == "POST" and request.user.is_authenticated:
        try:
            membership = services.invitation_accept(token=token, user=request.user)
        except ApplicationError as error:
            context["error"] = error.message
            return render(request, "web/members/invitation.html", context, status=error.status)
        messages.success(request, _("You joined %(firm)s.") % {"firm": membership.firm.name})
        return redirect("web:firm_dashboard", membership.firm_id)
    if request.method == "POST":
        return redirect(f"{reverse('web:login')}?{context['next_query']}")
    return render(request, "web/members/invitation.html", context)


def _member_change(request: HttpRequest, firm_id: int, pk: int, change) -> HttpResponse:
    """Apply `change(target)` to a member of the user's firm; a refused change is said on the page."""
    membership = _membership(request, firm_id)
    target = accounts.membership_get(firm=membership.firm, membership_id=pk)
    try:
        text = change(target)
    except ApplicationError as error:
        if error.status == 403:
            raise PermissionDenied from error
        messages.error(request, f"{_('Role')}: {error.message}")
        return redirect("web:firm_members", firm_id)
    messages.success(request, text)
    if target.user_id == request.user.pk and not Membership.objects.filter(pk=membership.pk).exists():
        return redirect("web:home")  # they left the firm
    return redirect("web:firm_members", firm_id)


@login_required
@require_POST
def member_role(request: HttpRequest, firm_id: int, pk: int) -> HttpResponse:
    """An owner sets a member's role (the last owner stays an owner)."""

    def change(target: Membership) -> str:
        updated = services.membership_change_role(
            membership=target, actor=request.user, role=request.POST.get("role", "")
        )
        return _("%(user)s is now %(role)s.") % {"user": target.user.get_username(), "role": updated.get_role_display()}

    return _member_change(request, firm_id, pk, change)


@login_required
@require_POST
def member_remove(request: HttpRequest, firm_id: int, pk: int) -> HttpResponse:
    """An owner removes a member, or a member leaves (never the last owner)."""

    def change(target: Membership) -> str:
        services.membership_remove(membership=target, actor=request.user)
        return _("%(user)s no longer belongs to %(firm)s.") % {
            "user": target.user.get_username(),
            "firm": target.firm.name,
        }

    return _member_change(request, firm_id, pk, change)
