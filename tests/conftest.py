"""Shared fixtures: the named personas every endpoint is tried by.

- alice: owner of firm A (Ukrainian, "SkyForge"); alice_editor / alice_viewer: editor and viewer of A
- bob: owner of firm B (partner, "Optronik"), the outsider who must get 404 on A's private things
- rita: ministry reviewer
- adam: administrator (superuser)
- anon: anonymous client
- alice_token: a Bearer token client for alice (partner systems)
"""

import pytest
from knox.models import AuthToken
from rest_framework.test import APIClient

from tests.factories import FirmFactory, MembershipFactory, UserFactory


@pytest.fixture
def firm_a(db):
    return FirmFactory(ref="ua-skyforge", name="SkyForge Robotics LLC", country="UA", edrpou="32855961")


@pytest.fixture
def firm_b(db):
    return FirmFactory(ref="de-optronik", name="Optronik Systems GmbH", partner=True)


@pytest.fixture
def alice(firm_a):
    user = UserFactory(username="alice")
    MembershipFactory(user=user, firm=firm_a, role="owner")
    return user


@pytest.fixture
def alice_editor(firm_a):
    user = UserFactory(username="alice_editor")
    MembershipFactory(user=user, firm=firm_a, role="editor")
    return user


@pytest.fixture
def alice_viewer(firm_a):
    user = UserFactory(username="alice_viewer")
    MembershipFactory(user=user, firm=firm_a, role="viewer")
    return user


@pytest.fixture
def bob(firm_b):
    user = UserFactory(username="bob")
    MembershipFactory(user=user, firm=firm_b, role="owner")
    return user


@pytest.fixture
def rita(db):
    return UserFactory(username="rita", is_reviewer=True)


@pytest.fixture
def adam(db):
    return UserFactory(username="adam", is_superuser=True, is_staff=True)


def _client_for(user) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user=user)
    return client


@pytest.fixture
def anon():
    return APIClient()


@pytest.fixture
def alice_client(alice):
    return _client_for(alice)


@pytest.fixture
def alice_editor_client(alice_editor):
    return _client_for(alice_editor)


@pytest.fixture
def alice_viewer_client(alice_viewer):
    return _client_for(alice_viewer)


@pytest.fixture
def bob_client(bob):
    return _client_for(bob)


@pytest.fixture
def rita_client(rita):
    return _client_for(rita)


@pytest.fixture
def adam_client(adam):
    return _client_for(adam)


@pytest.fixture
def alice_token(alice):
    """A real Bearer token, as a partner system would use it."""
    _, token = AuthToken.objects.create(alice)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


PERSONAS = [
    "anon",
    "alice_client",
    "alice_editor_client",
    "alice_viewer_client",
    "bob_client",
    "rita_client",
    "adam_client",
    "alice_token",
]


@pytest.fixture
def persona(request):
    """Indirect fixture: `@pytest.mark.parametrize("persona", PERSONAS, indirect=True)`."""
    return request.getfixturevalue(request.param)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # PBKDF2's deliberate slowness costs ~0.3 s per user created; the suite makes thousands.
    # Log-in tests still go through Django's real check_password path.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _no_kept_match_model():
    """A rematch keeps its prepared model per process (matching/services/prepared.py): never across tests."""
    from matching.services.prepared import prepared_forget

    prepared_forget()
    yield
    prepared_forget()


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Throttle counters live in the cache: every test starts with none."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def proposal_ab(firm_a, firm_b):
    """A fresh `proposed` proposal between alice's firm A and bob's firm B (review workflow tests)."""
    from tests.factories import ProposalFactory

    return ProposalFactory(ukrainian=firm_a, partner=firm_b, score=0.8)


@pytest.fixture(autouse=True)
def _no_language_left_active():
    """The test client runs requests in the test's thread and LocaleMiddleware leaves the page's
    language active afterwards; service messages follow the active language, so a Ukrainian page
    in one test must not turn the next test's messages Ukrainian."""
    from django.utils import translation

    yield
    translation.deactivate()


_DB_FIXTURES = {"db", "transactional_db", "django_db_reset_sequences", "django_db_serialized_rollback"}
_TRANSACTIONAL_FIXTURES = {"transactional_db", "django_db_reset_sequences", "live_server"}


@pytest.fixture(autouse=True)
def _taxonomy_loaded(request):
    """Every database test starts with the capability taxonomy and the platform catalogue.

    A data migration loads it, but a transactional test (real workers, live server) ends with a
    flush that empties every table, and serialized_rollback does not reliably restore it across
    a mixed session; so load it again, idempotently, with the migration's own function.
    """
    marker = request.node.get_closest_marker("django_db")
    names = set(request.fixturenames)
    if marker is None and not names & _DB_FIXTURES:
        return
    transactional = bool(marker and marker.kwargs.get("transaction")) or bool(names & _TRANSACTIONAL_FIXTURES)
    request.getfixturevalue("transactional_db" if transactional else "db")

    import importlib

    from django.apps import apps

    from registry.models import Capability, Platform

    if not Capability.objects.exists():
        importlib.import_module("registry.migrations.0002_load_capabilities").load(apps, None)
    if not Platform.objects.exists():
        importlib.import_module("registry.migrations.0010_load_platforms").load(apps, None)
