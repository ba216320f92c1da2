"""Follows racing each other on PostgreSQL, where requests really run at the same time."""

import threading
from collections.abc import Callable

import pytest
from django.db import connection, connections

from accounts.models import User
from boards.models import Board
from follows.models import BoardFollow, UserFollow
from follows.services import board_follow, board_unfollow, user_follow, user_unfollow
from tests.factories import BoardFactory, UserFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="SQLite runs one writer at a time, so nothing races; set DATABASE_URL to PostgreSQL",
    ),
]

PARALLEL = 20


def all_at_once(action: Callable[[], object]) -> list[BaseException]:
    """Run `action` in PARALLEL threads released together, each on its own connection."""
    start = threading.Barrier(PARALLEL)
    errors: list[BaseException] = []

    def run() -> None:
        try:
            start.wait()
            action()
        except Exception as exc:  # collected, so the test fails with it rather than a thread
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(PARALLEL)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def test_twenty_follows_at_once_make_one_follow_and_count_one():
    follower, followee = UserFactory(), UserFactory()

    errors = all_at_once(lambda: user_follow(follower=follower, followee=followee))

    assert errors == []
    assert UserFollow.objects.filter(follower=follower, followee=followee).count() == 1
    assert User.objects.get(pk=followee.pk).follower_count == 1
    assert User.objects.get(pk=follower.pk).following_count == 1


def test_twenty_unfollows_at_once_take_the_count_back_once():
    follower, followee, third = UserFactory(), UserFactory(), UserFactory()
    user_follow(follower=third, followee=followee)
    user_follow(follower=follower, followee=followee)

    errors = all_at_once(lambda: user_unfollow(follower=follower, followee=followee))

    assert errors == []
    assert User.objects.get(pk=followee.pk).follower_count == 1


def test_twenty_board_follows_at_once_count_one():
    board = BoardFactory()
    follower = UserFactory()

    errors = all_at_once(lambda: board_follow(follower=follower, board=board))

    assert errors == []
    assert BoardFollow.objects.filter(follower=follower, board=board).count() == 1
    assert Board.objects.get(pk=board.pk).follower_count == 1

    errors = all_at_once(lambda: board_unfollow(follower=follower, board=board))

    assert errors == []
    assert Board.objects.get(pk=board.pk).follower_count == 0


def test_people_following_each_other_at_once_do_not_deadlock():
    people = UserFactory.create_batch(2)
    pairs = [(people[n % 2], people[(n + 1) % 2]) for n in range(PARALLEL)]
    turn = iter(range(PARALLEL))
    lock = threading.Lock()

    def follow_next() -> None:
        with lock:
            follower, followee = pairs[next(turn)]
        user_follow(follower=follower, followee=followee)

    errors = all_at_once(follow_next)

    assert errors == []
    assert [User.objects.get(pk=p.pk).follower_count for p in people] == [1, 1]
    assert [User.objects.get(pk=p.pk).following_count for p in people] == [1, 1]
