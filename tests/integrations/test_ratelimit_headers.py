"""RateLimit-Limit / -Remaining / -Reset on API answers, counting down per token."""

from django.core.cache import cache
from rest_framework.throttling import AnonRateThrottle

from accounts.throttling import TokenRateThrottle


def test_each_answer_says_the_limit_what_remains_and_when_it_resets(alice_token, monkeypatch):
    cache.clear()
    monkeypatch.setattr(TokenRateThrottle, "THROTTLE_RATES", {**TokenRateThrottle.THROTTLE_RATES, "token": "3/min"})
    answers = [alice_token.get("/api/v1/me/") for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert [a["RateLimit-Limit"] for a in answers] == ["3"] * 4
    assert [a["RateLimit-Remaining"] for a in answers] == ["2", "1", "0", "0"]
    assert all(0 <= int(a["RateLimit-Reset"]) <= 60 for a in answers)
    assert int(answers[3]["Retry-After"]) > 0 and answers[3].json()["error"]["retry_after"] > 0


def test_anonymous_callers_are_counted_per_address(anon, db, monkeypatch):
    cache.clear()
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {**AnonRateThrottle.THROTTLE_RATES, "anon": "5/min"})
    response = anon.get("/api/schema/")  # open to all, default throttles
    assert response.status_code == 200
    assert response["RateLimit-Limit"] == "5" and response["RateLimit-Remaining"] == "4"
