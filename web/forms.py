"""Page forms. They check the shape of what was typed; business rules stay in the services
(`registry.services`, `registry.validators`) whose ApplicationError fields land on the form."""

import re
import secrets
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

import django_filters
from django import forms
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import password_validation
from django.core.exceptions import NON_FIELD_ERRORS
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from accounts.models import Membership, User
from accounts.services import user_password_set
from compliance.services import beneficial_owner_shares_check
from core.errors import ApplicationError
from core.i18n import collation_key
from core.text import (
    text_problem,
    validate_multiline_text,
    validate_single_line_text,
    validate_visible_text,
    with_text_rules,
)
from matching.models import Proposal
from registry.exchange import MAX_COUNT, firm_clean_document, firm_document_problems, max_count_text
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
from registry.validators import FOUNDED_MIN, country_problem, founded_max, validate_founded
from review.selectors import ProposalFilter
from web.domains import domain_label


def add_service_errors(form: forms.Form, error: ApplicationError, *, skip: Iterable[str] = ()) -> None:
    """Put a service's field errors (ApplicationError.fields) next to the fields they are about;
    none on the fields in `skip` (they already say what is wrong)."""
    if not error.fields:
        form.add_error(None, error.message)
        return
    aliases = getattr(form, "FIELD_ALIASES", {})
    skip = set(skip)
    for key, messages in error.fields.items():
        field = aliases.get(key)
        if field is None:
            base = key.split("[", 1)[0].split(".", 1)[0]
            field = aliases.get(base, base if base in form.fields else None)
        if (field or NON_FIELD_ERRORS) in skip:
            continue
        for message in messages if isinstance(messages, list | tuple) else [messages]:
            form.add_error(field, str(message))


def error_summary(form: forms.Form, *, label_prefix: str = "") -> list[dict[str, str]]:
    """The form's errors for the summary at the top of a page, in the order of the fields: each
    with the anchor of its field (`id_<name>`, a fieldset for groups of boxes), label and message."""
    items = []
    for message in form.errors.get(NON_FIELD_ERRORS, []):
        items.append({"anchor": "", "label": label_prefix, "message": message})
    anchors = getattr(form, "SUMMARY_ANCHORS", {})
    for name, field in form.fields.items():
        for message in form.errors.get(name, []):
            label = f"{label_prefix}{field.label}" if label_prefix else str(field.label)
            items.append({"anchor": anchors.get(name, form[name].auto_id), "label": label, "message": message})
    return items


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
            field.validators = with_text_rules(field.validators, *rules)


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
        password = data.get("password1")
        if password:
            # Django's AUTH_PASSWORD_VALIDATORS, which `user_register` applies too: here so that a short
            # password and a mistyped confirmation are both reported after one submit.
            candidate = User(username=data.get("username", ""), email=data.get("email", ""))
            try:
                password_validation.validate_password(password, user=candidate)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        if password and data.get("password2") and password != data["password2"]:
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


class EmailChangeForm(forms.Form):
    """Shape only; `accounts.services.user_update` checks the password and keeps the address pending."""

    email = forms.EmailField(
        label=_("New email address"),
        max_length=254,
        help_text=_("It replaces your address once you follow the link we send to it."),
    )
    current_password = forms.CharField(
        label=_("Current password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

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


class CertificationExpiryWidget(forms.Widget):
    """One date input per certification, `<name>-<code>`; the template draws them
    (`FirmProfileForm.certification_rows`)."""

    def value_from_datadict(self, data, files, name) -> dict[str, str] | None:
        if not any(f"{name}-{code}" in data for code in Certification.values):
            return None  # a post without the dates (an older page, a script): the recorded dates stay
        return {code: str(data.get(f"{name}-{code}", "")).strip()[:40] for code in Certification.values}

    def value_omitted_from_data(self, data, files, name) -> bool:
        return False


# How a certificate's last day may be typed: the date picker's ISO form, or day.month.year as printed.
EXPIRY_INPUT_FORMATS = ("%Y-%m-%d", "%d.%m.%Y")


class CertificationExpiryField(forms.Field):
    """{certification code: last valid day} from the date inputs (empty ones left out); None when the
    post had no date inputs at all. Which certifications may carry one is checked by the form."""

    widget = CertificationExpiryWidget

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def to_python(self, value) -> dict[str, date] | None:
        if value is None:
            return None
        labels = dict(Certification.choices)
        days, errors = {}, []
        for code, text in value.items():
            if not text:
                continue
            for pattern in EXPIRY_INPUT_FORMATS:
                try:
                    days[code] = datetime.strptime(text, pattern).date()
                    break
                except ValueError:
                    continue
            else:
                errors.append(
                    forms.ValidationError(
                        _("%(certification)s: the expiry date must be a date such as 2027-03-31 (got %(value)s).")
                        % {"certification": labels.get(code, code), "value": text[:20]},
                        code="invalid_date",
                    )
                )
        if errors:
            raise forms.ValidationError(errors)
        return days


class AnyCountryField(forms.ChoiceField):
    """Offers the choices it is given, accepts any ISO country code: a refused one posted anyway reaches
    the registry's rules, which say why (registry.validators.country_problem)."""

    def valid_value(self, value) -> bool:
        return value in countries or super().valid_value(value)


def country_choices(*, registrable: bool = False, keep: Iterable[str] = ()) -> list[tuple[str, str]]:
    """(code, name) in the page's language, in that language's alphabetical order. `registrable` leaves
    out the countries a firm can never be registered in (registry.validators.country_problem: refused or
    not an eligible partner country), except the codes in `keep`."""
    key = collation_key()
    named = countries.sorted(key=lambda c: key(str(c.name)))
    return [(c.code, c.name) for c in named if not registrable or c.code in keep or country_problem(c.code) is None]


class FirmProfileForm(FreeTextRulesMixin, forms.Form):
    """The firm profile on one page in sections; `to_exchange()` gives the `alliance-firms/1` shape the
    services take. Every submit reports every problem at once: the form's own checks and the registry's
    rules (`registry.exchange.firm_document_problems`, which the services apply again on saving)."""

    name = forms.CharField(label=_("Legal name"), max_length=200)
    country = AnyCountryField(label=_("Country"))
    edrpou = forms.CharField(
        label=_("EDRPOU code"), max_length=20, required=False, help_text=_("8 digits; Ukrainian firms only.")
    )
    lei = forms.CharField(label=_("LEI"), max_length=20, required=False, help_text=_("Optional, 20 characters."))
    ncage = forms.CharField(label=_("NCAGE code"), max_length=5, required=False)
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")
    employees = forms.IntegerField(label=_("Employees"), min_value=1, max_value=MAX_COUNT, required=False)
    # The registry's rule (FOUNDED_MIN to this year), as the API and imports apply it; max set per request.
    founded = forms.IntegerField(
        label=_("Year founded"),
        required=False,
        validators=[validate_founded],
        widget=forms.NumberInput(attrs={"min": FOUNDED_MIN}),
    )
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
    certification_expiry = CertificationExpiryField(
        label=_("Certificates valid until"),
        help_text=_(
            "The last day each ticked certification's certificate is valid, e.g. 2027-03-31 or 31.03.2027. "
            "Members are reminded 30 and 7 days before; on that day the certification is removed from the profile."
        ),
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
        label=_("Contact phone"),
        max_length=64,
        required=False,
        help_text=_("As you write it, e.g. 067 123 45 67 or +49 30 1234567; saved in international form."),
    )

    # Which service error keys land on which form field.
    FIELD_ALIASES = {
        "contact.name": "contact_name",
        "contact.email": "contact_email",
        "contact.phone": "contact_phone",
        "contact": "contact_email",
    }
    # Where the error summary's link of a field leads (default: `id_<name>`).
    SUMMARY_ANCHORS = {"platforms": "platforms", "certification_expiry": "certification_expiry"}

    def __init__(self, *args, firm: Firm | None = None, **kwargs):
        self.firm = firm
        self._extras: dict[str, dict[str, dict[str, str]]] = {}
        self._recorded_details: dict[str, dict[str, str]] = {}
        self._rows: dict[str, list[dict]] = {"offers": [], "seeks": []}
        if firm is not None and "initial" not in kwargs:
            kwargs["initial"] = self.initial_from_firm(firm)
        super().__init__(*args, **kwargs)
        # Built per request so country and capability names follow the page's language.
        kept = {str(firm.country)} if firm is not None else set()  # a firm keeps its country if the rule changes
        self.fields["country"].choices = [("", _("Choose a country"))] + country_choices(registrable=True, keep=kept)
        self.fields["founded"].widget.attrs["max"] = founded_max()
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
        return "".join(self.cleaned_data["edrpou"].split())  # "3285 5961" as typed from a printed extract

    def clean_lei(self) -> str:
        return self.cleaned_data["lei"].strip().upper()

    def clean_ncage(self) -> str:
        return self.cleaned_data["ncage"].strip().upper()

    def clean_languages(self) -> list[str]:
        raw = self.cleaned_data["languages"].replace(";", ",")
        return [part.strip().lower() for part in raw.split(",") if part.strip()]

    def clean(self) -> dict:
        data = super().clean()
        self._rows = {field: self._capability_rows(field, data.get(field) or []) for field in ("offers", "seeks")}
        self._check_certification_expiry(data)
        if not data.get("offers") and not data.get("seeks") and not self.has_error("offers"):
            self.add_error(
                "offers",
                forms.ValidationError(
                    _("Pick at least one capability the firm offers or seeks."), code="capabilities_required"
                ),
            )
        self._add_registry_problems()
        return data

    def recorded_expiry(self) -> dict[str, str]:
        return dict(self.firm.certification_expiry or {}) if self.firm is not None else {}

    def _check_certification_expiry(self, data: dict) -> None:
        """A date belongs to a ticked certification; a recorded date left as it was is kept whatever it
        is (unticking a certification drops its date). Whether a date has passed is the registry's rule
        (`registry.exchange`), applied with the others by `_add_registry_problems`."""
        days = data.get("certification_expiry")
        if days is None or self.has_error("certification_expiry"):
            return
        ticked, recorded = set(data.get("certifications") or []), self.recorded_expiry()
        labels = dict(Certification.choices)
        kept = {}
        for code, day in days.items():
            unchanged = recorded.get(code) == day.isoformat()
            name = labels.get(code, code)
            if code not in ticked:
                if not unchanged:
                    self.add_error(
                        "certification_expiry",
                        forms.ValidationError(
                            _(
                                "%(certification)s: a date is given but the certification is not ticked: tick it or clear the date."
                            )
                            % {"certification": name},
                            code="certification_not_ticked",
                        ),
                    )
                continue
            kept[code] = day.isoformat()
        data["certification_expiry"] = kept

    def certification_rows(self) -> list[dict]:
        """The date input of each certification: as typed (bound) or as recorded."""
        value = self["certification_expiry"].value()
        if not isinstance(value, Mapping):
            value = self.recorded_expiry() if self.is_bound else (self.initial.get("certification_expiry") or {})
        return [
            {
                "code": code,
                "label": label,
                "name": f"{self.add_prefix('certification_expiry')}-{code}",
                "id": f"id_certification_expiry-{code}",
                "value": str(value.get(code) or ""),
            }
            for code, label in Certification.choices
        ]

    def _add_registry_problems(self) -> None:
        """The registry's rules (EDRPOU check digit, phone, ...) on what the form could read, in the same
        round as the form's own errors; a field that already has an error keeps only that one."""
        already = set(self.errors)
        codes = self.fields["offers"].choices
        _clean, problems = firm_document_problems(
            self._document(self.cleaned_data, checking=True),
            capability_codes={code for code, _label in codes},
            platform_codes=set(self.fields["platforms"].catalogue),
            recorded_expiry=self.recorded_expiry(),
        )
        fields: dict[str, list[str]] = {}
        for key, message in problems:
            fields.setdefault(key, []).append(message)
        if fields:
            add_service_errors(self, ApplicationError("", fields=fields), skip=already)

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
        return self._document(self.cleaned_data)

    def _document(self, d: Mapping, *, checking: bool = False) -> dict:
        """The exchange document of the cleaned values `d`. `checking`: some fields may be missing
        (they have the form's own error); the document is only checked, never saved."""
        country = d.get("country") or ""
        if checking and not country and d.get("edrpou"):
            country = "UA"  # no country chosen yet: still check the EDRPOU typed, as for a Ukrainian firm
        data: dict = {
            "name": (d.get("name") or "").strip(),
            "country": country,
            "description": (d.get("description") or "").strip(),
            "offers": self._rows["offers"],
            "seeks": self._rows["seeks"],
            "platforms": d.get("platforms") or [],
            "partnership_types": d.get("partnership_types") or [],
            "certifications": d.get("certifications") or [],
            "security_clearance": d.get("security_clearance") or "",
            "export_regimes": d.get("export_regimes") or [],
            "languages": d.get("languages") or [],
            "contact": {"name": (d.get("contact_name") or "").strip(), "email": d.get("contact_email") or ""},
        }
        if self.firm is None:
            # The exchange format needs a stable key; people never type one, so make a readable unique one.
            name = slugify(data["name"])[:40].strip("-_") or "firm"
            data["ref"] = f"{country.lower() or 'xx'}-{name}-{secrets.token_hex(3)}"
        else:
            data["ref"] = self.firm.ref
        if country == "UA" or d.get("edrpou"):
            # Sent as typed so the registry's validator names the problem (e.g. a partner with a code).
            data["edrpou"] = d.get("edrpou") or ""
        for key in ("lei", "ncage", "website"):
            if d.get(key):
                data[key] = d[key]
        for key in ("employees", "founded", "intro_capacity"):
            if d.get(key) is not None:
                data[key] = d[key]
        if (d.get("contact_phone") or "").strip():
            data["contact"]["phone"] = d["contact_phone"].strip()
        expiry = d.get("certification_expiry")
        if isinstance(expiry, Mapping):  # None: no date inputs were sent, the recorded dates are kept
            ticked = set(data["certifications"])
            data["certification_expiry"] = {
                code: day if isinstance(day, str) else day.isoformat() for code, day in expiry.items() if code in ticked
            }
        return data

    def add_service_errors(self, error: ApplicationError) -> None:
        add_service_errors(self, error)


class SharePercentField(forms.DecimalField):
    """A share in per cent as people type it: `25`, `12,5`, `12.5 %`."""

    def to_python(self, value):
        if isinstance(value, str):
            value = value.replace("%", "").replace("\u00a0", "").replace(" ", "").replace(",", ".")
        return super().to_python(value)


class BeneficialOwnerForm(FreeTextRulesMixin, forms.Form):
    """One declared owner above 10% (`compliance.services.beneficial_owners_replace` takes the rows).
    A row left empty, or cleared, is no owner."""

    name = forms.CharField(
        label=_("Owner's full name"),
        max_length=200,
        error_messages={"required": _("Owner's full name: required when the row has a country or share.")},
    )
    country = forms.ChoiceField(
        label=_("Owner's country"),
        error_messages={"required": _("Owner's country: choose the country of the owner's citizenship or seat.")},
    )
    share_percent = SharePercentField(
        label=_("Share, %"),
        max_digits=5,
        decimal_places=2,
        min_value=Decimal("10.01"),
        max_value=Decimal("100"),
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
        error_messages={
            "required": _("Share: required, more than 10 and at most 100."),
            "invalid": _("Share: a number such as 25 or 12.5."),
            # These messages are formatted with the limit (%%-escaped), as Django's validators do.
            "min_value": _("Share: declare only owners holding more than 10%%."),
            "max_value": _("Share: at most 100%%."),
            "max_digits": _("Share: a number such as 25 or 12.5."),
            "max_decimal_places": _("Share: at most two decimals, e.g. 12.75."),
            "max_whole_digits": _("Share: at most 100%%."),
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = [("", _("Choose a country"))] + country_choices()  # owners: any country

    def has_changed(self) -> bool:
        # "Changed" here means "holds something": an empty row is skipped, and so is a row the person cleared.
        return any(str(self[name].value() or "").strip() for name in self.fields)


class BaseOwnerFormSet(forms.BaseFormSet):
    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "empty_permitted": True}

    def clean(self) -> None:
        """Compliance's rule on the shares (`beneficial_owner_shares_check`, which saving applies again)
        over the rows whose share could be read: reported with the profile's other errors, not after."""
        super().clean()
        shares = [
            {"share_percent": f.cleaned_data["share_percent"]}
            for f in self.forms
            if f.cleaned_data.get("share_percent") is not None
        ]
        try:
            beneficial_owner_shares_check(owners=shares)
        except ApplicationError as error:
            messages = [str(m) for value in (error.fields or {}).values() for m in value] or [error.message]
            raise forms.ValidationError(messages, code=error.code) from None

    def owners(self) -> list[dict]:
        """The declared owners (call after is_valid()): `{name, country, share_percent}` per filled row."""
        return [
            {
                "name": f.cleaned_data["name"].strip(),
                "country": f.cleaned_data["country"],
                "share_percent": f.cleaned_data["share_percent"],
            }
            for f in self.forms
            if f.cleaned_data
        ]

    def add_service_errors(self, error: ApplicationError) -> None:
        messages = [
            str(m)
            for value in (error.fields or {}).values()
            for m in (value if isinstance(value, list | tuple) else [value])
        ]
        self.non_form_errors().extend(messages or [error.message])

    def error_summary(self) -> list[dict[str, str]]:
        items = [
            {"anchor": "owners", "label": str(_("Beneficial owners")), "message": m} for m in self.non_form_errors()
        ]
        for number, form in enumerate(self.forms, start=1):
            prefix = _("Owner %(number)s") % {"number": number} + " · "
            items += error_summary(form, label_prefix=prefix)
        return items


OwnerFormSet = forms.formset_factory(
    BeneficialOwnerForm, formset=BaseOwnerFormSet, extra=2, max_num=50, validate_max=True, absolute_max=60
)


def owner_formset(data=None, *, firm: Firm | None = None) -> BaseOwnerFormSet:
    """The owners' rows of the profile form: the firm's declared owners, then two empty rows."""
    initial = []
    if firm is not None:
        initial = [
            {"name": o.name, "country": str(o.country), "share_percent": o.share_percent}
            for o in firm.beneficial_owners.all()
        ]
    if data is not None and "owners-TOTAL_FORMS" not in data:
        data = None  # a post without the owners' section (an older page, a script): owners stay as recorded
    return OwnerFormSet(data, initial=initial, prefix="owners")


def owners_differ(firm: Firm, owners: list[dict]) -> bool:
    """Do these rows declare other owners than the firm's recorded ones? (Replacing rescreens the firm.)"""

    def key(name, country, share) -> tuple:
        try:
            share = Decimal(share).quantize(Decimal("0.01"))
        except (InvalidOperation, TypeError):
            pass
        return (name, str(country), share)

    recorded = sorted(key(o.name, o.country, o.share_percent) for o in firm.beneficial_owners.all())
    return recorded != sorted(key(o["name"], o["country"], o["share_percent"]) for o in owners)


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


class OutcomeForm(FreeTextRulesMixin, forms.Form):
    """What came of a connected introduction (`review.services.workflow.proposal_record_outcome` applies
    the rules: a date for a partnership, a reason for closing)."""

    kind = forms.ChoiceField(label=_("Outcome"), widget=forms.RadioSelect)
    date = forms.DateField(
        label=_("Date signed or agreed"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Required for a partnership."),
    )
    note = forms.CharField(
        label=_("Note or reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=2000,
        help_text=_("Required when you close without a partnership: say why."),
    )

    FIELD_ALIASES = {"reason": "note"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [
            *Proposal.OutcomeKind.choices,
            ("closed", _("Closed without a partnership")),
        ]

    def add_service_errors(self, error: ApplicationError) -> None:
        add_service_errors(self, error)


class BulkDecisionForm(FreeTextRulesMixin, forms.Form):
    proposal_ids = forms.TypedMultipleChoiceField(coerce=int, label=_("Proposals"))
    action = forms.ChoiceField(choices=[("approve", _("Approve")), ("reject", _("Reject"))], label=_("Action"))
    note = forms.CharField(label=_("Note or reason for the selected proposals"), required=False, max_length=2000)

    FIELD_ALIASES = {"reason": "note"}  # the service's reason of a rejection is the page's note

    def add_service_errors(self, error: ApplicationError) -> None:
        add_service_errors(self, error)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Any id is acceptable shape-wise; the service refuses ones that are not reviewable.
        ids = self.data.getlist("proposal_ids") if hasattr(self.data, "getlist") else []
        self.fields["proposal_ids"].choices = [(i, i) for i in ids]
        self.fields["proposal_ids"].error_messages["required"] = _("Select at least one proposal.")


class DateRangeForm(forms.Form):
    """Proposals created from/to (inclusive days); either end may be left open."""

    created_from = forms.DateField(
        label=_("Created from"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Enter the first day as a date, e.g. 2026-03-01.")},
    )
    created_to = forms.DateField(
        label=_("Created to"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Enter the last day as a date, e.g. 2026-03-31.")},
    )

    def clean(self):
        data = super().clean()
        start, end = data.get("created_from"), data.get("created_to")
        if start and end and end < start:
            self.add_error("created_to", _("The last day must be on or after the first day."))
        return data


QUEUE_SORTS = {
    "-score": _("Score, highest first"),
    "score": _("Score, lowest first"),
    "-created_at": _("Newest first"),
    "created_at": _("Oldest first"),
}


class OneOfListSelect(forms.Select):
    """A single `<select>` for a filter that takes a list (`?status=a&status=b` in the API): the page
    offers one state at a time, or any."""

    def value_from_datadict(self, data, files, name) -> list[str]:
        values = data.getlist(name) if hasattr(data, "getlist") else [data.get(name)]
        return [v for v in values if v]


class QueueFilter(ProposalFilter):
    """`review.selectors.ProposalFilter` (the API's filters and their rules) with the page's sort."""

    sort = django_filters.ChoiceFilter(
        label=_("Sort by"), choices=list(QUEUE_SORTS.items()), method="filter_nothing", empty_label=None
    )

    def filter_nothing(self, queryset, name, value):
        return queryset  # the order is the view's (`web.selectors.review_queue_sorted`)


def queue_filter(params, *, domains: Iterable[str] = (), country_codes: Iterable[str] = ()) -> QueueFilter:
    """The reviewers' queue filter bound to `params`, its fields dressed for the page: selects with the
    taxonomy's domains and the countries that have firms, names in the page's language."""
    bound = QueueFilter(data=params, queryset=Proposal.objects.all())
    fields = bound.form.fields
    fields["status"].widget = OneOfListSelect(choices=[("", _("Any state")), *Proposal.Status.choices])
    fields["domain"].widget = forms.Select(
        choices=[("", _("Any domain"))] + sorted(((d, domain_label(d)) for d in domains), key=lambda c: c[1])
    )
    # Only the countries that have firms: translating all 249 names on every queue load is not free.
    fields["country"].widget = forms.Select(
        choices=[("", _("Any country"))]
        + sorted(((c, countries.name(c) or c) for c in country_codes), key=lambda c: collation_key()(str(c[1])))
    )
    fields.pop("firm")  # the API's; the queue is of every firm's proposals
    for field in fields.values():
        field.help_text = ""  # the API's (English) parameter documentation; the labels say enough here
    return bound
