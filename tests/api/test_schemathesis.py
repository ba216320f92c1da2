"""Schemathesis against /api/v5/openapi.json: no server error, no answer the schema does not allow.

Every operation of the published schema gets generated requests, valid and invalid, through the
real WSGI application in this process, with a bearer token holding every scope. Path and body
ids are sometimes those of real rows (the token user's public and secret boards, their sections,
pins and media, and another user's public pin), so the success paths are reached as well as the
404s; sometimes they are numeric-looking strings, which a hand-written id parser must survive.

Each generated request runs in a savepoint that is rolled back afterwards: a request that deletes
the board leaves the same board to the next one, and every operation is its own pytest test with
its own rows.
"""

import socket
import string
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from accounts.services import access_token_create
from boards.models import Board
from catalog.wsgi import application
from media_pipeline.services import media_fail
from tests.factories import BoardFactory, BoardSectionFactory, MediaFactory, PinFactory, UserFactory

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
# Fuzzing examples per operation; the examples and coverage phases add their own (about 40 more
# per operation), which keeps the whole run near half a minute on two cores.
EXAMPLES_PER_OPERATION = 25
UNTHROTTLED = {name: "1000000/minute" for name in ("api_read", "api_write", "api_upload")}
SMALL = {"media__width": 160, "media__height": 120}
ID_FIELDS = {"board_id", "board_section_id", "media_source"}
# What `str.isdigit()` calls digits: ASCII ones, those of other scripts, which `int()` reads
# (Arabic-Indic U+0663 is 3), and superscript, subscript and circled ones, which it refuses (²).
DIGITS = (
    string.digits
    + "".join(map(chr, range(0x0660, 0x066A)))
    + "".join(c for c in map(chr, range(0x10000)) if c.isdigit() and not c.isdecimal())
)


@dataclass(frozen=True)
class Rows:
    """What the generated requests may aim at, with ids spelled as the API spells them."""

    token: str
    # (board id, section id or None), for path and body ids together.
    placements: tuple[tuple[str, str | None], ...]
    pins: tuple[str, ...]
    media: tuple[str, ...]


def _id(row) -> str:
    return str(row.pk)


# The rows of the running test, for the generation hooks (they draw while the test runs).
current: dict[str, Rows] = {}


@pytest.fixture
def rows(db) -> Iterator[Rows]:
    user = UserFactory()
    public = BoardFactory(owner=user, description="Kitchen ideas")
    secret = BoardFactory(owner=user, privacy=Board.Privacy.SECRET)
    public_sections = BoardSectionFactory.create_batch(2, board=public)
    secret_section = BoardSectionFactory(board=secret)
    pins = [
        PinFactory(board=public, **SMALL),
        PinFactory(board=public, section=public_sections[0], description="tiles", **SMALL),
        PinFactory(board=secret, section=secret_section, alt_text="a red square", **SMALL),
    ]
    others_pin = PinFactory(**SMALL)  # on another user's public board: visible, not theirs
    unused = MediaFactory(owner=user, width=160, height=120)
    waiting = MediaFactory(owner=user, width=160, height=120, process=False)
    failed = MediaFactory(owner=user, width=160, height=120, process=False)
    media_fail(media_id=failed.pk, error="The image could not be decoded.")
    current["rows"] = Rows(
        token=access_token_create(user=user, name="schemathesis").raw,
        placements=(
            (_id(public), None),
            (_id(public), _id(public_sections[0])),
            (_id(public), _id(public_sections[1])),
            (_id(secret), _id(secret_section)),
            (_id(secret), None),
            (_id(public), _id(secret_section)),  # a section of another board
            (_id(others_pin.board), None),  # a board the user may see but not change
        ),
        pins=(*map(_id, pins), _id(others_pin)),
        media=(_id(unused), _id(waiting), _id(failed), _id(pins[0].media)),
    )
    yield current["rows"]
    current.clear()


def numeric_text() -> st.SearchStrategy[str]:
    """What an id or page size parser meets besides small numbers: numbers past the bigint range,
    and digits of other scripts (which `str.isdigit()` accepts and `int()` may refuse)."""
    return st.one_of(
        st.integers(min_value=-1, max_value=2**64).map(str),
        st.text(st.sampled_from(DIGITS), min_size=1, max_size=20),
    )


def first_page(query: dict, size: str | None) -> dict:
    """The query of a list's first page: no bookmark, and no page size or a valid one."""
    query = {name: value for name, value in query.items() if name not in {"bookmark", "page_size"}}
    return query if size is None else {**query, "page_size": size}


def with_real_ids(body: dict, board_id: str, section_id: str | None, media_id: str) -> dict:
    body = dict(body)
    if "board_id" in body:
        body["board_id"] = board_id
    if "board_section_id" in body:
        body["board_section_id"] = section_id
    if "media_source" in body:
        body["media_source"] = {"source_type": "media_id", "media_id": media_id}
    return body


@st.composite
def aimed_at_real_rows(draw, case: schemathesis.Case, rows: Rows) -> schemathesis.Case:
    """The generated case with its ids replaced by real ones, and, for lists, a first page (a
    generated bookmark is never valid); half the time the body keeps only its ids, so that the
    write is valid and happens."""
    path = case.path_parameters or {}
    placements = [p for p in rows.placements if p[1] is not None or "section_id" not in path]
    board_id, section_id = draw(st.sampled_from(placements))
    media_id = draw(st.sampled_from(rows.media))
    real = {
        "board_id": board_id,
        "section_id": section_id,
        "pin_id": draw(st.sampled_from(rows.pins)),
        "media_id": media_id,
    }
    case.path_parameters = {name: real.get(name, value) for name, value in path.items()}
    if isinstance(case.query, dict) and case.operation.get_parameter("page_size", "query"):
        case.query = first_page(case.query, draw(st.sampled_from([None, "1", "2", "250"])))
    if isinstance(case.body, dict) and ID_FIELDS & case.body.keys():
        body = (
            case.body
            if draw(st.booleans())
            else {name: value for name, value in case.body.items() if name in ID_FIELDS}
        )
        case.body = with_real_ids(body, board_id, section_id, media_id)
        if "media_source" in case.body:  # a nested object has no form encoding
            case.media_type = "application/json"
    return case


# Loaded at import, from the application itself; the hooks below belong to this schema only.
# `schemathesis.pytest.from_fixture` would load it inside the test, but its lazy loader sets
# `Function._nodeid`, which pytest 9.2 no longer has.
schema = schemathesis.openapi.from_wsgi("/api/v5/openapi.json", application)


@schema.hook
def flatmap_case(context, case: schemathesis.Case) -> st.SearchStrategy:
    rows = current.get("rows")
    if rows is None:
        return st.just(case)
    return st.one_of(st.just(case), aimed_at_real_rows(case, rows))


@schema.hook
def flatmap_path_parameters(context, path_parameters: dict[str, Any]) -> st.SearchStrategy:
    if not path_parameters:
        return st.just(path_parameters)
    numeric = st.fixed_dictionaries({name: numeric_text() for name in path_parameters})
    return st.one_of(st.just(path_parameters), numeric)


@schema.hook
def flatmap_query(context, query: Any) -> st.SearchStrategy:
    if not isinstance(query, dict) or not context.operation.get_parameter("page_size", "query"):
        return st.just(query)
    return st.one_of(st.just(query), numeric_text().map(lambda size: {**query, "page_size": size}))


@pytest.fixture(autouse=True)
def unthrottled(settings) -> None:
    settings.API_THROTTLE_RATES = UNTHROTTLED


@pytest.fixture(autouse=True)
def requests_share_the_test_transaction() -> Iterator[None]:
    """Django closes, at the end of each request, a connection left inside a transaction; the test
    client turns that off so requests run inside the test's transaction, and so does this."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture(autouse=True)
def no_name_resolution(monkeypatch) -> None:
    """A generated image_url never reaches the network: every host name fails to resolve, as a
    host that does not exist would."""

    def refuse(*args, **kwargs):
        raise socket.gaierror(socket.EAI_NONAME, "name resolution is off in this test")

    monkeypatch.setattr(socket, "getaddrinfo", refuse)


@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    # The same examples on every run of the same code (Hypothesis also mixes in literals from the
    # project's source, so changing the code may change them).
    derandomize=True,
    database=None,
    # The rows fixture is per operation on purpose; each example rolls its writes back.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_every_operation_answers_as_the_schema_says(case, rows: Rows) -> None:
    with transaction.atomic():
        try:
            case.call_and_validate(
                headers={"Authorization": f"Bearer {rows.token}"},
                checks=CHECKS,
            )
        finally:
            transaction.set_rollback(True)
