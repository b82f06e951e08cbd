"""Query filters of the firm list: country, side, status, capability offered/sought, text search."""

import re

import django_filters
from django.db import connection
from django.db.models import BooleanField, F, Q
from django.db.models.expressions import RawSQL
from rest_framework.filters import OrderingFilter

from alliance.models import Firm, FirmCapability

WORD = re.compile(r"\w+")


class FirmFilter(django_filters.FilterSet):
    country = django_filters.CharFilter(method="filter_country", help_text="ISO 3166-1 alpha-2, e.g. DE")
    side = django_filters.ChoiceFilter(choices=Firm.Side.choices)
    status = django_filters.ChoiceFilter(choices=Firm.Status.choices)
    offers = django_filters.CharFilter(method="filter_offers", help_text="A capability code the firm offers")
    seeks = django_filters.CharFilter(method="filter_seeks", help_text="A capability code the firm seeks")
    search = django_filters.CharFilter(
        method="filter_search",
        help_text="Text in the name (any part of it), or words in the description (each word as a prefix: "
        "`drone` finds `drones`)",
    )

    class Meta:
        model = Firm
        fields = ["country", "side", "status", "offers", "seeks", "search"]

    def filter_country(self, queryset, name, value):
        return queryset.filter(country=value.upper())

    def _with_capability(self, queryset, kind: str, code: str):
        # A subquery, not a join: a firm matching twice must not appear twice in the page.
        links = FirmCapability.objects.filter(kind=kind, capability__code=code).values("firm_id")
        return queryset.filter(pk__in=links)

    def filter_offers(self, queryset, name, value):
        return self._with_capability(queryset, FirmCapability.Kind.OFFER, value)

    def filter_seeks(self, queryset, name, value):
        return self._with_capability(queryset, FirmCapability.Kind.SEEK, value)

    def filter_search(self, queryset, name, value):
        words = WORD.findall(value.lower())
        if not words:
            return queryset.filter(name__icontains=value)
        if connection.vendor != "postgresql":
            # SQLite (local default): every word anywhere in the description (ASCII case folding only).
            every_word = Q()
            for word in words:
                every_word &= Q(description__icontains=word)
            return queryset.filter(Q(name__icontains=value) | every_word)
        # Every word as a prefix: "thermal optic" -> 'thermal':* & 'optic':*. The words are \w+ only,
        # so the tsquery cannot be malformed. `description_words` is the stored tsvector column of
        # migration 0006 (database-only, so raw SQL), served by its GIN index.
        words_query = " & ".join(f"'{word}':*" for word in words)
        in_description = RawSQL(  # noqa: S611 (constant SQL, the words are a bound parameter)
            f"{Firm._meta.db_table}.description_words @@ to_tsquery('simple', %s)",
            [words_query],
            output_field=BooleanField(),
        )
        return queryset.filter(Q(name__icontains=value) | in_description)


class NullsLastOrderingFilter(OrderingFilter):
    """`?ordering=-employees` lists firms that gave no head count last on every database (PostgreSQL
    would put NULLs first when descending), with the id as tie-breaker so pages are stable."""

    def filter_queryset(self, request, queryset, view):
        ordering = self.get_ordering(request, queryset, view)
        if not ordering:
            return queryset
        terms = [F(f[1:]).desc(nulls_last=True) if f.startswith("-") else F(f).asc(nulls_last=True) for f in ordering]
        return queryset.order_by(*terms, "id")
