"""Firm onboarding in Ukrainian: the registry's validation messages appear in the page's language."""

import pytest
from django.urls import reverse

from registry.models import Firm
from tests.web.test_firm_pages import _profile

pytestmark = pytest.mark.django_db


def _edrpou_errors(response) -> str:
    return " ".join(response.context["form"].errors["edrpou"])


def test_a_bad_edrpou_is_explained_in_ukrainian_on_a_ukrainian_page(page_alice):
    response = page_alice.post(reverse("web:firm_create"), _profile(edrpou="32855968"), HTTP_ACCEPT_LANGUAGE="uk")
    assert response.status_code == 200
    assert _edrpou_errors(response) == "Цей код ЄДРПОУ недійсний: звірте 8 цифр із витягом з державного реєстру"
    body = response.content.decode()
    assert 'lang="uk"' in body
    assert "Цей код ЄДРПОУ недійсний: звірте 8 цифр із витягом з державного реєстру" in body
    assert "EDRPOU is not valid" not in body
    assert 'value="Kyiv Drone Works LLC"' in body  # what was typed is kept
    assert not Firm.objects.filter(name="Kyiv Drone Works LLC").exists()


def test_the_same_mistake_on_an_english_page_reads_as_before(page_alice):
    response = page_alice.post(reverse("web:firm_create"), _profile(edrpou="32855968"), HTTP_ACCEPT_LANGUAGE="en")
    assert (
        _edrpou_errors(response)
        == "This EDRPOU is not valid: check the 8 digits on your extract from the state register"
    )


def test_the_saved_language_of_the_user_translates_the_messages_too(page_bob, bob):
    bob.language = "uk"
    bob.save(update_fields=["language"])
    response = page_bob.post(reverse("web:firm_create"), _profile(country="CN", edrpou=""))
    assert response.context["form"].errors["country"] == ["CN немає в переліку країн, з яких допускаються партнери"]


def test_editing_a_profile_in_ukrainian_explains_the_missing_edrpou(page_alice, firm_a):
    response = page_alice.post(
        reverse("web:firm_edit", args=[firm_a.pk]), _profile(edrpou=""), HTTP_ACCEPT_LANGUAGE="uk"
    )
    assert response.status_code == 200
    assert _edrpou_errors(response) == "обовʼязковий для українських (UA) компаній"
