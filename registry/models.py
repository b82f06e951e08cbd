"""The firm registry: capabilities taxonomy, firms, what they offer and seek, and their history."""

import datetime as dt

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Case, Q, Value, When
from django.db.models.functions import Upper
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from phonenumber_field.modelfields import PhoneNumberField

from core.i18n import language_code
from registry.validators import FOUNDED_MIN, validate_founded

# The most introductions a firm (or the ministry for it) may ask to handle at once.
INTRO_CAPACITY_MAX = 50


class BilingualName:
    """`name_en` / `name_uk` read in the given language, or the active one (`name`)."""

    name_en: str
    name_uk: str

    def name_in(self, language: str | None = None) -> str:
        return self.name_uk if language_code(language) == "uk" else self.name_en

    @property
    def name(self) -> str:
        return self.name_in()


class Capability(BilingualName, models.Model):
    """One entry of the capability taxonomy (`spec/capabilities.csv`)."""

    code = models.CharField(max_length=64, unique=True)
    domain = models.CharField(max_length=32, db_index=True)
    name_en = models.CharField(max_length=200)
    name_uk = models.CharField(max_length=200)
    ml_category = models.CharField(_("EU Common Military List category"), max_length=16, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name_plural = "capabilities"

    def __str__(self) -> str:
        return self.code


class PartnershipType(models.TextChoices):
    JOINT_VENTURE = "joint_venture", _("Joint venture")
    LICENSED_PRODUCTION = "licensed_production", _("Licensed production")
    CO_PRODUCTION = "co_production", _("Co-production")
    CO_DEVELOPMENT = "co_development", _("Co-development")
    REPAIR_HUB = "repair_hub", _("Repair hub")
    SUPPLY = "supply", _("Supply")
    TECHNOLOGY_TRANSFER = "technology_transfer", _("Technology transfer")
    INVESTMENT = "investment", _("Investment")


class Certification(models.TextChoices):
    AQAP_2110 = "AQAP-2110", "AQAP-2110"
    AQAP_2210 = "AQAP-2210", "AQAP-2210"
    AQAP_2310 = "AQAP-2310", "AQAP-2310"
    ISO_9001 = "ISO-9001", "ISO-9001"
    AS9100 = "AS9100", "AS9100"
    EN_9100 = "EN-9100", "EN-9100"
    ISO_14001 = "ISO-14001", "ISO-14001"
    ISO_27001 = "ISO-27001", "ISO-27001"


class Clearance(models.TextChoices):
    NONE = "NONE", _("None")
    NATO_RESTRICTED = "NATO_RESTRICTED", _("NATO Restricted")
    NATO_CONFIDENTIAL = "NATO_CONFIDENTIAL", _("NATO Confidential")
    NATO_SECRET = "NATO_SECRET", _("NATO Secret")


CLEARANCE_LEVEL = {"NONE": 0, "NATO_RESTRICTED": 1, "NATO_CONFIDENTIAL": 2, "NATO_SECRET": 3}


class ExportRegime(models.TextChoices):
    ITAR = "ITAR", "ITAR"
    EAR = "EAR", "EAR"
    EU_MILITARY = "EU_MILITARY", _("EU military")
    EU_DUAL_USE = "EU_DUAL_USE", _("EU dual-use")


def profile_stale_cutoff(now: dt.datetime | None = None) -> dt.datetime:
    """Profiles last confirmed at or before this moment are stale at `now`: THE staleness rule,
    which `FirmQuerySet.stale`/`fresh` and `Firm.is_stale` apply (PROFILE_STALE_MONTHS)."""
    return (now or timezone.now()) - relativedelta(months=settings.PROFILE_STALE_MONTHS)


class FirmQuerySet(models.QuerySet):
    def stale(self, *, now: dt.datetime | None = None) -> "FirmQuerySet":
        """Firms whose profile no member has confirmed for PROFILE_STALE_MONTHS (at `now`)."""
        return self.filter(confirmed_at__lte=profile_stale_cutoff(now))

    def fresh(self, *, now: dt.datetime | None = None) -> "FirmQuerySet":
        return self.filter(confirmed_at__gt=profile_stale_cutoff(now))


class Firm(models.Model):
    """A Ukrainian or partner-country firm. `side` is derived from `country` by the database."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending verification")
        VERIFIED = "verified", _("Verified")
        SUSPENDED = "suspended", _("Suspended")

    class ScreeningStatus(models.TextChoices):
        CLEAR = "clear", _("Clear")
        POTENTIAL_MATCH = "potential_match", _("Potential match")
        CONFIRMED_MATCH = "confirmed_match", _("Confirmed match")
        FALSE_POSITIVE = "false_positive", _("False positive")

    class Side(models.TextChoices):
        UKRAINIAN = "ua", _("Ukrainian")
        PARTNER = "partner", _("Partner")

    ref = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=200)
    country = CountryField(db_index=True)
    side = models.GeneratedField(
        expression=Case(When(country="UA", then=Value("ua")), default=Value("partner")),
        output_field=models.CharField(max_length=8, choices=Side.choices),
        db_persist=True,
    )
    edrpou = models.CharField("EDRPOU", max_length=8, blank=True, default="")
    lei = models.CharField("LEI", max_length=20, blank=True, default="")
    ncage = models.CharField("NCAGE", max_length=5, blank=True, default="")
    website = models.URLField(blank=True, default="")
    employees = models.PositiveIntegerField(null=True, blank=True)
    # From FOUNDED_MIN to this year: the one rule of the API, pages, imports and admin (registry.validators).
    founded = models.PositiveIntegerField(_("Year founded"), null=True, blank=True, validators=[validate_founded])
    # How many open introductions the firm can follow up at once; empty: a default by its size
    # (matching/scoring/capacity.py). The override is the ministry's (state holdings); it wins.
    intro_capacity = models.PositiveSmallIntegerField(
        _("introductions I can handle at once"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(INTRO_CAPACITY_MAX)],
    )
    intro_capacity_override = models.PositiveSmallIntegerField(
        _("introductions at once (ministry override)"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(INTRO_CAPACITY_MAX)],
    )
    description = models.TextField()
    partnership_types = models.JSONField(default=list)
    certifications = models.JSONField(default=list, blank=True)
    # {certification code: "YYYY-MM-DD", the last day it is valid} for those that carry a date;
    # the daily freshness task reminds before it and removes the expired code from `certifications`.
    certification_expiry = models.JSONField(default=dict, blank=True)
    security_clearance = models.CharField(max_length=20, choices=Clearance.choices, default=Clearance.NONE)
    export_regimes = models.JSONField(default=list, blank=True)
    languages = models.JSONField(default=list, blank=True)

    contact_name = models.CharField(max_length=200)
    contact_email = models.EmailField()
    contact_phone = PhoneNumberField(blank=True, default="")

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    status_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    screening_status = models.CharField(
        max_length=20, choices=ScreeningStatus.choices, default=ScreeningStatus.CLEAR, db_index=True
    )
    # When an owner or editor last confirmed (or edited) the profile: see `profile_stale_cutoff`.
    confirmed_at = models.DateTimeField(_("profile confirmed at"), default=timezone.now)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = FirmQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(country="UA", edrpou__regex=r"^[0-9]{8}$") | (~Q(country="UA") & Q(edrpou="")),
                name="firm_edrpou_only_and_always_for_ua",
            ),
            models.CheckConstraint(
                condition=~Q(country__in=["RU", "BY", "IR", "KP"]), name="firm_country_not_forbidden"
            ),
            models.CheckConstraint(
                condition=Q(intro_capacity__lte=INTRO_CAPACITY_MAX), name="firm_intro_capacity_at_most_50"
            ),
            models.CheckConstraint(
                condition=Q(founded__isnull=True) | Q(founded__gte=FOUNDED_MIN), name="firm_founded_from_1800"
            ),
            # One legal entity, one registry record (registry.identity says so first, in words).
            models.UniqueConstraint(
                fields=["edrpou"],
                condition=~Q(edrpou=""),
                name="firm_edrpou_unique",
                violation_error_message=_("A firm with this EDRPOU code is already registered."),
            ),
            models.UniqueConstraint(
                Upper("lei"),
                condition=~Q(lei=""),
                name="firm_lei_unique",
                violation_error_message=_("A firm with this LEI is already registered."),
            ),
            models.CheckConstraint(
                condition=Q(intro_capacity_override__lte=INTRO_CAPACITY_MAX),
                name="firm_intro_capacity_override_at_most_50",
            ),
        ]
        indexes = [models.Index(fields=["side", "status"], name="firm_side_status")]

    def __str__(self) -> str:
        return self.name

    @property
    def is_ukrainian(self) -> bool:
        return str(self.country) == "UA"

    def is_stale(self, now: dt.datetime | None = None) -> bool:
        return self.confirmed_at <= profile_stale_cutoff(now)

    @property
    def stale_on(self) -> dt.datetime:
        """When the profile turns stale unless confirmed again (first moment `is_stale` holds, to the day)."""
        months = relativedelta(months=settings.PROFILE_STALE_MONTHS)
        on = self.confirmed_at + months
        if on - months < self.confirmed_at:  # 31 January + 1 month is 28 February: stale a day later
            on += dt.timedelta(days=1)
        return on


class FirmCapability(models.Model):
    """A capability a firm offers or seeks, with detail and monthly capacity."""

    class Kind(models.TextChoices):
        OFFER = "offer", _("Offers")
        SEEK = "seek", _("Seeks")

    firm = models.ForeignKey(Firm, on_delete=models.CASCADE, related_name="capabilities")
    capability = models.ForeignKey(Capability, on_delete=models.PROTECT, related_name="firm_links")
    kind = models.CharField(max_length=5, choices=Kind.choices)
    detail = models.CharField(max_length=500, blank=True, default="")
    monthly_capacity = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["kind", "id"]
        constraints = [
            models.UniqueConstraint(fields=["firm", "kind", "capability"], name="firmcap_unique_per_list"),
        ]
        indexes = [models.Index(fields=["capability", "kind"], name="firmcap_capability_kind")]

    def __str__(self) -> str:
        return f"{self.kind} {self.capability_id and self.capability.code}"


class FirmRevision(models.Model):
    """A snapshot of a firm's profile (exchange format) after each change: the profile history."""

    firm = models.ForeignKey(Firm, on_delete=models.CASCADE, related_name="revisions")
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now_add=True)
    source = models.CharField(max_length=20)  # api, import, admin, web, status
    changed_fields = models.JSONField(default=list)
    note = models.TextField(blank=True, default="")  # e.g. the reviewer's reason for a suspension
    # A note the system writes is a code and its values, put into words in the reader's language when
    # shown (registry.history.revision_note), never a stored sentence.
    note_code = models.CharField(max_length=32, blank=True, default="")
    note_params = models.JSONField(default=dict, blank=True)
    # {field: {"old": value, "new": value}} of the changed fields, exchange-format values.
    changes = models.JSONField(default=dict, blank=True)
    data = models.JSONField()

    class Meta:
        ordering = ["-changed_at", "-id"]

    def __str__(self) -> str:
        when = self.changed_at.strftime("%Y-%m-%d %H:%M") if self.changed_at else "unsaved"
        return f"{self.firm_id and self.firm.ref} @ {when} ({self.source})"


class BeneficialOwner(models.Model):
    """A declared beneficial owner holding more than 10% of a firm."""

    firm = models.ForeignKey(Firm, on_delete=models.CASCADE, related_name="beneficial_owners")
    name = models.CharField(max_length=200)
    country = CountryField()
    share_percent = models.DecimalField(max_digits=5, decimal_places=2)

    class Meta:
        ordering = ["-share_percent", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(share_percent__gt=0) & Q(share_percent__lte=100), name="owner_share_0_100"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.country}, {self.share_percent}%)"


class Platform(BilingualName, models.Model):
    """A weapon system in Ukrainian service (`spec/platforms.csv`) that firms make, repair or supply."""

    code = models.CharField(max_length=64, unique=True)
    kind = models.CharField(max_length=32, db_index=True)
    name_en = models.CharField(max_length=200)
    name_uk = models.CharField(max_length=200)
    oem = models.CharField(max_length=200, blank=True, default="")
    origin = models.CharField(max_length=2)  # ISO 3166-1 alpha-2, or "SU" for Soviet designs
    calibre = models.CharField(max_length=32, blank=True, default="")
    capabilities = models.JSONField(default=list, blank=True)  # taxonomy codes the platform calls for
    in_ukraine = models.BooleanField(default=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


class PlatformRole(models.TextChoices):
    OEM = "oem", _("Original manufacturer")
    PRODUCES = "produces", _("Produces")
    REPAIRS = "repairs", _("Repairs")
    SUPPLIES_PARTS = "supplies_parts", _("Supplies parts")
    SUPPLIES_AMMUNITION = "supplies_ammunition", _("Supplies ammunition")
    OPERATES_NEEDS_SUPPORT = "operates_needs_support", _("Operates it, needs support")


class FirmPlatformManager(models.Manager):
    def get_queryset(self):
        # A firm's platforms are always shown with the platform's name: one query, not one per row.
        return super().get_queryset().select_related("platform")


class FirmPlatform(models.Model):
    """A platform a firm works on, in one role (a firm may both produce and repair one platform)."""

    firm = models.ForeignKey(Firm, on_delete=models.CASCADE, related_name="platforms")
    platform = models.ForeignKey(Platform, on_delete=models.PROTECT, related_name="firm_links")
    role = models.CharField(max_length=24, choices=PlatformRole.choices)

    objects = FirmPlatformManager()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["firm", "platform", "role"], name="firmplatform_unique_role"),
        ]
        indexes = [models.Index(fields=["platform", "role"], name="firmplatform_platform_role")]

    def __str__(self) -> str:
        return f"{self.role} {self.platform_id and self.platform.code}"


class FirmReminder(models.Model):
    """A reminder sent to a firm's owners and editors that its profile goes stale or a certification
    expires: at most one per subject, cycle and threshold, ever (the unique constraint)."""

    PROFILE = "profile"  # `subject` of profile reminders; a certification's is "certification:<code>"

    firm = models.ForeignKey(Firm, on_delete=models.CASCADE, related_name="reminders")
    subject = models.CharField(max_length=64)
    # The cycle: the day the profile goes stale (a new confirmation starts another cycle) or the
    # certification's last valid day (a renewal starts another).
    due_on = models.DateField()
    # 30 and 7: days before; 0: the notice that it happened (stale, or the certification removed).
    days_before = models.PositiveSmallIntegerField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-sent_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["firm", "subject", "due_on", "days_before"], name="firmreminder_once"),
        ]

    def __str__(self) -> str:
        return f"{self.subject} of firm {self.firm_id}, {self.days_before} days before {self.due_on}"
