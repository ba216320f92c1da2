"""/api/v5/user_account/following, /followers, /following/boards, follow_user/update and our
unfollow and board-follow extensions."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openapi_generated.pinterest_client.model.user_summary import UserSummary

from accounts.models import User
from accounts.services import ALL_SCOPES
from boards.models import Board
from catalog.api.errors import Code
from follows.models import BoardFollow, UserFollow
from follows.services import board_follow, user_follow
from tests.api.matrix_fixtures import (  # noqa: F401 - fixtures
    MISSING_ID,
    Api,
    assert_error,
    body_of,
    clear_throttle_counts,
    token_for,
)
from tests.factories import BoardFactory, MediaFactory, PinFactory, UserFactory

pytestmark = pytest.mark.django_db

LISTS = ["user_account/following", "user_account/followers", "user_account/following/boards"]
SUMMARY_FIELDS = {
    "type",
    "id",
    "username",
    "about",
    "website_url",
    "profile_image",
    "follower_count",
    "following_count",
}


def api_for(user: User, scopes=ALL_SCOPES) -> Api:
    return Api(token=token_for(user, scopes))


def without(*scopes: str) -> list[str]:
    return [scope for scope in ALL_SCOPES if scope not in scopes]


def test_following_someone_answers_their_summary_with_the_new_count(user, other_user):
    response = api_for(user).post(f"user_account/following/{other_user.username}", json={})

    body = body_of(response)
    assert response.status_code == 200
    assert set(body) == SUMMARY_FIELDS
    assert body["type"] == "user" and body["id"] == str(other_user.pk)
    assert (body["username"], body["follower_count"]) == (other_user.username, 1)
    # Pinterest's generated client reads it as its own UserSummary.
    assert UserSummary._from_openapi_data(**body).username == other_user.username


def test_following_takes_v5s_body_and_twice_is_one_follow(user, other_user):
    api = api_for(user)
    path = f"user_account/following/{other_user.username.upper()}"

    first = api.post(path, json={"auto_follow": True})
    second = api.post(path, json={"auto_follow": False})

    assert first.status_code == second.status_code == 200
    assert body_of(second)["follower_count"] == 1
    assert UserFollow.objects.count() == 1


def test_following_an_unknown_user_is_v5s_404(user):
    api = api_for(user)

    for name in ["nobody", "a b", "x" * 40, "ü", "123"]:
        body = assert_error(api.post(f"user_account/following/{name}", json={}), 404)
        assert body == {"code": 30, "message": "User not found."}


def test_following_yourself_is_a_400_with_a_message(user):
    response = api_for(user).post(f"user_account/following/{user.username}", json={})

    assert assert_error(response, 400, Code.INVALID_PARAMETERS)["message"] == (
        "You can't follow yourself."
    )
    assert not UserFollow.objects.exists()


@pytest.mark.parametrize("body", [[], "yes", {"auto_follow": "sometimes"}])
def test_a_bad_follow_body_is_a_400(user, other_user, body):
    response = api_for(user).post(f"user_account/following/{other_user.username}", json=body)

    assert_error(response, 400, Code.INVALID_PARAMETERS)
    assert not UserFollow.objects.exists()


def test_following_needs_a_token_with_user_accounts_write(user, other_user):
    path = f"user_account/following/{other_user.username}"

    assert_error(Api().post(path, json={}), 401, Code.AUTHENTICATION_FAILED)
    refused = api_for(user, without("user_accounts:write")).post(path, json={})

    assert "user_accounts:write" in assert_error(refused, 403, Code.NOT_PERMITTED)["message"]
    assert not UserFollow.objects.exists()


def test_a_browser_session_follows_with_its_csrf_token_only(user, other_user):
    path = f"user_account/following/{other_user.username}"

    refused = Api(session_user=user, csrf=False).post(path, json={})
    allowed = Api(session_user=user).post(path, json={})

    assert_error(refused, 403, Code.NOT_PERMITTED)
    assert allowed.status_code == 200


def test_unfollowing_is_a_204_every_time(user, other_user):
    user_follow(follower=user, followee=other_user)
    api = api_for(user)

    first = api.delete(f"user_account/following/{other_user.username}")
    again = api.delete(f"user_account/following/{other_user.username}")

    assert first.status_code == again.status_code == 204
    assert not UserFollow.objects.exists()
    assert User.objects.get(pk=other_user.pk).follower_count == 0


def test_unfollowing_an_unknown_user_is_404(user):
    assert_error(api_for(user).delete("user_account/following/nobody"), 404, 30)


def test_the_following_list_pages_newest_first(user):
    people = UserFactory.create_batch(3)
    for person in people:
        user_follow(follower=user, followee=person)
    api = api_for(user)

    first = body_of(api.get("user_account/following", {"page_size": "2"}))
    rest = body_of(
        api.get("user_account/following", {"page_size": "2", "bookmark": first["bookmark"]})
    )

    names = [item["username"] for item in first["items"] + rest["items"]]
    assert names == [p.username for p in reversed(people)]
    assert rest["bookmark"] is None
    assert set(first["items"][0]) == SUMMARY_FIELDS


def test_the_followers_list_shows_who_follows_me(user, other_user):
    user_follow(follower=other_user, followee=user)
    user_follow(follower=user, followee=UserFactory())

    body = body_of(api_for(user).get("user_account/followers"))

    assert [item["username"] for item in body["items"]] == [other_user.username]
    assert body["items"][0]["following_count"] == 1 and body["bookmark"] is None


def test_a_bookmark_from_another_list_is_a_400(user):
    for person in UserFactory.create_batch(2):
        user_follow(follower=user, followee=person)
        user_follow(follower=person, followee=user)
    api = api_for(user)
    bookmark = body_of(api.get("user_account/following", {"page_size": "1"}))["bookmark"]

    response = api.get("user_account/followers", {"bookmark": bookmark})

    assert assert_error(response, 400)["message"] == "bookmark belongs to another list."


def test_the_lists_need_user_accounts_read(user):
    api = api_for(user, without("user_accounts:read"))

    for path in LISTS:
        assert_error(api.get(path), 403, Code.NOT_PERMITTED)
        assert_error(Api().get(path), 401, Code.AUTHENTICATION_FAILED)


def test_the_followed_boards_list_has_v5_boards_and_hides_secret_ones(user, other_user):
    shown = BoardFactory(owner=other_user, name="Harbours")
    PinFactory(board=shown, media=MediaFactory(owner=other_user, width=40, height=30))
    hidden = BoardFactory(owner=other_user)
    board_follow(follower=user, board=shown)
    board_follow(follower=user, board=hidden)
    Board.objects.filter(pk=hidden.pk).update(privacy=Board.Privacy.SECRET)

    body = body_of(api_for(user).get("user_account/following/boards"))

    assert [item["id"] for item in body["items"]] == [str(shown.pk)]
    item = body["items"][0]
    assert (item["name"], item["follower_count"], item["pin_count"]) == ("Harbours", 1, 1)
    assert item["media"]["image_cover_url"]


def test_following_a_board_answers_it_with_its_follower_count(user, other_user):
    board = BoardFactory(owner=other_user)
    api = api_for(user)

    response = api.post(f"boards/{board.pk}/follow")
    again = api.post(f"boards/{board.pk}/follow")

    assert response.status_code == 200 and body_of(response)["id"] == str(board.pk)
    assert body_of(again)["follower_count"] == 1
    assert body_of(api.get(f"boards/{board.pk}"))["follower_count"] == 1


def test_a_board_you_may_not_see_is_not_found_and_your_own_cannot_be_followed(
    user, other_user, board
):
    secret = BoardFactory(owner=other_user, privacy=Board.Privacy.SECRET)
    api = api_for(user)

    for board_id in [secret.pk, MISSING_ID, "abc"]:
        body = assert_error(api.post(f"boards/{board_id}/follow"), 404, Code.BOARD_NOT_FOUND)
        assert body["message"] == "Board not found."
    own = assert_error(api.post(f"boards/{board.pk}/follow"), 400, Code.INVALID_PARAMETERS)

    assert own["message"] == "You can't follow your own board."
    assert not BoardFollow.objects.exists()


def test_unfollowing_a_board_is_a_204(user, other_user):
    board = BoardFactory(owner=other_user)
    board_follow(follower=user, board=board)

    response = api_for(user).delete(f"boards/{board.pk}/follow")

    assert response.status_code == 204
    assert Board.objects.get(pk=board.pk).follower_count == 0


def test_following_a_board_needs_user_accounts_write(user, other_user):
    board = BoardFactory(owner=other_user)

    response = api_for(user, without("user_accounts:write")).post(f"boards/{board.pk}/follow")

    assert_error(response, 403, Code.NOT_PERMITTED)
    assert not BoardFollow.objects.exists()


def test_user_account_reports_the_follow_counts(user, other_user):
    user_follow(follower=user, followee=other_user)
    user_follow(follower=other_user, followee=user)
    user_follow(follower=UserFactory(), followee=user)

    body = body_of(api_for(user).get("user_account"))

    assert (body["follower_count"], body["following_count"]) == (2, 1)


@pytest.mark.parametrize("path", LISTS)
def test_a_follow_list_page_costs_the_same_queries_at_any_size(
    django_assert_max_num_queries, user, path
):
    media = MediaFactory(owner=user, width=40, height=30)
    for _ in range(25):
        person = UserFactory()
        user_follow(follower=user, followee=person)
        user_follow(follower=person, followee=user)
        board = BoardFactory(owner=person)
        PinFactory(board=board, media=media)
        board_follow(follower=user, board=board)
    api = api_for(user)
    api.get(path)  # a token's first use records last_used_at; measure what follows

    with CaptureQueriesContext(connection) as small:
        small_page = body_of(api.get(path, {"page_size": "2"}))
    with django_assert_max_num_queries(len(small)):
        large = body_of(api.get(path, {"page_size": "25", "bookmark": ""}))

    assert len(small_page["items"]) == 2 and len(large["items"]) == 25
    assert len(small) <= 10
