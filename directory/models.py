"""Saved directory searches and the alerts they raised (one per firm and search, ever)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SavedSearch(models.Model):
    """A member's directory search, kept to be told when a firm starts matching it."""

    class Frequency(models.TextChoices):
        IMMEDIATE = "immediate", _("At once")
        DAILY = "daily", _("Daily digest")
        WEEKLY = "weekly", _("Weekly digest")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_searches")
    name = models.CharField(max_length=120)
    # The directory's query parameters (search, side, country, offers, ...), as validated by its filter.
    query = models.JSONField(default=dict)
    frequency = models.CharField(max_length=10, choices=Frequency.choices, default=Frequency.IMMEDIATE)
    last_digest_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # "The same search" is the same filters for the same person (jsonb equality: key order does
            # not count); the name and the digest are how one keeps it, not what one looks for.
            models.UniqueConstraint(fields=["user", "query"], name="savedsearch_once_per_user"),
        ]

    def __str__(self) -> str:
        return self.name


class SavedSearchAlert(models.Model):
    """A firm that started matching a saved search. Unique per (search, firm): one alert, ever."""

    saved_search = models.ForeignKey(SavedSearch, on_delete=models.CASCADE, related_name="alerts")
    firm = models.ForeignKey("alliance.Firm", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["saved_search", "firm"], name="savedsearchalert_once_per_firm"),
        ]
        indexes = [models.Index(fields=["saved_search", "delivered_at"], name="savedsearchalert_pending")]

    def __str__(self) -> str:
        return f"search {self.saved_search_id}: firm {self.firm_id}"
