from django.conf import settings
from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle

from accounts.rate_limit import client_address


class TokenRateThrottle(SimpleRateThrottle):
    """Per token (or per session user, or per address when anonymous), by the view's scope:
    `api_read`, `api_write` or `api_upload` (uploads and URL fetches), rates from settings."""

    def __init__(self) -> None:  # the rate depends on the view, so it is read in allow_request
        pass

    def allow_request(self, request: Request, view) -> bool:
        self.scope = getattr(view, "throttle_scope", None) or (
            "api_read" if request.method in {"GET", "HEAD", "OPTIONS"} else "api_write"
        )
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_rate(self) -> str:
        # Read per request, not at import, so a setting changed at run time (tests) applies.
        return settings.API_THROTTLE_RATES[self.scope]

    def get_cache_key(self, request: Request, view) -> str:
        if request.auth is not None and hasattr(request.auth, "pk"):
            ident = f"token-{request.auth.pk}"
        elif request.user.is_authenticated:
            ident = f"user-{request.user.pk}"
        else:
            ident = f"addr-{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}

    def get_ident(self, request: Request) -> str:
        # DRF's own reading trusts a client's X-Forwarded-For unless told how many proxies there
        # are; the logins' reading counts the configured ones (NUM_PROXIES).
        return client_address(request)
