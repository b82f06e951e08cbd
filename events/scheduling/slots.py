"""An event's meeting slots: days x blocks x meeting length, numbered in time order.

Slots are cut in real (aware) time in the event's time zone: on the night clocks jump forward a
local time that does not exist starts no slot, and a meeting across a change lasts its real minutes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class Slot:
    index: int
    day: int  # index into the event's days
    block: int  # index into the day's blocks
    date: dt.date  # local date of the start
    start: dt.time  # local wall-clock start
    end: dt.time  # local wall-clock end
    starts_at: dt.datetime  # aware start, in the event's time zone
    ends_at: dt.datetime  # aware end


def parse_hhmm(value: str) -> int:
    """Minutes after midnight of "HH:MM"; ValueError otherwise."""
    hours, minutes = value.split(":")
    if len(hours) != 2 or len(minutes) != 2 or not (hours + minutes).isdigit():
        raise ValueError(value)
    h, m = int(hours), int(minutes)
    if not (0 <= h < 24 and 0 <= m < 60):
        raise ValueError(value)
    return h * 60 + m


def local_instant(date: dt.date, minutes: int, tz: dt.tzinfo) -> dt.datetime:
    """The real instant of a local wall-clock time, in `tz`. A time skipped by a jump forward is
    read with the offset before the jump (PEP 495, fold=0), so it lands after the jump: 03:15 on
    a night that skips 03:00-04:00 is 04:15."""
    wall = dt.datetime.combine(date, dt.time(minutes // 60, minutes % 60), tzinfo=tz)
    return wall.astimezone(dt.UTC).astimezone(tz)


def event_slots(
    *, days: list[dt.date], blocks: list[dict[str, str]], meeting_minutes: int, tz: dt.tzinfo = dt.UTC
) -> list[Slot]:
    """Every slot: each day, each block ({"start": "09:00", "end": "12:30"}), cut into meetings of
    `meeting_minutes` real minutes in the time zone `tz`.

    The gaps between blocks are the breaks; a block's remainder shorter than a meeting is unused.
    """
    slots: list[Slot] = []
    length = dt.timedelta(minutes=meeting_minutes)
    for day_index, date in enumerate(days):
        for block_index, block in enumerate(blocks):
            # Arithmetic in UTC: adding minutes to an aware local datetime in Python is wall-clock.
            start = local_instant(date, parse_hhmm(block["start"]), tz).astimezone(dt.UTC)
            end = local_instant(date, parse_hhmm(block["end"]), tz).astimezone(dt.UTC)
            t = start
            while t + length <= end:
                a, b = t.astimezone(tz), (t + length).astimezone(tz)
                slots.append(Slot(len(slots), day_index, block_index, a.date(), a.time(), b.time(), a, b))
                t += length
    return slots
