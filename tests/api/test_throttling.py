"""The API's rate limit counts in a sliding window, exactly, whatever the concurrency."""

from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache

from catalog.api import throttling
from catalog.api.throttling import TokenRateThrottle
from catalog.redis_cache import count_and_read

WINDOW_START = 60 * 29_000_000  # a minute boundary


@pytest.fixture(autouse=True)
def four_reads_a_minute(settings):
    settings.API_THROTTLE_RATES = {**settings.API_THROTTLE_RATES, "api_read": "4/minute"}
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def clock(monkeypatch):
    now = SimpleNamespace(value=WINDOW_START)
    monkeypatch.setattr(throttling.time, "time", lambda: now.value)
    return now


def read(address: str = "192.0.2.1") -> tuple[bool, float | None]:
    request = SimpleNamespace(
        method="GET", auth=None, user=AnonymousUser(), META={"REMOTE_ADDR": address}
    )
    throttle = TokenRateThrottle()
    allowed = throttle.allow_request(request, SimpleNamespace())
    return allowed, None if allowed else throttle.wait()


def test_the_fifth_read_in_a_window_waits_for_the_next_one(clock):
    clock.value = WINDOW_START + 50
    assert [read()[0] for _ in range(4)] == [True] * 4
    assert read() == (False, 10)


def test_the_previous_window_counts_for_the_part_still_inside_the_last_minute(clock):
    clock.value = WINDOW_START + 59
    assert [read()[0] for _ in range(4)] == [True] * 4
    # 15 s into the next window, three quarters of the four earlier reads still count.
    clock.value = WINDOW_START + 60 + 15
    assert read() == (True, None)
    # Two more would be 3 + 2 > 4: one fits once the earlier share is down to two, at 30 s.
    assert read() == (False, 15)


def test_refused_reads_are_not_counted(clock):
    clock.value = WINDOW_START + 1
    for _ in range(10):
        read()
    # Halfway through the next window, half of the earlier window's reads still count: 2 of the
    # 4 served (had the 6 refusals counted too, 5 of 10, and none would fit).
    clock.value = WINDOW_START + 60 + 30
    assert [read()[0] for _ in range(3)] == [True, True, False]


def test_addresses_are_counted_apart(clock):
    assert [read("192.0.2.1")[0] for _ in range(5)] == [True] * 4 + [False]
    assert read("192.0.2.2") == (True, None)


def test_concurrent_counts_are_exact():
    with ThreadPoolExecutor(max_workers=16) as pool:
        counts = list(
            pool.map(lambda _: count_and_read("exact", "other", timeout=60)[0], range(200))
        )
    assert sorted(counts) == list(range(1, 201))
