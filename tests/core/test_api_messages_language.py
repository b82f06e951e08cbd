"""DRF's own validation and parse messages answer in the request's language, with plural forms."""

import re

import pytest
from django.utils import translation
from rest_framework import serializers

from tests.events.helpers import make_event, register

V1 = "/api/v1"


def _fields(response) -> dict:
    assert response.status_code == 400, response.content
    return response.json()["error"]["fields"]


@pytest.mark.parametrize(
    "language, ids, expected",
    [
        ("uk", [], "Список має містити щонайменше 1 елемент."),
        ("en", [], "This list must have at least 1 item."),
        ("uk", list(range(1, 502)), "Список має містити не більше ніж 500 елементів."),
        ("en", list(range(1, 502)), "This list must have no more than 500 items."),
    ],
)
def test_bulk_review_list_length_is_explained_in_the_readers_language(rita_client, language, ids, expected):
    response = rita_client.post(
        f"{V1}/proposals/bulk-review/", {"ids": ids, "action": "approve"}, format="json", HTTP_ACCEPT_LANGUAGE=language
    )
    assert _fields(response)["ids"] == [expected]
    assert expected in response.json()["error"]["message"]


@pytest.mark.parametrize(
    "language, expected",
    [("uk", "Список має містити не більше ніж 3 елементи."), ("en", "This list must have no more than 3 items.")],
)
def test_too_many_attendees_uses_the_plural_form_of_three(alice_client, alice, firm_a, language, expected):
    event = make_event()
    response = alice_client.post(
        f"{V1}/events/{event.pk}/participations/",
        {"firm": firm_a.pk, "attendees": [alice.pk] * 4},
        format="json",
        HTTP_ACCEPT_LANGUAGE=language,
    )
    assert _fields(response)["attendees"] == [expected]


@pytest.mark.parametrize(
    "language, expected",
    [
        ("uk", "Список має містити не більше ніж 2000 елементів."),
        ("en", "This list must have no more than 2000 items."),
    ],
)
def test_too_many_blocked_slots_is_explained_in_the_readers_language(alice_client, alice, firm_a, language, expected):
    participation = register(make_event(), firm_a, alice)
    response = alice_client.patch(
        f"{V1}/participations/{participation.pk}/",
        {"blocked_slots": list(range(2001))},
        format="json",
        HTTP_ACCEPT_LANGUAGE=language,
    )
    assert _fields(response)["blocked_slots"] == [expected]


@pytest.mark.parametrize(
    "language, expected",
    [
        ("uk", "Тіло запиту не є коректним JSON: очікувалося значення (рядок 1, стовпець 9, символ 8)."),
        ("en", "The request body is not valid JSON: a value was expected at line 1, column 9 (character 8)."),
    ],
)
def test_malformed_json_is_explained_in_the_readers_language_with_its_position(rita_client, language, expected):
    response = rita_client.generic(
        "POST",
        f"{V1}/proposals/bulk-review/",
        '{"ids": ]}',
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE=language,
    )
    assert response.status_code == 400
    assert response.json()["error"]["message"] == expected


@pytest.mark.parametrize(
    "body, language, expected",
    [
        (b'{"ids": [1], "action": "approve",}', "uk", "очікувалася назва властивості в подвійних лапках"),
        (b'{"ids": [1]} x', "uk", "після кінця значення JSON є зайвий текст"),
        (b'{"ids": NaN}', "uk", "NaN та Infinity не допускаються як числа"),
        (b'{"ids": "\xff"}', "uk", "не текст у кодуванні UTF-8"),
        (b'{"ids": NaN}', "en", "NaN and Infinity are not allowed as numbers"),
    ],
)
def test_every_kind_of_broken_json_is_explained(rita_client, body, language, expected):
    response = rita_client.generic(
        "POST", f"{V1}/proposals/bulk-review/", body, content_type="application/json", HTTP_ACCEPT_LANGUAGE=language
    )
    assert response.status_code == 400
    assert expected in response.json()["error"]["message"]


class _EveryKind(serializers.Serializer):
    ids = serializers.ListField(child=serializers.IntegerField(), min_length=2)
    pairs = serializers.DictField(allow_empty=False)
    key = serializers.UUIDField()
    flag = serializers.BooleanField()
    slug = serializers.SlugField(allow_unicode=True)
    name = serializers.CharField()
    big = serializers.IntegerField(max_value=10)
    rows = serializers.ListSerializer(child=serializers.IntegerField(), max_length=1)


def _first(messages):
    # a ListSerializer's own errors come as {"non_field_errors": [...]}
    return next(iter(messages.values()))[0] if isinstance(messages, dict) else messages[0]


def test_no_drf_field_message_is_left_in_english_for_ukrainian_readers():
    bad = {"ids": [1], "pairs": {}, "key": "x", "flag": "maybe", "slug": "a b", "name": [1], "big": 11, "rows": [1, 2]}
    with translation.override("uk"):
        serializer = _EveryKind(data=bad)
        assert not serializer.is_valid()
        errors = {field: str(_first(messages)) for field, messages in serializer.errors.items()}
    assert set(errors) == set(bad)
    english = {field: message for field, message in errors.items() if not re.search("[а-яіїєґ]", message)}
    assert not english, english
    assert errors["ids"] == "Список має містити щонайменше 2 елементи."
    assert errors["rows"] == "Список має містити не більше ніж 1 елемент."


@pytest.mark.parametrize(
    ("language", "wait", "expected"),
    [
        ("uk", 1, "Забагато запитів. Спробуйте знову через 1 секунду."),
        ("uk", 3, "Забагато запитів. Спробуйте знову через 3 секунди."),
        ("uk", 25, "Забагато запитів. Спробуйте знову через 25 секунд."),
        ("en", 1, "Request was throttled. Expected available in 1 second."),
        ("en", 25, "Request was throttled. Expected available in 25 seconds."),
    ],
)
def test_a_throttled_answer_says_how_long_to_wait_with_the_right_plural(language, wait, expected):
    from rest_framework.exceptions import Throttled

    with translation.override(language):
        assert str(Throttled(wait=wait).detail) == expected
