"""The pin/board graph behind "More like this", and Pixie-style random walks over it.

Pure numpy, no Django. Nodes are images (media records) and boards; one edge per pin, between its
media and its board. A repin shares its parent's media, so saving a pin links the parent's image
to the saving board. Both directions are compressed sparse rows (CSR) with int32 offsets, so a
catalog of a million pins fits in a few tens of megabytes and a walk step is a handful of vector
operations over all walkers at once.

The walk follows Eksombatchai et al., "Pixie: A System for Recommending 3+ Billion Items to 200+
Million Users in Real-Time" (WWW 2018): walkers restart at their query image with probability
`alpha` after every image -> board -> image step, steps are shared among query images by weight,
visits are counted per query, scores combine queries with Pixie's boost (Σ_q √count)², and the
walk stops early once enough candidates have been visited often enough.
"""

from collections.abc import Sequence
from dataclasses import dataclass, fields

import numpy as np

# An unknown perceptual hash is as far as two unrelated pictures are on average (32 of 64 bits);
# an unknown colour costs less, so a near-duplicate whose colour is not known yet still counts.
UNKNOWN_HASH_DISTANCE = 0.5
UNKNOWN_COLOR_DISTANCE = 0.25
# Beyond this, a picture is no longer "like" the query: a near-duplicate (under ~10 differing
# bits) is well within it, as is an unrelated picture of nearly the same colour.
VISUAL_MAX_DISTANCE = 0.6
# Walkers move together as one vector; more of them means fewer, larger numpy steps for the
# same budget (the per-step overhead, not the arithmetic, is what costs).
WALKERS = 2048


@dataclass(frozen=True)
class MediaFeatures:
    """Per-image features for cold starts, in the order of `ids` (which may repeat: the first
    occurrence of an id wins)."""

    ids: np.ndarray  # int64 media ids
    phash: np.ndarray  # uint64 perceptual hashes (0 where unknown)
    phash_known: np.ndarray  # bool
    color: np.ndarray  # float32 (n, 3) OKLab; NaN where unknown

    @classmethod
    def empty(cls) -> "MediaFeatures":
        return cls(
            ids=np.empty(0, np.int64),
            phash=np.empty(0, np.uint64),
            phash_known=np.empty(0, bool),
            color=np.empty((0, 3), np.float32),
        )

    @classmethod
    def concatenate(cls, *parts: "MediaFeatures") -> "MediaFeatures":
        return cls(
            ids=np.concatenate([part.ids for part in parts]),
            phash=np.concatenate([part.phash for part in parts]),
            phash_known=np.concatenate([part.phash_known for part in parts]),
            color=np.concatenate([part.color for part in parts]),
        )


@dataclass(frozen=True)
class Graph:
    """The bipartite image/board graph in CSR form, indexed densely by sorted ids."""

    media_ids: np.ndarray  # int64, sorted unique: dense media index -> media id
    board_ids: np.ndarray  # int64, sorted unique: dense board index -> board id
    media_indptr: np.ndarray  # int32 (n_media + 1): boards of media i are ...
    media_boards: np.ndarray  # int32 (edges): ... media_boards[media_indptr[i]:media_indptr[i+1]]
    board_indptr: np.ndarray  # int32 (n_boards + 1)
    board_media: np.ndarray  # int32 (edges)
    phash: np.ndarray  # uint64 per media node
    phash_known: np.ndarray  # bool per media node
    color: np.ndarray  # float32 (n_media, 3), NaN where unknown
    # The smallest pin id per media node (its original, as pins are numbered in order), which
    # stands for the image in results; -1 where no pin ids were given.
    media_pin: np.ndarray  # int64

    @property
    def n_media(self) -> int:
        return int(self.media_ids.size)

    @property
    def n_edges(self) -> int:
        return int(self.media_boards.size)

    @property
    def nbytes(self) -> int:
        """Memory held by the arrays (the whole cost of a snapshot)."""
        return sum(getattr(self, field.name).nbytes for field in fields(self))

    def media_index(self, media_ids: Sequence[int] | np.ndarray) -> np.ndarray:
        """Dense indices of `media_ids`, -1 for ids that are not in the graph."""
        ids = np.asarray(media_ids, dtype=np.int64)
        index = np.searchsorted(self.media_ids, ids)
        clipped = np.minimum(index, max(self.n_media - 1, 0))
        if not self.n_media:
            return np.full(ids.shape, -1, dtype=np.int64)
        found = (index < self.n_media) & (self.media_ids[clipped] == ids)
        return np.where(found, index, -1)

    def edges(self) -> tuple[np.ndarray, np.ndarray]:
        """The (media id, board id) pairs the graph was built from, without duplicates."""
        degree = np.diff(self.media_indptr)
        media = np.repeat(self.media_ids, degree)
        return media, self.board_ids[self.media_boards]

    def features(self) -> MediaFeatures:
        return MediaFeatures(
            ids=self.media_ids, phash=self.phash, phash_known=self.phash_known, color=self.color
        )


def _sorted_unique(values: np.ndarray) -> np.ndarray:
    """np.unique for a large integer array: sort, then keep each first. numpy's hash-based
    unique takes several times longer on a million edges."""
    ordered = np.sort(values)
    if ordered.size == 0:
        return ordered
    keep = np.empty(ordered.size, dtype=bool)
    keep[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=keep[1:])
    return ordered[keep]


def _csr(rows: np.ndarray, cols: np.ndarray, n_rows: int) -> tuple[np.ndarray, np.ndarray]:
    """Offsets and column indices of a sparse matrix from its (row, col) pairs: a stable argsort
    on the row groups the pairs in O(E log E) numpy, and a bincount gives the offsets."""
    order = np.argsort(rows, kind="stable")
    indptr = np.zeros(n_rows + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=n_rows), out=indptr[1:])
    return indptr.astype(np.int32), cols[order].astype(np.int32)


def graph_build(
    edge_media: np.ndarray,
    edge_boards: np.ndarray,
    features: MediaFeatures | None = None,
    edge_pins: np.ndarray | None = None,
) -> Graph:
    """The graph of the given edges (int64 media ids and board ids, one pair per pin, and the
    pins' ids when known).

    Repeated pairs (the same image pinned twice to one board) make a single edge, so a board
    full of copies does not pull walkers harder. Features are looked up for every media node;
    media missing from `features` have unknown hash and colour.
    """
    edge_media = np.asarray(edge_media, dtype=np.int64)
    edge_boards = np.asarray(edge_boards, dtype=np.int64)
    if edge_media.shape != edge_boards.shape:
        raise ValueError("edge_media and edge_boards must have the same length")
    media_ids = _sorted_unique(edge_media)
    board_ids = _sorted_unique(edge_boards)
    n_media, n_boards = media_ids.size, board_ids.size
    # Sorted unique pairs come out grouped by media, then by board: the media -> boards rows.
    width = max(n_boards, 1)
    pairs = _sorted_unique(
        np.searchsorted(media_ids, edge_media) * width + np.searchsorted(board_ids, edge_boards)
    )
    media_index, board_index = pairs // width, pairs % width
    media_indptr, media_boards = _csr(media_index, board_index, n_media)
    board_indptr, board_media = _csr(board_index, media_index, n_boards)

    media_pin = np.full(n_media, -1, dtype=np.int64)
    if edge_pins is not None and n_media:
        media_pin[:] = np.iinfo(np.int64).max
        np.minimum.at(
            media_pin, np.searchsorted(media_ids, edge_media), np.asarray(edge_pins, np.int64)
        )

    features = features or MediaFeatures.empty()
    phash = np.zeros(n_media, dtype=np.uint64)
    phash_known = np.zeros(n_media, dtype=bool)
    color = np.full((n_media, 3), np.nan, dtype=np.float32)
    if features.ids.size and n_media:
        known_ids, first = np.unique(features.ids, return_index=True)
        position = np.searchsorted(known_ids, media_ids)
        clipped = np.minimum(position, known_ids.size - 1)
        found = (position < known_ids.size) & (known_ids[clipped] == media_ids)
        source = first[clipped[found]]
        phash[found] = features.phash[source]
        phash_known[found] = features.phash_known[source]
        color[found] = features.color[source]
    return Graph(
        media_ids=media_ids,
        board_ids=board_ids,
        media_indptr=media_indptr,
        media_boards=media_boards,
        board_indptr=board_indptr,
        board_media=board_media,
        phash=phash,
        phash_known=phash_known,
        color=color,
        media_pin=media_pin,
    )


def graph_extend(
    graph: Graph,
    edge_media: np.ndarray,
    edge_boards: np.ndarray,
    features: MediaFeatures,
    edge_pins: np.ndarray,
) -> Graph:
    """The graph with more edges; the new features replace older ones of the same media (an
    image processed since it was first loaded)."""
    old_media, old_boards = graph.edges()
    # Each old edge stands for its image's smallest pin, so the minimum carries over.
    old_pins = graph.media_pin[graph.media_index(old_media)]
    return graph_build(
        np.concatenate([old_media, np.asarray(edge_media, dtype=np.int64)]),
        np.concatenate([old_boards, np.asarray(edge_boards, dtype=np.int64)]),
        MediaFeatures.concatenate(features, graph.features()),
        np.concatenate([old_pins, np.asarray(edge_pins, dtype=np.int64)]),
    )


@dataclass(frozen=True)
class WalkResult:
    media_ids: np.ndarray  # int64 candidate media ids, best first
    scores: np.ndarray  # float64 boosted visit counts, same order
    steps: int  # image -> board -> image steps taken, over all walkers


def _random_below(rng: np.random.Generator, upper: np.ndarray) -> np.ndarray:
    """A uniform integer in [0, upper) for each entry (0 where upper is 0)."""
    pick = (rng.random(upper.size) * upper).astype(np.int64)
    return np.minimum(pick, np.maximum(upper - 1, 0))


def random_walk(
    graph: Graph,
    queries: Sequence[int],
    weights: Sequence[float],
    *,
    seed: Sequence[int],
    n_p: int,
    n_v: int = 4,
    alpha: float = 0.5,
    max_steps: int = 100_000,
    walkers: int = WALKERS,
) -> WalkResult:
    """Media reached from the query media by random walks with restarts, best first.

    Every query image gets walkers in proportion to its weight (at least one), so its share of
    the `max_steps` budget follows its weight, and all walk in step: at most
    max_steps / walkers iterations, whatever the number of queries. All stop once `n_p`
    candidates have been visited `n_v` times in all (Pixie's early stop). The query images
    themselves are never candidates. The same graph, queries and `seed` give the same
    result.
    """
    query_ids = np.asarray(queries, dtype=np.int64)
    query_weights = np.asarray(weights, dtype=np.float64)
    if query_ids.shape != query_weights.shape:
        raise ValueError("queries and weights must have the same length")
    index = graph.media_index(query_ids)
    keep = (index >= 0) & (query_weights > 0)
    empty = WalkResult(media_ids=np.empty(0, np.int64), scores=np.empty(0), steps=0)
    if not keep.any():
        return empty
    # The same image asked twice (the pin and a recent save of it) is one query of both weights.
    nodes, inverse = np.unique(index[keep], return_inverse=True)
    node_weights = np.bincount(inverse, weights=query_weights[keep])
    n_queries, n_media = nodes.size, graph.n_media

    share = np.maximum(1, np.rint(walkers * node_weights / node_weights.sum())).astype(np.int64)
    walker_query = np.repeat(np.arange(n_queries), share)
    home = nodes[walker_query]
    current = home.copy()
    is_query = np.zeros(n_media, dtype=bool)
    is_query[nodes] = True
    # Each query's walkers spend its share of the budget in the same number of iterations, so a
    # light query (a recent save) cannot keep a handful of walkers going for hundreds of rounds.
    iterations = -(-max_steps // int(share.sum()))
    # Visits from all queries, for the early stop; zero pages are mapped lazily, so only the
    # nodes walked to cost memory.
    total = np.zeros(n_media, dtype=np.int32)
    satisfied = 0
    visited: list[np.ndarray] = []
    rng = np.random.default_rng([int(part) & (2**63 - 1) for part in seed])
    m_indptr, b_indptr = graph.media_indptr, graph.board_indptr
    steps = 0
    for _ in range(iterations):
        degree = m_indptr[current + 1] - m_indptr[current]
        alive = degree > 0  # a dead end (no board) restarts instead of stepping
        board = graph.media_boards[
            np.where(alive, m_indptr[current], 0) + _random_below(rng, degree)
        ]
        board_degree = b_indptr[board + 1] - b_indptr[board]
        arrived = graph.board_media[b_indptr[board] + _random_below(rng, board_degree)]
        arrived = np.where(alive, arrived, home)
        steps += walker_query.size

        counted = alive & ~is_query[arrived]
        # Per-query visits are counted once, at the end, from this log of (query, image) keys.
        visited.append(walker_query[counted] * n_media + arrived[counted])
        reached, times = np.unique(arrived[counted], return_counts=True)
        before = total[reached]
        total[reached] = before + times
        satisfied += int(np.count_nonzero((before < n_v) & (before + times >= n_v)))
        if satisfied >= n_p:
            break
        current = np.where(rng.random(walker_query.size) < alpha, home, arrived)

    if not visited:
        return empty
    keys, counts = np.unique(np.concatenate(visited), return_counts=True)
    candidates, per_candidate = np.unique(keys % n_media, return_inverse=True)
    # Pixie's boost: a candidate reached from several queries beats one reached as often from one.
    scores = np.bincount(per_candidate, weights=np.sqrt(counts)) ** 2
    order = np.lexsort((graph.media_ids[candidates], -scores))
    return WalkResult(
        media_ids=graph.media_ids[candidates[order]], scores=scores[order], steps=steps
    )


def phash_unsigned(phash: int) -> np.uint64:
    """MediaRecord.phash is stored signed to fit a bigint; the bits are what count."""
    return np.array([phash], dtype=np.int64).view(np.uint64)[0]


def visual_distances(
    graph: Graph, *, phash: int | None, color: Sequence[float] | None
) -> np.ndarray:
    """For every media node, how different it looks from a picture with this hash and OKLab
    colour: the share of differing hash bits (0 to 1) plus the OKLab distance."""
    if phash is None:
        hash_distance = np.full(graph.n_media, UNKNOWN_HASH_DISTANCE)
    else:
        bits = np.bitwise_count(graph.phash ^ phash_unsigned(phash)) / 64.0
        hash_distance = np.where(graph.phash_known, bits, UNKNOWN_HASH_DISTANCE)
    if color is None or any(value is None or np.isnan(value) for value in color):
        color_distance = np.full(graph.n_media, UNKNOWN_COLOR_DISTANCE)
    else:
        delta = graph.color.astype(np.float64) - np.asarray(color, dtype=np.float64)
        color_distance = np.nan_to_num(np.sqrt((delta**2).sum(axis=1)), nan=UNKNOWN_COLOR_DISTANCE)
    return hash_distance + color_distance


def visually_nearest(
    graph: Graph,
    *,
    phash: int | None,
    color: Sequence[float] | None,
    exclude: Sequence[int] | np.ndarray = (),
    limit: int,
    max_distance: float = VISUAL_MAX_DISTANCE,
) -> np.ndarray:
    """Up to `limit` media ids that look most like the given hash and colour, nearest first,
    none further than `max_distance` and none in `exclude`."""
    if limit <= 0 or not graph.n_media:
        return np.empty(0, np.int64)
    distance = visual_distances(graph, phash=phash, color=color)
    excluded = graph.media_index(exclude)
    distance[excluded[excluded >= 0]] = np.inf
    close = np.flatnonzero(distance <= max_distance)
    if close.size > limit:
        close = close[np.argpartition(distance[close], limit - 1)[:limit]]
    order = np.lexsort((graph.media_ids[close], distance[close]))
    return graph.media_ids[close[order]]
