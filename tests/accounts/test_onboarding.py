"""Self-service: sign up, log in, create a firm, become its owner; the firm waits for a reviewer."""

from rest_framework.test import APIClient

from registry.demo import generate_firm_documents


def test_a_person_signs_up_creates_a_firm_and_owns_it_pending_until_verified(db, rita_client):
    client = APIClient()
    signup = client.post(
        "/api/v1/auth/signup/",
        {"username": "mykola", "email": "mykola@example.org", "password": "sunflower-field-42", "language": "uk"},
    )
    assert signup.status_code == 202
    login = client.post("/api/v1/auth/token/", {"username": "mykola", "password": "sunflower-field-42"})
    assert login.status_code == 201
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {login.json()['token']}")

    document = generate_firm_documents(1, seed=5)[0]  # a valid Ukrainian firm in the exchange format
    created = client.post("/api/v1/firms/", document)
    assert created.status_code == 201, created.content
    firm = created.json()
    assert firm["status"] == "pending"

    me = client.get("/api/v1/me/").json()
    assert me["memberships"] == [
        {"firm_id": firm["id"], "ref": document["ref"], "name": document["name"], "side": "ua", "status": "pending", "role": "owner"}
    ]  # fmt: skip
    members = client.get(f"/api/v1/firms/{firm['id']}/members/").json()["results"]
    assert [(m["username"], m["role"]) for m in members] == [("mykola", "owner")]

    assert rita_client.post(f"/api/v1/firms/{firm['id']}/verify/", {}).status_code == 200
    assert client.get("/api/v1/me/").json()["memberships"][0]["status"] == "verified"
