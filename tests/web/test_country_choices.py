"""The firm form's country list: alphabetical in the reader's language, and without the countries a firm
can never register from (they stay refused, by name, if posted anyway)."""

import re

import pytest
from django.urls import reverse

from registry.models import Firm

pytestmark = pytest.mark.django_db

REFUSED = ("RU", "BY", "IR", "KP", "CN")


def _options(body: str, select_id: str) -> list[tuple[str, str]]:
    select = re.search(rf'<select[^>]*id="{select_id}"[^>]*>(.*?)</select>', body, re.S).group(1)
    return re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select)


def _names(options) -> list[str]:
    return [name for code, name in options if code]


def test_ukrainian_names_follow_the_ukrainian_alphabet(page_bob):
    body = page_bob.get(reverse("web:firm_create"), HTTP_ACCEPT_LANGUAGE="uk").content.decode()
    names = _names(_options(body, "id_country"))
    for earlier, later in (
        ("Австралія", "Австрія"),
        ("Велика Британія", "Греція"),  # г before ґ-words and д
        ("Естонія", "Ірландія"),  # е, є, ж, з, и, і
        ("Ірландія", "Італія"),
        ("Чехія", "Швеція"),
        ("Північна Македонія", "Польща"),  # the hyphen/space does not send a name to the end
    ):
        assert names.index(earlier) < names.index(later), (earlier, later)
    assert names == sorted(names, key=names.index)  # sanity: no duplicates moved
    assert names[0] == "Австралія" and names[-1] == "Японія"


def test_the_english_list_is_alphabetical_too(page_bob):
    body = page_bob.get(reverse("web:firm_create"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    names = _names(_options(body, "id_country"))
    assert (
        names.index("Albania")
        < names.index("Australia")
        < names.index("Ukraine")
        < names.index("United States of America")
    )


@pytest.mark.parametrize("lang", ["en", "uk"])
def test_countries_a_firm_can_never_register_from_are_not_offered(page_bob, lang):
    body = page_bob.get(reverse("web:firm_create"), HTTP_ACCEPT_LANGUAGE=lang).content.decode()
    codes = {code for code, _ in _options(body, "id_country")}
    assert "UA" in codes and "PL" in codes and "DE" in codes
    assert not codes & set(REFUSED)
    # A beneficial owner may be from anywhere: declaring a Russian owner must stay possible.
    owners = {code for code, _ in _options(body, "id_owners-0-country")}
    assert set(REFUSED) <= owners


@pytest.mark.parametrize(
    ("lang", "words"),
    [("en", "is refused: firms from this country cannot register"), ("uk", "компанії з цієї країни не можуть")],
)
def test_a_refused_country_posted_anyway_is_named_and_refused(page_bob, lang, words):
    from tests.web.test_firm_pages import _profile

    response = page_bob.post(reverse("web:firm_create"), _profile(country="RU", edrpou=""), HTTP_ACCEPT_LANGUAGE=lang)
    assert response.status_code in (200, 400)
    errors = " ".join(response.context["form"].errors["country"])
    assert "RU" in errors and words in errors
    assert not Firm.objects.filter(country="RU").exists()


def test_our_catalogue_corrects_djangos_ukrainian_invalid_choice_messages():
    """Django's own Ukrainian says "Зробить" (it does); our locale/ comes first in LOCALE_PATHS."""
    from django import forms
    from django.core.exceptions import ValidationError
    from django.utils import translation

    from accounts.models import User

    with translation.override("uk"):
        with pytest.raises(ValidationError) as plain:
            forms.ChoiceField(choices=[("a", "A")]).clean("b")
        with pytest.raises(ValidationError) as model:
            forms.ModelChoiceField(queryset=User.objects.none()).clean("7")
        assert plain.value.messages == ["Зробіть коректний вибір: b немає серед доступних варіантів."]
        assert model.value.messages == ["Зробіть коректний вибір. Такого варіанта немає серед доступних."]
