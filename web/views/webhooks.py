"""A firm's webhooks page: its owners register endpoints, rotate secrets, read the delivery log and re-send.

Members who are not owners get 403 and everyone else 404, as on the other firm pages. A new or
rotated secret is shown once, on the page that answers the form (never kept in a message cookie).
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.errors import ApplicationError
from integrations import selectors
from integrations.models import EVENT_TYPES, WebhookEndpoint
from integrations.services import webhooks
from web.forms import FreeTextRulesMixin, add_service_errors
from web.views.access import owner_firm

EVENT_LABELS = {
    "proposal.approved": gettext_lazy("A proposal was approved by the ministry"),
    "proposal.accepted": gettext_lazy("A firm accepted a proposal"),
    "proposal.connected": gettext_lazy("Both firms accepted: contacts shared"),
    "proposal.declined": gettext_lazy("A proposal was declined"),
    "proposal.expired": gettext_lazy("A proposal expired unanswered"),
    "proposal.outcome_recorded": gettext_lazy("An outcome was recorded"),
    "firm.verified": gettext_lazy("Your firm was verified"),
    "firm.suspended": gettext_lazy("Your firm was suspended"),
    "notification.created": gettext_lazy("A notification for your firm"),
    "event.agenda_published": gettext_lazy("An event's agenda was published"),
}


class WebhookEndpointForm(FreeTextRulesMixin, forms.Form):
    url = forms.URLField(label=gettext_lazy("Address (https://)"), max_length=500, assume_scheme="https")
    description = forms.CharField(label=gettext_lazy("Description"), max_length=200, required=False)
    event_types = forms.MultipleChoiceField(
        label=gettext_lazy("Events to send"),
        choices=[(t, format_lazy("{}: {}", t, EVENT_LABELS[t])) for t in EVENT_TYPES],  # lazy: read per request
        widget=forms.CheckboxSelectMultiple,
    )

    def add_service_errors(self, error: ApplicationError) -> None:
        add_service_errors(self, error)


def _endpoint(request: HttpRequest, firm_id: int, pk: int) -> WebhookEndpoint:
    return selectors.webhook_endpoint_get(firm=owner_firm(request, firm_id), endpoint_id=pk)


@login_required
def firm_webhooks(request: HttpRequest, firm_id: int) -> HttpResponse:
    firm = owner_firm(request, firm_id)
    form = WebhookEndpointForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                endpoint = webhooks.webhook_endpoint_create(firm=firm, user=request.user, **form.cleaned_data)
            except ApplicationError as error:
                form.add_service_errors(error)
            else:
                return _detail_page(request, endpoint, new_secret=endpoint.secret)
        status = 400
    context = {"firm": firm, "endpoints": selectors.webhook_endpoint_list(firm=firm), "form": form}
    return render(request, "web/webhooks/list.html", context, status=status)


def _detail_page(request: HttpRequest, endpoint: WebhookEndpoint, *, new_secret: str = "") -> HttpResponse:
    page = Paginator(selectors.webhook_delivery_list(endpoint=endpoint), 25).get_page(request.GET.get("page"))
    attempts = selectors.webhook_attempt_list(delivery_ids=[d.pk for d in page])
    for delivery in page:
        delivery.log = attempts[delivery.pk]
    labels = [EVENT_LABELS[t] for t in endpoint.event_types if t in EVENT_LABELS]
    context = {"firm": endpoint.firm, "endpoint": endpoint, "page": page, "labels": labels, "new_secret": new_secret}
    return render(request, "web/webhooks/detail.html", context)


@login_required
def webhook_detail(request: HttpRequest, firm_id: int, pk: int) -> HttpResponse:
    return _detail_page(request, _endpoint(request, firm_id, pk))


@login_required
@require_POST
def webhook_rotate(request: HttpRequest, firm_id: int, pk: int) -> HttpResponse:
    endpoint = webhooks.webhook_endpoint_rotate_secret(endpoint=_endpoint(request, firm_id, pk), overlap_hours=24)
    return _detail_page(request, endpoint, new_secret=endpoint.secret)


def _switch(request: HttpRequest, firm_id: int, pk: int, *, on: bool) -> HttpResponse:
    webhooks.webhook_endpoint_update(endpoint=_endpoint(request, firm_id, pk), data={"is_active": on})
    messages.success(request, _("The endpoint is on.") if on else _("The endpoint is off."))
    return redirect("web:firm_webhook", firm_id, pk)


@login_required
@require_POST
def webhook_enable(request: HttpRequest, firm_id: int, pk: int) -> HttpResponse:
    return _switch(request, firm_id, pk, on=True)


@login_required
@require_POST
def webhook_disable(request: HttpRequest, firm_id: int, pk: int) -> HttpResponse:
    return _switch(request, firm_id, pk, on=False)


@login_required
@require_POST
def webhook_delete(request: HttpRequest, firm_id: int, pk: int) -> HttpResponse:
    webhooks.webhook_endpoint_delete(endpoint=_endpoint(request, firm_id, pk))
    messages.success(request, _("The endpoint and its delivery log were deleted."))
    return redirect("web:firm_webhooks", firm_id)


@login_required
@require_POST
def webhook_resend(request: HttpRequest, firm_id: int, pk: int) -> HttpResponse:
    firm = owner_firm(request, firm_id)
    delivery = selectors.webhook_delivery_of_firm(firm=firm, delivery_id=pk)
    try:
        webhooks.webhook_delivery_resend(delivery=delivery)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The message is being sent again, with the same webhook-id."))
    return redirect("web:firm_webhook", firm_id, delivery.endpoint_id)
