"""The events journey in Ukrainian, in a real browser (issue 18): a reviewer creates an event; two
firms register, request and accept; the organiser schedules and publishes; both firms see the same
meeting at the same time and table, and download it as .ics."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from icalendar import Calendar
from playwright.sync_api import expect

from events.models import Event, Meeting
from tests.browser.conftest import log_in, log_out
from tests.factories import FirmFactory, MembershipFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
DAY = (timezone.localdate() + dt.timedelta(days=20)).isoformat()


def _agenda(page, firm_name: str) -> tuple[str, str, str]:
    page.goto("/events/")
    page.get_by_role("link", name="Харківський оборонний форум").click()
    page.get_by_role("link", name="Мій порядок денний").click()
    expect(page.get_by_role("heading", name=f"Порядок денний: {firm_name}")).to_be_visible()
    row = page.locator("#agenda tr.meeting")
    expect(row).to_have_count(1)
    return (
        row.locator(".when").inner_text(),
        row.locator(".table-label").inner_text(),
        row.locator(".counterpart").inner_text(),
    )


def _ics(page, tmp_path, name: str) -> Calendar:
    with page.expect_download() as info:
        page.locator("#download-ics").click()
    path = tmp_path / name
    info.value.save_as(path)
    return Calendar.from_ical(path.read_bytes())


def test_reviewer_creates_firms_meet_organiser_schedules_and_both_carry_the_same_agenda(new_page, shots, tmp_path):
    UserFactory(username="rita", is_reviewer=True, language="uk")
    kharkiv = FirmFactory(ref="ua-kharkiv", name="Харківська Оптика ТОВ", country="UA", edrpou="32855961")
    lyon = FirmFactory(ref="fr-lyon", name="Lyon Thermique SA", country="FR", edrpou="")
    MembershipFactory(user=UserFactory(username="oksana", language="uk"), firm=kharkiv, role="owner")
    MembershipFactory(user=UserFactory(username="pierre", language="uk"), firm=lyon, role="owner")

    # 1. The reviewer creates the event and opens registration.
    page = new_page("uk-UA")
    log_in(page, "rita")
    page.get_by_role("link", name="Заходи").first.click()
    page.get_by_role("link", name="Новий захід").click()
    page.locator("#id_name_en").fill("Kharkiv Defence Forum")
    page.locator("#id_name_uk").fill("Харківський оборонний форум")
    page.locator("#id_venue").fill("Харків, Палац праці")
    page.locator("#id_days").fill(DAY)
    page.locator("#id_blocks").fill("10:00-11:00, 12:00-13:00")
    page.locator("#id_table_count").fill("4")
    page.locator("#id_zones").fill("A, A, B, B")
    shots(page, "event-form")
    page.get_by_role("button", name="Створити захід").click()
    expect(page.locator(".messages")).to_contain_text("Захід створено як чернетку.")
    page.get_by_role("button", name=re.compile("Перевести у статус: Відкрито для реєстрації")).click()
    expect(page.locator("#event-status")).to_have_text("Відкрито для реєстрації")
    shots(page, "event-open")
    log_out(page)

    # 2. Two firms register; the Ukrainian firm asks the French one for a meeting; it accepts.
    for username, firm in (("oksana", kharkiv), ("pierre", lyon)):
        log_in(page, username)
        page.goto("/events/")
        page.get_by_role("link", name="Харківський оборонний форум").click()
        page.get_by_role("button", name="Зареєструвати").click()
        expect(page.locator(".messages")).to_contain_text(f"{firm.name} зареєстровано.")
        log_out(page)
    log_in(page, "oksana")
    page.goto("/events/")
    page.get_by_role("link", name="Харківський оборонний форум").click()
    form = page.locator("form.request-form")
    form.get_by_label("Компанія").select_option(label="Lyon Thermique SA (FR)")
    form.get_by_label("Мета зустрічі").fill("Тепловізійні модулі для наших дронів")
    shots(page, "request")
    form.get_by_role("button", name="Надіслати запит").click()
    expect(page.locator(".messages")).to_contain_text("Ваш запит на зустріч надіслано.")
    log_out(page)
    log_in(page, "pierre")
    page.goto("/events/")
    page.get_by_role("link", name="Харківський оборонний форум").click()
    expect(page.locator(".requests-received")).to_contain_text("Тепловізійні модулі для наших дронів")
    page.locator(".requests-received").get_by_role("button", name="Прийняти").click()
    expect(page.locator(".messages")).to_contain_text("Ви прийняли запит на зустріч.")
    shots(page, "accepted")
    log_out(page)

    # 3. The organiser closes booking, runs the scheduler and publishes the final agenda.
    log_in(page, "rita")
    event = Event.objects.get()
    page.goto(f"/events/{event.pk}/organise/")
    page.get_by_role("button", name=re.compile("Перевести у статус: Складання розкладу")).click()
    page.locator("#time-limit").fill("5")
    page.get_by_role("button", name="Запустити планувальник").click()
    expect(page.locator("#schedule-progress")).to_have_attribute("data-status", "succeeded", timeout=30_000)
    expect(page.locator("#schedule-bar")).to_have_attribute("value", "100")
    expect(page.locator("#schedule-progress")).to_contain_text("із щонайбільше 1 можливих")
    shots(page, "scheduled")
    page.get_by_role("button", name="Опублікувати остаточний порядок денний").click()
    expect(page.locator(".messages")).to_contain_text("Порядок денний опубліковано.")
    log_out(page)

    # 4. Each firm sees the same meeting at the same time and table, and downloads its .ics.
    meeting = Meeting.objects.get()
    seen = {}
    for username, firm, other in (("oksana", kharkiv, lyon), ("pierre", lyon, kharkiv)):
        log_in(page, username)
        when, table, counterpart = _agenda(page, firm.name)
        assert other.name in counterpart
        shots(page, f"agenda-{username}")
        calendar = _ics(page, tmp_path, f"{username}.ics")
        (vevent,) = calendar.walk("VEVENT")
        seen[username] = (when, table, vevent.decoded("dtstart"), str(vevent["uid"]))
        log_out(page)
    assert seen["oksana"] == seen["pierre"]
    when, table, start, uid = seen["oksana"]
    assert uid == f"meeting-{meeting.pk}@alliance-match"
    assert start.date().isoformat() == DAY and start.strftime("%H:%M") in when
    placed = event.tables[meeting.table]
    assert table == f"{placed['number']} ({placed['zone']})"
