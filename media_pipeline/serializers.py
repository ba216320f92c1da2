from collections.abc import Iterable

from django.db.models import Prefetch, prefetch_related_objects
from rest_framework import serializers
from rest_framework.request import Request

from catalog.versioned_cache import versioned_cache
from media_pipeline.imaging import RENDITIONS
from media_pipeline.models import MediaRecord, Rendition

# v5 names the lifecycle differently from our records.
V5_STATUS = {
    MediaRecord.Status.QUEUED: "registered",
    MediaRecord.Status.PROCESSING: "processing",
    MediaRecord.Status.READY: "succeeded",
    MediaRecord.Status.FAILED: "failed",
}


# A list of 25 pins would otherwise load and format some 350 rendition rows per request. A media's
# renditions change only together with its `updated_at`, so `images` is kept per version (about
# 2 KB each, some 40 MB per web process at most). Values are shared: treat them as read-only.
_images = versioned_cache(size=20_000)


def _images_key(media: MediaRecord, request: Request) -> tuple:
    return (media.pk, media.status, media.updated_at, request.scheme, request.get_host())


def load_renditions_for_images(medias: Iterable[MediaRecord], request: Request) -> None:
    """Load, in one query, the renditions of the media whose `images` are not kept yet."""
    missing = [media for media in medias if _images_key(media, request) not in _images]
    if missing:
        renditions = Rendition.objects.order_by("width")
        prefetch_related_objects(missing, Prefetch("renditions", queryset=renditions))


def media_images(media: MediaRecord, request: Request) -> dict:
    """v5 `images` keyed by size ("150x150", "600x", ...): url, real width and height (null until
    processed), plus our `webp_url`."""
    key = _images_key(media, request)
    images = _images.get(key)
    if images is None:
        images = _build_images(media, request)
        _images.put(key, images)
    return images


def _build_images(media: MediaRecord, request: Request) -> dict:
    by_key = {(r.name, r.format): r for r in media.renditions.all()}
    images = {}
    for spec in RENDITIONS:
        main = by_key.get((spec.name, "JPEG")) or by_key.get((spec.name, "PNG"))
        webp = by_key.get((spec.name, "WEBP"))
        images[spec.name] = {
            "url": request.build_absolute_uri(main.url) if main else None,
            "width": main.width if main else None,
            "height": main.height if main else None,
            "webp_url": request.build_absolute_uri(webp.url) if webp else None,
        }
    return images


class ImageSerializer(serializers.Serializer):
    url = serializers.CharField(allow_null=True)
    width = serializers.IntegerField(allow_null=True)
    height = serializers.IntegerField(allow_null=True)
    webp_url = serializers.CharField(allow_null=True)


class PinMediaSerializer(serializers.Serializer):
    media_type = serializers.CharField(default="image")
    images = serializers.DictField(child=ImageSerializer())
    status = serializers.ChoiceField(choices=list(V5_STATUS.values()))
    placeholder = serializers.CharField(allow_blank=True)
    width = serializers.IntegerField()
    height = serializers.IntegerField()


class MediaUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="A JPEG, PNG, GIF or WebP image.")


class MediaDetailsSerializer(serializers.Serializer):
    media_id = serializers.CharField()
    media_type = serializers.CharField()
    status = serializers.ChoiceField(choices=list(V5_STATUS.values()))
    message = serializers.CharField(required=False)


def media_details(media: MediaRecord) -> dict:
    details = {"media_id": str(media.pk), "media_type": "image", "status": V5_STATUS[media.status]}
    if media.status == MediaRecord.Status.FAILED:
        details["message"] = media.error or "The image could not be processed."
    return details
