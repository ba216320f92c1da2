import pytest

from boards.models import Board
from boards.services import board_update
from follows.models import BoardFollow
from follows.services import board_follow
from tests.factories import BoardFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_making_a_board_secret_ends_other_peoples_follows(user):
    board = BoardFactory(owner=user)
    for follower in UserFactory.create_batch(3):
        board_follow(follower=follower, board=board)

    board_update(board=Board.objects.get(pk=board.pk), user=user, privacy=Board.Privacy.SECRET)

    board.refresh_from_db()
    assert board.follower_count == 0
    assert not BoardFollow.objects.filter(board=board).exists()


def test_editing_a_board_keeps_follows_made_since_it_was_loaded(user, other_user):
    board = BoardFactory(owner=user)
    loaded_before_the_follow = Board.objects.get(pk=board.pk)
    board_follow(follower=other_user, board=board)

    board_update(board=loaded_before_the_follow, user=user, name="Renamed", description="New")

    board.refresh_from_db()
    assert (board.name, board.description, board.follower_count) == ("Renamed", "New", 1)


def test_keeping_a_board_public_keeps_its_followers(user, other_user):
    board = BoardFactory(owner=user)
    board_follow(follower=other_user, board=board)

    board_update(board=Board.objects.get(pk=board.pk), user=user, privacy=Board.Privacy.PUBLIC)

    board.refresh_from_db()
    assert board.follower_count == 1
