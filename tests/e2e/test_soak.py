"""A soak: steady mixed use through gunicorn and a real worker for SOAK_SECONDS (default 60).

What goes wrong slowly under steady use: an error now and then, memory that keeps growing in
long-lived processes (a leak), and a queue that grows because the worker falls behind. CI runs it
for ten minutes (SOAK_SECONDS=600); the default keeps the suite quick.
"""

import base64
import os
import statistics
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import redis

from accounts.services import access_token_create
from media_pipeline.models import MediaRecord
from pins.models import Pin
from tests.e2e.client import ApiClient, Response
from tests.e2e.processes import ProcessFailed, child_pids
from tests.factories import BoardFactory, PinFactory, UserFactory, unique_jpeg

pytestmark = pytest.mark.worker

SOAK_SECONDS = float(os.environ.get("SOAK_SECONDS", "60"))
# Unpaced, six clients sending this mix get some 90 requests/s from two gunicorn processes on two
# shared cores. The soak paces them at 30/s in all, under half of that peak: steady use, with room
# for the worker and the database, rather than saturation.
CLIENTS = 6
REQUESTS_PER_SECOND_PER_CLIENT = 5.0
THREADED = "--worker-class gthread --threads 4"  # gthread, as in production
# Rate limits are not under test here, and one user's steady load would reach them.
UNTHROTTLED = {f"API_RATE_{kind}": "1000000/minute" for kind in ("READ", "WRITE", "UPLOAD")}
SAMPLE_EVERY_SECONDS = 1.0
# Memory is compared after a warm-up (imports, template and URL caches, connections): the largest
# RSS of each group of processes in the last third of the run against the first third.
WARM_UP_SECONDS = max(5.0, SOAK_SECONDS * 0.15)
# Measured on two cores: the gunicorn workers grow some 35 MB over the first 45 s of this load,
# then stay within a few MB for minutes; the Celery pool child stays within a few MB throughout.
# The bound allows that warm-up tail with room to spare in a 60 s run. In a 600 s run, some
# 10,000 requests fall between the thirds, so it fails a leak of 4 KB per request or more (a kept
# query, response or image); the default run catches only leaks several times larger.
RSS_GROWTH_FACTOR = 1.1
RSS_GROWTH_SLACK_KB = 16 * 1024
# About a dozen seconds of uploads: a worker that keeps up has a few waiting at most.
MAX_QUEUE_LENGTH = 15
DRAIN_DEADLINE_SECONDS = 30.0
REQUEST_TIMEOUT_SECONDS = 10.0


def _rss_kb(pids: list[int]) -> int:
    total = 0
    for pid in pids:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:  # the process ended between listing and reading
            continue
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
    return total


@dataclass
class Sample:
    at: float
    gunicorn_kb: int
    celery_kb: int
    queued: int


@dataclass
class Tally:
    """What the clients saw: each request's latency, and every error in words."""

    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    uploads: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, what: str, started: float, outcome: Response | Exception, expected: int):
        with self.lock:
            self.latencies.append(time.monotonic() - started)
            if isinstance(outcome, Exception):
                self.errors.append(f"{what}: {outcome!r}")
            elif outcome.status != expected:
                self.errors.append(f"{what}: {outcome.status} {outcome.body[:200]!r}")


def _client_loop(
    requests: list[tuple[str, int, Callable[[], Response]]], stop: threading.Event, tally: Tally
) -> None:
    """Send the requests round and round at a steady pace until `stop`. A slow answer delays the
    next request rather than causing a burst to catch up, as a person browsing would."""
    interval = 1.0 / REQUESTS_PER_SECOND_PER_CLIENT
    next_at = time.monotonic()
    n = 0
    while not stop.is_set():
        what, expected, send = requests[n % len(requests)]
        n += 1
        started = time.monotonic()
        try:
            outcome: Response | Exception = send()
        except Exception as exc:  # a reset, a timeout: the error, not the end of the soak
            outcome = exc
        tally.record(what, started, outcome, expected)
        next_at = max(next_at + interval, time.monotonic())
        stop.wait(max(0.0, next_at - time.monotonic()))


def _upload_body(board_id: int, n: int) -> dict:
    data = base64.b64encode(unique_jpeg(800, 600)).decode()
    return {
        "board_id": str(board_id),
        "title": f"Soak upload {n}",
        "media_source": {"source_type": "image_base64", "content_type": "image/jpeg", "data": data},
    }


def _third_max(samples: list[Sample], start: float, end: float, value) -> tuple[int, int]:
    """The largest `value` in the first and in the last third of [start, end]."""
    third = (end - start) / 3
    first = [value(s) for s in samples if start <= s.at < start + third]
    last = [value(s) for s in samples if end - third <= s.at <= end]
    assert first and last, f"too few samples between {start:.0f} s and {end:.0f} s"
    return max(first), max(last)


def test_steady_mixed_use_has_no_errors_flat_memory_and_a_queue_that_keeps_up(
    start_site, start_worker, process_env, capsys
):
    env = {**process_env, **UNTHROTTLED}
    site = start_site({**env, "GUNICORN_CMD_ARGS": THREADED})
    worker = start_worker(env, concurrency=1)
    broker = redis.Redis.from_url(env["REDIS_URL"])
    user = UserFactory()
    token = access_token_create(user=user, name="soak").raw
    boards = BoardFactory.create_batch(3, owner=user)
    own_pins = [PinFactory(board=board) for board in boards]
    others_pins = PinFactory.create_batch(4)  # on other users' public boards, to save
    counter = iter(range(1_000_000))
    tally = Tally()
    samples: list[Sample] = []
    stop = threading.Event()

    def client_requests(c: int) -> list[tuple[str, int, Callable[[], Response]]]:
        page, api = site.client(), ApiClient(site.base_url, token, timeout=REQUEST_TIMEOUT_SECONDS)
        board, pin = boards[c % len(boards)], own_pins[c % len(own_pins)]
        other = others_pins[c % len(others_pins)]

        def save(pin, board) -> Callable[[], Response]:
            return lambda: api.post(f"pins/{pin.pk}/save", {"board_id": str(board.pk)})

        def upload() -> Response:
            response = api.post("pins", _upload_body(board.pk, next(counter)))
            with tally.lock:
                tally.uploads += 1
            return response

        # One cycle of 25: 9 pages, 10 API reads, 5 saves and an upload (1.2 uploads/s in all).
        return [
            ("home page", 200, lambda: page.get("/")),
            ("pins/get", 200, lambda: api.get(f"pins/{pin.pk}")),
            ("board page", 200, lambda: page.get(board.get_absolute_url())),
            ("boards/list_pins", 200, lambda: api.get(f"boards/{board.pk}/pins")),
            ("pins/save", 201, save(other, board)),
            ("pin page", 200, lambda: page.get(f"/pin/{pin.pk}/")),
            ("search/pins", 200, lambda: api.get("search/pins?query=pin")),
            ("boards/list", 200, lambda: api.get("boards")),
            ("pins/save", 201, save(pin, boards[0])),
            ("search page", 200, lambda: page.get("/search/?q=pin")),
            ("pins/related", 200, lambda: api.get(f"pins/{other.pk}/related")),
            ("upload", 201, upload),
            ("profile page", 200, lambda: page.get(f"/{user.username}/")),
            ("pins/list", 200, lambda: api.get("pins")),
            ("pins/save", 201, save(other, boards[-1])),
            ("home page", 200, lambda: page.get("/")),
            ("user_account", 200, lambda: api.get("user_account")),
            ("board page", 200, lambda: page.get(board.get_absolute_url())),
            ("pins/get", 200, lambda: api.get(f"pins/{other.pk}")),
            ("pins/save", 201, save(other, board)),
            ("pin page", 200, lambda: page.get(f"/pin/{other.pk}/")),
            ("search/boards", 200, lambda: api.get("search/boards?query=board")),
            ("boards/get", 200, lambda: api.get(f"boards/{board.pk}")),
            ("pins/save", 201, save(pin, boards[1])),
            ("home page", 200, lambda: page.get("/")),
        ]  # fmt: skip

    def sample() -> None:
        while not stop.wait(SAMPLE_EVERY_SECONDS):
            samples.append(
                Sample(
                    time.monotonic() - started,
                    _rss_kb(child_pids(site.process.pid)),
                    _rss_kb(child_pids(worker.pid)),
                    broker.llen("celery"),
                )
            )

    threads = [
        threading.Thread(target=_client_loop, args=(client_requests(c), stop, tally))
        for c in range(CLIENTS)
    ]
    threads.append(threading.Thread(target=sample))
    started = time.monotonic()
    try:
        for thread in threads:
            thread.start()
        # Ends early if either process dies: the soak is about them staying up.
        deadline = started + SOAK_SECONDS
        while time.monotonic() < deadline:
            assert site.process.is_running() and worker.is_running(), "a process exited"
            time.sleep(0.5)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=REQUEST_TIMEOUT_SECONDS + 5)
    elapsed = time.monotonic() - started
    assert not any(thread.is_alive() for thread in threads), "a client thread hangs"

    uploaded = Pin.objects.filter(owner=user, title__startswith="Soak upload")
    # Uploads of the same bytes share a media record, so there may be fewer records than pins.
    media = MediaRecord.objects.filter(pins__in=uploaded).distinct()
    waiting = [MediaRecord.Status.QUEUED, MediaRecord.Status.PROCESSING]
    try:
        worker.wait_until(
            lambda: not media.filter(status__in=waiting).exists() and broker.llen("celery") == 0,
            timeout=DRAIN_DEADLINE_SECONDS,
            what="every upload processed and an empty queue",
            interval=0.5,
        )
        undrained = ""
    except ProcessFailed as exc:
        undrained = str(exc)

    measured = [s for s in samples if s.at >= WARM_UP_SECONDS]
    gunicorn_first, gunicorn_last = _third_max(
        measured, WARM_UP_SECONDS, elapsed, lambda s: s.gunicorn_kb
    )
    celery_first, celery_last = _third_max(
        measured, WARM_UP_SECONDS, elapsed, lambda s: s.celery_kb
    )
    max_queued = max(s.queued for s in samples)
    requests = len(tally.latencies)
    latencies = sorted(tally.latencies)
    assert latencies, "no request was sent"
    # Past pytest's capture, so that CI logs show it whether the test passes or fails.
    with capsys.disabled():
        print(
            f"\nsoak: {elapsed:.0f} s, {requests} requests ({requests / elapsed:.1f}/s), "
            f"{len(tally.errors)} errors, {tally.uploads} uploads, "
            f"latency p50 {statistics.median(latencies) * 1000:.0f} ms "
            f"p95 {latencies[int(len(latencies) * 0.95)] * 1000:.0f} ms, "
            f"gunicorn workers RSS {gunicorn_first // 1024}->{gunicorn_last // 1024} MB, "
            f"celery pool RSS {celery_first // 1024}->{celery_last // 1024} MB, "
            f"max queue {max_queued}, {'not drained' if undrained else 'drained'} after"
        )

    assert not undrained, undrained
    assert tally.errors == [], f"{len(tally.errors)} errors, the first: {tally.errors[:10]}"
    assert requests >= CLIENTS * REQUESTS_PER_SECOND_PER_CLIENT * SOAK_SECONDS * 0.5, (
        "the clients got through less than half of the planned requests: the site is too slow"
    )
    assert uploaded.count() == tally.uploads > 0
    assert set(media.values_list("status", flat=True)) == {MediaRecord.Status.READY}
    for name, first, last in [
        ("gunicorn workers", gunicorn_first, gunicorn_last),
        ("celery pool", celery_first, celery_last),
    ]:
        bound = first * RSS_GROWTH_FACTOR + RSS_GROWTH_SLACK_KB
        assert last <= bound, f"{name}: RSS grew from {first} KB to {last} KB (bound {bound:.0f})"
    assert max_queued <= MAX_QUEUE_LENGTH, f"up to {max_queued} uploads waited for the worker"
