"""Who owns what in a synthetic catalog: skewed weights, board sections and saves, drawn in bulk.

Board sizes and pin popularity follow power laws, so a few boards and pins are huge and most are
tiny: that skew is what makes discovery slow or fast.
"""

from dataclasses import dataclass

import numpy as np

from catalog.synthetic.texts import Texts, title_case
from catalog.synthetic.vocabulary import zipf_weights

SECONDS_PER_DAY = 86_400


def weighted(rng: np.random.Generator, count: int, exponent: float) -> np.ndarray:
    """Power-law probabilities over `count` items in a random order (the big ones are anywhere)."""
    weights = np.empty(count)
    weights[rng.permutation(count)] = zipf_weights(count, exponent)
    return weights


def days(rng: np.random.Generator, count: int, days: float) -> np.ndarray:
    return (rng.random(count) * days * SECONDS_PER_DAY).astype("timedelta64[s]")


def unique_within(names: list[str], groups: list[int], taken: set[tuple[int, str]]) -> list[str]:
    """Names made unique within each group (a board's owner, a section's board), ignoring case,
    as the constraints require."""
    out = []
    for name, group in zip(names, groups, strict=True):
        candidate, number = name, 1
        while (group, candidate.lower()) in taken:
            number += 1
            candidate = f"{name} {number}"
        taken.add((group, candidate.lower()))
        out.append(candidate)
    return out


@dataclass(frozen=True)
class Sections:
    board: np.ndarray  # board index of each section
    names: list[str]
    position: np.ndarray
    first: np.ndarray  # per board: index of its first section
    count_of: np.ndarray  # per board: how many sections it has

    @property
    def count(self) -> int:
        return len(self.board)


def board_sections(rng: np.random.Generator, texts: Texts, board_weight: np.ndarray) -> Sections:
    """Two to six sections on some boards, more often on big ones."""
    boards = len(board_weight)
    big = board_weight >= np.quantile(board_weight, 0.8)
    count_of = np.where(
        rng.random(boards) < np.where(big, 0.5, 0.1), rng.integers(2, 7, size=boards), 0
    )
    first = np.concatenate([[0], np.cumsum(count_of)[:-1]])
    board = np.repeat(np.arange(boards), count_of)
    position = np.arange(len(board)) - first[board]
    names = unique_within(
        [title_case(words) for words in texts.content(np.ones(len(board), dtype=np.int64))],
        board.tolist(),
        set(),
    )
    return Sections(board=board, names=names, position=position, first=first, count_of=count_of)


def repins(
    rng: np.random.Generator,
    target: int,
    o_board: np.ndarray,
    popularity: np.ndarray,
    board_weight: np.ndarray,
    bench_boards: int,
) -> tuple[np.ndarray, np.ndarray]:
    """(parent, board) index pairs of saves: popular pins saved most, each at most once per board,
    never onto the board it came from."""
    boards = len(board_weight)
    parents = np.empty(0, dtype=np.int64)
    targets = np.empty(0, dtype=np.int64)
    for attempt in range(30):
        wanted = target - len(parents)
        if wanted <= 0:
            break
        size = int(wanted * 1.3) + 16
        # Late rounds pick parents evenly: the popular pins' slots may be used up.
        p = popularity if attempt < 20 else None
        parent = rng.choice(len(o_board), size=size, p=p)
        board = rng.choice(boards, size=size, p=board_weight)
        if attempt == 0 and bench_boards:
            # The benchmark user saves too, so its home and boards have fresh saves.
            mine = min(size, max(3, target // 50))
            board[:mine] = rng.integers(0, bench_boards, size=mine)
        keep = board != o_board[parent]
        parents = np.concatenate([parents, parent[keep]])
        targets = np.concatenate([targets, board[keep]])
        _, first = np.unique(parents * boards + targets, return_index=True)
        first.sort()
        parents, targets = parents[first][:target], targets[first][:target]
    return parents, targets
