"""Sanctions lists, their entries and index keys, firm screenings, matches and reviewer decisions."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from compliance.explanations import explanation_render


class SanctionsList(models.Model):
    """One imported version of the sanctions list; exactly one is active at a time."""

    source_name = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    imported_at = models.DateTimeField(auto_now_add=True)
    imported_by = models.CharField(max_length=150, blank=True, default="")
    rows_read = models.PositiveIntegerField(default=0)
    entries_count = models.PositiveIntegerField(default=0)
    skipped_count = models.PositiveIntegerField(default=0)  # rows of other schemata (Vessel, Airplane...)
    is_active = models.BooleanField(default=False)

    class Meta:
        ordering = ["-imported_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["is_active"], condition=Q(is_active=True), name="sanctionslist_one_active"),
        ]

    def __str__(self) -> str:
        return f"{self.source_name} ({self.sha256[:12]}, {self.entries_count} entries)"


class SanctionsEntry(models.Model):
    """One target of the list (a company, organisation, legal entity or person)."""

    sanctions_list = models.ForeignKey(SanctionsList, on_delete=models.CASCADE, related_name="entries")
    entity_id = models.CharField(max_length=255)
    schema = models.CharField(max_length=32)
    name = models.TextField()
    aliases = models.JSONField(default=list)
    countries = models.JSONField(default=list)
    identifiers = models.JSONField(default=list)
    sanctions = models.JSONField(default=list)  # programmes / measures, as given by the source
    dataset = models.TextField(blank=True, default="")
    first_seen = models.CharField(max_length=32, blank=True, default="")
    last_seen = models.CharField(max_length=32, blank=True, default="")
    last_change = models.CharField(max_length=32, blank=True, default="")

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["sanctions_list", "entity_id"], name="sanctionsentry_unique_per_list"),
        ]

    def __str__(self) -> str:
        return f"{self.entity_id}: {self.name}"


class SanctionsKey(models.Model):
    """An index key of an entry (distinctive name token, metaphone, identifier) for single-firm lookups."""

    # Derived rows (two million for a large list), written only by the import in the transaction
    # that writes their entries: no database foreign-key check per row (it cost most of the commit)
    # and no single-column indexes to maintain (lookups go through the (list, key) index below).
    sanctions_list = models.ForeignKey(
        SanctionsList, on_delete=models.CASCADE, related_name="+", db_constraint=False, db_index=False
    )
    key = models.CharField(max_length=255)
    entry = models.ForeignKey(
        SanctionsEntry, on_delete=models.CASCADE, related_name="+", db_constraint=False, db_index=False
    )

    class Meta:
        indexes = [models.Index(fields=["sanctions_list", "key"], name="sanctionskey_list_key")]

    def __str__(self) -> str:
        return self.key


class Screening(models.Model):
    """The result of screening one firm against one list version."""

    firm = models.ForeignKey("alliance.Firm", on_delete=models.CASCADE, related_name="screenings")
    sanctions_list = models.ForeignKey(
        SanctionsList, null=True, blank=True, on_delete=models.PROTECT, related_name="screenings"
    )
    status = models.CharField(max_length=20)  # the firm's screening status after this screening
    screened_name = models.CharField(max_length=200)
    screened_identifiers = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["firm", "-created_at"], name="screening_firm_latest")]

    def __str__(self) -> str:
        return f"{self.firm_id}: {self.status} ({self.created_at:%Y-%m-%d})"


class ScreeningMatch(models.Model):
    class Reason(models.TextChoices):
        IDENTIFIER = "identifier", _("Identifier")
        NAME = "name", _("Name")
        ALIAS = "alias", _("Alias")
        OWNER = "owner", _("Beneficial owner")

    screening = models.ForeignKey(Screening, on_delete=models.CASCADE, related_name="matches")
    entry = models.ForeignKey(SanctionsEntry, on_delete=models.PROTECT, related_name="+")
    score = models.FloatField()
    reason = models.CharField(max_length=10, choices=Reason.choices)
    matched_name = models.TextField()
    # Why it matched: which name variant, which rule, which identifier, what the country says; in
    # English, and as codes with parameters (namematch.Hit.codes) that compliance.explanations renders
    # in the reader's language. Rows written before the codes existed have only the English text.
    explanation = models.TextField(blank=True, default="")
    explanation_codes = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-score", "id"]
        constraints = [
            models.UniqueConstraint(fields=["screening", "entry"], name="screeningmatch_unique_entry"),
            models.CheckConstraint(condition=Q(score__gte=0) & Q(score__lte=1), name="screeningmatch_score_0_1"),
        ]

    def __str__(self) -> str:
        return f"{self.matched_name} ({self.reason} {self.score:.2f})"

    @property
    def explanation_display(self) -> str:
        """The explanation in the active language (the stored English text for rows without codes)."""
        return explanation_render(self.explanation_codes) if self.explanation_codes else self.explanation


class ScreeningDecision(models.Model):
    """A reviewer's immutable decision on a potential match."""

    class Decision(models.TextChoices):
        CONFIRM = "confirm", _("Confirmed match")
        DISMISS = "dismiss", _("Dismissed (false positive)")

    firm = models.ForeignKey("alliance.Firm", on_delete=models.CASCADE, related_name="screening_decisions")
    screening = models.ForeignKey(Screening, on_delete=models.PROTECT, related_name="decisions")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decision = models.CharField(max_length=10, choices=Decision.choices)
    note = models.TextField(blank=True, default="")
    # "entity_id@last_change" of the matches decided on: a dismissal holds while they are unchanged.
    entry_keys = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.firm_id}: {self.decision}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("Screening decisions are never updated.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Screening decisions are never deleted.")
