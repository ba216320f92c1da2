from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404

from accounts.models import User
from boards.models import Board
from boards.selectors import board_visibility_q, parse_id
from media_pipeline.models import Rendition
from pins.models import Pin

GRID_PAGE_SIZE = 50


def pins_visible_to(user: User | AnonymousUser) -> QuerySet[Pin]:
    """Every pin `user` may see; all pin lists and lookups start here."""
    return Pin.objects.filter(board_visibility_q(user, via="board__"))


def _with_card_data(pins: QuerySet[Pin]) -> QuerySet[Pin]:
    return pins.select_related(
        "media", "board", "board__owner", "owner", "parent_pin__board"
    ).prefetch_related(Prefetch("media__renditions", queryset=Rendition.objects.order_by("width")))


def pins_for_home(user: User | AnonymousUser) -> QuerySet[Pin]:
    return _with_card_data(pins_visible_to(user))


def pins_of_board(board: Board) -> QuerySet[Pin]:
    """Pins of a board the caller has already been allowed to see."""
    return _with_card_data(Pin.objects.filter(board=board))


def pin_for_page(*, pin_id: int, viewer: User | AnonymousUser) -> Pin:
    """The pin at /pin/<id>/, or 404 when it does not exist or is not visible."""
    pin = pin_visible(pin_id=str(pin_id), viewer=viewer)
    if pin is None:
        raise Http404("No such pin.")
    return pin


@dataclass(frozen=True)
class GridPage:
    pins: list[Pin]
    next_before: int | None


def grid_page(pins: QuerySet[Pin], *, before: str | None, size: int = GRID_PAGE_SIZE) -> GridPage:
    """Newest first, by keyset on id: the cost of a page does not grow with its depth."""
    key = parse_id(before)
    if key is not None:
        pins = pins.filter(pk__lt=key)
    batch = list(pins.order_by("-pk")[: size + 1])
    has_more = len(batch) > size
    batch = batch[:size]
    return GridPage(pins=batch, next_before=batch[-1].pk if has_more else None)


def pins_with_card_data(pins: QuerySet[Pin]) -> QuerySet[Pin]:
    return _with_card_data(pins)


def pin_visible(*, pin_id: str, viewer: User | AnonymousUser) -> Pin | None:
    key = parse_id(pin_id)
    if key is None:
        return None
    return _with_card_data(pins_visible_to(viewer)).filter(pk=key).first()


def pins_matching(pins: QuerySet[Pin], query: str) -> QuerySet[Pin]:
    """Every word in the title, description, alt text or board name (full-text search later)."""
    for word in query.split():
        pins = pins.filter(
            Q(title__icontains=word)
            | Q(description__icontains=word)
            | Q(alt_text__icontains=word)
            | Q(board__name__icontains=word)
        )
    return pins


RELATED_COUNT = 30


def pins_related(
    *, pin: Pin, viewer: User | AnonymousUser, count: int = RELATED_COUNT
) -> list[Pin]:
    """More pins to show under a pin: its board's first, then the newest elsewhere, each once.

    Two bounded queries whatever the catalog's size.
    """
    visible = _with_card_data(pins_visible_to(viewer)).exclude(pk=pin.pk)
    same_board = list(visible.filter(board=pin.board_id).order_by("-pk")[:count])
    others = list(
        visible.exclude(board=pin.board_id)
        .exclude(media=pin.media_id)
        .order_by("-pk")[: count - len(same_board)]
    )
    return same_board + others


def pins_search(*, query: str, viewer: User | AnonymousUser) -> QuerySet[Pin]:
    """The web search: every visible pin matching each word of the query."""
    return _with_card_data(pins_matching(pins_visible_to(viewer), query))


def saved_from(pin: Pin, viewer: User | AnonymousUser) -> Pin | None:
    """The pin this one was saved from, when the viewer may see it."""
    if pin.parent_pin_id is None:
        return None
    return (
        pins_visible_to(viewer)
        .select_related("board", "owner")
        .filter(pk=pin.parent_pin_id)
        .first()
    )
