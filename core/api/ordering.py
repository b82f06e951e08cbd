"""`?ordering=`: validated against the view's `ordering_fields`, documented as an enum, stable.

One filter for every list that orders: an unknown field answers 400 naming `ordering` and listing the
allowed values (DRF's own filter drops it silently and returns the default order, so a typo looked like
a success); the id breaks ties so pages stay stable; the schema lists the values from the same
`ordering_fields`, so the rule and the documentation cannot drift apart.
"""

from __future__ import annotations

from django.utils import translation
from rest_framework import serializers
from rest_framework.filters import OrderingFilter


def ordering_values(view) -> list[str]:
    """The values `?ordering=` takes on `view`: each field ascending and descending, plus the change
    feed's `<sync_field>,id` where the view has one (core.api.pagination.SyncPagination)."""
    fields = [f for f in getattr(view, "ordering_fields", None) or () if isinstance(f, str) and f != "__all__"]
    values = [v for f in fields for v in (f, f"-{f}")]
    if "id" not in fields:
        values += ["id", "-id"]
    sync_field = getattr(view, "sync_field", None)
    if sync_field:
        values.append(f"{sync_field},id")
    return values


class CheckedOrderingFilter(OrderingFilter):
    """DRF's ordering filter, refusing unknown fields (400) and adding the id as the last term."""

    def get_valid_fields(self, queryset, view, context=None):
        fields = super().get_valid_fields(queryset, view, context or {})
        if not any(name == "id" for name, _ in fields):
            fields = [*fields, ("id", "id")]
        return fields

    def remove_invalid_fields(self, queryset, fields, view, request):
        allowed = {name for name, _ in self.get_valid_fields(queryset, view, {"request": request})}
        unknown = [term for term in fields if term.lstrip("-") not in allowed]
        if unknown:
            choices = ", ".join(sorted(allowed))
            message = translation.gettext("Unknown ordering field %(names)s; order by one or more of: %(choices)s.")
            raise serializers.ValidationError(
                {"ordering": [message % {"names": ", ".join(unknown), "choices": choices}]}
            )
        return super().remove_invalid_fields(queryset, fields, view, request)

    def get_ordering(self, request, queryset, view):
        ordering = super().get_ordering(request, queryset, view)
        if ordering and not any(term.lstrip("-") == "id" for term in ordering):
            ordering = [*ordering, "id"]
        return ordering

    def get_schema_operation_parameters(self, view):
        values = ordering_values(view)
        return [
            {
                "name": self.ordering_param,
                "required": False,
                "in": "query",
                "description": "Comma-separated fields, `-` for descending; the id breaks ties. An unknown field "
                "answers 400. Each value alone, or several joined with commas: "
                + ", ".join(f"`{v}`" for v in values)
                + ".",
                "schema": {"type": "string", "enum": values},
            }
        ]
