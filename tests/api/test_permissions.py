"""Who may do what through /api/v5/: every endpoint, every actor, public and secret boards.

The rule (issue): the owner may do anything; another user may read public things and save
public pins, gets 403 (code 3) writing public things that are not theirs and 404 for anything
secret, with a body equal to that of an id that does not exist; anonymous callers read public
things, get 401 for every write and for the endpoints about "me", and 404 for secret things.
"""

import enum
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import AccessToken
from accounts.services import ALL_SCOPES, access_token_revoke
from boards.models import Board
from catalog.api.errors import Code
from tests.api.matrix_fixtures import (  # noqa: F401 - fixtures
    MISSING_ID,
    Api,
    World,
    assert_error,
    body_of,
    clear_throttle_counts,
    item_ids,
    make_world,
    small_media,
    stored_state,
    token_for,
)
from tests.factories import BoardFactory, BoardSectionFactory, PinFactory

PUBLIC, SECRET = Board.Privacy.PUBLIC, Board.Privacy.SECRET


class Access(enum.Enum):
    READ = "read"  # anyone who can see the board
    WRITE = "write"  # the owner only
    SAVE = "save"  # anyone signed in who can see the pin, onto a board of their own
    OWN = "own"  # signed in; about the caller's own things
    MINE = "mine"  # signed in; only the uploader's media


@dataclass(frozen=True)
class Ids:
    board: str
    section: str
    pin: str
    media: str


def real_ids(world: World) -> Ids:
    return Ids(
        board=str(world.board.pk),
        section=str(world.section.pk),
        pin=str(world.pin.pk),
        media=str(world.media.pk),
    )


MISSING = Ids(board=MISSING_ID, section=MISSING_ID, pin=MISSING_ID, media=MISSING_ID)


@dataclass(frozen=True)
class Endpoint:
    name: str  # v5 operation id
    method: str
    path: str  # formatted with an Ids
    access: Access
    success: int = 200
    hidden_code: int = Code.NOT_FOUND
    body: Callable[[World, str, Ids], dict] | None = None
    params: dict[str, str] = field(default_factory=dict)
    # Whether the answer shows the world's board, pin or section (for the lists' checks).
    shows: Callable[[World, dict], bool] | None = None


def own_board(world: World, actor: str) -> str:
    return str((world.other_board if actor == "other_token" else world.owner_target).pk)


def own_media(world: World, actor: str) -> str:
    return str((world.other_media if actor == "other_token" else world.media).pk)


def _ids_in(data: dict) -> set[str]:
    return {item["id"] for item in data["items"]}


ENDPOINTS = [
    Endpoint(
        "boards/get",
        "GET",
        "boards/{ids.board}",
        Access.READ,
        hidden_code=Code.BOARD_NOT_FOUND,
        shows=lambda w, data: data["id"] == str(w.board.pk),
    ),
    Endpoint(
        "boards/update",
        "PATCH",
        "boards/{ids.board}",
        Access.WRITE,
        hidden_code=Code.BOARD_NOT_FOUND,
        body=lambda w, actor, ids: {"description": "changed by the matrix"},
    ),
    Endpoint(
        "boards/delete",
        "DELETE",
        "boards/{ids.board}",
        Access.WRITE,
        success=204,
        hidden_code=Code.BOARD_NOT_FOUND,
    ),
    Endpoint(
        "boards/list_pins",
        "GET",
        "boards/{ids.board}/pins",
        Access.READ,
        hidden_code=Code.BOARD_NOT_FOUND,
        shows=lambda w, data: str(w.pin.pk) in _ids_in(data),
    ),
    Endpoint(
        "board_sections/list",
        "GET",
        "boards/{ids.board}/sections",
        Access.READ,
        hidden_code=Code.BOARD_NOT_FOUND,
        shows=lambda w, data: str(w.section.pk) in _ids_in(data),
    ),
    Endpoint(
        "board_sections/create",
        "POST",
        "boards/{ids.board}/sections",
        Access.WRITE,
        success=201,
        hidden_code=Code.BOARD_NOT_FOUND,
        body=lambda w, actor, ids: {"name": "Another section"},
    ),
    Endpoint(
        "board_sections/update",
        "PATCH",
        "boards/{ids.board}/sections/{ids.section}",
        Access.WRITE,
        hidden_code=Code.BOARD_NOT_FOUND,
        body=lambda w, actor, ids: {"name": "Renamed section"},
    ),
    Endpoint(
        "board_sections/delete",
        "DELETE",
        "boards/{ids.board}/sections/{ids.section}",
        Access.WRITE,
        success=204,
        hidden_code=Code.BOARD_NOT_FOUND,
    ),
    Endpoint(
        "board_sections/list_pins",
        "GET",
        "boards/{ids.board}/sections/{ids.section}/pins",
        Access.READ,
        hidden_code=Code.BOARD_NOT_FOUND,
        shows=lambda w, data: str(w.pin.pk) in _ids_in(data),
    ),
    Endpoint(
        "pins/get",
        "GET",
        "pins/{ids.pin}",
        Access.READ,
        hidden_code=Code.PIN_NOT_FOUND,
        shows=lambda w, data: data["id"] == str(w.pin.pk),
    ),
    Endpoint(
        "pins/update",
        "PATCH",
        "pins/{ids.pin}",
        Access.WRITE,
        hidden_code=Code.PIN_NOT_FOUND,
        body=lambda w, actor, ids: {"title": "changed by the matrix"},
    ),
    Endpoint(
        "pins/delete",
        "DELETE",
        "pins/{ids.pin}",
        Access.WRITE,
        success=204,
        hidden_code=Code.PIN_NOT_FOUND,
    ),
    Endpoint(
        "pins/save",
        "POST",
        "pins/{ids.pin}/save",
        Access.SAVE,
        success=201,
        hidden_code=Code.PIN_NOT_FOUND,
        body=lambda w, actor, ids: {"board_id": own_board(w, actor)},
    ),
    Endpoint(
        "pins/create",
        "POST",
        "pins",
        Access.WRITE,
        success=201,
        hidden_code=Code.BOARD_NOT_FOUND,
        body=lambda w, actor, ids: {
            "board_id": ids.board,
            "title": "pinned by the matrix",
            "media_source": {"source_type": "media_id", "media_id": own_media(w, actor)},
        },
    ),
    Endpoint(
        "boards/list",
        "GET",
        "boards",
        Access.OWN,
        shows=lambda w, data: str(w.board.pk) in _ids_in(data),
    ),
    Endpoint(
        "pins/list",
        "GET",
        "pins",
        Access.OWN,
        shows=lambda w, data: str(w.pin.pk) in _ids_in(data),
    ),
    Endpoint(
        "search_user_pins/list",
        "GET",
        "search/pins",
        Access.OWN,
        params={"query": "Matrix"},
        shows=lambda w, data: str(w.pin.pk) in _ids_in(data),
    ),
    Endpoint(
        "search_user_boards/get",
        "GET",
        "search/boards",
        Access.OWN,
        params={"query": "Matrix"},
        shows=lambda w, data: str(w.board.pk) in _ids_in(data),
    ),
    Endpoint(
        "user_account/get",
        "GET",
        "user_account",
        Access.OWN,
        # The owner has the board under test and a second board; the other user one board.
        shows=lambda w, data: data["board_count"] == 2 and data["pin_count"] == 1,
    ),
    Endpoint(
        "media/get",
        "GET",
        "media/{ids.media}",
        Access.MINE,
        hidden_code=Code.MEDIA_NOT_FOUND,
    ),
]

ACTORS = ["owner_token", "owner_session", "other_token", "anonymous"]


class Outcome(enum.Enum):
    OK = "ok"
    FORBIDDEN = "403"
    HIDDEN = "404 like a missing id"
    UNAUTHENTICATED = "401"


def expected(endpoint: Endpoint, actor: str, privacy: str) -> Outcome:
    if actor in {"owner_token", "owner_session"}:
        return Outcome.OK
    if actor == "anonymous":
        if endpoint.access is Access.READ:
            return Outcome.OK if privacy == PUBLIC else Outcome.HIDDEN
        return Outcome.UNAUTHENTICATED
    if endpoint.access is Access.OWN:
        return Outcome.OK
    if endpoint.access is Access.MINE or privacy == SECRET:
        return Outcome.HIDDEN
    return Outcome.FORBIDDEN if endpoint.access is Access.WRITE else Outcome.OK


def client_for(world: World, actor: str) -> Api:
    return {
        "owner_token": lambda: Api(token=world.owner_token),
        "owner_session": lambda: Api(session_user=world.owner),
        "other_token": lambda: Api(token=world.other_token),
        "anonymous": Api,
    }[actor]()


def call(api: Api, endpoint: Endpoint, world: World, actor: str, ids: Ids):
    kwargs = {"params": endpoint.params or None}
    if endpoint.body is not None:
        kwargs["json"] = endpoint.body(world, actor, ids)
    return api.request(endpoint.method, endpoint.path.format(ids=ids), **kwargs)


MATRIX = [
    pytest.param(
        endpoint,
        actor,
        privacy,
        id=f"{endpoint.name}-{actor}-{privacy.lower()}",
    )
    for endpoint in ENDPOINTS
    for actor in ACTORS
    for privacy in (PUBLIC, SECRET)
]


@pytest.mark.django_db
@pytest.mark.parametrize(("endpoint", "actor", "privacy"), MATRIX)
def test_permission_matrix(endpoint: Endpoint, actor: str, privacy: str):
    world = make_world(privacy)
    api = client_for(world, actor)
    outcome = expected(endpoint, actor, privacy)
    before = stored_state()

    response = call(api, endpoint, world, actor, real_ids(world))

    if outcome is Outcome.OK:
        assert response.status_code == endpoint.success, response.content[:500]
        if endpoint.shows is not None:
            # A reader sees what they read; another user's own lists are about themselves.
            visible = endpoint.access is not Access.OWN or actor != "other_token"
            assert endpoint.shows(world, body_of(response)) is visible, body_of(response)
        return
    assert stored_state() == before, "a refused request changed something"
    if outcome is Outcome.FORBIDDEN:
        assert_error(response, 403, Code.NOT_PERMITTED)
    elif outcome is Outcome.UNAUTHENTICATED:
        assert_error(response, 401, Code.AUTHENTICATION_FAILED)
        assert response["WWW-Authenticate"].startswith("Bearer")
    else:
        body = assert_error(response, 404, endpoint.hidden_code)
        missing = call(api, endpoint, world, actor, MISSING)
        assert missing.status_code == 404
        assert body == body_of(missing), "a hidden object must answer exactly like a missing one"


# Browser sessions: DRF checks CSRF on every unsafe method.

SESSION_WRITES = [
    pytest.param(endpoint, id=endpoint.name)
    for endpoint in ENDPOINTS
    if endpoint.access in {Access.WRITE, Access.SAVE}
]


@pytest.mark.django_db
@pytest.mark.parametrize("endpoint", SESSION_WRITES)
def test_session_writes_without_csrf_token_are_refused(endpoint: Endpoint):
    world = make_world(PUBLIC)
    api = Api(session_user=world.owner, csrf=False)
    before = stored_state()

    response = call(api, endpoint, world, "owner_session", real_ids(world))

    body = assert_error(response, 403, Code.NOT_PERMITTED)
    assert "CSRF" in body["message"]
    assert stored_state() == before


@pytest.mark.django_db
def test_session_reads_need_no_csrf_token():
    world = make_world(SECRET)
    response = Api(session_user=world.owner, csrf=False).get(f"boards/{world.board.pk}")
    assert response.status_code == 200


# Scopes: a token sees and changes only what its scopes allow, its own secret things included.

READ_ALL_BUT = {
    scope: tuple(s for s in ALL_SCOPES if s != scope and not s.endswith(":write_secret"))
    for scope in ("boards:read_secret", "pins:read_secret")
}


@pytest.fixture
def secret_world(db) -> World:
    return make_world(SECRET)


def test_token_without_boards_read_secret_gets_404_for_its_own_secret_board(secret_world):
    api = Api(token=token_for(secret_world.owner, READ_ALL_BUT["boards:read_secret"]))

    response = api.get(f"boards/{secret_world.board.pk}")

    assert response.status_code == 404
    assert body_of(response) == body_of(api.get(f"boards/{MISSING_ID}"))
    assert body_of(response) == {"code": Code.BOARD_NOT_FOUND, "message": "Board not found."}


@pytest.mark.parametrize(
    "path",
    [
        "boards/{w.board.pk}/pins",
        "boards/{w.board.pk}/sections",
        "boards/{w.board.pk}/sections/{w.section.pk}/pins",
    ],
)
def test_token_without_boards_read_secret_cannot_reach_into_its_secret_board(secret_world, path):
    api = Api(token=token_for(secret_world.owner, READ_ALL_BUT["boards:read_secret"]))

    response = api.get(path.format(w=secret_world))

    assert_error(response, 404, Code.BOARD_NOT_FOUND)


def test_token_without_boards_read_secret_does_not_list_or_count_secret_boards(secret_world):
    api = Api(token=token_for(secret_world.owner, READ_ALL_BUT["boards:read_secret"]))
    secret_id = str(secret_world.board.pk)

    listed = item_ids(api.get("boards"))
    listed_secret = item_ids(api.get("boards", {"privacy": "SECRET"}))
    found = item_ids(api.get("search/boards", {"query": "Matrix"}))
    account = body_of(api.get("user_account"))

    assert secret_id not in listed | listed_secret | found
    assert listed == {str(secret_world.owner_target.pk)}
    assert account["board_count"] == 1


def test_token_without_pins_read_secret_gets_404_for_its_own_secret_pin(secret_world):
    api = Api(token=token_for(secret_world.owner, READ_ALL_BUT["pins:read_secret"]))

    response = api.get(f"pins/{secret_world.pin.pk}")

    assert response.status_code == 404
    assert body_of(response) == body_of(api.get(f"pins/{MISSING_ID}"))
    assert body_of(response) == {"code": Code.PIN_NOT_FOUND, "message": "Pin not found."}


def test_token_without_pins_read_secret_does_not_list_or_count_secret_pins(secret_world):
    api = Api(token=token_for(secret_world.owner, READ_ALL_BUT["pins:read_secret"]))
    PinFactory(board=secret_world.owner_target, media=secret_world.media, title="Matrix public")
    secret_id = str(secret_world.pin.pk)

    listed = item_ids(api.get("pins"))
    found = item_ids(api.get("search/pins", {"query": "Matrix"}))
    account = body_of(api.get("user_account"))

    assert secret_id not in listed | found
    assert len(listed) == 1
    assert account["pin_count"] == 1


@pytest.mark.parametrize(
    "path",
    ["boards/{w.board.pk}/pins", "boards/{w.board.pk}/sections/{w.section.pk}/pins"],
    ids=["boards/list_pins", "board_sections/list_pins"],
)
def test_token_without_pins_read_secret_does_not_see_secret_pins_through_their_board(
    secret_world, path
):
    """boards:read_secret shows the secret board, but its pins need pins:read_secret."""
    api = Api(token=token_for(secret_world.owner, READ_ALL_BUT["pins:read_secret"]))

    response = api.get(path.format(w=secret_world))

    assert response.status_code in {200, 404}, response.content[:300]
    if response.status_code == 404:
        assert_error(response, 404, Code.BOARD_NOT_FOUND)
    else:
        assert str(secret_world.pin.pk) not in item_ids(response)


@pytest.mark.django_db
def test_token_without_pins_write_gets_403_on_pin_create_and_stores_nothing():
    world = make_world(PUBLIC)
    scopes = [s for s in ALL_SCOPES if s not in {"pins:write", "pins:write_secret"}]
    api = Api(token=token_for(world.owner, scopes))
    before = stored_state()

    response = api.post(
        "pins",
        {
            "board_id": str(world.board.pk),
            "media_source": {"source_type": "media_id", "media_id": str(world.media.pk)},
        },
    )

    body = assert_error(response, 403, Code.NOT_PERMITTED)
    assert "pins:write" in body["message"]
    assert stored_state() == before


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("method", "path", "json"),
    [
        ("PATCH", "boards/{w.board.pk}", {"name": "renamed"}),
        ("DELETE", "boards/{w.board.pk}", None),
        ("POST", "boards/{w.board.pk}/sections", {"name": "another"}),
        ("PATCH", "pins/{w.pin.pk}", {"title": "changed"}),
        ("DELETE", "pins/{w.pin.pk}", None),
        ("POST", "boards", {"name": "new board"}),
    ],
    ids=["boards/update", "boards/delete", "board_sections/create", "pins/update", "pins/delete",
         "boards/create"],
)  # fmt: skip
def test_read_only_token_changes_nothing(method, path, json):
    world = make_world(PUBLIC)
    api = Api(token=token_for(world.owner, [s for s in ALL_SCOPES if not s.count(":write")]))
    before = stored_state()

    kwargs = {} if json is None else {"json": json}
    response = api.request(method, path.format(w=world), **kwargs)

    assert_error(response, 403, Code.NOT_PERMITTED)
    assert stored_state() == before


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("method", "path", "json"),
    [
        ("PATCH", "boards/{w.board.pk}", {"description": "changed"}),
        ("DELETE", "boards/{w.board.pk}", None),
        ("PATCH", "pins/{w.pin.pk}", {"title": "changed"}),
        ("POST", "boards", {"name": "another secret board", "privacy": "SECRET"}),
    ],
    ids=["boards/update", "boards/delete", "pins/update", "boards/create"],
)
def test_token_without_write_secret_changes_no_secret_board(method, path, json):
    world = make_world(SECRET)
    api = Api(token=token_for(world.owner, [s for s in ALL_SCOPES if ":write_secret" not in s]))
    before = stored_state()

    kwargs = {} if json is None else {"json": json}
    response = api.request(method, path.format(w=world), **kwargs)

    assert response.status_code in {403, 404}, response.content[:300]
    assert_error(response, response.status_code)
    assert stored_state() == before


@pytest.mark.django_db
def test_token_without_user_accounts_read_gets_403_on_user_account():
    world = make_world(PUBLIC)
    api = Api(token=token_for(world.owner, [s for s in ALL_SCOPES if s != "user_accounts:read"]))

    assert_error(api.get("user_account"), 403, Code.NOT_PERMITTED)


# Dead tokens: 401 everywhere, even where anonymous callers may read.


def _dead_token(world: World, how: str) -> str:
    if how == "expired":
        raw = token_for(world.owner, expires_at=timezone.now() + timedelta(minutes=5))
        AccessToken.objects.filter(user=world.owner, expires_at__isnull=False).update(
            expires_at=timezone.now() - timedelta(seconds=1)
        )
        return raw
    if how == "revoked":
        raw = token_for(world.owner)
        token = AccessToken.objects.filter(user=world.owner).latest("pk")
        access_token_revoke(token=token, user=world.owner)
        return raw
    if how == "inactive user":
        raw = token_for(world.owner)
        type(world.owner).objects.filter(pk=world.owner.pk).update(is_active=False)
        return raw
    if how == "unknown":
        return "cat_" + "x" * 43
    return "not-even-our-format"


@pytest.mark.django_db
@pytest.mark.parametrize("how", ["expired", "revoked", "inactive user", "unknown", "malformed"])
@pytest.mark.parametrize(
    "path", ["user_account", "boards", "boards/{w.owner_target.pk}", "pins/{w.pin.pk}"]
)
def test_dead_tokens_get_401_with_www_authenticate(how, path):
    world = make_world(PUBLIC)
    api = Api(token=_dead_token(world, how))

    response = api.get(path.format(w=world))

    assert_error(response, 401, Code.AUTHENTICATION_FAILED)
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


@pytest.mark.django_db
def test_dead_token_cannot_write():
    world = make_world(PUBLIC)
    api = Api(token=_dead_token(world, "revoked"))
    before = stored_state()

    response = api.delete(f"boards/{world.board.pk}")

    assert_error(response, 401, Code.AUTHENTICATION_FAILED)
    assert "WWW-Authenticate" in response
    assert stored_state() == before


@pytest.mark.django_db
@pytest.mark.parametrize("header", ["Bearer", "Bearer   ", "Basic dXNlcjpwYXNz", "Token abc"])
def test_unusable_authorization_headers_are_401_on_private_endpoints(header):
    response = Api().get("user_account", headers={"Authorization": header})

    assert_error(response, 401, Code.AUTHENTICATION_FAILED)
    assert response["WWW-Authenticate"].startswith("Bearer")


# The other channels a secret pin could leak through.


@pytest.mark.django_db
@pytest.mark.parametrize("viewer", ["anonymous", "other_token"])
def test_saved_from_link_does_not_name_a_pin_on_a_secret_board(viewer):
    """The owner saves a secret pin onto a public board: the public copy must not reveal the id
    of the pin it came from to people who cannot see that pin."""
    world = make_world(SECRET)
    owner = Api(token=world.owner_token)
    saved = owner.post(f"pins/{world.pin.pk}/save", {"board_id": str(world.owner_target.pk)})
    assert saved.status_code == 201
    saved_id = body_of(saved)["id"]
    api = Api(token=world.other_token) if viewer == "other_token" else Api()

    response = api.get(f"pins/{saved_id}")
    listed = body_of(api.get(f"boards/{world.owner_target.pk}/pins"))["items"]

    assert response.status_code == 200
    assert body_of(response)["parent_pin_id"] is None
    assert [item["parent_pin_id"] for item in listed] == [None]
    assert body_of(owner.get(f"pins/{saved_id}"))["parent_pin_id"] == str(world.pin.pk)


@pytest.mark.django_db
def test_saved_from_link_is_hidden_once_the_source_board_turns_secret():
    world = make_world(PUBLIC)
    other = Api(token=world.other_token)
    saved = other.post(f"pins/{world.pin.pk}/save", {"board_id": str(world.other_board.pk)})
    assert saved.status_code == 201
    Board.objects.filter(pk=world.board.pk).update(privacy=SECRET)

    response = other.get(f"pins/{body_of(saved)['id']}")

    assert response.status_code == 200
    assert body_of(response)["parent_pin_id"] is None


@pytest.mark.django_db
def test_saving_a_public_copy_of_a_secret_pin_copies_the_copy_not_the_secret_original():
    """The owner saved a secret pin onto a public board and retitled the copy; another user who
    saves the copy gets the copy's text, and nothing that points at the secret pin."""
    world = make_world(SECRET)
    owner = Api(token=world.owner_token)
    copy = body_of(
        owner.post(f"pins/{world.pin.pk}/save", {"board_id": str(world.owner_target.pk)})
    )
    owner.patch(f"pins/{copy['id']}", {"title": "Public title", "description": "Public words"})
    owner.patch(f"pins/{world.pin.pk}", {"description": "Secret words"})

    response = Api(token=world.other_token).post(
        f"pins/{copy['id']}/save", {"board_id": str(world.other_board.pk)}
    )

    saved = body_of(response)
    assert response.status_code == 201
    assert (saved["title"], saved["description"]) == ("Public title", "Public words")
    assert saved["parent_pin_id"] != str(world.pin.pk)


@pytest.mark.django_db
def test_another_users_media_id_answers_like_a_missing_one():
    world = make_world(PUBLIC)
    api = Api(token=world.other_token)
    before = stored_state()

    def create(media_id: str):
        return api.post(
            "pins",
            {
                "board_id": str(world.other_board.pk),
                "media_source": {"source_type": "media_id", "media_id": media_id},
            },
        )

    response = create(str(world.media.pk))

    body = assert_error(response, 404, Code.MEDIA_NOT_FOUND)
    assert body == body_of(create(MISSING_ID))
    assert stored_state() == before


@pytest.mark.django_db
@pytest.mark.parametrize("privacy", [PUBLIC, SECRET])
def test_moving_a_pin_onto_another_users_board_is_refused(privacy):
    world = make_world(PUBLIC)
    target = BoardFactory(owner=world.other, privacy=privacy)
    api = Api(token=world.owner_token)
    before = stored_state()

    response = api.patch(f"pins/{world.pin.pk}", {"board_id": str(target.pk)})

    if privacy == PUBLIC:
        assert_error(response, 403, Code.NOT_PERMITTED)
    else:
        body = assert_error(response, 404, Code.BOARD_NOT_FOUND)
        missing = api.patch(f"pins/{world.pin.pk}", {"board_id": MISSING_ID})
        assert body == body_of(missing)
    assert stored_state() == before


@pytest.mark.django_db
def test_saving_onto_another_users_board_is_refused():
    world = make_world(PUBLIC)
    api = Api(token=world.other_token)
    before = stored_state()

    response = api.post(f"pins/{world.pin.pk}/save", {"board_id": str(world.owner_target.pk)})

    assert_error(response, 403, Code.NOT_PERMITTED)
    assert stored_state() == before


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("method", "suffix", "json"),
    [
        ("GET", "/pins", None),
        ("PATCH", "", {"name": "renamed"}),
        ("DELETE", "", None),
    ],
    ids=["board_sections/list_pins", "board_sections/update", "board_sections/delete"],
)
def test_a_section_of_another_board_is_not_found_through_this_one(method, suffix, json):
    world = make_world(PUBLIC)
    elsewhere = BoardSectionFactory(board=world.owner_target)
    api = Api(token=world.owner_token)
    before = stored_state()

    kwargs = {} if json is None else {"json": json}
    response = api.request(
        method, f"boards/{world.board.pk}/sections/{elsewhere.pk}{suffix}", **kwargs
    )

    assert body_of(response) == {
        "code": Code.SECTION_NOT_FOUND,
        "message": "Board section not found.",
    }
    assert response.status_code == 404
    assert stored_state() == before


@pytest.mark.django_db
def test_pin_create_into_a_section_of_another_board_is_refused():
    world = make_world(PUBLIC)
    elsewhere = BoardSectionFactory(board=world.owner_target)
    api = Api(token=world.owner_token)
    before = stored_state()

    response = api.post(
        "pins",
        {
            "board_id": str(world.board.pk),
            "board_section_id": str(elsewhere.pk),
            "media_source": {"source_type": "media_id", "media_id": str(world.media.pk)},
        },
    )

    assert_error(response, 404, Code.SECTION_NOT_FOUND)
    assert stored_state() == before
