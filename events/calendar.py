"""Agendas as iCalendar (RFC 5545) files and feeds, built with the `icalendar` package."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext
from icalendar import Calendar
from icalendar import Event as VEvent

from events.models import Event

PRODID = "-//Alliance Match//Events//EN"


def agenda_ics(*, items: Iterable[tuple[Event, dict[str, Any]]], name: str) -> bytes:
    """One VEVENT per meeting (time, table, counterpart); uid stable per meeting so a calendar updates it."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    stamp = timezone.now()
    days: list[dt.date] = []
    for event, row in items:
        if row["start"] is None:
            continue
        vevent = VEvent()
        vevent.add("uid", f"meeting-{row['id']}@alliance-match")
        vevent.add("dtstamp", stamp)
        vevent.add("dtstart", row["start"])
        vevent.add("dtend", row["end"])
        vevent.add(
            "summary",
            gettext("Meeting with %(firm)s, table %(table)s")
            % {"firm": row["counterpart"].name, "table": row["table"]},
        )
        place = gettext("Online") if event.online else event.venue
        vevent.add("location", gettext("%(place)s, table %(table)s") % {"place": place, "table": row["table"]})
        description = [event.name, row["reason"], *row["reasons"]]
        vevent.add("description", "\n".join(d for d in description if d))
        cal.add_component(vevent)
        days += [row["start"].date(), row["end"].date()]
    if days:
        # RFC 5545 3.2.19: every TZID used needs its VTIMEZONE; icalendar builds them from zoneinfo,
        # with the transitions of a year either side of the meetings (not 1970-2038 for each feed).
        year = dt.timedelta(days=366)
        cal.add_missing_timezones(first_date=min(days) - year, last_date=max(days) + year)
    return cal.to_ical()
