"""Hostile input answers 400 naming the field and the rule, and changes nothing; never a 500.

Each test here failed before its fix: a CR/LF in a firm name was saved (and broke every mail
about the firm), NUL and lone surrogates reached the database, deep JSON was a RecursionError,
huge integers in filters an OverflowError, a path without its slash a redirect or a 500 page.
"""

import json

import pytest
from django.test import Client
from django.urls import reverse

from matching.models import Proposal
from registry.exchange import file_problems
from registry.models import Capability, Firm
from tests.factories import FirmCapabilityFactory, ProposalFactory

pytestmark = pytest.mark.django_db

HUGE = "99999999999999999999999"


@pytest.fixture(autouse=True)
def _firm_a_offers_something(firm_a):
    """A profile needs an offer or a seek: firm A's PATCHes are then valid but for the bad field."""
    FirmCapabilityFactory(firm=firm_a, capability=Capability.objects.get(code="uav.multirotor_isr"))


def _firm_url(firm) -> str:
    return f"/api/v1/firms/{firm.pk}/"


def _patch_raw(client, url: str, body: str):
    """A JSON body as written on the wire: `\\u0000` and `\\ud800` escapes stay what a client sends."""
    return client.generic("PATCH", url, body, content_type="application/json")


def _contact(**changes) -> dict:
    return {"name": "Olena Petrenko", "email": "olena@skyforge.example", "phone": "+380441234567", **changes}


# --- Control characters in one-line fields -----------------------------------------------------


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "SkyForge\r\nBcc: victim@example.com"}, "name"),
        ({"name": "SkyForge\nRobotics"}, "name"),
        ({"name": "SkyForge\x07Robotics"}, "name"),
        ({"name": "SkyForge\x85Robotics"}, "name"),
        ({"contact": _contact(name="Olena\r\nPetrenko")}, "contact.name"),
        ({"contact": _contact(email='"a\x0bb"@skyforge.example')}, "contact.email"),
        ({"website": "https://skyforge.example/\x01"}, "website"),
        ({"offers": [{"capability": "uav.fpv", "detail": "FPV\x1b[31m"}]}, "offers[0].detail"),
    ],
)
def test_control_characters_in_one_line_firm_fields_are_refused_by_name(alice_client, firm_a, body, field):
    before = Firm.objects.get(pk=firm_a.pk)
    response = alice_client.patch(_firm_url(firm_a), body, format="json")
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert list(error["fields"]) == [field]
    assert "U+00" in error["fields"][field][0]
    after = Firm.objects.get(pk=firm_a.pk)
    assert (after.name, after.contact_name, after.contact_email, after.website) == (
        before.name,
        before.contact_name,
        before.contact_email,
        before.website,
    )


def test_a_line_break_in_a_firm_name_is_refused_with_a_rule_a_person_can_act_on(alice_client, firm_a):
    response = alice_client.patch(_firm_url(firm_a), {"name": "SkyForge\r\nBcc: x@example.com"}, format="json")
    assert response.json()["error"]["fields"]["name"] == [
        "must be a single line: remove the line break (U+000D at character 9)"
    ]


def test_the_rule_is_given_in_ukrainian_too(alice_client, firm_a):
    response = alice_client.patch(_firm_url(firm_a), {"name": "SkyForge\nX"}, format="json", HTTP_ACCEPT_LANGUAGE="uk")
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["name"][0].startswith("має бути одним рядком")


def test_a_multi_line_description_keeps_line_breaks_and_tabs_but_no_other_control_characters(alice_client, firm_a):
    text = "Builds drones.\r\nAlso:\tthermal optics for reconnaissance."
    response = alice_client.patch(_firm_url(firm_a), {"description": text}, format="json")
    assert response.status_code == 200, response.content
    assert Firm.objects.get(pk=firm_a.pk).description == "Builds drones.\nAlso:\tthermal optics for reconnaissance."

    response = alice_client.patch(_firm_url(firm_a), {"description": text + "\x08\x08"}, format="json")
    assert response.status_code == 400
    assert "control characters (U+0008" in response.json()["error"]["fields"]["description"][0]


def test_the_exchange_import_refuses_control_characters_in_one_line_fields():
    capability = Capability.objects.order_by("code").first().code
    firm = {
        "ref": "ua-bad-name",
        "name": "Bad\r\nName LLC",
        "country": "UA",
        "edrpou": "14360570",
        "description": "Builds drones and wants partners for optics.",
        "offers": [{"capability": capability}],
        "partnership_types": ["co_production"],
        "contact": {"name": "Olena\tPetrenko", "email": "olena@bad.example"},
    }
    _, problems = file_problems({"format": "alliance-firms/1", "firms": [firm]}, capability_codes={capability})
    assert any(p.startswith("firms[0] (ua-bad-name): name: must be a single line") for p in problems), problems
    assert any(p.startswith("firms[0] (ua-bad-name): contact.name: must not contain control") for p in problems)


def test_the_api_kit_applies_the_text_rules_to_every_serializer_field(rita_client):
    body = {"code": "uav.test", "domain": "uav", "name_en": "Test\r\nX", "name_uk": "Тест"}
    response = rita_client.post("/api/v1/capabilities/", body, format="json")
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["name_en"]
    assert not Capability.objects.filter(code="uav.test").exists()


def test_a_reason_may_span_lines_but_not_hold_control_characters(rita_client, firm_a):
    response = rita_client.post(f"{_firm_url(firm_a)}suspend/", {"reason": "Expired\x1b licence"}, format="json")
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["reason"]
    assert Firm.objects.get(pk=firm_a.pk).status == firm_a.status
    response = rita_client.post(
        f"{_firm_url(firm_a)}suspend/", {"reason": "Expired licence.\r\nSee file."}, format="json"
    )
    assert response.status_code == 200


# --- NUL and lone surrogates anywhere ------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ('{"description": "Builds drones and optics \\u0000 for the front."}', "description"),
        ('{"name": "SkyForge \\ud800"}', "name"),
        ('{"contact": {"name": "Olena \\udfff", "email": "o@skyforge.example"}}', "contact.name"),
        ('{"offers": [{"capability": "uav.fpv", "detail": "a\\u0000"}]}', "offers[0].detail"),
        ('{"languages": ["uk", "e\\u0000"]}', "languages[1]"),
    ],
)
def test_nul_and_lone_surrogates_are_refused_by_field_path(alice_client, firm_a, body, field):
    response = _patch_raw(alice_client, _firm_url(firm_a), body)
    assert response.status_code == 400, response.content
    assert field in response.json()["error"]["fields"]
    assert Firm.objects.get(pk=firm_a.pk).description == firm_a.description


@pytest.mark.parametrize(
    "body",
    [
        '{"reason": "not now \\udc00"}',  # DRF's CharField refused this (and NUL) already: a guard
        '{"reason": "not now \\u001b[2J"}',  # a control character: declined before the API kit's rule
    ],
)
def test_a_review_decline_reason_with_a_surrogate_or_control_character_is_refused(alice_client, firm_a, firm_b, body):
    proposal = ProposalFactory(ukrainian=firm_a, partner=firm_b, score=0.8, status=Proposal.Status.APPROVED)
    response = alice_client.generic(
        "POST", f"/api/v1/proposals/{proposal.pk}/decline/", body, content_type="application/json"
    )
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["reason"]
    assert Proposal.objects.get(pk=proposal.pk).status == Proposal.Status.APPROVED


def test_a_surrogate_in_a_field_name_is_refused_not_echoed_into_a_500(alice_client, firm_a):
    response = _patch_raw(alice_client, _firm_url(firm_a), '{"na\\ud800me": "x"}')
    assert response.status_code == 400
    assert "surrogate" in json.dumps(response.json()["error"]["fields"])


# --- Text-direction controls and invisible names -------------------------------------------------


@pytest.mark.parametrize("char", ["\u202e", "\u202a", "\u2066", "\u2069", "\u200f", "\u200e"])
def test_text_direction_controls_are_refused(alice_client, firm_a, char):
    response = alice_client.patch(_firm_url(firm_a), {"name": f"SkyForge{char} LLC"}, format="json")
    assert response.status_code == 400
    assert "text direction" in response.json()["error"]["fields"]["name"][0]


@pytest.mark.parametrize("name", ["\u200b\u200b\u200b", "\ufeff \u2060", "\u200c\u200d  "])
def test_a_name_of_only_invisible_characters_is_refused(alice_client, firm_a, name):
    response = alice_client.patch(_firm_url(firm_a), {"name": name}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["name"] == [
        "must contain visible characters, not only spaces or invisible ones"
    ]
    response = alice_client.patch(_firm_url(firm_a), {"contact": _contact(name=name)}, format="json")
    assert response.status_code == 400
    assert "contact.name" in response.json()["error"]["fields"]
    assert Firm.objects.get(pk=firm_a.pk).name == firm_a.name


# --- Deep JSON -----------------------------------------------------------------------------------


@pytest.mark.parametrize("depth", [33, 500, 5000, 100_000])
def test_deeply_nested_json_is_a_400_before_log_in(anon, depth):
    response = anon.generic("POST", "/api/v1/auth/signup/", "[" * depth + "]" * depth, content_type="application/json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "parse_error"
    assert "nested deeper than 32 levels" in error["message"]


def test_json_nested_32_deep_is_still_parsed(anon):
    body = {"username": [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["x"]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}  # 32 levels with the object
    response = anon.post("/api/v1/auth/signup/", body, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"  # a wrong type, no parse error


# --- Integers past the database's range ------------------------------------------------------------


def test_a_huge_integer_filter_is_a_400_naming_the_parameter(alice_client, firm_a):
    response = alice_client.get(f"/api/v1/proposals/?firm={HUGE}")
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["firm"]


def test_a_huge_negative_integer_filter_is_a_400_too(rita_client):
    response = rita_client.get(f"/api/v1/proposals/?firm=-{HUGE}")
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["firm"]


@pytest.mark.parametrize(
    "path",
    [
        f"/api/v1/firms/{HUGE}/",
        f"/api/v1/firms/{HUGE}/history/",
        f"/api/v1/proposals/{HUGE}/",
        f"/api/v1/firms/{HUGE}/members/",
        f"/api/v1/notifications/{HUGE}/read/",
    ],
)
def test_a_huge_id_in_a_path_is_a_404(rita_client, path):
    method = "post" if path.endswith("/read/") else "get"
    response = getattr(rita_client, method)(path)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_a_huge_day_count_on_the_review_queue_page_is_not_a_server_error(rita):
    client = Client()
    client.force_login(rita)
    response = client.get(reverse("web:review_queue"), {"max_age_days": "99999999999"})
    assert response.status_code == 200


def test_a_text_filter_with_control_characters_is_a_400(alice_client):
    response = alice_client.get("/api/v1/firms/", {"search": "drone\x1b"})
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["search"]


# --- A path without its trailing slash ----------------------------------------------------------


@pytest.mark.parametrize("method", ["get", "post", "put", "patch", "delete", "options"])
def test_an_api_path_without_its_slash_answers_the_json_error_for_every_method(alice_client, firm_a, method):
    for path in ("/api/v1/firms", f"/api/v1/firms/{firm_a.pk}", "/api/v1/auth/signup"):
        response = getattr(alice_client, method)(path, {}, format="json")
        assert response.status_code == 404, (method, path, response.status_code)
        error = response.json()["error"]
        assert error["code"] == "not_found"
        assert f"{path}/" in error["message"]


def test_a_path_without_its_slash_does_not_change_anything(alice_client, firm_a):
    count = Firm.objects.count()
    response = alice_client.post("/api/v1/firms", {"ref": "ua-x", "name": "X"}, format="json")
    assert response.status_code == 404
    assert Firm.objects.count() == count


def test_an_unknown_api_path_without_a_slash_is_the_plain_json_404(alice_client):
    response = alice_client.get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response.json()["error"]["message"] == "Not found."


# --- Responses that carry contacts are never stored -------------------------------------------------


def test_api_answers_with_contacts_are_not_stored(alice_client, firm_a, firm_b):
    proposal = ProposalFactory(ukrainian=firm_a, partner=firm_b, score=0.8, status=Proposal.Status.CONNECTED)
    for path in (
        _firm_url(firm_a),
        "/api/v1/firms/",
        "/api/v1/me/",
        f"/api/v1/proposals/{proposal.pk}/",
        "/api/v1/proposals/",
    ):
        response = alice_client.get(path)
        assert response.status_code == 200, path
        assert "no-store" in response["Cache-Control"], path


def test_the_token_answer_is_not_stored_either(anon, alice):
    alice.set_password("correct horse battery")
    alice.save()
    response = anon.post(
        "/api/v1/auth/token/", {"username": "alice", "password": "correct horse battery"}, format="json"
    )
    assert response.status_code == 201
    assert "no-store" in response["Cache-Control"]


def test_signed_in_pages_are_not_stored(alice, firm_a):
    client = Client()
    client.force_login(alice)
    for url in (reverse("web:firm_dashboard", args=[firm_a.pk]), reverse("web:firm_edit", args=[firm_a.pk])):
        response = client.get(url)
        assert response.status_code == 200
        assert "no-store" in response["Cache-Control"], url


# --- Content security policy --------------------------------------------------------------------------


def test_the_csp_forbids_base_tags_and_foreign_form_targets():
    policy = Client().get(reverse("web:login"))["Content-Security-Policy"]
    directives = {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}
    assert directives["base-uri"] == ["'none'"]
    assert directives["form-action"] == ["'self'"]


# --- The web forms --------------------------------------------------------------------------------------


def _profile(firm, **overrides) -> dict:
    data = {
        "name": firm.name,
        "country": "UA",
        "edrpou": firm.edrpou,
        "description": "Builds multirotor reconnaissance drones for the front line.",
        "offers": ["uav.multirotor_isr"],
        "seeks": [],
        "partnership_types": ["co_production"],
        "security_clearance": "NONE",
        "languages": "uk, en",
        "contact_name": "Olena Petrenko",
        "contact_email": "olena@kyivdrone.example",
        "contact_phone": "+380441234567",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("name", "SkyForge\rBcc: x@example.com"),
        ("contact_name", "Olena\u202ePetrenko"),
        ("name", "\u200b\u200b\u200b"),
        ("description", "Builds drones for the front line.\x07\x07"),
    ],
)
@pytest.mark.parametrize("language", ["en", "uk"])
def test_the_profile_form_shows_the_text_rule_beside_the_field(alice, firm_a, field, value, language):
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(alice)
    before = Firm.objects.get(pk=firm_a.pk)
    response = client.post(reverse("web:firm_edit", args=[firm_a.pk]), _profile(firm_a, **{field: value}))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == [field], errors
    after = Firm.objects.get(pk=firm_a.pk)
    assert (after.name, after.contact_name, after.description) == (
        before.name,
        before.contact_name,
        before.description,
    )


def test_the_profile_form_keeps_line_breaks_in_the_description(alice, firm_a):
    client = Client()
    client.force_login(alice)
    text = "Builds multirotor drones.\r\nAnd thermal optics for them."
    response = client.post(reverse("web:firm_edit", args=[firm_a.pk]), _profile(firm_a, description=text))
    assert response.status_code == 302, response.context["form"].errors if response.context else response
    assert Firm.objects.get(pk=firm_a.pk).description == "Builds multirotor drones.\nAnd thermal optics for them."
