"""Django admin for people and their firm memberships."""

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Membership, User
from accounts.services import membership_check_keeps_owner, user_password_set, user_tokens_revoke
from core.errors import ApplicationError


def _keeps_owner(membership: Membership, new_role: str | None) -> None:
    """The API's last-owner rule, as a form error in the admin."""
    try:
        membership_check_keeps_owner(membership=membership, new_role=new_role)
    except ApplicationError as exc:
        raise ValidationError(exc.message, code=exc.code)


class MembershipForm(forms.ModelForm):
    class Meta:
        model = Membership
        fields = ["user", "firm", "role"]

    def clean(self):
        data = super().clean()
        if self.instance.pk and "role" in data:
            _keeps_owner(self.instance, data["role"])
        return data


class MembershipInlineFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        for form in self.forms:
            if not form.instance.pk or not hasattr(form, "cleaned_data"):
                continue
            if form.cleaned_data.get("DELETE"):
                _keeps_owner(form.instance, None)


class MembershipInline(admin.TabularInline):
    model = Membership
    form = MembershipForm
    formset = MembershipInlineFormSet
    fk_name = "user"
    extra = 0
    raw_id_fields = ["firm"]  # thousands of firms: a lookup popup, not a select
    fields = ["firm", "role", "created_at"]
    readonly_fields = ["created_at"]


class PasswordSetForm(AdminPasswordChangeForm):
    """The admin's "set password" through `user_password_set`: the person's API tokens end too."""

    def save(self, commit=True):
        if self.cleaned_data.get("set_usable_password", True) and self.cleaned_data.get("password1"):
            return user_password_set(user=self.user, password=self.cleaned_data["password1"])
        user = super().save(commit=commit)  # password log-in disabled: no password, and no old tokens
        user_tokens_revoke(user=user)
        return user


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    change_password_form = PasswordSetForm
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
        (_("Alliance"), {"fields": ("is_reviewer", "language", "email_confirmed_at", "pending_email")}),
    )
    readonly_fields = ["email_confirmed_at", "pending_email"]
    add_fieldsets = (
        *DjangoUserAdmin.add_fieldsets,
        (_("Alliance"), {"fields": ("email", "is_reviewer", "language")}),
    )

    @admin.display(description=_("role"), ordering="is_superuser")
    def role_display(self, user: User) -> str:
        return user.role

    def save_model(self, request, obj, form, change):
        """An address an administrator types is vouched for, as one `user_provision` sets: confirmed
        (or unconfirmed when cleared), and any change the person had pending is dropped."""
        if "email" in form.changed_data:
            obj.email_confirmed_at = timezone.now() if obj.email else None
            obj.pending_email, obj.pending_email_requested_at = "", None
        super().save_model(request, obj, form, change)

    def get_queryset(self, request):
        # Searching through memberships joins rows; distinct keeps one line per person.
        return super().get_queryset(request).distinct()


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    form = MembershipForm
    list_display = ["user", "firm", "role", "created_at"]
    list_filter = ["role", "firm__side", "firm__status"]
    search_fields = ["user__username", "user__email", "firm__name", "firm__ref"]
    autocomplete_fields = ["user"]
    raw_id_fields = ["firm"]
    list_select_related = ["user", "firm"]
    ordering = ["firm__name", "user__username"]

    def has_delete_permission(self, request, obj=None) -> bool:
        if obj is not None:
            try:
                membership_check_keeps_owner(membership=obj, new_role=None)
            except ApplicationError:
                # The last owner: make someone else owner first. Also makes "delete selected"
                # refuse (403) a selection that contains a last owner.
                return False
        return super().has_delete_permission(request, obj)
