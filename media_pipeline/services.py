import hashlib
import logging
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import User
from media_pipeline import colors, imaging
from media_pipeline.models import MediaRecord, Rendition
from media_pipeline.storage import (
    content_path,
    is_out_of_space,
    originals_storage,
    renditions_storage,
    save_immutable,
)

logger = logging.getLogger(__name__)


class TransientMediaError(Exception):
    """Processing failed for a reason that may pass (storage hiccup): worth retrying."""


class MediaStorageFull(Exception):
    """No room left to write renditions: nothing wrong with the image, which waits for space."""


def media_limits() -> imaging.Limits:
    return imaging.Limits(
        max_bytes=settings.MEDIA_MAX_UPLOAD_BYTES,
        max_pixels=settings.MEDIA_MAX_PIXELS,
        max_side=settings.MEDIA_MAX_SIDE,
        max_frames=settings.MEDIA_MAX_FRAMES,
    )


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
    existing record (and its renditions).
    """
    data = _read_upload(upload)
    try:
        info = imaging.inspect_image(data, media_limits())
    except imaging.ImageRejected as exc:
        code = "too_large" if isinstance(exc, imaging.ImageTooLarge) else "image_rejected"
        raise ValidationError(str(exc), code=code) from None
    sha256 = hashlib.sha256(data).hexdigest()
    existing = MediaRecord.objects.filter(owner=owner, sha256=sha256).first()
    if existing is not None:
        return existing
    extension = imaging.extension_for(info.format)
    facts = _upload_facts(data)
    # Content-addressed, so a rolled-back upload leaves at most a file the next identical upload
    # reuses.
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
                **facts,
            )
    except IntegrityError:
        # A concurrent upload of the same bytes won the race: share its record.
        return MediaRecord.objects.get(owner=owner, sha256=sha256)
    media_id = media.pk
    transaction.on_commit(lambda: media_enqueue(media_id=media_id))
    return media


def _upload_facts(data: bytes) -> dict:
    """The perceptual hash and dominant colour, computed now rather than by the worker, so the
    request that creates a pin can already tell its owner about a near duplicate."""
    try:
        facts = imaging.upload_facts(data)
    except imaging.ImageRejected:
        return {}  # the worker decodes it properly and records why it fails, if it does
    return {"phash": _signed64(facts.phash), **color_fields(facts.dominant_color)}


def color_fields(dominant_color: str) -> dict:
    """`dominant_color` with its OKLab coordinates: every write of one writes the others."""
    if not dominant_color:
        return {"dominant_color": "", "color_l": None, "color_a": None, "color_b": None}
    lab = colors.hex_to_oklab(dominant_color)
    return {
        "dominant_color": dominant_color,
        "color_l": lab.l,
        "color_a": lab.a,
        "color_b": lab.b,
    }


def media_create_from_url(*, owner: User, url: str) -> MediaRecord:
    """A media record for an image the worker will fetch.

    The guarded fetch follows the URL now, headers only, so a private address, a redirect into
    private space or a missing image is refused at once with nothing stored; a site that is
    merely slow or down is left to the worker's retries. The worker checks everything again.
    """
    from media_pipeline.fetch import FetchFailed, FetchRefused, page_image_url, probe_image_url

    allowed = settings.MEDIA_FETCH_ALLOWED_NETWORKS
    try:
        answer = probe_image_url(
            url, max_bytes=settings.MEDIA_MAX_UPLOAD_BYTES, allowed_networks=allowed
        )
        if answer.content_type in {"text/html", "application/xhtml+xml"}:
            # A page rather than an image: take the image it names for sharing.
            found = page_image_url(answer.url, allowed_networks=allowed)
            if found is None:
                raise FetchRefused("that page names no image; paste the image's own URL")
            url = found
            probe_image_url(
                url, max_bytes=settings.MEDIA_MAX_UPLOAD_BYTES, allowed_networks=allowed
            )
    except FetchRefused as exc:
        raise ValidationError({"url": str(exc)}) from None
    except FetchFailed:
        logger.info("image_url %s not reachable now; the worker will retry", url)
    media = MediaRecord.objects.create(owner=owner, source_url=url)
    media_id = media.pk
    transaction.on_commit(lambda: media_enqueue(media_id=media_id))
    return media


def _fetch_original(media: MediaRecord) -> MediaRecord | None:
    """Fetch a URL media's bytes and make them its original.

    Returns the record to process: this one, or the owner's existing record for the same bytes
    (the pins move to it), or None when the URL is refused (the record is then failed).
    """
    from media_pipeline.fetch import FetchFailed, FetchRefused, fetch_image

    try:
        fetched = fetch_image(
            media.source_url,
            max_bytes=settings.MEDIA_MAX_UPLOAD_BYTES,
            allowed_networks=settings.MEDIA_FETCH_ALLOWED_NETWORKS,
        )
        info = imaging.inspect_image(fetched.data, media_limits())
    except (FetchRefused, imaging.ImageRejected) as exc:
        media_fail(media_id=media.pk, error=str(exc))
        return None
    except FetchFailed as exc:
        raise TransientMediaError(str(exc)) from exc
    data = fetched.data
    sha256 = hashlib.sha256(data).hexdigest()
    name = save_immutable(
        originals_storage(), content_path("o", data, imaging.extension_for(info.format)), data
    )
    with transaction.atomic():
        existing = (
            MediaRecord.objects.select_for_update()
            .filter(owner=media.owner_id, sha256=sha256)
            .exclude(pk=media.pk)
            .first()
        )
        if existing is not None:
            # The owner already has these bytes: share that record and its renditions.
            media.pins.update(media=existing)
            MediaRecord.objects.filter(pk=media.pk).delete()
            if existing.status != MediaRecord.Status.READY:
                transaction.on_commit(lambda: media_enqueue(media_id=existing.pk))
            return None
        MediaRecord.objects.filter(pk=media.pk).update(
            original=name, sha256=sha256, format=info.format, width=info.width, height=info.height
        )
    media.refresh_from_db()
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
            # Earlier attempts died without reporting (killed worker, hard time limit).
            media.status = MediaRecord.Status.FAILED
            media.error = f"gave up after {media.attempts} attempts"
            media.save(update_fields=["status", "error", "updated_at"])
            return None
        media.status = MediaRecord.Status.PROCESSING
        media.attempts += 1
        media.save(update_fields=["status", "attempts", "updated_at"])
        return media


def _release(media: MediaRecord, *, reason: str) -> None:
    """Queue a claimed media again, its attempt not counted: the image was not at fault."""
    MediaRecord.objects.filter(pk=media.pk, status=MediaRecord.Status.PROCESSING).update(
        status=MediaRecord.Status.QUEUED,
        attempts=F("attempts") - 1,
        error=reason[:500],
        updated_at=timezone.now(),
    )


def _read_original(media: MediaRecord) -> bytes:
    try:
        with originals_storage().open(media.original.name, "rb") as handle:
            return handle.read()
    except OSError as exc:
        raise TransientMediaError(f"original unreadable: {exc}") from exc


def _store_renditions(
    media: MediaRecord, outputs: list[imaging.EncodedImage]
) -> list[tuple[imaging.EncodedImage, str]]:
    """Write every file first; rows pointing at them are saved only once all are in place.

    When a write fails, the files written before it stay: each is whole, its content-addressed
    path may already be another media's rendition, and the retry finds it in place.
    """
    storage = renditions_storage()
    try:
        return [
            (
                out,
                save_immutable(storage, content_path(out.name, out.data, out.extension), out.data),
            )
            for out in outputs
        ]
    except OSError as exc:
        if is_out_of_space(exc):
            raise MediaStorageFull(f"no space left for renditions: {exc}") from exc
        raise TransientMediaError(f"could not write renditions: {exc}") from exc


def _record_renditions(media: MediaRecord, stored: list[tuple[imaging.EncodedImage, str]]) -> None:
    for out, name in stored:
        Rendition.objects.update_or_create(
            media=media,
            name=out.name,
            format=out.format,
            defaults={
                "width": out.width,
                "height": out.height,
                "file": name,
                "bytes": len(out.data),
            },
        )


def _signed64(value: int) -> int:
    return value - 2**64 if value >= 2**63 else value


def media_process(*, media_id: int) -> None:
    """Make every rendition of one media record; running it again yields the same rows and files.

    Raises MediaStorageFull, with the media queued again, when the renditions do not fit.
    """
    media = _claim(media_id)
    if media is None:
        return
    if not media.original:
        media = _fetch_original(media)
        if media is None:
            return
    data = _read_original(media)
    try:
        processed = imaging.process_image(data)
    except imaging.ImageRejected as exc:
        media_fail(media_id=media.pk, error=str(exc))
        return
    try:
        stored = _store_renditions(media, processed.renditions)
    except MediaStorageFull as exc:
        _release(media, reason=str(exc))
        raise
    made = {(out.name, out.format) for out in processed.renditions}
    with transaction.atomic():
        _record_renditions(media, stored)
        # Sizes that are no longer made (after a change of specs) go; AVIF has its own task.
        stale = [
            r.pk for r in media.renditions.exclude(format="AVIF") if (r.name, r.format) not in made
        ]
        Rendition.objects.filter(pk__in=stale).delete()
        MediaRecord.objects.filter(pk=media.pk).update(
            status=MediaRecord.Status.READY,
            width=processed.width,
            height=processed.height,
            has_alpha=processed.has_alpha,
            **color_fields(processed.dominant_color),
            placeholder=processed.placeholder,
            phash=_signed64(processed.phash),
            error="",
            updated_at=timezone.now(),
        )
        if settings.MEDIA_AVIF:
            transaction.on_commit(lambda: media_enqueue_avif(media_id=media.pk))


def media_enqueue_avif(*, media_id: int) -> None:
    from media_pipeline.tasks import make_avif_task

    try:
        make_avif_task.delay(media_id)
    except Exception:  # optional work: a broker outage only delays smaller files
        logger.warning("could not enqueue AVIF for media %s", media_id, exc_info=True)


def media_make_avif(*, media_id: int) -> None:
    """Add AVIF renditions to a ready media record (idempotent, like media_process)."""
    media = MediaRecord.objects.filter(pk=media_id, status=MediaRecord.Status.READY).first()
    if media is None:
        return
    try:
        outputs = imaging.encode_avif(_read_original(media))
    except imaging.ImageRejected as exc:
        logger.warning("no AVIF for media %s: %s", media_id, exc)
        return
    stored = _store_renditions(media, outputs)
    with transaction.atomic():
        _record_renditions(media, stored)


def media_fail(*, media_id: int, error: str) -> None:
    MediaRecord.objects.filter(pk=media_id).exclude(status=MediaRecord.Status.READY).update(
        status=MediaRecord.Status.FAILED, error=error[:500], updated_at=timezone.now()
    )


def media_reprocess(*, media_id: int) -> MediaRecord | None:
    """Make the renditions again from the original (after a change of sizes or encoders)."""
    updated = MediaRecord.objects.filter(pk=media_id).update(
        status=MediaRecord.Status.QUEUED, attempts=0, error="", updated_at=timezone.now()
    )
    if not updated:
        return None
    media_process(media_id=media_id)
    return MediaRecord.objects.get(pk=media_id)


def media_sweep_stuck() -> list[int]:
    """Re-enqueue media left queued or processing too long (broker outage, lost worker)."""
    cutoff = timezone.now() - timedelta(seconds=settings.MEDIA_STUCK_AFTER_SECONDS)
    stuck = list(
        MediaRecord.objects.filter(
            status__in=[MediaRecord.Status.QUEUED, MediaRecord.Status.PROCESSING],
            updated_at__lt=cutoff,
        )
        .order_by("updated_at")
        .values_list("pk", flat=True)[:1000]
    )
    for media_id in stuck:
        media_enqueue(media_id=media_id)
    return stuck
