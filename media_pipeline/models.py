from django.conf import settings
from django.core.files.storage import storages
from django.db import models


def _originals_storage():  # a callable keeps the storage choice out of migrations
    return storages["originals"]


GRID_WIDTHS = ("236x", "474x", "736x")
DETAIL_WIDTHS = ("736x", "1200x")


class MediaRecord(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        PROCESSING = "processing", "Processing"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    class Format(models.TextChoices):
        JPEG = "JPEG", "JPEG"
        PNG = "PNG", "PNG"
        GIF = "GIF", "GIF"
        WEBP = "WEBP", "WebP"

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="media"
    )
    # Kept private, as uploaded: renditions are what the world sees. Empty until a media
    # created from a URL has been fetched by the worker.
    original = models.FileField(storage=_originals_storage, max_length=255, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    source_url = models.CharField(max_length=2048, blank=True)
    format = models.CharField(max_length=4, choices=Format, blank=True)
    # Upright pixel size; 0 until known (a URL not fetched yet).
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=10, choices=Status, default=Status.QUEUED)
    error = models.CharField(max_length=500, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    dominant_color = models.CharField(max_length=7, blank=True)
    # A ~16 px WebP preview as a data: URI, shown blurred until the rendition loads.
    placeholder = models.TextField(blank=True)
    # 64-bit DCT perceptual hash, stored signed to fit a bigint; near duplicates differ in few bits.
    phash = models.BigIntegerField(null=True, blank=True)
    # The dominant colour in OKLab, a perceptual space: equal distances look equally different,
    # so colour search ranks by how close a pin looks rather than by RGB arithmetic.
    color_l = models.FloatField(null=True, blank=True)
    color_a = models.FloatField(null=True, blank=True)
    color_b = models.FloatField(null=True, blank=True)
    has_alpha = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            # The same bytes from the same owner reuse one record and one set of files.
            models.UniqueConstraint(
                fields=["owner", "sha256"],
                condition=~models.Q(sha256=""),
                name="media_owner_sha256_unique",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=["queued", "processing", "ready", "failed"]),
                name="media_status_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(width__gt=0, height__gt=0) | ~models.Q(status="ready"),
                name="media_ready_has_dimensions",
            ),
            models.CheckConstraint(
                condition=~models.Q(original="") | ~models.Q(source_url=""),
                name="media_has_original_or_source_url",
            ),
        ]
        indexes = [
            # Serves the sweeper: WHERE status IN ('queued', 'processing') AND updated_at < ?
            models.Index(
                fields=["updated_at"],
                condition=models.Q(status__in=["queued", "processing"]),
                name="media_unfinished_idx",
            ),
            # Serves colour search (pins.selectors.pins_near_color), the box before the exact
            # distance: WHERE color_a BETWEEN ? AND ? AND color_b BETWEEN ? AND ?
            # AND color_l BETWEEN ? AND ?; a and b (the hue) narrow the most, so they lead.
            models.Index(fields=["color_a", "color_b", "color_l"], name="media_oklab_idx"),
            # Serves the near-duplicate lookup from the index alone (PostgreSQL): an owner's
            # images by id, with the hash and colour it compares (pins.selectors.pin_duplicate_of).
            models.Index(
                fields=["id"],
                include=["phash", "color_l", "color_a", "color_b"],
                name="media_looks_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"media {self.pk} ({self.status})"

    @property
    def is_ready(self) -> bool:
        return self.status == self.Status.READY

    def rendition(self, name: str, format: str | None = None) -> "Rendition | None":
        """The named rendition (JPEG or PNG unless `format` says otherwise), from the
        prefetched set when the selector loaded it."""
        wanted = {format} if format else {"JPEG", "PNG"}
        return next(
            (r for r in self.renditions.all() if r.name == name and r.format in wanted), None
        )

    @property
    def grid_rendition(self) -> "Rendition | None":
        return self.rendition("236x")

    @property
    def large_rendition(self) -> "Rendition | None":
        return self.rendition("736x")

    def srcset(self, names: tuple[str, ...], format: str | None = None) -> str:
        """A srcset of the named widths, skipping duplicates where the source was smaller."""
        candidates: dict[int, str] = {}
        for name in names:
            rendition = self.rendition(name, format)
            if rendition is not None:
                candidates.setdefault(rendition.width, rendition.url)
        return ", ".join(f"{url} {width}w" for width, url in sorted(candidates.items()))

    @property
    def webp_srcset(self) -> str:
        return self.srcset(GRID_WIDTHS, "WEBP")

    @property
    def jpeg_srcset(self) -> str:
        return self.srcset(GRID_WIDTHS)

    @property
    def detail_webp_srcset(self) -> str:
        return self.srcset(DETAIL_WIDTHS, "WEBP")

    @property
    def detail_srcset(self) -> str:
        return self.srcset(DETAIL_WIDTHS)


class Rendition(models.Model):
    media = models.ForeignKey(MediaRecord, on_delete=models.CASCADE, related_name="renditions")
    name = models.CharField(max_length=16)
    format = models.CharField(max_length=4)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    file = models.FileField(max_length=255)
    bytes = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["media", "name", "format"], name="rendition_media_name_format_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}.{self.format.lower()} of media {self.media_id}"

    @property
    def url(self) -> str:
        return self.file.url
