"""Faults around the Celery worker: a pool child killed mid-task, the broker down, a poison image.

Each test runs gunicorn and a real worker (and, for the broker outage, a redis-server of its own)
and bounds every wait, so a fault the app does not recover from fails the test instead of hanging
it. Assertions about renditions stay generic: whatever sizes and formats the pipeline makes, each
(name, format) has one row and one complete file, and no partial file is left behind.
"""

import os
import re
import signal
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from boards.models import Board
from media_pipeline.models import MediaRecord
from pins.models import Pin
from tests.e2e.client import Client, Upload, parse_page
from tests.e2e.processes import ManagedProcess, child_pids, run
from tests.factories import PASSWORD, BoardFactory, UserFactory, unique_jpeg
from tests.images import smooth_noise

pytestmark = pytest.mark.worker

# 44.7 MP, under the 50 MP limit. PNG has no scaled decode (JPEG has), so every pixel is inflated
# and resized: about 3 s in the worker on a 2-CPU machine, 1.0-1.4 s of it decoding.
LARGE_SIZE = (7700, 5800)
# Noise this coarse keeps the file near 18 MB, under the 20 MB upload limit.
NOISE_CELL = 320
DEADLINE_SECONDS = 30.0
UPLOAD_BUDGET_SECONDS = 2.0
FINISHED = {MediaRecord.Status.READY, MediaRecord.Status.FAILED}


@pytest.fixture(scope="session")
def large_png() -> bytes:
    """A noisy ~45 MP PNG, made once per session (saving it takes about 2 s)."""
    return smooth_noise(LARGE_SIZE, cell=NOISE_CELL, format="PNG", compress_level=1)


@pytest.fixture(scope="session")
def poison_png() -> bytes:
    """A noisy, transparent ~45 MP PNG (33 MB): decoding it and encoding its transparent
    renditions takes 2.5 s on an idle core, well past a 1 s limit however fast the machine."""
    return smooth_noise(
        LARGE_SIZE, cell=NOISE_CELL, mode="RGBA", seed=1, format="PNG", compress_level=1
    )


def _upload_pin(http: Client, board: Board, title: str, upload: Upload) -> MediaRecord:
    """Upload through the pin builder, as a browser would; the pin's media record."""
    response = http.submit_form(
        "/pin-builder/", {"board": str(board.pk), "title": title}, files={"image": upload}
    )
    landed = (response.status, response.path)
    assert landed == (200, board.get_absolute_url()), parse_page(response.text).errors
    return Pin.objects.select_related("media").get(board=board, title=title).media


def _small_upload(name: str) -> Upload:
    return Upload(f"{name}.jpg", "image/jpeg", unique_jpeg())


def _status(media: MediaRecord) -> str:
    return MediaRecord.objects.values_list("status", flat=True).get(pk=media.pk)


def _wait_for_status(
    worker: ManagedProcess, media: list[MediaRecord], statuses: set[str]
) -> list[MediaRecord]:
    """Wait until every record has one of `statuses`; fail past the deadline or if the worker
    exits. The records, fresh from the database."""
    worker.wait_until(
        lambda: all(_status(record) in statuses for record in media),
        timeout=DEADLINE_SECONDS,
        what=f"status {' or '.join(sorted(statuses))} for {', '.join(map(str, media))}",
        interval=0.05,
    )
    for record in media:
        record.refresh_from_db()
    return media


def _part_files() -> list[Path]:
    roots = [Path(settings.MEDIA_ROOT), Path(settings.ORIGINALS_ROOT)]
    return [path for root in roots for path in root.rglob("*.part")]


def _assert_rendered_once(media: MediaRecord) -> None:
    """Ready, with exactly one row per (name, format), each with its whole file in MEDIA_ROOT."""
    assert media.status == MediaRecord.Status.READY, (str(media), media.error)
    renditions = list(media.renditions.all())
    keys = [(r.name, r.format) for r in renditions]
    assert keys, f"{media} is ready without renditions"
    assert len(keys) == len(set(keys)), f"duplicate renditions: {sorted(keys)}"
    for rendition in renditions:
        path = Path(settings.MEDIA_ROOT) / rendition.file.name
        assert path.is_file(), f"{rendition} has no file at {path}"
        assert path.stat().st_size == rendition.bytes, f"{rendition}: partial file at {path}"


def _task_ids(log: str, event: str) -> list[str]:
    """Ids of process_media_task on the worker log's `event` lines (received, succeeded)."""
    return re.findall(r"process_media_task\[([0-9a-f-]+)\] " + event, log)


def test_media_whose_pool_child_is_killed_mid_task_is_redelivered_and_rendered_once(
    site, start_worker, process_env, large_png
):
    worker = start_worker(process_env, concurrency=1)
    user = UserFactory()
    board = BoardFactory(owner=user)
    http = site.client().sign_in(user.username, PASSWORD)

    media = _upload_pin(http, board, "Noise", Upload("noise.png", "image/png", large_png))
    _wait_for_status(worker, [media], {MediaRecord.Status.PROCESSING})
    children = child_pids(worker.pid)
    assert len(children) == 1, f"a --concurrency 1 worker with pool children {children}"
    os.kill(children[0], signal.SIGKILL)
    [media] = _wait_for_status(worker, [media], FINISHED)

    _assert_rendered_once(media)
    assert media.attempts >= 2, "the killed attempt was not counted"
    assert _part_files() == []
    log = worker.log()
    assert "WorkerLostError" in log, "the child was not running the task when it was killed"
    # Delivered, delivered again after the kill, and carried through to the end once.
    [task_id] = set(_task_ids(log, "received"))
    assert _task_ids(log, "received").count(task_id) == 2
    assert _task_ids(log, "succeeded").count(task_id) == 1


def test_upload_while_the_broker_is_down_answers_at_once_and_is_finished_after_it_returns(
    private_redis, start_site, start_worker, process_env
):
    env = {**process_env, "REDIS_URL": private_redis.url, "MEDIA_STUCK_AFTER_SECONDS": "10"}
    site = start_site(env)
    worker = start_worker(env, concurrency=1)
    user = UserFactory()
    board = BoardFactory(owner=user)
    http = Client(site.base_url, timeout=UPLOAD_BUDGET_SECONDS + 3).sign_in(user.username, PASSWORD)

    private_redis.process.kill()
    started = time.monotonic()
    during = _upload_pin(http, board, "During the outage", _small_upload("during"))
    # Getting the form and following the redirect to the board count against the budget too.
    elapsed = time.monotonic() - started
    assert elapsed < UPLOAD_BUDGET_SECONDS, f"the upload took {elapsed:.2f} s with no broker"
    assert _status(during) == MediaRecord.Status.QUEUED

    private_redis.process.start()
    after = _upload_pin(http, board, "After the outage", _small_upload("after"))
    # The sweeper takes what has waited MEDIA_STUCK_AFTER_SECONDS; skip the wait.
    MediaRecord.objects.filter(pk=during.pk).update(
        updated_at=timezone.now() - timedelta(minutes=5)
    )
    run(
        ["-m", "celery", "-A", "catalog", "call", "media_pipeline.tasks.sweep_stuck_media_task"],
        env=env,
        timeout=30,
    )
    during, after = _wait_for_status(worker, [during, after], FINISHED)

    _assert_rendered_once(during)
    _assert_rendered_once(after)
    assert _part_files() == []
    # The worker saw the outage and reconnected by itself: it is still the process started above.
    assert "Connection to broker lost" in worker.log()
    assert worker.is_running()


def test_image_that_always_times_out_fails_after_bounded_attempts_while_others_flow(
    start_site, start_worker, process_env, poison_png
):
    # Time limits travel in the message, set by whoever enqueues it: gunicorn needs the limit too.
    env = {
        **process_env,
        "CELERY_TASK_SOFT_TIME_LIMIT": "1",
        "MEDIA_MAX_ATTEMPTS": "3",
        "MEDIA_MAX_UPLOAD_BYTES": str(64 * 1024 * 1024),
    }
    site = start_site(env)
    worker = start_worker(env, concurrency=1)
    user = UserFactory()
    board = BoardFactory(owner=user)
    http = site.client().sign_in(user.username, PASSWORD)

    poison = _upload_pin(http, board, "Poison", Upload("poison.png", "image/png", poison_png))
    _wait_for_status(worker, [poison], {MediaRecord.Status.PROCESSING})
    others = [_upload_pin(http, board, f"Small {n}", _small_upload(f"small-{n}")) for n in range(3)]
    others = _wait_for_status(worker, others, FINISHED)
    for media in others:
        _assert_rendered_once(media)

    deadline = time.monotonic() + DEADLINE_SECONDS
    while _status(poison) not in FINISHED and time.monotonic() < deadline:
        time.sleep(0.1)
    poison.refresh_from_db()
    assert "Soft time limit (1s) exceeded" in worker.log(), "the poison never hit the limit"
    assert poison.status == MediaRecord.Status.FAILED, (
        f"the poison is {poison.status} after {poison.attempts} attempt(s) "
        f"and {DEADLINE_SECONDS:g} s more"
    )
    assert poison.error
    assert 1 <= poison.attempts <= 3
    assert _part_files() == []
