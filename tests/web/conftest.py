"""Page clients for the named personas (Django's test client with a session, as a browser has)."""

import pytest
from django.core.cache import cache
from django.test import Client
from knox.models import AuthToken

from tests.factories import ProposalFactory


@pytest.fixture(autouse=True)
def _fresh_cache():
    """The dashboard caches its numbers; every test starts from an empty cache."""
    cache.clear()
    yield
    cache.clear()


def _page_client(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def page_anon():
    return Client()


@pytest.fixture
def page_alice(alice):
    return _page_client(alice)


@pytest.fixture
def page_alice_viewer(alice_viewer):
    return _page_client(alice_viewer)


@pytest.fixture
def page_bob(bob):
    return _page_client(bob)


@pytest.fixture
def page_rita(rita):
    return _page_client(rita)


@pytest.fixture
def page_adam(adam):
    return _page_client(adam)


@pytest.fixture
def page_alice_token(alice):
    """A Bearer token means nothing to the pages: they use the session, so this is anonymous there."""
    _, token = AuthToken.objects.create(alice)
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}")


PAGE_PERSONAS = [
    "page_anon",
    "page_alice",
    "page_alice_viewer",
    "page_bob",
    "page_rita",
    "page_adam",
    "page_alice_token",
]


@pytest.fixture
def page_persona(request):
    return request.getfixturevalue(request.param)


@pytest.fixture
def proposal_ab(firm_a, firm_b):
    """An approved introduction between A and B (visible to both firms)."""
    return ProposalFactory(ukrainian=firm_a, partner=firm_b, status="approved", score=0.81)


@pytest.fixture
def proposal_pending_ab(firm_a, firm_b):
    """A proposal still waiting for a reviewer (firms cannot see it)."""
    return ProposalFactory(ukrainian=firm_a, partner=firm_b, status="proposed", score=0.64)
