"""The reviewers' weights page (/review/weights/): every persona, both languages, the whole cycle."""

import pytest

from matching.models import WeightSet
from matching.services.runs import match_params
from tests.matching.test_learning import make_decisions
from tests.web.conftest import PAGE_PERSONAS

pytestmark = pytest.mark.django_db
URL = "/review/weights/"


@pytest.mark.parametrize("page_persona", PAGE_PERSONAS, indirect=True)
def test_only_reviewers_and_administrators_see_the_weights_page(page_persona, request):
    name = request.node.callspec.params["page_persona"]
    response = page_persona.get(URL)
    if name in ("page_anon", "page_alice_token"):
        assert response.status_code == 302 and "/login/" in response["Location"]
    elif name in ("page_rita", "page_adam"):
        assert response.status_code == 200
    else:
        assert response.status_code == 403
    for path in ("/review/weights/fit/", "/review/weights/roll-back/"):
        posted = page_persona.post(path)
        assert posted.status_code == (
            302 if name in ("page_rita", "page_adam", "page_anon", "page_alice_token") else 403
        )
    assert not WeightSet.objects.exists() or name in ("page_rita", "page_adam")


def test_fitting_without_decisions_says_so_in_ukrainian(page_rita):
    response = page_rita.post("/review/weights/fit/", HTTP_ACCEPT_LANGUAGE="uk", follow=True)
    assert response.status_code == 200
    assert "Ще немає рішень" in response.content.decode()
    assert not WeightSet.objects.exists()


@pytest.mark.parametrize(
    ("lang", "words"),
    [("en", ("Weight set v1", "Activate v1", "NDCG@5")), ("uk", ("Набір ваг v1", "Активувати v1", "NDCG@5"))],
)
def test_a_reviewer_fits_compares_activates_and_rolls_back(page_rita, lang, words):
    make_decisions()
    page_rita.post("/review/weights/fit/", HTTP_ACCEPT_LANGUAGE=lang)
    weight_set = WeightSet.objects.get()
    page = page_rita.get(URL, HTTP_ACCEPT_LANGUAGE=lang).content.decode()
    for word in words:
        assert word in page
    assert match_params().weights == weight_set.previous_weights  # not active yet
    page_rita.post(f"/review/weights/{weight_set.pk}/activate/", HTTP_ACCEPT_LANGUAGE=lang)
    assert match_params().weights == weight_set.weights
    page_rita.post("/review/weights/roll-back/", HTTP_ACCEPT_LANGUAGE=lang)
    assert match_params().weights == weight_set.previous_weights


def test_the_intro_with_percent_signs_is_translated_on_the_ukrainian_page(page_rita):
    """`{% translate %}` looks a literal `%` up as `%%`: the catalogue entry must be written that way."""
    page = page_rita.get(URL, HTTP_ACCEPT_LANGUAGE="uk").content.decode()
    assert "Ранніші 80% рішень слугують для навчання, останні 20%" in page
    assert "The earlier 80% of decisions" not in page and "%%" not in page
    english = page_rita.get(URL, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "The earlier 80% of decisions train it, the latest 20% judge it" in english
