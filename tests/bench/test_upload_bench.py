"""The pure parts of `make bench-upload` (bench/upload.py): photos, figures and the table."""

import hashlib
import io
import os
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from bench import upload
from bench.upload import MediaOutcome, UploadResult
from media_pipeline import imaging


def _pixels(jpeg: bytes) -> np.ndarray:
    with Image.open(io.BytesIO(jpeg)) as image:
        return np.asarray(image.convert("RGB"))


def test_a_generated_photo_is_the_same_jpeg_every_time():
    first = upload.generated_photo(640, 480, seed=3)
    assert upload.generated_photo(640, 480, seed=3) == first
    assert upload.generated_photo(640, 480, seed=4) != first
    with Image.open(io.BytesIO(first)) as image:
        assert (image.format, image.size) == ("JPEG", (640, 480))


def test_a_generated_photo_weighs_what_a_camera_photo_does():
    # Phones and cameras save about 0.2-0.5 bytes per pixel at quality 90 or so; flat synthetic
    # images compress far better, which would make uploads and decodes unrealistically cheap.
    jpeg = upload.generated_photo(1600, 1200, seed=1)
    assert 0.2 < len(jpeg) / (1600 * 1200) < 0.5


def test_camera_exif_gives_each_upload_its_own_bytes_and_keeps_the_pixels():
    photo = upload.generated_photo(320, 240, seed=1)
    first = upload.with_camera_exif(photo, unique_id="a" * 32)
    second = upload.with_camera_exif(photo, unique_id="b" * 32)
    assert hashlib.sha256(first).digest() != hashlib.sha256(second).digest()
    assert np.array_equal(_pixels(first), _pixels(photo))
    assert np.array_equal(_pixels(second), _pixels(photo))


def test_camera_exif_replaces_the_block_a_photo_had():
    once = upload.with_camera_exif(upload.generated_photo(320, 240, 1), unique_id="a" * 32)
    twice = upload.with_camera_exif(once, unique_id="b" * 32, orientation=upload.PORTRAIT)
    assert twice.count(b"Exif\x00\x00") == 1
    with Image.open(io.BytesIO(twice)) as image:
        exif = image.getexif()
    assert exif[upload.TAG_ORIENTATION] == upload.PORTRAIT
    assert exif.get_ifd(upload.EXIF_IFD)[upload.TAG_IMAGE_UNIQUE_ID] == "b" * 32


def test_the_app_reads_a_portrait_photo_as_a_camera_stores_it():
    photo = upload.with_camera_exif(
        upload.generated_photo(400, 300, 1), unique_id="c" * 32, orientation=upload.PORTRAIT
    )
    assert imaging.upright_size(photo) == (300, 400)


def test_upload_ids_differ_per_upload_and_fit_exif():
    ids = {upload.upload_id(r, c, i) for r in (1, 2) for c in range(8) for i in range(16)}
    assert len(ids) == 2 * 8 * 16
    assert all(len(i) == 32 for i in ids)


def test_every_client_sends_every_photo_starting_from_a_different_one():
    plan = upload.upload_plan(photos=["p"] * 4, clients=3, per_client=6)
    assert [len(sent) for sent in plan] == [6, 6, 6]
    assert [sent[0] for sent in plan] == [0, 1, 2]
    assert all(set(sent) == {0, 1, 2, 3} for sent in plan)


@pytest.mark.parametrize("fraction", [0.0, 0.5, 0.9, 0.99, 1.0])
def test_percentiles_interpolate_as_numpy_does(fraction):
    values = [0.31, 0.05, 1.7, 0.42, 0.9, 0.11, 2.5]
    assert upload.percentile(values, fraction) == pytest.approx(
        np.percentile(values, fraction * 100)
    )


def test_percentiles_of_nothing_are_none_and_of_one_value_that_value():
    assert upload.percentile([], 0.5) is None
    assert upload.percentile([0.25], 0.99) == 0.25


def _upload(client: int, started_at: float, seconds: float, status: int | None, pin: int | None):
    return UploadResult(client, "photo.jpg", started_at, seconds, status, pin)


def test_a_round_counts_rates_from_the_first_upload_and_every_kind_of_error():
    uploads = [
        _upload(0, 100.0, 0.5, 201, 1),
        _upload(1, 100.0, 1.0, 201, 2),
        _upload(0, 100.5, 1.5, 201, 3),
        _upload(1, 101.0, 0.2, 201, 4),
        _upload(0, 102.0, 0.3, 500, None),
        _upload(1, 101.2, 30.0, None, None),
    ]
    outcomes = {
        1: MediaOutcome("ready", 103.0, 14),
        2: MediaOutcome("ready", 104.0, 14),
        3: MediaOutcome("failed", 104.5, 0),
        4: MediaOutcome("processing", None, 0),
    }
    figures = upload.summarise_round(uploads, outcomes, [0.3, 0.4], planned=8)

    assert figures["accepted"] == 4
    assert figures["accepted_per_second"] == pytest.approx(4 / 2.0)  # last 201 answered at 102
    assert figures["to_succeeded_p50_s"] == pytest.approx(3.5)  # 3 s and 4 s
    assert figures["renditions_per_second"] == pytest.approx(28 / 4.0)
    assert figures["drain_s"] == pytest.approx(2.0)
    assert figures["errors"] == {
        "HTTP 500": 1,
        "no answer": 1,
        "media failed": 1,
        "not finished": 1,
        "not sent in time": 2,
    }


def test_the_table_is_markdown_with_figures_aligned_right():
    lines = upload.markdown_table(["workers", "uploads/s"], [["1", "7.5"], ["2", "12.25"]])
    assert lines == [
        "| workers | uploads/s |",
        "| ------- | --------: |",
        "| 1       |       7.5 |",
        "| 2       |     12.25 |",
    ]


def test_a_round_without_figures_shows_n_a_rather_than_failing():
    figures = upload.summarise_round([], {}, [], planned=0)
    idle = {"sum_mb": 0.0, "max_child_mb": 0.0, "cpu_s": 0.0}
    usage = {"worker": idle, "web": idle}
    (row,) = upload.table_rows([{"concurrency": 1, "figures": figures, "usage": usage}])
    assert row[:4] == ["1", "0/0", "n/a", "n/a"]
    assert row[upload.TABLE_HEADER.index("CPU per upload (gunicorn / worker)")] == "n/a / n/a"


def test_a_process_tree_counts_the_cpu_time_of_its_children():
    busy = "import time\nend = time.process_time() + 0.5\nwhile time.process_time() < end: pass"
    before = upload.tree_cpu_seconds(os.getpid())
    subprocess.run([sys.executable, "-c", busy], check=True)
    # This process only waited; the child's time counts in its total once the child is reaped.
    assert upload.tree_cpu_seconds(os.getpid()) - before >= 0.45


def test_the_processes_get_no_setting_from_the_shell(monkeypatch, tmp_path):
    monkeypatch.setenv("MEDIA_AVIF", "true")
    monkeypatch.setenv("API_RATE_UPLOAD", "1/minute")
    env = upload.service_env(
        database="postgres://db/x", redis_url="redis://r:6379/14", var_dir=tmp_path, secret_key="k"
    )
    assert "MEDIA_AVIF" not in env
    assert env["API_RATE_UPLOAD"] == env["API_RATE_WRITE"] == upload.UNTHROTTLED
    assert env["DEBUG"] == "false"
