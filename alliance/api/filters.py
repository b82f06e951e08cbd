"""Query filters of the firm list: country, side, status, capability offered/sought, text search."""

import django_filters
from django.db.models import F, Q
from rest_framework.filters import OrderingFilter

from alliance.models import Firm, FirmCapability


class FirmFilter(django_filters.FilterSet):
    country = django_filters.CharFilter(method="filter_country", help_text="ISO 3166-1 alpha-2, e.g. DE")
    side = django_filters.ChoiceFilter(choices=Firm.Side.choices)
    status = django_filters.ChoiceFilter(choices=Firm.Status.choices)
    offers = django_filters.CharFilter(method="filter_offers", help_text="A capability code the firm offers")
    seeks = django_filters.CharFilter(method="filter_seeks", help_text="A capability code the firm seeks")
    search = django_filters.CharFilter(method="filter_search", help_text="Text in the name or description")

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
        return queryset.filter(Q(name__icontains=value) | Q(description__icontains=value))


class NullsLastOrderingFilter(OrderingFilter):
    """`?ordering=-employees` lists firms that gave no head count last on every database (PostgreSQL
    would put NULLs first when descending), with the id as tie-breaker so pages are stable."""

    def filter_queryset(self, request, queryset, view):
        ordering = self.get_ordering(request, queryset, view)
        if not ordering:
            return queryset
        terms = [F(f[1:]).desc(nulls_last=True) if f.startswith("-") else F(f).asc(nulls_last=True) for f in ordering]
        return queryset.order_by(*terms, "id")
