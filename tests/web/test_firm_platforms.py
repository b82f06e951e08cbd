"""The platforms section of the firm profile form and the dashboard, in English and Ukrainian."""

import importlib

import pytest
from django.apps import apps
from django.urls import reverse

from registry.models import Firm, FirmPlatform, Platform
from tests.web.test_firm_pages import _profile

pytestmark = pytest.mark.django_db

T64_TEXT = "tank.t_64bv — T-64BV / Т-64БВ"


@pytest.fixture(autouse=True)
def _platforms_loaded(db):
    if not Platform.objects.exists():
        importlib.import_module("registry.migrations.0010_load_platforms").load(apps, None)


def _edit(firm_a) -> str:
    return reverse("web:firm_edit", args=[firm_a.pk])


def _a_profile(**rows) -> dict:
    """Firm A's profile as the form posts it, plus platform rows (`platforms-0-platform=...`)."""
    return {**_profile(name="SkyForge Robotics LLC"), **{k.replace("__", "-"): v for k, v in rows.items()}}


def _repairs_t64(firm_a):
    FirmPlatform.objects.create(firm=firm_a, platform=Platform.objects.get(code="tank.t_64bv"), role="repairs")


@pytest.mark.parametrize(
    ("language", "legend", "role_label", "choose"),
    [
        ("en", "Weapon systems the firm works on", "Repairs", "Choose a role"),
        ("uk", "Системи озброєння, з якими працює компанія", "Ремонтує", "Виберіть роль"),
    ],
)
def test_the_profile_form_shows_the_platforms_section_in_both_languages(
    page_alice, firm_a, language, legend, role_label, choose
):
    _repairs_t64(firm_a)
    body = page_alice.get(_edit(firm_a), HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert f'lang="{language}"' in body
    assert f"<legend>{legend}</legend>" in body
    # The recorded platform fills the first row, its role selected; three empty rows follow.
    assert f'name="platforms-0-platform" value="{T64_TEXT}"' in body
    assert f'<option value="repairs" selected>{role_label}</option>' in body
    assert 'name="platforms-3-platform" value=""' in body and 'name="platforms-4-platform"' not in body
    assert f'<option value="">{choose}</option>' in body
    # One datalist with every platform, each findable by its English and Ukrainian name.
    assert body.count('list="platform-options"') == 4 and body.count('<datalist id="platform-options">') == 1
    assert '<option value="spg.2s1 — 2S1 Gvozdika / 2С1 «Гвоздика»">' in body
    assert "<script>" not in body  # strict CSP: no inline script


def test_the_create_page_has_empty_platform_rows(page_bob):
    body = page_bob.get(reverse("web:firm_create")).content.decode()
    assert 'name="platforms-0-platform" value=""' in body and 'name="platforms-2-role"' in body


def test_platforms_picked_by_suggestion_code_or_ukrainian_name_are_saved(page_alice, firm_a):
    data = _a_profile(
        platforms__0__platform=T64_TEXT,
        platforms__0__role="repairs",
        platforms__1__platform="2С1 «Гвоздика»",  # typed in full, in Ukrainian
        platforms__1__role="supplies_parts",
        platforms__2__platform="",
        platforms__2__role="",
        platforms__7__platform="engine.5tdf",
        platforms__7__role="produces",
    )
    response = page_alice.post(_edit(firm_a), data)
    assert response.status_code == 302, response.context["form"].errors
    assert list(firm_a.platforms.values_list("platform__code", "role")) == [
        ("tank.t_64bv", "repairs"),
        ("spg.2s1", "supplies_parts"),
        ("engine.5tdf", "produces"),
    ]
    revision = firm_a.revisions.first()
    assert "platforms" in revision.changed_fields


def test_clearing_a_row_removes_the_platform(page_alice, firm_a):
    _repairs_t64(firm_a)
    response = page_alice.post(_edit(firm_a), _a_profile(platforms__0__platform="", platforms__0__role=""))
    assert response.status_code == 302
    assert not firm_a.platforms.exists()


def test_a_new_firm_registers_with_its_platforms(page_bob):
    data = {**_profile(), "platforms-0-platform": "tank.t_72", "platforms-0-role": "repairs"}
    response = page_bob.post(reverse("web:firm_create"), data)
    assert response.status_code == 302
    firm = Firm.objects.get(name="Kyiv Drone Works LLC")
    assert list(firm.platforms.values_list("platform__code", "role")) == [("tank.t_72", "repairs")]


@pytest.mark.parametrize(
    ("language", "rows", "message"),
    [
        ("en", {"platforms__0__platform": T64_TEXT}, "tank.t_64bv — T-64BV / Т-64БВ: choose what the firm does with it (a role)."),
        ("uk", {"platforms__0__platform": T64_TEXT}, "tank.t_64bv — T-64BV / Т-64БВ: виберіть, що компанія з нею робить (роль)."),
        ("en", {"platforms__0__role": "repairs"}, "A row has a role but no platform: pick a platform or clear the role."),
        ("en", {"platforms__0__platform": "Leopard 9", "platforms__0__role": "oem"}, "unknown platform code 'Leopard 9'"),
        ("uk", {"platforms__0__platform": "Leopard 9", "platforms__0__role": "oem"}, "невідомий код платформи 'Leopard 9'"),
        (
            "en",
            {"platforms__0__platform": "tank.t_72", "platforms__0__role": "oem",
             "platforms__1__platform": "T-72 (T-72A/AV/B)", "platforms__1__role": "oem"},
            "'tank.t_72' with role 'oem' is listed twice (also platforms[0])",
        ),
        ("en", {"platforms__0__platform": "tank\x07", "platforms__0__role": "oem"}, "must not contain control characters"),
    ],
)  # fmt: skip
def test_platform_mistakes_are_explained_beside_the_section(page_alice, firm_a, language, rows, message):
    _repairs_t64(firm_a)
    response = page_alice.post(_edit(firm_a), _a_profile(**rows), HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors["platforms"])
    assert message in errors
    body = response.content.decode()
    section = body[body.index('id="platforms"') : body.index('id="platforms_helptext"')]
    assert 'id="platforms_error"' in section
    assert list(firm_a.platforms.values_list("platform__code", "role")) == [("tank.t_64bv", "repairs")]


def test_what_was_typed_stays_in_the_rows_after_a_mistake(page_alice, firm_a):
    rows = _a_profile(platforms__0__platform="Leopard 9", platforms__0__role="oem")
    body = page_alice.post(_edit(firm_a), rows).content.decode()
    assert 'name="platforms-0-platform" value="Leopard 9"' in body
    assert '<option value="oem" selected>' in body


@pytest.mark.parametrize(
    ("language", "heading", "shown", "empty"),
    [
        ("en", "Weapon systems", "T-64BV (repairs); 2S1 Gvozdika (supplies parts)", "–"),
        ("uk", "Системи озброєння", "Т-64БВ (ремонтує); 2С1 «Гвоздика» (постачає запчастини)", "–"),
    ],
)
def test_the_dashboard_lists_the_firms_platforms_with_roles(page_alice, firm_a, language, heading, shown, empty):
    body = page_alice.get(reverse("web:firm_dashboard", args=[firm_a.pk]), HTTP_ACCEPT_LANGUAGE=language)
    assert f"<dt>{heading}</dt><dd>{empty}</dd>" in body.content.decode()
    _repairs_t64(firm_a)
    FirmPlatform.objects.create(firm=firm_a, platform=Platform.objects.get(code="spg.2s1"), role="supplies_parts")
    body = page_alice.get(reverse("web:firm_dashboard", args=[firm_a.pk]), HTTP_ACCEPT_LANGUAGE=language)
    assert f"<dt>{heading}</dt><dd>{shown}</dd>" in body.content.decode()


def test_the_dashboard_reads_a_firms_platforms_in_one_query(page_alice, firm_a, django_assert_max_num_queries):
    url = reverse("web:firm_dashboard", args=[firm_a.pk])
    _repairs_t64(firm_a)
    with django_assert_max_num_queries(40) as one:
        page_alice.get(url)
    for code in ("tank.t_72", "spg.2s1", "engine.5tdf"):
        FirmPlatform.objects.create(firm=firm_a, platform=Platform.objects.get(code=code), role="repairs")
    with django_assert_max_num_queries(len(one.captured_queries)):
        page_alice.get(url)
