"""Django admin for reviewers and administrators: the registry with filters that fit its work."""

from django import forms
from django.contrib import admin, messages
from django.db import transaction

from accounts.models import Membership
from core.errors import ApplicationError
from registry.exchange import changed_fields, export_document, firm_clean_document
from registry.history import SUSPENDED_IN_ADMIN
from registry.models import BeneficialOwner, Capability, Firm, FirmCapability, FirmPlatform, FirmRevision, Platform
from registry.services import firm_suspend, firm_verify
from registry.validators import country_problem, edrpou_problem, lei_problem, ncage_problem


class FirmAdminForm(forms.ModelForm):
    """The identifier rules of the exchange format, so an admin edit cannot store what an import refuses."""

    website = forms.URLField(required=False, assume_scheme="https", max_length=200)

    class Meta:
        model = Firm
        fields = [
            "ref", "name", "country", "description", "edrpou", "lei", "ncage", "website", "employees", "founded",
            "partnership_types", "certifications", "security_clearance", "export_regimes", "languages",
            "contact_name", "contact_email", "contact_phone",
        ]  # fmt: skip

    def clean(self):
        data = super().clean()
        country = str(data.get("country") or "")
        checks = {"country": (country, country_problem), "lei": (data.get("lei"), lei_problem),
                  "ncage": (data.get("ncage"), ncage_problem)}  # fmt: skip
        if country == "UA":
            checks["edrpou"] = (data.get("edrpou") or "", edrpou_problem)
        elif data.get("edrpou"):
            self.add_error("edrpou", "only Ukrainian (UA) firms have an EDRPOU code")
        for name, (value, problem) in checks.items():
            if (value or name == "edrpou") and (message := problem(value)):
                self.add_error(name, message)
        return data


class FirmCapabilityInline(admin.TabularInline):
    model = FirmCapability
    extra = 0
    autocomplete_fields = ["capability"]
    fields = ["kind", "capability", "detail", "monthly_capacity"]


class FirmPlatformInline(admin.TabularInline):
    model = FirmPlatform
    extra = 0
    autocomplete_fields = ["platform"]
    fields = ["platform", "role"]


class BeneficialOwnerInline(admin.TabularInline):
    model = BeneficialOwner
    extra = 0
    fields = ["name", "country", "share_percent"]


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    fields = ["user", "role", "created_at"]
    readonly_fields = ["created_at"]
    raw_id_fields = ["user"]
    verbose_name = "member"


class FirmRevisionInline(admin.TabularInline):
    model = FirmRevision
    extra = 0
    can_delete = False
    fields = ["changed_at", "changed_by", "source", "changed_fields", "note"]
    readonly_fields = fields
    ordering = ["-changed_at", "-id"]
    show_change_link = True

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Firm)
class FirmAdmin(admin.ModelAdmin):
    form = FirmAdminForm
    list_display = ["name", "ref", "country", "side", "status", "screening_status", "updated_at"]
    list_filter = ["status", "side", "screening_status", "security_clearance", "country"]
    search_fields = ["name", "ref", "edrpou", "lei", "ncage", "contact_email"]
    ordering = ["name"]
    list_per_page = 50
    show_full_result_count = False  # a COUNT over a large registry on every page view is not worth it
    date_hierarchy = "created_at"
    inlines = [FirmCapabilityInline, FirmPlatformInline, MembershipInline, BeneficialOwnerInline, FirmRevisionInline]
    # Status and screening change only through the actions (services), never by editing the field.
    readonly_fields = [
        "side", "status", "status_changed_at", "status_changed_by", "screening_status", "created_at", "updated_at",
    ]  # fmt: skip
    fieldsets = [
        (None, {"fields": ["ref", "name", "country", "side", "description"]}),
        ("Identifiers", {"fields": ["edrpou", "lei", "ncage", "website", "employees", "founded"]}),
        (
            "Partnership",
            {"fields": ["partnership_types", "certifications", "security_clearance", "export_regimes", "languages"]},
        ),
        ("Contact (private)", {"fields": ["contact_name", "contact_email", "contact_phone"]}),
        ("Status", {"fields": ["status", "status_changed_at", "status_changed_by", "screening_status"]}),
        ("Timestamps", {"fields": ["created_at", "updated_at"]}),
    ]
    actions = ["verify_selected", "suspend_selected"]

    def has_module_permission(self, request) -> bool:
        return request.user.is_active and (request.user.is_superuser or getattr(request.user, "is_reviewer", False))

    def has_view_permission(self, request, obj=None) -> bool:
        return self.has_module_permission(request)

    def has_change_permission(self, request, obj=None) -> bool:
        return self.has_module_permission(request)

    def has_add_permission(self, request) -> bool:
        # New firms come from self-service sign-up or import_firms, both validated and screened.
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return request.user.is_superuser

    def save_model(self, request, obj, form, change):
        obj._before = _clean(Firm.objects.get(pk=obj.pk)) if change else None
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        # Record the edit in the profile history, like API and import changes.
        with transaction.atomic():
            super().save_related(request, form, formsets, change)
            firm = form.instance
            after = _clean(Firm.objects.get(pk=firm.pk))
            before = getattr(firm, "_before", None)
            fields = changed_fields(before, after) if before else list(after)
            if fields:
                FirmRevision.objects.create(
                    firm=firm, changed_by=request.user, source="admin", changed_fields=fields,
                    data=export_document(after),
                )  # fmt: skip

    def _change_status(self, request, queryset, change, verb: str):
        done = 0
        for firm in queryset:
            try:
                change(firm)
                done += 1
            except ApplicationError as exc:
                self.message_user(request, f"{firm}: {exc.message}", messages.WARNING)
        self.message_user(request, f"{verb} {done} firm(s).", messages.SUCCESS if done else messages.INFO)

    @admin.action(description="Verify selected firms")
    def verify_selected(self, request, queryset):
        self._change_status(request, queryset, lambda firm: firm_verify(firm=firm, reviewer=request.user), "Verified")

    @admin.action(description="Suspend selected firms (reason: suspended by a reviewer in the admin)")
    def suspend_selected(self, request, queryset):
        # The note is a code naming the reviewer, shown in each reader's language (registry.history).
        self._change_status(
            request,
            queryset,
            lambda firm: firm_suspend(
                firm=firm, reviewer=request.user, system_note=(SUSPENDED_IN_ADMIN, {"by": request.user.get_username()})
            ),
            "Suspended",
        )


def _clean(firm: Firm) -> dict:
    return firm_clean_document(firm)


class CatalogueAdmin(admin.ModelAdmin):
    """A reference catalogue (capabilities, platforms): reviewers read it, superusers edit it,
    nobody deletes an entry (firms refer to it; codes are stable keys of the exchange format)."""

    def has_module_permission(self, request) -> bool:
        return request.user.is_active and (request.user.is_superuser or getattr(request.user, "is_reviewer", False))

    def has_view_permission(self, request, obj=None) -> bool:
        return self.has_module_permission(request)

    def has_add_permission(self, request) -> bool:
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None) -> bool:
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Capability)
class CapabilityAdmin(CatalogueAdmin):
    list_display = ["code", "domain", "name_en", "name_uk", "ml_category"]
    list_filter = ["domain", "ml_category"]
    search_fields = ["code", "name_en", "name_uk"]


@admin.register(Platform)
class PlatformAdmin(CatalogueAdmin):
    list_display = ["code", "kind", "name_en", "name_uk", "origin", "calibre", "in_ukraine"]
    list_filter = ["kind", "origin", "in_ukraine"]
    search_fields = ["code", "name_en", "name_uk", "oem"]


@admin.register(FirmRevision)
class FirmRevisionAdmin(admin.ModelAdmin):
    list_display = ["firm", "changed_at", "changed_by", "source", "changed_fields"]
    list_filter = ["source"]
    search_fields = ["firm__name", "firm__ref"]
    list_select_related = ["firm", "changed_by"]
    readonly_fields = ["firm", "changed_at", "changed_by", "source", "changed_fields", "note", "data"]

    def has_module_permission(self, request) -> bool:
        return request.user.is_active and (request.user.is_superuser or getattr(request.user, "is_reviewer", False))

    def has_view_permission(self, request, obj=None) -> bool:
        return self.has_module_permission(request)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
