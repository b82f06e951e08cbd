"""Event pages in both languages: list, event page, organiser page, agenda, printable agenda, .ics and feed."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from icalendar import Calendar

from events.models import Event, Meeting, MeetingRequest, Participation, ScheduleRun
from tests.events.helpers import DAY, accepted, make_event, register
from tests.factories import ProposalFactory

pytestmark = pytest.mark.django_db
LANGUAGES = ["uk", "en"]


def _client(user, language: str) -> Client:
    user.language = language
    user.save(update_fields=["language"])
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


@pytest.fixture
def published(alice, alice_viewer, bob, firm_a, firm_b):
    event = make_event(status=Event.Status.PUBLISHED)
    pa = register(event, firm_a, alice, alice_viewer)
    pb = register(event, firm_b, bob)
    proposal = ProposalFactory(ukrainian=firm_a, partner=firm_b, status="connected")
    request = accepted(pb, pa, reason="Thermal optics for drones")
    request.proposal = proposal
    request.save()
    meeting = Meeting.objects.create(event=event, request=request, slot=1, table=2, published_slot=1, published_table=2)
    ScheduleRun.objects.create(event=event, status="succeeded", progress=1.0, meetings=1, upper_bound=1, requests=1)
    return event, pa, pb, meeting


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_event_page_renders_in_both_languages(published, alice, rita, language):
    event, pa, pb, meeting = published
    client = _client(alice, language)
    words = {"uk": ("Заходи", "Мій порядок денний", "Стіл"), "en": ("Events", "My agenda", "Table")}[language]
    page = client.get(reverse("web:event_list")).content.decode()
    assert words[0] in page
    assert ("Київський форум" if language == "uk" else "Kyiv Defence") in page
    page = client.get(reverse("web:event_detail", args=[event.pk])).content.decode()
    assert words[1] in page and "Optronik Systems GmbH" in page
    page = client.get(reverse("web:event_agenda", args=[pa.pk])).content.decode()
    reason = "Обидві мають AQAP-2110" if language == "uk" else "Both hold AQAP-2110"
    assert words[2] in page and "Optronik Systems GmbH" in page and reason in page
    assert "09:30" in page and ">3 (B)<" in page  # slot 1 of the first block, table number 3 in zone B
    reviewer = _client(rita, language)
    page = reviewer.get(reverse("web:event_organise", args=[event.pk])).content.decode()
    assert ("Планувальник" if language == "uk" else "Scheduler") in page
    assert 'id="stat-meetings">1 / 1' in page
    run = ScheduleRun.objects.get()
    fragment = reviewer.get(reverse("web:event_run_progress", args=[run.pk])).content.decode()
    assert 'value="100"' in fragment and "hx-get" not in fragment  # finished: no more polling
    page = reviewer.get(reverse("web:event_create")).content.decode()
    assert ("Назва українською" if language == "uk" else "Name in Ukrainian") in page


def test_the_printable_agenda_has_one_page_per_attendee_and_a_print_stylesheet(published, alice):
    event, pa, pb, meeting = published
    page = _client(alice, "uk").get(reverse("web:event_agenda_print", args=[pa.pk])).content.decode()
    assert page.count('class="attendee-page"') == 2  # alice and alice_viewer
    assert "agenda-print.css" in page and "Optronik Systems GmbH" in page
    from django.contrib.staticfiles import finders

    css = open(finders.find("web/css/agenda-print.css")).read()
    assert "@media print" in css and "break-after: page" in css


def test_both_firms_download_the_same_meeting_as_ics(published, alice, bob):
    event, pa, pb, meeting = published
    mine = Calendar.from_ical(_client(alice, "en").get(reverse("web:event_agenda_ics", args=[pa.pk])).content)
    theirs = Calendar.from_ical(_client(bob, "uk").get(reverse("web:event_agenda_ics", args=[pb.pk])).content)
    a, b = mine.walk("VEVENT")[0], theirs.walk("VEVENT")[0]
    assert a.decoded("dtstart") == b.decoded("dtstart") and str(a["uid"]) == str(b["uid"])
    assert (a.decoded("dtstart").hour, a.decoded("dtstart").minute) == (9, 30)
    assert str(a.decoded("dtstart").tzinfo) == "Europe/Kyiv"
    assert "Optronik" in str(a["summary"]) and "SkyForge" in str(b["summary"]) and "3 (B)" in str(b["location"])


def test_the_calendar_feed_needs_only_its_secret_token(published, alice, bob):
    event, pa, pb, meeting = published
    page = _client(alice, "en").get(reverse("web:event_agenda", args=[pa.pk])).content.decode()
    token = alice.event_calendar.token
    assert token in page
    feed = Client().get(reverse("web:event_calendar_feed", args=[token]))
    assert feed.status_code == 200 and feed["Content-Type"].startswith("text/calendar")
    assert len(Calendar.from_ical(feed.content).walk("VEVENT")) == 1
    assert Client().get(reverse("web:event_calendar_feed", args=["wrong-token"])).status_code == 404


def test_outsiders_and_anonymous_people_cannot_open_a_firms_agenda(published, bob, alice_viewer):
    event, pa, pb, meeting = published
    outsider = _client(bob, "en")
    assert outsider.get(reverse("web:event_agenda", args=[pa.pk])).status_code == 404
    assert outsider.get(reverse("web:event_agenda_ics", args=[pa.pk])).status_code == 404
    assert Client().get(reverse("web:event_agenda", args=[pa.pk])).status_code == 302
    assert _client(alice_viewer, "en").get(reverse("web:event_organise", args=[event.pk])).status_code == 403


def test_register_request_and_accept_through_the_pages(alice, bob, firm_a, firm_b):
    event = make_event()
    a, b = _client(alice, "uk"), _client(bob, "en")
    response = a.post(
        reverse("web:event_register", args=[event.pk]), {"firm": firm_a.pk, "attendees": [alice.pk], "blocks": [0, 1]}
    )
    assert response.status_code == 302
    b.post(reverse("web:event_register", args=[event.pk]), {"firm": firm_b.pk, "attendees": [bob.pk]})
    pa, pb = Participation.objects.get(firm=firm_a), Participation.objects.get(firm=firm_b)
    a.post(reverse("web:event_request_send", args=[pa.pk]), {"receiver": pb.pk, "reason": "Оптика", "priority": "2"})
    request = MeetingRequest.objects.get()
    page = b.get(reverse("web:event_detail", args=[event.pk])).content.decode()
    assert "Оптика" in page and reverse("web:event_request_accept", args=[request.pk]) in page
    b.post(reverse("web:event_request_accept", args=[request.pk]))
    request.refresh_from_db()
    assert request.status == "accepted" and request.priority == 2
    # A refused action is explained in the person's language.
    response = a.post(
        reverse("web:event_request_send", args=[pa.pk]), {"receiver": pb.pk, "reason": "Ще раз"}, follow=True
    )
    assert "Ви вже надіслали" in response.content.decode()


def test_the_event_form_reports_each_broken_rule_by_field(rita):
    client = _client(rita, "uk")
    response = client.post(
        reverse("web:event_create"),
        {
            "name_en": "X",
            "name_uk": "Х",
            "venue": "",
            "timezone": "Europe/Kyiv",
            "days": DAY,
            "meeting_minutes": 30,
            "blocks": "09:00-09:10",
            "table_count": 2,
            "max_meetings_per_firm": 5,
        },
    )
    page = response.content.decode()
    assert response.status_code == 400 and "Обовʼязково, якщо захід не проводиться онлайн." in page
    assert "має тривати не менше, ніж триває одна зустріч" in page
    response = client.post(
        reverse("web:event_create"),
        {"name_en": "Kyiv", "name_uk": "Київ", "venue": "Kyiv", "timezone": "Europe/Kyiv", "days": DAY,
         "meeting_minutes": 30, "blocks": "09:00-12:00, 13:00-15:00", "table_count": 4, "zones": "A, A, B",
         "max_meetings_per_firm": 5},
    )  # fmt: skip
    event = Event.objects.get()
    assert response.status_code == 302 and event.tables[2] == {"number": 3, "zone": "B"} and len(event.blocks) == 2


EVENT_PAGES = [
    "event_list",
    "event_create",
    "event_detail",
    "event_register",
    "event_organise",
    "event_status",
    "event_schedule",
    "event_run_progress",
    "event_publish",
    "event_request_send",
    "event_agenda",
    "event_agenda_print",
    "event_agenda_ics",
    "event_request_accept",
    "event_request_decline",
    "event_meeting_lock",
    "event_meeting_cancel",
    "event_meeting_follow_up",
    "event_calendar_feed",
]


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_event_page_fails_for_any_persona_with_any_id_get_or_empty_post(published, alice, bob, rita, language):
    """The page crawl of tests/web/test_page_crawl.py, on the event pages with event objects to find."""
    event, pa, pb, meeting = published
    ids = sorted({event.pk, pa.pk, pb.pk, meeting.pk, meeting.request_id, ScheduleRun.objects.get().pk, 2_000_000_000})
    failures = []
    for user in (None, alice, bob, rita):
        for name in EVENT_PAGES:
            if name == "event_calendar_feed":
                urls = [reverse(f"web:{name}", args=["x"])]
            elif name in ("event_list", "event_create"):
                urls = [reverse(f"web:{name}")]
            else:
                urls = [reverse(f"web:{name}", args=[pk]) for pk in ids]
            for url in urls:
                client = _client(user, language) if user else Client(HTTP_ACCEPT_LANGUAGE=language)
                for method in ("get", "post"):
                    status = getattr(client, method)(url).status_code
                    if status >= 500:
                        failures.append(f"{method.upper()} {url} as {user}: {status}")
    assert not failures, "\n".join(failures)
    from tests.web.test_page_crawl import _web_patterns

    assert {p.name for p in _web_patterns() if p.name.startswith("event_")} == set(EVENT_PAGES)


@pytest.mark.parametrize(
    ("language", "timezone_error", "block_error"),
    [
        ("uk", "Невідомий часовий пояс", "Блок 1: час завершення (09:00) має бути пізнішим за час початку (12:00)."),
        ("en", "Not a known time zone", "Block 1: the end (09:00) must be later than the start (12:00)."),
    ],
)
def test_the_event_form_reports_every_broken_field_in_one_round(rita, language, timezone_error, block_error):
    client = _client(rita, language)
    response = client.post(
        reverse("web:event_create"),
        {
            "name_en": "Kyiv",
            "name_uk": "Київ",
            "venue": "Kyiv",
            "timezone": "Mars/Base",
            "days": DAY,
            "meeting_minutes": 30,
            "blocks": "12:00-09:00",
            "table_count": 99999999999,
            "max_meetings_per_firm": 0,
        },
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert set(errors) == {"timezone", "blocks", "table_count", "max_meetings_per_firm"}
    assert timezone_error in errors["timezone"][0]
    assert errors["blocks"] == [block_error]
    assert len(errors["table_count"]) == 1 and len(errors["max_meetings_per_firm"]) == 1  # the form's, not twice
    page = response.content.decode()
    assert block_error in page and timezone_error in page
    assert not Event.objects.exists()
