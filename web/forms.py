"""Page forms. They check the shape of what was typed; business rules stay in the services
(`registry.services`, `registry.validators`) whose ApplicationError fields land on the form."""

import re
import secrets
from collections.abc import Iterable, Mapping
from datetime import date

from django import forms
from django.contrib.auth import forms as auth_forms
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from accounts.models import Membership, User
from accounts.services import user_password_set
from core.errors import ApplicationError
from core.text import text_problem, validate_multiline_text, validate_single_line_text, validate_visible_text
from matching.models import Proposal
from registry.exchange import MAX_COUNT, firm_clean_document, max_count_text
from registry.models import (
    INTRO_CAPACITY_MAX,
    Capability,
    Certification,
    Clearance,
    ExportRegime,
    Firm,
    PartnershipType,
    Platform,
    PlatformRole,
)
from web.domains import domain_label


def add_service_errors(form: forms.Form, error: ApplicationError) -> None:
    """Put a service's field errors (ApplicationError.fields) next to the fields they are about."""
    if not error.fields:
        form.add_error(None, error.message)
        return
    aliases = getattr(form, "FIELD_ALIASES", {})
    for key, messages in error.fields.items():
        field = aliases.get(key)
        if field is None:
            base = key.split("[", 1)[0].split(".", 1)[0]
            field = aliases.get(base, base if base in form.fields else None)
        for message in messages if isinstance(messages, list | tuple) else [messages]:
            form.add_error(field, str(message))


class FreeTextRulesMixin:
    """The rules of free text (`registry.validators.text_problem`) on every text field of the form:
    a Textarea's text may hold line breaks and tabs, any other text field is one line; a required
    one must hold something visible. Errors appear beside the field. Passwords are left alone."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():  # type: ignore[attr-defined]
            if not isinstance(field, forms.CharField) or isinstance(field.widget, forms.PasswordInput):
                continue
            multiline = isinstance(field.widget, forms.Textarea)
            rules = [validate_multiline_text if multiline else validate_single_line_text, validate_visible_text]
            field.validators = [*field.validators, *rules]


# ---- Accounts -------------------------------------------------------------------------------


class LoginForm(auth_forms.AuthenticationForm):
    error_messages = {
        "invalid_login": _("The username or password is not correct. Both are case-sensitive."),
        "inactive": _("This account is inactive."),
    }


class SignUpForm(forms.Form):
    """Shape only; `accounts.services.user_register` applies the rules (the API's too)."""

    username = forms.CharField(label=_("Username"), max_length=150, help_text=_("Letters, digits and @ . + - _ only."))
    email = forms.EmailField(label=_("Email"), help_text=_("We send introductions and password resets here."))
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 10 characters, not only digits, not a common password."),
    )
    password2 = forms.CharField(
        label=_("Password again"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    FIELD_ALIASES = {"password": "password1"}

    def clean(self) -> dict:
        data = super().clean()
        if data.get("password1") and data.get("password2") and data["password1"] != data["password2"]:
            self.add_error("password2", forms.ValidationError(_("The two passwords differ."), code="mismatch"))
        return data

    def add_service_errors(self, error: ApplicationError) -> None:
        add_service_errors(self, error)


class SetPasswordForm(auth_forms.SetPasswordForm):
    """A new password after a reset link: through `user_password_set`, which also ends the account's
    API tokens (a stolen token must not outlive the reset)."""

    def save(self, commit: bool = True) -> User:
        return user_password_set(user=self.user, password=self.cleaned_data["new_password1"])


class PasswordChangeForm(forms.Form):
    """Shape only; `accounts.services.user_password_change` checks the current password and the rules."""

    current_password = forms.CharField(
        label=_("Current password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    new_password = forms.CharField(
        label=_("New password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 10 characters, not only digits, not a common password."),
    )
    new_password2 = forms.CharField(
        label=_("New password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict:
        data = super().clean()
        if data.get("new_password") and data.get("new_password2") and data["new_password"] != data["new_password2"]:
            self.add_error("new_password2", forms.ValidationError(_("The two passwords differ."), code="mismatch"))
        return data

    def add_service_errors(self, error: ApplicationError) -> None:
        add_service_errors(self, error)


class InvitationForm(forms.Form):
    """An owner invites an address; `accounts.services.invitation_create` applies the rules."""

    email = forms.EmailField(label=_("Email"), max_length=254)
    role = forms.ChoiceField(label=_("Role"), choices=Membership.Role.choices, initial=Membership.Role.VIEWER)

    def add_service_errors(self, error: ApplicationError) -> None:
        add_service_errors(self, error)


# ---- Firm profile -----------------------------------------------------------------------------


def capability_groups(
    selected: Iterable[str] = (), extras: Mapping[str, Mapping[str, str]] | None = None
) -> list[dict]:
    """The taxonomy grouped by domain, names in the active language, for the checkbox picker;
    `extras` gives each capability's detail and monthly capacity inputs as typed or recorded."""
    selected, extras = set(selected), extras or {}
    groups: dict[str, dict] = {}
    for cap in Capability.objects.order_by("domain", "code"):
        group = groups.setdefault(cap.domain, {"domain": cap.domain, "label": domain_label(cap.domain), "items": []})
        extra = extras.get(cap.code, {})
        group["items"].append(
            {
                "code": cap.code,
                "name": cap.name,
                "checked": cap.code in selected,
                "detail": extra.get("detail", ""),
                "capacity": extra.get("capacity", ""),
            }
        )
    return sorted(groups.values(), key=lambda g: g["label"])


def capability_input_names(field: str, code: str) -> tuple[str, str]:
    """The names of one capability's detail and monthly capacity inputs in the profile form."""
    return f"{field}-detail-{code}", f"{field}-capacity-{code}"


PLATFORM_MAX_ROWS = 200  # far more than any firm needs; bounds what one request makes us read
PLATFORM_BLANK_ROWS = 3
PLATFORM_SEPARATOR = " — "  # between the code and the names in a row's text (the datalist's values)


def platform_option_text(code: str, name_en: str, name_uk: str) -> str:
    """A platform as a row of the profile form shows it: code and both names, so the browser's
    suggestions find it by either name, whatever the page's language."""
    names = name_en if name_en == name_uk else f"{name_en} / {name_uk}"
    return f"{code}{PLATFORM_SEPARATOR}{names}"


class PlatformRowsWidget(forms.Widget):
    """Rows of `<name>-<i>-platform` (text, with a datalist) and `<name>-<i>-role` (select);
    the template draws them (`FirmProfileForm.platform_rows`)."""

    def value_from_datadict(self, data, files, name) -> list[dict[str, str]]:
        pattern = re.compile(rf"{re.escape(name)}-(\d{{1,4}})-(?:platform|role)")
        indexes = sorted({int(m.group(1)) for key in data if (m := pattern.fullmatch(key))})
        rows = []
        for i in indexes[: PLATFORM_MAX_ROWS + 1]:
            rows.append(
                {
                    "platform": str(data.get(f"{name}-{i}-platform", "")).strip(),
                    "role": str(data.get(f"{name}-{i}-role", "")).strip(),
                }
            )
        return rows

    def value_omitted_from_data(self, data, files, name) -> bool:
        return False  # no rows sent means no platforms


class PlatformRowsField(forms.Field):
    """Platform and role rows -> exchange entries `{platform, role}`. A row's text may be the code,
    `code — names` (a suggestion picked) or one exact name; anything else is passed on as typed
    and the registry names it as an unknown platform code."""

    widget = PlatformRowsWidget

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)
        self.catalogue: dict[str, tuple[str, str]] = {}  # code -> (name_en, name_uk), set by the form

    def resolve(self, text: str) -> str:
        code = text.split(PLATFORM_SEPARATOR, 1)[0].strip()
        if code in self.catalogue:
            return code
        folded = text.casefold()
        for candidate, names in self.catalogue.items():
            if folded in (names[0].casefold(), names[1].casefold()):
                return candidate
        return code

    def to_python(self, value) -> list[dict[str, str]]:
        rows = [row for row in (value or []) if row.get("platform") or row.get("role")]
        if len(rows) > PLATFORM_MAX_ROWS:
            raise forms.ValidationError(
                _("List at most %(max)d platforms.") % {"max": PLATFORM_MAX_ROWS}, code="too_many"
            )
        roles = set(PlatformRole.values)
        entries, errors = [], []
        for row in rows:
            text = row["platform"]
            if message := (text_problem(text) if text else None):
                errors.append(forms.ValidationError(message, code="text"))
                continue
            if not text:
                errors.append(
                    forms.ValidationError(
                        _("A row has a role but no platform: pick a platform or clear the role."),
                        code="platform_required",
                    )
                )
                continue
            if row["role"] not in roles:
                errors.append(
                    forms.ValidationError(
                        _("%(platform)s: choose what the firm does with it (a role).") % {"platform": text[:80]},
                        code="role_required",
                    )
                )
                continue
            entries.append({"platform": self.resolve(text), "role": row["role"]})
        if errors:
            raise forms.ValidationError(errors)
        return entries


class FirmProfileForm(FreeTextRulesMixin, forms.Form):
    """The firm profile in four steps; `to_exchange()` gives the `alliance-firms/1` shape the services take."""

    name = forms.CharField(label=_("Legal name"), max_length=200)
    country = forms.ChoiceField(label=_("Country"))
    edrpou = forms.CharField(
        label=_("EDRPOU code"), max_length=8, required=False, help_text=_("8 digits; Ukrainian firms only.")
    )
    lei = forms.CharField(label=_("LEI"), max_length=20, required=False, help_text=_("Optional, 20 characters."))
    ncage = forms.CharField(label=_("NCAGE code"), max_length=5, required=False)
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")
    employees = forms.IntegerField(label=_("Employees"), min_value=1, max_value=MAX_COUNT, required=False)
    founded = forms.IntegerField(label=_("Year founded"), min_value=1800, max_value=date.today().year, required=False)
    intro_capacity = forms.IntegerField(
        label=_("Introductions I can handle at once"),
        min_value=0,
        max_value=INTRO_CAPACITY_MAX,
        required=False,
        help_text=_(
            "0 to 50. Leave empty for a default by the firm's size: 3 below 50 employees, 5 below 250, "
            "10 below 1,000, 20 above."
        ),
    )
    description = forms.CharField(
        label=_("What the firm does"),
        widget=forms.Textarea,
        min_length=20,
        max_length=5000,
        help_text=_("20 to 5000 characters, in any language."),
    )
    offers = forms.MultipleChoiceField(label=_("Capabilities the firm offers"), required=False)
    seeks = forms.MultipleChoiceField(label=_("Capabilities the firm seeks"), required=False)
    platforms = PlatformRowsField(
        label=_("Weapon systems the firm works on"),
        help_text=_(
            "Type a platform's name in English or Ukrainian (or its code) and pick it from the suggestions, "
            "then choose the role. Clear a row to remove it; save to get more empty rows."
        ),
    )
    partnership_types = forms.MultipleChoiceField(
        label=_("Partnership types wanted"), choices=PartnershipType.choices, widget=forms.CheckboxSelectMultiple
    )
    certifications = forms.MultipleChoiceField(
        label=_("Certifications"), choices=Certification.choices, widget=forms.CheckboxSelectMultiple, required=False
    )
    security_clearance = forms.ChoiceField(
        label=_("Facility security clearance"), choices=Clearance.choices, initial=Clearance.NONE
    )
    export_regimes = forms.MultipleChoiceField(
        label=_("Export-control regimes of offered items"),
        choices=ExportRegime.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    languages = forms.CharField(
        label=_("Working languages"), required=False, help_text=_("ISO 639-1 codes separated by commas, e.g. uk, en.")
    )
    contact_name = forms.CharField(label=_("Contact person"), max_length=200)
    contact_email = forms.EmailField(label=_("Contact email"))
    contact_phone = forms.CharField(
        label=_("Contact phone"), required=False, help_text=_("International format, e.g. +380441234567.")
    )

    # Which service error keys land on which form field.
    FIELD_ALIASES = {
        "contact.name": "contact_name",
        "contact.email": "contact_email",
        "contact.phone": "contact_phone",
        "contact": "contact_email",
    }

    def __init__(self, *args, firm: Firm | None = None, **kwargs):
        self.firm = firm
        self._extras: dict[str, dict[str, dict[str, str]]] = {}
        self._recorded_details: dict[str, dict[str, str]] = {}
        self._rows: dict[str, list[dict]] = {"offers": [], "seeks": []}
        if firm is not None and "initial" not in kwargs:
            kwargs["initial"] = self.initial_from_firm(firm)
        super().__init__(*args, **kwargs)
        # Built per request so country and capability names follow the page's language.
        self.fields["country"].choices = [("", _("Choose a country"))] + [(c.code, c.name) for c in countries]
        codes = list(Capability.objects.values_list("code", flat=True))
        self.fields["offers"].choices = [(c, c) for c in codes]
        self.fields["seeks"].choices = [(c, c) for c in codes]
        self._platforms = list(Platform.objects.order_by("kind", "code").values_list("code", "name_en", "name_uk"))
        self.fields["platforms"].catalogue = {code: (en, uk) for code, en, uk in self._platforms}

    @staticmethod
    def initial_from_firm(firm: Firm) -> dict:
        """The form's fields from the registry's own document of the firm (one source of truth)."""
        doc = firm_clean_document(firm)
        contact = doc.pop("contact")
        return {
            **doc,
            "offers": [item["capability"] for item in doc["offers"]],
            "seeks": [item["capability"] for item in doc["seeks"]],
            "platforms": doc["platforms"],
            "languages": ", ".join(doc["languages"]),
            "contact_name": contact["name"],
            "contact_email": contact["email"],
            "contact_phone": contact["phone"],
        }

    def clean_edrpou(self) -> str:
        return self.cleaned_data["edrpou"].strip()

    def clean_lei(self) -> str:
        return self.cleaned_data["lei"].strip().upper()

    def clean_ncage(self) -> str:
        return self.cleaned_data["ncage"].strip().upper()

    def clean_languages(self) -> list[str]:
        raw = self.cleaned_data["languages"].replace(";", ",")
        return [part.strip().lower() for part in raw.split(",") if part.strip()]

    def clean(self) -> dict:
        data = super().clean()
        if not self.errors and not data.get("offers") and not data.get("seeks"):
            raise forms.ValidationError(
                _("Pick at least one capability the firm offers or seeks."), code="capabilities_required"
            )
        self._rows = {field: self._capability_rows(field, data.get(field) or []) for field in ("offers", "seeks")}
        return data

    def platform_options(self) -> list[dict[str, str]]:
        """The datalist of the platform rows: every platform of the catalogue, code and both names."""
        return [{"value": platform_option_text(code, en, uk)} for code, en, uk in self._platforms]

    def platform_role_choices(self) -> list[tuple[str, str]]:
        return [("", _("Choose a role")), *PlatformRole.choices]

    def platform_rows(self) -> list[dict]:
        """The rows the section shows: as sent (bound) or as recorded, then a few empty ones."""
        catalogue = self.fields["platforms"].catalogue
        rows = []
        for entry in self["platforms"].value() or []:
            text, role = entry.get("platform", ""), entry.get("role", "")
            if not (text or role):
                continue
            if text in catalogue:
                text = platform_option_text(text, *catalogue[text])
            rows.append({"text": text, "role": role})
        rows += [{"text": "", "role": ""} for _ in range(PLATFORM_BLANK_ROWS)]
        for index, row in enumerate(rows):
            row["index"] = index
        return rows

    def capability_extras(self, field: str) -> dict[str, dict[str, str]]:
        """Per capability code, what its detail and capacity inputs show: as typed when the form
        was sent with them, else as recorded for the firm (e.g. through the API or an import)."""
        if field not in self._extras:
            kind = "offer" if field == "offers" else "seek"
            extras: dict[str, dict[str, str]] = {}
            self._recorded_details[field] = {}
            if self.firm is not None:
                for code, detail, capacity in self.firm.capabilities.filter(kind=kind).values_list(
                    "capability__code", "detail", "monthly_capacity"
                ):
                    extras[code] = {"detail": detail or "", "capacity": "" if capacity is None else str(capacity)}
                    self._recorded_details[field][code] = detail or ""
            if self.is_bound:
                codes = self.data.getlist(field) if hasattr(self.data, "getlist") else self.data.get(field, [])
                for code in [codes] if isinstance(codes, str) else codes:
                    detail_name, capacity_name = capability_input_names(field, code)
                    typed = extras.setdefault(code, {"detail": "", "capacity": ""})
                    if detail_name in self.data:
                        typed["detail"] = self.data[detail_name]
                    if capacity_name in self.data:
                        typed["capacity"] = self.data[capacity_name]
            self._extras[field] = extras
        return self._extras[field]

    def _capability_rows(self, field: str, codes: list[str]) -> list[dict]:
        """The exchange rows of the picked capabilities, each with its detail and capacity checked."""
        extras = self.capability_extras(field)
        names = {cap.code: cap.name for cap in Capability.objects.filter(code__in=codes)}  # the page's language
        rows = []
        for code in codes:
            row: dict = {"capability": code}
            extra = extras.get(code, {})
            detail = str(extra.get("detail", "")).strip()
            recorded = self._recorded_details.get(field, {}).get(code)
            if recorded is not None and "".join(recorded.split()) == "".join(detail.split()):
                detail = recorded  # untouched: an input drops line breaks, so keep the detail as stored
            if len(detail) > 500:
                self.add_error(
                    field,
                    _("%(capability)s: the detail must be at most 500 characters (it has %(length)d).")
                    % {"capability": names.get(code, code), "length": len(detail)},
                )
            elif detail:
                row["detail"] = detail
            capacity = str(extra.get("capacity", "")).strip().replace(" ", "").replace("\u00a0", "")
            if capacity:
                if not capacity.isascii() or not capacity.isdigit() or int(capacity) > MAX_COUNT:
                    self.add_error(
                        field,
                        _("%(capability)s: units per month must be a whole number from 0 to %(max)s (got %(value)s).")
                        % {"capability": names.get(code, code), "max": max_count_text(), "value": capacity[:20]},
                    )
                else:
                    row["monthly_capacity"] = int(capacity)
            rows.append(row)
        return rows

    def to_exchange(self) -> dict:
        """The cleaned form as one firm of the exchange format (what firm_create/firm_update take)."""
        d = self.cleaned_data
        data: dict = {
            "name": d["name"].strip(),
            "country": d["country"],
            "description": d["description"].strip(),
            "offers": self._rows["offers"],
            "seeks": self._rows["seeks"],
            "platforms": d["platforms"],
            "partnership_types": d["partnership_types"],
            "certifications": d["certifications"],
            "security_clearance": d["security_clearance"],
            "export_regimes": d["export_regimes"],
            "languages": d["languages"],
            "contact": {"name": d["contact_name"].strip(), "email": d["contact_email"]},
        }
        if self.firm is None:
            # The exchange format needs a stable key; people never type one, so make a readable unique one.
            data["ref"] = f"{d['country'].lower()}-{slugify(d['name'])[:40].strip('-_')}-{secrets.token_hex(3)}"
        if d["country"] == "UA" or d["edrpou"]:
            # Sent as typed so the registry's validator names the problem (e.g. a partner with a code).
            data["edrpou"] = d["edrpou"]
        for key in ("lei", "ncage", "website"):
            if d[key]:
                data[key] = d[key]
        for key in ("employees", "founded", "intro_capacity"):
            if d[key] is not None:
                data[key] = d[key]
        if d["contact_phone"].strip():
            data["contact"]["phone"] = d["contact_phone"].strip()
        return data

    def add_service_errors(self, error: ApplicationError) -> None:
        add_service_errors(self, error)


# ---- Review -----------------------------------------------------------------------------------


class CapacityOverrideForm(forms.Form):
    """The ministry's override of a firm's introductions at once; empty clears it."""

    value = forms.IntegerField(
        label=_("Override: introductions at once"),
        min_value=0,
        max_value=INTRO_CAPACITY_MAX,
        required=False,
        help_text=_("0 to 50; wins over the firm's own setting. Leave empty to clear the override."),
    )

    def add_service_errors(self, error: ApplicationError) -> None:
        add_service_errors(self, error)


class DecisionForm(FreeTextRulesMixin, forms.Form):
    """A note (reviewers) or a reason (reject, decline) that goes with a decision."""

    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=2000)

    FIELD_ALIASES = {"reason": "note"}

    def __init__(self, *args, note_label=None, note_required: bool = False, note_help=None, **kwargs):
        super().__init__(*args, **kwargs)
        if note_label is not None:
            self.fields["note"].label = note_label
        self.fields["note"].required = note_required
        if note_help is not None:
            self.fields["note"].help_text = note_help

    def add_service_errors(self, error: ApplicationError) -> None:
        add_service_errors(self, error)


class BulkDecisionForm(FreeTextRulesMixin, forms.Form):
    proposal_ids = forms.TypedMultipleChoiceField(coerce=int, label=_("Proposals"))
    action = forms.ChoiceField(choices=[("approve", _("Approve")), ("reject", _("Reject"))], label=_("Action"))
    note = forms.CharField(label=_("Note"), required=False, max_length=2000)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Any id is acceptable shape-wise; the service refuses ones that are not reviewable.
        ids = self.data.getlist("proposal_ids") if hasattr(self.data, "getlist") else []
        self.fields["proposal_ids"].choices = [(i, i) for i in ids]
        self.fields["proposal_ids"].error_messages["required"] = _("Select at least one proposal.")


QUEUE_SORTS = {
    "-score": _("Score, highest first"),
    "score": _("Score, lowest first"),
    "-created_at": _("Newest first"),
    "created_at": _("Oldest first"),
}


class QueueFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("State"), required=False)
    domain = forms.ChoiceField(label=_("Domain"), required=False)
    country = forms.ChoiceField(label=_("Partner country"), required=False)
    min_score = forms.FloatField(label=_("Minimum score"), required=False, min_value=0, max_value=1)
    # Bounded: a larger number of days is past what a date can go back (an OverflowError, a 500).
    max_age_days = forms.IntegerField(label=_("Created within (days)"), required=False, min_value=1, max_value=36500)
    sort = forms.ChoiceField(label=_("Sort by"), required=False)

    def __init__(self, *args, domains: list[str] = (), country_codes: list[str] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("Any state"))] + list(Proposal.Status.choices)
        self.fields["domain"].choices = [("", _("Any domain"))] + sorted(
            ((d, domain_label(d)) for d in domains), key=lambda c: c[1]
        )
        # Only the countries that have firms: translating all 249 names on every queue load is not free.
        self.fields["country"].choices = [("", _("Any country"))] + sorted(
            ((c, countries.name(c) or c) for c in country_codes), key=lambda c: c[1]
        )
        self.fields["sort"].choices = list(QUEUE_SORTS.items())
