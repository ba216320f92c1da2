from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import User
from boards.models import Board, BoardSection
from boards.services import ensure_can_write
from media_pipeline.models import MediaRecord
from media_pipeline.services import media_create, media_create_from_url
from pins.models import Pin
from pins.selectors import pins_visible_to


def _check_section(board: Board, section: BoardSection | None) -> None:
    if section is not None and section.board_id != board.pk:
        raise ValidationError({"board_section_id": "That section belongs to another board."})


def _touch(board: Board, *, added: int = 0) -> None:
    """Record that the board's pins changed, and by how many pins its count moved."""
    Board.objects.filter(pk=board.pk).update(
        pins_modified_at=timezone.now(), pin_count=F("pin_count") + added
    )


def _new_pin(
    *,
    owner: User,
    board: Board,
    section: BoardSection | None,
    title: str,
    description: str,
    link: str,
    alt_text: str,
) -> Pin:
    """A checked, unsaved pin: text is validated before any image is stored."""
    ensure_can_write(board, owner)
    _check_section(board, section)
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
    return pin


@transaction.atomic
def pin_create(
    *,
    owner: User,
    board: Board,
    upload: UploadedFile | bytes | None = None,
    media: MediaRecord | None = None,
    image_url: str | None = None,
    title: str = "",
    description: str = "",
    link: str = "",
    alt_text: str = "",
    section: BoardSection | None = None,
) -> Pin:
    """Create a pin on one of the owner's boards from exactly one image source: uploaded bytes,
    a media record the owner uploaded before, or an image URL the worker will fetch.

    A refused pin leaves nothing behind; images are processed after commit.
    """
    if sum(source is not None for source in (upload, media, image_url)) != 1:
        raise ValidationError("Give exactly one image: an upload, a media id or an image URL.")
    pin = _new_pin(
        owner=owner,
        board=board,
        section=section,
        title=title,
        description=description,
        link=link,
        alt_text=alt_text,
    )
    if media is not None:
        if media.owner_id != owner.pk:
            raise ValidationError({"media_id": "Media not found."})
        pin.media = media
    elif image_url is not None:
        pin.media = media_create_from_url(owner=owner, url=image_url)
    else:
        pin.media = media_create(owner=owner, upload=upload)
    pin.save()
    _touch(board, added=1)
    return pin


@transaction.atomic
def pin_update(
    *,
    pin: Pin,
    user: User,
    title: str | None = None,
    description: str | None = None,
    link: str | None = None,
    alt_text: str | None = None,
    board: Board | None = None,
    section: BoardSection | None = None,
    clear_section: bool = False,
) -> Pin:
    """Edit a pin's text or move it to another of the user's boards or sections.

    None leaves a field as it is; moving to another board drops the section unless one is given.
    """
    if pin.owner_id != user.pk:
        raise PermissionDenied("Only the pin's owner can change it.")
    for field, value in {
        "title": title,
        "description": description,
        "link": link,
        "alt_text": alt_text,
    }.items():
        if value is not None:
            setattr(pin, field, value.strip())
    moved_from = None
    if board is not None and board.pk != pin.board_id:
        ensure_can_write(board, user)
        moved_from = pin.board
        pin.board = board
        pin.section = None
    if clear_section:
        pin.section = None
    if section is not None:
        _check_section(pin.board, section)
        pin.section = section
    pin.full_clean(exclude=["media", "board", "owner", "section", "parent_pin"])
    try:
        with transaction.atomic():
            pin.save()
    except IntegrityError:
        raise ValidationError({"board_id": "That board already has this pin saved."}) from None
    if moved_from is not None:
        _touch(moved_from, added=-1)
        _touch(pin.board, added=1)
    else:
        _touch(pin.board)
    return pin


@transaction.atomic
def pin_delete(*, pin: Pin, user: User) -> None:
    if pin.owner_id != user.pk:
        raise PermissionDenied("Only the pin's owner can delete it.")
    board = pin.board
    pin.delete()
    _touch(board, added=-1)


@transaction.atomic
def pin_save(
    *, pin: Pin, board: Board, user: User, section: BoardSection | None = None
) -> tuple[Pin, bool]:
    """Save (repin) a visible pin to one of the user's boards, sharing its media (no reprocessing).

    Saving the same pin to the same board twice returns the first save; the flag says whether
    this call created it.
    """
    ensure_can_write(board, user)
    _check_section(board, section)
    # A save of a save points at the original, so "saved from" and the graph stay shallow;
    # unless the saver may not see the original (secret), in which case it is this pin.
    parent = pin.parent_pin if pin.parent_pin_id else None
    origin = pin
    if parent is not None and pins_visible_to(user).filter(pk=parent.pk).exists():
        origin = parent
    if origin.board_id == board.pk:
        return origin, False
    defaults = {
        "owner": user,
        "media": origin.media,
        "title": origin.title,
        "description": origin.description,
        "link": origin.link,
        "alt_text": origin.alt_text,
        "section": section,
    }
    try:
        with transaction.atomic():
            saved, created = Pin.objects.get_or_create(
                board=board, parent_pin=origin, defaults=defaults
            )
    except IntegrityError:
        saved, created = Pin.objects.get(board=board, parent_pin=origin), False
    if created:
        _touch(board, added=1)
    return saved, created
