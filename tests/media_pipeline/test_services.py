import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from media_pipeline.models import MediaRecord, Rendition
from media_pipeline.services import (
    MediaStorageFull,
    media_create,
    media_process,
    media_reprocess,
    media_sweep_stuck,
)
from tests.factories import unique_jpeg
from tests.images import jpeg_bytes

pytestmark = pytest.mark.django_db


def files_under(root: Path) -> list[Path]:
    return sorted(path for path in root.rglob("*") if path.is_file())


def test_an_upload_is_kept_privately_and_queued(
    user, media_storage, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        media = media_create(owner=user, upload=SimpleUploadedFile("a.jpg", jpeg_bytes(300, 200)))
    assert (media.status, media.format, media.width, media.height) == ("queued", "JPEG", 300, 200)
    assert len(callbacks) == 1
    assert files_under(media_storage / "originals") != []
    assert files_under(media_storage / "media") == []


def test_processing_records_every_rendition_and_the_media_facts(user, media_storage):
    media = media_create(owner=user, upload=jpeg_bytes(1000, 800))
    media_process(media_id=media.pk)
    media.refresh_from_db()
    assert media.status == "ready" and media.attempts == 1
    assert media.dominant_color.startswith("#") and len(media.dominant_color) == 7
    assert media.placeholder.startswith("data:image/webp;base64,")
    assert media.phash is not None and -(2**63) <= media.phash < 2**63
    made = {(r.name, r.format): (r.width, r.height) for r in media.renditions.all()}
    assert made[("236x", "JPEG")] == made[("236x", "WEBP")] == (236, 189)
    assert made[("1200x", "JPEG")] == (1000, 800)
    assert made[("150x150", "WEBP")] == (150, 150)
    assert len(made) == 14
    for rendition in media.renditions.all():
        path = media_storage / "media" / rendition.file.name
        assert Image.open(path).size == (rendition.width, rendition.height)
        assert path.stat().st_size == rendition.bytes
        assert re.fullmatch(
            rf"{rendition.name}/[0-9a-f]{{2}}/[0-9a-f]{{2}}/[0-9a-f]{{2}}/[0-9a-f]{{64}}\.(jpg|webp)",
            rendition.file.name,
        )


def test_width_and_height_become_the_upright_ones(user):
    exif = Image.Exif()
    exif[0x0112] = 6
    media = media_create(owner=user, upload=jpeg_bytes(400, 200, exif=exif.tobytes()))
    assert (media.width, media.height) == (200, 400)
    media_process(media_id=media.pk)
    media.refresh_from_db()
    assert (media.width, media.height) == (200, 400)
    assert (media.grid_rendition.width, media.grid_rendition.height) == (200, 400)


def test_reprocessing_a_ready_record_makes_the_same_files(user, media_storage):
    media = media_create(owner=user, upload=jpeg_bytes(640, 480))
    media_process(media_id=media.pk)
    before = sorted(Rendition.objects.values_list("name", "format", "file"))
    reprocessed = media_reprocess(media_id=media.pk)
    assert reprocessed.status == "ready" and reprocessed.attempts == 1
    assert sorted(Rendition.objects.values_list("name", "format", "file")) == before


def test_processing_again_changes_nothing(user, media_storage):
    media = media_create(owner=user, upload=jpeg_bytes(500, 500))
    media_process(media_id=media.pk)
    # Ordered: rows rewritten in place may come back from PostgreSQL in another order.
    renditions = Rendition.objects.order_by("id").values_list("id", "file")
    before = (list(renditions), files_under(media_storage))
    MediaRecord.objects.filter(pk=media.pk).update(status="queued")
    media_process(media_id=media.pk)
    after = (list(renditions), files_under(media_storage))
    assert after == before
    assert not any(path.suffix == ".part" for path in files_under(media_storage))


def test_the_same_bytes_from_the_same_owner_share_one_record(user, other_user):
    data = unique_jpeg()
    first = media_create(owner=user, upload=data)
    again = media_create(owner=user, upload=data)
    someone_else = media_create(owner=other_user, upload=data)
    assert again.pk == first.pk
    assert someone_else.pk != first.pk


def test_a_refused_upload_stores_nothing_and_queues_nothing(
    user, media_storage, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks() as callbacks,
        pytest.raises(ValidationError) as caught,
    ):
        media_create(owner=user, upload=SimpleUploadedFile("notes.jpg", b"plain text, not a photo"))
    assert "not an image" in caught.value.messages[0]
    assert MediaRecord.objects.count() == 0
    assert files_under(media_storage) == []
    assert callbacks == []


def test_a_truncated_upload_is_refused_before_anything_is_stored(user, media_storage):
    data = jpeg_bytes(600, 600)
    with pytest.raises(ValidationError, match="JPEG file is damaged or incomplete"):
        media_create(owner=user, upload=data[: len(data) // 3])
    assert MediaRecord.objects.count() == 0 and files_under(media_storage) == []


def test_an_original_that_no_longer_decodes_ends_failed_with_a_message(user, media_storage):
    data = jpeg_bytes(600, 600)
    media = media_create(owner=user, upload=data)
    (media_storage / "originals" / media.original.name).write_bytes(data[: len(data) // 3])
    media_process(media_id=media.pk)
    media.refresh_from_db()
    assert media.status == "failed"
    assert "could not be decoded" in media.error
    assert media.renditions.count() == 0


def test_a_record_whose_attempts_ran_out_is_failed_not_retried(user, settings):
    settings.MEDIA_MAX_ATTEMPTS = 2
    media = media_create(owner=user, upload=unique_jpeg())
    MediaRecord.objects.filter(pk=media.pk).update(status="processing", attempts=2)
    media_process(media_id=media.pk)
    media.refresh_from_db()
    assert (media.status, media.error) == ("failed", "gave up after 2 attempts")


def test_processing_a_deleted_record_returns_quietly():
    media_process(media_id=987654321)


def test_the_sweeper_finishes_media_stuck_in_the_queue(user, settings):
    settings.MEDIA_STUCK_AFTER_SECONDS = 60
    stuck = media_create(owner=user, upload=unique_jpeg())
    fresh = media_create(owner=user, upload=unique_jpeg())
    MediaRecord.objects.filter(pk=stuck.pk).update(updated_at=timezone.now() - timedelta(minutes=5))
    assert media_sweep_stuck() == [stuck.pk]
    stuck.refresh_from_db()
    fresh.refresh_from_db()
    assert (stuck.status, fresh.status) == ("ready", "queued")


def test_avif_renditions_follow_when_the_setting_is_on(
    user, settings, django_capture_on_commit_callbacks
):
    settings.MEDIA_AVIF = True
    media = media_create(owner=user, upload=jpeg_bytes(800, 600))
    with django_capture_on_commit_callbacks(execute=True):
        media_process(media_id=media.pk)
    avif = {(r.name, r.width, r.height) for r in media.renditions.filter(format="AVIF")}
    assert ("736x", 736, 552) in avif and len(avif) == 7
    media_process(media_id=media.pk)  # already ready: nothing more happens
    assert media.renditions.count() == 21


def test_no_avif_is_made_when_the_setting_is_off(user, django_capture_on_commit_callbacks):
    media = media_create(owner=user, upload=jpeg_bytes(300, 200))
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        media_process(media_id=media.pk)
    assert callbacks == [] and not media.renditions.filter(format="AVIF").exists()


def test_renditions_that_do_not_fit_leave_the_media_queued_without_spending_an_attempt(
    user, small_disk
):
    media = media_create(owner=user, upload=jpeg_bytes(800, 600))
    with pytest.raises(MediaStorageFull):
        media_process(media_id=media.pk)
    media.refresh_from_db()
    assert (media.status, media.attempts) == ("queued", 0)
    assert "No space left on device" in media.error
    assert media.renditions.count() == 0
    assert small_disk.used > 0, "the disk filled up before the first rendition"


def test_media_that_waited_for_space_is_finished_once_there_is_room(user, small_disk):
    media = media_create(owner=user, upload=jpeg_bytes(800, 600))
    with pytest.raises(MediaStorageFull):
        media_process(media_id=media.pk)
    small_disk.capacity = 10 * 1024 * 1024
    media_process(media_id=media.pk)
    media.refresh_from_db()
    assert (media.status, media.attempts, media.error) == ("ready", 1, "")
    assert media.renditions.count() == 14
    for rendition in media.renditions.all():
        with small_disk.open(rendition.file.name) as handle:
            assert len(handle.read()) == rendition.bytes
