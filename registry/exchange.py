"""The `alliance-firms/1` exchange format: parse, validate, convert to and from firms, export.

Validation is plain Python over dicts so that one 10,000-firm file is checked in about a
second and every problem is collected, not just the first. The same rules serve the REST
API (services call `firm_document_problems` on request bodies), so a profile that imports
also saves through the API and vice versa.

Three shapes of a firm appear here:
- a *document*: what a file or a request body holds (optional fields may be absent or null);
- a *clean* document: every key present, defaults filled (`""`, `None`, `[]`), values checked;
- an *export* document: the clean one without empty optional fields, as `export_firms` writes it.
"""

import datetime as dt
import json
import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.db.models import Prefetch, QuerySet
from django.utils import timezone, translation
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from core.text import normalize_newlines, text_problem
from registry.models import (
    INTRO_CAPACITY_MAX,
    Certification,
    Clearance,
    ExportRegime,
    Firm,
    FirmCapability,
    FirmPlatform,
    PartnershipType,
    Platform,
    PlatformRole,
)
from registry.phones import phone_e164
from registry.validators import (
    country_problem,
    edrpou_problem,
    founded_problem,
    language_problem,
    lei_problem,
    ncage_problem,
    phone_problem,
)

FORMAT = "alliance-firms/1"
FIRM_FIELDS = (
    "ref", "name", "country", "edrpou", "lei", "ncage", "website", "employees", "founded", "intro_capacity",
    "description", "offers", "seeks", "platforms", "partnership_types", "certifications", "certification_expiry",
    "security_clearance", "export_regimes", "languages", "contact",
)  # fmt: skip
CAPABILITY_FIELDS = ("capability", "detail", "monthly_capacity")
PLATFORM_FIELDS = ("platform", "role")
# Counts (employees, monthly capacity) must fit the database's integer columns, which would
# otherwise refuse the row with a server error. The bound is the column's, so no stored row breaks it.
MAX_COUNT = 2_147_483_647


def max_count_text() -> str:
    """MAX_COUNT grouped as the active language writes numbers (2,147,483,647; 2 147 483 647)."""
    separator = "\u00a0" if (get_language() or "").startswith("uk") else ","
    return f"{MAX_COUNT:,}".replace(",", separator)


CONTACT_FIELDS = ("name", "email", "phone")
# What the API adds to a firm; named in errors so a client echoing them back learns why.
READ_ONLY_FIELDS = (
    "id", "side", "status", "screening_status", "created_at", "updated_at", "status_changed_at",
    "intro_capacity_override", "confirmed_at", "stale_on", "stale",
)  # fmt: skip
# Fields whose change means the firm must be screened against sanctions lists again.
SCREENED_FIELDS = ("name", "country", "edrpou", "lei", "ncage")
PROFILE_MODEL_FIELDS = (
    "ref", "name", "country", "edrpou", "lei", "ncage", "website", "employees", "founded", "intro_capacity",
    "description", "partnership_types", "certifications", "certification_expiry", "security_clearance",
    "export_regimes", "languages", "contact_name", "contact_email", "contact_phone",
)  # fmt: skip

# Computed once: Django's `TextChoices.values` builds a new list on every access.
PARTNERSHIP_TYPES = tuple(PartnershipType.values)
CERTIFICATIONS = tuple(Certification.values)
CLEARANCES = tuple(Clearance.values)
EXPORT_REGIMES = tuple(ExportRegime.values)
PLATFORM_ROLES = tuple(PlatformRole.values)
ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
REF_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789._-")
_url_validator = URLValidator(schemes=["http", "https"])
_email_validator = EmailValidator()

Problem = tuple[str, str]  # (field path, message)


class ExchangeFileError(Exception):
    """A file that is not an `alliance-firms/1` document at all, or holds invalid firms."""

    def __init__(self, problems: list[str]):
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = problems


# --- Validation -----------------------------------------------------------------------------


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _absent(value: Any) -> bool:
    return value is None or value == ""


def _check_text(
    problems: list[Problem], name: str, value: Any, lo: int, hi: int, required: bool, multiline: bool = False
) -> str:
    if _absent(value):
        if required:
            problems.append((name, _("is required")))
        return ""
    if not isinstance(value, str):
        problems.append((name, _("must be a string")))
        return ""
    if multiline:
        value = normalize_newlines(value)
    if message := text_problem(value, multiline=multiline, required=required):
        problems.append((name, message))
        return value
    if not lo <= len(value) <= hi:
        problems.append(
            (
                name,
                _("must be %(min)s-%(max)s characters (got %(length)s)") % {"min": lo, "max": hi, "length": len(value)},
            )
        )
    return value


def _check_positive_int(problems: list[Problem], name: str, value: Any) -> int | None:
    if value is None:
        return None
    if not _is_int(value) or value < 1:
        problems.append((name, _("must be a positive integer")))
        return None
    if value > MAX_COUNT:
        problems.append((name, _("must be at most %(max)s") % {"max": max_count_text()}))
        return None
    return value


def _check_intro_capacity(problems: list[Problem], value: Any) -> int | None:
    if value is None:
        return None
    if not _is_int(value) or not 0 <= value <= INTRO_CAPACITY_MAX:
        problems.append(("intro_capacity", _("must be a whole number from 0 to %(max)s") % {"max": INTRO_CAPACITY_MAX}))
        return None
    return value


def _check_choices(problems: list[Problem], name: str, value: Any, allowed: Collection[str], required: bool) -> list:
    if value is None:
        value = []
    if not isinstance(value, list):
        problems.append((name, _("must be a list")))
        return []
    if required and not value:
        problems.append((name, _("must list at least one of: %(choices)s") % {"choices": ", ".join(allowed)}))
    seen: set = set()
    for i, item in enumerate(value):
        if not isinstance(item, str) or item not in allowed:
            problems.append(
                (
                    f"{name}[{i}]",
                    _("%(value)s is not one of: %(choices)s") % {"value": repr(item), "choices": ", ".join(allowed)},
                )
            )
        elif item in seen:
            problems.append((f"{name}[{i}]", _("%(value)s is listed twice") % {"value": repr(item)}))
        else:
            seen.add(item)
    return value


def _check_unknown(problems: list[Problem], prefix: str, data: Mapping, allowed: Collection[str]) -> None:
    for key in data:
        name = f"{prefix}{key}"
        if key in READ_ONLY_FIELDS and not prefix:
            problems.append((name, _("is read-only and cannot be set")))
        elif key not in allowed:
            problems.append((name, _("unknown field (allowed: %(fields)s)") % {"fields": ", ".join(allowed)}))


def _check_capabilities(problems: list[Problem], kind: str, value: Any, codes: Collection[str]) -> list[dict]:
    if value is None:
        return []
    if not isinstance(value, list):
        problems.append((kind, _("must be a list")))
        return []
    entries, seen = [], {}
    for i, entry in enumerate(value):
        path = f"{kind}[{i}]"
        if not isinstance(entry, Mapping):
            problems.append((path, _("must be an object with capability, detail, monthly_capacity")))
            continue
        _check_unknown(problems, f"{path}.", entry, CAPABILITY_FIELDS)
        code = entry.get("capability")
        if _absent(code):
            problems.append((f"{path}.capability", _("is required")))
        elif not isinstance(code, str) or code not in codes:
            problems.append((f"{path}.capability", _("unknown capability %(code)s") % {"code": repr(code)}))
        elif code in seen:
            problems.append(
                (
                    f"{path}.capability",
                    _("%(code)s is listed twice (also %(other)s)")
                    % {"code": repr(code), "other": f"{kind}[{seen[code]}]"},
                )
            )
        else:
            seen[code] = i
        # Multi-line: details set through the API or an import may hold line breaks.
        detail = _check_text(problems, f"{path}.detail", entry.get("detail"), 0, 500, required=False, multiline=True)
        capacity = entry.get("monthly_capacity")
        if capacity is not None and (not _is_int(capacity) or capacity < 0):
            problems.append((f"{path}.monthly_capacity", _("must be a non-negative integer")))
            capacity = None
        elif capacity is not None and capacity > MAX_COUNT:
            problems.append((f"{path}.monthly_capacity", _("must be at most %(max)s") % {"max": max_count_text()}))
            capacity = None
        entries.append({"capability": code, "detail": detail, "monthly_capacity": capacity})
    return entries


def platform_code_set() -> set[str]:
    """Every platform code of the catalogue (one query)."""
    return set(Platform.objects.values_list("code", flat=True))


def _check_platforms(problems: list[Problem], value: Any, codes: Collection[str] | None) -> list[dict]:
    """`platforms`: a list of {platform, role}; each (platform, role) pair at most once.
    `codes` None: looked up in the catalogue, only if the list is not empty."""
    if value is None:
        return []
    if not isinstance(value, list):
        problems.append(("platforms", _("must be a list")))
        return []
    if value and codes is None:
        codes = platform_code_set()
    entries, seen = [], {}
    for i, entry in enumerate(value):
        path = f"platforms[{i}]"
        if not isinstance(entry, Mapping):
            problems.append((path, _("must be an object with platform and role")))
            continue
        _check_unknown(problems, f"{path}.", entry, PLATFORM_FIELDS)
        code, role = entry.get("platform"), entry.get("role")
        valid = True
        if _absent(code):
            problems.append((f"{path}.platform", _("is required")))
            valid = False
        elif not isinstance(code, str) or code not in (codes or ()):
            problems.append((f"{path}.platform", _("unknown platform code %(code)s") % {"code": repr(code)}))
            valid = False
        if _absent(role):
            problems.append(
                (f"{path}.role", _("is required (one of: %(choices)s)") % {"choices": ", ".join(PLATFORM_ROLES)})
            )
            valid = False
        elif not isinstance(role, str) or role not in PLATFORM_ROLES:
            problems.append(
                (
                    f"{path}.role",
                    _("%(value)s is not one of: %(choices)s")
                    % {"value": repr(role), "choices": ", ".join(PLATFORM_ROLES)},
                )
            )
            valid = False
        if valid and (code, role) in seen:
            problems.append(
                (
                    f"{path}.platform",
                    _("%(code)s with role %(role)s is listed twice (also %(other)s)")
                    % {"code": repr(code), "role": repr(role), "other": f"platforms[{seen[code, role]}]"},
                )
            )
        elif valid:
            seen[code, role] = i
        entries.append({"platform": code, "role": role})
    return entries


def _check_certification_expiry(
    problems: list[Problem], value: Any, certifications: list, recorded: Mapping[str, str]
) -> dict[str, str]:
    """`certification_expiry`: {code: "YYYY-MM-DD"}, the last day each certification listed in
    `certifications` is valid; certifications without a date may be left out. A date must not be
    past (Kyiv time), unless it is the firm's `recorded` one for that code, sent back as it was: the
    daily pass removes it (registry.freshness), and an unrelated edit meanwhile must not fail on it."""
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        problems.append(("certification_expiry", _('must be an object such as {"ISO-9001": "2027-03-31"}')))
        return {}
    clean: dict[str, str] = {}
    for code, day in value.items():
        path = f"certification_expiry.{code}"
        if code not in certifications:
            problems.append((path, _("%(code)s is not among the firm's certifications") % {"code": repr(code)}))
            continue
        try:
            parsed = dt.date.fromisoformat(day) if isinstance(day, str) and ISO_DATE.fullmatch(day) else None
        except ValueError:
            parsed = None
        if parsed is None:
            problems.append((path, _("must be a date written YYYY-MM-DD (got %(value)s)") % {"value": repr(day)}))
            continue
        if parsed < timezone.localdate() and recorded.get(code) != parsed.isoformat():
            # The one rule (API, import and the profile page, which shows this message beside its dates).
            problems.append(
                (
                    path,
                    _(
                        "%(certification)s: the expiry date %(date)s has passed: give the renewed certificate's "
                        "date or remove the certification."
                    )
                    % {"certification": code, "date": parsed.isoformat()},
                )
            )
            continue
        clean[code] = parsed.isoformat()
    return dict(sorted(clean.items()))


def _check_contact(problems: list[Problem], value: Any, country: Any = None) -> dict:
    """The contact; a phone as people write it (local numbers in the firm's `country`) becomes E.164."""
    if value is None:
        problems.append(("contact", _("is required: an object with name, email and optional phone")))
        return {"name": "", "email": "", "phone": ""}
    if not isinstance(value, Mapping):
        problems.append(("contact", _("must be an object with name, email and optional phone")))
        return {"name": "", "email": "", "phone": ""}
    _check_unknown(problems, "contact.", value, CONTACT_FIELDS)
    name = _check_text(problems, "contact.name", value.get("name"), 1, 200, required=True)
    email = _check_text(problems, "contact.email", value.get("email"), 3, 254, required=True)
    if email and not any(path == "contact.email" for path, _message in problems):
        try:
            _email_validator(email)
        except ValidationError:
            problems.append(("contact.email", _("is not a valid email address")))
    phone = value.get("phone")
    if _absent(phone):
        phone = ""
    elif (e164 := phone_e164(phone, country=country)) is not None:
        phone = e164
    else:
        # phone_e164 reads every valid E.164 number, so phone_problem names what is wrong here.
        problems.append(("contact.phone", phone_problem(phone) or ""))
    return {"name": name, "email": email, "phone": phone}


def firm_document_problems(
    doc: Any,
    *,
    capability_codes: Collection[str],
    platform_codes: Collection[str] | None = None,
    recorded_expiry: Mapping[str, str] | None = None,
) -> tuple[dict, list[Problem]]:
    """Check one firm document against every rule of the format; return (clean document, problems).
    `platform_codes` None: the catalogue is read when the document lists platforms. `recorded_expiry`:
    the firm's `certification_expiry` as recorded (an update), whose dates may be past."""
    problems: list[Problem] = []
    if not isinstance(doc, Mapping):
        return {}, [("", _("must be an object"))]
    _check_unknown(problems, "", doc, FIRM_FIELDS)

    clean: dict[str, Any] = {}
    ref = doc.get("ref")
    if _absent(ref):
        problems.append(("ref", _("is required")))
    elif not isinstance(ref, str) or not (1 <= len(ref) <= 64) or not set(ref) <= REF_CHARS:
        problems.append(("ref", _("must be 1-64 characters of a-z 0-9 . _ -")))
    clean["ref"] = ref if isinstance(ref, str) else ""
    clean["name"] = _check_text(problems, "name", doc.get("name"), 2, 200, required=True)

    country = doc.get("country")
    if _absent(country):
        problems.append(("country", _("is required")))
        country = ""
    elif message := country_problem(country):
        problems.append(("country", message))
    clean["country"] = country if isinstance(country, str) else ""

    edrpou = doc.get("edrpou")
    if country == "UA":
        if _absent(edrpou):
            problems.append(("edrpou", _("is required for Ukrainian (UA) firms")))
        elif message := edrpou_problem(edrpou):
            problems.append(("edrpou", message))
    elif not _absent(edrpou):
        problems.append(
            (
                "edrpou",
                _("only Ukrainian (UA) firms have an EDRPOU code; remove it for country %(country)s")
                % {"country": country},
            )
        )
    clean["edrpou"] = edrpou if country == "UA" and isinstance(edrpou, str) else ""

    for name, check in (("lei", lei_problem), ("ncage", ncage_problem)):
        value = doc.get(name)
        if not _absent(value) and (message := check(value)):
            problems.append((name, message))
        clean[name] = "" if _absent(value) else value

    website = doc.get("website")
    if not _absent(website):
        if isinstance(website, str) and (message := text_problem(website)):
            problems.append(("website", message))
        elif not isinstance(website, str) or len(website) > 200:
            problems.append(("website", _("must be an http(s) URL of at most 200 characters")))
        else:
            try:
                _url_validator(website)
            except ValidationError:
                problems.append(("website", _("must be an http(s) URL")))
    clean["website"] = "" if _absent(website) else website

    clean["employees"] = _check_positive_int(problems, "employees", doc.get("employees"))
    founded = doc.get("founded")
    if founded is not None and (message := founded_problem(founded)):
        problems.append(("founded", message))
        founded = None
    clean["founded"] = founded
    clean["intro_capacity"] = _check_intro_capacity(problems, doc.get("intro_capacity"))
    clean["description"] = _check_text(
        problems, "description", doc.get("description"), 20, 5000, required=True, multiline=True
    )

    clean["offers"] = _check_capabilities(problems, "offers", doc.get("offers"), capability_codes)
    clean["seeks"] = _check_capabilities(problems, "seeks", doc.get("seeks"), capability_codes)
    if not clean["offers"] and not clean["seeks"] and not any(p[0] in ("offers", "seeks") for p in problems):
        problems.append(("offers", _("at least one of offers and seeks must be non-empty")))
    clean["platforms"] = _check_platforms(problems, doc.get("platforms"), platform_codes)

    clean["partnership_types"] = _check_choices(
        problems, "partnership_types", doc.get("partnership_types"), PARTNERSHIP_TYPES, required=True
    )
    clean["certifications"] = _check_choices(
        problems, "certifications", doc.get("certifications"), CERTIFICATIONS, required=False
    )
    clean["certification_expiry"] = _check_certification_expiry(
        problems, doc.get("certification_expiry"), clean["certifications"], recorded_expiry or {}
    )
    clearance = doc.get("security_clearance")
    if _absent(clearance):
        clearance = CLEARANCES[0]
    elif clearance not in CLEARANCES:
        problems.append(
            (
                "security_clearance",
                _("%(value)s is not one of: %(choices)s")
                % {"value": repr(clearance), "choices": ", ".join(CLEARANCES)},
            )
        )
    clean["security_clearance"] = clearance
    clean["export_regimes"] = _check_choices(
        problems, "export_regimes", doc.get("export_regimes"), EXPORT_REGIMES, required=False
    )

    languages = doc.get("languages")
    if languages is None:
        languages = []
    if not isinstance(languages, list):
        problems.append(("languages", _("must be a list of ISO 639-1 codes")))
        languages = []
    for i, code in enumerate(languages):
        if message := language_problem(code):
            problems.append((f"languages[{i}]", message))
        elif code in languages[:i]:
            problems.append((f"languages[{i}]", _("%(value)s is listed twice") % {"value": repr(code)}))
    clean["languages"] = languages
    clean["contact"] = _check_contact(problems, doc.get("contact"), clean["country"])
    return clean, problems


def file_problems(
    document: Any,
    *,
    capability_codes: Collection[str],
    platform_codes: Collection[str] | None = None,
    recorded_expiry: Mapping[str, Mapping[str, str]] | None = None,
) -> tuple[list[dict], list[str]]:
    """Validate a whole exchange document; every problem as `firms[INDEX] (ref): field: message`.
    `recorded_expiry`: {ref: certification_expiry} of registered firms (see firm_document_problems)."""
    # These lines are the import command's operator format (spec: firm-exchange.md), so they stay
    # in the English of the source whatever language the caller has active; the single-firm
    # messages of the API and the pages (firm_document_problems) follow the request's language.
    with translation.override(None):
        return _file_problems(
            document,
            capability_codes=capability_codes,
            platform_codes=platform_codes,
            recorded_expiry=recorded_expiry or {},
        )


def _file_problems(
    document: Any,
    *,
    capability_codes: Collection[str],
    platform_codes: Collection[str] | None,
    recorded_expiry: Mapping[str, Mapping[str, str]],
) -> tuple[list[dict], list[str]]:
    if not isinstance(document, Mapping):
        return [], ["document: must be a JSON object with format and firms"]
    problems: list[str] = []
    for key in document:
        if key not in ("format", "firms"):
            problems.append(f"{key}: unknown field (allowed: format, firms)")
    if document.get("format") != FORMAT:
        problems.append(f"format: must be {FORMAT!r} (got {document.get('format')!r})")
    firms = document.get("firms")
    if not isinstance(firms, list):
        return [], [*problems, "firms: must be a list of firm objects"]
    if platform_codes is None and any(isinstance(doc, Mapping) and doc.get("platforms") for doc in firms):
        platform_codes = platform_code_set()  # once for the file, not once per firm

    cleans: list[dict] = []
    first_index: dict[str, int] = {}
    for i, doc in enumerate(firms):
        ref = doc.get("ref") if isinstance(doc, Mapping) else None
        clean, firm_problems = firm_document_problems(
            doc,
            capability_codes=capability_codes,
            platform_codes=platform_codes,
            recorded_expiry=recorded_expiry.get(ref) if isinstance(ref, str) else None,
        )
        label = f"firms[{i}] ({ref if isinstance(ref, str) and ref else '?'})"
        if isinstance(ref, str) and ref:
            if ref in first_index:
                firm_problems.append(("ref", f"duplicate ref, first used by firms[{first_index[ref]}]"))
            else:
                first_index[ref] = i
        problems.extend(f"{label}: {name or 'firm'}: {message}" for name, message in firm_problems)
        cleans.append(clean)
    return cleans, problems


def parse_exchange_text(text: str | bytes) -> Any:
    """JSON-decode a file; a syntax error becomes an ExchangeFileError naming line and column."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ExchangeFileError([f"file: not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"])
    except UnicodeDecodeError as exc:
        raise ExchangeFileError([f"file: not UTF-8: {exc}"])


# --- Conversion between documents and firms -----------------------------------------------


def clean_to_model_fields(clean: Mapping) -> dict[str, Any]:
    """Firm model field values for a clean document (offers, seeks and platforms excluded)."""
    contact = clean["contact"]
    values = {name: clean[name] for name in PROFILE_MODEL_FIELDS if not name.startswith("contact_")}
    values.update(contact_name=contact["name"], contact_email=contact["email"], contact_phone=contact["phone"])
    return values


def firm_capabilities_prefetch() -> Prefetch:
    """Prefetch a firm's offers and seeks with their capability codes in one query."""
    return Prefetch(
        "capabilities", queryset=FirmCapability.objects.select_related("capability").order_by("id"), to_attr="caps"
    )


def firm_platforms_prefetch() -> Prefetch:
    """Prefetch a firm's platforms with their codes in one query."""
    return Prefetch("platforms", queryset=FirmPlatform.objects.order_by("id"), to_attr="plats")


def firm_platform_entries(firm_ids: Iterable[int]) -> dict[int, list[dict[str, str]]]:
    """{firm_id: [{"platform": code, "role": role}, ...]} in one query of tuples (for lists)."""
    ids = set(firm_ids)
    result: dict[int, list[dict[str, str]]] = {firm_id: [] for firm_id in ids}
    if ids:
        rows = (
            FirmPlatform.objects.filter(firm_id__in=ids).order_by("id").values_list("firm_id", "platform__code", "role")
        )
        for firm_id, code, role in rows:
            result[firm_id].append({"platform": code, "role": role})
    return result


def firm_capability_entries(firm_ids: Iterable[int]) -> dict[int, dict[str, list[dict[str, Any]]]]:
    """{firm_id: {"offer": [...], "seek": [...]}} of exchange-format entries, in one query of tuples.

    For lists: a page of 50 firms has ~200 capability links, and a model instance for each
    link and its capability cost more CPU than the rest of the page.
    """
    ids = set(firm_ids)
    result: dict[int, dict[str, list[dict[str, Any]]]] = {
        firm_id: {FirmCapability.Kind.OFFER: [], FirmCapability.Kind.SEEK: []} for firm_id in ids
    }
    if ids:
        rows = (
            FirmCapability.objects.filter(firm_id__in=ids)
            .order_by("id")
            .values_list("firm_id", "kind", "capability__code", "detail", "monthly_capacity")
        )
        for firm_id, kind, code, detail, capacity in rows:
            result[firm_id][kind].append({"capability": code, "detail": detail, "monthly_capacity": capacity})
    return result


def firm_clean_document(
    firm: Firm, capabilities: Mapping[str, list] | None = None, platforms: list[dict] | None = None
) -> dict[str, Any]:
    """The firm as a clean document.

    `capabilities`: the firm's entry of `firm_capability_entries` (lists pass it); otherwise
    `firm.caps` when prefetched (see `firm_capabilities_prefetch`), else one query.
    `platforms`: likewise, `firm_platform_entries`, `firm.plats` (`firm_platforms_prefetch`) or a query.
    """
    if platforms is None:
        links = getattr(firm, "plats", None)
        if links is None:
            links = list(firm.platforms.order_by("id")) if firm.pk else []
        platforms = [{"platform": link.platform.code, "role": link.role} for link in links]
    if capabilities is not None:
        lists = capabilities
    else:
        caps = getattr(firm, "caps", None)
        if caps is None:
            caps = list(firm.capabilities.select_related("capability").order_by("id"))
        lists = {FirmCapability.Kind.OFFER: [], FirmCapability.Kind.SEEK: []}
        for link in caps:
            lists[link.kind].append(
                {"capability": link.capability.code, "detail": link.detail, "monthly_capacity": link.monthly_capacity}
            )
    phone = firm.contact_phone
    return {
        "ref": firm.ref,
        "name": firm.name,
        "country": str(firm.country),
        "edrpou": firm.edrpou,
        "lei": firm.lei,
        "ncage": firm.ncage,
        "website": firm.website,
        "employees": firm.employees,
        "founded": firm.founded,
        "intro_capacity": firm.intro_capacity,
        "description": firm.description,
        "offers": lists[FirmCapability.Kind.OFFER],
        "seeks": lists[FirmCapability.Kind.SEEK],
        "platforms": [dict(entry) for entry in platforms],
        "partnership_types": list(firm.partnership_types),
        "certifications": list(firm.certifications),
        "certification_expiry": dict(firm.certification_expiry or {}),
        "security_clearance": firm.security_clearance,
        "export_regimes": list(firm.export_regimes),
        "languages": list(firm.languages),
        "contact": {
            "name": firm.contact_name,
            "email": firm.contact_email,
            "phone": phone.as_e164 if phone and hasattr(phone, "as_e164") else (phone or ""),
        },
    }


def export_document(clean: Mapping) -> dict[str, Any]:
    """The exchange-file form of a clean document: empty optional fields left out."""
    out: dict[str, Any] = {}
    for name in FIRM_FIELDS:
        value = clean[name]
        if name in ("offers", "seeks"):
            out[name] = [_export_capability(entry) for entry in value]
        elif name == "platforms":
            if value:  # absent when none: files written before platforms existed export unchanged
                out[name] = [{"platform": entry["platform"], "role": entry["role"]} for entry in value]
        elif name == "contact":
            out[name] = {k: v for k, v in value.items() if not (k == "phone" and not v)}
        elif name in ("edrpou", "lei", "ncage", "website", "employees", "founded", "intro_capacity") and _absent(value):
            continue
        elif name == "certification_expiry":
            if value:  # absent when none, like platforms: older files export unchanged
                out[name] = dict(value)
        else:
            out[name] = value
    return out


def _export_capability(entry: Mapping) -> dict[str, Any]:
    out: dict[str, Any] = {"capability": entry["capability"]}
    if entry.get("detail"):
        out["detail"] = entry["detail"]
    if entry.get("monthly_capacity") is not None:
        out["monthly_capacity"] = entry["monthly_capacity"]
    return out


def certification_expiry_kept(doc: Any, before: Mapping) -> Any:
    """`doc` with the firm's recorded `certification_expiry` (`before`: its clean document) when it
    does not give the field: the dates of the certifications it still lists are kept. Pages and
    files that predate the field then never erase them; `{}` clears them."""
    if not isinstance(doc, Mapping) or "certification_expiry" in doc:
        return doc
    listed = doc.get("certifications")
    listed = listed if isinstance(listed, list) else []
    kept = {code: day for code, day in (before.get("certification_expiry") or {}).items() if code in listed}
    return {**doc, "certification_expiry": kept} if kept else doc


def changed_fields(before: Mapping, after: Mapping) -> list[str]:
    """Top-level fields whose values differ between two clean documents."""
    return [name for name in FIRM_FIELDS if before.get(name) != after.get(name)]


# --- Export -----------------------------------------------------------------------------------


def firms_for_export() -> QuerySet[Firm]:
    return Firm.objects.order_by("ref").prefetch_related(firm_capabilities_prefetch(), firm_platforms_prefetch())


def export_firms_document(firms: Iterable[Firm] | None = None) -> dict[str, Any]:
    """The whole registry (or the given firms) as one exchange document, sorted by ref."""
    firms = firms_for_export() if firms is None else firms
    docs = [export_document(firm_clean_document(firm)) for firm in firms]
    docs.sort(key=lambda d: d["ref"])
    return {"format": FORMAT, "firms": docs}


def dump_exchange_document(document: Mapping) -> str:
    """Canonical text of a document: UTF-8 JSON, stable indentation, trailing newline."""
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


@dataclass
class ImportResult:
    created: list[int] = field(default_factory=list)
    updated: list[int] = field(default_factory=list)
    unchanged: int = 0
    screened: list[int] = field(default_factory=list)
    rematched: list[int] = field(default_factory=list)  # verified firms queued for a single-firm rematch
    full_run_requested: bool = False  # too many for single rematches: one full match run was queued

    def summary(self) -> str:
        text = f"created {len(self.created)}, updated {len(self.updated)}, unchanged {self.unchanged}"
        if self.full_run_requested:
            text += "; a full match run was queued"
        elif self.rematched:
            text += f"; {len(self.rematched)} verified firm(s) queued for rematching"
        return text
