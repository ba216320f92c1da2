"""Bearer tokens with Pinterest's scopes, and what each request may read and write."""

from django.contrib.auth.models import AnonymousUser
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, SessionAuthentication
from rest_framework.request import Request

from accounts.models import AccessToken, User
from accounts.services import access_token_authenticate


class BearerTokenAuthentication(BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request: Request) -> tuple[User, AccessToken] | None:
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if not header:
            return None
        scheme, _, raw = header.partition(" ")
        if scheme.lower() != "bearer":
            return None
        raw = raw.strip()
        if not raw:
            raise exceptions.AuthenticationFailed("Authorization header has no token.")
        token = access_token_authenticate(raw=raw)
        if token is None:
            raise exceptions.AuthenticationFailed("Invalid, expired or revoked access token.")
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="api"'


class CsrfSessionAuthentication(SessionAuthentication):
    """The browser's session, with CSRF checks on writes (DRF's own behaviour)."""


def has_scope(request: Request, scope: str) -> bool:
    """Tokens carry scopes; a browser session may do whatever its user may."""
    if not request.user.is_authenticated:
        return False
    token = request.auth if isinstance(request.auth, AccessToken) else None
    return token is None or scope in token.scopes


def require_scope(request: Request, scope: str) -> None:
    if not request.user.is_authenticated:
        raise exceptions.NotAuthenticated("Authentication credentials were not provided.")
    if not has_scope(request, scope):
        raise exceptions.PermissionDenied(f"This access token lacks the {scope} scope.")


def reader(request: Request, kind: str) -> User | AnonymousUser:
    """Who reads, for the visibility rule: a token without `<kind>:read_secret` sees no secret
    board, not even its own user's, so secret things stay 404 to it."""
    if request.user.is_authenticated and has_scope(request, f"{kind}:read_secret"):
        return request.user
    return AnonymousUser()
