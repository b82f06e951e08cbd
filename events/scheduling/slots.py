"""An event's meeting slots: days x blocks x meeting length, numbered in time order."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class Slot:
    index: int
    day: int  # index into the event's days
    block: int  # index into the day's blocks
    date: dt.date
    start: dt.time
    end: dt.time


def parse_hhmm(value: str) -> int:
    """Minutes after midnight of "HH:MM"; ValueError otherwise."""
    hours, minutes = value.split(":")
    if len(hours) != 2 or len(minutes) != 2 or not (hours + minutes).isdigit():
        raise ValueError(value)
    h, m = int(hours), int(minutes)
    if not (0 <= h < 24 and 0 <= m < 60):
        raise ValueError(value)
    return h * 60 + m


def _time(minutes: int) -> dt.time:
    return dt.time(minutes // 60, minutes % 60)


def event_slots(*, days: list[dt.date], blocks: list[dict[str, str]], meeting_minutes: int) -> list[Slot]:
    """Every slot: each day, each block ({"start": "09:00", "end": "12:30"}), cut into meetings.

    The gaps between blocks are the breaks; a block's remainder shorter than a meeting is unused.
    """
    slots: list[Slot] = []
    for day_index, date in enumerate(days):
        for block_index, block in enumerate(blocks):
            start, end = parse_hhmm(block["start"]), parse_hhmm(block["end"])
            t = start
            while t + meeting_minutes <= end:
                slots.append(Slot(len(slots), day_index, block_index, date, _time(t), _time(t + meeting_minutes)))
                t += meeting_minutes
    return slots
