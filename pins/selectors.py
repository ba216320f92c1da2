import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.db.models import (
    BigIntegerField,
    Case,
    ExpressionWrapper,
    F,
    FloatField,
    Func,
    IntegerField,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.expressions import CombinedExpression
from django.db.models.functions import Cast
from django.http import Http404

from accounts.models import User
from boards.models import Board
from boards.selectors import board_visibility_q, parse_id
from catalog.api.pagination import MAX_RANKED_OFFSET
from catalog.search import ranked_page_ids, search_filter, search_ranked
from catalog.search_query import parse_query
from catalog.versioned_cache import versioned_cache
from media_pipeline.colors import Oklab, hex_to_oklab
from media_pipeline.imaging import hamming_distance
from media_pipeline.models import Rendition
from pins import related
from pins.models import Pin

GRID_PAGE_SIZE = 50


def pins_visible_to(user: User | AnonymousUser) -> QuerySet[Pin]:
    """Every pin `user` may see; all pin lists and lookups start here."""
    return Pin.objects.filter(board_visibility_q(user, via="board__"))


# What a card shows (templates/shared/pin_card.html, keyed by pins/cards.py): a grid loads only
# these columns of its 50 pins and their media.
CARD_FIELDS = (
    "id",
    "title",
    "alt_text",
    "link",
    "media__id",
    "media__status",
    "media__updated_at",
    "media__dominant_color",
    "media__has_alpha",
    "media__width",
    "media__height",
)


def pins_for_grid(pins: QuerySet[Pin]) -> QuerySet[Pin]:
    """Pins for a web grid, with what their cards show. The cards load the grid renditions
    themselves, and only for cards not already rendered (pins/cards.py)."""
    return pins.select_related("media").only(*CARD_FIELDS)


def _loader(grid: bool) -> Callable[[QuerySet[Pin]], QuerySet[Pin]]:
    return pins_for_grid if grid else pins_with_card_data


def pins_for_home(user: User | AnonymousUser) -> QuerySet[Pin]:
    return pins_for_grid(pins_visible_to(user))


def pins_of_board(board: Board) -> QuerySet[Pin]:
    """Pins of a board the caller has already been allowed to see."""
    return pins_for_grid(Pin.objects.filter(board=board))


def pin_for_page(*, pin_id: int, viewer: User | AnonymousUser) -> Pin:
    """The pin at /pin/<id>/, or 404 when it does not exist or is not visible."""
    # The page shows who saved it, and the large image with its srcsets: every rendition.
    renditions = Rendition.objects.order_by("width")
    pin = (
        pins_with_card_data(pins_visible_to(viewer))
        .select_related("owner")
        .prefetch_related(Prefetch("media__renditions", queryset=renditions))
        .filter(pk=pin_id)
        .first()
    )
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
    """For API lists: what a v5 pin shows but its renditions, which PinSerializer loads for
    the images it has not formatted before."""
    return pins.select_related("media", "board__owner", "parent_pin__board")


def pin_visible(*, pin_id: str, viewer: User | AnonymousUser) -> Pin | None:
    key = parse_id(pin_id)
    if key is None:
        return None
    return pins_with_card_data(pins_visible_to(viewer)).filter(pk=key).first()


# What a pin is found by; on PostgreSQL its stored search vector holds the same (the link as its
# domain), weighted title > description > alt text and board name > domain.
PIN_SEARCH_FIELDS = ["title", "description", "alt_text", "board__name", "link"]


def pins_matching(pins: QuerySet[Pin], query: str) -> QuerySet[Pin]:
    """The pins of `pins` matching a search box's text (syntax: catalog/search_query.py)."""
    return search_filter(pins, parse_query(query), fields=PIN_SEARCH_FIELDS)


RELATED_COUNT = 30


# The length of a related list. Every page ranks the whole list the same way (the walk is seeded
# by pin, viewer and graph), so page 2 continues page 1; the API pages through it.
RELATED_MAX = 200
# A viewer's newest saves steer their related lists (pins/related.py weighs them).
RECENT_SAVES = 8
# Words too common to say two titles are about the same thing.
_TITLE_STOPWORDS = frozenset(
    {"the", "and", "for", "with", "from", "this", "that", "these", "those", "your", "you", "our"}
    | {"are", "was", "were", "how", "what", "why", "into", "onto", "over", "under", "about"}
)
_TITLE_WORDS = 5


def _recent_save_media(viewer: User | AnonymousUser) -> list[int]:
    """The images of the viewer's newest saves (pins saved from another pin), newest first."""
    if not viewer.is_authenticated:
        return []
    media = (
        pins_visible_to(viewer)
        .filter(owner=viewer, parent_pin__isnull=False)
        .order_by("-pk")
        .values_list("media_id", flat=True)[: RECENT_SAVES * 2]
    )
    return list(dict.fromkeys(media))[:RECENT_SAVES]


def _visible_candidates(
    viewer: User | AnonymousUser, candidates: list[tuple[int, int]]
) -> list[tuple[int, int]]:
    """The (image, pin) candidates whose pin the viewer may see, in order: the graph may predate
    a deletion or a board turned secret. One lookup by primary key."""
    pin_ids = [pk for _, pk in candidates]
    visible = set(pins_visible_to(viewer).filter(pk__in=pin_ids).values_list("pk", flat=True))
    return [(media_id, pk) for media_id, pk in candidates if pk in visible]


def _title_words(title: str) -> list[str]:
    words = (word.lower() for word in re.findall(r"\w+", title))
    useful = (w for w in words if len(w) >= 3 and not w.isdigit() and w not in _TITLE_STOPWORDS)
    return list(dict.fromkeys(useful))[:_TITLE_WORDS]


def _unseen(rows: list[tuple[int, int]], seen_media: set[int], limit: int) -> list[int]:
    """Pin ids of `rows` (pin id, media id), one per image not seen yet, up to `limit`."""
    found: list[int] = []
    for pk, media_id in rows:
        if len(found) >= limit:
            break
        if media_id not in seen_media:
            seen_media.add(media_id)
            found.append(pk)
    return found


def _pins_sharing_title_words(
    pin: Pin, viewer: User | AnonymousUser, *, seen_media: set[int], limit: int
) -> list[int]:
    """Visible pins whose text matches words of the pin's title, most words shared first."""
    words = _title_words(pin.title)
    if not words or limit <= 0:
        return []
    visible = pins_visible_to(viewer)
    # One search per word, ORed: a single shared word is enough to be related.
    hits = [Q(pk__in=pins_matching(visible, f"{word} ").values("pk")) for word in words]
    shared = sum(
        (Case(When(hit, then=1), default=0, output_field=IntegerField()) for hit in hits),
        Value(0, output_field=IntegerField()),
    )
    rows = (
        visible.filter(reduce(or_, hits))
        .exclude(pk=pin.pk)
        .exclude(media_id__in=seen_media)
        .alias(shared=shared)
        .order_by("-shared", "-pk")
        .values_list("pk", "media_id")[: limit * 2]
    )
    return _unseen(list(rows), seen_media, limit)


def _newest_of_board(
    pin: Pin, viewer: User | AnonymousUser, *, seen_media: set[int], limit: int
) -> list[int]:
    if limit <= 0:
        return []
    rows = (
        pins_visible_to(viewer)
        .filter(board=pin.board_id)
        .exclude(pk=pin.pk)
        .exclude(media_id__in=seen_media)
        .order_by("-pk")
        .values_list("pk", "media_id")[: limit * 2]
    )
    return _unseen(list(rows), seen_media, limit)


# Anonymous visitors of a pin all get the same list from the same graph (the walk's seed is the pin
# and the graph's version), so each process keeps it until the graph changes: a refresh (new pins)
# or a rebuild (deleted pins, boards turned secret) makes a new key. Pins are still loaded through
# the visibility rule, so one hidden since is not shown.
_anonymous_related = versioned_cache(size=20_000)


def related_pin_ids(*, pin: Pin, viewer: User | AnonymousUser) -> list[int]:
    """Ids of the pins to show under `pin` to `viewer`, best first, up to RELATED_MAX, one per
    image (its oldest public pin, or for the fills any visible one) and none of the pin's own.

    First what random walks over the pin/board graph reach from the pin's image (and from the
    viewer's recent saves), then pictures that look like it, then pins sharing words of its
    title, then the newest of its board. At most five queries, whatever the catalog's size.
    """
    snapshot = related.current_snapshot()
    key = None
    if not viewer.is_authenticated:
        key = (pin.pk, pin.media_id, pin.board_id, pin.title, snapshot.version, snapshot.built_at)
        known = _anonymous_related.get(key)
        if known is not None:
            return list(known)
    recent = [media_id for media_id in _recent_save_media(viewer) if media_id != pin.media_id]
    media = pin.media
    candidates = related.related_candidates(
        snapshot,
        media_id=pin.media_id,
        phash=media.phash,
        color=(media.color_l, media.color_a, media.color_b),
        recent_media=recent,
        seed=(pin.pk, viewer.pk or 0),
        count=RELATED_MAX,
    )
    found = _visible_candidates(viewer, candidates)
    ids = [pk for _, pk in found]
    seen_media = {pin.media_id, *recent, *(media_id for media_id, _ in found)}
    ids += _pins_sharing_title_words(
        pin, viewer, seen_media=seen_media, limit=RELATED_MAX - len(ids)
    )
    ids += _newest_of_board(pin, viewer, seen_media=seen_media, limit=RELATED_MAX - len(ids))
    if key is not None:
        _anonymous_related.put(key, tuple(ids))
    return ids


def pins_related_page(
    *,
    pin: Pin,
    viewer: User | AnonymousUser,
    offset: int,
    limit: int,
    grid: bool = False,
) -> list[Pin]:
    """Pins `offset` to `offset + limit` of the related list, for the API (or a web `grid`)."""
    ids = related_pin_ids(pin=pin, viewer=viewer)[offset : offset + limit]
    found = _loader(grid)(pins_visible_to(viewer)).in_bulk(ids)
    return [found[pk] for pk in ids if pk in found]


def pins_related(
    *, pin: Pin, viewer: User | AnonymousUser, count: int = RELATED_COUNT
) -> list[Pin]:
    """More like this under a pin's page: the first `count` pins of the related list, as cards."""
    return pins_related_page(pin=pin, viewer=viewer, offset=0, limit=count, grid=True)


def related_pin_ids_for_user(user: User | AnonymousUser, count: int) -> list[int]:
    """Ids of up to `count` pins related to the user's recent saves, best first (walks from
    those saves only; none of their images), each visible to the user; empty for a user who has
    saved nothing. Two queries."""
    recent = _recent_save_media(user)
    if not recent or count <= 0:
        return []
    candidates = related.candidates_for_recent_saves(
        related.current_snapshot(), recent_media=recent, seed=(0, user.pk), count=count
    )
    return [pk for _, pk in _visible_candidates(user, candidates)]


def pins_search(
    *,
    query: str,
    viewer: User | AnonymousUser,
    among: QuerySet[Pin] | None = None,
    grid: bool = False,
    offset: int = 0,
    limit: int = GRID_PAGE_SIZE,
) -> list[Pin]:
    """One page of the visible pins matching `query`, best first, for the API (or a web `grid`).

    `among` narrows the candidates (an owner's pins, a colour) before ranking; filtering the
    result instead would only filter the ranked window. Visibility applies either way. The page
    is ranked on ids alone, then only its pins are loaded: joining the card data to every
    ranked match would cost as much as the window is wide."""
    pins = pins_visible_to(viewer)
    if among is not None:
        pins = among.filter(board_visibility_q(viewer, via="board__"))
    shared = query if among is None and not viewer.is_authenticated else None
    page = ranked_page_ids(
        Pin,
        lambda: search_ranked(pins, parse_query(query), fields=PIN_SEARCH_FIELDS),
        offset=offset,
        limit=limit,
        shared=shared,
    )
    if not page:
        return []
    loaded = _loader(grid)(pins_visible_to(viewer).filter(pk__in=page)).in_bulk()
    return [loaded[pk] for pk in page if pk in loaded]


def saved_from(pin: Pin, viewer: User | AnonymousUser) -> Pin | None:
    """The pin this one was saved from, when the viewer may see it."""
    if pin.parent_pin_id is None:
        return None
    return (
        pins_visible_to(viewer)
        .select_related("board__owner", "owner")
        .filter(pk=pin.parent_pin_id)
        .first()
    )


# How far (Euclidean, in OKLab) a pin's dominant colour may be from the colour asked for. About
# 0.02 is a just-noticeable difference; at 0.12 a red (#d32f2f) still finds crimson (0.03 away),
# brick (0.07) and pure red (0.08) but not orange, brown, coral or dark red (0.17): the same hue
# family, as people name one. A constant, not a setting: it is a fact about colour vision.
COLOR_MATCH_DISTANCE = 0.12


def _squared_distance(target: Oklab) -> CombinedExpression:
    terms = [
        (F(f"media__color_{axis}") - Value(value)) * (F(f"media__color_{axis}") - Value(value))
        for axis, value in (("l", target.l), ("a", target.a), ("b", target.b))
    ]
    return sum(terms[1:], terms[0])


def pins_near_color(
    pins: QuerySet[Pin], color: str | Oklab, *, max_distance: float = COLOR_MATCH_DISTANCE
) -> QuerySet[Pin]:
    """The pins whose image's dominant colour is within `max_distance` of `color` (a hex colour
    or OKLab), annotated with `color_distance` (squared) to order by, closest first.

    The cube around the colour is tested first, on media_oklab_idx; the exact distance then only
    runs on the rows inside it. Images whose colour is not known yet never match.
    """
    target = color if isinstance(color, Oklab) else hex_to_oklab(color)
    d = max_distance
    inside_box = pins.filter(
        media__color_a__range=(target.a - d, target.a + d),
        media__color_b__range=(target.b - d, target.b + d),
        media__color_l__range=(target.l - d, target.l + d),
    )
    distance = ExpressionWrapper(_squared_distance(target), output_field=FloatField())
    return inside_box.alias(color_distance=distance).filter(color_distance__lte=d * d)


def pins_by_color(pins: QuerySet[Pin], color: str | Oklab) -> QuerySet[Pin]:
    """Colour search without words: the nearest colours first, newest first among equals (a total
    order, so a page boundary never repeats or skips a pin)."""
    return pins_near_color(pins, color).order_by("color_distance", "-pk")


@dataclass(frozen=True)
class RankedPage:
    pins: list[Pin]
    next_offset: int | None


def ranked_page(
    fetch: Callable[[int, int], list[Pin]], *, offset: str | None, size: int = GRID_PAGE_SIZE
) -> RankedPage:
    """One page of a ranked list from position `offset` (anything else reads as 0);
    `fetch(start, count)` returns up to `count` pins from position `start`."""
    start = int(offset) if offset and offset.isascii() and offset.isdigit() else 0
    # Deep pages cost more: a ranked web list stops where the API's does.
    start = min(start, MAX_RANKED_OFFSET)
    batch = fetch(start, size + 1)
    has_more = len(batch) > size and start + size < MAX_RANKED_OFFSET
    return RankedPage(pins=batch[:size], next_offset=start + size if has_more else None)


# Bits (of 64) in which two perceptual hashes may differ and still be the same picture. A resize,
# re-encode or recompression moves a pHash by 0 to 4 bits; unrelated pictures differ in about
# half of them (32), and fewer than one random pair in ten billion comes within 6.
DUPLICATE_MAX_BITS = 6


class _HammingDistance(Func):
    """PostgreSQL 14+: the number of bits in which a bigint column differs from a value."""

    template = "bit_count((%(expressions)s)::bit(64))"
    output_field = BigIntegerField()


def pin_duplicate_of(pin: Pin, viewer: User | AnonymousUser) -> Pin | None:
    """Another pin of `pin`'s owner, visible to `viewer`, whose image looks the same (the nearest
    one, the earliest among equals), for "You already saved this to <board>"; None while the
    image's hash is unknown (a URL the worker has not fetched yet).

    Looks the same means a perceptual hash within DUPLICATE_MAX_BITS and a dominant colour within
    COLOR_MATCH_DISTANCE: the hash sees only light and dark, so a recoloured copy, or two flat
    images (whose hashes are noise), are not the same picture. One query on PostgreSQL; two on
    SQLite, which counts the bits in Python over the owner's hashes.
    """
    media = pin.media
    if media.phash is None or media.color_l is None:
        return None
    colour = Oklab(l=media.color_l, a=media.color_a, b=media.color_b)
    candidates = pins_near_color(
        pins_visible_to(viewer).filter(owner=pin.owner_id, media__phash__isnull=False),
        colour,
    ).exclude(pk=pin.pk)
    if connection.vendor == "postgresql":
        distance = _HammingDistance(
            F("media__phash").bitxor(Cast(Value(media.phash), BigIntegerField()))
        )
        # Ids first: the owner's pins and their images' hashes come from covering indexes, so
        # an owner of tens of thousands of pins costs index entries, not rows.
        nearest = (
            candidates.alias(bits=distance)
            .filter(bits__lte=DUPLICATE_MAX_BITS)
            .order_by("bits", "pk")
            .values_list("pk", flat=True)
            .first()
        )
        return Pin.objects.select_related("board").filter(pk=nearest).first() if nearest else None
    near = [
        (hamming_distance(phash, media.phash), pk)
        for pk, phash in candidates.values_list("pk", "media__phash")
    ]
    bits, pk = min(near, default=(DUPLICATE_MAX_BITS + 1, None))
    if bits > DUPLICATE_MAX_BITS:
        return None
    return Pin.objects.select_related("board").filter(pk=pk).first()
