import pytest


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    """The personas' passwords are hashed at creation; PBKDF2 would spend seconds per test on it.
    Registry tests are not about password storage, so use the cheapest hasher."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
