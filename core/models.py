"""The kit's one table: the transactional outbox (see `core.outbox`)."""

from django.db import models


class OutboxMessage(models.Model):
    """A task to send to Celery, written in the same transaction as the change that needs it.

    If the broker is down when the transaction commits, the row stays unsent and the relay
    (`outbox_relay` beat task / management command) sends it once the broker is back.
    """

    task = models.CharField(max_length=200)
    kwargs = models.JSONField(default=dict)
    countdown = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True, default="")

    class Meta:
        db_table = "alliance_outboxmessage"  # created by the registry's migration 0003; kept when the model moved
        ordering = ["id"]
        indexes = [models.Index(fields=["sent_at", "id"], name="outbox_unsent")]

    def __str__(self) -> str:
        return f"{self.task} #{self.pk} ({'sent' if self.sent_at else 'unsent'})"
