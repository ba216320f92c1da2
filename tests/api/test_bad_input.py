"""Hostile and careless input to /api/v5/: each answers 4xx with `{code, message}` (never 5xx,
which `Api` fails on) and stores nothing."""

import base64
import json
from datetime import timedelta
from unittest import mock

import pytest
from django.core import signing
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from catalog.api import pagination
from catalog.api.errors import Code
from tests.api.matrix_fixtures import (  # noqa: F401 - fixtures
    Api,
    World,
    assert_error,
    body_of,
    clear_throttle_counts,
    make_world,
    stored_state,
)
from tests.factories import BoardFactory, unique_jpeg
from tests.images import png_bytes

HUGE = "99999999999999999999999"


@pytest.fixture
def world(db) -> World:
    return make_world("PUBLIC")


@pytest.fixture
def api(world: World) -> Api:
    return Api(token=world.owner_token)


def refused(response, status: int | None = None, code: int | None = None) -> dict:
    """A 4xx in v5's shape (the status and code when given)."""
    assert 400 <= response.status_code < 500, (response.status_code, response.content[:300])
    return assert_error(response, status or response.status_code, code)


def pin_body(world: World, **fields) -> dict:
    media_source = {"source_type": "media_id", "media_id": str(world.media.pk)}
    return {"board_id": str(world.board.pk), "media_source": media_source, **fields}


def _upload(data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile("photo.png", data, "image/png")


# Ids in paths: too large, negative, zero or not numbers at all name nothing.

BAD_IDS = [
    pytest.param(HUGE, id="huge"),
    pytest.param("9223372036854775808", id="bigint+1"),
    pytest.param("-1", id="negative"),
    pytest.param("0", id="zero"),
    pytest.param("00", id="zeros"),
    pytest.param("abc", id="letters"),
    pytest.param("1.5", id="decimal"),
    pytest.param("1e3", id="exponent"),
    pytest.param("+1", id="plus"),
    pytest.param("0x1", id="hex"),
    pytest.param("%20", id="space"),
    pytest.param("%00", id="nul"),
    pytest.param("1%0A", id="newline"),
    pytest.param("%C2%B2", id="superscript-two"),
    pytest.param("%C2%BD", id="vulgar-half"),
    pytest.param("%F0%9F%93%8C", id="emoji"),
]

# {x} is the bad id; the others are real: the owner's board, section, pin and second board.
ID_PATHS = [
    pytest.param("GET", "boards/{x}", None, Code.BOARD_NOT_FOUND, id="boards/get"),
    pytest.param("PATCH", "boards/{x}", {"name": "n"}, Code.BOARD_NOT_FOUND, id="boards/update"),
    pytest.param("DELETE", "boards/{x}", None, Code.BOARD_NOT_FOUND, id="boards/delete"),
    pytest.param("GET", "boards/{x}/pins", None, Code.BOARD_NOT_FOUND, id="boards/list_pins"),
    pytest.param("GET", "boards/{x}/sections", None, Code.BOARD_NOT_FOUND, id="sections/list"),
    pytest.param(
        "POST", "boards/{x}/sections", {"name": "n"}, Code.BOARD_NOT_FOUND, id="sections/create"
    ),
    pytest.param(
        "PATCH",
        "boards/{b}/sections/{x}",
        {"name": "n"},
        Code.SECTION_NOT_FOUND,
        id="sections/update",
    ),
    pytest.param(
        "DELETE", "boards/{b}/sections/{x}", None, Code.SECTION_NOT_FOUND, id="sections/delete"
    ),
    pytest.param(
        "GET",
        "boards/{b}/sections/{x}/pins",
        None,
        Code.SECTION_NOT_FOUND,
        id="sections/list_pins(section)",
    ),
    pytest.param(
        "GET",
        "boards/{x}/sections/{s}/pins",
        None,
        Code.BOARD_NOT_FOUND,
        id="sections/list_pins(board)",
    ),
    pytest.param("GET", "pins/{x}", None, Code.PIN_NOT_FOUND, id="pins/get"),
    pytest.param("PATCH", "pins/{x}", {"title": "t"}, Code.PIN_NOT_FOUND, id="pins/update"),
    pytest.param("DELETE", "pins/{x}", None, Code.PIN_NOT_FOUND, id="pins/delete"),
    pytest.param("POST", "pins/{x}/save", "target", Code.PIN_NOT_FOUND, id="pins/save"),
    pytest.param("GET", "media/{x}", None, Code.MEDIA_NOT_FOUND, id="media/get"),
]


def _call_with_id(api: Api, world: World, method: str, path: str, json, bad_id: str):
    url = path.format(x=bad_id, b=world.board.pk, s=world.section.pk)
    if json == "target":
        json = {"board_id": str(world.owner_target.pk)}
    return api.request(method, url, **({} if json is None else {"json": json}))


@pytest.mark.parametrize("bad_id", BAD_IDS)
@pytest.mark.parametrize(("method", "path", "json", "code"), ID_PATHS)
def test_bad_ids_in_paths_are_404(world, api, method, path, json, code, bad_id):
    before = stored_state()

    response = _call_with_id(api, world, method, path, json, bad_id)

    assert_error(response, 404, code)
    assert stored_state() == before


@pytest.mark.parametrize(("method", "path", "json", "code"), ID_PATHS)
def test_ids_are_ascii_digits_only(world, api, method, path, json, code):
    """ "١٢" (Arabic-Indic digits) is not another spelling of 12."""
    real = {"board": world.board.pk, "section": world.section.pk, "pin": world.pin.pk}
    kind = {40: "board", 58: "section", 50: "pin", 60: "media"}[code]
    pk = world.media.pk if kind == "media" else real[kind]
    arabic = "".join(chr(0x660 + int(digit)) for digit in str(pk))
    before = stored_state()

    response = _call_with_id(api, world, method, path, json, arabic)

    assert_error(response, 404, code)
    assert stored_state() == before


BAD_BODY_IDS = [
    pytest.param(HUGE, id="huge"),
    pytest.param("9999999999999999999", id="19-digits-over-bigint"),
    pytest.param("0", id="zero"),
    pytest.param("-1", id="negative"),
    pytest.param("abc", id="letters"),
    pytest.param("", id="empty"),
    pytest.param("1\x00", id="nul"),
]


@pytest.mark.parametrize("bad_id", BAD_BODY_IDS)
@pytest.mark.parametrize(
    "field", ["board_id", "board_section_id", "media_source.media_id", "save.board_id"]
)
def test_bad_ids_in_bodies_are_refused(world, api, field, bad_id):
    before = stored_state()

    if field == "save.board_id":
        response = api.post(f"pins/{world.pin.pk}/save", {"board_id": bad_id})
    elif field == "media_source.media_id":
        body = pin_body(world)
        body["media_source"]["media_id"] = bad_id
        response = api.post("pins", body)
    else:
        response = api.post("pins", pin_body(world, **{field: bad_id}))

    body = refused(response)
    assert response.status_code in {400, 404}, body
    assert stored_state() == before


def _spelled_otherwise(pk: int, how: str) -> str:
    if how == "arabic-indic":
        return "".join(chr(0x660 + int(digit)) for digit in str(pk))
    return "".join(chr(0xFF10 + int(digit)) for digit in str(pk))


@pytest.mark.parametrize("how", ["arabic-indic", "fullwidth"])
@pytest.mark.parametrize(
    "field", ["board_id", "board_section_id", "media_source.media_id", "save.board_id"]
)
def test_ids_in_bodies_are_ascii_digits_only(world, api, field, how):
    """A real id spelled with other digits names nothing."""
    before = stored_state()

    if field == "save.board_id":
        bad = _spelled_otherwise(world.owner_target.pk, how)
        response = api.post(f"pins/{world.pin.pk}/save", {"board_id": bad})
    elif field == "media_source.media_id":
        body = pin_body(world)
        body["media_source"]["media_id"] = _spelled_otherwise(world.media.pk, how)
        response = api.post("pins", body)
    else:
        pk = world.board.pk if field == "board_id" else world.section.pk
        response = api.post("pins", pin_body(world, **{field: _spelled_otherwise(pk, how)}))

    body = refused(response)
    assert response.status_code in {400, 404}, body
    assert stored_state() == before


# NUL bytes: PostgreSQL cannot store them in text, so they are refused before any write.

NUL = "a\x00b"


@pytest.mark.parametrize(
    ("method", "path", "json"),
    [
        pytest.param("POST", "boards", {"name": NUL}, id="boards/create.name"),
        pytest.param(
            "POST", "boards", {"name": "ok", "description": NUL}, id="boards/create.description"
        ),
        pytest.param("POST", "boards", {"name": "ok", "privacy": "SECRET\x00"}, id="privacy"),
        pytest.param("PATCH", "boards/{b}", {"name": NUL}, id="boards/update.name"),
        pytest.param("PATCH", "boards/{b}", {"description": NUL}, id="boards/update.description"),
        pytest.param("POST", "boards/{b}/sections", {"name": NUL}, id="sections/create.name"),
        pytest.param("PATCH", "boards/{b}/sections/{s}", {"name": NUL}, id="sections/update"),
        pytest.param("POST", "pins", "title", id="pins/create.title"),
        pytest.param("POST", "pins", "description", id="pins/create.description"),
        pytest.param("POST", "pins", "link", id="pins/create.link"),
        pytest.param("POST", "pins", "alt_text", id="pins/create.alt_text"),
        pytest.param("POST", "pins", "board_id", id="pins/create.board_id"),
        pytest.param("POST", "pins", "url", id="pins/create.media_source.url"),
        pytest.param("POST", "pins", "data", id="pins/create.media_source.data"),
        pytest.param("PATCH", "pins/{p}", {"title": NUL}, id="pins/update.title"),
        pytest.param("PATCH", "pins/{p}", {"description": NUL}, id="pins/update.description"),
        pytest.param(
            "PATCH", "pins/{p}", {"link": "https://a.example/\x00"}, id="pins/update.link"
        ),
        pytest.param("PATCH", "pins/{p}", {"alt_text": NUL}, id="pins/update.alt_text"),
    ],
)  # fmt: skip
def test_nul_bytes_in_text_fields_are_400(world, api, method, path, json):
    if isinstance(json, str):
        field = json
        json = pin_body(world)
        if field == "url":
            json["media_source"] = {"source_type": "image_url", "url": "https://a.example/\x00"}
        elif field == "data":
            data = base64.b64encode(png_bytes(8, 8)).decode()
            json["media_source"] = {"source_type": "image_base64", "data": data + "\x00"}
        elif field == "link":
            json["link"] = "https://a.example/\x00"
        else:
            json[field] = NUL
    before = stored_state()

    response = api.request(
        method, path.format(b=world.board.pk, s=world.section.pk, p=world.pin.pk), json=json
    )

    assert_error(response, 400, Code.INVALID_PARAMETERS)
    assert stored_state() == before


@pytest.mark.parametrize(
    ("path", "params"),
    [
        pytest.param("search/pins", {"query": NUL}, id="search/pins.query"),
        pytest.param("search/boards", {"query": NUL}, id="search/boards.query"),
        pytest.param("boards", {"privacy": "ALL\x00"}, id="boards/list.privacy"),
        pytest.param("boards", {"page_size": "2\x00"}, id="page_size"),
        pytest.param("boards", {"bookmark": "abc\x00"}, id="bookmark"),
    ],
)
def test_nul_bytes_in_query_parameters_are_400(api, path, params):
    assert_error(api.get(path, params), 400, Code.INVALID_PARAMETERS)


def test_an_overlong_query_is_400(api):
    assert_error(api.get("search/pins", {"query": "a" * 501}), 400, Code.INVALID_PARAMETERS)


# JSON of the wrong shape.

WRONG_NAMES = [
    pytest.param(123, id="number"),
    pytest.param(1.5, id="float"),
    pytest.param(True, id="boolean"),
    pytest.param(["a"], id="list"),
    pytest.param({"a": 1}, id="object"),
    pytest.param(None, id="null"),
]


@pytest.mark.parametrize("name", WRONG_NAMES)
@pytest.mark.parametrize(
    ("method", "path", "field"),
    [
        ("POST", "boards", "name"),
        ("PATCH", "boards/{b}", "name"),
        ("POST", "boards", "description"),
        ("POST", "boards/{b}/sections", "name"),
        ("PATCH", "boards/{b}/sections/{s}", "name"),
        ("POST", "pins", "title"),
        ("PATCH", "pins/{p}", "title"),
        ("PATCH", "pins/{p}", "alt_text"),
    ],
    ids=["boards/create.name", "boards/update.name", "boards/create.description",
         "sections/create.name", "sections/update.name", "pins/create.title",
         "pins/update.title", "pins/update.alt_text"],
)  # fmt: skip
def test_text_fields_of_the_wrong_type_are_400(world, api, method, path, field, name):
    if name is None and field in {"description", "title", "alt_text"}:
        pytest.skip("null is an accepted blank for optional text, as in v5")
    json = pin_body(world, **{field: name}) if path == "pins" else {field: name}
    if path == "boards" and field != "name":
        json["name"] = "A fine name"
    before = stored_state()

    response = api.request(
        method, path.format(b=world.board.pk, s=world.section.pk, p=world.pin.pk), json=json
    )

    assert_error(response, 400, Code.INVALID_PARAMETERS)
    assert stored_state() == before


@pytest.mark.parametrize(
    "media_source",
    [
        pytest.param("https://a.example/cat.jpg", id="string"),
        pytest.param(["image_url"], id="list"),
        pytest.param(5, id="number"),
        pytest.param(None, id="null"),
        pytest.param({}, id="empty-object"),
        pytest.param({"source_type": "video_id", "url": "https://a.example/v"}, id="unknown-type"),
        pytest.param({"source_type": "image_url"}, id="url-missing"),
        pytest.param({"source_type": "image_base64"}, id="data-missing"),
        pytest.param({"source_type": "media_id"}, id="media_id-missing"),
        pytest.param({"source_type": "image_url", "url": ["https://a.example"]}, id="url-list"),
        pytest.param({"source_type": ["image_url"], "url": "https://a.example"}, id="type-list"),
    ],
)
def test_media_source_of_the_wrong_shape_is_400(world, api, media_source):
    before = stored_state()

    response = api.post("pins", {**pin_body(world), "media_source": media_source})

    assert_error(response, 400, Code.INVALID_PARAMETERS)
    assert stored_state() == before


BAD_BODIES = [
    pytest.param(b"[]", id="array"),
    pytest.param(b'[{"name": "x"}]', id="array-of-object"),
    pytest.param(b'"name"', id="string"),
    pytest.param(b"42", id="number"),
    pytest.param(b"null", id="null"),
    pytest.param(b"{", id="truncated"),
    pytest.param(b"{'name': 'x'}", id="single-quotes"),
    pytest.param(b'{"name": "x",}', id="trailing-comma"),
    pytest.param(b'{"name": NaN}', id="nan"),
    pytest.param(b'{"name": "\xff\xfe"}', id="not-utf8"),
    pytest.param(b"[" * 100_000 + b"]" * 100_000, id="deeply-nested"),
]


@pytest.mark.parametrize("raw", BAD_BODIES)
@pytest.mark.parametrize(
    ("method", "path"),
    [("POST", "boards"), ("PATCH", "boards/{b}"), ("POST", "pins"), ("PATCH", "pins/{p}")],
    ids=["boards/create", "boards/update", "pins/create", "pins/update"],
)
def test_bodies_that_are_not_a_json_object_are_400(world, api, method, path, raw):
    before = stored_state()

    response = api.request(
        method,
        path.format(b=world.board.pk, p=world.pin.pk),
        body=raw,
        content_type="application/json",
    )

    assert_error(response, 400, Code.INVALID_PARAMETERS)
    assert stored_state() == before


@pytest.mark.parametrize(
    ("method", "path", "field"),
    [
        ("POST", "boards", "name"),
        ("POST", "boards", "description"),
        ("PATCH", "boards/{b}", "name"),
        ("POST", "boards/{b}/sections", "name"),
        ("PATCH", "boards/{b}/sections/{s}", "name"),
        ("POST", "pins", "title"),
        ("PATCH", "pins/{p}", "title"),
        ("PATCH", "pins/{p}", "description"),
        ("PATCH", "pins/{p}", "alt_text"),
    ],
    ids=["boards/create.name", "boards/create.description", "boards/update.name",
         "sections/create.name", "sections/update.name", "pins/create.title",
         "pins/update.title", "pins/update.description", "pins/update.alt_text"],
)  # fmt: skip
def test_lone_surrogates_in_text_fields_are_400(world, api, method, path, field):
    """JSON may spell "\\ud800", which no UTF-8 database column can hold."""
    fields = {"name": "Fine"} if path == "boards" else {}
    if path == "pins":
        fields = pin_body(world)
    raw = json.dumps({**fields, field: "x"}).replace('"x"', '"a\\ud800b"').encode()
    before = stored_state()

    response = api.request(
        method,
        path.format(b=world.board.pk, s=world.section.pk, p=world.pin.pk),
        body=raw,
        content_type="application/json",
    )

    assert_error(response, 400, Code.INVALID_PARAMETERS)
    assert stored_state() == before


@pytest.mark.parametrize("charset", ["bz2_codec", "base64", "zlib_codec"])
def test_a_json_body_in_an_unsupported_charset_is_400(api, charset):
    before = stored_state()

    response = api.post(
        "boards", body=b'{"name": "x"}', content_type=f"application/json; charset={charset}"
    )

    assert_error(response, 400, Code.INVALID_PARAMETERS)
    assert stored_state() == before


def test_a_body_that_is_not_json_is_415(api):
    before = stored_state()

    response = api.post("boards", body=b"name=x", content_type="text/plain")

    assert_error(response, 415, Code.UNSUPPORTED_MEDIA_TYPE)
    assert stored_state() == before


def test_a_multipart_pin_is_refused_as_unsupported_media_type(world, api):
    before = stored_state()

    response = api.post_form("pins", {"board_id": str(world.board.pk), "media_source": "not json"})

    assert_error(response, 415, Code.UNSUPPORTED_MEDIA_TYPE)
    assert stored_state() == before


# Privacy.


@pytest.mark.parametrize("privacy", ["FOO", "secret", "Public", "", "PROTECTED", "ALL"])
@pytest.mark.parametrize(("method", "path"), [("POST", "boards"), ("PATCH", "boards/{b}")])
def test_unknown_privacy_is_400(world, api, method, path, privacy):
    before = stored_state()

    response = api.request(
        method, path.format(b=world.board.pk), json={"name": "Private", "privacy": privacy}
    )

    body = assert_error(response, 400, Code.INVALID_PARAMETERS)
    assert "privacy" in body["message"]
    assert stored_state() == before


def test_protected_boards_are_refused_with_a_clear_message(api):
    response = api.post("boards", {"name": "Protected", "privacy": "PROTECTED"})

    body = assert_error(response, 400, Code.INVALID_PARAMETERS)
    assert "PROTECTED" in body["message"]
    assert "not supported" in body["message"]


@pytest.mark.parametrize("privacy", ["FOO", "secret", "PROTECTED"])
def test_unknown_privacy_filter_on_boards_list_is_400(api, privacy):
    body = assert_error(api.get("boards", {"privacy": privacy}), 400, Code.INVALID_PARAMETERS)
    assert "privacy" in body["message"]


# Bookmarks: forged, tampered with, expired or taken from another list are 400.


@pytest.fixture
def first_page(world: World, api: Api) -> str:
    """The bookmark of the first page of the owner's boards (one board a page)."""
    BoardFactory(owner=world.owner)
    response = api.get("boards", {"page_size": "1"})
    bookmark = body_of(response)["bookmark"]
    assert bookmark
    return bookmark


def _signed(payload) -> str:
    return signing.dumps(payload, salt=pagination._SALT, compress=True)


def _context_digest(context: str) -> str:
    """The list binding inside a bookmark, as the paginator computes it (to forge one)."""
    return pagination._digest(context)


@pytest.mark.parametrize(
    "bookmark",
    [
        pytest.param("abc", id="word"),
        pytest.param("x" * 5000, id="long"),
        pytest.param("' OR 1=1 --", id="sql"),
        pytest.param("eyJrIjoxfQ:1abc:def", id="shaped-like-a-signature"),
        pytest.param(".eJyrVkrOSKxRslIy", id="compressed-marker"),
        pytest.param("%C2%B2", id="unicode"),
    ],
)
def test_forged_bookmarks_are_400(api, bookmark):
    body = assert_error(api.get("boards", {"bookmark": bookmark}), 400, Code.INVALID_PARAMETERS)
    assert "bookmark" in body["message"]


@pytest.mark.parametrize("position", [0, 5, -1, -10])
def test_tampered_bookmarks_are_400(api, first_page, position):
    flipped = "A" if first_page[position] != "A" else "B"
    tampered = first_page[:position] + flipped + first_page[position:][1:]
    if position == -1:
        tampered = first_page[:-1] + flipped

    response = api.get("boards", {"page_size": "1", "bookmark": tampered})

    assert_error(response, 400, Code.INVALID_PARAMETERS)


def test_a_valid_bookmark_is_accepted(api, first_page):
    response = api.get("boards", {"page_size": "1", "bookmark": first_page})
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("path", "params"),
    [
        pytest.param("pins", {}, id="pins/list"),
        pytest.param("boards", {"privacy": "PUBLIC"}, id="boards/list-other-filter"),
        pytest.param("search/boards", {"query": "Board"}, id="search/boards"),
        pytest.param("boards/{b}/pins", {}, id="boards/list_pins"),
        pytest.param("boards/{b}/sections", {}, id="sections/list"),
    ],
)
def test_bookmarks_from_another_list_are_400(world, api, first_page, path, params):
    response = api.get(path.format(b=world.board.pk), {**params, "bookmark": first_page})

    body = assert_error(response, 400, Code.INVALID_PARAMETERS)
    assert "bookmark" in body["message"]


def test_another_users_bookmark_is_400(world, first_page):
    other = Api(token=world.other_token)
    assert_error(other.get("boards", {"bookmark": first_page}), 400, Code.INVALID_PARAMETERS)


def test_a_bookmark_of_another_boards_pins_is_400(world, api):
    assert api.post("pins", pin_body(world, title="second")).status_code == 201
    first = body_of(api.get(f"boards/{world.board.pk}/pins", {"page_size": "1"}))
    assert first["bookmark"]

    response = api.get(f"boards/{world.owner_target.pk}/pins", {"bookmark": first["bookmark"]})

    assert_error(response, 400, Code.INVALID_PARAMETERS)


def test_a_bookmark_of_another_search_is_400(world, api):
    for title in ("Matrix two", "Matrix three"):
        assert api.post("pins", pin_body(world, title=title)).status_code == 201
    first = body_of(api.get("search/pins", {"query": "Matrix", "page_size": "1"}))
    assert first["bookmark"]

    response = api.get("search/pins", {"query": "three", "bookmark": first["bookmark"]})

    assert_error(response, 400, Code.INVALID_PARAMETERS)


def test_an_expired_bookmark_is_400(world, api):
    BoardFactory(owner=world.owner)
    eight_days_ago = (timezone.now() - timedelta(days=8)).timestamp()
    with mock.patch("django.core.signing.time.time", return_value=eight_days_ago):
        stale = body_of(api.get("boards", {"page_size": "1"}))["bookmark"]

    response = api.get("boards", {"page_size": "1", "bookmark": stale})

    body = assert_error(response, 400, Code.INVALID_PARAMETERS)
    assert "expired" in body["message"]


@pytest.mark.parametrize(
    "key",
    [0, -1, "1", 1.5, 2**63, 2**70, None, [1], {"k": 1}],
    ids=["zero", "negative", "string", "float", "bigint+1", "huge", "null", "list", "object"],
)
def test_signed_bookmarks_with_a_bad_key_are_400(world, api, key):
    bookmark = _signed({"c": _context_digest(f"boards/list:{world.owner.pk}:ALL"), "k": key})

    response = api.get("boards", {"bookmark": bookmark})

    assert_error(response, 400, Code.INVALID_PARAMETERS)


@pytest.mark.parametrize(
    "payload", [[1, 2], "text", 7, None], ids=["list", "string", "number", "null"]
)
def test_signed_bookmarks_of_the_wrong_shape_are_400(api, payload):
    assert_error(api.get("boards", {"bookmark": _signed(payload)}), 400, Code.INVALID_PARAMETERS)


# page_size: 1 to 250.

LIST_PATHS = [
    pytest.param("boards", {}, id="boards/list"),
    pytest.param("boards/{b}/pins", {}, id="boards/list_pins"),
    pytest.param("boards/{b}/sections", {}, id="sections/list"),
    pytest.param("boards/{b}/sections/{s}/pins", {}, id="sections/list_pins"),
    pytest.param("pins", {}, id="pins/list"),
    pytest.param("search/pins", {"query": "Matrix"}, id="search/pins"),
    pytest.param("search/boards", {"query": "Matrix"}, id="search/boards"),
]


@pytest.mark.parametrize(
    "page_size",
    ["0", "251", "abc", "-1", "1.5", "1e2", " 5", "5 ", HUGE, "%C2%B2", "\u00b2", "\u0663"],
    ids=["zero", "251", "letters", "negative", "decimal", "exponent", "leading-space",
         "trailing-space", "huge", "percent-encoded", "superscript-two", "arabic-three"],
)  # fmt: skip
@pytest.mark.parametrize(("path", "params"), LIST_PATHS)
def test_page_size_outside_1_to_250_is_400(world, api, path, params, page_size):
    url = path.format(b=world.board.pk, s=world.section.pk)

    response = api.get(url, {**params, "page_size": page_size})

    body = assert_error(response, 400, Code.INVALID_PARAMETERS)
    assert "page_size" in body["message"]


@pytest.mark.parametrize("page_size", ["1", "250", ""])
def test_page_size_bounds_are_accepted(api, page_size):
    assert api.get("boards", {"page_size": page_size}).status_code == 200


# Oversized bodies.


def test_a_json_body_over_data_upload_max_memory_size_is_413(settings, api):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    before = stored_state()

    response = api.post("boards", {"name": "Padded", "padding": "x" * 4096})

    assert_error(response, 413, Code.TOO_LARGE)
    assert stored_state() == before


def test_a_json_pin_body_over_data_upload_max_memory_size_is_413(settings, world, api):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    before = stored_state()

    response = api.post("pins", pin_body(world, padding="x" * 4096))

    assert_error(response, 413, Code.TOO_LARGE)
    assert stored_state() == before


def test_a_media_upload_with_a_content_length_over_the_limit_is_413(settings, api):
    settings.MEDIA_MAX_UPLOAD_BYTES = 1024
    before = stored_state()
    image = png_bytes(8, 8) + b"\x00" * (200 * 1024)

    response = api.post_form("media", {"file": _upload(image)})

    assert_error(response, 413, Code.TOO_LARGE)
    assert stored_state() == before


def test_a_media_upload_over_the_limit_but_within_the_envelope_is_413(settings, api):
    settings.MEDIA_MAX_UPLOAD_BYTES = 1024
    before = stored_state()

    response = api.post_form("media", {"file": _upload(unique_jpeg(400, 300))})

    assert_error(response, 413, Code.TOO_LARGE)
    assert stored_state() == before


def test_a_base64_image_over_the_limit_is_413(settings, world, api):
    settings.MEDIA_MAX_UPLOAD_BYTES = 1024
    data = base64.b64encode(unique_jpeg(400, 300)).decode()
    before = stored_state()

    response = api.post(
        "pins",
        pin_body(world, media_source={"source_type": "image_base64", "data": data}),
    )

    assert_error(response, 413, Code.TOO_LARGE)
    assert stored_state() == before


# Images that are not images.


@pytest.mark.parametrize(
    "data",
    [
        pytest.param("!!!not base64!!!", id="punctuation"),
        pytest.param("abc", id="bad-padding"),
        pytest.param("data:image/png;base64,@@@@", id="bad-data-uri"),
        pytest.param("aGVsbG8=\n\n", id="trailing-newlines"),
        pytest.param("\u00e9\u00e9\u00e9\u00e9", id="non-ascii"),
        pytest.param("aGVs\ud800bG8=", id="lone-surrogate"),
    ],
)
def test_base64_that_is_not_base64_is_400(world, api, data):
    before = stored_state()

    response = api.post(
        "pins", pin_body(world, media_source={"source_type": "image_base64", "data": data})
    )

    body = assert_error(response, 400, Code.INVALID_PARAMETERS)
    assert "base64" in body["message"]
    assert stored_state() == before


NOT_IMAGES = [
    pytest.param(b"hello, world", "not an image", id="text"),
    pytest.param(b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "PNG", id="png-header-only"),
    pytest.param(unique_jpeg(64, 48)[:200], "JPEG", id="truncated-jpeg"),
    pytest.param(b"<svg xmlns='http://www.w3.org/2000/svg'/>", "not an image", id="svg"),
]


@pytest.mark.parametrize(("data", "message"), NOT_IMAGES)
def test_base64_data_that_is_not_an_image_is_400_with_the_pipelines_message(
    world, api, data, message
):
    before = stored_state()
    source = {"source_type": "image_base64", "data": base64.b64encode(data).decode()}

    response = api.post("pins", pin_body(world, media_source=source))

    body = assert_error(response, 400, Code.INVALID_PARAMETERS)
    assert message in body["message"]
    assert stored_state() == before


@pytest.mark.parametrize(("data", "message"), NOT_IMAGES)
def test_an_upload_that_is_not_an_image_is_400_with_the_pipelines_message(api, data, message):
    before = stored_state()

    response = api.post_form("media", {"file": _upload(data)})

    body = assert_error(response, 400, Code.INVALID_PARAMETERS)
    assert message in body["message"]
    assert stored_state() == before


def test_an_upload_without_a_file_is_400(api):
    response = api.post_form("media", {"image": "x"})
    assert_error(response, 400, Code.INVALID_PARAMETERS)


# image_url: private addresses are refused (with no network allowed), and so are URLs that
# are not http(s).

PRIVATE_URLS = [
    pytest.param("http://127.0.0.1/cat.jpg", id="loopback"),
    pytest.param("http://10.0.0.1/cat.jpg", id="private-10"),
    pytest.param("http://[::1]/cat.jpg", id="ipv6-loopback"),
    pytest.param("http://169.254.169.254/latest/meta-data/", id="cloud-metadata"),
    pytest.param("http://[::ffff:127.0.0.1]/cat.jpg", id="ipv4-mapped-loopback"),
    pytest.param("http://0.0.0.0/cat.jpg", id="this-network"),
]


@pytest.mark.parametrize("url", PRIVATE_URLS)
def test_image_urls_at_private_addresses_are_refused_and_store_nothing(settings, world, api, url):
    settings.MEDIA_FETCH_ALLOWED_NETWORKS = []
    before = stored_state()

    response = api.post(
        "pins", pin_body(world, media_source={"source_type": "image_url", "url": url})
    )

    refused(response)
    assert stored_state() == before


@pytest.mark.parametrize(
    "url",
    [
        pytest.param("ftp://a.example/cat.jpg", id="ftp"),
        pytest.param("file:///etc/passwd", id="file"),
        pytest.param("javascript:alert(1)", id="javascript"),
        pytest.param("http://user:pass@a.example/cat.jpg", id="credentials"),
        pytest.param("http://a example.com/cat.jpg", id="space"),
        pytest.param("http:///cat.jpg", id="no-host"),
        pytest.param("http://a.example:99999/cat.jpg", id="bad-port"),
        pytest.param("https://a.example/" + "a" * 2100, id="too-long"),
        pytest.param("//a.example/cat.jpg", id="scheme-relative"),
    ],
)
def test_image_urls_that_cannot_be_fetched_are_400(world, api, url):
    before = stored_state()

    response = api.post(
        "pins", pin_body(world, media_source={"source_type": "image_url", "url": url})
    )

    assert_error(response, 400, Code.INVALID_PARAMETERS)
    assert stored_state() == before


# Throttling: per token (or session user, or address), with uploads on a stricter scope.

LOW_RATES = {"api_read": "2/minute", "api_write": "100/minute", "api_upload": "1/minute"}


@pytest.fixture
def low_rates(settings):
    settings.API_THROTTLE_RATES = dict(LOW_RATES)
    return settings.API_THROTTLE_RATES


def assert_throttled(response) -> None:
    body = assert_error(response, 429, Code.RATE_LIMITED)
    assert 0 < int(response["Retry-After"]) <= 60
    assert body["message"]


@pytest.mark.usefixtures("low_rates")
def test_the_third_read_in_a_minute_is_429_with_retry_after(api):
    first, second = api.get("user_account"), api.get("user_account")

    third = api.get("user_account")

    assert (first.status_code, second.status_code) == (200, 200)
    assert_throttled(third)


@pytest.mark.usefixtures("low_rates")
def test_anonymous_reads_are_throttled_by_address(world):
    anonymous = Api()
    path = f"boards/{world.board.pk}"
    assert [anonymous.get(path).status_code for _ in range(2)] == [200, 200]

    assert_throttled(anonymous.get(path))
    assert Api(remote_addr="192.0.2.7").get(path).status_code == 200


@pytest.mark.usefixtures("low_rates")
def test_each_token_has_its_own_count(world, api):
    for _ in range(2):
        api.get("user_account")
    assert_throttled(api.get("user_account"))

    assert Api(token=world.other_token).get("user_account").status_code == 200


@pytest.mark.usefixtures("low_rates")
def test_session_reads_are_throttled_per_user(world):
    session = Api(session_user=world.owner)
    for _ in range(2):
        session.get("user_account")
    assert_throttled(session.get("user_account"))


@pytest.mark.usefixtures("low_rates")
def test_reads_and_writes_are_counted_apart(api):
    for _ in range(3):
        api.get("user_account")

    response = api.post("boards", {"name": "Still allowed"})

    assert response.status_code == 201


@pytest.mark.usefixtures("low_rates")
def test_uploads_have_their_own_stricter_rate(world, api):
    first = api.post_form("media", {"file": _upload(png_bytes(16, 16))})
    assert first.status_code == 201, first.content[:300]
    before = stored_state()

    second = api.post_form("media", {"file": _upload(png_bytes(24, 24))})
    data = base64.b64encode(png_bytes(32, 32)).decode()
    from_base64 = api.post(
        "pins", pin_body(world, media_source={"source_type": "image_base64", "data": data})
    )
    from_url = api.post(
        "pins",
        pin_body(world, media_source={"source_type": "image_url", "url": "https://a.example/"}),
    )

    for response in (second, from_base64, from_url):
        assert_throttled(response)
    assert stored_state() == before
    assert api.post("pins", pin_body(world, title="from media id")).status_code == 201
