import itertools

import factory
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import F

from accounts.models import User
from boards.models import Board, BoardSection
from media_pipeline.models import MediaRecord
from media_pipeline.services import media_create, media_process
from pins.models import Pin
from tests.images import jpeg_bytes

PASSWORD = "correct horse battery staple"
_colors = itertools.count(1)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save_password(self, create: bool, extracted, **kwargs) -> None:
        if create:
            self.save(update_fields=["password"])


class BoardFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Board

    owner = factory.SubFactory(UserFactory)
    name = factory.Sequence(lambda n: f"Board {n}")
    slug = factory.Sequence(lambda n: f"board-{n}")
    privacy = Board.Privacy.PUBLIC


class BoardSectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BoardSection

    board = factory.SubFactory(BoardFactory)
    name = factory.Sequence(lambda n: f"Section {n}")


def unique_jpeg(width: int = 640, height: int = 480) -> bytes:
    """A JPEG whose bytes differ from every other one made in this run (so no media is shared)."""
    n = next(_colors)
    return jpeg_bytes(width, height, color=(n * 37 % 256, n * 91 % 256, n * 13 % 256 or 1))


class MediaFactory(factory.Factory):
    """A media record made by the real pipeline: stored, checked and processed (status ready)."""

    class Meta:
        model = MediaRecord

    owner = factory.SubFactory(UserFactory)
    width = 640
    height = 480
    process = True

    @classmethod
    def _create(cls, model_class, *, owner, width, height, process):
        upload = SimpleUploadedFile("photo.jpg", unique_jpeg(width, height), "image/jpeg")
        media = media_create(owner=owner, upload=upload)
        if process:
            media_process(media_id=media.pk)
            media.refresh_from_db()
        return media


class PinFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Pin

    board = factory.SubFactory(BoardFactory)
    owner = factory.SelfAttribute("board.owner")
    media = factory.SubFactory(MediaFactory, owner=factory.SelfAttribute("..owner"))
    title = factory.Sequence(lambda n: f"Pin {n}")

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        pin = super()._create(model_class, *args, **kwargs)
        # As pins/services.py does when it adds a pin: the board's stored count follows.
        Board.objects.filter(pk=pin.board_id).update(pin_count=F("pin_count") + 1)
        return pin


# Solid colours for colour search: the palette's red, two reds near it, and two other families.
RED = "#d32f2f"
CRIMSON = (220, 20, 60)  # 0.03 from RED in OKLab
PURE_RED = (255, 0, 0)  # 0.08 from RED
BLUE = (25, 118, 210)
ORANGE = (245, 124, 0)  # 0.17 from RED: another family


def painted_pin(board: Board, rgb: tuple[int, int, int], title: str = "") -> Pin:
    """A pin whose picture is one solid colour, processed by the real pipeline, so its dominant
    colour is the one it was painted."""
    media = media_create(owner=board.owner, upload=jpeg_bytes(160, 120, color=rgb))
    media_process(media_id=media.pk)
    return PinFactory(board=board, media=MediaRecord.objects.get(pk=media.pk), title=title)
