"""Directory payloads: public profiles only (never contacts, owners, screening or notes)."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api.strict import StrictFieldsMixin
from directory.models import SavedSearch
from directory.services import MESSAGE_MAX, MESSAGE_MIN


class DirectoryCapabilitySerializer(serializers.Serializer):
    code = serializers.CharField()
    domain = serializers.CharField()
    name = serializers.CharField(help_text="In the language of the request.")


class DirectoryPlatformSerializer(serializers.Serializer):
    platform = serializers.CharField()
    role = serializers.CharField()
    name = serializers.CharField()


class DirectoryFirmSerializer(serializers.Serializer):
    """What any firm may see of another before an introduction."""

    id = serializers.IntegerField()
    ref = serializers.CharField()
    name = serializers.CharField()
    country = serializers.CharField()
    side = serializers.CharField()
    website = serializers.CharField()
    employees = serializers.IntegerField(allow_null=True)
    size = serializers.CharField(help_text="Size band: micro, small, medium, large, or empty when not given.")
    founded = serializers.IntegerField(allow_null=True)
    description = serializers.CharField()
    partnership_types = serializers.ListField(child=serializers.CharField())
    certifications = serializers.ListField(child=serializers.CharField())
    certification_expiry = serializers.DictField(
        child=serializers.DateField(),
        help_text="The last day each certification's certificate is valid, where the firm gave it.",
    )
    security_clearance = serializers.CharField()
    offers = DirectoryCapabilitySerializer(many=True)
    seeks = DirectoryCapabilitySerializer(many=True)
    platforms = DirectoryPlatformSerializer(many=True)
    fit = serializers.FloatField(
        allow_null=True,
        help_text="With sort=fit: the matching score against your firm (0-1), as a match run scores the pair "
        "(computed on the fly from the prepared model); null otherwise.",
    )


@extend_schema_field({"type": "string", "minLength": MESSAGE_MIN, "maxLength": MESSAGE_MAX})
class IntroductionMessageField(serializers.CharField):
    """The schema says the real rule (20-1,000 characters, surrounding spaces not counted); the service
    checks it and says it in words (400 `required` or `length`, naming `message`). The field's own
    limit is only a bound far above it, so its terser message never comes first."""


class IntroductionRequestInput(StrictFieldsMixin, serializers.Serializer):
    message = IntroductionMessageField(
        max_length=MESSAGE_MAX + 1000,  # a bound only: directory.services checks 20-1,000
        allow_blank=True,
        trim_whitespace=False,
        help_text="20-1,000 characters: why you ask for this introduction and what you propose.",
    )
    firm = serializers.IntegerField(
        required=False, min_value=1, max_value=2**63 - 1, help_text="Which of your firms asks (when you have several)."
    )


class IntroductionRequestSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="The proposal's id.")
    status = serializers.CharField()
    origin = serializers.CharField()
    score = serializers.FloatField()
    requested_by_firm = serializers.IntegerField(source="requested_by_firm_id")
    request_message = serializers.CharField()


class SavedSearchSerializer(serializers.ModelSerializer):
    class Meta:
        model = SavedSearch
        fields = ["id", "name", "query", "frequency", "created_at"]
        read_only_fields = fields


class SavedSearchInput(StrictFieldsMixin, serializers.Serializer):
    name = serializers.CharField(required=False, allow_blank=True, max_length=120)
    query = serializers.DictField(
        child=serializers.CharField(max_length=200, allow_blank=True),
        help_text="Directory filters: search, side, country, offers, seeks, platform, partnership_type, "
        "certification, clearance, size.",
    )
    frequency = serializers.ChoiceField(choices=SavedSearch.Frequency.choices, required=False)


class SavedSearchUpdateInput(StrictFieldsMixin, serializers.Serializer):
    name = serializers.CharField(required=False, max_length=120)
    frequency = serializers.ChoiceField(choices=SavedSearch.Frequency.choices, required=False)


class ReviewerFirmSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    ref = serializers.CharField()
    name = serializers.CharField()
    country = serializers.CharField()
    side = serializers.CharField()
    edrpou = serializers.CharField()
    lei = serializers.CharField()
    status = serializers.CharField()
    screening_status = serializers.CharField()
    completeness = serializers.IntegerField(help_text="How complete the profile is, in percent (0-100).")
    created_at = serializers.DateTimeField()
    confirmed_at = serializers.DateTimeField(help_text="When a member last confirmed (or edited) the profile.")
    stale = serializers.BooleanField(
        source="is_stale",
        help_text="Not confirmed for PROFILE_STALE_MONTHS: hidden from the directory and paused from matching.",
    )
