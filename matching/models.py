"""Match runs, proposals (one row per Ukrainian-partner pair), their audit events and notifications."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class MatchRunManager(models.Manager):
    def get_queryset(self):
        # The kept allocation is up to a megabyte: read only where asked for (allocation_get).
        return super().get_queryset().defer("allocation")


class MatchRun(models.Model):
    """One scoring run: a full run over every eligible pair, or a single firm's rematch."""

    class Kind(models.TextChoices):
        FULL = "full", _("Full run")
        FIRM = "firm", _("Single-firm rematch")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")

    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.FULL)
    firm = models.ForeignKey("alliance.Firm", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED, db_index=True)
    parameters = models.JSONField(default=dict)  # weights and thresholds used, stored with the run
    chunks_total = models.PositiveIntegerField(default=0)
    chunks_done = models.PositiveIntegerField(default=0)
    pairs_scored = models.BigIntegerField(default=0)
    proposals_created = models.PositiveIntegerField(default=0)
    proposals_updated = models.PositiveIntegerField(default=0)
    proposals_superseded = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Single-firm rematch debounce: the latest request time; a delayed task only runs if it is still the latest.
    requested_at = models.DateTimeField(null=True, blank=True)
    finalise_seconds = models.FloatField(null=True, blank=True)
    # A full run's allocation: every pair it weighed (in either firm's top-k), chosen or not, with both
    # full-list ranks and each firm's capacity (matching.services.allocation; kept for the latest runs).
    allocation = models.BinaryField(null=True, blank=True, editable=False)

    objects = MatchRunManager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # One full run at a time, enforced by the database.
            models.UniqueConstraint(
                fields=["kind"],
                condition=Q(kind="full", status__in=["queued", "running"]),
                name="matchrun_one_active_full_run",
            ),
            # One pending (debounced) rematch per firm: a burst of edits bumps its requested_at.
            models.UniqueConstraint(
                fields=["firm"],
                condition=Q(kind="firm", status="queued"),
                name="matchrun_one_queued_rematch_per_firm",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk} ({self.status})"

    @property
    def progress(self) -> float:
        return (self.chunks_done / self.chunks_total) if self.chunks_total else 0.0


class MatchChunk(models.Model):
    """One slice of a full run's Ukrainian firms, scored by one Celery task.

    Candidates are stored as one compressed numpy blob (firm ids, scores, components): a
    chunk yields up to ~100k candidate pairs, far too many to insert as rows quickly. The
    (run, index) unique constraint and the conditional `done_at` claim make a repeated
    chunk task harmless.
    """

    run = models.ForeignKey(MatchRun, on_delete=models.CASCADE, related_name="chunks")
    index = models.PositiveIntegerField()
    ua_firm_ids = models.JSONField(default=list)
    candidates = models.BinaryField(null=True, blank=True)
    pairs_scored = models.BigIntegerField(default=0)
    seconds = models.FloatField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["run", "index"]
        constraints = [models.UniqueConstraint(fields=["run", "index"], name="matchchunk_unique_run_index")]

    def __str__(self) -> str:
        return f"run #{self.run_id} chunk {self.index}"


class Proposal(models.Model):
    """A proposed pairing of one Ukrainian and one partner firm; one row per pair, ever."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        CONNECTED = "connected", _("Connected")
        DECLINED = "declined", _("Declined")
        EXPIRED = "expired", _("Expired")
        SUPERSEDED = "superseded", _("Superseded")
        PARTNERSHIP = "partnership", _("Partnership")
        CLOSED = "closed", _("Closed")
        # Taken out of review because a firm left matching (suspended, sanctions match, changed identity).
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class Origin(models.TextChoices):
        MATCHED = "matched", _("Proposed by matching")
        # A firm asked for this introduction from the directory (issue 14): it carries the message.
        REQUESTED = "requested", _("Requested by a firm")

    class OutcomeKind(models.TextChoices):
        MOU = "mou", _("Memorandum of understanding")
        JOINT_VENTURE = "joint_venture", _("Joint venture")
        LICENCE = "licence", _("Licence")
        CONTRACT = "contract", _("Contract")
        SUPPLY = "supply", _("Supply")

    ukrainian = models.ForeignKey("alliance.Firm", on_delete=models.CASCADE, related_name="proposals_as_ukrainian")
    partner = models.ForeignKey("alliance.Firm", on_delete=models.CASCADE, related_name="proposals_as_partner")
    run = models.ForeignKey(MatchRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="proposals")
    score = models.FloatField()
    rank_for_ukrainian = models.PositiveIntegerField(null=True, blank=True)
    rank_for_partner = models.PositiveIntegerField(null=True, blank=True)
    components = models.JSONField(default=dict)  # {"complementarity": 0.8, ...}
    reasons = models.JSONField(default=dict)  # {"en": ["..."], "uk": ["..."]}
    flags = models.JSONField(default=dict)  # export-control flags {"en": [...], "uk": [...], "codes": [...]}
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PROPOSED, db_index=True)
    status_changed_at = models.DateTimeField(auto_now_add=True)
    ukrainian_accepted_at = models.DateTimeField(null=True, blank=True)
    partner_accepted_at = models.DateTimeField(null=True, blank=True)
    origin = models.CharField(max_length=10, choices=Origin.choices, default=Origin.MATCHED, db_index=True)
    requested_by_firm = models.ForeignKey(
        "alliance.Firm", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    request_message = models.TextField(blank=True, default="")
    requested_at = models.DateTimeField(null=True, blank=True)
    outcome_kind = models.CharField(max_length=16, choices=OutcomeKind.choices, blank=True, default="")
    outcome_date = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-score", "id"]
        constraints = [
            models.UniqueConstraint(fields=["ukrainian", "partner"], name="proposal_unique_pair"),
            models.CheckConstraint(condition=Q(score__gte=0) & Q(score__lte=1), name="proposal_score_0_1"),
            models.CheckConstraint(condition=~Q(ukrainian=F("partner")), name="proposal_two_firms"),
        ]
        indexes = [
            models.Index(fields=["status", "-score"], name="proposal_status_score"),
            # The unfiltered list's default order (reviewers): the first page is read from this index
            # instead of sorting every proposal joined with its two firms.
            models.Index(fields=["-score", "id"], name="proposal_score_id"),
            models.Index(fields=["partner", "status"], name="proposal_partner_status"),
            models.Index(fields=["ukrainian", "status"], name="proposal_ukrainian_status"),
            # The dashboard's and the queue's date range (review.selectors.created_between).
            models.Index(fields=["created_at"], name="proposal_created_at"),
        ]

    def __str__(self) -> str:
        return f"{self.ukrainian_id}<->{self.partner_id} {self.status} {self.score:.2f}"


class ProposalEvent(models.Model):
    """An immutable audit record of one state change of a proposal.

    Append-only at every layer: `save()`/`delete()` refuse, the proposal foreign key PROTECTs (a
    proposal with history, or a firm with such proposals, cannot be deleted), and on PostgreSQL a
    trigger refuses UPDATE and DELETE of the rows (migration 0005). TRUNCATE, which the test
    database's flush uses, fires no row trigger.
    """

    proposal = models.ForeignKey(Proposal, on_delete=models.PROTECT, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_role = models.CharField(max_length=20)  # reviewer, administrator, owner, editor, system
    firm = models.ForeignKey("alliance.Firm", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    from_status = models.CharField(max_length=12, blank=True)
    to_status = models.CharField(max_length=12)
    note = models.TextField(blank=True, default="")
    # A note the system writes (a firm's change withdrew the proposal) is a code and its values, worded
    # in the reader's language when shown (registry.history.revision_note), never a stored sentence.
    note_code = models.CharField(max_length=32, blank=True, default="")
    note_params = models.JSONField(default=dict, blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"proposal {self.proposal_id}: {self.from_status or '-'} -> {self.to_status}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("Proposal events are never updated.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Proposal events are never deleted.")


class Notification(models.Model):
    """An in-app notification (emailed too), rendered when created in each of the service's languages."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=32)
    proposal = models.ForeignKey(Proposal, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    event = models.ForeignKey(ProposalEvent, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    title = models.CharField(max_length=300)
    body = models.TextField(blank=True, default="")
    # {"en": [title, body], "uk": [title, body]}: pages and the API show the reader's current language
    # (`text_in`). `title` and `body` are the recipient's language when created: the email's text, and
    # the only text of rows written before `texts` existed.
    texts = models.JSONField(default=dict, blank=True)
    idempotency_key = models.CharField(max_length=120, unique=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_user_unread")]

    def __str__(self) -> str:
        return f"{self.kind} for user {self.user_id}"

    def text_in(self, language: str) -> tuple[str, str]:
        """(title, body) in `language` ("uk" or "en"), else as stored."""
        pair = self.texts.get(language) if isinstance(self.texts, dict) else None
        if isinstance(pair, list | tuple) and len(pair) == 2:
            return str(pair[0]), str(pair[1])
        return self.title, self.body


class WeightSet(models.Model):
    """A versioned set of component weights learned from decisions, with its offline evaluation.

    A new set is a candidate until a reviewer activates it; at most one is active, and the active
    one's weights replace the hand-set ones in every later run (`runs.match_params`). Nothing is
    ever switched on silently; rolling back activates the previous set (or the hand-set weights).
    """

    class Status(models.TextChoices):
        CANDIDATE = "candidate", _("Candidate")
        ACTIVE = "active", _("Active")
        RETIRED = "retired", _("Retired")

    version = models.PositiveIntegerField(unique=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.CANDIDATE)
    weights = models.JSONField()
    previous_weights = models.JSONField(help_text="the weights in force when this set was fitted")
    evaluation = models.JSONField(default=dict)
    trained_until = models.DateTimeField(help_text="decisions before this time trained it; later ones judged it")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    activated_at = models.DateTimeField(null=True, blank=True)
    activated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The set that was active when this one was first activated (null: the hand-set weights): what a
    # roll back restores.
    replaces = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(fields=["status"], condition=Q(status="active"), name="weightset_one_active"),
        ]

    def __str__(self) -> str:
        return f"weights v{self.version} ({self.status})"
