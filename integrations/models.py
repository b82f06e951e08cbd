"""Webhook endpoints a firm's owner registers, the deliveries made to them and each attempt;
the Idempotency-Key store of the API."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from registry.models import Firm

# The event types a firm may subscribe to (issue 16). Kept in one place: the API's choices,
# the web form and the dispatcher read it.
EVENT_TYPES = (
    "proposal.approved",
    "proposal.accepted",
    "proposal.connected",
    "proposal.declined",
    "proposal.expired",
    "proposal.outcome_recorded",
    "firm.verified",
    "firm.suspended",
    "notification.created",
    "event.agenda_published",
)


class WebhookEndpoint(models.Model):
    """An HTTPS address of a firm's that receives the event types it subscribed to, signed with its secret."""

    firm = models.ForeignKey(Firm, on_delete=models.CASCADE, related_name="webhook_endpoints")
    url = models.URLField(max_length=500)
    description = models.CharField(max_length=200, blank=True, default="")
    event_types = models.JSONField(default=list)
    secret = models.CharField(max_length=100)
    # During a rotation's overlap window deliveries are signed with both secrets.
    previous_secret = models.CharField(max_length=100, blank=True, default="")
    previous_secret_expires_at = models.DateTimeField(null=True, blank=True)
    is_active = models.BooleanField(default=True)
    disabled_at = models.DateTimeField(null=True, blank=True)
    disabled_reason = models.CharField(max_length=300, blank=True, default="")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["firm", "is_active"], name="webhook_endpoint_firm_active")]

    def __str__(self) -> str:
        return f"{self.url} ({self.firm_id})"


class WebhookDelivery(models.Model):
    """One message to one endpoint: the same `msg_id` (the `webhook-id` header) on every attempt."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        SUCCEEDED = "succeeded", _("Delivered")
        FAILED = "failed", _("Failed")

    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    msg_id = models.CharField(max_length=64, unique=True)
    event_type = models.CharField(max_length=64)
    # What caused it, e.g. "proposal-event:12:proposal.accepted": a repeated reaction adds no second delivery.
    dedupe_key = models.CharField(max_length=200)
    payload = models.JSONField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    last_response_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True, default="")
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["endpoint", "dedupe_key"], name="webhook_delivery_once_per_cause")
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="webhook_delivery_due")]

    def __str__(self) -> str:
        return f"{self.event_type} {self.msg_id} ({self.status})"


class WebhookAttempt(models.Model):
    """One HTTP attempt of a delivery: the delivery log the owner reads."""

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_log")
    number = models.PositiveIntegerField()
    manual = models.BooleanField(default=False)  # a re-send asked for by the owner
    started_at = models.DateTimeField()
    duration_ms = models.PositiveIntegerField(default=0)
    response_code = models.PositiveSmallIntegerField(null=True, blank=True)
    response_excerpt = models.CharField(max_length=500, blank=True, default="")
    error = models.CharField(max_length=500, blank=True, default="")
    succeeded = models.BooleanField(default=False)

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"attempt {self.number} of {self.delivery_id}: {self.response_code or self.error}"

    @property
    def reason(self) -> str:
        """The outcome in a few words of the reader's language; `error` keeps the raw detail
        (`ExceptionName: text` from integrations.services.webhooks._post) for administrators."""
        if self.response_code:
            return _("Answered HTTP %(code)s") % {"code": self.response_code}
        kind = self.error.partition(":")[0].strip()
        for names, text in _ERROR_REASONS:
            if kind in names:
                return str(text)
        return str(_("Could not deliver")) if self.error else ""


# requests' exception class names (stored first in WebhookAttempt.error), most specific first.
_ERROR_REASONS = (
    (("ConnectTimeout", "ReadTimeout", "Timeout"), _("Timed out")),
    (("SSLError",), _("TLS error")),
    (("ConnectionError", "ProxyError"), _("Could not connect")),
    (("TooManyRedirects", "InvalidURL", "MissingSchema", "InvalidSchema"), _("Invalid address")),
    (("refused",), _("Address refused")),
    (("endpoint disabled",), _("Endpoint disabled")),
)


class IdempotencyRecord(models.Model):
    """The first answer to a POST/PATCH with an `Idempotency-Key`, per caller (token) and key, for 24 h."""

    principal = models.CharField(max_length=64)  # sha256 of the token (or "user:<id>" for a session)
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)  # sha256 of method, path and body
    done = models.BooleanField(default=False)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_content_type = models.CharField(max_length=100, blank=True, default="")
    response_body = models.BinaryField(default=b"")
    # The answer's headers a client acts on (integrations.services.idempotency.REPLAYED_HEADERS), e.g. the
    # firm's ETag of a sub-resource write or of its 412, replayed with the body they belong to.
    response_headers = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["principal", "key"], name="idempotency_once_per_key")]

    def __str__(self) -> str:
        return f"{self.key} ({self.response_status})"
