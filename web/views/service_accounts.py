"""A firm's service accounts page: its owners create an integration's scoped API token, see the
accounts in use (never a secret again), rotate their tokens (the old one works on for the overlap,
SERVICE_ACCOUNT_TOKEN_OVERLAP_HOURS) and revoke them.

Members who are not owners get 403 and everyone else 404, as on the webhooks page. A new token's
secret is shown once, on the page that answers the form (never kept in a message cookie).
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts import selectors, services
from core.errors import ApplicationError
from core.permissions import TokenScope
from web.forms import FreeTextRulesMixin, add_service_errors
from web.views.access import owner_firm


class ServiceAccountForm(FreeTextRulesMixin, forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=100, help_text=gettext_lazy("e.g. ERP integration"))
    scopes = forms.MultipleChoiceField(
        label=gettext_lazy("What the token may do"),
        choices=[(scope.value, format_lazy("{}: {}", scope.value, scope.label)) for scope in TokenScope],
        widget=forms.CheckboxSelectMultiple,
    )

    def add_service_errors(self, error: ApplicationError) -> None:
        add_service_errors(self, error)


def _page(request: HttpRequest, firm, form: ServiceAccountForm, *, status: int = 200, created=None, secret: str = ""):
    accounts = list(selectors.service_account_list(firm=firm, user=request.user))
    for account in accounts:
        tokens = selectors.service_account_tokens(account=account)
        account.current_token = tokens[0] if tokens else None
        account.previous_token = tokens[1] if len(tokens) > 1 else None
    context = {
        "firm": firm,
        "accounts": accounts,
        "overlap_hours": settings.SERVICE_ACCOUNT_TOKEN_OVERLAP_HOURS,
        "form": form,
        "created": created,
        "secret": secret,
    }
    return render(request, "web/service_accounts/list.html", context, status=status)


@login_required
def firm_service_accounts(request: HttpRequest, firm_id: int) -> HttpResponse:
    firm = owner_firm(request, firm_id)
    form = ServiceAccountForm(request.POST or None)
    if request.method != "POST":
        return _page(request, firm, form)
    if form.is_valid():
        try:
            account, secret = services.service_account_create(firm=firm, actor=request.user, **form.cleaned_data)
        except ApplicationError as error:
            form.add_service_errors(error)
        else:
            return _page(request, firm, ServiceAccountForm(), created=account, secret=secret)
    return _page(request, firm, form, status=400)


@login_required
@require_POST
def service_account_revoke(request: HttpRequest, firm_id: int, pk: int) -> HttpResponse:
    firm = owner_firm(request, firm_id)
    try:
        services.service_account_revoke(firm=firm, actor=request.user, account_id=pk)
    except ApplicationError as error:
        if error.status == 404:
            raise Http404 from error
        raise
    messages.success(request, _("The service account is revoked: its token no longer works."))
    return redirect("web:firm_service_accounts", firm_id)


@login_required
@require_POST
def service_account_rotate(request: HttpRequest, firm_id: int, pk: int) -> HttpResponse:
    """A new token, its secret shown once on the answering page; the old one works on for the overlap."""
    firm = owner_firm(request, firm_id)
    try:
        account, secret = services.service_account_token_rotate(firm=firm, actor=request.user, account_id=pk)
    except ApplicationError as error:
        if error.status == 404:
            raise Http404 from error
        raise
    return _page(request, firm, ServiceAccountForm(), created=account, secret=secret)
