"""API rate limits: requests per token (or session user, or address when anonymous) and scope.

A sliding window over two fixed windows: the requests of the current window, plus the share of
the previous window's that still falls inside the last period. Counting is one round trip and
exact with many threads and processes (DRF's own throttle reads and writes back a list of
timestamps, which is slower as the rate grows and loses counts under concurrency).
"""

import contextlib
import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from rest_framework.request import Request
from rest_framework.throttling import BaseThrottle

from accounts.rate_limit import Rate, client_address
from catalog.redis_cache import count_and_read


@dataclass(frozen=True)
class RateWindow:
    """Where one client's requests of one scope are counted now, and how they are judged."""

    rate: Rate
    offset: float  # seconds into the current window
    current_key: str
    previous_key: str

    @classmethod
    def now(cls, scope: str, identity: str) -> "RateWindow":
        rate = Rate.parse(settings.API_THROTTLE_RATES[scope])
        window, offset = divmod(time.time(), rate.seconds)
        key = f"throttle:{scope}:{identity}"
        return cls(rate, offset, f"{key}:{int(window)}", f"{key}:{int(window) - 1}")

    @property
    def timeout(self) -> int:
        return 2 * self.rate.seconds

    def allows(self, current: int, previous: int) -> bool:
        """Whether a request counted as the `current`th of this window is within the rate."""
        previous_left = 1 - self.offset / self.rate.seconds
        return previous * previous_left + current <= self.rate.count

    def uncount(self) -> None:
        """A refused request is not counted: the limit is on requests served."""
        with contextlib.suppress(ValueError):
            cache.decr(self.current_key)


class TokenRateThrottle(BaseThrottle):
    """By the view's scope: `api_read`, `api_write` or `api_upload` (uploads and URL fetches),
    rates from `settings.API_THROTTLE_RATES`, read per request so tests can change them."""

    def allow_request(self, request: Request, view) -> bool:
        scope = getattr(view, "throttle_scope", None) or (
            "api_read" if request.method in {"GET", "HEAD", "OPTIONS"} else "api_write"
        )
        window = RateWindow.now(scope, self._identity(request))
        current, previous = count_and_read(
            window.current_key, window.previous_key, timeout=window.timeout
        )
        if window.allows(current, previous):
            return True
        window.uncount()
        self._wait = self._seconds_until_next(window.rate, window.offset, current - 1, previous)
        return False

    def wait(self) -> float:
        return self._wait

    @staticmethod
    def _seconds_until_next(rate: Rate, offset: float, current: int, previous: int) -> float:
        """When one more request fits: later in this window as the previous one's share shrinks,
        or else in the next window."""
        to_next_window = rate.seconds - offset
        if current + 1 > rate.count or previous == 0:
            return max(1.0, math.ceil(to_next_window))
        fits_at = rate.seconds * (1 - (rate.count - current - 1) / previous)
        return max(1.0, math.ceil(min(fits_at - offset, to_next_window)))

    @staticmethod
    def _identity(request: Request) -> str:
        if request.auth is not None and hasattr(request.auth, "pk"):
            return token_identity(request.auth.pk)
        if request.user.is_authenticated:
            return f"user-{request.user.pk}"
        # DRF's own reading trusts a client's X-Forwarded-For unless told how many proxies there
        # are; the logins' reading counts the configured ones (NUM_PROXIES).
        return f"addr-{client_address(request)}"


def token_identity(token_pk: int) -> str:
    return f"token-{token_pk}"
