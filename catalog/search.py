"""Search over pins and boards: ranked full-text search on PostgreSQL, a plain match on SQLite.

On PostgreSQL each searchable table carries a `search_vector` column that triggers keep current
(see catalog/search_index.py), so a query only reads it through its GIN index. It is not a model
field, so Django never selects or writes it; `StoredVector` names it in queries. Ranking every
match of a common word would cost as much as the catalog is large, so at most
`SEARCH_RANK_WINDOW` of the newest matches are ranked.

On SQLite (the embedded default) every word must appear somewhere in the fields, and results
come newest first.
"""

import operator
import re
import time
from collections.abc import Callable
from functools import reduce

from django.conf import settings
from django.contrib.postgres.search import (
    SearchQuery,
    SearchQueryCombinable,
    SearchQueryField,
    SearchRank,
    SearchVectorField,
)
from django.db import connection
from django.db.models import BooleanField, Expression, F, Func, Model, Q, QuerySet, Value
from django.db.models.sql.compiler import SQLCompiler

from catalog.search_index import SEARCH_BUCKET_IDS
from catalog.search_query import ParsedQuery, Term
from catalog.versioned_cache import versioned_cache

RANK = "search_rank"


def full_text_search() -> bool:
    return connection.vendor == "postgresql"


class StoredVector(Func):
    """The trigger-maintained `search_vector` column of the queried table, under whatever alias
    the table has in the query (a subquery relabels it), so joins never make it ambiguous."""

    output_field = SearchVectorField()

    def __init__(self) -> None:
        super().__init__(F("pk"))

    def as_sql(self, compiler: SQLCompiler, connection, **extra) -> tuple[str, list]:
        alias = compiler.quote_name_unless_alias(self.get_source_expressions()[0].alias)
        return f"{alias}.{connection.ops.quote_name('search_vector')}", []


class _FromBucket(Func):
    """Pins from `search_bucket` `low` on (pins' ids by the SEARCH_BUCKET_IDS, a generated column
    beside the stored vector in one GIN index), under the table's alias in the query."""

    output_field = BooleanField()

    def __init__(self, low: int) -> None:
        super().__init__(F("pk"))
        self.low = low

    def as_sql(self, compiler: SQLCompiler, connection, **extra) -> tuple[str, list]:
        alias = compiler.quote_name_unless_alias(self.get_source_expressions()[0].alias)
        bucket = f"{alias}.{connection.ops.quote_name('search_bucket')}"
        key = f"{alias}.{connection.ops.quote_name('id')}"
        # The same bound twice: on the bucket for the GIN index, on the id for the planner's
        # estimate and for a scan of the primary key when that is cheaper. The bucket's bound is
        # a sub-select, which GIN still uses as an index condition but the planner does not
        # count again: counted twice, a common word looked ten times rarer than it is, and the
        # plan read every match. Only lower bounds: GIN reads every pin id of every bucket a
        # bound admits.
        return (
            f"({bucket} >= (SELECT %s) AND {key} >= %s)",
            [self.low, self.low * SEARCH_BUCKET_IDS],
        )


class _Matches(Func):
    template = "%(expressions)s"
    arg_joiner = " @@ "
    output_field = BooleanField()


class _TypedWord(SearchQueryCombinable, Func):
    """The last word while it is being typed: the word itself (stemmed: "running" finds "run")
    or any word it begins, unstemmed ("bicy" finds "bicycle", whose stem is "bicycl").

    A stop word matches nothing, so a query of "cats an" still finds cats until "an" grows."""

    output_field = SearchQueryField()
    config = None

    def __init__(self, word: str, *, config: str) -> None:
        # The word is \w+ only (see search_query), so quoting it makes one tsquery operand.
        super().__init__(Value(config), Value(word), Value(f"'{word}':*"))

    def as_sql(self, compiler: SQLCompiler, connection, **extra) -> tuple[str, list]:
        config, word, prefix = (compiler.compile(e) for e in self.get_source_expressions())
        stemmed = f"plainto_tsquery({config[0]}::regconfig, {word[0]})"
        sql = (
            f"CASE WHEN numnode({stemmed}) = 0 THEN {stemmed}"
            f" ELSE {stemmed} || to_tsquery('simple'::regconfig, {prefix[0]}) END"
        )
        return sql, [*config[1], *word[1], *config[1], *word[1], *config[1], *word[1], *prefix[1]]


def _tsquery(term: Term, config: str) -> SearchQueryCombinable:
    if term.prefix:
        return _TypedWord(term.words[0], config=config)
    kind = "phrase" if term.is_phrase else "plain"
    return SearchQuery(term.text, config=config, search_type=kind)


def _all_of(terms: tuple[Term, ...], config: str) -> SearchQueryCombinable:
    return reduce(operator.and_, (_tsquery(term, config) for term in terms))


def _any_of(terms: tuple[Term, ...], config: str) -> SearchQueryCombinable:
    return reduce(operator.or_, (_tsquery(term, config) for term in terms))


def _contains(term: Term, fields: list[str]) -> Q:
    """SQLite: the word, or the phrase's words separated by anything but letters and digits,
    anywhere in one of the fields."""
    if term.is_phrase:
        lookup, value = "iregex", r"\W+".join(re.escape(word) for word in term.words)
    else:
        lookup, value = "icontains", term.words[0]
    return reduce(operator.or_, (Q(**{f"{field}__{lookup}": value}) for field in fields))


def search_filter(rows: QuerySet, query: ParsedQuery, *, fields: list[str]) -> QuerySet:
    """The rows matching every included term and no excluded one.

    `fields` are what the SQLite match looks in; on PostgreSQL the stored vector already holds
    them. A query with nothing to include finds nothing."""
    if query.finds_nothing:
        return rows.none()
    if not full_text_search():
        for term in query.included:
            rows = rows.filter(_contains(term, fields))
        for term in query.excluded:
            rows = rows.exclude(_contains(term, fields))
        return rows
    config = settings.SEARCH_CONFIG
    # Two tests rather than one combined tsquery: if every included word is a stop word the
    # first matches nothing, where "'' && !!x" would match nearly every row.
    rows = rows.filter(_Matches(StoredVector(), _all_of(query.included, config)))
    if query.excluded:
        rows = rows.exclude(_Matches(StoredVector(), _any_of(query.excluded, config)))
    return rows


def search_ranked(rows: QuerySet, query: ParsedQuery, *, fields: list[str]) -> QuerySet:
    """The matching rows, best first (ties and SQLite newest first), for slicing by offset.

    Only the newest `SEARCH_RANK_WINDOW` matches are ranked: they are found through the GIN
    index, and ranking more would cost as much as there are matches."""
    matches = search_filter(rows, query, fields=fields)
    if query.finds_nothing or not full_text_search():
        return matches.order_by("-pk")
    if rows.model._meta.db_table in BUCKETED_TABLES:
        window = _newest_matches(matches, settings.SEARCH_RANK_WINDOW)
    else:
        window = matches.order_by("-pk").values("pk")[: settings.SEARCH_RANK_WINDOW]
    rank: Expression = SearchRank(StoredVector(), _all_of(query.included, settings.SEARCH_CONFIG))
    return (
        rows.model._default_manager.filter(pk__in=window)
        .annotate(**{RANK: rank})
        .order_by(f"-{RANK}", "-pk")
    )


# Tables whose rows carry a `search_bucket` (catalog/search_index.py).
BUCKETED_TABLES = frozenset({"pins_pin"})
# The first look covers the newest buckets: enough for a word in one pin in a hundred to fill the
# window. A wider bucket range would cost more in the index than it saves (GIN reads every pin id
# of every bucket in the range).
_FIRST_BUCKETS = 2


def _newest_matches(matches: QuerySet, limit: int) -> list[int]:
    """The ids of the newest `limit` matches: first among the newest buckets, then, if those did
    not hold enough, among all older pins.

    Finding "the newest matches" through a GIN index alone reads every match, wherever it is: a
    phrase in one pin in thirty would read thirty thousand rows of a million-pin catalog. The
    index holds each pin's bucket beside its words, so a common word or phrase is answered from
    the newest buckets' matches alone, and a rare one, which has few matches anywhere, from the
    plain index."""
    newest = matches.model._default_manager.order_by("-pk").values_list("pk", flat=True).first()
    if newest is None:
        return []
    high = newest // SEARCH_BUCKET_IDS + 1
    low = max(high - _FIRST_BUCKETS, 0)
    newest_first = matches.order_by("-pk").values_list("pk", flat=True)
    found = list(newest_first.filter(_FromBucket(low))[:limit])
    if len(found) < limit and low > 0:
        found += newest_first.filter(pk__lt=low * SEARCH_BUCKET_IDS)[: limit - len(found)]
    return found


# Ranked pages that are the same for everyone (anonymous visitors, nothing narrowing them), per
# process: a popular query is ranked once per SEARCH_RESULTS_CACHE_SECONDS, or again as soon as a
# newer row of its model exists, so a new pin or board is found at once. Rows are loaded through
# the visibility rule after, so one deleted or hidden since is not shown.
_shared_pages = versioned_cache(size=5_000)


def ranked_page_ids(
    model: type[Model],
    rank: Callable[[], QuerySet],
    *,
    offset: int,
    limit: int,
    shared: str | None,
) -> list[int]:
    """Ids `offset` to `offset + limit` of the ranking of `model` rows that `rank()` makes;
    `shared` names a search whose result is the same for everyone (its query text), so it may be
    kept. `rank` is called only when the page is not kept: making the ranking runs queries."""
    seconds = settings.SEARCH_RESULTS_CACHE_SECONDS
    if shared is None or not seconds:
        return list(rank().values_list("pk", flat=True)[offset : offset + limit])
    newest = model._default_manager.order_by("-pk").values_list("pk", flat=True).first()
    key = (model._meta.label, shared, offset, limit, newest, int(time.monotonic() // seconds))
    ids = _shared_pages.get(key)
    if ids is None:
        ids = tuple(rank().values_list("pk", flat=True)[offset : offset + limit])
        _shared_pages.put(key, ids)
    return list(ids)
