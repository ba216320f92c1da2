"""Twenty copies of one write at once, through gunicorn on PostgreSQL: one row, and an answer each.

A double click, a client that retries or a flaky network sends the same write several times, and
the copies run side by side in gunicorn's threads and processes. The database's unique constraints
decide which copy writes; the others get the same pin back (saving is idempotent) or a clean 409
(a board name is taken), never a 500 or a second row.
"""

import threading
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest

from accounts.services import access_token_create
from boards.models import Board
from catalog.api.errors import Code
from pins.models import Pin
from tests.e2e.client import ApiClient, Response
from tests.factories import BoardFactory, PinFactory, UserFactory

pytestmark = pytest.mark.worker

COPIES = 20
# Threaded workers (gthread) as in production, with threads enough for most of the copies to be
# inside the application at the same moment: two processes of eight threads.
THREADED = "--worker-class gthread --threads 8"
# Rate limits are not under test here. They count per token id in Redis, which another run of the
# suite on a fresh database may have used within the minute.
UNTHROTTLED = {f"API_RATE_{kind}": "1000000/minute" for kind in ("READ", "WRITE", "UPLOAD")}
REQUEST_TIMEOUT_SECONDS = 20.0


@pytest.fixture
def threaded_site(start_site, process_env):
    return start_site({**process_env, **UNTHROTTLED, "GUNICORN_CMD_ARGS": THREADED})


@pytest.fixture
def api_for(threaded_site) -> Callable[..., ApiClient]:
    def api_for(user) -> ApiClient:
        token = access_token_create(user=user, name="concurrent copies").raw
        return ApiClient(threaded_site.base_url, token, timeout=REQUEST_TIMEOUT_SECONDS)

    return api_for


def _all_at_once(send: Callable[[int], Response]) -> list[Response]:
    """Call `send(n)` for n in 0..COPIES-1, each from its own thread, released together."""
    start = threading.Barrier(COPIES)

    def copy(n: int) -> Response:
        start.wait(timeout=10)
        return send(n)

    with ThreadPoolExecutor(COPIES) as pool:
        futures = [pool.submit(copy, n) for n in range(COPIES)]
        return [future.result(timeout=REQUEST_TIMEOUT_SECONDS + 10) for future in futures]


def _answers(responses: list[Response]) -> Counter:
    """(status, body) of every response, counted: what a failed assertion should show."""
    return Counter(
        (response.status, response.body.decode(errors="replace")[:300]) for response in responses
    )


def test_twenty_saves_of_one_pin_to_one_board_at_once_make_one_pin(api_for):
    user = UserFactory()
    board = BoardFactory(owner=user)
    pin = PinFactory(title="Copper pans")  # on another user's public board
    api = api_for(user)

    responses = _all_at_once(lambda _: api.post(f"pins/{pin.pk}/save", {"board_id": str(board.pk)}))

    assert [response.status for response in responses] == [201] * COPIES, _answers(responses)
    saves = list(Pin.objects.filter(board=board))
    assert len(saves) == 1, f"{len(saves)} pins on the board after {COPIES} saves of one pin"
    assert saves[0].parent_pin_id == pin.pk
    assert {response.json()["id"] for response in responses} == {str(saves[0].pk)}


def test_twenty_creates_of_one_board_name_at_once_make_one_board_and_nineteen_conflicts(api_for):
    user = UserFactory()
    api = api_for(user)

    responses = _all_at_once(lambda _: api.post("boards", {"name": "Weeknight dinners"}))

    statuses = Counter(response.status for response in responses)
    assert statuses == {201: 1, 409: COPIES - 1}, _answers(responses)
    board = Board.objects.get(owner=user)
    [created] = [response.json() for response in responses if response.status == 201]
    assert (created["id"], created["name"]) == (str(board.pk), "Weeknight dinners")
    for response in responses:
        if response.status == 409:
            assert response.headers.get_content_type() == "application/json"
            assert response.json() == {
                "code": Code.CONFLICT,
                "message": "You already have a board named “Weeknight dinners”.",
            }


def test_twenty_boards_renamed_to_one_name_at_once_leave_one_with_it_and_nineteen_conflicts(
    api_for,
):
    user = UserFactory()
    boards = BoardFactory.create_batch(COPIES, owner=user)
    api = api_for(user)

    responses = _all_at_once(lambda n: api.patch(f"boards/{boards[n].pk}", {"name": "Pantry"}))

    statuses = Counter(response.status for response in responses)
    assert statuses == {200: 1, 409: COPIES - 1}, _answers(responses)
    [renamed] = [
        board for board, response in zip(boards, responses, strict=True) if response.status == 200
    ]
    names = dict(Board.objects.filter(owner=user).values_list("pk", "name"))
    assert names == {board.pk: board.name for board in boards} | {renamed.pk: "Pantry"}
    assert {response.json()["code"] for response in responses if response.status == 409} == {
        Code.CONFLICT
    }
