"""Counters that slow down guessing passwords and issuing access tokens in bulk.

Counts live in the default cache: Redis when REDIS_URL is set, so every web process shares them,
process memory otherwise. A counter starts at the first attempt and lasts its rate's period
(`settings.AUTH_RATE_LIMITS`); the attempt that goes over the count is refused until it ends.
"""

import contextlib
import hashlib
import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

from accounts.models import User

_PERIOD_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


@dataclass(frozen=True)
class Rate:
    count: int
    seconds: int

    @classmethod
    def parse(cls, raw: str) -> "Rate":
        """Rate.parse("10/minute") == Rate(10, 60); the settings have checked the form."""
        count, _, period = raw.partition("/")
        return cls(int(count), _PERIOD_SECONDS[period[0]])


class RateLimited(Exception):
    def __init__(self, retry_after: int) -> None:
        super().__init__(f"rate limited for {retry_after} s")
        self.retry_after = retry_after

    @property
    def try_again(self) -> str:
        seconds = self.retry_after
        return f"try again in {seconds} second{'' if seconds == 1 else 's'}"


@dataclass(frozen=True)
class Attempt:
    """An attempt counted against one or more counters."""

    keys: tuple[str, ...]

    def forgive(self) -> None:
        """Take the attempt back: a login that succeeds was not a guess."""
        for key in self.keys:
            with contextlib.suppress(ValueError):  # the counter's period ended meanwhile
                cache.decr(key)


def client_address(request: HttpRequest) -> str:
    """The client's address. Behind `NUM_PROXIES` proxies it is the entry that many places from
    the right of X-Forwarded-For: a client may put anything at the left of that header, but the
    entries our own proxies append are theirs."""
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    if settings.NUM_PROXIES and hops:
        return hops[-min(settings.NUM_PROXIES, len(hops))]
    return request.META.get("REMOTE_ADDR", "")


def _key(scope: str, identity: str) -> str:
    # Hashed, so any username makes a valid cache key and none is kept in the cache in clear.
    return f"rate:{scope}:{hashlib.sha256(identity.encode()).hexdigest()}"


def _count(key: str, period: int) -> tuple[int, float]:
    """Add one to the counter; return its count and the seconds until its period ends."""
    now = time.time()
    # The first attempt of a period starts the counter and notes when the period ends.
    if cache.add(key, 0, timeout=period):
        cache.set(f"{key}:ends", now + period, timeout=period)
    try:
        count = cache.incr(key)
    except ValueError:  # the period ended between the two calls
        cache.set(key, 1, timeout=period)
        cache.set(f"{key}:ends", now + period, timeout=period)
        count = 1
    ends = cache.get(f"{key}:ends") or now + period
    return count, ends - now


def count_attempt(counters: dict[str, str]) -> Attempt:
    """Count one attempt against each `{scope: identity}` counter, at the scope's rate in
    `settings.AUTH_RATE_LIMITS`; raise RateLimited if any counter is now over its count."""
    keys, waits = [], []
    for scope, identity in counters.items():
        rate = Rate.parse(settings.AUTH_RATE_LIMITS[scope])
        key = _key(scope, identity)
        count, remaining = _count(key, rate.seconds)
        keys.append(key)
        if count > rate.count:
            waits.append(remaining)
    if waits:
        raise RateLimited(max(1, math.ceil(max(waits))))
    return Attempt(tuple(keys))


def login_attempt(request: HttpRequest, *, username: str) -> Attempt:
    """Count a login attempt per username from this address, and per address."""
    address = client_address(request)
    # Usernames match regardless of case at login, so "Ana" and "ana" share a counter.
    return count_attempt(
        {"login_account": f"{address} {username.strip().lower()}", "login_address": address}
    )


def token_create_attempt(*, user: User) -> Attempt:
    return count_attempt({"token_create": str(user.pk)})
