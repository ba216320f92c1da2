import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import AccessToken, User
from catalog.response_cache import current_generation
from catalog.versioned_cache import versioned_cache

TOKEN_PREFIX = "cat_"  # noqa: S105 - a public marker that tokens start with, not a secret
ALL_SCOPES = tuple(AccessToken.Scope.values)
# Write scopes imply their read scopes, as the API's checks expect.
_IMPLIED = {
    "boards:write": "boards:read",
    "boards:write_secret": "boards:read_secret",
    "pins:write": "pins:read",
    "pins:write_secret": "pins:read_secret",
}


@dataclass(frozen=True)
class IssuedToken:
    token: AccessToken
    raw: str  # shown once, never stored


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def normalise_scopes(scopes: list[str] | tuple[str, ...]) -> list[str]:
    unknown = sorted(set(scopes) - set(ALL_SCOPES))
    if unknown:
        raise ValidationError(
            {"scopes": f"Unknown scope {', '.join(unknown)}; choose from {', '.join(ALL_SCOPES)}."}
        )
    wanted = set(scopes) | {_IMPLIED[s] for s in scopes if s in _IMPLIED}
    return [scope for scope in ALL_SCOPES if scope in wanted]


@transaction.atomic
def access_token_create(
    *,
    user: User,
    name: str,
    scopes: list[str] | tuple[str, ...] = ALL_SCOPES,
    expires_at: datetime | None = None,
) -> IssuedToken:
    """Issue a token; only its hash is kept, so `raw` must be shown to the user now."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": "Give the token a name, to recognise it later."})
    if len(name) > 100:
        raise ValidationError({"name": "Keep the name under 100 characters."})
    if not scopes:
        raise ValidationError({"scopes": "Choose at least one scope."})
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationError({"expires_at": "The expiry must be in the future."})
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = AccessToken.objects.create(
        user=user,
        name=name,
        token_hash=_digest(raw),
        prefix=raw[:12],
        scopes=normalise_scopes(list(scopes)),
        expires_at=expires_at,
    )
    return IssuedToken(token=token, raw=raw)


# Live tokens found for a generation of the catalog's rows: revoking a token or deactivating its
# user is a write, which starts a new generation, so a kept lookup is never out of date.
_live_tokens = versioned_cache(size=1000)


def access_token_authenticate(*, raw: str) -> AccessToken | None:
    """The live token for `raw`, or None when unknown, revoked, expired or its user inactive."""
    if not raw.startswith(TOKEN_PREFIX) or len(raw) > 200:
        return None
    digest = _digest(raw)
    generation = current_generation()
    token = _live_tokens.get((generation, digest)) if generation is not None else None
    if token is None:
        token = (
            AccessToken.objects.select_related("user")
            .filter(token_hash=digest, revoked_at__isnull=True, user__is_active=True)
            .first()
        )
        if token is None:
            return None
        if generation is not None:
            _live_tokens.put((generation, digest), token)
    now = timezone.now()
    if token.expires_at is not None and token.expires_at <= now:
        return None
    # Written at most once a minute per token, so reads stay reads.
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        AccessToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


def access_token_revoke(*, token: AccessToken, user: User) -> None:
    if token.user_id != user.pk:
        raise ValidationError("That token is not yours.")
    AccessToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
