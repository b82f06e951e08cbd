"""Webhooks: endpoints a firm's owner manages, deliveries made from domain events, and each attempt.

Deliveries follow the Standard Webhooks specification (signed by the `standardwebhooks` package):
`webhook-id` (the same on every attempt of a message), `webhook-timestamp`, `webhook-signature`
(`v1,<base64>`; two signatures during a secret rotation's overlap). A delivery row and its outbox
message are written in the transaction of the change they announce, so nothing is lost when Redis
is down; the payload is built there too, with the proposal serializer and visibility rule of the
API (`review.selectors.proposal_visible_queryset` as the receiving firm), so a firm receives
exactly what its members could read.

Retries: after a failed attempt the delivery waits `WEBHOOKS["RETRY_SCHEDULE"]` (5 s ... 20 h,
about 3 days in all); `webhooks_retry_due` (beat, every 30 s) sends those that are due. A delivery
that fails every retry disables its endpoint unless the endpoint delivered something since, and
the firm's owners are emailed.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import logging
import random
import secrets
import time
import uuid
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

import requests
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext
from standardwebhooks.webhooks import Webhook

from accounts.models import Membership
from core.errors import ApplicationError, ConflictError
from core.outbox import outbox_enqueue
from core.text import text_problem
from integrations.models import EVENT_TYPES, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from integrations.ssrf import webhook_url_check
from matching.models import Notification, Proposal
from registry.api.serializers import FirmSerializer
from registry.exchange import firm_capabilities_prefetch, firm_platforms_prefetch
from registry.models import Firm
from review.api.proposals import ProposalSerializer
from review.selectors import proposal_visible_queryset

if TYPE_CHECKING:
    from accounts.models import User
    from matching.models import ProposalEvent

log = logging.getLogger(__name__)

DELIVER_TASK = "integrations.tasks.webhook_deliver_task"
DISABLED_EMAIL_TASK = "integrations.tasks.webhook_disabled_email_task"
MAX_ENDPOINTS_PER_FIRM = 10
S = Proposal.Status
D = WebhookDelivery.Status


def _setting(name: str, default: Any) -> Any:
    return getattr(settings, "WEBHOOKS", {}).get(name, default)


def retry_schedule() -> list[float]:
    """Seconds to wait after the 1st, 2nd, ... failed attempt; its length is the number of retries."""
    return list(_setting("RETRY_SCHEDULE", [5, 300, 1800, 7200, 18000, 36000, 50400, 72000, 72000]))


def secret_generate() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


# --- Endpoints (the firm's owners) ---------------------------------------------------------------


def _clean_event_types(value: Any) -> list[str]:
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        message = gettext("Give a non-empty list of event types, from: %(choices)s.") % {
            "choices": ", ".join(EVENT_TYPES)
        }
        raise ApplicationError(message, fields={"event_types": [message]})
    unknown = [v for v in value if v not in EVENT_TYPES]
    if unknown:
        message = gettext("Unknown event types %(unknown)s; choose from: %(choices)s.") % {
            "unknown": ", ".join(unknown),
            "choices": ", ".join(EVENT_TYPES),
        }
        raise ApplicationError(message, fields={"event_types": [message]})
    return [t for t in EVENT_TYPES if t in value]  # canonical order, no repeats


def _clean_description(value: str) -> str:
    value = (value or "").strip()
    problem = text_problem(value)
    if problem is None and len(value) > 200:
        problem = gettext("must be at most 200 characters")
    if problem:
        raise ApplicationError(
            gettext("description: %(problem)s") % {"problem": problem}, fields={"description": [problem]}
        )
    return value


def webhook_endpoint_create(
    *, firm: Firm, user: User, url: str, event_types: list[str], description: str = ""
) -> WebhookEndpoint:
    """Register an endpoint; its secret (`whsec_...`) is generated here and shown to the owner."""
    webhook_url_check(url)
    event_types = _clean_event_types(event_types)
    description = _clean_description(description)
    if WebhookEndpoint.objects.filter(firm=firm).count() >= MAX_ENDPOINTS_PER_FIRM:
        message = gettext("A firm may have at most %(n)s webhook endpoints; delete one first.") % {
            "n": MAX_ENDPOINTS_PER_FIRM
        }
        raise ApplicationError(message, code="limit", fields={"url": [message]})
    endpoint = WebhookEndpoint(
        firm=firm, url=url, event_types=event_types, description=description, secret=secret_generate(), created_by=user
    )
    endpoint.full_clean()
    endpoint.save()
    return endpoint


def webhook_endpoint_update(*, endpoint: WebhookEndpoint, data: dict[str, Any]) -> WebhookEndpoint:
    """Change the URL, event types, description, or enable/disable it (`is_active`)."""
    if "url" in data:
        webhook_url_check(data["url"])
        endpoint.url = data["url"]
    if "event_types" in data:
        endpoint.event_types = _clean_event_types(data["event_types"])
    if "description" in data:
        endpoint.description = _clean_description(data["description"])
    if "is_active" in data and bool(data["is_active"]) != endpoint.is_active:
        endpoint.is_active = bool(data["is_active"])
        endpoint.disabled_at = None if endpoint.is_active else timezone.now()
        endpoint.disabled_reason = "" if endpoint.is_active else "disabled by the owner"
    endpoint.full_clean()
    endpoint.save()
    return endpoint


def webhook_endpoint_rotate_secret(*, endpoint: WebhookEndpoint, overlap_hours: int = 24) -> WebhookEndpoint:
    """A new secret; for `overlap_hours` deliveries carry signatures with both the old and the new one."""
    with transaction.atomic():
        locked = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
        locked.previous_secret = locked.secret if overlap_hours > 0 else ""
        locked.previous_secret_expires_at = (
            timezone.now() + dt.timedelta(hours=overlap_hours) if overlap_hours else None
        )
        locked.secret = secret_generate()
        locked.save()
    return locked


def webhook_endpoint_delete(*, endpoint: WebhookEndpoint) -> None:
    endpoint.delete()


def webhook_delivery_resend(*, delivery: WebhookDelivery) -> WebhookDelivery:
    """Send a delivered or failed message again, with the same `webhook-id`; one attempt, no retries."""
    if not delivery.endpoint.is_active:
        raise ConflictError(
            gettext("Enable the endpoint before re-sending to it."), current_state="disabled", code="endpoint_disabled"
        )
    with transaction.atomic():
        updated = WebhookDelivery.objects.filter(pk=delivery.pk, status__in=[D.SUCCEEDED, D.FAILED]).update(
            status=D.PENDING, next_attempt_at=None
        )
        if not updated:
            raise ConflictError(
                gettext("This delivery is still being attempted; wait for it to succeed or fail."),
                current_state=delivery.status,
                code="delivery_in_progress",
            )
        outbox_enqueue(DELIVER_TASK, robust=True, delivery_id=delivery.pk, manual=True)
    delivery.refresh_from_db()
    return delivery


# --- Payloads and dispatch (domain-event subscribers, inside the publisher's transaction) --------


def _firm_viewer() -> SimpleNamespace:
    """Who a webhook is for: a member of the receiving firm, never a reviewer."""
    return SimpleNamespace(is_authenticated=True, can_review=False, is_anonymous=False, pk=None)


def _json(value: Any) -> Any:
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def proposal_payload_for_firm(*, proposal_id: int, firm_id: int) -> dict[str, Any] | None:
    """The proposal as the firm's members read it in the API, or None if they may not see it."""
    viewer = _firm_viewer()
    proposal = (
        proposal_visible_queryset(user=viewer, public_only=True, firm_ids=[firm_id]).filter(pk=proposal_id).first()
    )
    if proposal is None:
        return None
    context = {"request": SimpleNamespace(user=viewer), "firm_roles": {firm_id: Membership.Role.OWNER}}
    with translation.override("en"):
        return _json(ProposalSerializer(proposal, context=context).data)


def _firm_payload(firm: Firm) -> dict[str, Any]:
    """The firm as its own members read it (contact shown, no screening status)."""
    firm = Firm.objects.prefetch_related(firm_capabilities_prefetch(), firm_platforms_prefetch()).get(pk=firm.pk)
    with translation.override("en"):
        return _json(FirmSerializer(firm, context={"contact_visible_ids": {firm.pk}}).data)


def _envelope(event_type: str, data: dict[str, Any]) -> dict[str, Any]:
    return {"type": event_type, "timestamp": timezone.now().isoformat(), "data": data}


def _active_endpoints(firm_ids: set[int]) -> list[WebhookEndpoint]:
    return list(WebhookEndpoint.objects.filter(firm_id__in=firm_ids, is_active=True).order_by("id"))


def _queue(endpoint: WebhookEndpoint, event_type: str, cause: str, payload: dict[str, Any]) -> WebhookDelivery | None:
    delivery, created = WebhookDelivery.objects.get_or_create(
        endpoint=endpoint,
        dedupe_key=f"{cause}:{event_type}"[:200],
        defaults={"msg_id": f"msg_{uuid.uuid4().hex}", "event_type": event_type, "payload": payload},
    )
    if not created:
        return None
    outbox_enqueue(DELIVER_TASK, robust=True, delivery_id=delivery.pk)
    return delivery


def proposal_event_types(event: ProposalEvent) -> list[str]:
    """The webhook event types a proposal event stands for."""
    types = []
    action = (event.data or {}).get("action")
    if event.to_status == S.APPROVED and action != "accept":  # approved by a reviewer, or reopened
        types.append("proposal.approved")
    if action == "accept":
        types.append("proposal.accepted")
        if event.to_status == S.CONNECTED:
            types.append("proposal.connected")
    if event.to_status == S.DECLINED:
        types.append("proposal.declined")
    if event.to_status == S.EXPIRED:
        types.append("proposal.expired")
    if event.to_status in (S.PARTNERSHIP, S.CLOSED):
        types.append("proposal.outcome_recorded")
    return types


def _changed_by(event: ProposalEvent, proposal: Proposal) -> str:
    if event.firm_id == proposal.ukrainian_id:
        return "ukrainian"
    if event.firm_id == proposal.partner_id:
        return "partner"
    return "system" if event.actor_role == "system" else "ministry"


def on_proposal_transitioned(*, proposal_event: ProposalEvent, **_: Any) -> int:
    """Queue the deliveries a proposal event causes for both firms' endpoints; returns how many."""
    event = proposal_event
    proposal = event.proposal
    endpoints = _active_endpoints({proposal.ukrainian_id, proposal.partner_id})
    if not endpoints:
        return 0
    types = proposal_event_types(event)
    change = {
        "from_status": event.from_status,
        "to_status": event.to_status,
        "action": (event.data or {}).get("action") or event.to_status,
        "by": _changed_by(event, proposal),
        "at": event.created_at.isoformat(),
    }
    proposals: dict[int, dict[str, Any] | None] = {}
    notifications = _notifications_by_firm(event, {e.firm_id for e in endpoints})
    queued = 0
    for endpoint in endpoints:
        for event_type in (t for t in types if t in endpoint.event_types):
            if endpoint.firm_id not in proposals:
                proposals[endpoint.firm_id] = proposal_payload_for_firm(
                    proposal_id=proposal.pk, firm_id=endpoint.firm_id
                )
            if proposals[endpoint.firm_id] is None:
                continue  # not (yet) visible to this firm
            data = {"firm": endpoint.firm_id, "change": change, "proposal": proposals[endpoint.firm_id]}
            queued += bool(_queue(endpoint, event_type, f"proposal-event:{event.pk}", _envelope(event_type, data)))
        notification = notifications.get(endpoint.firm_id)
        if notification is not None and "notification.created" in endpoint.event_types:
            data = {"firm": endpoint.firm_id, "notification": _notification_data(notification)}
            cause = f"notification:{event.pk}:{endpoint.firm_id}"
            queued += bool(_queue(endpoint, "notification.created", cause, _envelope("notification.created", data)))
    return queued


def _notifications_by_firm(event: ProposalEvent, firm_ids: set[int]) -> dict[int, Notification]:
    """One notification of the event per firm (the one to its earliest member), as the firm's members got it."""
    notifications = list(Notification.objects.filter(event=event).order_by("id"))
    if not notifications:
        return {}
    members = Membership.objects.filter(firm_id__in=firm_ids, user_id__in=[n.user_id for n in notifications])
    firms_of_user: dict[int, list[int]] = {}
    for user_id, firm_id in members.values_list("user_id", "firm_id"):
        firms_of_user.setdefault(user_id, []).append(firm_id)
    result: dict[int, Notification] = {}
    for notification in notifications:
        for firm_id in firms_of_user.get(notification.user_id, []):
            result.setdefault(firm_id, notification)
    return result


def _notification_data(notification: Notification) -> dict[str, Any]:
    return {
        "id": notification.pk,
        "kind": notification.kind,
        "proposal": notification.proposal_id,
        "title": notification.title,
        "body": notification.body,
        "created_at": notification.created_at.isoformat(),
    }


def _on_firm_status(firm: Firm, event_type: str, cause: str) -> int:
    endpoints = [e for e in _active_endpoints({firm.pk}) if event_type in e.event_types]
    if not endpoints:
        return 0
    data = {"firm": _firm_payload(firm), "change": {"to_status": firm.status, "at": timezone.now().isoformat()}}
    return sum(bool(_queue(e, event_type, cause, _envelope(event_type, data))) for e in endpoints)


def on_firm_verified(*, firm: Firm, **_: Any) -> int:
    return _on_firm_status(firm, "firm.verified", f"firm-status:{firm.pk}:{firm.status_changed_at.isoformat()}")


def on_firm_suspended(*, firm: Firm, **_: Any) -> int:
    return _on_firm_status(firm, "firm.suspended", f"firm-status:{firm.pk}:{firm.status_changed_at.isoformat()}")


def on_event_agenda_published(
    *, event_id: int, event_name: str, final: bool, version: int, participations: list[dict[str, int]], **_: Any
) -> int:
    """`event.agenda_published` to each participating firm's subscribed endpoints: which agenda, and where
    that firm reads its own meetings (nothing about other firms' meetings)."""
    by_firm = {p["firm"]: p["participation"] for p in participations}
    event_type = "event.agenda_published"
    queued = 0
    for endpoint in _active_endpoints(set(by_firm)):
        if event_type not in endpoint.event_types:
            continue
        participation = by_firm[endpoint.firm_id]
        data = {
            "event": {"id": event_id, "name": event_name},
            "agenda": {
                "final": final,
                "version": version,
                "participation": participation,
                "url": f"/api/v1/participations/{participation}/agenda/",
            },
        }
        cause = f"agenda:{event_id}:{version}:{participation}"
        queued += bool(_queue(endpoint, event_type, cause, _envelope(event_type, data)))
    return queued


# --- Sending -------------------------------------------------------------------------------------


def signature_headers(*, endpoint: WebhookEndpoint, msg_id: str, body: str, now: dt.datetime) -> dict[str, str]:
    """The Standard Webhooks headers; during a rotation's overlap the old secret signs too."""
    stamp = now.astimezone(dt.UTC)
    keys = [endpoint.secret]
    if endpoint.previous_secret and endpoint.previous_secret_expires_at and endpoint.previous_secret_expires_at > now:
        keys.append(endpoint.previous_secret)
    signatures = " ".join(Webhook(key).sign(msg_id=msg_id, timestamp=stamp, data=body) for key in keys)
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(int(stamp.timestamp())),
        "webhook-signature": signatures,
        "content-type": "application/json",
        "user-agent": "AllianceMatch-Webhooks/1",
    }


def _post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int | None, str, str]:
    """(status code, response excerpt, error) of one POST; never raises."""
    try:
        webhook_url_check(url)
        timeout = _setting("TIMEOUT_SECONDS", 10)
        with requests.post(
            url, data=body, headers=headers, timeout=(timeout, timeout), allow_redirects=False, stream=True
        ) as response:
            excerpt = next(response.iter_content(500, decode_unicode=False), b"") or b""
            return response.status_code, excerpt.decode("utf-8", "replace")[:500], ""
    except ApplicationError as exc:
        return None, "", f"refused: {exc.message}"[:500]
    except requests.RequestException as exc:
        return None, "", f"{type(exc).__name__}: {exc}"[:500]


def webhook_delivery_attempt(*, delivery_id: int, manual: bool = False) -> WebhookAttempt | None:
    """Claim the delivery if it is due and make one attempt; None when it was not due (or taken)."""
    now = timezone.now()
    claimed = (
        WebhookDelivery.objects.filter(pk=delivery_id, status=D.PENDING)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .update(status=D.SENDING, claimed_at=now)
    )
    if not claimed:
        return None
    delivery = WebhookDelivery.objects.select_related("endpoint").get(pk=delivery_id)
    endpoint = delivery.endpoint
    if not endpoint.is_active:
        WebhookDelivery.objects.filter(pk=delivery.pk).update(status=D.FAILED, last_error="endpoint disabled")
        return None
    body = json.dumps(delivery.payload, separators=(",", ":"), ensure_ascii=False)
    headers = signature_headers(endpoint=endpoint, msg_id=delivery.msg_id, body=body, now=now)
    started = time.monotonic()
    code, excerpt, error = _post(endpoint.url, body.encode(), headers)
    duration_ms = int((time.monotonic() - started) * 1000)
    succeeded = code is not None and 200 <= code < 300
    if code is not None and not succeeded and not error:
        error = f"HTTP {code}"
    number = delivery.attempts + 1
    attempt = WebhookAttempt.objects.create(
        delivery=delivery,
        number=number,
        manual=manual,
        started_at=now,
        duration_ms=duration_ms,
        response_code=code,
        response_excerpt=excerpt,
        error=error,
        succeeded=succeeded,
    )
    update: dict[str, Any] = {"attempts": number, "last_response_code": code, "last_error": error, "claimed_at": None}
    if succeeded:
        update.update(status=D.SUCCEEDED, delivered_at=timezone.now(), next_attempt_at=None)
    else:
        failures = WebhookAttempt.objects.filter(delivery=delivery, manual=False, succeeded=False).count()
        schedule = retry_schedule()
        if not manual and failures <= len(schedule):
            wait = schedule[failures - 1] * random.uniform(0.9, 1.1)  # noqa: S311 - jitter, not security
            update.update(status=D.PENDING, next_attempt_at=now + dt.timedelta(seconds=wait))
        else:
            update.update(status=D.FAILED, next_attempt_at=None)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(**update)
    if update["status"] == D.FAILED and not manual:
        _disable_if_failing(endpoint=endpoint, delivery=delivery)
    return attempt


def _disable_if_failing(*, endpoint: WebhookEndpoint, delivery: WebhookDelivery) -> None:
    """A delivery failed all its retries: disable the endpoint unless it delivered anything since."""
    if WebhookDelivery.objects.filter(endpoint=endpoint, delivered_at__gte=delivery.created_at).exists():
        return
    with transaction.atomic():
        disabled = WebhookEndpoint.objects.filter(pk=endpoint.pk, is_active=True).update(
            is_active=False,
            disabled_at=timezone.now(),
            disabled_reason=f"every attempt failed for {delivery.event_type} {delivery.msg_id}"[:300],
        )
        if disabled:
            WebhookDelivery.objects.filter(endpoint=endpoint, status=D.PENDING).update(
                status=D.FAILED, last_error="endpoint disabled", next_attempt_at=None
            )
            outbox_enqueue(DISABLED_EMAIL_TASK, robust=True, endpoint_id=endpoint.pk)


def webhook_disabled_email_send(*, endpoint_id: int) -> int:
    """Tell the firm's owners, each in their language, that an endpoint was disabled; returns how many."""
    from django.core.mail import send_mail

    from accounts.selectors import user_language

    endpoint = WebhookEndpoint.objects.select_related("firm").filter(pk=endpoint_id, is_active=False).first()
    if endpoint is None:
        return 0
    owners = Membership.objects.filter(firm=endpoint.firm, role=Membership.Role.OWNER).select_related("user")
    sent = 0
    for membership in owners:
        user = membership.user
        if not user.email:
            continue
        with translation.override(user_language(user=user)):
            subject = gettext("Webhook endpoint disabled: %(url)s") % {"url": endpoint.url}
            body = gettext(
                "Every attempt to deliver to %(url)s failed for three days, so Alliance Match stopped sending "
                "to it. Fix the receiver, enable the endpoint again and re-send the failed deliveries from "
                "the delivery log: %(link)s"
            ) % {"url": endpoint.url, "link": f"{settings.SITE_URL}/firm/{endpoint.firm_id}/webhooks/"}
        send_mail(subject, body, None, [user.email])
        sent += 1
    return sent


def webhooks_retry_due(*, now: dt.datetime | None = None, limit: int = 500) -> int:
    """Send the deliveries whose retry is due (and reclaim those a dead worker left `sending`)."""
    from celery import current_app

    now = now or timezone.now()
    WebhookDelivery.objects.filter(status=D.SENDING, claimed_at__lt=now - dt.timedelta(minutes=10)).update(
        status=D.PENDING, claimed_at=None, next_attempt_at=now
    )
    due = list(
        WebhookDelivery.objects.filter(status=D.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
    task = current_app.tasks[DELIVER_TASK]
    for pk in due:
        if current_app.conf.task_always_eager:
            webhook_delivery_attempt(delivery_id=pk)
        else:
            task.apply_async(kwargs={"delivery_id": pk}, retry=False)
    return len(due)
