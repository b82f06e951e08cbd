"""Links that outlive the page they point at: one address per proposal for every email and notification."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect

from accounts.models import Membership
from matching.models import Proposal


@login_required
def proposal_open(request: HttpRequest, pk: int) -> HttpResponse:
    """The proposal's page for this person: their firm's view of it, else the reviewers' (404 for
    anyone else). The page itself decides what they may see."""
    proposal = get_object_or_404(Proposal.objects.only("pk", "ukrainian_id", "partner_id"), pk=pk)
    firm_id = (
        Membership.objects.filter(user=request.user, firm_id__in=[proposal.ukrainian_id, proposal.partner_id])
        .order_by("pk")
        .values_list("firm_id", flat=True)
        .first()
    )
    if firm_id is not None:
        return redirect("web:firm_proposal", firm_id, pk)
    if request.user.can_review:
        return redirect("web:review_proposal", pk)
    raise Http404
