import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404

from accounts.models import User
from boards.models import Board
from follows.models import BoardFollow, UserFollow
from follows.services import board_follow, board_unfollow, user_follow, user_unfollow
from tests.factories import BoardFactory, UserFactory

pytestmark = pytest.mark.django_db


def counts(user: User) -> tuple[int, int]:
    user.refresh_from_db()
    return user.follower_count, user.following_count


def board_followers(board: Board) -> int:
    board.refresh_from_db()
    return board.follower_count


def test_following_someone_counts_on_both_sides(user, other_user):
    follow = user_follow(follower=user, followee=other_user)

    assert (follow.follower, follow.followee) == (user, other_user)
    assert counts(user) == (0, 1)
    assert counts(other_user) == (1, 0)


def test_following_twice_keeps_one_follow_and_the_same_counts(user, other_user):
    first = user_follow(follower=user, followee=other_user)
    second = user_follow(follower=user, followee=other_user)

    assert first.pk == second.pk
    assert UserFollow.objects.count() == 1
    assert counts(user) == (0, 1) and counts(other_user) == (1, 0)


def test_following_yourself_is_refused_with_a_message(user):
    with pytest.raises(ValidationError) as caught:
        user_follow(follower=user, followee=user)

    assert caught.value.messages == ["You can't follow yourself."]
    assert UserFollow.objects.count() == 0 and counts(user) == (0, 0)


def test_the_database_refuses_a_self_follow_too(user):
    with pytest.raises(IntegrityError), transaction.atomic():
        UserFollow.objects.create(follower=user, followee=user)


def test_an_inactive_user_cannot_be_followed(user):
    gone = UserFactory(is_active=False)

    with pytest.raises(Http404):
        user_follow(follower=user, followee=gone)

    assert counts(gone) == (0, 0)


def test_unfollowing_removes_the_follow_and_both_counts(user, other_user):
    user_follow(follower=user, followee=other_user)

    assert user_unfollow(follower=user, followee=other_user) is True

    assert UserFollow.objects.count() == 0
    assert counts(user) == (0, 0) and counts(other_user) == (0, 0)


def test_unfollowing_someone_not_followed_changes_nothing(user, other_user):
    third = UserFactory()
    user_follow(follower=third, followee=other_user)

    assert user_unfollow(follower=user, followee=other_user) is False

    assert counts(other_user) == (1, 0) and counts(user) == (0, 0)


def test_two_people_following_each_other_count_each_once(user, other_user):
    user_follow(follower=user, followee=other_user)
    user_follow(follower=other_user, followee=user)

    assert counts(user) == (1, 1) and counts(other_user) == (1, 1)


def test_a_counter_that_drifted_to_zero_stays_at_zero(user, other_user):
    user_follow(follower=user, followee=other_user)
    User.objects.filter(pk=other_user.pk).update(follower_count=0)

    user_unfollow(follower=user, followee=other_user)

    assert counts(other_user) == (0, 0)


def test_following_a_public_board_counts_on_the_board(other_user, user):
    board = BoardFactory(owner=other_user)

    board_follow(follower=user, board=board)
    board_follow(follower=user, board=board)

    assert BoardFollow.objects.filter(follower=user, board=board).count() == 1
    assert board_followers(board) == 1


def test_unfollowing_a_board_takes_its_count_back(user, other_user):
    board = BoardFactory(owner=other_user)
    board_follow(follower=user, board=board)

    assert board_unfollow(follower=user, board=board) is True
    assert board_unfollow(follower=user, board=board) is False

    assert board_followers(board) == 0 and BoardFollow.objects.count() == 0


def test_your_own_board_cannot_be_followed(user, board, secret_board):
    for own in [board, secret_board]:
        with pytest.raises(ValidationError) as caught:
            board_follow(follower=user, board=own)
        assert caught.value.messages == ["You can't follow your own board."]

    assert BoardFollow.objects.count() == 0


def test_someone_elses_secret_board_is_not_found(other_user, secret_board):
    with pytest.raises(Http404):
        board_follow(follower=other_user, board=secret_board)

    assert BoardFollow.objects.count() == 0 and board_followers(secret_board) == 0


def test_deleting_a_board_deletes_its_follows(user, other_user):
    board = BoardFactory(owner=other_user)
    board_follow(follower=user, board=board)

    board.delete()

    assert BoardFollow.objects.count() == 0
