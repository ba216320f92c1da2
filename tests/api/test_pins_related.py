"""GET /api/v5/pins/{pin_id}/related: more pins like this one, best first, in pages."""

import pytest

from accounts.models import User
from boards.models import Board
from catalog.api.errors import Code
from media_pipeline.models import MediaRecord
from pins.models import Pin
from tests.api.matrix_fixtures import (  # noqa: F401 - fixtures
    MISSING_ID,
    Api,
    assert_error,
    body_of,
    clear_throttle_counts,
    token_for,
)
from tests.factories import BoardFactory, PinFactory, UserFactory

pytestmark = pytest.mark.django_db

_urls = iter(range(1, 10**6))


def image(owner: User) -> MediaRecord:
    return MediaRecord.objects.create(
        owner=owner, source_url=f"https://example.org/{next(_urls)}.jpg"
    )


def board_with(owner: User, media: list[MediaRecord], *, privacy=Board.Privacy.PUBLIC, title=""):
    board = BoardFactory(owner=owner, privacy=privacy)
    return [PinFactory(board=board, media=item, title=title) for item in media]


@pytest.fixture
def owner() -> User:
    return UserFactory()


@pytest.fixture
def pin(owner) -> Pin:
    """A pin whose image shares boards with twelve others, three of them on every board."""
    query = image(owner)
    close = [image(owner) for _ in range(3)]
    pin, *_ = board_with(owner, [query, *close, *(image(owner) for _ in range(3))])
    for n in range(3):
        board_with(UserFactory(), [query, *close, *(image(owner) for _ in range(n + 1))])
    return pin


def related(api: Api, pin_id: object, **params: str):
    return api.get(f"pins/{pin_id}/related", params=params or None)


def ids_of(response) -> list[int]:
    return [int(item["id"]) for item in body_of(response)["items"]]


def test_related_pins_come_best_first_as_pins(pin):
    response = related(Api(), pin.pk)

    assert response.status_code == 200
    body = body_of(response)
    assert body["bookmark"] is None
    assert len(body["items"]) == 12
    first_media = {Pin.objects.get(pk=pk).media_id for pk in ids_of(response)[:3]}
    on_every_board = set(
        Pin.objects.filter(board=pin.board).order_by("pk").values_list("media_id", flat=True)[1:4]
    )
    assert first_media == on_every_board
    assert {"id", "board_id", "media", "title"} <= set(body["items"][0])
    assert str(pin.pk) not in {item["id"] for item in body["items"]}


def test_pages_follow_each_other_without_repeats_until_the_last(pin):
    api = Api(token=token_for(pin.owner))
    whole = ids_of(related(api, pin.pk))

    seen: list[int] = []
    params = {"page_size": "5"}
    for _ in range(3):
        body = body_of(related(api, pin.pk, **params))
        seen += [int(item["id"]) for item in body["items"]]
        if body["bookmark"] is None:
            break
        params["bookmark"] = body["bookmark"]

    assert body["bookmark"] is None
    assert seen == whole


def test_a_secret_pin_is_never_related_for_others_nor_for_a_token_without_read_secret(owner):
    query, shared = image(owner), image(owner)
    pin, companion = board_with(owner, [query, shared], title="Lighthouse at dawn")
    board_with(UserFactory(), [query, shared])
    secret = board_with(
        owner, [shared, image(owner)], privacy=Board.Privacy.SECRET, title="Lighthouse at night"
    )
    secret_ids = {p.pk for p in secret}

    for api in (
        Api(),
        Api(token=token_for(UserFactory())),
        Api(token=token_for(owner, scopes=["pins:read", "boards:read"])),
    ):
        shown = set(ids_of(related(api, pin.pk)))
        assert companion.pk in shown and not shown & secret_ids
    # Its owner sees the secret pin of an image of its own (the other image is the companion's).
    assert secret[1].pk in ids_of(related(Api(token=token_for(owner)), pin.pk))


def test_a_pin_one_may_not_see_is_not_found_like_one_that_does_not_exist(owner):
    secret = board_with(owner, [image(owner)], privacy=Board.Privacy.SECRET)[0]
    missing = related(Api(token=token_for(UserFactory())), MISSING_ID)

    for api in (
        Api(),
        Api(token=token_for(UserFactory())),
        Api(token=token_for(owner, ["pins:read"])),
    ):
        hidden = related(api, secret.pk)
        assert_error(hidden, 404, Code.PIN_NOT_FOUND)
        assert hidden.json() == missing.json()
    assert related(Api(token=token_for(owner)), secret.pk).status_code == 200


@pytest.mark.parametrize("bad_id", ["abc", "0", "-1", "1.5", "9" * 30, "١٢"])
def test_ids_that_cannot_name_a_pin_are_404(bad_id):
    assert_error(related(Api(), bad_id), 404)


def test_a_token_without_pins_read_is_403(pin):
    api = Api(token=token_for(pin.owner, scopes=["boards:read"]))

    assert_error(related(api, pin.pk), 403, Code.NOT_PERMITTED)


@pytest.mark.parametrize(
    "params",
    [
        {"bookmark": "not-a-bookmark"},
        {"page_size": "0"},
        {"page_size": "251"},
        {"page_size": "ten"},
    ],
)
def test_bad_paging_parameters_are_400(pin, params):
    body = assert_error(related(Api(), pin.pk, **params), 400, Code.INVALID_PARAMETERS)

    assert body["message"]


def test_a_bookmark_from_another_list_is_400(pin):
    bookmark = body_of(related(Api(), pin.pk, page_size="2"))["bookmark"]
    other_pin = Pin.objects.filter(board=pin.board).exclude(pk=pin.pk).first()
    other_viewer = Api(token=token_for(UserFactory()))

    for api, pin_id in ((Api(), other_pin.pk), (other_viewer, pin.pk)):
        body = assert_error(related(api, pin_id, page_size="2", bookmark=bookmark), 400)
        assert "another list" in body["message"]


def test_a_page_costs_the_same_number_of_queries_whatever_its_size(
    pin, django_assert_max_num_queries
):
    api = Api(token=token_for(pin.owner))

    # Token, throttle-free auth and pin lookup, then the related list (at most seven queries).
    for size in ("2", "12"):
        with django_assert_max_num_queries(10):
            response = related(api, pin.pk, page_size=size)
        assert len(body_of(response)["items"]) == int(size)


def test_the_schema_documents_the_operation(client):
    schema = client.get("/api/v5/openapi.json").json()

    operation = schema["paths"]["/pins/{pin_id}/related"]["get"]
    assert operation["operationId"] == "pins/related"
    assert operation["tags"] == ["pins"]
    assert {"bookmark", "page_size"} <= {p["name"] for p in operation["parameters"]}
    assert {"200", "400", "401", "403", "404"} <= set(operation["responses"])
    assert {} in operation["security"]
