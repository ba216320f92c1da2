"""The stored search vectors on PostgreSQL: columns, the triggers that keep them current, their
GIN indexes, and rebuilding them all (after SEARCH_CONFIG changes).

A pin's vector holds its title (weight A), description (B), alt text and board name (C) and its
link's domain (D, "www." dropped and split at dots so "example" finds example.org); a board's
holds its name (A) and description (B). The text search configuration is written into the
document functions, so triggers and queries stem alike; `search_index_rebuild` re-installs them
with the current setting and recomputes every vector.

The migration that creates all this (pins/migrations/0002_search_vectors.py) calls
`search_index_install`, so the two cannot drift apart.
"""

import re
from collections.abc import Callable

from django.conf import settings
from django.db import connection, transaction
from django.db.backends.utils import CursorWrapper

CONFIG_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")
REBUILD_BATCH = 5_000


def _functions(config: str) -> list[str]:
    if not CONFIG_NAME.fullmatch(config):
        raise ValueError(f"{config!r} is not a text search configuration name")
    text = f"'{config}'::regconfig"
    return [
        r"""
        CREATE OR REPLACE FUNCTION catalog_link_domain_words(link text) RETURNS text
        LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
            SELECT replace(
                regexp_replace(
                    lower(coalesce(
                        substring(link from '^[A-Za-z][A-Za-z0-9+.-]*://(?:[^@/?#]*@)?([^/:?#]+)'),
                        ''
                    )),
                    '^www\.', ''
                ),
                '.', ' '
            )
        $$
        """,
        f"""
        CREATE OR REPLACE FUNCTION pins_pin_search_document(
            title text, description text, alt_text text, board_name text, link text
        ) RETURNS tsvector LANGUAGE sql STABLE PARALLEL SAFE AS $$
            SELECT setweight(to_tsvector({text}, coalesce(title, '')), 'A')
                || setweight(to_tsvector({text}, coalesce(description, '')), 'B')
                || setweight(to_tsvector({text}, coalesce(alt_text, '')), 'C')
                || setweight(to_tsvector({text}, coalesce(board_name, '')), 'C')
                || setweight(to_tsvector({text}, catalog_link_domain_words(link)), 'D')
        $$
        """,
        f"""
        CREATE OR REPLACE FUNCTION boards_board_search_document(name text, description text)
        RETURNS tsvector LANGUAGE sql STABLE PARALLEL SAFE AS $$
            SELECT setweight(to_tsvector({text}, coalesce(name, '')), 'A')
                || setweight(to_tsvector({text}, coalesce(description, '')), 'B')
        $$
        """,
        """
        CREATE OR REPLACE FUNCTION pins_pin_search_vector_update() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            NEW.search_vector := pins_pin_search_document(
                NEW.title, NEW.description, NEW.alt_text,
                (SELECT name FROM boards_board WHERE id = NEW.board_id), NEW.link
            );
            RETURN NEW;
        END
        $$
        """,
        """
        CREATE OR REPLACE FUNCTION boards_board_search_vector_update() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            NEW.search_vector := boards_board_search_document(NEW.name, NEW.description);
            RETURN NEW;
        END
        $$
        """,
        # A pin's vector holds its board's name, so renaming a board refreshes its pins.
        """
        CREATE OR REPLACE FUNCTION boards_board_search_rename_pins() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            UPDATE pins_pin
            SET search_vector = pins_pin_search_document(
                title, description, alt_text, NEW.name, link
            )
            WHERE board_id = NEW.id;
            RETURN NULL;
        END
        $$
        """,
    ]


_TRIGGERS = [
    """
    CREATE OR REPLACE TRIGGER pins_pin_search_vector
    BEFORE INSERT OR UPDATE OF title, description, alt_text, link, board_id ON pins_pin
    FOR EACH ROW EXECUTE FUNCTION pins_pin_search_vector_update()
    """,
    """
    CREATE OR REPLACE TRIGGER boards_board_search_vector
    BEFORE INSERT OR UPDATE OF name, description ON boards_board
    FOR EACH ROW EXECUTE FUNCTION boards_board_search_vector_update()
    """,
    """
    CREATE OR REPLACE TRIGGER boards_board_search_rename_pins
    AFTER UPDATE OF name ON boards_board
    FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name)
    EXECUTE FUNCTION boards_board_search_rename_pins()
    """,
]

# Pins are searched newest bucket of ids first (catalog/search.py): a word in every tenth pin
# then costs the matches of one bucket, not of the whole catalog.
SEARCH_BUCKET_IDS = 65_536

_COLUMNS = [
    "ALTER TABLE boards_board ADD COLUMN IF NOT EXISTS search_vector tsvector",
    "ALTER TABLE pins_pin ADD COLUMN IF NOT EXISTS search_vector tsvector",
    "ALTER TABLE pins_pin ADD COLUMN IF NOT EXISTS search_bucket integer"
    f" GENERATED ALWAYS AS (id / {SEARCH_BUCKET_IDS}) STORED",
    # Lets one GIN index hold the bucket beside the words (a trusted extension in PostgreSQL).
    "CREATE EXTENSION IF NOT EXISTS btree_gin",
]

_INDEXES = [
    # Serves `search_vector @@ query` on boards.
    "CREATE INDEX IF NOT EXISTS boards_board_search_vector_idx"
    " ON boards_board USING gin (search_vector)",
    # Serves `search_vector @@ query AND search_bucket >= ?` on pins: the index intersects the
    # words' and the buckets' postings, so only matches in the newest buckets are read.
    "CREATE INDEX IF NOT EXISTS pins_pin_search_idx"
    " ON pins_pin USING gin (search_vector, search_bucket)",
]

_FILL_BOARDS = """
    UPDATE boards_board SET search_vector = boards_board_search_document(name, description)
    WHERE id > %s AND id <= %s
"""
_FILL_PINS = """
    UPDATE pins_pin AS pin
    SET search_vector = pins_pin_search_document(
        pin.title, pin.description, pin.alt_text, board.name, pin.link
    )
    FROM boards_board AS board
    WHERE board.id = pin.board_id AND pin.id > %s AND pin.id <= %s
"""

_REMOVE = [
    "DROP TRIGGER IF EXISTS pins_pin_search_vector ON pins_pin",
    "DROP TRIGGER IF EXISTS boards_board_search_vector ON boards_board",
    "DROP TRIGGER IF EXISTS boards_board_search_rename_pins ON boards_board",
    "DROP FUNCTION IF EXISTS pins_pin_search_vector_update()",
    "DROP FUNCTION IF EXISTS boards_board_search_vector_update()",
    "DROP FUNCTION IF EXISTS boards_board_search_rename_pins()",
    "DROP FUNCTION IF EXISTS pins_pin_search_document(text, text, text, text, text)",
    "DROP FUNCTION IF EXISTS boards_board_search_document(text, text)",
    "DROP FUNCTION IF EXISTS catalog_link_domain_words(text)",
    "DROP INDEX IF EXISTS pins_pin_search_idx",
    "DROP INDEX IF EXISTS boards_board_search_vector_idx",
    "ALTER TABLE pins_pin DROP COLUMN IF EXISTS search_bucket",
    "ALTER TABLE pins_pin DROP COLUMN IF EXISTS search_vector",
    "ALTER TABLE boards_board DROP COLUMN IF EXISTS search_vector",
]


def _run(cursor: CursorWrapper, statements: list[str]) -> None:
    for statement in statements:
        cursor.execute(statement)


def _fill(cursor: CursorWrapper, statement: str, *, upto: int, start: int = 0) -> int:
    """Recompute one batch of rows with ids in (start, upto]; the number of rows changed."""
    cursor.execute(statement, [start, upto])
    return cursor.rowcount


def search_index_install(cursor: CursorWrapper, *, config: str) -> None:
    """Create (or bring up to date) the columns, document functions and triggers, fill every
    vector, then build the GIN indexes (faster than keeping them current while filling)."""
    _run(cursor, _COLUMNS)
    _run(cursor, _functions(config))
    _run(cursor, _TRIGGERS)
    for table, statement in (("boards_board", _FILL_BOARDS), ("pins_pin", _FILL_PINS)):
        cursor.execute(f"SELECT coalesce(max(id), 0) FROM {table}")  # noqa: S608 - fixed names
        _fill(cursor, statement, upto=cursor.fetchone()[0])
    _run(cursor, _INDEXES)


def search_index_remove(cursor: CursorWrapper) -> None:
    _run(cursor, _REMOVE)


class SearchConfigMissing(ValueError):
    """SEARCH_CONFIG names no text search configuration in the database."""


def search_index_rebuild(
    *, config: str | None = None, progress: Callable[[str], None] = lambda line: None
) -> dict[str, int]:
    """Re-install the document functions and triggers with `config` (default: SEARCH_CONFIG)
    and recompute every stored vector, in batches of committed transactions so a large catalog
    is never locked at once. Returns the rows recomputed per table."""
    config = config or settings.SEARCH_CONFIG
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_ts_config WHERE cfgname = %s", [config])
        if cursor.fetchone() is None:
            raise SearchConfigMissing(
                f"SEARCH_CONFIG={config!r}: no such text search configuration "
                "(psql: \\dF lists them)"
            )
        # The columns and indexes are the migration's; only what depends on the setting changes.
        with transaction.atomic():
            _run(cursor, _functions(config))
            _run(cursor, _TRIGGERS)
        done: dict[str, int] = {}
        for table, statement in (("boards_board", _FILL_BOARDS), ("pins_pin", _FILL_PINS)):
            cursor.execute(f"SELECT count(*), coalesce(max(id), 0) FROM {table}")  # noqa: S608
            total, last_id = cursor.fetchone()
            done[table] = 0
            start = 0
            while start < last_id:
                with transaction.atomic():
                    done[table] += _fill(cursor, statement, start=start, upto=start + REBUILD_BATCH)
                start += REBUILD_BATCH
                progress(f"{table}: {done[table]} of {total} rows")
            if not last_id:
                progress(f"{table}: 0 of 0 rows")
    return done
