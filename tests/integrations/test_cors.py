"""CORS is off unless CORS_ALLOWED_ORIGINS lists an origin; then only for it, only under /api/."""

ORIGIN = "https://crm.partner.example"


def test_no_cors_headers_by_default(alice_token):
    response = alice_token.get("/api/v1/me/", HTTP_ORIGIN=ORIGIN)
    assert response.status_code == 200 and "Access-Control-Allow-Origin" not in response


def test_an_allowed_origin_gets_cors_and_others_do_not(alice_token, settings):
    settings.CORS_ALLOWED_ORIGINS = [ORIGIN]
    ok = alice_token.get("/api/v1/me/", HTTP_ORIGIN=ORIGIN)
    assert ok["Access-Control-Allow-Origin"] == ORIGIN and "ETag" in ok["Access-Control-Expose-Headers"]
    other = alice_token.get("/api/v1/me/", HTTP_ORIGIN="https://evil.example")
    assert "Access-Control-Allow-Origin" not in other
    preflight = alice_token.options(
        "/api/v1/me/",
        HTTP_ORIGIN=ORIGIN,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="PATCH",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="authorization, idempotency-key, if-match",
    )
    assert preflight.status_code == 200 and "idempotency-key" in preflight["Access-Control-Allow-Headers"]
    assert "Access-Control-Allow-Credentials" not in preflight
