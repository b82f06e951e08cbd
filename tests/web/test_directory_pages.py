"""Directory pages for every persona, in English and Ukrainian: list, profile, request, saved searches."""

import pytest
from django.test import Client
from django.urls import reverse

from directory.models import SavedSearch
from matching.models import Proposal
from tests.directory.conftest import market  # noqa: F401 - the fixture
from tests.factories import ProposalFactory

MESSAGE = "Ми виробляємо снаряди 155 мм і шукаємо партнера для спільного виробництва."
LANGS = [("en", "Directory of firms"), ("uk", "Довідник компаній")]


@pytest.mark.parametrize(("lang", "heading"), LANGS)
@pytest.mark.parametrize("persona", ["page_alice", "page_alice_viewer", "page_bob", "page_rita", "page_adam"])
def test_directory_page_for_members_of_verified_firms_and_reviewers(request, market, persona, lang, heading):  # noqa: F811
    client = request.getfixturevalue(persona)
    response = client.get(reverse("web:directory"), {"search": "155"}, HTTP_ACCEPT_LANGUAGE=lang)
    assert response.status_code == 200
    body = response.content.decode()
    assert heading in body and "Арсенал Півдня ТОВ" in body
    profile = client.get(reverse("web:directory_firm", args=[market["arsenal"].pk]), HTTP_ACCEPT_LANGUAGE=lang)
    assert profile.status_code == 200
    assert market["arsenal"].contact_email not in profile.content.decode()
    searches = client.get(reverse("web:directory_searches"), HTTP_ACCEPT_LANGUAGE=lang)
    assert searches.status_code == 200


def test_anonymous_visitors_are_sent_to_log_in(page_anon, market):  # noqa: F811
    for url in (reverse("web:directory"), reverse("web:directory_firm", args=[market["arsenal"].pk])):
        response = page_anon.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_bearer_token_means_nothing_to_the_pages(page_alice_token, market):  # noqa: F811
    assert page_alice_token.get(reverse("web:directory")).status_code == 302


def test_members_of_an_unverified_firm_get_403(market):  # noqa: F811
    client = Client()
    client.force_login(market["stranger"])
    assert client.get(reverse("web:directory")).status_code == 403
    assert client.get(reverse("web:directory_firm", args=[market["arsenal"].pk])).status_code == 403


def test_unlisted_firms_have_no_profile_page(page_bob, market):  # noqa: F811
    for key in ("pending", "suspended", "flagged", "owned"):
        assert page_bob.get(reverse("web:directory_firm", args=[market[key].pk])).status_code == 404


@pytest.mark.parametrize(
    ("lang", "rule"),
    # Ukrainian groups thousands with a (non-breaking) space, not a comma.
    [("en", "Write between 20 and 1,000 characters"), ("uk", "Напишіть від 20 до 1\u00a0000 символів")],
)
def test_a_short_message_is_explained_next_to_the_field(page_bob, market, firm_b, lang, rule):  # noqa: F811
    url = reverse("web:directory_firm", args=[market["arsenal"].pk])
    response = page_bob.post(url, {"firm": firm_b.pk, "message": "Коротко"}, HTTP_ACCEPT_LANGUAGE=lang)
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="id_message_error"' in body and rule in body
    assert not Proposal.objects.exists()


def test_an_owner_asks_for_an_introduction_from_the_profile(page_bob, market, firm_b):  # noqa: F811
    url = reverse("web:directory_firm", args=[market["arsenal"].pk])
    assert "Ask for an introduction" in page_bob.get(url).content.decode()
    response = page_bob.post(url, {"firm": firm_b.pk, "message": MESSAGE}, follow=True)
    assert "Your request for an introduction was sent" in response.content.decode()
    proposal = Proposal.objects.get()
    assert (proposal.origin, proposal.request_message, proposal.partner) == ("requested", MESSAGE, firm_b)


def test_a_viewer_sees_no_request_form_and_cannot_post_one(page_alice_viewer, market, firm_b):  # noqa: F811
    url = reverse("web:directory_firm", args=[firm_b.pk])
    assert "Ask for an introduction" not in page_alice_viewer.get(url).content.decode()
    assert page_alice_viewer.post(url, {"message": MESSAGE}).status_code == 403


def test_reviewers_see_requested_proposals_marked_with_the_message(page_rita, market, firm_b, bob):  # noqa: F811
    proposal = ProposalFactory(
        ukrainian=market["arsenal"], partner=firm_b, origin="requested", requested_by_firm=firm_b,
        requested_by=bob, request_message=MESSAGE,
    )  # fmt: skip
    for lang, marker in (("en", "Requested"), ("uk", "Запит компанії")):
        queue = page_rita.get(reverse("web:review_queue"), HTTP_ACCEPT_LANGUAGE=lang).content.decode()
        assert marker in queue and MESSAGE in queue
        detail = page_rita.get(reverse("web:review_proposal", args=[proposal.pk]), HTTP_ACCEPT_LANGUAGE=lang)
        assert MESSAGE in detail.content.decode()


def test_save_and_delete_a_search_from_the_pages(page_bob, bob, market):  # noqa: F811
    listing = page_bob.get(reverse("web:directory"), {"offers": "munitions", "side": "ua"}).content.decode()
    assert "Save this search" in listing
    response = page_bob.post(
        reverse("web:directory_search_save"),
        {"q_offers": "munitions", "q_side": "ua", "name": "Снаряди", "frequency": "weekly"},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="uk",
    )
    assert "Пошук збережено" in response.content.decode() and "Снаряди" in response.content.decode()
    search = SavedSearch.objects.get(user=bob)
    assert (search.query, search.frequency) == ({"offers": "munitions", "side": "ua"}, "weekly")
    page_bob.post(reverse("web:directory_search_delete", args=[search.pk]))
    assert not SavedSearch.objects.exists()


def test_someone_elses_saved_search_cannot_be_deleted(page_alice, bob, market):  # noqa: F811
    search = SavedSearch.objects.create(user=bob, name="x", query={"search": "155"})
    assert page_alice.post(reverse("web:directory_search_delete", args=[search.pk])).status_code == 404
    assert SavedSearch.objects.filter(pk=search.pk).exists()


def test_fit_sort_on_the_page_shows_scores(page_bob, market):  # noqa: F811
    response = page_bob.get(reverse("web:directory"), {"sort": "fit"})
    body = response.content.decode()
    assert response.status_code == 200 and "Fit" in body


def test_a_bad_filter_is_shown_not_a_500(page_bob, market):  # noqa: F811
    response = page_bob.get(reverse("web:directory"), {"size": "gigantic", "search": " ".join(["x"] * 12)})
    assert response.status_code == 200
    assert "errorlist" in response.content.decode()


def test_the_directory_link_is_in_the_navigation(page_bob, market):  # noqa: F811
    assert f'href="{reverse("web:directory")}"' in page_bob.get(reverse("web:directory_searches")).content.decode()


@pytest.mark.parametrize(
    ("lang", "ukraine", "france", "restricted", "none"),
    [
        ("en", "Ukraine", "France", "NATO Restricted", "None"),
        ("uk", "Україна", "Франція", "NATO Restricted (для службового користування)", "Немає"),
    ],
)
def test_profiles_and_the_list_name_the_country_and_clearance_in_the_readers_language(
    page_bob,
    market,  # noqa: F811
    lang,
    ukraine,
    france,
    restricted,
    none,
):
    arsenal = page_bob.get(
        reverse("web:directory_firm", args=[market["arsenal"].pk]), HTTP_ACCEPT_LANGUAGE=lang
    ).content.decode()
    assert f"<dd>{ukraine}</dd>" in arsenal and f"<dd>{restricted}</dd>" in arsenal
    assert "NATO_RESTRICTED" not in arsenal and "<dd>UA</dd>" not in arsenal
    optics = page_bob.get(
        reverse("web:directory_firm", args=[market["optics"].pk]), HTTP_ACCEPT_LANGUAGE=lang
    ).content.decode()
    assert f"<dd>{france}</dd>" in optics and f"<dd>{none}</dd>" in optics and "<dd>NONE</dd>" not in optics
    listing = page_bob.get(reverse("web:directory"), HTTP_ACCEPT_LANGUAGE=lang).content.decode()
    assert f"<td>{ukraine}</td>" in listing and "<td>UA</td>" not in listing
