"""POST /pins answers `duplicate_of` (extension): another pin of the creator's whose picture looks
the same, known at once for uploads; null for a URL the worker has not fetched, for an unrelated
picture, and for anyone else's pins."""

import base64

import pytest

from accounts.services import ALL_SCOPES
from media_pipeline.models import MediaRecord
from pins.models import Pin
from tests.api.client_fixtures import ImageServer, image_server  # noqa: F401 - fixture
from tests.api.matrix_fixtures import (  # noqa: F401 - fixtures
    Api,
    body_of,
    clear_throttle_counts,
    token_for,
)
from tests.factories import BoardFactory
from tests.pins.test_duplicates import ORIGINAL, RE_ENCODED, UNRELATED, pin_with

pytestmark = pytest.mark.django_db


def create(api: Api, board, data: bytes):
    source = {
        "source_type": "image_base64",
        "content_type": "image/jpeg",
        "data": base64.b64encode(data).decode(),
    }
    return api.post("pins", {"board_id": str(board.pk), "media_source": source})


@pytest.fixture
def api(user) -> Api:
    return Api(token=token_for(user))


def test_an_upload_of_a_picture_already_saved_names_the_earlier_pin(api, user):
    earlier = pin_with(BoardFactory(owner=user, name="Kitchen"), ORIGINAL)
    response = create(api, BoardFactory(owner=user), RE_ENCODED)
    assert response.status_code == 201
    assert body_of(response)["duplicate_of"] == {
        "id": str(earlier.pk),
        "board_id": str(earlier.board_id),
        "board_name": "Kitchen",
    }


def test_the_same_bytes_again_share_the_media_and_are_flagged(api, user):
    earlier = pin_with(BoardFactory(owner=user), ORIGINAL)
    response = create(api, BoardFactory(owner=user), ORIGINAL)
    created = Pin.objects.get(pk=body_of(response)["id"])
    assert created.media_id == earlier.media_id
    assert MediaRecord.objects.filter(owner=user).count() == 1
    assert body_of(response)["duplicate_of"]["id"] == str(earlier.pk)


def test_an_unrelated_picture_is_null(api, user):
    pin_with(BoardFactory(owner=user), ORIGINAL)
    response = create(api, BoardFactory(owner=user), UNRELATED)
    assert response.status_code == 201 and body_of(response)["duplicate_of"] is None


def test_the_first_pin_is_null(api, user):
    assert body_of(create(api, BoardFactory(owner=user), ORIGINAL))["duplicate_of"] is None


def test_another_users_pins_public_or_secret_are_never_named(api, user, other_user):
    pin_with(BoardFactory(owner=other_user), ORIGINAL)
    pin_with(BoardFactory(owner=other_user, privacy="SECRET"), ORIGINAL)
    response = create(api, BoardFactory(owner=user), RE_ENCODED)
    assert body_of(response)["duplicate_of"] is None


def test_a_token_without_read_secret_is_not_told_about_a_secret_pin(user):
    pin_with(BoardFactory(owner=user, privacy="SECRET"), ORIGINAL)
    public_only = [scope for scope in ALL_SCOPES if not scope.endswith("_secret")]
    limited = Api(token=token_for(user, public_only))
    everything = Api(token=token_for(user))
    board = BoardFactory(owner=user)
    assert body_of(create(limited, board, RE_ENCODED))["duplicate_of"] is None
    assert body_of(create(everything, board, UNRELATED))["duplicate_of"] is None
    assert body_of(create(everything, board, ORIGINAL))["duplicate_of"] is not None


def test_a_url_pin_is_null_until_the_worker_fetches_it_then_its_page_says_so(
    api,
    user,
    client,
    image_server: ImageServer,  # noqa: F811 - the fixture imported above
    django_capture_on_commit_callbacks,
):
    earlier = pin_with(BoardFactory(owner=user, name="Kitchen"), ORIGINAL)
    url = image_server.serve("/photo.jpg", RE_ENCODED, "image/jpeg")
    source = {"source_type": "image_url", "url": url}

    with django_capture_on_commit_callbacks(execute=False) as fetches:
        response = api.post(
            "pins", {"board_id": str(BoardFactory(owner=user).pk), "media_source": source}
        )

    assert response.status_code == 201
    assert body_of(response)["duplicate_of"] is None  # the worker has not fetched it yet
    for fetch in fetches:
        fetch()  # the worker's turn: fetch, hash, render
    client.force_login(user)
    page = client.get(f"/pin/{body_of(response)['id']}/").content.decode()
    assert f'href="/pin/{earlier.pk}/"' in page and "Kitchen" in page


def test_other_pin_responses_do_not_carry_the_field(api, user):
    pin = pin_with(BoardFactory(owner=user), ORIGINAL)
    assert "duplicate_of" not in body_of(api.get(f"pins/{pin.pk}"))


def test_the_schema_declares_duplicate_of_as_a_nullable_object(client):
    schema = client.get("/api/v5/openapi.json").json()
    created = schema["paths"]["/pins"]["post"]["responses"]["201"]["content"]["application/json"]
    name = created["schema"]["$ref"].rsplit("/", 1)[-1]
    field = schema["components"]["schemas"][name]["properties"]["duplicate_of"]
    assert field.get("nullable") or {"type": "null"} in field.get("oneOf", [])
    assert "duplicate_of" not in schema["components"]["schemas"]["Pin"]["properties"]
