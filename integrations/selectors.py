"""Reads of webhook endpoints and their delivery log; who may manage a firm's webhooks."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.http import Http404

from accounts.selectors import firm_for_member_management, user_manages_firm
from integrations.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from registry.models import Firm

if TYPE_CHECKING:
    from accounts.models import User


def firm_for_webhooks(*, firm_id: int, user: User) -> tuple[Firm, bool]:
    """The firm and whether `user` manages its webhooks (its owners and administrators).

    Outsiders get 404 (as for members and invitations); members who are not owners may not manage them.
    """
    firm = firm_for_member_management(firm_id=firm_id, user=user)
    return firm, user_manages_firm(firm=firm, user=user)


def webhook_endpoint_list(*, firm: Firm) -> QuerySet[WebhookEndpoint]:
    return WebhookEndpoint.objects.filter(firm=firm).order_by("id")


def webhook_endpoint_get(*, firm: Firm, endpoint_id: int) -> WebhookEndpoint:
    endpoint = WebhookEndpoint.objects.filter(firm=firm, pk=endpoint_id).first()
    if endpoint is None:
        raise Http404
    return endpoint


def webhook_delivery_list(*, endpoint: WebhookEndpoint) -> QuerySet[WebhookDelivery]:
    return WebhookDelivery.objects.filter(endpoint=endpoint).order_by("-created_at", "-id")


def webhook_delivery_get(*, endpoint: WebhookEndpoint, delivery_id: int) -> WebhookDelivery:
    delivery = WebhookDelivery.objects.filter(endpoint=endpoint, pk=delivery_id).first()
    if delivery is None:
        raise Http404
    return delivery


def webhook_delivery_of_firm(*, firm: Firm, delivery_id: int) -> WebhookDelivery:
    delivery = WebhookDelivery.objects.filter(endpoint__firm=firm, pk=delivery_id).select_related("endpoint").first()
    if delivery is None:
        raise Http404
    return delivery


def webhook_attempt_list(*, delivery_ids: list[int]) -> dict[int, list[WebhookAttempt]]:
    """{delivery_id: attempts, newest first} for a page of deliveries, in one query."""
    result: dict[int, list[WebhookAttempt]] = {pk: [] for pk in delivery_ids}
    for attempt in WebhookAttempt.objects.filter(delivery_id__in=delivery_ids).order_by("-started_at", "-id"):
        result[attempt.delivery_id].append(attempt)
    return result
