"""Passwords are hashed with Argon2 under the project's settings (the suite itself uses a fast
hasher, see tests/conftest.py), and older PBKDF2 hashes keep working until the next login."""

import pytest
from django.contrib.auth.hashers import make_password

import catalog.settings as project_settings  # the module Django loaded, not a second copy
from accounts.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture
def project_hashers(settings):
    settings.PASSWORD_HASHERS = list(project_settings.PASSWORD_HASHERS)


def test_argon2_comes_first_and_django_s_pbkdf2_hashers_follow():
    assert project_settings.PASSWORD_HASHERS == [
        "django.contrib.auth.hashers.Argon2PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    ]


@pytest.mark.usefixtures("project_hashers")
def test_a_password_set_is_stored_as_an_argon2id_hash_that_verifies(user):
    user.set_password("a long passphrase for argon")
    user.save()

    stored = User.objects.get(pk=user.pk)
    assert stored.password.startswith("argon2$argon2id$")
    assert stored.check_password("a long passphrase for argon")
    assert not stored.check_password("a long passphrase for argon!")


@pytest.mark.usefixtures("project_hashers")
def test_signing_up_stores_an_argon2_hash(client):
    password = "a long enough passphrase 42"
    client.post(
        "/accounts/signup/", {"username": "ana", "password1": password, "password2": password}
    )
    assert User.objects.get(username="ana").password.startswith("argon2$")


@pytest.mark.usefixtures("project_hashers")
def test_an_older_pbkdf2_hash_logs_in_and_is_rehashed_with_argon2(client, user, password):
    User.objects.filter(pk=user.pk).update(password=make_password(password, hasher="pbkdf2_sha256"))

    response = client.post("/accounts/login/", {"username": user.username, "password": password})

    assert response.status_code == 302
    user.refresh_from_db()
    assert user.password.startswith("argon2$")
    assert user.check_password(password)
