from django.conf import settings
from django.core.validators import ProhibitNullCharactersValidator
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse

no_nul = ProhibitNullCharactersValidator()


class BoardQuerySet(models.QuerySet):
    """Boards that can come with their cover pins (`with_covers()`), attached once the boards are
    fetched: each board's newest pins are found by index, however many pins it holds, where a
    prefetch would number every pin of every board to keep the first four."""

    _with_covers = False

    def with_covers(self) -> "BoardQuerySet":
        clone = self._chain()
        clone._with_covers = True
        return clone

    def _clone(self):
        clone = super()._clone()
        clone._with_covers = self._with_covers
        return clone

    def _fetch_all(self) -> None:
        fetching = self._result_cache is None
        super()._fetch_all()
        if fetching and self._with_covers and self._iterable_class is models.query.ModelIterable:
            from boards.selectors import attach_covers  # selectors import this module

            attach_covers(self._result_cache)


class Board(models.Model):
    class Privacy(models.TextChoices):
        PUBLIC = "PUBLIC", "Public"
        SECRET = "SECRET", "Secret"

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="boards"
    )
    name = models.CharField(max_length=180, validators=[no_nul])
    slug = models.SlugField(max_length=200, allow_unicode=True)
    description = models.CharField(max_length=500, blank=True, validators=[no_nul])
    privacy = models.CharField(max_length=6, choices=Privacy, default=Privacy.PUBLIC)
    created_at = models.DateTimeField(auto_now_add=True)
    pins_modified_at = models.DateTimeField(null=True, blank=True)
    # Kept by follows.services with F() updates in the follow's own transaction.
    follower_count = models.PositiveIntegerField(default=0)
    # Kept by pins/services.py in the transaction that adds, moves or deletes a pin, so pages and
    # the API show it without counting a board's pins (thousands on a popular board).
    pin_count = models.PositiveIntegerField(default=0)

    objects = BoardQuerySet.as_manager()

    class Meta:
        constraints = [
            # Serves the board page lookup: WHERE owner_id = ? AND slug = ?
            models.UniqueConstraint(fields=["owner", "slug"], name="board_owner_slug_unique"),
            models.UniqueConstraint("owner", Lower("name"), name="board_owner_name_ci_unique"),
            models.CheckConstraint(
                condition=models.Q(privacy__in=["PUBLIC", "SECRET"]), name="board_privacy_valid"
            ),
            models.CheckConstraint(condition=~models.Q(slug=""), name="board_slug_not_empty"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("board_detail", args=[self.owner.username, self.slug])

    @property
    def is_secret(self) -> bool:
        return self.privacy == self.Privacy.SECRET


class BoardSection(models.Model):
    board = models.ForeignKey(Board, on_delete=models.CASCADE, related_name="sections")
    name = models.CharField(max_length=180, validators=[no_nul])
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint("board", Lower("name"), name="section_board_name_ci_unique"),
        ]
        indexes = [
            # Serves the section list of a board page: WHERE board_id = ? ORDER BY position, id
            models.Index(fields=["board", "position", "id"], name="section_board_position_idx"),
        ]

    def __str__(self) -> str:
        return self.name
