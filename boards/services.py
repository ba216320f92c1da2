from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.text import slugify

from accounts.models import User
from boards.models import Board

MAX_SLUG_ATTEMPTS = 50


def ensure_can_write(board: Board, user: User) -> None:
    if board.owner_id != user.pk:
        raise PermissionDenied("Only the board's owner can change it.")


def _slug_candidates(name: str):
    base = slugify(name, allow_unicode=True)[:190] or "board"
    yield base
    for number in range(2, MAX_SLUG_ATTEMPTS + 1):
        yield f"{base}-{number}"


@transaction.atomic
def board_create(
    *,
    owner: User,
    name: str,
    description: str = "",
    privacy: str = Board.Privacy.PUBLIC,
) -> Board:
    """Create a board with a slug unique to its owner; a name the owner already uses is refused."""
    board = Board(owner=owner, name=name.strip(), description=description.strip(), privacy=privacy)
    board.full_clean(exclude=["slug", "owner"], validate_constraints=False)
    # "Trips!" and "trips" slugify alike, so a taken slug moves on to "trips-2" and so on, while
    # the same name (case aside) is the owner's mistake and gets a message.
    for slug in _slug_candidates(board.name):
        board.slug = slug
        try:
            with transaction.atomic():
                board.save()
                return board
        except IntegrityError:
            if Board.objects.filter(owner=owner, name__iexact=board.name).exists():
                raise ValidationError(
                    {"name": f"You already have a board named “{board.name}”."}
                ) from None
    raise ValidationError({"name": "Too many boards with a similar name; choose another name."})
