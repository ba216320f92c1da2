"""Following people and boards.

Each follow is one row guarded by a unique constraint, so following twice, or twenty times at
once, leaves one row; the denormalised counters move only with the row that was really created
or deleted, in the same transaction, by F() updates (no read-modify-write to lose).
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Greatest
from django.http import Http404

from accounts.models import User
from boards.models import Board
from boards.selectors import board_visible_to
from follows.models import BoardFollow, UserFollow


def _add(model: type[User] | type[Board], pk: int, field: str, delta: int) -> None:
    # Greatest() keeps a counter at zero rather than failing its check constraint should it
    # ever have drifted below the rows it counts.
    model.objects.filter(pk=pk).update(**{field: Greatest(F(field) + delta, Value(0))})


def _move_user_counters(*, follower: User, followee: User, delta: int) -> None:
    # Both rows are locked in primary-key order, so "a follows b" and "b follows a" committing at
    # the same moment cannot deadlock.
    changes = sorted([(follower.pk, "following_count"), (followee.pk, "follower_count")])
    for pk, field in changes:
        _add(User, pk, field, delta)


@transaction.atomic
def user_follow(*, follower: User, followee: User) -> UserFollow:
    """Follow a person; following them again returns the existing follow and changes nothing."""
    if follower.pk == followee.pk:
        raise ValidationError("You can't follow yourself.", code="self_follow")
    if not followee.is_active:
        raise Http404("User not found.")
    follow, created = UserFollow.objects.get_or_create(follower=follower, followee=followee)
    if created:
        _move_user_counters(follower=follower, followee=followee, delta=1)
    return follow


@transaction.atomic
def user_unfollow(*, follower: User, followee: User) -> bool:
    """Stop following a person; True when there was a follow to remove."""
    deleted, _ = UserFollow.objects.filter(follower=follower, followee=followee).delete()
    if deleted:
        _move_user_counters(follower=follower, followee=followee, delta=-1)
    return bool(deleted)


@transaction.atomic
def board_follow(*, follower: User, board: Board) -> BoardFollow:
    """Follow a board the follower may see; a board they may not see is "not found", and their
    own boards cannot be followed (you do not follow yourself)."""
    if not board_visible_to(board, follower):
        raise Http404("Board not found.")
    if board.owner_id == follower.pk:
        raise ValidationError("You can't follow your own board.", code="self_follow")
    follow, created = BoardFollow.objects.get_or_create(follower=follower, board=board)
    if created:
        _add(Board, board.pk, "follower_count", 1)
    return follow


@transaction.atomic
def board_unfollow(*, follower: User, board: Board) -> bool:
    """Stop following a board (visible or not: a board turned secret can still be left)."""
    deleted, _ = BoardFollow.objects.filter(follower=follower, board=board).delete()
    if deleted:
        _add(Board, board.pk, "follower_count", -1)
    return bool(deleted)
