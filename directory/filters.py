"""The directory's query: filters and sort, validated like every API filter (400 naming the parameter).

Search is the registry's own rule (`registry.api.filters.FirmFilter.filter_search`): any part of
the name, or every word as a prefix in the description, through the same full-text column; the
`simple` configuration does not stem, so Ukrainian and English words are found alike.
"""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.api.filters import BoundedFilterSet
from directory.completeness import completeness_filter
from registry.api.filters import SEARCH_MAX_LENGTH, FirmFilter, _at_most_ten_words
from registry.models import Certification, Clearance, Firm, FirmCapability, FirmPlatform, PartnershipType

# Size bands by head count (the EU's SME definition): band -> (min, max) employees, max inclusive.
SIZE_BANDS = {
    "micro": (0, 9),
    "small": (10, 49),
    "medium": (50, 249),
    "large": (250, None),
}
SIZE_CHOICES = [
    ("micro", _("Micro (under 10 people)")),
    ("small", _("Small (10-49 people)")),
    ("medium", _("Medium (50-249 people)")),
    ("large", _("Large (250 people or more)")),
]
SORT_RELEVANCE, SORT_NAME, SORT_FIT = "relevance", "name", "fit"
SORT_CHOICES = [
    (SORT_RELEVANCE, _("Relevance")),
    (SORT_NAME, _("Name")),
    (SORT_FIT, _("Fit for my firm")),
]
# The parameters a saved search keeps (sort and page are how one looks, not what one looks for).
QUERY_PARAMS = (
    "search",
    "side",
    "country",
    "offers",
    "seeks",
    "platform",
    "partnership_type",
    "certification",
    "clearance",
    "size",
)


def size_band(employees: int | None) -> str:
    """The band of a head count ("" when not given)."""
    if employees is None:
        return ""
    for band, (low, high) in SIZE_BANDS.items():
        if employees >= low and (high is None or employees <= high):
            return band
    return ""


class DirectoryFilter(BoundedFilterSet):
    search = django_filters.CharFilter(
        label=_("Search"),
        method="filter_search",
        max_length=SEARCH_MAX_LENGTH,
        validators=[_at_most_ten_words],
        help_text="Text in the name, or words in the description (each word as a prefix), in Ukrainian or "
        "English. At most 200 characters and 10 words.",
    )
    side = django_filters.ChoiceFilter(label=_("Side"), choices=Firm.Side.choices)
    country = django_filters.CharFilter(
        label=_("Country code"), method="filter_country", max_length=2, help_text="ISO 3166-1 alpha-2"
    )
    offers = django_filters.CharFilter(
        label=_("Offers (capability code or domain)"),
        method="filter_offers",
        max_length=64,
        help_text="A capability code or a whole domain the firm offers",
    )
    seeks = django_filters.CharFilter(
        label=_("Seeks (capability code or domain)"),
        method="filter_seeks",
        max_length=64,
        help_text="A capability code or a whole domain the firm seeks",
    )
    platform = django_filters.CharFilter(
        label=_("Platform code"), method="filter_platform", max_length=64, help_text="A platform code"
    )
    partnership_type = django_filters.ChoiceFilter(
        label=_("Partnership type"), choices=PartnershipType.choices, method="filter_json_list"
    )
    certification = django_filters.ChoiceFilter(
        label=_("Certification"), choices=Certification.choices, method="filter_json_list"
    )
    clearance = django_filters.ChoiceFilter(
        label=_("Security clearance"),
        choices=Clearance.choices,
        field_name="security_clearance",
        help_text="The firm's security clearance",
    )
    size = django_filters.ChoiceFilter(
        label=_("Size"), choices=SIZE_CHOICES, method="filter_size", help_text="Size band by head count"
    )

    sort = django_filters.ChoiceFilter(
        label=_("Sort by"),
        choices=SORT_CHOICES,
        method="filter_nothing",
        empty_label=None,
        help_text="relevance (default), name, or fit: the matching score against your firm, computed on the fly "
        "from the prepared model for every firm the filters find on the other side (see directory/scoring.py).",
    )
    firm = django_filters.NumberFilter(
        label=_("For my firm"),
        method="filter_nothing",
        help_text="With sort=fit: which of your firms to compare with (default: your first).",
    )

    class Meta:
        model = Firm
        fields = list(QUERY_PARAMS)

    def filter_nothing(self, queryset, name, value):
        return queryset  # how to present the result, read by the view

    filter_search = FirmFilter.filter_search

    def filter_country(self, queryset, name, value):
        return queryset.filter(country=value.upper())

    @staticmethod
    def _capability(queryset, kind: str, value: str):
        # A subquery, not a join: a firm offering two codes of a domain appears once.
        links = FirmCapability.objects.filter(Q(capability__code=value) | Q(capability__domain=value), kind=kind)
        return queryset.filter(pk__in=links.values("firm_id"))

    def filter_offers(self, queryset, name, value):
        return self._capability(queryset, FirmCapability.Kind.OFFER, value)

    def filter_seeks(self, queryset, name, value):
        return self._capability(queryset, FirmCapability.Kind.SEEK, value)

    def filter_platform(self, queryset, name, value):
        return queryset.filter(pk__in=FirmPlatform.objects.filter(platform__code=value).values("firm_id"))

    def filter_json_list(self, queryset, name, value):
        field = {"partnership_type": "partnership_types", "certification": "certifications"}[name]
        return queryset.filter(**{f"{field}__contains": [value]})

    def filter_size(self, queryset, name, value):
        low, high = SIZE_BANDS[value]
        queryset = queryset.filter(employees__gte=low)
        return queryset if high is None else queryset.filter(employees__lte=high)


# Completeness bands of the reviewers' firm list: band -> (lowest, highest) percentage, inclusive.
COMPLETENESS_BANDS = {"low": (0, 49), "partial": (50, 79), "high": (80, 100)}
COMPLETENESS_CHOICES = [(band, f"{low}–{high} %") for band, (low, high) in COMPLETENESS_BANDS.items()]
STALE_CHOICES = [("true", _("Stale: not confirmed in time")), ("false", _("Current"))]


class ReviewerFirmFilter(BoundedFilterSet):
    """Reviewers' list of every firm, any status: the one definition of its filters, for the page,
    the API list and both exports (`directory.selectors.reviewer_firm_filter`)."""

    q = django_filters.CharFilter(
        label=_("Name, EDRPOU, LEI or ref"),
        method="filter_q",
        max_length=SEARCH_MAX_LENGTH,
        help_text=_("Any part of the name, or exactly an EDRPOU, LEI or ref."),
    )
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Firm.Status.choices, empty_label=_("Any"))
    side = django_filters.ChoiceFilter(label=_("Side"), choices=Firm.Side.choices, empty_label=_("Any"))
    country = django_filters.CharFilter(
        label=_("Country code"), max_length=2, method="filter_country", help_text="ISO 3166-1 alpha-2"
    )
    screening = django_filters.ChoiceFilter(
        label=_("Screening"),
        field_name="screening_status",
        choices=Firm.ScreeningStatus.choices,
        empty_label=_("Any"),
        help_text=_("The firm's sanctions-screening status."),
    )
    completeness = django_filters.ChoiceFilter(
        label=_("Completeness"),
        choices=COMPLETENESS_CHOICES,
        method="filter_completeness",
        empty_label=_("Any"),
        help_text=_("How complete the profile is, in percent (as the firm's dashboard shows it)."),
    )
    min_completeness = django_filters.NumberFilter(
        label=_("Minimum completeness"),
        method="filter_min_completeness",
        min_value=0,
        max_value=100,
        help_text=_("At least this percentage complete (0-100)."),
    )
    stale = django_filters.ChoiceFilter(
        label=_("Profile current"),
        choices=STALE_CHOICES,
        method="filter_stale",
        empty_label=_("Any"),
        help_text=_(
            "true: profiles no member has confirmed for PROFILE_STALE_MONTHS (hidden from the directory and "
            "paused from matching); false: the others."
        ),
    )

    class Meta:
        model = Firm
        fields = ["q", "status", "side", "country", "screening", "completeness", "min_completeness", "stale"]

    def filter_q(self, queryset, name, value):
        text = value.strip()
        if not text:
            return queryset
        return queryset.filter(Q(name__icontains=text) | Q(edrpou=text) | Q(lei__iexact=text) | Q(ref__iexact=text))

    def filter_country(self, queryset, name, value):
        return queryset.filter(country=value.upper())

    def filter_completeness(self, queryset, name, value):
        low, high = COMPLETENESS_BANDS[value]
        return completeness_filter(queryset, low=low, high=high)

    def filter_min_completeness(self, queryset, name, value):
        return completeness_filter(queryset, low=value)

    def filter_stale(self, queryset, name, value):
        # THE staleness rule (`registry.models.profile_stale_cutoff`), as the directory and matching apply it.
        return queryset.stale() if value == "true" else queryset.fresh()
