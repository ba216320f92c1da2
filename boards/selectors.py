from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404

from accounts.models import User
from boards.models import Board


def board_visibility_q(user: User | AnonymousUser, *, via: str = "") -> Q:
    """The one rule for secret boards: public boards for everyone, secret ones for their owner.

    `via` is the lookup path from the queried model to its board ("board__" for pins), so every
    list, detail and search applies the same rule.
    """
    public = Q(**{f"{via}privacy": Board.Privacy.PUBLIC})
    if not user.is_authenticated:
        return public
    return public | Q(**{f"{via}owner": user})


def boards_visible_to(user: User | AnonymousUser) -> QuerySet[Board]:
    return Board.objects.filter(board_visibility_q(user)).select_related("owner")


def boards_of_owner(*, owner: User, viewer: User | AnonymousUser) -> QuerySet[Board]:
    """A profile's boards, most recently pinned to first, with their pin counts."""
    return (
        boards_visible_to(viewer)
        .filter(owner=owner)
        .annotate(pin_count=Count("pins"))
        .order_by("-pins_modified_at", "-id")
    )


def boards_writable_by(user: User) -> QuerySet[Board]:
    return Board.objects.filter(owner=user).order_by("name")


def board_for_page(*, username: str, slug: str, viewer: User | AnonymousUser) -> Board:
    """The board at /<username>/<slug>/, or 404 when it does not exist or is not visible."""
    return get_object_or_404(
        boards_visible_to(viewer).prefetch_related("sections"),
        owner__username__iexact=username,
        slug=slug,
    )
