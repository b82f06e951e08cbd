"""`{{ event|event_label }}`, `{{ revision|revision_label }}`: history entries as pages show them (`web.history`)."""

from django import template

from web.history import firm_revision_label, proposal_event_label

register = template.Library()


@register.filter
def event_label(event) -> str:
    return proposal_event_label(event)


@register.filter
def revision_label(revision) -> str:
    return firm_revision_label(revision)
