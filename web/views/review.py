"""The reviewer workspace: proposal queue, proposal page, bulk decisions, firm verification, the list of
every firm, match runs, and the downloads (CSV and XLSX) of the queue, the firm list and the dashboard."""

from collections.abc import Callable
from functools import partial, wraps
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from core.errors import ApplicationError
from core.exports import FILE_TYPES, XLSX_MAX_ROWS, Export, attachment
from core.i18n import language_code
from directory import selectors as firm_directory
from directory.completeness import firms_completeness
from directory.services import reviewer_firms_export
from matching.models import MatchRun, Proposal
from matching.services.allocation import allocation_get, allocation_summary
from matching.services.allocation import run_allocation_export as run_allocation_export_build
from matching.services.runs import match_run_list, match_run_start
from registry import services as registry
from registry.models import Firm
from registry.selectors import firm_identity_changes, firm_revision_list, firm_screening_visible_to
from review import selectors as proposals
from review.services import workflow as review
from review.services.exports import proposal_queue_export, review_dashboard_export
from web import selectors
from web.charts import hbars
from web.domains import component_label, domain_label
from web.forms import BulkDecisionForm, CapacityOverrideForm, DateRangeForm, DecisionForm, QueueFilter, queue_filter

PAGE_SIZE = 50
COUNT_CAP = 10_000


class CappedPaginator(Paginator):
    """Counts at most COUNT_CAP + 1 rows: an exact total of a broad filter over 100,000 proposals
    costs a full scan on every page load, and nobody pages past 200 pages; they narrow the filter."""

    def __init__(self, object_list, per_page, *, rows=None):
        super().__init__(object_list, per_page)
        self.rows = rows  # ids queryset -> that page's rows (see `page`)

    @cached_property
    def count(self) -> int:
        return self.object_list[: COUNT_CAP + 1].count()

    @property
    def capped(self) -> bool:
        return self.count > COUNT_CAP

    def page(self, number):
        # Pick the page's ids first, then load those rows: the ids come from a narrow index-only
        # scan, filtered, sorted and offset there, so the wide rows (reasons, components, flags)
        # are read for the 50 shown instead of for every proposal that passes the filters. Still
        # one query: the ids are a sliced subquery, and `rows` loads them in the queue's order.
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        if self.rows is None:
            return self._get_page(self.object_list[bottom:top], number, self)
        return self._get_page(self.rows(ids=self.object_list.values("pk")[bottom:top]), number, self)


def reviewer_required(view):
    """Anonymous people go to the log-in page; signed-in non-reviewers get 403."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.can_review:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def _queue_filters(params: QueryDict) -> tuple[QueueFilter, dict]:
    """The queue's filter (`web.forms.queue_filter`: the API's `ProposalFilter`) and the parameters to
    keep in links (page and download alike: the download is of exactly what the page shows)."""
    domains, country_codes = selectors.queue_filter_choices()
    params = params.copy()
    if "status" not in params:
        params["status"] = "proposed"  # what a reviewer opens the page for
    bound = queue_filter(params, domains=domains, country_codes=country_codes)
    keep = {k: v for k, v in params.items() if k not in ("page", "file") and v}
    return bound, keep


def _queue_proposals(bound: QueueFilter):
    """The filtered, sorted queue; with a bad filter (named on the form), the proposals waiting for review."""
    if bound.is_valid():
        chosen, sort = bound.qs, bound.form.cleaned_data.get("sort") or "-score"
    else:
        chosen, sort = Proposal.objects.filter(status=Proposal.Status.PROPOSED), "-score"
    return selectors.review_queue_sorted(proposals=chosen, sort=sort), sort


@reviewer_required
def queue(request: HttpRequest) -> HttpResponse:
    return _queue_page(request, request.GET)


def _queue_page(
    request: HttpRequest, params: QueryDict, *, bulk_form: BulkDecisionForm | None = None, status: int = 200
) -> HttpResponse:
    """The queue filtered by `params`; `bulk_form` is a refused bulk decision, shown with its note,
    its ticked proposals and the errors beside the note."""
    bound, keep = _queue_filters(params)
    qs, sort = _queue_proposals(bound)
    form = bound.form
    rows = partial(selectors.review_queue_rows, sort=sort)
    page = CappedPaginator(qs, PAGE_SIZE, rows=rows).get_page(params.get("page"))
    selected = set(bulk_form.data.getlist("proposal_ids")) if bulk_form is not None else set()
    return render(
        request,
        "web/review/queue.html",
        {
            "form": form,
            "page": page,
            "query": urlencode(keep),
            "bulk_form": bulk_form or BulkDecisionForm(),
            "selected_ids": selected,
            "xlsx_max_rows": XLSX_MAX_ROWS,
        },
        status=status,
    )


def _filter_errors(bound) -> HttpResponse:
    """A download with a bad filter: a 400 naming each parameter (and its label on the page) and the
    rule, instead of a file of other rows than the page would show."""
    lines = []
    for name, errors in bound.errors.items():
        field = bound.form.fields.get(name)
        label = f"{field.label} ({name})" if field is not None and field.label else name
        lines.append(f"{label}: {' '.join(errors)}")
    return HttpResponseBadRequest("\n".join(lines), content_type="text/plain; charset=utf-8")


def _export_file(request: HttpRequest) -> str | None:
    file = request.GET.get("file", "")
    return file if file in FILE_TYPES else None


def _bad_export_file() -> HttpResponse:
    return HttpResponseBadRequest(_("Choose a CSV or an XLSX file."), content_type="text/plain; charset=utf-8")


def _download(build: Callable[[], Export]) -> HttpResponse:
    """The export as an attachment, or what the service refused (an XLSX file too long) as plain text."""
    try:
        return attachment(build())
    except ApplicationError as error:
        return HttpResponseBadRequest(error.message, content_type="text/plain; charset=utf-8")


@reviewer_required
@require_GET
def queue_export(request: HttpRequest) -> HttpResponse:
    """The queue with the page's filters and sort, every page of it, as CSV or XLSX."""
    file = _export_file(request)
    if file is None:
        return _bad_export_file()
    bound, _keep = _queue_filters(request.GET)
    if not bound.is_valid():
        # The page falls back to the waiting proposals (and names the bad filter); a download must
        # not: it would be a file of every waiting proposal under a filter the reviewer asked for.
        return _filter_errors(bound)
    qs, _sort = _queue_proposals(bound)
    return _download(
        lambda: proposal_queue_export(user=request.user, proposals=qs, file=file, language=language_code())
    )


@reviewer_required
@require_POST
def bulk(request: HttpRequest) -> HttpResponse:
    form = BulkDecisionForm(request.POST)
    # Back to the same filtered page of the queue (only ever our own path: no open redirect).
    query = request.POST.get("query", "")
    target = reverse("web:review_queue") + (f"?{query}" if query else "")
    if "note" in form.errors:
        return _queue_page(request, QueryDict(query), bulk_form=form, status=400)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(target)
    action = form.cleaned_data["action"]
    note = form.cleaned_data["note"]
    try:
        results = review.proposal_bulk_review(
            reviewer=request.user,
            action=action,
            ids=form.cleaned_data["proposal_ids"],
            note=note if action == "approve" else "",
            reason=note if action == "reject" else "",
        )
    except ApplicationError as error:
        if error.fields:  # a missing or bad reason: beside the note, with what was typed and ticked
            form.add_service_errors(error)
            return _queue_page(request, QueryDict(query), bulk_form=form, status=400)
        messages.error(request, _("Nothing was changed: %(reason)s") % {"reason": error.message})
        return redirect(target)
    done = sum(1 for r in results if r["ok"])
    failed = [r for r in results if not r["ok"]]
    if done:
        text = (
            ngettext("%(n)d proposal approved.", "%(n)d proposals approved.", done)
            if action == "approve"
            else ngettext("%(n)d proposal rejected.", "%(n)d proposals rejected.", done)
        )
        messages.success(request, text % {"n": done})
    for r in failed:
        messages.warning(request, _("Proposal #%(id)s: %(reason)s") % {"id": r["id"], "reason": r["error"]["message"]})
    return redirect(target)


@reviewer_required
def proposal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _proposal_page(request, proposals.proposal_get(user=request.user, pk=pk), None)


def _proposal_page(request: HttpRequest, proposal, form: DecisionForm | None, *, status: int = 200) -> HttpResponse:
    components = sorted((proposal.components or {}).items())
    chart = hbars(
        [(component_label(name), float(value)) for name, value in components],
        title=_("Score components"),
        decimals=2,
        max_value=1.0,
    )
    return render(
        request,
        "web/review/proposal.html",
        {
            "proposal": proposal,
            "chart": chart,
            "form": form or DecisionForm(note_help=_("Optional for an approval; the reason is required to reject.")),
            "events": proposals.proposal_event_list(proposal=proposal, user=request.user),
            "shared_members": proposals.proposal_shared_members(proposal=proposal),
        },
        status=status,
    )


@reviewer_required
@require_POST
def proposal_decide(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = proposals.proposal_get(user=request.user, pk=pk)
    action = request.POST.get("action")
    form = DecisionForm(request.POST, note_required=action == "reject")
    if action not in ("approve", "reject"):
        form.add_error(None, _("Choose approve or reject."))
        return _proposal_page(request, proposal, form, status=400)
    # As the bulk form: a field error (a reject needs a reason) re-renders with it beside the note and
    # a 400, nothing changed; a decision the proposal's state refuses is told above the form.
    status = 400
    if form.is_valid():
        note = form.cleaned_data["note"]
        try:
            if action == "approve":
                review.proposal_approve(proposal=proposal, reviewer=request.user, note=note)
                messages.success(request, _("Proposal approved: both firms are told."))
            else:
                review.proposal_reject(proposal=proposal, reviewer=request.user, reason=note)
                messages.success(request, _("Proposal rejected."))
        except ApplicationError as error:
            form.add_service_errors(error)
            # A refused field is a 400; a decision the state refuses keeps the service's status (409):
            # a 200 would read as success to anyone scripting the page.
            status = 400 if error.fields else error.status
        else:
            return redirect("web:review_proposal", pk)
    return _proposal_page(request, proposal, form, status=status)


@reviewer_required
def firm_queue(request: HttpRequest) -> HttpResponse:
    firms = list(selectors.firms_awaiting_verification()[:200])
    identity_changes = firm_identity_changes(firm_ids=[f.pk for f in firms])
    completeness = firms_completeness(firms=firms)
    for f in firms:
        f.identity_changes = identity_changes.get(f.pk, [])
        f.completeness, f.completeness_hints = completeness[f.pk]
    screening_visible = firm_screening_visible_to(user=request.user)
    return render(request, "web/review/firms.html", {"firms": firms, "screening_visible": screening_visible})


def _firm_list_filter(request: HttpRequest):
    """The reviewers' firm list filter (`directory.filters.ReviewerFirmFilter`, as in the API) and
    the parameters to keep in links."""
    bound = firm_directory.reviewer_firm_filter(params=request.GET)
    keep = {k: v for k, v in request.GET.items() if k not in ("page", "file") and v}
    return bound, keep


@reviewer_required
def firm_list(request: HttpRequest) -> HttpResponse:
    """Every firm, any status: search by name, EDRPOU, LEI or ref, filters, 50 a page."""
    bound, keep = _firm_list_filter(request)
    firms = bound.qs if bound.is_valid() else bound.queryset.none()
    page = Paginator(firms, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = firm_directory.reviewer_firm_page(firms=page.object_list)
    context = {
        "form": bound.form,
        "page": page,
        "query": urlencode(keep),
        "screening_visible": firm_screening_visible_to(user=request.user),
        "xlsx_max_rows": XLSX_MAX_ROWS,
    }
    return render(request, "web/review/firm_list.html", context, status=200 if bound.is_valid() else 400)


@reviewer_required
@require_GET
def firm_list_export(request: HttpRequest) -> HttpResponse:
    """The firm list with the page's filters, every page of it, as CSV or XLSX."""
    file = _export_file(request)
    if file is None:
        return _bad_export_file()
    bound, _keep = _firm_list_filter(request)
    if not bound.is_valid():
        return HttpResponseBadRequest(
            "\n".join(f"{name}: {' '.join(errors)}" for name, errors in bound.errors.items()),
            content_type="text/plain; charset=utf-8",
        )
    return _download(
        lambda: reviewer_firms_export(user=request.user, firms=bound.qs, file=file, language=language_code())
    )


@reviewer_required
@require_GET
def dashboard_export(request: HttpRequest) -> HttpResponse:
    """The dashboard's figures (the same cached numbers the page draws) as CSV or XLSX."""
    file = _export_file(request)
    if file is None:
        return _bad_export_file()
    dates = DateRangeForm(request.GET)  # the page's date range, when it has one
    if not dates.is_valid():
        return HttpResponseBadRequest(
            "\n".join(f"{dates[name].label}: {' '.join(errors)}" for name, errors in dates.errors.items()),
            content_type="text/plain; charset=utf-8",
        )
    numbers = selectors.dashboard_numbers(**{k: v for k, v in dates.cleaned_data.items() if v})
    return _download(
        lambda: review_dashboard_export(
            user=request.user, numbers=numbers, file=file, domain_label=domain_label, language=language_code()
        )
    )


@reviewer_required
def firm_detail(request: HttpRequest, pk: int) -> HttpResponse:
    firm = get_object_or_404(Firm.objects.prefetch_related("capabilities__capability", "beneficial_owners"), pk=pk)
    return _firm_page(
        request, firm, capacity_form=CapacityOverrideForm(initial={"value": firm.intro_capacity_override})
    )


FIRM_HISTORY_ROWS = 20  # the latest changes; the whole history is in the API (GET /api/v1/firms/{id}/history/)


def _firm_page(request: HttpRequest, firm: Firm, *, capacity_form: CapacityOverrideForm, status: int = 200):
    context = {
        "firm": firm,
        "form": DecisionForm(),
        "screening_visible": firm_screening_visible_to(user=request.user),
        "capacity": selectors.firm_capacity_summary(firm=firm),
        "capacity_form": capacity_form,
        "revisions": list(firm_revision_list(firm=firm)[:FIRM_HISTORY_ROWS]),
    }
    return render(request, "web/review/firm.html", context, status=status)


@reviewer_required
@require_POST
def firm_capacity_override(request: HttpRequest, pk: int) -> HttpResponse:
    firm = get_object_or_404(Firm, pk=pk)
    form = CapacityOverrideForm(request.POST)
    if form.is_valid():
        try:
            registry.firm_intro_capacity_override_set(
                firm=firm, reviewer=request.user, value=form.cleaned_data["value"]
            )
        except ApplicationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("The capacity override of %(name)s is saved.") % {"name": firm.name})
            return redirect("web:review_firm", firm.pk)
    firm = get_object_or_404(Firm.objects.prefetch_related("capabilities__capability", "beneficial_owners"), pk=pk)
    return _firm_page(request, firm, capacity_form=form, status=400)


@reviewer_required
@require_POST
def firm_status(request: HttpRequest, pk: int) -> HttpResponse:
    firm = get_object_or_404(Firm, pk=pk)
    action = request.POST.get("action")
    note = request.POST.get("note", "").strip()
    note_form = DecisionForm(request.POST)  # the note's shape (free-text rules, at most 2000 characters)
    if note and not note_form.is_valid():
        for message in note_form.errors.get("note", []):
            messages.error(request, _("Note: %(problem)s") % {"problem": message})
        return redirect("web:review_firm", firm.pk)
    try:
        if action == "verify":
            registry.firm_verify(firm=firm, reviewer=request.user, note=note)  # kept in the firm's history
            messages.success(request, _("%(name)s is verified and takes part in matching.") % {"name": firm.name})
        elif action == "suspend":
            registry.firm_suspend(firm=firm, reviewer=request.user, reason=note)
            messages.success(request, _("%(name)s is suspended.") % {"name": firm.name})
        else:
            messages.error(request, _("Choose verify or suspend."))
    except ApplicationError as error:
        messages.error(request, error.message)
    return redirect("web:review_firm", firm.pk) if request.POST.get("back") == "firm" else redirect("web:review_firms")


@reviewer_required
def run_list(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        try:
            run = match_run_start(user=request.user)
        except ApplicationError as error:
            messages.error(request, error.message)
            return redirect("web:review_runs")
        messages.success(request, _("Match run #%(id)s started.") % {"id": run.pk})
        return redirect("web:review_run", run.pk)
    runs = list(match_run_list()[:30])
    return render(request, "web/review/runs.html", {"runs": runs})


@reviewer_required
def run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    run = get_object_or_404(match_run_list(), pk=pk)
    kept = allocation_get(run=run) if run.status == MatchRun.Status.SUCCEEDED else None
    summary = allocation_summary(allocation=kept) if kept is not None else None
    return render(request, "web/review/run.html", {"run": run, "allocation": summary})


@reviewer_required
@require_GET
def run_allocation_export(request: HttpRequest, pk: int) -> HttpResponse:
    """Every pair the run's allocation weighed, proposed or turned away by capacity, as CSV or XLSX."""
    file = _export_file(request)
    if file is None:
        return _bad_export_file()
    run = get_object_or_404(MatchRun, pk=pk)
    try:
        export = run_allocation_export_build(user=request.user, run=run, file=file, language=language_code())
    except ApplicationError as error:
        return HttpResponseBadRequest(error.message, content_type="text/plain; charset=utf-8")
    if export is None:
        raise Http404(_("This run keeps no allocation: only the latest full runs do."))
    return attachment(export)


@reviewer_required
def run_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress fragment htmx polls every second; it stops polling once the run is finished."""
    run = get_object_or_404(MatchRun, pk=pk)
    return render(request, "web/review/partials/run_progress.html", {"run": run})
