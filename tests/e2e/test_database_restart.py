"""PostgreSQL restarted under load: gunicorn and the Celery worker ride it out on their own.

Clients keep reading and writing through gunicorn while the worker renders uploads; the test's
private PostgreSQL server is stopped (a fast shutdown, as `pg_ctl restart` does) and started
again. Errors may only be answers from the web processes while the database is down; afterwards
every request succeeds again without restarting anything, every upload is rendered, and nothing
is left half-written.
"""

import base64
import io
import json
import random
import re
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings
from PIL import Image

from accounts.services import access_token_create
from media_pipeline.models import MediaRecord
from pins.models import Pin
from tests.e2e.processes import child_pids
from tests.factories import BoardFactory, UserFactory, unique_jpeg

pytestmark = pytest.mark.worker

REQUEST_TIMEOUT_SECONDS = 5.0
# Answers during the outage must be quick errors, not requests left hanging on the database.
ERROR_BUDGET_SECONDS = 3.0
TRAFFIC_BEFORE_SECONDS = 1.5
OUTAGE_SECONDS = 3.0
TRAFFIC_AFTER_SECONDS = 3.0
RENDER_DEADLINE_SECONDS = 30.0
# Uploads large enough (about 0.5 s of work each) that the worker still has some queued when the
# database goes down, so its tasks meet the outage.
BACKLOG_UPLOADS = 6
BACKLOG_SIZE = (1600, 1200)
# Every client here shares one address and one token; the default rates would answer 429.
UNTHROTTLED = {
    "API_RATE_READ": "100000/minute",
    "API_RATE_WRITE": "100000/minute",
    "API_RATE_UPLOAD": "100000/minute",
}
EXPECTED = {"healthz": 200, "home": 200, "pin": 200, "create": 201}


@dataclass(frozen=True)
class Outcome:
    kind: str
    started: float
    ended: float
    status: int | None  # None: no HTTP answer at all (refused, reset, timed out)
    pin_id: int | None = None

    @property
    def ok(self) -> bool:
        return self.status == EXPECTED[self.kind]

    def overlaps(self, start: float, end: float) -> bool:
        return self.started <= end and self.ended >= start

    def __str__(self) -> str:
        return f"{self.kind} {self.status} after {self.ended - self.started:.2f} s"


def _request(
    url: str, *, token: str | None = None, payload: dict | None = None
) -> tuple[int | None, bytes]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    data = None
    if payload is not None:
        data = json.dumps(payload).encode()
        headers["Content-Type"] = "application/json"
    request = urllib.request.Request(url, data=data, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=REQUEST_TIMEOUT_SECONDS) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        with exc:
            return exc.code, exc.read()
    except OSError:
        return None, b""


def _noisy_jpeg(size: tuple[int, int], seed: int) -> bytes:
    """A JPEG with detail everywhere, so rendering it takes real work."""
    cells = (size[0] // 8, size[1] // 8)
    noise = random.Random(seed).randbytes(cells[0] * cells[1] * 3)
    image = Image.frombytes("RGB", cells, noise).resize(size, Image.Resampling.BILINEAR)
    output = io.BytesIO()
    image.save(output, format="JPEG", quality=90)
    return output.getvalue()


def create_pin(base_url: str, *, token: str, board_id: int, title: str, image: bytes) -> Outcome:
    """POST /api/v5/pins with the image inline, as an API client uploads."""
    payload = {
        "board_id": str(board_id),
        "title": title,
        "media_source": {
            "source_type": "image_base64",
            "content_type": "image/jpeg",
            "data": base64.b64encode(image).decode(),
        },
    }
    started = time.monotonic()
    status, body = _request(f"{base_url}/api/v5/pins", token=token, payload=payload)
    pin_id = int(json.loads(body)["id"]) if status == 201 else None
    return Outcome("create", started, time.monotonic(), status, pin_id)


class Traffic:
    """Clients in background threads: one reads pages, the API and /healthz, one creates pins.

    Every request's outcome is recorded with when it started and ended.
    """

    def __init__(self, base_url: str, *, token: str, board_id: int, pin_id: int) -> None:
        self.base_url = base_url
        self.token = token
        self.board_id = board_id
        self.reads = [("healthz", "/healthz"), ("home", "/"), ("pin", f"/api/v5/pins/{pin_id}")]
        self.outcomes: list[Outcome] = []
        self._stop = threading.Event()
        self._threads = [
            threading.Thread(target=self._read, name="reader", daemon=True),
            threading.Thread(target=self._write, name="writer", daemon=True),
        ]

    def create_pin(self, title: str, image: bytes) -> Outcome:
        outcome = create_pin(
            self.base_url, token=self.token, board_id=self.board_id, title=title, image=image
        )
        self.outcomes.append(outcome)
        return outcome

    def _read(self) -> None:
        while not self._stop.is_set():
            for kind, path in self.reads:
                started = time.monotonic()
                status, _ = _request(self.base_url + path)
                self.outcomes.append(Outcome(kind, started, time.monotonic(), status))
            self._stop.wait(0.05)

    def _write(self) -> None:
        n = 0
        while not self._stop.is_set():
            n += 1
            self.create_pin(f"Steady {n}", unique_jpeg())
            self._stop.wait(0.2)

    def start(self) -> None:
        for thread in self._threads:
            thread.start()

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=REQUEST_TIMEOUT_SECONDS + 5)
            assert not thread.is_alive(), f"the {thread.name} thread did not finish"


def _assert_rendered(media: MediaRecord) -> None:
    """Ready, with every rendition's whole file in MEDIA_ROOT."""
    assert media.status == MediaRecord.Status.READY, (str(media), media.error)
    renditions = list(media.renditions.all())
    assert renditions, f"{media} is ready without renditions"
    for rendition in renditions:
        path = Path(settings.MEDIA_ROOT) / rendition.file.name
        assert path.is_file(), f"{rendition} has no file at {path}"
        assert path.stat().st_size == rendition.bytes, f"{rendition}: partial file at {path}"


def test_web_and_worker_recover_by_themselves_when_postgresql_restarts_under_load(
    private_postgres, process_env, start_site, start_worker
):
    env = {**process_env, **UNTHROTTLED, "DATABASE_URL": private_postgres.url}
    site = start_site(env)
    worker = start_worker(env, concurrency=1)
    web_workers = child_pids(site.process.pid)
    user = UserFactory()
    board = BoardFactory(owner=user)
    token = access_token_create(user=user, name="traffic").raw
    seed = create_pin(
        site.base_url, token=token, board_id=board.pk, title="Seed", image=unique_jpeg()
    )
    assert seed.ok, seed
    traffic = Traffic(site.base_url, token=token, board_id=board.pk, pin_id=seed.pin_id)

    traffic.start()
    try:
        time.sleep(TRAFFIC_BEFORE_SECONDS)
        for n in range(BACKLOG_UPLOADS):
            backlog = traffic.create_pin(f"Backlog {n}", _noisy_jpeg(BACKLOG_SIZE, seed=n))
            assert backlog.ok, backlog
        down_at = time.monotonic()
        private_postgres.stop()
        time.sleep(OUTAGE_SECONDS)
        private_postgres.start()
        up_at = time.monotonic()
        time.sleep(TRAFFIC_AFTER_SECONDS)
    finally:
        traffic.stop()

    outcomes = traffic.outcomes
    before = [o for o in outcomes if o.ended < down_at]
    during = [o for o in outcomes if o.overlaps(down_at, up_at)]
    after = [o for o in outcomes if o.started > up_at]
    assert before and all(o.ok for o in before), [str(o) for o in before if not o.ok]
    errors = [o for o in during if not o.ok]
    assert any(o.kind == "healthz" and o.status == 503 for o in errors), "no 503 while down"
    # Quick answers from gunicorn: never a dropped connection, a hang or a 4xx blaming the client.
    unexpected = [
        o
        for o in errors
        if o.status is None
        or o.status < 500
        or (o.kind == "healthz" and o.status != 503)
        or o.ended - o.started > ERROR_BUDGET_SECONDS
    ]
    assert unexpected == [], [str(o) for o in unexpected]
    assert {o.kind for o in after} == set(EXPECTED), (
        "some kind of request stopped after the restart"
    )
    assert all(o.ok for o in after), [str(o) for o in after if not o.ok]

    # Nothing was restarted: the same gunicorn workers and Celery worker serve on.
    assert site.process.is_running() and worker.is_running()
    assert child_pids(site.process.pid) == web_workers

    pins = Pin.objects.filter(board=board)
    created = {o.pin_id for o in outcomes if o.status == 201} | {seed.pin_id}
    missing = created - set(pins.values_list("pk", flat=True))
    assert missing == set(), f"pins answered 201 but not stored: {sorted(missing)}"
    # A create that failed with the database must have left neither a pin nor its media.
    orphans = MediaRecord.objects.filter(owner=user, pins__isnull=True)
    assert list(orphans) == []
    media = MediaRecord.objects.filter(owner=user)
    unfinished = media.exclude(status=MediaRecord.Status.READY)
    deadline = time.monotonic() + RENDER_DEADLINE_SECONDS
    while unfinished.exists() and worker.is_running() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert [str(m) for m in unfinished] == [], f"not rendered in {RENDER_DEADLINE_SECONDS:g} s"
    for record in media:
        _assert_rendered(record)
    assert set(pins.values_list("media__status", flat=True)) == {MediaRecord.Status.READY}
    assert re.search(r"OperationalError|InterfaceError", worker.log()), "no task met the outage"
