"""`{{ event|event_label }}`, `{{ event|event_note }}`, `{{ revision|revision_label }}`,
`{{ revision|revision_note }}`: history entries as pages show them (`web.history`, `registry.history`)."""

from django import template

from registry.history import field_label as registry_field_label
from registry.history import revision_note as firm_revision_note
from web.history import firm_revision_label, proposal_event_label

register = template.Library()


@register.filter
def event_label(event) -> str:
    return proposal_event_label(event)


@register.filter
def revision_label(revision) -> str:
    return firm_revision_label(revision)


@register.filter
def field_label(name: str) -> str:
    """A profile field's name in the page's language (`registry.history.FIELD_LABELS`)."""
    return registry_field_label(name)


@register.filter
def event_note(event) -> str:
    """A proposal event's note in the page's language (a system note is stored as a code)."""
    return firm_revision_note(event)


@register.filter
def revision_note(revision) -> str:
    """The revision's note in the page's language (a system note is stored as a code)."""
    return firm_revision_note(revision)
