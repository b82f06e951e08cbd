"""Onboarding (issue 15): every error in one round, beside its section and linked from a summary;
messages a person can act on; phones as people write them; beneficial owners in the form; sign-up
reports a short password and a mistyped confirmation together."""

from decimal import Decimal

import pytest
from django.urls import reverse

from registry.exchange import FORMAT, firm_document_problems
from registry.models import BeneficialOwner, Capability, Firm
from registry.phones import phone_e164
from registry.services import firms_import
from tests.registry.test_api_firms import _payload, _url
from tests.web.test_firm_pages import _profile

pytestmark = pytest.mark.django_db

EDRPOU_EN = "This EDRPOU is not valid: check the 8 digits on your extract from the state register"
EDRPOU_UK = "Цей код ЄДРПОУ недійсний: звірте 8 цифр із витягом з державного реєстру"
EVERY_MISTAKE = {
    "description": "Drones.",  # too short
    "contact_email": "olena-at-kyivdrone",
    "offers": [],
    "seeks": [],
    "edrpou": "32855968",  # wrong check digit
    "contact_phone": "067 12",
}


def _owners(*rows, total=None) -> dict:
    data = {"owners-TOTAL_FORMS": str(total or max(len(rows), 2)), "owners-INITIAL_FORMS": "0"}
    for i, (name, country, share) in enumerate(rows):
        data |= {f"owners-{i}-name": name, f"owners-{i}-country": country, f"owners-{i}-share_percent": share}
    return data


# ---- one round ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "language, edrpou, capabilities",
    [
        ("en", EDRPOU_EN, "Pick at least one capability the firm offers or seeks."),
        ("uk", EDRPOU_UK, "Оберіть принаймні одну спроможність, яку компанія пропонує або шукає."),
    ],
)
def test_every_mistake_is_reported_after_one_submit_beside_its_field_and_in_the_summary(
    page_alice, language, edrpou, capabilities
):
    response = page_alice.post(reverse("web:firm_create"), _profile(**EVERY_MISTAKE), HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) >= {"description", "contact_email", "offers", "edrpou", "contact_phone"}
    assert errors["edrpou"] == [edrpou]
    assert errors["offers"] == [capabilities]
    body = response.content.decode()
    summary = body[body.index("data-error-summary") : body.index("</section>", body.index("data-error-summary"))]
    for anchor in ("id_description", "id_contact_email", "id_offers", "id_edrpou", "id_contact_phone"):
        assert f'href="#{anchor}"' in summary, anchor
    assert edrpou in summary
    # Beside each section: the capability error inside the picker, the EDRPOU one under its input.
    picker = body[body.index('id="id_offers"') : body.index('id="id_offers_picker"')]
    assert capabilities in picker and 'id="id_offers_error"' in picker
    assert 'id="id_edrpou_error"' in body
    assert not Firm.objects.filter(name="Kyiv Drone Works LLC").exists()


def test_the_summary_says_how_many_problems_and_is_focusable(page_alice):
    body = page_alice.post(reverse("web:firm_create"), _profile(edrpou="32855968")).content.decode()
    assert 'tabindex="-1" data-error-summary' in body
    assert "There is 1 problem to correct" in body
    assert 'src="/static/web/js/forms.js"' in body  # moves the focus to it (script-src 'self')


def test_a_field_with_its_own_error_is_not_told_twice_by_the_registry(page_alice):
    response = page_alice.post(reverse("web:firm_create"), _profile(name="", description=""))
    errors = response.context["form"].errors
    assert errors["name"] == ["This field is required."]
    assert errors["description"] == ["This field is required."]


def test_the_page_says_what_it_is(page_alice):
    body = page_alice.get(reverse("web:firm_create")).content.decode()
    assert "Four short steps" not in body
    assert "The whole profile on one page, in five sections" in body


def test_an_edrpou_typed_with_spaces_from_a_printed_extract_is_read(page_alice):
    response = page_alice.post(reverse("web:firm_create"), _profile(edrpou="4123 4569"))
    assert response.status_code == 302
    assert Firm.objects.get(name="Kyiv Drone Works LLC").edrpou == "41234569"


# ---- the picked capabilities, outside the scroll box ---------------------------------------------


def test_the_selected_capabilities_are_listed_above_the_picker_and_link_to_their_boxes(page_alice):
    body = page_alice.post(reverse("web:firm_create"), _profile(edrpou="1")).content.decode()
    selected = body[body.index('data-cap-selected="id_offers_picker"') : body.index('id="id_offers_filter"')]
    name = Capability.objects.get(code="uav.multirotor_isr").name_en
    assert f'<a href="#id_offers-uav.multirotor_isr">{name}</a>' in selected
    assert "hidden" in selected.split("cap-selected-none")[1][:20]  # "nothing yet" is hidden


def test_nothing_selected_yet_says_so(page_alice):
    body = page_alice.get(reverse("web:firm_create"), HTTP_ACCEPT_LANGUAGE="uk").content.decode()
    assert "Обрано:" in body and "поки нічого" in body


# ---- phones as people write them ------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["067 123 45 67", "0671234567", "+38 (067) 123-45-67", "00380671234567"])
def test_local_and_international_ways_of_writing_a_ukrainian_number_are_one_number(typed):
    assert phone_e164(typed, country="UA") == "+380671234567"


@pytest.mark.parametrize(
    "typed, country, expected",
    [
        ("030 1234567", "DE", "+49301234567"),
        ("+49 30 1234567", "UA", "+49301234567"),  # written internationally: the firm's country does not matter
        ("067 123 45 67", None, None),  # local, and no country to read it in
        ("067 12", "UA", None),
        ("not a number", "UA", None),
        ("", "UA", None),
    ],
)
def test_phone_e164_reads_in_the_firms_country_or_refuses(typed, country, expected):
    assert phone_e164(typed, country=country) == expected


@pytest.mark.parametrize("typed", ["067 123 45 67", "0671234567", "+38 (067) 123-45-67"])
def test_the_form_saves_a_local_phone_in_international_form(page_alice, typed):
    response = page_alice.post(reverse("web:firm_create"), _profile(contact_phone=typed))
    assert response.status_code == 302
    assert Firm.objects.get(name="Kyiv Drone Works LLC").contact_phone == "+380671234567"


def test_the_api_reads_a_local_phone_too(bob_client):
    payload = _payload(contact={"name": "Olena", "email": "olena@new.example", "phone": "067 123 45 67"})
    response = bob_client.post(_url(), payload, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["contact"]["phone"] == "+380671234567"


def test_the_import_reads_a_local_phone_too(db):
    doc = _payload(ref="ua-import-phone", contact={"name": "O", "email": "o@x.example", "phone": "044 123 4567"})
    codes = set(Capability.objects.values_list("code", flat=True))
    clean, problems = firm_document_problems(doc, capability_codes=codes)
    assert problems == [] and clean["contact"]["phone"] == "+380441234567"
    firms_import(document={"format": FORMAT, "firms": [doc]}, rematch=False)
    assert str(Firm.objects.get(ref="ua-import-phone").contact_phone) == "+380441234567"


@pytest.mark.parametrize(
    "language, message",
    [
        ("en", "is not a phone number we can read: write it with its area code"),
        ("uk", "не вдається прочитати як номер телефону"),
    ],
)
def test_an_unreadable_phone_says_how_to_write_it(page_alice, language, message):
    response = page_alice.post(
        reverse("web:firm_create"), _profile(contact_phone="067 12"), HTTP_ACCEPT_LANGUAGE=language
    )
    assert message in response.context["form"].errors["contact_phone"][0]


# ---- beneficial owners ----------------------------------------------------------------------------


def test_owners_are_declared_with_the_profile(page_alice):
    data = _profile(**_owners(("Olena Koval", "UA", "60"), ("Hans Weber", "DE", "12,5")))
    response = page_alice.post(reverse("web:firm_create"), data)
    assert response.status_code == 302
    firm = Firm.objects.get(name="Kyiv Drone Works LLC")
    assert sorted(firm.beneficial_owners.values_list("name", "country", "share_percent")) == [
        ("Hans Weber", "DE", Decimal("12.50")),
        ("Olena Koval", "UA", Decimal("60.00")),
    ]


def test_an_owner_row_with_mistakes_names_the_field_in_the_same_round_as_the_profile(page_alice):
    data = _profile(edrpou="32855968", **_owners(("Olena Koval", "", "5"), ("", "UA", "")))
    response = page_alice.post(reverse("web:firm_create"), data)
    assert response.status_code == 200
    owners = response.context["owners"]
    assert owners.forms[0].errors == {
        "country": ["Owner's country: choose the country of the owner's citizenship or seat."],
        "share_percent": ["Share: declare only owners holding more than 10%."],
    }
    assert owners.forms[1].errors["name"] == ["Owner's full name: required when the row has a country or share."]
    assert response.context["form"].errors["edrpou"] == [EDRPOU_EN]
    body = response.content.decode()
    assert 'href="#id_owners-0-share_percent"' in body
    assert "Owner 1 · Share, %: Share: declare only owners holding more than 10%." in body
    assert not Firm.objects.filter(name="Kyiv Drone Works LLC").exists()


def test_shares_over_100_are_refused_by_the_owners_rule_and_nothing_is_saved(page_alice):
    data = _profile(**_owners(("Olena Koval", "UA", "60"), ("Hans Weber", "DE", "50")))
    response = page_alice.post(reverse("web:firm_create"), data)
    assert response.status_code == 200
    assert "Shares add up to 110" in " ".join(response.context["owners"].non_form_errors())
    assert not Firm.objects.filter(
        name="Kyiv Drone Works LLC"
    ).exists()  # the firm and its owners are saved together or not at all


def test_editing_shows_the_owners_and_a_cleared_row_removes_one(page_alice, firm_a):
    BeneficialOwner.objects.create(firm=firm_a, name="Olena Koval", country="UA", share_percent=Decimal("60"))
    BeneficialOwner.objects.create(firm=firm_a, name="Ivan Shevchuk", country="UA", share_percent=Decimal("30"))
    body = page_alice.get(reverse("web:firm_edit", args=[firm_a.pk])).content.decode()
    assert 'value="Olena Koval"' in body and 'value="Ivan Shevchuk"' in body
    data = _profile(name="SkyForge Robotics LLC", **_owners(("Olena Koval", "UA", "60.00"), ("", "", ""), total=4))
    data["owners-INITIAL_FORMS"] = "2"
    response = page_alice.post(reverse("web:firm_edit", args=[firm_a.pk]), data)
    assert response.status_code == 302
    assert list(firm_a.beneficial_owners.values_list("name", flat=True)) == ["Olena Koval"]


def test_a_post_without_the_owners_section_leaves_the_owners_alone(page_alice, firm_a):
    BeneficialOwner.objects.create(firm=firm_a, name="Olena Koval", country="UA", share_percent=Decimal("60"))
    response = page_alice.post(reverse("web:firm_edit", args=[firm_a.pk]), _profile(name="SkyForge Robotics LLC"))
    assert response.status_code == 302
    assert firm_a.beneficial_owners.count() == 1


# ---- sign-up ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "language, short, differ",
    [
        ("en", "This password is too short", "The two passwords differ."),
        ("uk", "Пароль занадто короткий", "Паролі не збігаються."),
    ],
)
def test_sign_up_reports_a_short_password_and_a_mistyped_confirmation_together(page_anon, language, short, differ):
    response = page_anon.post(
        reverse("web:signup"),
        {"username": "olena", "email": "olena@kyivdrone.example", "password1": "short1", "password2": "short2"},
        HTTP_ACCEPT_LANGUAGE=language,
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert short in " ".join(errors["password1"])
    assert errors["password2"] == [differ]
    body = response.content.decode()
    assert 'href="#id_password1"' in body and 'href="#id_password2"' in body
