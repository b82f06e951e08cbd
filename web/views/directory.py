"""Directory pages: search the verified firms, read a public profile, ask for an introduction,
keep searches. Members of verified firms and reviewers only (403 for everyone else signed in)."""

from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import ApplicationError
from directory import selectors, services
from directory.completeness import firm_completeness
from directory.filters import QUERY_PARAMS, SORT_FIT
from directory.models import SavedSearch
from web.forms import FreeTextRulesMixin, add_service_errors

PAGE_SIZE = 25


class IntroductionForm(forms.Form):
    firm = forms.TypedChoiceField(label=gettext_lazy("On behalf of"), coerce=int)
    message = forms.CharField(
        label=gettext_lazy("Your message"),
        widget=forms.Textarea(attrs={"rows": 5, "maxlength": 1000}),
        help_text=gettext_lazy("20-1,000 characters: why you ask for this introduction and what you propose."),
        required=False,
    )

    def __init__(self, *args, firms=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["firm"].choices = [(f.pk, f.name) for f in firms]


class SaveSearchForm(FreeTextRulesMixin, forms.Form):
    """Shape only; `directory.services.saved_search_create` applies the rules (a filter at least, no
    second copy of a kept search). Its errors about the query are the form's own: the filters are above."""

    name = forms.CharField(label=gettext_lazy("Name of the search"), max_length=120, required=False)
    frequency = forms.ChoiceField(label=gettext_lazy("Tell me"), choices=SavedSearch.Frequency.choices)

    def add_service_errors(self, error: ApplicationError) -> None:
        add_service_errors(self, error)


def _require(request: HttpRequest) -> None:
    if not selectors.directory_allowed(user=request.user):
        raise PermissionDenied(_("The directory is open to members of verified firms and to ministry reviewers."))


def _lang() -> str:
    return "uk" if (get_language() or "").startswith("uk") else "en"


@login_required
def directory(request: HttpRequest) -> HttpResponse:
    _require(request)
    return _directory_page(request, request.GET)


def _directory_page(
    request: HttpRequest, params: QueryDict, *, save_form: SaveSearchForm | None = None, status: int = 200
) -> HttpResponse:
    """The directory searched with `params`; `save_form` is a refused "save this search", shown with
    what was typed and its errors."""
    bound = selectors.directory_filter(params=params)
    for field in bound.form.fields.values():
        field.help_text = ""  # the API's (English) parameter documentation; the labels say enough here
    firms, scores, error = [], None, None
    page = None
    if bound.is_valid():
        data = bound.form.cleaned_data
        search, sort = data.get("search") or "", data.get("sort") or "relevance"
        try:
            if sort == SORT_FIT:
                fit_firm = selectors.directory_fit_firm(user=request.user, firm_id=data.get("firm"))
                rows = selectors.directory_fit_ordered(queryset=bound.qs, firm=fit_firm, search=search)
            else:
                rows = selectors.directory_ordered(queryset=bound.qs, search=search, sort=sort)
            page = Paginator(rows, PAGE_SIZE).get_page(params.get("page"))
            scores = rows.shown if sort == SORT_FIT else None
            firms = selectors.directory_entries(firms=list(page.object_list), lang=_lang(), scores=scores)
        except ApplicationError as exc:
            error = exc.message
    query = {k: v for k, v in params.items() if k in QUERY_PARAMS and v}
    return render(
        request,
        "web/directory/list.html",
        {
            "form": bound.form,
            "firms": firms,
            "page": page,
            "error": error,
            "query": urlencode({k: v for k, v in params.items() if k != "page"}),
            "can_save": bool(query) or save_form is not None,
            "save_form": save_form or SaveSearchForm(initial={"frequency": SavedSearch.Frequency.IMMEDIATE}),
            "save_params": sorted(query.items()),
            "saved_query": urlencode(query),
        },
        status=status,
    )


@login_required
def firm_profile(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request)
    firm = selectors.directory_firm_get(pk=pk)
    entry = selectors.directory_entries(firms=[firm], lang=_lang())[0]
    requesters = selectors.firm_may_request_from(user=request.user, target=firm)
    form = IntroductionForm(request.POST or None, firms=requesters)
    if request.method == "POST" and requesters and form.is_valid():
        try:
            services.introduction_request(
                user=request.user,
                target=firm,
                message=form.cleaned_data["message"],
                firm_id=form.cleaned_data["firm"],
            )
        except ApplicationError as error:
            if error.fields:
                for name, problems in error.fields.items():
                    form.add_error(name if name in form.fields else None, problems)
            else:
                form.add_error(None, error.message)
        else:
            messages.success(
                request,
                _(
                    "Your request for an introduction was sent to the ministry's reviewers. You will be told when they decide."
                ),
            )
            return redirect("web:directory_firm", pk)
    elif request.method == "POST" and not requesters:
        raise PermissionDenied
    completeness = None
    if selectors.firm_is_own(user=request.user, firm=firm):
        completeness = firm_completeness(firm=firm)
    return render(
        request,
        "web/directory/firm.html",
        {"f": entry, "form": form if requesters else None, "completeness": completeness},
    )


@login_required
@require_POST
def search_save(request: HttpRequest) -> HttpResponse:
    _require(request)
    form = SaveSearchForm(request.POST)
    query = {k: request.POST.get(f"q_{k}", "") for k in QUERY_PARAMS if request.POST.get(f"q_{k}")}
    status = 400
    if form.is_valid():
        try:
            services.saved_search_create(
                user=request.user, query=query, name=form.cleaned_data["name"], frequency=form.cleaned_data["frequency"]
            )
        except ApplicationError as error:
            form.add_service_errors(error)
            status = error.status
        else:
            messages.success(request, _("Search saved. We will tell you when a firm starts matching it."))
            return redirect("web:directory_searches")
    # The directory with the same filters, the form with what was typed and why it was not saved.
    params = QueryDict(mutable=True)
    params.update(query)
    return _directory_page(request, params, save_form=form, status=status)


@login_required
def searches(request: HttpRequest) -> HttpResponse:
    _require(request)
    return render(
        request,
        "web/directory/searches.html",
        {"searches": [(s, urlencode(s.query)) for s in selectors.saved_search_list(user=request.user)]},
    )


@login_required
@require_POST
def search_delete(request: HttpRequest, pk: int) -> HttpResponse:
    services.saved_search_delete(search=selectors.saved_search_get(user=request.user, pk=pk))
    messages.success(request, _("Saved search deleted."))
    return redirect("web:directory_searches")
