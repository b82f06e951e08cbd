"""Shapes of the registry API. A firm is the exchange format field for field plus read-only fields.

Input rules live in `registry.exchange` (called by the services), so the write serializers
here only document the request shape for OpenAPI; the output serializer renders a firm
from its clean document.
"""

from typing import Any

from django.utils import timezone
from django.utils.translation import get_language
from rest_framework import serializers

from core.api.strict import StrictFieldsMixin
from registry.exchange import MAX_COUNT, firm_clean_document
from registry.history import revision_note
from registry.models import (
    INTRO_CAPACITY_MAX,
    Capability,
    Certification,
    Clearance,
    ExportRegime,
    Firm,
    FirmCapability,
    FirmRevision,
    PartnershipType,
    Platform,
    PlatformRole,
)
from registry.validators import FOUNDED_MIN


class CapabilityEntrySerializer(serializers.Serializer):
    optional_in_response = ()  # answers always carry every field (core.api.openapi.AutoSchema)
    capability = serializers.CharField(help_text="A capability code from `GET /api/v1/capabilities/`.")
    detail = serializers.CharField(required=False, allow_blank=True, max_length=500)
    monthly_capacity = serializers.IntegerField(required=False, allow_null=True, min_value=0, max_value=MAX_COUNT)

    def to_representation(self, instance):
        # A firm's history keeps entries in the exchange format, which leaves out an empty detail and
        # an unknown capacity: answered as "" and null, like the firm's own offers and seeks.
        data = super().to_representation(instance)
        data.setdefault("detail", "")
        data.setdefault("monthly_capacity", None)
        return data


class PlatformEntrySerializer(serializers.Serializer):
    platform = serializers.CharField(help_text="A platform code from `GET /api/v1/platforms/`.")
    role = serializers.ChoiceField(PlatformRole.choices, help_text="What the firm does with the platform.")


class FirmCapabilityInputSerializer(StrictFieldsMixin, CapabilityEntrySerializer):
    """One capability to add to (or replace in) a firm's offers or seeks."""

    kind = serializers.ChoiceField(
        FirmCapability.Kind.choices, help_text="`offer`: into `offers`; `seek`: into `seeks`."
    )


class FirmPlatformInputSerializer(StrictFieldsMixin, PlatformEntrySerializer):
    """One platform and role pair to add to a firm."""


class PlatformEntryReadSerializer(PlatformEntrySerializer):
    name = serializers.CharField(read_only=True, help_text="The platform's name in the request's language.")


class ContactSerializer(serializers.Serializer):
    optional_in_response = ()
    name = serializers.CharField(max_length=200)
    email = serializers.EmailField()
    phone = serializers.CharField(
        required=False,
        allow_null=True,
        allow_blank=True,
        help_text="As people write it: international (`+38 (067) 123-45-67`, `00380671234567`) or local to the "
        "firm's `country` (`067 123 45 67` for a Ukrainian firm). Read with libphonenumber "
        "(`registry/phones.py`) and stored and returned in international E.164 form (`+380671234567`); "
        "a number that is not valid for its country is a 400 naming `contact.phone`.",
    )


class FirmWriteSerializer(serializers.Serializer):
    """A firm profile in the `alliance-firms/1` exchange format (request body of create and update)."""

    ref = serializers.RegexField(r"^[a-z0-9._-]{1,64}$", help_text="Your stable key for the firm; cannot change later.")
    name = serializers.CharField(min_length=2, max_length=200)
    country = serializers.CharField(
        min_length=2, max_length=2, help_text="ISO 3166-1 alpha-2: UA, or an eligible partner country."
    )
    edrpou = serializers.CharField(required=False, allow_null=True, help_text="Required for UA; absent otherwise.")
    lei = serializers.CharField(required=False, allow_null=True, allow_blank=True)
    ncage = serializers.CharField(required=False, allow_null=True, allow_blank=True)
    website = serializers.URLField(required=False, allow_null=True, allow_blank=True)
    employees = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=MAX_COUNT)
    founded = serializers.IntegerField(
        required=False, allow_null=True, min_value=FOUNDED_MIN, help_text="From 1800 to the current year."
    )
    intro_capacity = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=0,
        max_value=INTRO_CAPACITY_MAX,
        help_text="Introductions the firm can handle at once; null: a default by size (3 below 50 employees, "
        "5 below 250, 10 below 1,000, 20 above).",
    )
    description = serializers.CharField(min_length=20, max_length=5000)
    offers = CapabilityEntrySerializer(many=True, required=False)
    seeks = CapabilityEntrySerializer(many=True, required=False)
    platforms = PlatformEntrySerializer(
        many=True,
        required=False,
        help_text="Weapon systems the firm works on, each with a role; a platform and role pair at most once.",
    )
    partnership_types = serializers.ListField(child=serializers.ChoiceField(PartnershipType.choices), min_length=1)
    certifications = serializers.ListField(child=serializers.ChoiceField(Certification.choices), required=False)
    certification_expiry = serializers.DictField(
        child=serializers.DateField(),
        required=False,
        help_text='The last day each listed certification is valid, e.g. {"ISO-9001": "2027-03-31"}; '
        "certifications without a date may be left out. Reminders go out 30 and 7 days before, and on the "
        "day after, the certification is removed. Left out of a request: the recorded dates of the "
        "certifications still listed are kept; `{}` clears them.",
    )
    security_clearance = serializers.ChoiceField(Clearance.choices, required=False)
    export_regimes = serializers.ListField(child=serializers.ChoiceField(ExportRegime.choices), required=False)
    languages = serializers.ListField(child=serializers.CharField(min_length=2, max_length=2), required=False)
    contact = ContactSerializer()


class FirmSerializer(FirmWriteSerializer):
    """A firm as the API returns it. `contact` is null unless you may see it (members and reviewers);
    `screening_status` is there for reviewers only (context `screening_visible`)."""

    optional_in_response = ("screening_status",)

    id = serializers.IntegerField(read_only=True)
    side = serializers.ChoiceField(Firm.Side.choices, read_only=True)
    status = serializers.ChoiceField(Firm.Status.choices, read_only=True)
    # Not read-only, so the schema does not list it as required: it is absent unless you may see
    # it (`registry.selectors.firm_screening_visible_to`). The serializer is only ever output.
    screening_status = serializers.ChoiceField(
        Firm.ScreeningStatus.choices,
        required=False,
        help_text="Sanctions screening result. Present for reviewers and administrators only.",
    )
    status_changed_at = serializers.DateTimeField(read_only=True, allow_null=True)
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)
    contact = ContactSerializer(allow_null=True, read_only=True)
    edrpou = serializers.CharField(allow_null=True, read_only=True)
    security_clearance = serializers.ChoiceField(Clearance.choices, read_only=True)
    platforms = PlatformEntryReadSerializer(many=True, read_only=True)
    intro_capacity_override = serializers.IntegerField(
        read_only=True,
        allow_null=True,
        help_text="The ministry's override of `intro_capacity` (wins when set); reviewers set it with "
        "`POST /api/v1/firms/{id}/capacity-override/`.",
    )

    confirmed_at = serializers.DateTimeField(
        read_only=True,
        help_text="When an owner or editor last confirmed (or edited) the profile; "
        "`POST /api/v1/firms/{id}/confirm/` confirms it.",
    )
    stale_on = serializers.DateTimeField(
        read_only=True, help_text="When the profile goes stale unless confirmed again (PROFILE_STALE_MONTHS)."
    )
    stale = serializers.BooleanField(
        read_only=True, help_text="Stale: hidden from the directory and left out of matching until confirmed."
    )

    def to_representation(self, firm: Firm) -> dict[str, Any]:
        visible = self.context.get("contact_visible_ids", set())
        capabilities = self.context.get("capabilities")  # firm_capability_entries of the page, if given
        platforms = self.context.get("platforms")  # firm_platform_entries of the page, if given
        doc = firm_clean_document(
            firm,
            capabilities[firm.pk] if capabilities and firm.pk in capabilities else None,
            platforms[firm.pk] if platforms and firm.pk in platforms else None,
        )
        names = self.context.get("platform_names", {})  # code -> name in the request's language
        data: dict[str, Any] = {"id": firm.pk}
        for name, value in doc.items():
            data[name] = None if value == "" else value
        data["platforms"] = [
            {**entry, "name": names.get(entry["platform"], entry["platform"])} for entry in doc["platforms"]
        ]
        data["contact"] = {**doc["contact"], "phone": doc["contact"]["phone"] or None} if firm.pk in visible else None
        tz = timezone.get_current_timezone()
        data.update(side=firm.side, status=firm.status, intro_capacity_override=firm.intro_capacity_override)
        if self.context.get("screening_visible", False):
            data["screening_status"] = firm.screening_status
        data.update(
            status_changed_at=iso_datetime(firm.status_changed_at, tz),
            created_at=iso_datetime(firm.created_at, tz),
            updated_at=iso_datetime(firm.updated_at, tz),
            confirmed_at=iso_datetime(firm.confirmed_at, tz),
            stale_on=iso_datetime(firm.stale_on, tz),
            stale=firm.is_stale(),
        )
        return data


def iso_datetime(value, tz=None) -> str | None:
    """DRF's ISO 8601 rendering in the current time zone, without its per-call lookups: in a
    loop, look `tz` up once (`timezone.get_current_timezone()`) and pass it."""
    if value is None:
        return None
    text = value.astimezone(tz or timezone.get_current_timezone()).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


class FirmVerifySerializer(StrictFieldsMixin, serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class FirmSuspendSerializer(StrictFieldsMixin, serializers.Serializer):
    reason = serializers.CharField(max_length=2000, help_text="Why the firm is suspended; kept in its history.")


class FirmCapacityOverrideSerializer(StrictFieldsMixin, serializers.Serializer):
    value = serializers.IntegerField(
        allow_null=True,
        min_value=0,
        max_value=INTRO_CAPACITY_MAX,
        help_text="Introductions the firm takes at once whatever it set itself; null clears the override.",
    )
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class FieldChangeSerializer(serializers.Serializer):
    old = serializers.JSONField(read_only=True, allow_null=True, help_text="The value before the change.")
    new = serializers.JSONField(read_only=True, allow_null=True, help_text="The value after the change.")


class FirmRevisionSerializer(serializers.ModelSerializer):
    changes = serializers.DictField(
        child=FieldChangeSerializer(),
        read_only=True,
        help_text="Each changed field's value before and after, in the exchange format (`status` too).",
    )
    changed_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    data = FirmWriteSerializer(read_only=True, help_text="The profile after the change, in the exchange format.")
    note = serializers.SerializerMethodField(
        help_text="A reviewer's reason as written, or the system's note in the request's language."
    )

    class Meta:
        model = FirmRevision
        fields = ["id", "changed_at", "changed_by", "source", "changed_fields", "changes", "note", "data"]
        read_only_fields = fields

    def get_note(self, revision: FirmRevision) -> str:
        return revision_note(revision)


class CapabilitySerializer(serializers.ModelSerializer):
    name = serializers.SerializerMethodField(help_text="The name in the request's language (Accept-Language).")

    class Meta:
        model = Capability
        fields = ["code", "domain", "name", "name_en", "name_uk", "ml_category"]
        read_only_fields = fields

    def get_name(self, obj: Capability) -> str:
        return obj.name_in(get_language())


class PlatformSerializer(serializers.ModelSerializer):
    name = serializers.SerializerMethodField(help_text="The name in the request's language (Accept-Language).")
    capabilities = serializers.ListField(
        child=serializers.CharField(), read_only=True, help_text="Capability codes the platform calls for."
    )

    class Meta:
        model = Platform
        fields = [
            "code",
            "kind",
            "name",
            "name_en",
            "name_uk",
            "oem",
            "origin",
            "calibre",
            "capabilities",
            "in_ukraine",
        ]
        read_only_fields = fields

    def get_name(self, obj: Platform) -> str:
        return obj.name_in(get_language())


class CapabilityWriteSerializer(StrictFieldsMixin, serializers.Serializer):
    code = serializers.CharField(max_length=64, help_text="`<domain>.<name>`, lower case, e.g. `uav.fpv`.")
    domain = serializers.CharField(max_length=32)
    name_en = serializers.CharField(max_length=200)
    name_uk = serializers.CharField(max_length=200)
    ml_category = serializers.CharField(max_length=16, required=False, allow_blank=True)
