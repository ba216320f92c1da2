from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet

from accounts.models import User
from boards.models import Board
from boards.selectors import board_visibility_q, parse_id, with_api_data
from follows.models import BoardFollow, UserFollow
from pins.models import Pin
from pins.selectors import (
    pins_for_grid,
    pins_for_home,
    pins_visible_to,
    related_pin_ids_for_user,
)

# How many pins related to the viewer's recent saves are mixed into their feed.
FEED_RELATED_COUNT = 50
PEOPLE_PAGE_SIZE = 50


def following_of(user: User) -> QuerySet[UserFollow]:
    """Who `user` follows, as follow rows (newest first by id) carrying the followed user."""
    return UserFollow.objects.filter(follower=user).select_related("followee").order_by("-pk")


def followers_of(user: User) -> QuerySet[UserFollow]:
    """Who follows `user`, as follow rows (newest first by id) carrying the follower."""
    return UserFollow.objects.filter(followee=user).select_related("follower").order_by("-pk")


def followed_boards_of(*, user: User, viewer: User | AnonymousUser) -> QuerySet[BoardFollow]:
    """The boards `user` follows that `viewer` may see (a followed board that turned secret
    drops out), as follow rows newest first."""
    return (
        BoardFollow.objects.filter(follower=user)
        .filter(board_visibility_q(viewer, via="board__"))
        .select_related("board__owner")
        .order_by("-pk")
    )


def boards_with_api_data(follows: list[BoardFollow]) -> list[Board]:
    """The boards of a page of follow rows, in the page's order, with the API's pin counts and
    covers: one query for the page, whatever its size."""
    ids = [follow.board_id for follow in follows]
    boards = with_api_data(Board.objects.filter(pk__in=ids)).in_bulk()
    return [boards[key] for key in ids if key in boards]


def is_following_user(*, follower: User | AnonymousUser, followee: User) -> bool:
    if not follower.is_authenticated or follower.pk == followee.pk:
        return False
    return UserFollow.objects.filter(follower=follower, followee=followee).exists()


def is_following_board(*, follower: User | AnonymousUser, board: Board) -> bool:
    if not follower.is_authenticated or follower.pk == board.owner_id:
        return False
    return BoardFollow.objects.filter(follower=follower, board=board).exists()


@dataclass(frozen=True)
class PeoplePage:
    follows: list[UserFollow]
    next_before: int | None


def people_page(follows: QuerySet[UserFollow], *, before: str | None) -> PeoplePage:
    """A page of a followers or following list, by keyset on the follow's id."""
    key = parse_id(before)
    if key is not None:
        follows = follows.filter(pk__lt=key)
    batch = list(follows[: PEOPLE_PAGE_SIZE + 1])
    more = len(batch) > PEOPLE_PAGE_SIZE
    batch = batch[:PEOPLE_PAGE_SIZE]
    return PeoplePage(follows=batch, next_before=batch[-1].pk if more else None)


def follows_anything(user: User) -> bool:
    if user.following_count > 0:  # the counter spares a query for most people with a feed
        return True
    return BoardFollow.objects.filter(follower=user).exists()


def pins_for_feed(user: User, *, related: list[int]) -> QuerySet[Pin]:
    """New pins on the boards the user follows and by the people they follow, and the `related`
    pins; never their own, and only what they may see. Newest first by id, so `grid_page` pages
    it by keyset."""
    wanted = Q(board__in=BoardFollow.objects.filter(follower=user).values("board_id")) | Q(
        owner__in=UserFollow.objects.filter(follower=user).values("followee_id")
    )
    if related:
        wanted |= Q(pk__in=related)
    return pins_for_grid(pins_visible_to(user).filter(wanted).exclude(owner=user))


@dataclass(frozen=True)
class HomeStream:
    pins: QuerySet[Pin]
    # Signed in: "Your feed" and "Everything" tabs are offered.
    tabs: bool
    # Showing "Your feed" rather than everything.
    feed: bool
    # Signed in with an empty feed: everything instead, and a word on how to get a feed.
    prompt: bool


def home_stream(*, viewer: User | AnonymousUser, everything: bool) -> HomeStream:
    """What the home page shows: the viewer's feed, or everything they may see (anonymous
    visitors, anyone who asks for everything, and people whose feed would be empty because they
    follow nothing and have no saves with related pins)."""
    if not viewer.is_authenticated:
        return HomeStream(pins=pins_for_home(viewer), tabs=False, feed=False, prompt=False)
    if everything:
        return HomeStream(pins=pins_for_home(viewer), tabs=True, feed=False, prompt=False)
    follows = follows_anything(viewer)
    # Empty, after one query, for someone who has saved nothing.
    related = related_pin_ids_for_user(viewer, FEED_RELATED_COUNT)
    if not follows and not related:
        return HomeStream(pins=pins_for_home(viewer), tabs=False, feed=False, prompt=True)
    return HomeStream(
        pins=pins_for_feed(viewer, related=related), tabs=True, feed=True, prompt=False
    )
