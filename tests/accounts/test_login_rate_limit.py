"""The login form stops checking passwords for a username and address after too many failures."""

import re
import time

import pytest
from django.core.cache import cache

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
REFUSAL = re.compile(r"Too many login attempts; try again in (\d+) seconds?\.")


@pytest.fixture(autouse=True)
def fresh_counters(settings):
    """Counters live in the cache and user names repeat across tests, so each test starts at 0."""
    settings.AUTH_RATE_LIMITS = {
        **settings.AUTH_RATE_LIMITS,
        "login_account": "3/minute",
        "login_address": "5/minute",
    }
    cache.clear()
    yield
    cache.clear()


def log_in(client, username: str, password: str, address: str = "192.0.2.1", **headers):
    return client.post(
        LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address, **headers
    )


def fail(client, username: str, times: int, address: str = "192.0.2.1", **headers) -> None:
    for _ in range(times):
        response = log_in(client, username, "wrong password", address, **headers)
        assert response.status_code == 200
        assert response.context["form"].errors


def assert_refused(response) -> int:
    assert response.status_code == 429
    match = REFUSAL.search(response.content.decode())
    assert match, response.content.decode()
    seconds = int(match.group(1))
    assert response["Retry-After"] == str(seconds)
    return seconds


def test_the_attempt_after_the_limit_is_refused_with_429_and_when_to_retry(client, user):
    fail(client, user.username, 3)

    response = log_in(client, user.username, "wrong password")

    assert 55 <= assert_refused(response) <= 60
    assert 'role="alert"' in response.content.decode()
    assert f'value="{user.username}"' in response.content.decode()


def test_a_refused_attempt_is_not_logged_in_even_with_the_right_password(client, user, password):
    fail(client, user.username, 3)

    response = log_in(client, user.username, password)

    assert_refused(response)
    assert "_auth_user_id" not in client.session


def test_the_username_counts_regardless_of_case(client, user):
    fail(client, user.username.upper(), 3)
    assert_refused(log_in(client, user.username, "wrong password"))


def test_another_user_from_another_address_logs_in_meanwhile(client, user, password):
    fail(client, user.username, 3, address="192.0.2.1")
    other = UserFactory()

    response = log_in(client, other.username, password, address="198.51.100.7")

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(other.pk)


def test_failures_from_one_address_do_not_lock_the_user_out_elsewhere(client, user, password):
    fail(client, user.username, 3, address="192.0.2.1")
    assert_refused(log_in(client, user.username, "wrong password", address="192.0.2.1"))

    response = log_in(client, user.username, password, address="198.51.100.7")

    assert response.status_code == 302


def test_guessing_across_many_usernames_from_one_address_is_limited_too(client):
    for number in range(5):
        fail(client, f"nobody{number}", 1)

    assert_refused(log_in(client, "nobody-else", "wrong password"))


def test_successful_logins_are_not_counted(client, user, password):
    for _ in range(6):
        assert log_in(client, user.username, password).status_code == 302
    fail(client, user.username, 3)


def test_a_forged_forwarded_for_header_does_not_make_a_new_address(client, user):
    for number in range(3):
        fail(client, user.username, 1, HTTP_X_FORWARDED_FOR=f"203.0.113.{number}")

    response = log_in(client, user.username, "x", HTTP_X_FORWARDED_FOR="203.0.113.99")

    assert_refused(response)


def test_behind_a_proxy_each_forwarded_client_has_its_own_count(client, user, password, settings):
    settings.NUM_PROXIES = 1
    proxy = "10.0.0.2"
    fail(client, user.username, 3, address=proxy, HTTP_X_FORWARDED_FOR="203.0.113.5")
    # A client cannot pose as another by writing to the left of what the proxy appends.
    forged = log_in(client, user.username, "x", proxy, HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.5")
    assert_refused(forged)

    response = log_in(client, user.username, password, proxy, HTTP_X_FORWARDED_FOR="203.0.113.6")

    assert response.status_code == 302


def test_the_limit_lifts_when_its_period_ends(client, user, password, settings):
    settings.AUTH_RATE_LIMITS = {**settings.AUTH_RATE_LIMITS, "login_account": "2/second"}
    fail(client, user.username, 2)
    assert assert_refused(log_in(client, user.username, "wrong password")) == 1

    time.sleep(1.2)

    assert log_in(client, user.username, password).status_code == 302
