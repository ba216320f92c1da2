import hashlib
import logging
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from media_pipeline import imaging
from media_pipeline.models import MediaRecord, Rendition
from media_pipeline.storage import (
    content_path,
    originals_storage,
    renditions_storage,
    save_immutable,
)

logger = logging.getLogger(__name__)

# The grid's width for cards, and the detail page's large image.
RENDITION_WIDTHS = {"236x": 236, "736x": 736}


class TransientMediaError(Exception):
    """Processing failed for a reason that may pass (storage hiccup): worth retrying."""


def _read_upload(upload: UploadedFile | bytes) -> bytes:
    if isinstance(upload, bytes):
        return upload
    # Read one byte past the limit so an oversized file is refused without holding all of it.
    upload.seek(0)
    return upload.read(settings.MEDIA_MAX_UPLOAD_BYTES + 1)


def media_create(*, owner: User, upload: UploadedFile | bytes) -> MediaRecord:
    """Accept an upload: check it from its header, keep the original privately, queue processing.

    Raises ValidationError with a message fit for the uploader when the bytes are refused; then
    nothing is stored and nothing is queued. The same bytes from the same owner return the
    existing record.
    """
    data = _read_upload(upload)
    try:
        info = imaging.inspect_image(
            data,
            max_bytes=settings.MEDIA_MAX_UPLOAD_BYTES,
            max_pixels=settings.MEDIA_MAX_PIXELS,
        )
    except imaging.ImageRejected as exc:
        raise ValidationError(str(exc), code="image_rejected") from None
    sha256 = hashlib.sha256(data).hexdigest()
    existing = MediaRecord.objects.filter(owner=owner, sha256=sha256).first()
    if existing is not None:
        return existing
    extension = {"JPEG": "jpg", "PNG": "png", "GIF": "gif", "WEBP": "webp"}[info.format]
    original_name = save_immutable(originals_storage(), content_path("o", data, extension), data)
    try:
        with transaction.atomic():
            media = MediaRecord.objects.create(
                owner=owner,
                original=original_name,
                sha256=sha256,
                format=info.format,
                width=info.width,
                height=info.height,
            )
    except IntegrityError:
        # A concurrent upload of the same bytes won the race: share its record.
        return MediaRecord.objects.get(owner=owner, sha256=sha256)
    media_id = media.pk
    transaction.on_commit(lambda: media_enqueue(media_id=media_id))
    return media


def media_enqueue(*, media_id: int) -> None:
    """Hand the media to the worker; if the broker is down, the sweeper will retry later."""
    from media_pipeline.tasks import process_media_task

    try:
        process_media_task.delay(media_id)
    except Exception:  # the upload has committed; a broker outage must not fail the request
        logger.warning(
            "could not enqueue media %s; the sweeper will retry", media_id, exc_info=True
        )


def _claim(media_id: int) -> MediaRecord | None:
    with transaction.atomic():
        media = MediaRecord.objects.select_for_update().filter(pk=media_id).first()
        if media is None or media.status in {MediaRecord.Status.READY, MediaRecord.Status.FAILED}:
            return None
        if media.attempts >= settings.MEDIA_MAX_ATTEMPTS:
            # Earlier attempts died without reporting (killed worker): stop trying this image.
            media.status = MediaRecord.Status.FAILED
            media.error = f"gave up after {media.attempts} attempts"
            media.save(update_fields=["status", "error", "updated_at"])
            return None
        media.status = MediaRecord.Status.PROCESSING
        media.attempts += 1
        media.save(update_fields=["status", "attempts", "updated_at"])
        return media


def media_process(*, media_id: int) -> None:
    """Make every rendition of one media record; safe to run again for the same id."""
    media = _claim(media_id)
    if media is None:
        return
    try:
        with originals_storage().open(media.original.name, "rb") as handle:
            data = handle.read()
    except OSError as exc:
        raise TransientMediaError(f"original unreadable: {exc}") from exc
    try:
        image = imaging.decode_upright(data)
        outputs = {
            name: imaging.render_width(image, width) for name, width in RENDITION_WIDTHS.items()
        }
        color = imaging.dominant_color(image)
    except imaging.ImageRejected as exc:
        media_fail(media_id=media.pk, error=str(exc))
        return
    storage = renditions_storage()
    try:
        files = {
            name: save_immutable(storage, content_path(name, out.data, out.extension), out.data)
            for name, out in outputs.items()
        }
    except OSError as exc:
        raise TransientMediaError(f"could not write renditions: {exc}") from exc
    with transaction.atomic():
        for name, out in outputs.items():
            Rendition.objects.update_or_create(
                media=media,
                name=name,
                format=out.format,
                defaults={
                    "width": out.width,
                    "height": out.height,
                    "file": files[name],
                    "bytes": len(out.data),
                },
            )
        MediaRecord.objects.filter(pk=media.pk).update(
            status=MediaRecord.Status.READY,
            dominant_color=color,
            error="",
            updated_at=timezone.now(),
        )


def media_fail(*, media_id: int, error: str) -> None:
    MediaRecord.objects.filter(pk=media_id).exclude(status=MediaRecord.Status.READY).update(
        status=MediaRecord.Status.FAILED, error=error[:500], updated_at=timezone.now()
    )


def media_sweep_stuck() -> list[int]:
    """Re-enqueue media left queued or processing too long (broker outage, lost worker)."""
    cutoff = timezone.now() - timedelta(seconds=settings.MEDIA_STUCK_AFTER_SECONDS)
    stuck = list(
        MediaRecord.objects.filter(
            status__in=[MediaRecord.Status.QUEUED, MediaRecord.Status.PROCESSING],
            updated_at__lt=cutoff,
        ).values_list("pk", flat=True)[:1000]
    )
    for media_id in stuck:
        media_enqueue(media_id=media_id)
    return stuck
