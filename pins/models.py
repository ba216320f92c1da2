from urllib.parse import urlsplit

from django.conf import settings
from django.core.validators import ProhibitNullCharactersValidator, URLValidator
from django.db import models
from django.urls import reverse

from boards.models import Board, BoardSection
from media_pipeline.models import MediaRecord

http_url = URLValidator(schemes=["http", "https"])
no_nul = ProhibitNullCharactersValidator()


class Pin(models.Model):
    board = models.ForeignKey(Board, on_delete=models.CASCADE, related_name="pins")
    section = models.ForeignKey(
        BoardSection, on_delete=models.SET_NULL, null=True, blank=True, related_name="pins"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="pins"
    )
    parent_pin = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="saves"
    )
    media = models.ForeignKey(MediaRecord, on_delete=models.PROTECT, related_name="pins")
    title = models.CharField(max_length=100, blank=True, validators=[no_nul])
    description = models.CharField(max_length=800, blank=True, validators=[no_nul])
    link = models.CharField(max_length=2048, blank=True, validators=[http_url, no_nul])
    alt_text = models.CharField(max_length=500, blank=True, validators=[no_nul])
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(link="")
                | models.Q(link__startswith="http://")
                | models.Q(link__startswith="https://"),
                name="pin_link_http",
            ),
            # Saving the same pin to the same board twice yields the first save, not a copy.
            models.UniqueConstraint(
                fields=["board", "parent_pin"],
                condition=models.Q(parent_pin__isnull=False),
                name="pin_board_parent_unique",
            ),
        ]
        # The home grid pages newest first by keyset on the primary key (WHERE id < ? ORDER BY
        # id DESC), which its own index serves; ids grow with created_at.
        indexes = [
            # Serves a board page, newest first: WHERE board_id = ? ORDER BY id DESC
            models.Index(fields=["board", "-id"], name="pin_board_newest_idx"),
            # Serves a user's own pins, newest first: WHERE owner_id = ? ORDER BY id DESC; and,
            # from the index alone on PostgreSQL, the near-duplicate lookup over an owner's images
            # and boards (pins.selectors.pin_duplicate_of).
            models.Index(
                fields=["owner", "-id"], include=["media", "board"], name="pin_owner_newest_idx"
            ),
        ]

    def __str__(self) -> str:
        return self.title or f"Pin {self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("pin_detail", args=[self.pk])

    @property
    def link_domain(self) -> str:
        """The link's host without a leading "www.", as cards show it."""
        host = urlsplit(self.link).hostname if self.link else None
        return (host or "").removeprefix("www.")
