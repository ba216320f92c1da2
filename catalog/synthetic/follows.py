"""Follow rows for a synthetic catalog, when the follows app is installed and shaped as expected.

The follows app is looked up in the app registry and its fields read from `_meta` rather than
imported: another app owns it, and the generator runs without it.
"""

from dataclasses import dataclass, field

import numpy as np
from django.apps import apps
from django.db import models

from accounts.models import User
from boards.models import Board
from catalog.synthetic.structure import days
from catalog.synthetic.writer import Column, Table, next_id


def follows_app_models() -> tuple[type[models.Model] | None, type[models.Model] | None]:
    if not apps.is_installed("follows"):
        return None, None
    config = apps.get_app_config("follows")
    found = {model.__name__: model for model in config.get_models()}
    return found.get("UserFollow"), found.get("BoardFollow")


def _foreign_keys(model: type[models.Model], target: type[models.Model]) -> list[models.Field]:
    return [
        f
        for f in model._meta.concrete_fields
        if f.is_relation and f.related_model is target and not f.null
    ]


def _follow_pairs(
    rng: np.random.Generator, followers: int, p: np.ndarray, mean: float
) -> tuple[np.ndarray, np.ndarray]:
    """Who follows what, as index pairs: most people follow a few, some follow hundreds, and
    popular targets (by `p`) gain the most followers. The Zipf(2.2) draw averages about 3.75."""
    per = np.minimum(rng.zipf(2.2, size=followers) * mean / 3.75, len(p)).astype(np.int64)
    who = np.repeat(np.arange(followers), per)
    what = rng.choice(len(p), size=len(who), p=p)
    _, first = np.unique(who * len(p) + what, return_index=True)
    first.sort()
    return who[first], what[first]


@dataclass
class Follows:
    tables: list[Table] = field(default_factory=list)
    # Denormalised counters, by field name, for the user and board rows.
    user_counts: dict[str, np.ndarray] = field(default_factory=dict)
    board_counts: dict[str, np.ndarray] = field(default_factory=dict)


def follow_rows(
    rng: np.random.Generator,
    user_ids: np.ndarray,
    board_ids: np.ndarray,
    board_owner: np.ndarray,
    secret: np.ndarray,
    user_weight: np.ndarray,
    board_weight: np.ndarray,
    now: np.datetime64,
) -> Follows:
    """Follow rows when the follows app is installed and shaped as expected; none otherwise.

    As the follow services allow: nobody follows themselves or their own board, and nobody but
    the owner can see, so follow, a secret board.
    """
    user_follow, board_follow = follows_app_models()
    out = Follows()
    users = len(user_ids)
    if user_follow is not None and len(keys := _foreign_keys(user_follow, User)) == 2:
        # The follower field is the one named so; the other is the person followed.
        keys.sort(key=lambda f: "follower" not in f.name)
        who, whom = _follow_pairs(rng, users, user_weight, 8)
        keep = who != whom
        who, whom = who[keep], whom[keep]
        out.tables.append(_follow_table(rng, user_follow, keys, user_ids[who], user_ids[whom], now))
        out.user_counts["following_count"] = np.bincount(who, minlength=users)
        out.user_counts["follower_count"] = np.bincount(whom, minlength=users)
    if board_follow is not None:
        by_user, by_board = _foreign_keys(board_follow, User), _foreign_keys(board_follow, Board)
        if len(by_user) == 1 and len(by_board) == 1:
            who, what = _follow_pairs(rng, users, board_weight, 5)
            keep = ~secret[what] & (board_owner[what] != user_ids[who])
            who, what = who[keep], what[keep]
            keys = [by_user[0], by_board[0]]
            out.tables.append(
                _follow_table(rng, board_follow, keys, user_ids[who], board_ids[what], now)
            )
            out.board_counts["follower_count"] = np.bincount(what, minlength=len(board_ids))
    return out


def counters(model: type[models.Model], counts: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The counters the model really has (another app keeps them; their names may change)."""
    names = {f.attname for f in model._meta.concrete_fields}
    return {name: values for name, values in counts.items() if name in names}


def _follow_table(
    rng: np.random.Generator,
    model: type[models.Model],
    keys: list[models.Field],
    first: np.ndarray,
    second: np.ndarray,
    now: np.datetime64,
) -> Table:
    base = next_id(model)
    count = len(first)
    columns: dict[str, Column] = {
        model._meta.pk.attname: np.arange(base, base + count),
        keys[0].attname: first,
        keys[1].attname: second,
    }
    for f in model._meta.concrete_fields:
        if isinstance(f, models.DateTimeField) and f.attname not in columns:
            columns[f.attname] = (now - days(rng, count, 365)).astype("datetime64[us]")
    return Table(model, count, columns)
