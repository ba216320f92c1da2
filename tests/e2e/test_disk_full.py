"""The disk holding MEDIA_ROOT fills up while the worker writes renditions.

MEDIA_ROOT is a tmpfs of its own, filled until the renditions of one upload no longer fit, so the
worker's writes fail with ENOSPC part of the way through. Uploads must then wait, neither ready
nor failed, with no file half-written and no row pointing at a missing file, and be finished by
the worker's retries once space is freed: nothing is restarted, nothing re-uploaded.
"""

import ctypes
import errno
import hashlib
import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings

from boards.models import Board
from media_pipeline import imaging
from media_pipeline.models import MediaRecord
from pins.models import Pin
from tests.e2e.client import Client, Upload, parse_page
from tests.e2e.processes import ManagedProcess
from tests.factories import PASSWORD, BoardFactory, UserFactory
from tests.images import smooth_noise

pytestmark = pytest.mark.worker

TMPFS_BYTES = 8 * 1024 * 1024
DEADLINE_SECONDS = 30.0
# With two attempts per image, a full disk counted against the image would fail it at once.
MAX_ATTEMPTS = 2
UPLOADS = 2
FILLER_NAME = "filler"
_MNT_DETACH = 2
_libc = ctypes.CDLL(None, use_errno=True)


def _mount_tmpfs(target: Path, size: int) -> None:
    options = f"size={size},mode=0755".encode()
    if _libc.mount(b"tmpfs", os.fsencode(target), b"tmpfs", 0, options) != 0:
        code = ctypes.get_errno()
        raise OSError(code, os.strerror(code), str(target))


def _unmount(target: Path) -> None:
    # Detached even if something still holds a file there, so no mount outlives the test.
    if _libc.umount2(os.fsencode(target), _MNT_DETACH) != 0:
        code = ctypes.get_errno()
        raise OSError(code, os.strerror(code), str(target))


@pytest.fixture
def small_media_root(media_storage: Path) -> Iterator[Path]:
    """MEDIA_ROOT (the test's and its processes') on a tmpfs of its own, small enough to fill."""
    root = Path(settings.MEDIA_ROOT)
    assert root == media_storage / "media"
    root.mkdir(parents=True, exist_ok=True)
    try:
        _mount_tmpfs(root, TMPFS_BYTES)
    except OSError as exc:
        if exc.errno == errno.EPERM:
            pytest.skip(f"mounting a tmpfs for MEDIA_ROOT needs root (CAP_SYS_ADMIN): {exc}")
        raise
    try:
        yield root
    finally:
        _unmount(root)


def _fill(root: Path, *, leave: int) -> Path:
    """A file taking all the free space of `root`'s file system but about `leave` bytes."""
    stats = os.statvfs(root)
    filler = root / FILLER_NAME
    filler.write_bytes(b"\0" * (stats.f_bavail * stats.f_frsize - leave))
    return filler


def _noisy_jpeg(seed: int) -> bytes:
    """A JPEG with detail everywhere, so its renditions take real space."""
    return smooth_noise((640, 480), cell=4, seed=seed, format="JPEG", quality=90)


def _upload_pin(http: Client, board: Board, title: str, image: bytes) -> MediaRecord:
    response = http.submit_form(
        "/pin-builder/",
        {"board": str(board.pk), "title": title},
        files={"image": Upload(f"{title}.jpg", "image/jpeg", image)},
    )
    landed = (response.status, response.path)
    assert landed == (200, board.get_absolute_url()), parse_page(response.text).errors
    return Pin.objects.select_related("media").get(board=board, title=title).media


def _disk_full_retries(worker: ManagedProcess) -> int:
    return len(
        re.findall(r"process_media_task\[[0-9a-f-]+\] retry: .*MediaStorageFull", worker.log())
    )


def _assert_only_whole_files(root: Path) -> None:
    """Every file in MEDIA_ROOT is a whole rendition: its content-addressed name is its hash."""
    for path in root.rglob("*"):
        if path.is_dir() or path == root / FILLER_NAME:
            continue
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        assert path.stem == digest, f"partial or stray file {path.relative_to(root)}"


def _assert_rendered(media: MediaRecord, image: bytes) -> None:
    """Ready with every rendition the pipeline makes, each with its whole file."""
    assert media.status == MediaRecord.Status.READY, (str(media), media.error)
    expected = {(out.name, out.format) for out in imaging.process_image(image).renditions}
    renditions = list(media.renditions.all())
    assert sorted((r.name, r.format) for r in renditions) == sorted(expected)
    for rendition in renditions:
        path = Path(settings.MEDIA_ROOT) / rendition.file.name
        assert path.is_file(), f"{rendition} has no file at {path}"
        assert path.stat().st_size == rendition.bytes, f"{rendition}: partial file at {path}"


def test_renditions_that_meet_a_full_disk_wait_for_space_and_are_finished_once_it_is_freed(
    small_media_root, process_env, start_site, start_worker
):
    images = [_noisy_jpeg(seed) for seed in range(UPLOADS)]
    needed = max(sum(len(out.data) for out in imaging.process_image(i).renditions) for i in images)
    # Room for about half of one upload's renditions: some are written before the disk is full.
    filler = _fill(small_media_root, leave=needed // 2)
    env = {**process_env, "MEDIA_MAX_ATTEMPTS": str(MAX_ATTEMPTS)}
    site = start_site(env)
    worker = start_worker(env, concurrency=1)
    user = UserFactory()
    board = BoardFactory(owner=user)
    http = site.client().sign_in(user.username, PASSWORD)

    media = [_upload_pin(http, board, f"Noise {n}", image) for n, image in enumerate(images)]
    uploaded = MediaRecord.objects.filter(pk__in=[m.pk for m in media])
    ready = uploaded.filter(status=MediaRecord.Status.READY)
    failed = uploaded.filter(status=MediaRecord.Status.FAILED)
    # More retries than MAX_ATTEMPTS allows the uploads, had the full disk counted against them.
    worker.wait_until(
        lambda: (
            _disk_full_retries(worker) >= MAX_ATTEMPTS * UPLOADS
            or ready.exists()
            or failed.exists()
        ),
        timeout=DEADLINE_SECONDS,
        what=f"{MAX_ATTEMPTS * UPLOADS} retries after a full disk",
    )
    for record in media:
        record.refresh_from_db()
        waiting = {MediaRecord.Status.QUEUED, MediaRecord.Status.PROCESSING}
        assert record.status in waiting, (str(record), record.error)
        assert "No space left on device" in record.error
        assert list(record.renditions.all()) == []
    _assert_only_whole_files(small_media_root)

    filler.unlink()
    worker.wait_until(
        lambda: ready.count() == len(media) or failed.exists(),
        timeout=DEADLINE_SECONDS,
        what="every upload ready after space was freed",
    )
    for record, image in zip(media, images, strict=True):
        record.refresh_from_db()
        _assert_rendered(record, image)
        # The full disk cost the image none of its attempts.
        assert record.attempts == 1
    _assert_only_whole_files(small_media_root)
    assert worker.is_running()
