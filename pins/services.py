from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from boards.models import Board, BoardSection
from boards.services import ensure_can_write
from media_pipeline.services import media_create
from pins.models import Pin


@transaction.atomic
def pin_create(
    *,
    owner: User,
    board: Board,
    upload: UploadedFile | bytes,
    title: str = "",
    description: str = "",
    link: str = "",
    alt_text: str = "",
    section: BoardSection | None = None,
) -> Pin:
    """Create a pin from an uploaded image on one of the owner's boards.

    The text is checked before the image is stored, so a refused pin leaves nothing behind; the
    image is processed after commit.
    """
    ensure_can_write(board, owner)
    if section is not None and section.board_id != board.pk:
        raise ValidationError({"section": "That section belongs to another board."})
    pin = Pin(
        owner=owner,
        board=board,
        section=section,
        title=title.strip(),
        description=description.strip(),
        link=link.strip(),
        alt_text=alt_text.strip(),
    )
    pin.full_clean(exclude=["media", "board", "owner", "section", "parent_pin"])
    pin.media = media_create(owner=owner, upload=upload)
    pin.save()
    Board.objects.filter(pk=board.pk).update(pins_modified_at=timezone.now())
    return pin
