from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.text import slugify

from accounts.models import User
from boards.models import Board, BoardSection
from follows.models import BoardFollow

MAX_SLUG_ATTEMPTS = 50


class BoardNameTaken(ValidationError):
    """The owner already has a board of this name, case aside.

    Still a ValidationError, so a form shows it beside the name; the API answers it 409 Conflict,
    because the request is well formed and clashes only with what exists, often a board another
    request created a moment earlier (a double-clicked button, a client that retried).
    """

    def __init__(self, name: str) -> None:
        super().__init__({"name": f"You already have a board named “{name}”."})


class SectionNameTaken(ValidationError):
    """The board already has a section of this name, case aside (a 409, as BoardNameTaken)."""

    def __init__(self, name: str) -> None:
        super().__init__({"name": f"This board already has a section named “{name}”."})


def ensure_can_write(board: Board, user: User) -> None:
    if board.owner_id != user.pk:
        raise PermissionDenied("Only the board's owner can change it.")


def _slug_candidates(name: str):
    base = slugify(name, allow_unicode=True)[:190] or "board"
    yield base
    for number in range(2, MAX_SLUG_ATTEMPTS + 1):
        yield f"{base}-{number}"


def _save_with_free_slug(board: Board, update_fields: list[str] | None = None) -> Board:
    """Save under the first free slug for the board's name.

    "Trips!" and "trips" slugify alike, so a taken slug moves on to "trips-2" and so on, while
    the same name (case aside) is the owner's mistake and gets a message.
    """
    for slug in _slug_candidates(board.name):
        board.slug = slug
        try:
            with transaction.atomic():
                board.save(update_fields=update_fields)
                return board
        except IntegrityError:
            taken = Board.objects.filter(owner=board.owner_id, name__iexact=board.name)
            if taken.exclude(pk=board.pk).exists():
                raise BoardNameTaken(board.name) from None
    raise ValidationError({"name": "Too many boards with a similar name; choose another name."})


@transaction.atomic
def board_create(
    *,
    owner: User,
    name: str,
    description: str = "",
    privacy: str = Board.Privacy.PUBLIC,
) -> Board:
    """Create a board with a slug unique to its owner; a name the owner already uses is refused."""
    _ensure_privacy_allowed(privacy)
    board = Board(owner=owner, name=name.strip(), description=description.strip(), privacy=privacy)
    board.full_clean(exclude=["slug", "owner"], validate_unique=False, validate_constraints=False)
    return _save_with_free_slug(board)


def _ensure_privacy_allowed(privacy: str) -> None:
    if privacy not in Board.Privacy.values:
        raise ValidationError(
            {"privacy": f"privacy must be one of {', '.join(Board.Privacy.values)}."}
        )


@transaction.atomic
def board_update(
    *,
    board: Board,
    user: User,
    name: str | None = None,
    description: str | None = None,
    privacy: str | None = None,
) -> Board:
    """Change a board's name (its slug follows), description or privacy; None leaves a field."""
    ensure_can_write(board, user)
    # Only what the owner edits is written: counters move concurrently by their own updates.
    fields = ["name", "slug", "description", "privacy"]
    if privacy is not None:
        _ensure_privacy_allowed(privacy)
        if privacy == Board.Privacy.SECRET and board.privacy != privacy:
            # Only the owner sees a secret board, so nobody else can go on following it; the
            # follows go rather than linger as a count of people who can no longer see it.
            BoardFollow.objects.filter(board=board).delete()
            board.follower_count = 0
            fields.append("follower_count")
        board.privacy = privacy
    if description is not None:
        board.description = description.strip()
    renamed = name is not None and name.strip() != board.name
    if renamed:
        board.name = name.strip()
    board.full_clean(exclude=["slug", "owner"], validate_unique=False, validate_constraints=False)
    if not renamed:
        board.save(update_fields=fields)
        return board
    return _save_with_free_slug(board, update_fields=fields)


@transaction.atomic
def board_delete(*, board: Board, user: User) -> None:
    """Delete a board with its sections and pins; saves of its pins elsewhere stay."""
    ensure_can_write(board, user)
    board.delete()


def _save_section(section: BoardSection) -> BoardSection:
    """Save, turning the database's unique-name constraint into a message."""
    try:
        with transaction.atomic():
            section.save()
    except IntegrityError:
        raise SectionNameTaken(section.name) from None
    return section


@transaction.atomic
def section_create(*, board: Board, user: User, name: str) -> BoardSection:
    ensure_can_write(board, user)
    section = BoardSection(board=board, name=name.strip())
    section.full_clean(exclude=["board", "position"], validate_constraints=False)
    last = board.sections.order_by("-position").values_list("position", flat=True).first()
    section.position = 0 if last is None else last + 1
    return _save_section(section)


@transaction.atomic
def section_update(*, section: BoardSection, user: User, name: str) -> BoardSection:
    ensure_can_write(section.board, user)
    section.name = name.strip()
    section.full_clean(exclude=["board", "position"], validate_constraints=False)
    return _save_section(section)


@transaction.atomic
def section_delete(*, section: BoardSection, user: User) -> None:
    """Delete a section; its pins stay on the board, outside any section."""
    ensure_can_write(section.board, user)
    section.delete()
