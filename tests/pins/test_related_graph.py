"""The pin/board graph and its random walks, as pure numpy: no database."""

import numpy as np
import pytest

from pins.related_graph import (
    Graph,
    MediaFeatures,
    graph_build,
    graph_extend,
    phash_unsigned,
    random_walk,
    visual_distances,
    visually_nearest,
)


def build(edges: list[tuple[int, int]], features: MediaFeatures | None = None) -> Graph:
    media, boards = zip(*edges, strict=True)
    return graph_build(np.array(media), np.array(boards), features)


def boards_of(graph: Graph, media_id: int) -> set[int]:
    i = int(graph.media_index([media_id])[0])
    rows = graph.media_boards[graph.media_indptr[i] : graph.media_indptr[i + 1]]
    return set(graph.board_ids[rows].tolist())


def media_of(graph: Graph, board_id: int) -> set[int]:
    i = int(np.searchsorted(graph.board_ids, board_id))
    rows = graph.board_media[graph.board_indptr[i] : graph.board_indptr[i + 1]]
    return set(graph.media_ids[rows].tolist())


def features(rows: dict[int, tuple[int | None, tuple[float, float, float] | None]]):
    ids = np.array(list(rows), dtype=np.int64)
    hashes = [phash for phash, _ in rows.values()]
    colors = [color or (np.nan, np.nan, np.nan) for _, color in rows.values()]
    return MediaFeatures(
        ids=ids,
        phash=np.array([phash_unsigned(h or 0) for h in hashes], dtype=np.uint64),
        phash_known=np.array([h is not None for h in hashes]),
        color=np.array(colors, dtype=np.float32),
    )


# Boards 100 and 101 both hold images 1, 2 and 3; board 102 holds 1 and 4; 5 is alone on 103.
EDGES = [(1, 100), (2, 100), (3, 100), (1, 101), (2, 101), (3, 101), (1, 102), (4, 102), (5, 103)]


def test_both_csr_directions_hold_exactly_the_edges():
    graph = build(EDGES)

    assert graph.media_ids.tolist() == [1, 2, 3, 4, 5]
    assert graph.board_ids.tolist() == [100, 101, 102, 103]
    assert graph.media_indptr.dtype == np.int32 and graph.board_media.dtype == np.int32
    assert boards_of(graph, 1) == {100, 101, 102}
    assert boards_of(graph, 4) == {102}
    assert media_of(graph, 100) == {1, 2, 3}
    assert media_of(graph, 103) == {5}
    assert sorted(zip(*(a.tolist() for a in graph.edges()), strict=True)) == sorted(EDGES)


def test_an_image_pinned_twice_to_one_board_is_one_edge():
    graph = build([(1, 100), (1, 100), (2, 100)])

    assert graph.n_edges == 2
    assert np.diff(graph.board_indptr).tolist() == [2]


def test_ids_not_in_the_graph_have_no_index():
    graph = build(EDGES)

    assert graph.media_index([3, 99, 0]).tolist() == [2, -1, -1]
    assert build([(1, 1)]).media_index([2]).tolist() == [-1]


def test_features_are_kept_per_image_and_missing_ones_are_unknown():
    graph = build(EDGES, features({2: (-5, (0.5, 0.1, -0.1)), 3: (None, None)}))

    i = graph.media_index([1, 2, 3]).tolist()
    assert graph.phash[i[1]] == phash_unsigned(-5) == np.uint64(2**64 - 5)
    assert graph.phash_known[i].tolist() == [False, True, False]
    assert graph.color[i[1]] == pytest.approx([0.5, 0.1, -0.1])
    assert np.isnan(graph.color[i[0]]).all() and np.isnan(graph.color[i[2]]).all()


def test_each_image_is_represented_by_its_smallest_pin_id():
    media, boards = np.array([1, 2, 1, 2, 3]), np.array([100, 100, 101, 101, 101])

    graph = graph_build(media, boards, edge_pins=np.array([50, 51, 12, 90, 7]))

    assert graph.media_pin.tolist() == [12, 51, 7]
    assert graph_build(media, boards).media_pin.tolist() == [-1, -1, -1]


def test_extending_adds_edges_and_newer_features_win_and_keeps_the_smallest_pins():
    graph = graph_build(
        np.array([1, 2, 5]),
        np.array([100, 100, 103]),
        features({2: (7, None)}),
        np.array([3, 4, 5]),
    )

    extended = graph_extend(
        graph, np.array([2, 6]), np.array([103, 103]), features({2: (9, None)}), np.array([8, 9])
    )

    assert media_of(extended, 103) == {2, 5, 6}
    assert extended.n_edges == graph.n_edges + 2
    assert extended.phash[extended.media_index([2])[0]] == 9
    assert extended.media_pin.tolist() == [3, 4, 5, 9]


def walk(graph: Graph, queries, weights=None, **options):
    options = {"seed": [1, 2, 3], "n_p": 10, **options}
    return random_walk(graph, queries, weights or [1.0] * len(queries), **options)


def test_a_walk_reaches_the_images_sharing_boards_and_never_returns_the_query():
    result = walk(build(EDGES), [1])

    assert set(result.media_ids.tolist()) == {2, 3, 4}
    assert 1 not in result.media_ids and 5 not in result.media_ids
    assert (np.diff(result.scores) <= 0).all()


def test_an_image_sharing_more_boards_ranks_higher():
    # 2 shares boards 100 and 101 with 1; 4 shares only 102.
    result = walk(build(EDGES), [1], n_p=1000, max_steps=20_000)

    ranked = result.media_ids.tolist()
    assert ranked.index(2) < ranked.index(4) and ranked.index(3) < ranked.index(4)


def test_boost_ranks_an_image_reached_from_two_queries_above_one_reached_from_one():
    # From 1: 2 and 3 each on one board with it. From 9: 3 and 8 on one board with it.
    graph = build([(1, 100), (2, 100), (3, 100), (9, 200), (3, 200), (8, 200)])

    result = walk(graph, [1, 9], n_p=1000, max_steps=20_000)

    ranked = result.media_ids.tolist()
    assert ranked[0] == 3
    assert set(ranked) == {2, 3, 8}


def test_a_query_with_more_weight_gets_more_of_the_steps():
    graph = build([(1, 100), (2, 100), (9, 200), (8, 200)])

    result = walk(graph, [1, 9], weights=[1.0, 0.2], n_p=1000, max_steps=20_000)

    scores = dict(zip(result.media_ids.tolist(), result.scores.tolist(), strict=True))
    assert scores[2] > 3 * scores[8]


def test_the_walk_stops_early_once_enough_candidates_are_visited_often_enough():
    graph = build(EDGES)

    early = walk(graph, [1], n_p=2, n_v=4, max_steps=100_000)
    budget = walk(graph, [1], n_p=50, n_v=4, max_steps=10_000)

    assert early.steps < 5_000
    assert 10_000 <= budget.steps < 10_000 + 512


def test_the_same_seed_walks_the_same_way_and_another_seed_differently():
    rng = np.random.default_rng(7)
    graph = graph_build(rng.integers(1, 400, 3000), rng.integers(1, 300, 3000))
    query = [int(graph.media_ids[0])]

    first = walk(graph, query, seed=[5, 0, 1], n_p=100)
    again = walk(graph, query, seed=[5, 0, 1], n_p=100)
    other = walk(graph, query, seed=[6, 0, 1], n_p=100)

    assert first.media_ids.tolist() == again.media_ids.tolist()
    assert first.scores.tolist() == again.scores.tolist()
    assert first.scores.tolist() != other.scores.tolist()


def test_queries_outside_the_graph_walk_nowhere():
    result = walk(build(EDGES), [42])

    assert result.media_ids.size == 0 and result.steps == 0


def test_an_image_alone_on_its_board_reaches_nothing():
    result = walk(build(EDGES), [5], max_steps=2_000)

    assert result.media_ids.size == 0


def test_a_walk_never_loops_per_step_in_python_over_many_walkers():
    """100k steps on a graph of 20k pins take well under a second (one vector step per
    iteration, 512 walkers at a time)."""
    rng = np.random.default_rng(3)
    graph = graph_build(rng.integers(1, 15_000, 20_000), rng.integers(1, 2_000, 20_000))

    result = walk(graph, [int(graph.media_ids[0])], n_p=10_000, max_steps=100_000)

    assert result.steps >= 100_000
    assert result.media_ids.size > 100


def test_a_million_pins_fit_in_well_under_200_mb():
    rng = np.random.default_rng(11)
    n = 1_000_000
    media = rng.integers(1, 700_000, n)
    graph = graph_build(
        media,
        rng.integers(1, 100_000, n),
        MediaFeatures(
            ids=media,
            phash=rng.integers(0, 2**63, n).astype(np.uint64),
            phash_known=np.ones(n, bool),
            color=rng.random((n, 3)).astype(np.float32),
        ),
    )

    assert graph.nbytes < 40 * 1024 * 1024


def test_a_near_duplicate_is_nearest_then_the_same_colour_and_far_ones_not_at_all():
    red, blue = (0.63, 0.22, 0.13), (0.45, -0.03, -0.31)
    base = 0x0123_4567_89AB_CDEF
    other = base ^ 0xFFFF_FFFF  # half the bits differ, as between unrelated pictures
    graph = build(
        [(n, 100 + n) for n in (1, 2, 3, 4, 5)],
        features(
            {
                1: (base ^ 0b111, (0.6, 0.2, 0.12)),  # the same picture, re-encoded
                2: (other, red),  # another picture of the same colour
                3: (other, blue),  # another picture, another colour
                4: (base, None),  # the same picture, colour not known yet
                5: (None, None),  # nothing known
            }
        ),
    )

    nearest = visually_nearest(graph, phash=base, color=red, limit=10)

    assert nearest.tolist() == [1, 4, 2]


def test_lookalikes_skip_excluded_images_and_stop_at_the_limit():
    graph = build([(n, 100) for n in range(1, 30)], features({n: (n, None) for n in range(1, 30)}))

    nearest = visually_nearest(graph, phash=1, color=None, exclude=[1, 3], limit=3)

    assert nearest.tolist() == [5, 9, 17]  # one bit from 1: 0b101, 0b1001, 0b10001


def test_unknown_hash_or_colour_counts_as_a_middling_distance():
    graph = build([(1, 100)], features({1: (None, None)}))

    assert visual_distances(graph, phash=3, color=(0.5, 0.0, 0.0)).tolist() == [0.75]
