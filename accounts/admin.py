"""Django admin for people and their firm memberships."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from accounts.models import Membership, User


class MembershipInline(admin.TabularInline):
    model = Membership
    fk_name = "user"
    extra = 0
    raw_id_fields = ["firm"]  # thousands of firms: a lookup popup, not a select
    fields = ["firm", "role", "created_at"]
    readonly_fields = ["created_at"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "email", "role_display", "language", "is_active", "last_login", "date_joined"]
    list_filter = ["is_reviewer", "is_superuser", "is_active", "language", "memberships__role"]
    search_fields = [
        "username",
        "email",
        "first_name",
        "last_name",
        "memberships__firm__name",
        "memberships__firm__ref",
    ]
    ordering = ["username"]
    inlines = [MembershipInline]
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        (_("Alliance"), {"fields": ("is_reviewer", "language")}),
    )
    add_fieldsets = (
        *DjangoUserAdmin.add_fieldsets,
        (_("Alliance"), {"fields": ("email", "is_reviewer", "language")}),
    )

    @admin.display(description=_("role"), ordering="is_superuser")
    def role_display(self, user: User) -> str:
        return user.role

    def get_queryset(self, request):
        # Searching through memberships joins rows; distinct keeps one line per person.
        return super().get_queryset(request).distinct()


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "firm", "role", "created_at"]
    list_filter = ["role", "firm__side", "firm__status"]
    search_fields = ["user__username", "user__email", "firm__name", "firm__ref"]
    autocomplete_fields = ["user"]
    raw_id_fields = ["firm"]
    list_select_related = ["user", "firm"]
    ordering = ["firm__name", "user__username"]
