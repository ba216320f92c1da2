"""Deploys under load: gunicorn and the Celery worker stopped with SIGTERM lose no work.

A deploy stops the running processes with SIGTERM and starts new ones. gunicorn then stops
accepting connections and lets the requests it accepted finish (within its graceful timeout); the
Celery worker finishes the tasks it started (warm shutdown), and the messages it had not started
stay on the broker for the next worker (acks_late). A connection made after the signal may be
refused or closed unanswered, which a proxy or client can retry safely only if the request had no
effect: the test checks that too.
"""

import http.client
import json
import re
import signal
import struct
import threading
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
import redis
from django.conf import settings

from accounts.services import access_token_create
from boards.models import Board
from media_pipeline.models import MediaRecord
from tests.e2e.client import ApiClient, Upload, multipart
from tests.e2e.processes import purge_queue
from tests.factories import BoardFactory, PinFactory, UserFactory, unique_jpeg
from tests.images import smooth_noise

pytestmark = pytest.mark.worker

# Threaded workers (gthread, four threads each), as in production.
THREADED = "--worker-class gthread --threads 4"
# Rate limits are not under test here, and the load would reach them (they count per token id in
# Redis, so another run of the suite within the minute counts too).
UNTHROTTLED = {f"API_RATE_{kind}": "1000000/minute" for kind in ("READ", "WRITE", "UPLOAD")}
# processes.gunicorn_process starts gunicorn with --graceful-timeout 5.
GRACEFUL_TIMEOUT_SECONDS = 5.0
LOAD_THREADS = 4
LOAD_BEFORE_SIGNAL_SECONDS = 1.5
LOAD_ON_NEW_SERVER_SECONDS = 2.0
REQUEST_TIMEOUT_SECONDS = 15.0
# Uploads whose bodies are still arriving when the signal comes, for most of a second after it.
TRICKLED_UPLOADS = 3
TRICKLE_CHUNKS_AFTER_SIGNAL = 5
TRICKLE_PAUSE_SECONDS = 0.2
# gthread workers accept on their event loop within milliseconds; a connection made this long
# before the signal has been accepted, so it must be answered. One made later may instead have
# waited in the listen backlog, which gunicorn closes unanswered when it exits.
ACCEPT_MARGIN_SECONDS = 0.3


def _send(
    port: int, method: str, path: str, *, body: bytes = b"", headers: dict[str, str]
) -> tuple[int | None, str, bytes]:
    """One request on a new connection: (status, why the answer is missing or partial, body).

    The failure is "" for a whole answer; "refused" or "no answer: ..." when no byte of an answer
    came; "partial: ..." when the answer was cut.
    """
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT_SECONDS)
    try:
        try:
            connection.request(method, path, body=body, headers={"Connection": "close", **headers})
            response = connection.getresponse()
        except ConnectionRefusedError:
            return None, "refused", b""
        except (OSError, http.client.HTTPException) as exc:
            return None, f"no answer: {exc!r}", b""
        try:
            return response.status, "", response.read()
        except (OSError, http.client.HTTPException) as exc:
            return response.status, f"partial: {exc!r}", b""
    finally:
        connection.close()


@dataclass
class Exchange:
    what: str
    server: str  # "old" or "new"
    started: float  # time.monotonic() before connecting
    expected: int
    status: int | None
    failure: str
    body: bytes
    board_name: str = ""  # set for a board create, to check afterwards whether it happened

    @property
    def answered(self) -> bool:
        return self.status is not None

    def whole(self) -> bool:
        """The expected status, and a body that ends as it should (not cut short)."""
        if self.failure or self.status != self.expected:
            return False
        if self.body.lstrip().startswith(b"<!"):
            return self.body.rstrip().endswith(b"</html>")
        try:
            json.loads(self.body)
        except ValueError:
            return False
        return True

    def __str__(self) -> str:
        return f"{self.what} on {self.server}: {self.status} {self.failure} {self.body[:200]!r}"


class Balancer:
    """Where new requests go, as a proxy in front of the app sends them: to the current server."""

    def __init__(self, port: int) -> None:
        self._lock = threading.Lock()
        self._target = (port, "old")

    def target(self) -> tuple[int, str]:
        with self._lock:
            return self._target

    def switch(self, port: int) -> None:
        with self._lock:
            self._target = (port, "new")


@dataclass(frozen=True)
class Request:
    what: str
    method: str
    path: str
    expected: int
    body: dict | None = None

    @property
    def board_name(self) -> str:
        return (self.body or {}).get("name", "") if self.path == "/api/v5/boards" else ""


def _load(
    balancer: Balancer,
    requests: Callable[[int], Request],
    token: str,
    stop: threading.Event,
    exchanges: list[Exchange],
) -> None:
    """Send requests one after another until `stop`. One that got no answer is not sent again
    (it may be a write); the next one follows shortly."""
    n = 0
    while not stop.is_set():
        request = requests(n)
        n += 1
        port, server = balancer.target()
        headers = {"Authorization": f"Bearer {token}"} if request.path.startswith("/api/") else {}
        body = b""
        if request.body is not None:
            body = json.dumps(request.body).encode()
            headers["Content-Type"] = "application/json"
        started = time.monotonic()
        status, failure, answer = _send(
            port, request.method, request.path, body=body, headers=headers
        )
        exchanges.append(
            Exchange(
                what=request.what,
                server=server,
                started=started,
                expected=request.expected,
                status=status,
                failure=failure,
                body=answer,
                board_name=request.board_name,
            )
        )
        if status is None:
            time.sleep(0.05)


def _trickled_upload(
    port: int, token: str, data: bytes, signalled: threading.Event, sending: threading.Event
) -> Exchange:
    """POST /api/v5/media, its body sent partly before the signal and the rest over the
    following second: the upload is in progress on the server when the signal comes."""
    body, content_type = multipart({}, {"file": Upload("trickled.jpg", "image/jpeg", data)})
    first, rest = body[: len(body) // 3], body[len(body) // 3 :]
    step = -(-len(rest) // TRICKLE_CHUNKS_AFTER_SIGNAL)
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT_SECONDS)
    started = time.monotonic()
    try:
        connection.putrequest("POST", "/api/v5/media")
        for name, value in {
            "Authorization": f"Bearer {token}",
            "Content-Type": content_type,
            "Content-Length": str(len(body)),
            "Connection": "close",
        }.items():
            connection.putheader(name, value)
        connection.endheaders(first)
        sending.set()
        if not signalled.wait(timeout=30):
            raise AssertionError("the signal never came")
        for offset in range(0, len(rest), step):
            time.sleep(TRICKLE_PAUSE_SECONDS)
            connection.send(rest[offset : offset + step])
        response = connection.getresponse()
        status, failure, answer = response.status, "", response.read()
    except (OSError, http.client.HTTPException) as exc:
        status, failure, answer = None, f"no whole answer: {exc!r}", b""
    finally:
        connection.close()
    return Exchange("trickled POST /api/v5/media", "old", started, 201, status, failure, answer)


def _mixed_requests(thread: int, board: Board, pins: list) -> Callable[[int], Request]:
    """Pages and API reads, and a board create (a write whose effect can be looked up) in six."""

    def request(n: int) -> Request:
        pin = pins[n % len(pins)]
        mix = [
            Request("home page", "GET", "/", 200),
            Request("board page", "GET", board.get_absolute_url(), 200),
            Request("pin page", "GET", f"/pin/{pin.pk}/", 200),
            Request("pins/get", "GET", f"/api/v5/pins/{pin.pk}", 200),
            Request("boards/list_pins", "GET", f"/api/v5/boards/{board.pk}/pins", 200),
            Request(
                "boards/create", "POST", "/api/v5/boards", 201, {"name": f"Deploy {thread}-{n}"}
            ),
        ]
        return mix[n % len(mix)]

    return request


def test_gunicorn_stopped_under_load_answers_all_it_accepted_and_a_new_one_takes_over(
    start_site, process_env
):
    env = {**process_env, **UNTHROTTLED, "GUNICORN_CMD_ARGS": THREADED}
    old = start_site(env)
    user = UserFactory()
    board = BoardFactory(owner=user)
    pins = PinFactory.create_batch(3, board=board)
    token = access_token_create(user=user, name="deploy").raw
    old_port = int(old.base_url.rsplit(":", 1)[1])
    balancer = Balancer(old_port)
    stop = threading.Event()
    exchanges: list[Exchange] = []
    load = [
        threading.Thread(
            target=_load,
            args=(balancer, _mixed_requests(n, board, pins), token, stop, exchanges),
        )
        for n in range(LOAD_THREADS)
    ]
    signalled = threading.Event()
    trickles: list[Exchange] = []
    sending = [threading.Event() for _ in range(TRICKLED_UPLOADS)]
    uploads = [
        threading.Thread(
            target=lambda event: trickles.append(
                _trickled_upload(old_port, token, unique_jpeg(1200, 900), signalled, event)
            ),
            args=(event,),
        )
        for event in sending
    ]
    old_exit: list[tuple[int, float]] = []  # (exit status, when)
    exit_watch = threading.Thread(
        target=lambda: old_exit.append((old.process.process.wait(), time.monotonic()))
    )
    try:
        for thread in load:
            thread.start()
        time.sleep(LOAD_BEFORE_SIGNAL_SECONDS)
        for thread in uploads:
            thread.start()
        assert all(event.wait(timeout=10) for event in sending), "an upload never started"
        time.sleep(ACCEPT_MARGIN_SECONDS)

        signalled_at = time.monotonic()
        old.process.send_signal(signal.SIGTERM)
        signalled.set()
        exit_watch.start()
        new = start_site(env)  # boots while the old one drains, as in a rolling deploy
        balancer.switch(int(new.base_url.rsplit(":", 1)[1]))
        switched_at = time.monotonic()
        exit_watch.join(timeout=GRACEFUL_TIMEOUT_SECONDS + 10)
        time.sleep(max(0.0, switched_at + LOAD_ON_NEW_SERVER_SECONDS - time.monotonic()))
    finally:
        stop.set()
        signalled.set()
        for thread in [*load, *uploads]:
            thread.join(timeout=REQUEST_TIMEOUT_SECONDS + 5)
    assert not any(thread.is_alive() for thread in [*load, *uploads]), "a client thread hangs"

    # The old server exited by itself once its requests were done, before its graceful timeout
    # ran out (when gunicorn kills the workers that are left).
    assert old_exit, (
        f"the old gunicorn still runs {GRACEFUL_TIMEOUT_SECONDS + 10:g} s after SIGTERM"
    )
    [(status, exited_at)] = old_exit
    old_stopped_after = exited_at - signalled_at
    assert status == 0, f"gunicorn exited {status}"
    assert old_stopped_after < GRACEFUL_TIMEOUT_SECONDS, f"it took {old_stopped_after:.1f} s"

    # The uploads in progress at the signal were read to the end, stored, and answered.
    assert len(trickles) == TRICKLED_UPLOADS
    for upload in trickles:
        assert upload.whole(), str(upload)
        media = MediaRecord.objects.get(pk=json.loads(upload.body)["media_id"])
        assert media.owner_id == user.pk

    answered = [exchange for exchange in exchanges if exchange.answered]
    unanswered = [exchange for exchange in exchanges if not exchange.answered]
    # Every answer, from either server, is whole and as expected: no 5xx, nothing cut short.
    assert [str(e) for e in answered if not e.whole()] == []
    # Only connections to the stopping server, made around or after the signal, go unanswered.
    early = [
        f"{e} at {e.started - signalled_at:+.3f} s"
        for e in unanswered
        if e.server == "new" or e.started < signalled_at - ACCEPT_MARGIN_SECONDS
    ]
    assert early == []
    # A write left unanswered did not happen, so sending it again is safe; an answered one did.
    created = set(Board.objects.filter(owner=user).values_list("name", flat=True))
    assert [e.board_name for e in unanswered if e.board_name in created] == []
    assert {e.board_name for e in answered if e.board_name} <= created
    # Load went on through the new server.
    on_new = [e for e in answered if e.server == "new"]
    assert len(on_new) >= LOAD_THREADS * 5, f"only {len(on_new)} answers from the new server"


# A noisy 12 MP PNG: about 1.3 s of processing each on a 2-CPU machine, long enough to stop the
# worker mid-task. PNG, because JPEG decodes at a reduced scale and would finish too soon.
BIG_PNG_SIZE = (4000, 3000)
NOISE_CELL = 80
UPLOADS = 6
CONCURRENCY = 2
DEADLINE_SECONDS = 60.0


@pytest.fixture(scope="session")
def big_png() -> bytes:
    """Made once per session (about 1 s); each upload is this picture with other bytes."""
    return smooth_noise(BIG_PNG_SIZE, cell=NOISE_CELL, format="PNG", compress_level=1)


def _other_bytes(png: bytes, text: str) -> bytes:
    """The same picture with a text chunk before IEND: a different upload (uploads of the same
    bytes share one media record) without encoding the picture again."""
    payload = b"Comment\x00" + text.encode()
    crc = zlib.crc32(b"tEXt" + payload)
    chunk = struct.pack(">I", len(payload)) + b"tEXt" + payload + struct.pack(">I", crc)
    return png[:-12] + chunk + png[-12:]  # IEND is the last 12 bytes


def _statuses(media_ids: list[int]) -> dict[int, str]:
    return dict(MediaRecord.objects.filter(pk__in=media_ids).values_list("pk", "status"))


def _task_ids(log: str, event: str) -> list[str]:
    """Ids of process_media_task on the worker log's `event` lines (received, succeeded)."""
    return re.findall(r"process_media_task\[([0-9a-f-]+)\] " + event, log)


def test_celery_worker_stopped_mid_upload_finishes_its_tasks_and_the_next_worker_the_rest(
    start_site, start_worker, process_env, big_png
):
    site = start_site({**process_env, **UNTHROTTLED})
    purge_queue(env=process_env)
    user = UserFactory()
    api = ApiClient(site.base_url, access_token_create(user=user, name="deploy").raw, timeout=30)
    responses = [
        api.post_file(
            "media", "file", Upload(f"{n}.png", "image/png", _other_bytes(big_png, str(n)))
        )
        for n in range(UPLOADS)
    ]
    assert [response.status for response in responses] == [201] * UPLOADS
    media_ids = [int(response.json()["media_id"]) for response in responses]
    assert set(_statuses(media_ids).values()) == {MediaRecord.Status.QUEUED}

    old = start_worker(process_env, concurrency=CONCURRENCY, purge=False)
    old.wait_until(
        lambda: (
            list(_statuses(media_ids).values()).count(MediaRecord.Status.PROCESSING) == CONCURRENCY
        ),
        timeout=DEADLINE_SECONDS,
        what=f"{CONCURRENCY} uploads processing at once",
        interval=0.05,
    )
    old.send_signal(signal.SIGTERM)
    # Taken after the signal, so it holds every task the old worker started: processing or done.
    started = {pk for pk, status in _statuses(media_ids).items() if status != "queued"}
    old_exit = old.process.wait(timeout=DEADLINE_SECONDS)
    at_exit = _statuses(media_ids)

    # Warm shutdown: the old worker finished what it had started, and left the rest queued.
    assert old_exit == 0, f"the worker exited {old_exit}; log:\n{old.log_tail(4000)}"
    assert "Warm shutdown" in old.log()
    assert {at_exit[pk] for pk in started} == {"ready"}, at_exit
    assert set(at_exit.values()) == {"ready", "queued"}, at_exit

    new = start_worker(process_env, concurrency=CONCURRENCY, purge=False)
    new.wait_until(
        lambda: set(_statuses(media_ids).values()) <= {"ready", "failed"},
        timeout=DEADLINE_SECONDS,
        what="every upload processed",
        interval=0.1,
    )

    for media in MediaRecord.objects.filter(pk__in=media_ids).prefetch_related("renditions"):
        assert media.status == MediaRecord.Status.READY, (media.pk, media.error)
        assert media.attempts == 1, f"media {media.pk} was processed {media.attempts} times"
        keys = [(rendition.name, rendition.format) for rendition in media.renditions.all()]
        assert keys and len(keys) == len(set(keys)), f"media {media.pk} renditions: {keys}"
        for rendition in media.renditions.all():
            path = Path(settings.MEDIA_ROOT) / rendition.file.name
            assert path.stat().st_size == rendition.bytes, f"{rendition}: partial file at {path}"
        assert api.get(f"media/{media.pk}").json()["status"] == "succeeded"
    # Each message ran to completion once, in the old worker or in the new one.
    old_done, new_done = _task_ids(old.log(), "succeeded"), _task_ids(new.log(), "succeeded")
    assert len(old_done) == list(at_exit.values()).count("ready")
    assert len(new_done) == list(at_exit.values()).count("queued")
    assert len(set(old_done + new_done)) == UPLOADS
    # Nothing is left on the broker to be delivered again later.
    broker = redis.Redis.from_url(process_env["REDIS_URL"])
    assert broker.llen("celery") == 0
    unacked = b"".join(broker.hvals("unacked"))
    assert [task for task in old_done + new_done if task.encode() in unacked] == []
