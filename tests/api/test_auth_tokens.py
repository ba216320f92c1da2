"""Personal access tokens: stored hashed, shown once, scoped, revocable, optionally expiring, and
issued from the command line with `manage.py create_access_token`."""

import hashlib
import io
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.utils import timezone

from accounts.models import AccessToken
from accounts.services import (
    ALL_SCOPES,
    access_token_authenticate,
    access_token_create,
    access_token_revoke,
    normalise_scopes,
)
from catalog.api.errors import Code
from tests.api.matrix_fixtures import (  # noqa: F401 - fixtures
    Api,
    assert_error,
    body_of,
    clear_throttle_counts,
)
from tests.factories import BoardFactory, UserFactory


def _row_values(token: AccessToken) -> list[str]:
    return [str(value) for value in AccessToken.objects.filter(pk=token.pk).values().get().values()]


def test_the_raw_token_is_not_stored_only_its_hash(user):
    issued = access_token_create(user=user, name="laptop")

    stored = _row_values(issued.token)

    assert issued.raw.startswith("cat_")
    assert not any(issued.raw in value for value in stored)
    assert issued.token.token_hash == hashlib.sha256(issued.raw.encode()).hexdigest()
    assert issued.token.prefix == issued.raw[:12]
    assert len(issued.raw) >= 40


def test_every_token_is_different(user):
    raws = {access_token_create(user=user, name=f"t{n}").raw for n in range(20)}
    assert len(raws) == 20


def test_a_token_authenticates_the_api_as_its_user(user):
    issued = access_token_create(user=user, name="laptop")

    response = Api(token=issued.raw).get("user_account")

    assert response.status_code == 200
    assert body_of(response)["username"] == user.username


def test_the_scheme_is_case_insensitive(user):
    issued = access_token_create(user=user, name="laptop")

    response = Api().get("user_account", headers={"Authorization": f"bearer {issued.raw}"})

    assert response.status_code == 200


def test_last_used_at_is_set_on_first_use(user):
    issued = access_token_create(user=user, name="laptop")
    assert issued.token.last_used_at is None

    Api(token=issued.raw).get("user_account")

    issued.token.refresh_from_db()
    assert issued.token.last_used_at is not None
    assert timezone.now() - issued.token.last_used_at < timedelta(seconds=30)


def test_last_used_at_is_written_at_most_once_a_minute(user):
    issued = access_token_create(user=user, name="laptop")
    api = Api(token=issued.raw)
    api.get("user_account")
    issued.token.refresh_from_db()
    first = issued.token.last_used_at

    api.get("user_account")

    issued.token.refresh_from_db()
    assert issued.token.last_used_at == first


def test_last_used_at_moves_on_after_a_minute(user):
    issued = access_token_create(user=user, name="laptop")
    long_ago = timezone.now() - timedelta(minutes=5)
    AccessToken.objects.filter(pk=issued.token.pk).update(last_used_at=long_ago)

    Api(token=issued.raw).get("user_account")

    issued.token.refresh_from_db()
    assert issued.token.last_used_at > long_ago + timedelta(minutes=4)


def test_a_failed_authentication_touches_no_token(user):
    issued = access_token_create(user=user, name="laptop")
    access_token_revoke(token=issued.token, user=user)

    response = Api(token=issued.raw).get("user_account")

    issued.token.refresh_from_db()
    assert_error(response, 401, Code.AUTHENTICATION_FAILED)
    assert issued.token.last_used_at is None


def test_a_revoked_token_is_401(user):
    issued = access_token_create(user=user, name="laptop")
    api = Api(token=issued.raw)
    assert api.get("user_account").status_code == 200

    access_token_revoke(token=issued.token, user=user)

    response = api.get("user_account")
    assert_error(response, 401, Code.AUTHENTICATION_FAILED)
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


def test_revoking_leaves_the_users_other_tokens_working(user):
    kept = access_token_create(user=user, name="kept")
    gone = access_token_create(user=user, name="gone")

    access_token_revoke(token=gone.token, user=user)

    assert Api(token=kept.raw).get("user_account").status_code == 200


def test_only_the_owner_can_revoke_a_token(user, other_user):
    issued = access_token_create(user=user, name="laptop")

    with pytest.raises(ValidationError):
        access_token_revoke(token=issued.token, user=other_user)

    assert Api(token=issued.raw).get("user_account").status_code == 200


def test_a_token_works_until_it_expires(user):
    issued = access_token_create(
        user=user, name="short", expires_at=timezone.now() + timedelta(hours=1)
    )
    api = Api(token=issued.raw)
    assert api.get("user_account").status_code == 200

    AccessToken.objects.filter(pk=issued.token.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )

    response = api.get("user_account")
    assert_error(response, 401, Code.AUTHENTICATION_FAILED)
    assert "WWW-Authenticate" in response


def test_an_expiry_in_the_past_is_refused(user):
    with pytest.raises(ValidationError):
        access_token_create(user=user, name="late", expires_at=timezone.now())


def test_tokens_of_an_inactive_user_are_401(user):
    issued = access_token_create(user=user, name="laptop")
    user.is_active = False
    user.save(update_fields=["is_active"])

    assert_error(Api(token=issued.raw).get("user_account"), 401, Code.AUTHENTICATION_FAILED)


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param("cat_" + "A" * 43, id="unknown"),
        pytest.param("cat_" + "A" * 400, id="too-long"),
        pytest.param("ghp_" + "A" * 36, id="another-services-token"),
        pytest.param("cat_\u00e9\u00e9", id="non-ascii"),
    ],
)
def test_tokens_that_do_not_exist_are_401(db, raw):
    response = Api().get("user_account", headers={"Authorization": f"Bearer {raw}"})

    assert_error(response, 401, Code.AUTHENTICATION_FAILED)
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_token_differing_by_one_character_is_401(user):
    issued = access_token_create(user=user, name="laptop")
    near = issued.raw[:-1] + ("A" if issued.raw[-1] != "A" else "B")

    assert_error(Api(token=near).get("user_account"), 401, Code.AUTHENTICATION_FAILED)


def test_authenticate_returns_none_for_a_hash_given_as_the_token(user):
    issued = access_token_create(user=user, name="laptop")
    assert access_token_authenticate(raw=issued.token.token_hash) is None
    assert access_token_authenticate(raw=issued.raw) == issued.token


def test_a_bearer_token_wins_over_a_session(user, other_user):
    issued = access_token_create(user=user, name="laptop")
    api = Api(token=issued.raw, session_user=other_user)

    assert body_of(api.get("user_account"))["username"] == user.username


# Scopes.


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        (["boards:write"], ["boards:read", "boards:write"]),
        (["boards:write_secret"], ["boards:read_secret", "boards:write_secret"]),
        (["pins:write"], ["pins:read", "pins:write"]),
        (["pins:write_secret"], ["pins:read_secret", "pins:write_secret"]),
        (["pins:read", "pins:read"], ["pins:read"]),
        (["user_accounts:read", "boards:read"], ["boards:read", "user_accounts:read"]),
        (list(ALL_SCOPES), list(ALL_SCOPES)),
    ],
    ids=["boards:write", "boards:write_secret", "pins:write", "pins:write_secret", "duplicates",
         "canonical-order", "all"],
)  # fmt: skip
def test_scopes_are_normalised_write_implies_read(user, given, stored):
    assert normalise_scopes(given) == stored
    assert access_token_create(user=user, name="t", scopes=given).token.scopes == stored


@pytest.mark.parametrize("scopes", [["boards:admin"], ["pins:read", "nope"], ["PINS:READ"]])
def test_unknown_scopes_are_refused(user, scopes):
    with pytest.raises(ValidationError) as error:
        access_token_create(user=user, name="t", scopes=scopes)
    assert "Unknown scope" in " ".join(error.value.messages)
    assert not AccessToken.objects.exists()


def test_no_scopes_are_refused(user):
    with pytest.raises(ValidationError):
        access_token_create(user=user, name="t", scopes=[])


def test_a_write_scope_lets_the_token_read_what_it_writes(user):
    board = BoardFactory(owner=user)
    api = Api(token=access_token_create(user=user, name="t", scopes=["boards:write"]).raw)

    assert api.get(f"boards/{board.pk}").status_code == 200
    assert api.patch(f"boards/{board.pk}", {"description": "new"}).status_code == 200


def test_a_read_scope_does_not_allow_writes(user):
    board = BoardFactory(owner=user)
    api = Api(token=access_token_create(user=user, name="t", scopes=["boards:read"]).raw)

    response = api.patch(f"boards/{board.pk}", {"description": "new"})

    body = assert_error(response, 403, Code.NOT_PERMITTED)
    assert "boards:write" in body["message"]


# manage.py create_access_token


def _create_access_token(*args: str) -> list[str]:
    out = io.StringIO()
    call_command("create_access_token", *args, stdout=out)
    return out.getvalue().strip().splitlines()


def test_the_command_prints_a_working_token_as_its_last_line(user):
    lines = _create_access_token(user.username)

    response = Api(token=lines[-1]).get("user_account")

    assert response.status_code == 200
    assert body_of(response)["username"] == user.username
    token = AccessToken.objects.get(user=user)
    assert token.scopes == list(ALL_SCOPES)
    assert lines[-1] not in _row_values(token)


def test_the_command_matches_the_username_regardless_of_case(db):
    user = UserFactory(username="Ana")

    lines = _create_access_token("ana")

    assert access_token_authenticate(raw=lines[-1]).user == user


def test_the_command_grants_only_the_scopes_asked_for(user):
    lines = _create_access_token(user.username, "--scope", "pins:write", "--scope", "boards:read")
    api = Api(token=lines[-1])

    assert AccessToken.objects.get(user=user).scopes == ["boards:read", "pins:read", "pins:write"]
    assert api.get("boards").status_code == 200
    assert_error(api.get("user_account"), 403, Code.NOT_PERMITTED)


def test_the_command_can_make_an_expiring_token(user):
    _create_access_token(user.username, "--days", "7")

    expires_at = AccessToken.objects.get(user=user).expires_at
    assert timedelta(days=6) < expires_at - timezone.now() <= timedelta(days=7)


def test_the_command_refuses_an_unknown_user_in_one_line(db):
    with pytest.raises(CommandError) as error:
        _create_access_token("nobody")

    message = str(error.value)
    assert "nobody" in message
    assert "\n" not in message
    assert not AccessToken.objects.exists()


@pytest.mark.parametrize("scope", ["pins:admin", "everything", ""])
def test_the_command_refuses_an_unknown_scope(user, scope):
    with pytest.raises(CommandError) as error:
        _create_access_token(user.username, "--scope", scope)

    assert "\n" not in str(error.value)
    assert not AccessToken.objects.exists()


@pytest.mark.parametrize("days", ["0", "-3"])
def test_the_command_refuses_a_non_positive_expiry(user, days):
    with pytest.raises(CommandError):
        _create_access_token(user.username, "--days", days)
    assert not AccessToken.objects.exists()
