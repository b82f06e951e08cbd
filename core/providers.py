"""Questions a lower app asks and a higher app answers, without the lower one importing it.

The app that knows the answer registers the one function for a question in its `apps.py`
(`answer(NAME, fn)`); the asking app calls `ask(NAME, **kwargs)`. A question nobody answers gets
the asker's `default`: the registry works without the review workflow installed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

# Of `firm_ids`, those connected by an introduction to one of `member_firm_ids` (the asker's own
# firms), while both may still be introduced: their contacts are visible to each other.
# Answered by review; asked by the registry's contact rule.
CONNECTED_FIRM_IDS = "connected_firm_ids"

_answers: dict[str, Callable[..., Any]] = {}


def answer(question: str, fn: Callable[..., Any]) -> None:
    """Make `fn` the one answer to `question` (a second, different answer is a programming error)."""
    if _answers.get(question, fn) is not fn:
        raise RuntimeError(f"{question!r} already has an answer: {_answers[question]!r}")
    _answers[question] = fn


def ask(question: str, *, default: Any = None, **kwargs: Any) -> Any:
    fn = _answers.get(question)
    return default if fn is None else fn(**kwargs)
