"""Read-mostly admin: lists and screenings are written by services only, decisions never change."""

from django.contrib import admin

from compliance.models import SanctionsEntry, SanctionsList, Screening, ScreeningDecision, ScreeningMatch


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SanctionsList)
class SanctionsListAdmin(ReadOnlyAdmin):
    list_display = ["id", "source_name", "imported_at", "entries_count", "skipped_count", "is_active"]


@admin.register(SanctionsEntry)
class SanctionsEntryAdmin(ReadOnlyAdmin):
    list_display = ["entity_id", "schema", "name", "dataset", "sanctions_list"]
    list_filter = ["schema", "sanctions_list__is_active"]
    search_fields = ["entity_id", "name"]
    list_select_related = ["sanctions_list"]
    show_full_result_count = False


class ScreeningMatchInline(admin.TabularInline):
    model = ScreeningMatch
    fields = ["entry", "score", "reason", "matched_name"]
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(Screening)
class ScreeningAdmin(ReadOnlyAdmin):
    list_display = ["id", "firm", "status", "sanctions_list", "created_at"]
    list_filter = ["status"]
    search_fields = ["firm__name", "firm__ref"]
    list_select_related = ["firm", "sanctions_list"]
    inlines = [ScreeningMatchInline]


@admin.register(ScreeningDecision)
class ScreeningDecisionAdmin(ReadOnlyAdmin):
    list_display = ["id", "firm", "decision", "reviewer", "created_at"]
    list_filter = ["decision"]
    list_select_related = ["firm", "reviewer"]
