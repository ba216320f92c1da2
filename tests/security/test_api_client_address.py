"""Anonymous API requests are counted by the client's real address: a client cannot start a fresh
count by writing its own X-Forwarded-For, and behind a proxy each client keeps its own."""

import pytest
from django.core.cache import cache

from tests.factories import BoardFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def two_reads_a_minute(settings):
    settings.API_THROTTLE_RATES = {**settings.API_THROTTLE_RATES, "api_read": "2/minute"}
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def board_url(db) -> str:
    return f"/api/v5/boards/{BoardFactory().pk}"


def assert_rate_limited(response) -> None:
    assert response.status_code == 429
    body = response.json()
    assert body["code"] == 8
    assert body["message"].startswith("Too many requests; retry in ")
    assert 0 < int(response["Retry-After"]) <= 60


def test_a_new_forwarded_for_each_time_does_not_escape_the_limit(client, board_url):
    for number in range(2):
        response = client.get(board_url, HTTP_X_FORWARDED_FOR=f"203.0.113.{number}")
        assert response.status_code == 200

    response = client.get(board_url, HTTP_X_FORWARDED_FOR="203.0.113.99")

    assert_rate_limited(response)


def test_behind_one_proxy_clients_are_counted_apart_by_the_address_it_appends(
    client, board_url, settings
):
    settings.NUM_PROXIES = 1
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    for _ in range(2):
        client.get(board_url, HTTP_X_FORWARDED_FOR="203.0.113.5", **proxy)

    forged = client.get(board_url, HTTP_X_FORWARDED_FOR="198.51.100.1, 203.0.113.5", **proxy)
    other = client.get(board_url, HTTP_X_FORWARDED_FOR="203.0.113.6", **proxy)

    assert_rate_limited(forged)
    assert other.status_code == 200
