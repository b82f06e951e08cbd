"""Domain events: an app says what happened to its own data; other apps react, without imports.

The publishing service calls `publish(EVENT, **payload)` inside its transaction. Each app that
cares subscribes in its own `AppConfig.ready()`. Handlers run synchronously, in order of
subscription, inside the publisher's transaction: what they write commits or rolls back with the
change that caused it, under the same row locks (a withdrawal can never lag a suspension). A
reaction that may wait (screening, a rematch, a notification) is put on the outbox by its handler
or by the publisher, which keeps the outbox's guarantees.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any

# A firm can no longer be introduced: payload firm, actor, actor_role, reason, data.
FIRM_SUSPENDED = "firm.suspended"
FIRM_IDENTITY_CHANGED = "firm.identity_changed"
SCREENING_CONFIRMED = "screening.confirmed"
# A verified firm's profile changed (it stays verified): payload firm, actor.
FIRM_CHANGED = "firm.changed"
# A reviewer verified (or reinstated) a firm: payload firm, actor.
FIRM_VERIFIED = "firm.verified"
# A firm's owners and editors are to be told something about their firm (a profile about to go
# stale, a certification expiring): payload firm, kind, key (once per key and person), render
# (a callable giving (title, body) in the active language). The notifications app delivers it.
FIRM_REMINDER = "firm.reminder"
# A proposal changed state (or one firm accepted): payload proposal_event (its notifications already made).
PROPOSAL_TRANSITIONED = "proposal.transitioned"
# A reviewer published an event's agenda (preliminary or final): payload event_id, event_name, final,
# version, participations (a list of {"participation": id, "firm": firm id}, the active ones).
EVENT_AGENDA_PUBLISHED = "event.agenda_published"

_subscribers: dict[str, list[Callable[..., Any]]] = defaultdict(list)


def subscribe(event: str, handler: Callable[..., Any]) -> None:
    """Call `handler(**payload)` on every `publish(event, ...)`; subscribing twice is harmless."""
    if handler not in _subscribers[event]:
        _subscribers[event].append(handler)


def publish(event: str, **payload: Any) -> list[Any]:
    """Run every subscriber of `event` now, in the caller's transaction; returns their results."""
    return [handler(**payload) for handler in list(_subscribers[event])]
