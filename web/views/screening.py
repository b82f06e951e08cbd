"""The reviewers' screening page: potential sanctions matches beside the list entries, confirmed or dismissed with a note."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from compliance import selectors as compliance
from compliance.services import screening_confirm, screening_dismiss
from core.errors import ApplicationError
from registry.models import Firm
from web.forms import DecisionForm
from web.views.review import reviewer_required

FS = Firm.ScreeningStatus
PAGE_SIZE = 25
SHOWN_STATUSES = (FS.POTENTIAL_MATCH, FS.FALSE_POSITIVE, FS.CONFIRMED_MATCH)


@reviewer_required
def screening_queue(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status") or FS.POTENTIAL_MATCH
    if status not in SHOWN_STATUSES:
        status = FS.POTENTIAL_MATCH  # an unknown filter shows the queue a reviewer opens the page for
    page = Paginator(compliance.screening_review_firms(status=status), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "status": status,
        "statuses": [(value, FS(value).label) for value in SHOWN_STATUSES],
        "page": page,
        "rows": compliance.screening_review_rows(firms=page.object_list),
    }
    return render(request, "web/review/screening.html", context)


@reviewer_required
@require_POST
def screening_decide(request: HttpRequest, pk: int) -> HttpResponse:
    firm = get_object_or_404(Firm, pk=pk)
    action = request.POST.get("action")
    form = DecisionForm(request.POST, note_required=True)
    back = reverse("web:review_screening") + f"#firm-{firm.pk}"
    if action not in ("confirm", "dismiss"):
        messages.error(request, _("Choose confirm or dismiss."))
        return redirect(back)
    if not form.is_valid():
        messages.error(
            request,
            _("%(name)s: write a note; a confirmation or a dismissal keeps its reason on record.")
            % {"name": firm.name},
        )
        return redirect(back)
    decide = screening_confirm if action == "confirm" else screening_dismiss
    try:
        decide(firm=firm, reviewer=request.user, note=form.cleaned_data["note"])
    except ApplicationError as error:
        messages.error(request, f"{firm.name}: {error.message}")
        return redirect(back)
    if action == "confirm":
        messages.success(request, _("%(name)s is confirmed as a sanctions match and suspended.") % {"name": firm.name})
    else:
        messages.success(
            request,
            _("The match of %(name)s is dismissed; it stays dismissed until the firm or the list entry changes.")
            % {"name": firm.name},
        )
    return redirect("web:review_screening")
