"""Django admin for matching: view-only.

Proposals change state only through the review services (locked, audited, notified), and
events are the audit trail, so the admin may look but never add, change or delete — not
even for superusers. Runs are started through the API; notifications are written by services.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from matching.models import MatchRun, Notification, Proposal, ProposalEvent
from registry.history import revision_note


class ViewOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ProposalEventInline(admin.TabularInline):
    model = ProposalEvent
    extra = 0
    can_delete = False
    fields = ["created_at", "from_status", "to_status", "actor", "actor_role", "firm", "note_text"]
    readonly_fields = fields

    @admin.display(description=_("note"))
    def note_text(self, event: ProposalEvent) -> str:
        """What a person wrote, or a system note (stored as a code) worded in the admin's language."""
        return revision_note(event)

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Proposal)
class ProposalAdmin(ViewOnlyAdmin):
    list_display = ["id", "ukrainian", "partner", "score", "status", "status_changed_at", "created_at"]
    list_filter = ["status", "outcome_kind"]
    list_select_related = ["ukrainian", "partner"]
    search_fields = ["ukrainian__name", "ukrainian__ref", "partner__name", "partner__ref"]
    raw_id_fields = ["ukrainian", "partner", "run"]
    date_hierarchy = "created_at"
    inlines = [ProposalEventInline]


@admin.register(ProposalEvent)
class ProposalEventAdmin(ViewOnlyAdmin):
    list_display = ["id", "proposal", "from_status", "to_status", "actor", "actor_role", "firm", "created_at"]
    list_filter = ["to_status", "actor_role"]
    list_select_related = ["proposal", "actor", "firm"]
    search_fields = ["proposal__id", "actor__username", "firm__name", "note", "note_code"]
    raw_id_fields = ["proposal", "actor", "firm"]
    date_hierarchy = "created_at"


@admin.register(MatchRun)
class MatchRunAdmin(ViewOnlyAdmin):
    list_display = ["id", "kind", "firm", "status", "pairs_scored", "proposals_created", "created_at", "finished_at"]
    list_filter = ["kind", "status"]
    raw_id_fields = ["firm", "created_by"]


@admin.register(Notification)
class NotificationAdmin(ViewOnlyAdmin):
    list_display = ["id", "user", "kind", "title", "created_at", "emailed_at", "read_at"]
    list_filter = ["kind"]
    list_select_related = ["user"]
    search_fields = ["user__username", "user__email", "title", "idempotency_key"]
    raw_id_fields = ["user", "proposal", "event"]
