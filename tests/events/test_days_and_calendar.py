"""An event's days in time: none in the past (Kyiv time), slots cut in real time across a
daylight-saving change, and the .ics agenda with its VTIMEZONE and translated location."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from icalendar import Calendar

from core.errors import ApplicationError
from events import services
from events.models import Event, Meeting
from events.rules import slot_times, slots_of
from events.scheduling.slots import event_slots
from tests.events.helpers import DAY, accepted, make_event, register

pytestmark = pytest.mark.django_db
KYIV = zoneinfo.ZoneInfo("Europe/Kyiv")
DST_DAY = dt.date(2026, 3, 29)  # Kyiv's clocks jump from 03:00 to 04:00 that night
EVENT = {
    "name_en": "Kyiv Forum",
    "name_uk": "Київський форум",
    "venue": "Kyiv",
    "blocks": [{"start": "09:00", "end": "11:00"}],
    "tables": [{"number": 1}, {"number": 2}],
}
PAST_MESSAGE = {"uk": "Дні не можуть бути в минулому", "en": "Days cannot be in the past"}


def _real(moment: dt.datetime) -> dt.datetime:
    # Python subtracts and compares two datetimes of one zone by the wall clock; real time is UTC's.
    return moment.astimezone(dt.UTC)


def _client(user, language: str) -> Client:
    user.language = language
    user.save(update_fields=["language"])
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


# ---- No day in the past -------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["uk", "en"])
def test_the_service_refuses_a_day_before_today_naming_the_field(rita, language):
    yesterday = timezone.localdate(timezone=KYIV) - dt.timedelta(days=1)
    with translation.override(language), pytest.raises(ApplicationError) as caught:
        services.event_create(reviewer=rita, data={**EVENT, "days": [DAY, yesterday.isoformat()]})
    assert list(caught.value.fields) == ["days"]
    message = caught.value.fields["days"][0]
    assert PAST_MESSAGE[language] in message and yesterday.isoformat() in message and DAY not in message
    assert not Event.objects.exists()


def test_today_in_kyiv_is_not_the_past(rita):
    today = timezone.localdate(timezone=KYIV)
    event = services.event_create(reviewer=rita, data={**EVENT, "days": [today.isoformat()]})
    assert event.days == [today.isoformat()]


@pytest.mark.parametrize("language", ["uk", "en"])
def test_the_api_refuses_1970(rita_client, language):
    response = rita_client.post(
        "/api/v1/events/", {**EVENT, "days": ["1970-01-01"]}, format="json", HTTP_ACCEPT_LANGUAGE=language
    )
    assert response.status_code == 400
    assert PAST_MESSAGE[language] in response.json()["error"]["fields"]["days"][0]


@pytest.mark.parametrize("language", ["uk", "en"])
def test_the_page_refuses_2020_beside_the_days_field(rita, language):
    response = _client(rita, language).post(
        reverse("web:event_create"),
        {"name_en": "Kyiv", "name_uk": "Київ", "venue": "Kyiv", "timezone": "Europe/Kyiv", "days": "2020-01-01",
         "meeting_minutes": 30, "blocks": "09:00-12:00", "table_count": 4, "max_meetings_per_firm": 5},
    )  # fmt: skip
    assert response.status_code == 400
    assert PAST_MESSAGE[language] in " ".join(response.context["form"].errors["days"])
    assert not Event.objects.exists()


def test_an_edit_keeps_the_days_it_had_but_adds_no_past_one(rita):
    long_ago = "2020-01-01"
    event = make_event(status=Event.Status.DRAFT, days=[long_ago, DAY])  # an event made before the rule
    services.event_update(event=event, reviewer=rita, data={"name_en": "Renamed"})
    event.refresh_from_db()
    assert event.name_en == "Renamed" and event.days == [long_ago, DAY]
    with pytest.raises(ApplicationError) as caught:
        services.event_update(event=event, reviewer=rita, data={"days": [long_ago, "2021-05-05", DAY]})
    assert "2021-05-05" in caught.value.fields["days"][0] and long_ago not in caught.value.fields["days"][0]


# ---- Daylight-saving time -------------------------------------------------------------------------


def test_a_block_across_the_spring_jump_has_its_real_minutes():
    """02:30-04:00 on the night 03:00 becomes 04:00 is 30 real minutes: one 30-minute slot, not three."""
    slots = event_slots(days=[DST_DAY], blocks=[{"start": "02:30", "end": "04:00"}], meeting_minutes=30, tz=KYIV)
    assert len(slots) == 1
    (slot,) = slots
    assert _real(slot.ends_at) - _real(slot.starts_at) == dt.timedelta(minutes=30)
    assert slot.starts_at.astimezone(dt.UTC) == dt.datetime(2026, 3, 29, 0, 30, tzinfo=dt.UTC)
    assert (slot.start, slot.end) == (dt.time(2, 30), dt.time(4, 0))  # the wall clock jumps with it


def test_no_slot_starts_at_a_time_that_does_not_exist_that_night():
    slots = event_slots(days=[DST_DAY], blocks=[{"start": "03:00", "end": "05:00"}], meeting_minutes=30, tz=KYIV)
    assert [s.start for s in slots] == [dt.time(4, 0), dt.time(4, 30)]
    for s in slots:  # each exists: local -> UTC -> local gives it back
        assert s.starts_at.astimezone(dt.UTC).astimezone(KYIV) == s.starts_at
        assert _real(s.ends_at) - _real(s.starts_at) == dt.timedelta(minutes=30)
    # The day before, the same block has all four.
    assert len(event_slots(days=[DST_DAY - dt.timedelta(days=1)], blocks=[{"start": "03:00", "end": "05:00"}],
                           meeting_minutes=30, tz=KYIV)) == 4  # fmt: skip


def test_an_events_slots_and_meeting_times_follow_its_time_zone():
    event = make_event(days=[DST_DAY.isoformat()], blocks=[{"start": "02:30", "end": "04:00"}])
    slots = slots_of(event)
    assert len(slots) == 1
    start, end = slot_times(event, slots[0])
    assert _real(end) - _real(start) == dt.timedelta(minutes=30) and start.utcoffset() == dt.timedelta(hours=2)
    assert end.utcoffset() == dt.timedelta(hours=3)


def test_the_autumn_change_gives_the_repeated_hour_its_slots():
    """Clocks go back 04:00 -> 03:00 on 2026-10-25: 02:30-04:00 lasts 150 real minutes, five slots."""
    slots = event_slots(
        days=[dt.date(2026, 10, 25)], blocks=[{"start": "02:30", "end": "04:00"}], meeting_minutes=30, tz=KYIV
    )
    assert len(slots) == 5
    assert len({_real(s.starts_at) for s in slots}) == 5 and all(
        _real(b.starts_at) - _real(a.starts_at) == dt.timedelta(minutes=30)
        for a, b in zip(slots, slots[1:], strict=False)
    )


# ---- The .ics agenda ------------------------------------------------------------------------------------


@pytest.fixture
def published_meeting(alice, bob, firm_a, firm_b):
    event = make_event(status=Event.Status.PUBLISHED, venue="Kyiv")
    pa, pb = register(event, firm_a, alice), register(event, firm_b, bob)
    request = accepted(pb, pa)
    Meeting.objects.create(event=event, request=request, slot=1, table=0, published_slot=1, published_table=0)
    return event, pa


@pytest.mark.parametrize("language", ["uk", "en"])
def test_the_ics_agenda_has_a_vtimezone_and_a_translated_location(published_meeting, alice, language):
    event, pa = published_meeting
    response = _client(alice, language).get(reverse("web:event_agenda_ics", args=[pa.pk]))
    assert response.status_code == 200
    cal = Calendar.from_ical(response.content)
    timezones = cal.walk("VTIMEZONE")
    assert [str(tz["TZID"]) for tz in timezones] == ["Europe/Kyiv"]
    assert timezones[0].walk("STANDARD") and timezones[0].walk("DAYLIGHT")  # the rules, not only one offset
    assert not cal.get_missing_tzids()
    (vevent,) = cal.walk("VEVENT")
    assert vevent["DTSTART"].params["TZID"] == "Europe/Kyiv"
    location = {"uk": "Kyiv, стіл 1 (A)", "en": "Kyiv, table 1 (A)"}[language]
    assert str(vevent["LOCATION"]) == location
    summary = {"uk": "стіл 1 (A)", "en": "table 1 (A)"}[language]
    assert summary in str(vevent["SUMMARY"])
    # The start in the file is the slot's real start (09:30 Kyiv time, slot 1).
    assert vevent.decoded("DTSTART") == dt.datetime.combine(dt.date.fromisoformat(DAY), dt.time(9, 30), tzinfo=KYIV)
