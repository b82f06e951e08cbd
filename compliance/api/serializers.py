"""Serializers of the reviewers' screening API and the firms' beneficial-owner declarations.

Answers carry every field: `optional_in_response = ()` has the schema mark each required
(core.api.openapi.AutoSchema), so generated clients type none of them as `Unset`.
"""

from decimal import Decimal

from django_countries.serializer_fields import CountryField
from rest_framework import serializers

from compliance.models import SanctionsList, Screening, ScreeningDecision, ScreeningMatch
from core.api.strict import StrictFieldsMixin
from registry.models import BeneficialOwner, Firm


class ScreeningFirmListSerializer(serializers.ModelSerializer):
    optional_in_response = ()
    firm_id = serializers.IntegerField(source="pk")
    country = serializers.CharField()
    latest_screening_at = serializers.DateTimeField(allow_null=True)
    match_count = serializers.IntegerField()

    class Meta:
        model = Firm
        fields = [
            "firm_id",
            "ref",
            "name",
            "country",
            "side",
            "status",
            "screening_status",
            "latest_screening_at",
            "match_count",
        ]


class SanctionsListSerializer(serializers.ModelSerializer):
    optional_in_response = ()

    class Meta:
        model = SanctionsList
        fields = ["id", "source_name", "sha256", "imported_at", "entries_count", "is_active"]


class ScreeningMatchSerializer(serializers.ModelSerializer):
    optional_in_response = ()
    list_id = serializers.CharField(source="entry.entity_id")
    schema = serializers.CharField(source="entry.schema")
    name = serializers.CharField(source="entry.name")
    aliases = serializers.ListField(source="entry.aliases", child=serializers.CharField())
    countries = serializers.ListField(source="entry.countries", child=serializers.CharField())
    identifiers = serializers.ListField(source="entry.identifiers", child=serializers.CharField())
    sanctions = serializers.ListField(source="entry.sanctions", child=serializers.CharField())
    dataset = serializers.CharField(source="entry.dataset")
    last_change = serializers.CharField(source="entry.last_change")
    # In the request's language (Accept-Language); `explanation_codes` is the same for programs.
    explanation = serializers.CharField(source="explanation_display", read_only=True)

    class Meta:
        model = ScreeningMatch
        fields = [
            "list_id", "schema", "name", "aliases", "countries", "identifiers", "sanctions", "dataset",
            "last_change", "score", "reason", "matched_name", "explanation", "explanation_codes",
        ]  # fmt: skip


class ScreeningSerializer(serializers.ModelSerializer):
    optional_in_response = ()
    list = SanctionsListSerializer(source="sanctions_list", allow_null=True)  # the column is nullable
    matches = ScreeningMatchSerializer(many=True)

    class Meta:
        model = Screening
        fields = ["id", "created_at", "status", "screened_name", "screened_identifiers", "list", "matches"]


class ScreeningDecisionSerializer(serializers.ModelSerializer):
    optional_in_response = ()
    reviewer = serializers.CharField(source="reviewer.username")

    class Meta:
        model = ScreeningDecision
        fields = ["id", "decision", "note", "reviewer", "created_at", "screening", "entry_keys"]


class OwnershipBlockSerializer(serializers.ModelSerializer):
    optional_in_response = ()
    country = serializers.CharField()

    class Meta:
        model = BeneficialOwner
        fields = ["name", "country", "share_percent"]


class ScreeningFirmDetailSerializer(serializers.Serializer):
    optional_in_response = ()
    firm_id = serializers.IntegerField()
    ref = serializers.CharField()
    name = serializers.CharField()
    country = serializers.CharField()
    status = serializers.CharField()
    screening_status = serializers.CharField()
    eligible_for_matching = serializers.BooleanField()
    screening = ScreeningSerializer(allow_null=True)
    decisions = ScreeningDecisionSerializer(many=True)
    ownership_block = OwnershipBlockSerializer(many=True)


class DecisionInputSerializer(StrictFieldsMixin, serializers.Serializer):
    note = serializers.CharField(max_length=4000, allow_blank=False, trim_whitespace=True)


class OwnerSerializer(StrictFieldsMixin, serializers.ModelSerializer):
    country = CountryField()
    share_percent = serializers.DecimalField(
        max_digits=5,
        decimal_places=2,
        min_value=Decimal("10.01"),
        max_value=Decimal("100"),
        error_messages={"min_value": "Declare only owners holding more than 10%%."},
    )

    class Meta:
        model = BeneficialOwner
        fields = ["id", "name", "country", "share_percent"]  # id: read-only, for DELETE .../owners/{id}/


class OwnersInputSerializer(StrictFieldsMixin, serializers.Serializer):
    owners = OwnerSerializer(many=True, allow_empty=True, max_length=50)


class OwnersOutputSerializer(serializers.Serializer):
    optional_in_response = ()
    firm_id = serializers.IntegerField()
    owners = OwnerSerializer(many=True)
    blocks_matching = serializers.BooleanField()
