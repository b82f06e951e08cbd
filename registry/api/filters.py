"""Query filters of the firm list: country, side, status, capability offered/sought, text search."""

import django_filters
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import BooleanField, Expression, F, Q

from core.api.filters import BoundedFilterSet
from core.api.ordering import CheckedOrderingFilter
from registry.models import Firm, FirmCapability, Platform
from registry.selectors import platform_search

SEARCH_MAX_LENGTH = 200
SEARCH_MAX_WORDS = 10


def _search_words(value: str) -> list[str]:
    # Whitespace-separated, as typed: PostgreSQL's own parser then splits each word the way it
    # split the descriptions ("7.62mm", "example.com" and "C++" stay what they are).
    return value.lower().split()


def _at_most_ten_words(value: str) -> None:
    if len(_search_words(value)) > SEARCH_MAX_WORDS:
        raise ValidationError(f"Use at most {SEARCH_MAX_WORDS} words.", code="max_words")


class DescriptionWordsMatch(Expression):
    """`<firm table>.description_words @@ to_tsquery('simple', %s)`, with the table's alias in
    the query at hand (`U0` when the queryset becomes a subquery). `description_words` is the
    stored tsvector column of migration 0006: database-only, so Django has no field for it."""

    conditional = True

    def __init__(self, tsquery: str, alias: str | None = None):
        super().__init__(output_field=BooleanField())
        self.tsquery, self.alias = tsquery, alias

    def resolve_expression(self, query=None, allow_joins=True, reuse=None, summarize=False, for_save=False):
        clone = self.copy()
        clone.alias = query.get_initial_alias()
        return clone

    def relabeled_clone(self, change_map):
        clone = self.copy()
        clone.alias = change_map.get(self.alias, self.alias)
        return clone

    def as_sql(self, compiler, connection):
        table = compiler.quote_name_unless_alias(self.alias)
        return f"{table}.description_words @@ to_tsquery('simple', %s)", [self.tsquery]


# The widest integer column (bigint: every id). A number past it made the database driver
# overflow (a 500) instead of the filter answering 400.
class FirmFilter(BoundedFilterSet):
    country = django_filters.CharFilter(method="filter_country", help_text="ISO 3166-1 alpha-2, e.g. DE")
    side = django_filters.ChoiceFilter(choices=Firm.Side.choices)
    status = django_filters.ChoiceFilter(choices=Firm.Status.choices)
    offers = django_filters.CharFilter(method="filter_offers", help_text="A capability code the firm offers")
    seeks = django_filters.CharFilter(method="filter_seeks", help_text="A capability code the firm seeks")
    search = django_filters.CharFilter(
        method="filter_search",
        max_length=SEARCH_MAX_LENGTH,
        validators=[_at_most_ten_words],
        help_text="Text in the name (any part of it), or words in the description (each word as a prefix: "
        "`drone` finds `drones`). At most 200 characters and 10 words.",
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
        words = _search_words(value)
        if not words:
            return queryset
        if connection.vendor != "postgresql":
            # SQLite (local default): every word anywhere in the description (ASCII case folding only).
            every_word = Q()
            for word in words:
                every_word &= Q(description__icontains=word)
            return queryset.filter(Q(name__icontains=value) | every_word)
        # Every word as a quoted prefix: "thermal 7.62mm" -> 'thermal':* & '7.62mm':*. Quotes and
        # backslashes are doubled, so no input can break out of a term; a term of punctuation
        # only becomes an empty query, which matches nothing.
        tsquery = " & ".join("'" + word.replace("\\", "\\\\").replace("'", "''") + "':*" for word in words)
        return queryset.filter(Q(name__icontains=value) | DescriptionWordsMatch(tsquery))


class NullsLastOrderingFilter(CheckedOrderingFilter):
    """`?ordering=-employees` lists firms that gave no head count last on every database (PostgreSQL
    would put NULLs first when descending), with the id as tie-breaker so pages are stable."""

    def filter_queryset(self, request, queryset, view):
        ordering = self.get_ordering(request, queryset, view)
        if not ordering:
            return queryset
        # CheckedOrderingFilter refused unknown fields and put the id last.
        terms = [F(f[1:]).desc(nulls_last=True) if f.startswith("-") else F(f).asc(nulls_last=True) for f in ordering]
        return queryset.order_by(*terms)


class PlatformFilter(BoundedFilterSet):
    kind = django_filters.CharFilter(max_length=32, help_text="A platform kind, e.g. `tank`, `spg`, `sam`.")
    q = django_filters.CharFilter(
        method="filter_q",
        max_length=SEARCH_MAX_LENGTH,
        help_text="Text in the code, the English or the Ukrainian name, e.g. `T-64` or `Гвоздика`.",
    )

    class Meta:
        model = Platform
        fields = ["kind", "q"]

    def filter_q(self, queryset, name, value):
        return platform_search(queryset, q=value)
