"""DRF's own error messages in the reader's language, with real plural forms.

DRF's Ukrainian catalogue lacks some of its messages. The project's catalogue (LOCALE_PATHS,
which Django reads before any app's own) translates them under DRF's exact msgids, listed below
so that makemessages keeps them. DRF words its list-length and throttling messages without plural forms
("at least {min_length} elements"); `use_plural_messages` (called once from `CoreConfig.ready`)
replaces them for every ListField, `many=True` list and 429 answer.
"""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

# DRF's msgids that its Ukrainian catalogue does not translate (locale/uk has them).
DRF_MESSAGES = (
    _("A valid biginteger is required."),
    _("Datetime value out of range."),
    _('Enter a valid "slug" consisting of Unicode letters, numbers, underscores, or hyphens.'),
    _("Integer value too large to convert to float"),
    _('Invalid datetime for the timezone "{timezone}".'),
    _("Invalid input."),
    _("Must be a valid UUID."),
    _("Must be a valid boolean."),
    _("Not a valid string."),
    _("The number of days must be between {min_days} and {max_days}."),
    _("This dictionary may not be empty."),
    _("Request was throttled."),  # DRF's own Ukrainian says "the request was ignored"
)

LIST_MIN_LENGTH = ngettext_lazy(
    "This list must have at least {min_length} item.",
    "This list must have at least {min_length} items.",
    "min_length",
)
LIST_MAX_LENGTH = ngettext_lazy(
    "This list must have no more than {max_length} item.",
    "This list must have no more than {max_length} items.",
    "max_length",
)

# DRF formats its two wait messages before choosing between them, so neither ever has a Ukrainian
# plural form; one plural-aware message for both picks the form when `.format(wait=...)` is called.
THROTTLED_WAIT = ngettext_lazy("Expected available in {wait} second.", "Expected available in {wait} seconds.", "wait")


def use_plural_messages() -> None:
    """Make DRF's messages with a number plural-aware: the list fields' length messages (DRF formats
    them with `.format(min_length=...)`, which picks the plural form of the number) and a 429's wait."""
    from rest_framework import exceptions, fields, serializers

    for cls in (fields.ListField, serializers.ListSerializer):
        cls.default_error_messages = {
            **cls.default_error_messages,
            "min_length": LIST_MIN_LENGTH,
            "max_length": LIST_MAX_LENGTH,
        }
    exceptions.Throttled.extra_detail_singular = THROTTLED_WAIT
    exceptions.Throttled.extra_detail_plural = THROTTLED_WAIT
