"""The process-wide graph snapshot behind "More like this", and the ranking of media over it.

The snapshot is built on first use, then kept current without blocking requests: every
RELATED_GRAPH_REFRESH_SECONDS a background thread adds the edges of pins newer than the
snapshot's high-water mark, and every RELATED_GRAPH_REBUILD_SECONDS it rebuilds everything, which
drops deleted pins and boards turned secret. A stale snapshot is safe: it only proposes
candidates, and every candidate goes through the visibility rule before anyone sees it.
RELATED_GRAPH_REFRESH_SECONDS=0 rebuilds synchronously before every use.
"""

import dataclasses
import io
import logging
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.db.models import BigIntegerField, BooleanField, ExpressionWrapper, FloatField, Q, Value
from django.db.models.functions import Cast, Coalesce

from boards.selectors import board_visibility_q
from catalog.response_cache import generation_bump
from pins.models import Pin
from pins.related_graph import (
    Graph,
    MediaFeatures,
    WalkResult,
    graph_build,
    graph_extend,
    random_walk,
    visually_nearest,
)

logger = logging.getLogger(__name__)

# The query pin leads; a viewer's recent saves nudge the walk toward their taste, the newest most.
PIN_WEIGHT = 1.0
RECENT_SAVE_WEIGHT = 0.4
RECENT_SAVE_DECAY = 0.8
# Pixie's early stop: enough candidates seen this often are a stable ranking.
VISITS_ENOUGH = 4
MAX_STEPS = 100_000


@dataclass(frozen=True)
class Snapshot:
    graph: Graph
    high_water: int  # the largest pin id loaded; a refresh loads the pins after it
    built_at: float  # time.monotonic() of the last full build
    refreshed_at: float  # time.monotonic() of the last refresh or build

    @property
    def version(self) -> tuple[int, int]:
        """Names the graph's content, so the same content walks the same way (page 2 agrees
        with page 1) and a changed graph walks afresh."""
        return (self.high_water, self.graph.n_edges)


@dataclass(frozen=True)
class EdgeRows:
    pin_ids: np.ndarray
    media_ids: np.ndarray
    board_ids: np.ndarray
    features: MediaFeatures


_ROW_DTYPE = np.dtype(
    [
        ("pin", np.int64),
        ("media", np.int64),
        ("board", np.int64),
        ("phash", np.int64),
        ("phash_known", bool),
        ("color_l", np.float64),
        ("color_a", np.float64),
        ("color_b", np.float64),
    ]
)
# PostgreSQL's binary COPY: per row a field count, then per field its length and big-endian bytes.
_COPY_FIELDS = [
    ("pin", ">i8"),
    ("media", ">i8"),
    ("board", ">i8"),
    ("phash", ">i8"),
    ("phash_known", "?"),
    ("color_l", ">f8"),
    ("color_a", ">f8"),
    ("color_b", ">f8"),
]
_COPY_DTYPE = np.dtype(
    [("fields", ">i2")]
    + [part for name, kind in _COPY_FIELDS for part in ((f"{name}_len", ">i4"), (name, kind))]
)
_COPY_SIGNATURE = b"PGCOPY\n\xff\r\n\x00"


def _public_edges(after: int):
    """Pins on public boards after a pin id: only these become edges, so a walk never reaches a
    secret pin, whoever asks."""
    return Pin.objects.filter(board_visibility_q(AnonymousUser(), via="board__"), pk__gt=after)


def _rows_from(records: np.ndarray) -> EdgeRows:
    return EdgeRows(
        pin_ids=records["pin"].astype(np.int64),
        media_ids=records["media"].astype(np.int64),
        board_ids=records["board"].astype(np.int64),
        features=MediaFeatures(
            ids=records["media"].astype(np.int64),
            phash=records["phash"].astype(np.int64).view(np.uint64),
            phash_known=records["phash_known"].astype(bool),
            color=np.stack(
                [records["color_l"], records["color_a"], records["color_b"]], axis=1
            ).astype(np.float32),
        ),
    )


def _load_postgresql(after: int) -> EdgeRows:
    """One binary COPY parsed by numpy, with no Python object per pin: about four times faster
    than fetching the rows (a second for 300,000 pins, most of it the join itself)."""
    nan = Value(float("nan"), output_field=FloatField())
    queryset = (
        _public_edges(after)
        .order_by()
        .values_list(
            Cast("pk", BigIntegerField()),
            Cast("media_id", BigIntegerField()),
            Cast("board_id", BigIntegerField()),
            Coalesce(Cast("media__phash", BigIntegerField()), Value(0)),
            ExpressionWrapper(Q(media__phash__isnull=False), output_field=BooleanField()),
            Coalesce(Cast("media__color_l", FloatField()), nan),
            Coalesce(Cast("media__color_a", FloatField()), nan),
            Coalesce(Cast("media__color_b", FloatField()), nan),
        )
    )
    sql, params = queryset.query.sql_with_params()
    output = io.BytesIO()
    with connection.cursor() as cursor:
        select = cursor.mogrify(sql, params).decode()
        cursor.cursor.copy_expert(f"COPY ({select}) TO STDOUT WITH (FORMAT binary)", output)
    data = output.getvalue()
    if not data.startswith(_COPY_SIGNATURE):
        raise RuntimeError("unexpected COPY output")
    header_end = 19 + int.from_bytes(data[15:19], "big")
    rows, extra = divmod(len(data) - header_end - 2, _COPY_DTYPE.itemsize)
    records = np.frombuffer(data, dtype=_COPY_DTYPE, offset=header_end, count=rows)
    lengths_match = all(
        (records[f"{name}_len"] == np.dtype(kind).itemsize).all() for name, kind in _COPY_FIELDS
    )
    if extra or not lengths_match or (records["fields"] != len(_COPY_FIELDS)).any():
        raise RuntimeError("unexpected COPY row layout")
    return _rows_from(records)


def _load_portable(after: int) -> EdgeRows:
    queryset = (
        _public_edges(after)
        .order_by()
        .values_list(
            "pk",
            "media_id",
            "board_id",
            "media__phash",
            "media__color_l",
            "media__color_a",
            "media__color_b",
        )
    )

    def rows() -> Iterable[tuple]:
        for pk, media, board, phash, light, green_red, blue_yellow in queryset.iterator(
            chunk_size=10_000
        ):
            yield (
                pk,
                media,
                board,
                phash or 0,
                phash is not None,
                np.nan if light is None else light,
                np.nan if green_red is None else green_red,
                np.nan if blue_yellow is None else blue_yellow,
            )

    return _rows_from(np.fromiter(rows(), dtype=_ROW_DTYPE))


def edges_load(*, after: int = 0) -> EdgeRows:
    """The edges (pins on public boards) with pin ids above `after`, with their media features."""
    if connection.vendor == "postgresql":
        return _load_postgresql(after)
    return _load_portable(after)


def snapshot_build() -> Snapshot:
    rows = edges_load()
    now = time.monotonic()
    return Snapshot(
        graph=graph_build(rows.media_ids, rows.board_ids, rows.features, rows.pin_ids),
        high_water=int(rows.pin_ids.max(initial=0)),
        built_at=now,
        refreshed_at=now,
    )


def snapshot_refresh(snapshot: Snapshot) -> Snapshot:
    """The snapshot with the pins added since it was loaded. A pin whose transaction commits
    after a newer pin was loaded is missed until the next full rebuild."""
    rows = edges_load(after=snapshot.high_water)
    now = time.monotonic()
    if not rows.pin_ids.size:
        return dataclasses.replace(snapshot, refreshed_at=now)
    return dataclasses.replace(
        snapshot,
        graph=graph_extend(
            snapshot.graph, rows.media_ids, rows.board_ids, rows.features, rows.pin_ids
        ),
        high_water=max(snapshot.high_water, int(rows.pin_ids.max())),
        refreshed_at=now,
    )


_snapshot: Snapshot | None = None
_build_lock = threading.Lock()
_refresh_lock = threading.Lock()
_refreshing = False


def _refresh_in_background() -> None:
    global _snapshot, _refreshing
    current = _snapshot
    try:
        if current is None or (
            time.monotonic() - current.built_at >= settings.RELATED_GRAPH_REBUILD_SECONDS
        ):
            _snapshot = snapshot_build()
        else:
            _snapshot = snapshot_refresh(current)
        if current is not None and _snapshot.version != current.version:
            # Kept pages list related pins from the old graph; the database's generation did not
            # change now (the new pins started one when they were written).
            generation_bump()
    except Exception:
        logger.exception("Refreshing the related-pins graph failed; keeping the previous one.")
        if current is not None:
            # Wait a full period before trying again rather than once per request.
            _snapshot = dataclasses.replace(current, refreshed_at=time.monotonic())
    finally:
        connection.close()  # this thread's own connection, which nothing else will close
        with _refresh_lock:
            _refreshing = False


def _start_refresh() -> None:
    global _refreshing
    with _refresh_lock:
        if _refreshing:
            return
        _refreshing = True
    threading.Thread(
        target=_refresh_in_background, name="related-graph-refresh", daemon=True
    ).start()


def current_snapshot() -> Snapshot:
    """The graph to walk: built now when there is none (or when refreshing is off), otherwise the
    current one, while a background thread brings it up to date when it is due."""
    global _snapshot
    period = settings.RELATED_GRAPH_REFRESH_SECONDS
    if period == 0:
        return snapshot_build()
    snapshot = _snapshot
    if snapshot is None:
        with _build_lock:
            if _snapshot is None:
                _snapshot = snapshot_build()
            return _snapshot
    if time.monotonic() - snapshot.refreshed_at >= period:
        _start_refresh()
    return snapshot


def snapshot_warm_in_background() -> threading.Thread:
    """Build the graph in a background thread now, so that the first visitor of a new web
    process does not wait seconds for it (catalog/wsgi.py calls this once the app is loaded)."""

    def warm() -> None:
        try:
            current_snapshot()
        except Exception:
            logger.exception("Building the related-pins graph failed; the first request will.")
        finally:
            connection.close()  # this thread's own connection, which nothing else will close

    thread = threading.Thread(target=warm, name="related-graph-warm", daemon=True)
    thread.start()
    return thread


def query_weights(recent_media: Sequence[int], *, lead: float | None) -> list[float]:
    """Weights of the query images: the lead (the pin itself) if any, then each recent save,
    newest first, a little less each."""
    leading = [lead] if lead is not None else []
    return leading + [RECENT_SAVE_WEIGHT * RECENT_SAVE_DECAY**n for n in range(len(recent_media))]


def _with_pins(snapshot: Snapshot, media_ids: np.ndarray) -> list[tuple[int, int]]:
    pins = snapshot.graph.media_pin[snapshot.graph.media_index(media_ids)]
    return list(zip(media_ids.tolist(), pins.tolist(), strict=True))


def _walk(
    snapshot: Snapshot,
    queries: Sequence[int],
    weights: Sequence[float],
    seed: Sequence[int],
    count: int,
) -> WalkResult:
    # The graph's version is part of the seed: the same graph walks the same way for every page.
    return random_walk(
        snapshot.graph,
        queries,
        weights,
        seed=[*seed, *snapshot.version],
        n_p=count,
        n_v=VISITS_ENOUGH,
        max_steps=MAX_STEPS,
    )


def related_candidates(
    snapshot: Snapshot,
    *,
    media_id: int,
    phash: int | None,
    color: Sequence[float | None] | None,
    recent_media: Sequence[int],
    seed: Sequence[int],
    count: int,
) -> list[tuple[int, int]]:
    """Up to `count` images like `media_id`, best first, each with the pin that stands for it
    (its oldest public one): what walks from it (and from the viewer's recent saves) reach, then
    pictures that look like it. Neither the image itself nor the recent saves are among them."""
    queries = [media_id, *recent_media]
    walk = _walk(snapshot, queries, query_weights(recent_media, lead=PIN_WEIGHT), seed, count)
    ranked = walk.media_ids[:count]
    if ranked.size < count:
        lookalikes = visually_nearest(
            snapshot.graph,
            phash=phash,
            color=color,
            exclude=np.concatenate([np.asarray(queries, dtype=np.int64), walk.media_ids]),
            limit=count - ranked.size,
        )
        ranked = np.concatenate([ranked, lookalikes])
    return _with_pins(snapshot, ranked)


def candidates_for_recent_saves(
    snapshot: Snapshot, *, recent_media: Sequence[int], seed: Sequence[int], count: int
) -> list[tuple[int, int]]:
    """Up to `count` images that walks from a user's recent saves reach, best first, each with
    the pin that stands for it."""
    walk = _walk(snapshot, recent_media, query_weights(recent_media, lead=None), seed, count)
    return _with_pins(snapshot, walk.media_ids[:count])
