import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from accounts.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("username", ["admin", "Pin-Builder", "static", "api"])
def test_usernames_that_shadow_a_route_are_refused(username):
    with pytest.raises(ValidationError, match="reserved"):
        User(username=username).full_clean(exclude=["password"])


@pytest.mark.parametrize("username", ["has space", "slash/name", ".dot-first", "x" * 31])
def test_usernames_must_fit_in_a_url(username):
    with pytest.raises(ValidationError):
        User(username=username).full_clean(exclude=["password"])


def test_usernames_are_unique_regardless_of_case():
    UserFactory(username="Ana")
    with pytest.raises(IntegrityError):
        User.objects.create(username="ana")


def test_logging_in_ignores_the_case_of_the_username(client, password):
    UserFactory(username="Ana")
    response = client.post("/accounts/login/", {"username": "ANA", "password": password})
    assert response.status_code == 302


def test_a_wrong_password_is_a_form_error_not_a_crash(client):
    UserFactory(username="ana")
    response = client.post("/accounts/login/", {"username": "ana", "password": "nope"})
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()
