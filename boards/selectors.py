import re

from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.db.models import F, Prefetch, Q, QuerySet, prefetch_related_objects
from django.db.models.functions import Lower
from django.shortcuts import get_object_or_404

from accounts.models import User
from boards.models import Board, BoardSection
from catalog.search import ranked_page_ids, search_filter, search_ranked
from catalog.search_query import parse_query


def board_visibility_q(user: User | AnonymousUser, *, via: str = "") -> Q:
    """The one rule for secret boards: public boards for everyone, secret ones for their owner.

    `via` is the lookup path from the queried model to its board ("board__" for pins), so every
    list, detail and search applies the same rule.
    """
    public = Q(**{f"{via}privacy": Board.Privacy.PUBLIC})
    if not user.is_authenticated:
        return public
    return public | Q(**{f"{via}owner": user})


def board_visible_to(board: Board, user: User | AnonymousUser) -> bool:
    """The same rule as board_visibility_q, for a board already loaded."""
    return board.privacy == Board.Privacy.PUBLIC or (
        user.is_authenticated and board.owner_id == user.pk
    )


def boards_visible_to(user: User | AnonymousUser) -> QuerySet[Board]:
    return Board.objects.filter(board_visibility_q(user)).select_related("owner")


def boards_of_owner(*, owner: User, viewer: User | AnonymousUser) -> QuerySet[Board]:
    """A profile's boards, most recently pinned to first, with pin counts and cover pins."""
    return with_api_data(boards_visible_to(viewer).filter(owner=owner)).order_by(
        F("pins_modified_at").desc(nulls_last=True), "-id"
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


MAX_ID = 2**63 - 1
COVER_PINS = 4


_ID = re.compile(r"[0-9]{1,19}")


def parse_id(raw: str | None) -> int | None:
    """An id as v5 sends it (ASCII digits only: `isdigit` also accepts other scripts); None when
    it cannot name a row."""
    if raw is None or not _ID.fullmatch(raw):
        return None
    key = int(raw)
    return key if 0 < key <= MAX_ID else None


def with_api_data(boards: QuerySet[Board]) -> QuerySet[Board]:
    """Owners and up to four cover pins (with their renditions) in a constant number of
    queries, whatever the page size."""
    return boards.select_related("owner").with_covers()


_NEWEST_PINS_OF_BOARDS = """
SELECT newest.id
FROM unnest(%s::bigint[]) AS board(id)
CROSS JOIN LATERAL (
    SELECT id FROM pins_pin WHERE board_id = board.id ORDER BY id DESC LIMIT %s
) AS newest
"""


def attach_covers(boards: list[Board]) -> None:
    """Set `cover_pins` on each board: its newest COVER_PINS pins, with their grid rendition.

    On PostgreSQL a lateral join reads four index entries per board (a popular board holds
    thousands of pins); elsewhere a numbered prefetch does."""
    from media_pipeline.models import Rendition
    from pins.models import Pin

    if not boards:
        return
    covers = Pin.objects.select_related("media").prefetch_related(
        Prefetch("media__renditions", queryset=Rendition.objects.filter(name="236x"))
    )
    if connection.vendor != "postgresql":
        prefetch_related_objects(
            boards,
            Prefetch("pins", queryset=covers.order_by("-id")[:COVER_PINS], to_attr="cover_pins"),
        )
        return
    with connection.cursor() as cursor:
        cursor.execute(_NEWEST_PINS_OF_BOARDS, [[board.pk for board in boards], COVER_PINS])
        pin_ids = [row[0] for row in cursor.fetchall()]
    by_board: dict[int, list] = {board.pk: [] for board in boards}
    for pin in covers.filter(pk__in=pin_ids).order_by("-id"):
        by_board[pin.board_id].append(pin)
    for board in boards:
        board.cover_pins = by_board[board.pk]


def board_visible(
    *, board_id: str, viewer: User | AnonymousUser, api_data: bool = False
) -> Board | None:
    """The board if `viewer` may see it; with its cover pins only when asked (`boards/get`),
    since listing or changing a board's pins does not show them."""
    key = parse_id(board_id)
    if key is None:
        return None
    boards = boards_visible_to(viewer)
    if api_data:
        boards = with_api_data(boards)
    return boards.filter(pk=key).first()


def boards_owned_by(*, owner: User, viewer: User | AnonymousUser) -> QuerySet[Board]:
    return with_api_data(boards_visible_to(viewer).filter(owner=owner))


# What a board is found by; on PostgreSQL its stored search vector weighs the name above the
# description.
BOARD_SEARCH_FIELDS = ["name", "description"]


def boards_matching(boards: QuerySet[Board], query: str) -> QuerySet[Board]:
    """The boards of `boards` matching a search box's text (syntax: catalog/search_query.py)."""
    return search_filter(boards, parse_query(query), fields=BOARD_SEARCH_FIELDS)


def section_of(*, board: Board, section_id: str) -> BoardSection | None:
    key = parse_id(section_id)
    if key is None:
        return None
    return BoardSection.objects.select_related("board").filter(board=board, pk=key).first()


SEARCH_PAGE_SIZE = 25


def boards_search(
    *,
    query: str,
    viewer: User | AnonymousUser,
    among: QuerySet[Board] | None = None,
    offset: int = 0,
    limit: int = SEARCH_PAGE_SIZE,
) -> list[Board]:
    """One page of the visible boards matching `query`, best first, with pin counts and covers
    (web and API); `among` narrows the candidates (an owner's boards) before ranking.

    The page is ranked first and only its boards are counted: counting the pins of every ranked
    match before taking the page costs as much as the matches hold pins."""
    boards = boards_visible_to(viewer)
    if among is not None:
        boards = among.filter(board_visibility_q(viewer))
    shared = query if among is None and not viewer.is_authenticated else None
    page = ranked_page_ids(
        Board,
        lambda: search_ranked(boards, parse_query(query), fields=BOARD_SEARCH_FIELDS),
        offset=offset,
        limit=limit,
        shared=shared,
    )
    loaded = with_api_data(boards_visible_to(viewer).filter(pk__in=page)).in_bulk()
    return [loaded[pk] for pk in page if pk in loaded]


def boards_for_picker(user: User) -> QuerySet[Board]:
    """The save dialog's boards: the user's own, with their sections, by name."""
    return Board.objects.filter(owner=user).prefetch_related("sections").order_by(Lower("name"))
