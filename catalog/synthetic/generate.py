"""A synthetic catalog in one transaction: users, boards, sections, media, renditions, pins, saves
and follows, with ids continuing after the largest already there."""

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

import numpy as np
from django.contrib.auth.hashers import make_password
from django.db import connection, models, transaction
from django.utils.text import slugify

from accounts.models import User
from boards.models import Board, BoardSection
from catalog.synthetic.assets import media_table, renditions_table, saved_assets
from catalog.synthetic.features import clustered_phashes
from catalog.synthetic.follows import counters, follow_rows, follows_app_models
from catalog.synthetic.structure import (
    SECONDS_PER_DAY,
    board_sections,
    days,
    repins,
    unique_within,
    weighted,
)
from catalog.synthetic.texts import Texts
from catalog.synthetic.vocabulary import vocabulary
from catalog.synthetic.writer import (
    GenerationError,
    Progress,
    Table,
    Writer,
    create_indexes,
    drop_secondary_indexes,
    lock_tables,
    next_id,
    reset_sequences,
)
from media_pipeline import imaging
from media_pipeline.models import MediaRecord, Rendition
from pins.models import Pin

BENCH_USERNAME = "bench"
BENCH_PASSWORD = "bench"  # noqa: S105 - a documented login for local benchmark databases only

HISTORY_DAYS = 3 * 365
REPIN_SHARE = 0.35
SECTION_SHARE = 0.6  # of the pins on a board that has sections
RENDITIONS_PER_MEDIA = 2 * len(imaging.RENDITIONS)
ROWS_PER_BATCH = 50_000


@dataclass(frozen=True)
class CatalogSpec:
    pins: int
    users: int
    boards: int
    seed: int = 1
    secret_share: float = 0.05

    def check(self) -> None:
        for name in ("pins", "users", "boards"):
            if getattr(self, name) < 1:
                raise GenerationError(f"--{name} must be a positive integer")
        if not 0 <= self.secret_share <= 1:
            raise GenerationError("--secret-share must be between 0 and 1")


@dataclass
class GenerationResult:
    users: int = 0
    boards: int = 0
    sections: int = 0
    media: int = 0
    renditions: int = 0
    pins: int = 0
    repins: int = 0
    follows: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


@transaction.atomic
def catalog_generate(*, spec: CatalogSpec, progress: Progress | None = None) -> GenerationResult:
    """Add a synthetic catalog of `spec.pins` pins (and its users, boards, sections, media,
    renditions and follows) to the database, in one transaction."""
    spec.check()
    started = time.monotonic()
    follow_models = [m for m in follows_app_models() if m is not None]
    written = [User, Board, BoardSection, MediaRecord, Rendition, Pin, *follow_models]
    lock_tables(written)
    rng = np.random.default_rng(spec.seed)
    texts = Texts(rng, vocabulary())
    now = np.datetime64(datetime.now(UTC).replace(tzinfo=None), "s")
    history_start = now - np.timedelta64(HISTORY_DAYS, "D")

    # Users: the generated ones, then the benchmark login unless it exists.
    user_base = next_id(User)
    user_ids = np.arange(user_base, user_base + spec.users)
    first_words = texts.words.content[rng.integers(0, 300, size=spec.users)].tolist()
    second_words = texts.words.content[rng.integers(0, 600, size=spec.users)].tolist()
    usernames = [
        f"{a[:10]}_{b[:10]}{uid}"
        for a, b, uid in zip(first_words, second_words, user_ids.tolist(), strict=True)
    ]
    # Generated people cannot log in: one unusable hash is as good as one each.
    passwords = [make_password(None)] * spec.users
    bench = User.objects.filter(username__iexact=BENCH_USERNAME).first()
    if bench is None:
        bench_id = user_base + spec.users
        user_ids = np.append(user_ids, bench_id)
        usernames.append(BENCH_USERNAME)
        passwords.append(make_password(BENCH_PASSWORD))
    else:
        bench_id = bench.pk
    user_weight = weighted(rng, len(user_ids), 0.7)

    # Boards: a few people curate dozens; sizes are skewed harder still.
    board_base = next_id(Board)
    board_ids = np.arange(board_base, board_base + spec.boards)
    board_owner = user_ids[: spec.users][
        rng.choice(spec.users, size=spec.boards, p=weighted(rng, spec.users, 0.7))
    ]
    bench_boards = min(spec.boards, max(1, min(8, spec.boards // 20)))
    board_owner[:bench_boards] = bench_id
    secret = rng.random(spec.boards) < spec.secret_share
    if bench_boards > 1:
        secret[bench_boards - 1] = True  # so the benchmark login has secret pins to see
    board_weight = weighted(rng, spec.boards, 0.8)
    taken = {
        (bench_id, name.lower())
        for name in Board.objects.filter(owner_id=bench_id).values_list("name", flat=True)
    }
    board_names = unique_within(texts.names(spec.boards), board_owner.tolist(), taken)

    # Pins: originals over three years, denser lately; saves follow the popular ones.
    repin_target = round(spec.pins * REPIN_SHARE) if spec.boards > 1 else 0
    o_board = rng.choice(spec.boards, size=spec.pins - repin_target, p=board_weight)
    popularity = weighted(rng, len(o_board), 1.0)
    r_parent, r_board = repins(rng, repin_target, o_board, popularity, board_weight, bench_boards)
    # Saves that could not be placed (too few boards) become originals, so the total holds.
    extra = spec.pins - len(o_board) - len(r_parent)
    o_board = np.concatenate([o_board, rng.choice(spec.boards, size=extra, p=board_weight)])
    originals = len(o_board)
    o_time = history_start + (
        np.sqrt(rng.random(originals)) * HISTORY_DAYS * SECONDS_PER_DAY
    ).astype("timedelta64[s]")
    r_time = np.minimum(
        o_time[r_parent] + rng.exponential(45 * SECONDS_PER_DAY, len(r_parent)).astype("m8[s]"),
        now,
    )
    # The benchmark login's saves are recent, so its boards lead with fresh pins.
    mine = r_board < bench_boards
    r_time[mine] = np.maximum(now - days(rng, int(mine.sum()), 3), o_time[r_parent[mine]])

    # Ids in time order, so newest-first by id is newest-first by date, as in real use.
    times = np.concatenate([o_time, r_time])
    order = np.argsort(times, kind="stable")
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    pin_base = next_id(Pin)
    source = np.concatenate([np.arange(originals), r_parent])[order]  # the original's index
    is_repin = order >= originals
    parent_id = np.where(is_repin, pin_base + rank[source], -1)
    board_of = np.concatenate([o_board, r_board])[order]
    pin_time = times[order].astype("datetime64[us]")

    sections = board_sections(rng, texts, board_weight)
    section_base = next_id(BoardSection)
    has_sections = sections.count_of[board_of] > 0
    in_section = has_sections & (rng.random(len(order)) < SECTION_SHARE)
    section_of = np.where(
        in_section,
        section_base
        + sections.first[board_of]
        + (rng.random(len(order)) * sections.count_of[board_of]).astype(np.int64),
        -1,
    )

    follows = follow_rows(
        rng, user_ids, board_ids, board_owner, secret, user_weight, board_weight, now
    )
    media_base = next_id(MediaRecord)
    rendition_base = next_id(Rendition)
    total = (
        len(user_ids) + spec.boards + sections.count + originals * (1 + RENDITIONS_PER_MEDIA)
        + len(order) + sum(t.count for t in follows.tables)
    )  # fmt: skip
    adding = {
        User: (len(user_ids), user_base),
        Board: (spec.boards, board_base),
        MediaRecord: (originals, media_base),
        Rendition: (originals * RENDITIONS_PER_MEDIA, rendition_base),
        Pin: (len(order), pin_base),
    }
    # Only worth it when the load at least doubles a table (ids approximate the rows there).
    rebuilt = drop_secondary_indexes(
        [model for model, (count, base) in adding.items() if count >= base - 1]
    )
    writer = Writer(total, progress)
    writer.write(
        Table(
            User,
            len(user_ids),
            {
                "id": user_ids,
                "username": usernames,
                "password": passwords,
                "date_joined": (history_start + days(rng, len(user_ids), 30)).astype("M8[us]"),
                "is_active": True,
                **counters(User, follows.user_counts),
            },
        )
    )
    last_pin = np.full(spec.boards, -1, dtype=np.int64)
    np.maximum.at(last_pin, board_of, pin_time.view(np.int64))
    writer.write(
        Table(
            Board,
            spec.boards,
            {
                "id": board_ids,
                "owner_id": board_owner,
                "name": board_names,
                "slug": [slugify(name) for name in board_names],
                "description": texts.descriptions(spec.boards),
                "privacy": np.where(
                    secret, Board.Privacy.SECRET.value, Board.Privacy.PUBLIC.value
                ).tolist(),
                "created_at": (history_start - days(rng, spec.boards, 30)).astype("M8[us]"),
                "pins_modified_at": [
                    None if t < 0 else datetime.fromtimestamp(t / 1e6, UTC)
                    for t in last_pin.tolist()
                ],
                "pin_count": np.bincount(board_of, minlength=spec.boards),
                **counters(Board, follows.board_counts),
            },
        )
    )
    writer.write(
        Table(
            BoardSection,
            sections.count,
            {
                "id": np.arange(section_base, section_base + sections.count),
                "board_id": board_base + sections.board,
                "name": sections.names,
                "position": sections.position,
            },
        )
    )

    assets = saved_assets()
    media_asset = rng.integers(0, len(assets), size=originals)
    phashes = clustered_phashes(rng, originals)
    for start in range(0, originals, ROWS_PER_BATCH):
        batch = slice(start, min(start + ROWS_PER_BATCH, originals))
        ids = np.arange(media_base + batch.start, media_base + batch.stop)
        writer.write(
            media_table(
                rng,
                assets,
                media_asset[batch],
                board_owner[o_board[batch]],
                o_time[batch].astype("M8[us]"),
                ids,
                phashes[batch],
            )
        )
        writer.write(
            renditions_table(
                assets, media_asset[batch], ids, rendition_base + batch.start * RENDITIONS_PER_MEDIA
            )
        )

    titles = texts.titles(originals)
    for start in range(0, len(order), ROWS_PER_BATCH):
        batch = slice(start, min(start + ROWS_PER_BATCH, len(order)))
        count = batch.stop - batch.start
        repin = is_repin[batch].tolist()
        batch_titles = [titles[i] for i in source[batch].tolist()]
        descriptions = iter(texts.descriptions(count - sum(repin)))
        links = iter(texts.links([t for t, r in zip(batch_titles, repin, strict=True) if not r]))
        # A save keeps the media and title, as pin_save does, and nothing else.
        writer.write(
            Table(
                Pin,
                count,
                {
                    "id": np.arange(pin_base + batch.start, pin_base + batch.stop),
                    "board_id": board_base + board_of[batch],
                    "section_id": [None if s < 0 else s for s in section_of[batch].tolist()],
                    "owner_id": board_owner[board_of[batch]],
                    "parent_pin_id": [None if p < 0 else p for p in parent_id[batch].tolist()],
                    "media_id": media_base + source[batch],
                    "title": batch_titles,
                    "description": ["" if r else next(descriptions) for r in repin],
                    "link": ["" if r else next(links) for r in repin],
                    "alt_text": [
                        "" if r or n % 3 else f"Photo: {t.lower()}"
                        for n, (r, t) in enumerate(zip(repin, batch_titles, strict=True))
                    ],
                    "created_at": pin_time[batch],
                },
            )
        )
    for table in follows.tables:
        writer.write(table)
    create_indexes(rebuilt)
    reset_sequences(written)
    return GenerationResult(
        users=len(user_ids),
        boards=spec.boards,
        sections=sections.count,
        media=originals,
        renditions=originals * RENDITIONS_PER_MEDIA,
        pins=len(order),
        repins=int(is_repin.sum()),
        follows={t.model._meta.label: t.count for t in follows.tables},
        seconds=time.monotonic() - started,
    )


def analyze(written: Sequence[type[models.Model]] | None = None) -> None:
    """Refresh the planner's statistics (and, outside a transaction, the visibility map) after a
    bulk load, so the first queries are planned on the catalog as it now is."""
    if connection.vendor != "postgresql":
        return
    follow_models = [m for m in follows_app_models() if m is not None]
    tables = written or [User, Board, BoardSection, MediaRecord, Rendition, Pin, *follow_models]
    command = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
    with connection.cursor() as cursor:
        for model in tables:
            cursor.execute(f"{command} {connection.ops.quote_name(model._meta.db_table)}")
