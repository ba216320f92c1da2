"""Follow buttons on profiles and boards, and the followers and following lists."""

import pytest
from django.test import Client

from accounts.models import User
from follows.models import BoardFollow, UserFollow
from follows.selectors import PEOPLE_PAGE_SIZE
from follows.services import board_follow, user_follow
from tests.factories import BoardFactory, UserFactory

pytestmark = pytest.mark.django_db

FETCH = {"X-Requested-With": "fetch"}


def test_a_profile_shows_counts_and_a_follow_button_to_others(client, user, other_user):
    user_follow(follower=UserFactory(), followee=other_user)
    client.force_login(user)

    html = client.get(f"/{other_user.username}/").content.decode()

    assert "1 follower</a>" in html and "0 following</a>" in html
    assert f'action="/users/{other_user.username}/follow/"' in html
    assert f'aria-label="Follow {other_user.username}"' in html
    assert "js/follow.js" in html


def test_your_own_profile_has_counts_but_no_follow_button(client, user):
    client.force_login(user)

    html = client.get(f"/{user.username}/").content.decode()

    assert "0 followers</a>" in html
    assert "data-follow-url" not in html and "Log in to follow" not in html


def test_visitors_are_asked_to_log_in_to_follow(client, other_user):
    board = BoardFactory(owner=other_user)

    for url in [f"/{other_user.username}/", board.get_absolute_url()]:
        html = client.get(url).content.decode()
        assert f'href="/accounts/login/?next={url}">Log in to follow' in html
        assert "data-follow-url" not in html


def test_following_from_a_profile_redirects_back_and_shows_unfollow(client, user, other_user):
    client.force_login(user)
    profile = f"/{other_user.username}/"

    response = client.post(f"/users/{other_user.username}/follow/", {"next": profile})

    assert response.status_code == 302 and response["Location"] == profile
    assert UserFollow.objects.filter(follower=user, followee=other_user).exists()
    html = client.get(profile).content.decode()
    assert f'action="/users/{other_user.username}/unfollow/"' in html
    assert "1 follower</a>" in html


def test_unfollowing_from_a_profile_takes_the_follow_back(client, user, other_user):
    user_follow(follower=user, followee=other_user)
    client.force_login(user)

    response = client.post(f"/users/{other_user.username}/unfollow/")

    assert response["Location"] == f"/{other_user.username}/"
    assert not UserFollow.objects.exists()
    assert User.objects.get(pk=other_user.pk).follower_count == 0


def test_the_script_gets_the_new_state_and_count_as_json(client, user, other_user):
    client.force_login(user)

    followed = client.post(f"/users/{other_user.username}/follow/", headers=FETCH)
    unfollowed = client.post(f"/users/{other_user.username}/unfollow/", headers=FETCH)

    assert followed.json() == {"following": True, "follower_count": 1}
    assert unfollowed.json() == {"following": False, "follower_count": 0}


def test_following_yourself_by_hand_is_refused_with_a_message(client, user):
    client.force_login(user)

    page = client.post(f"/users/{user.username}/follow/", follow=True)
    script = client.post(f"/users/{user.username}/follow/", headers=FETCH)

    assert "You can&#x27;t follow yourself." in page.content.decode()
    assert script.status_code == 400 and script.json() == {"error": "You can't follow yourself."}
    assert not UserFollow.objects.exists()


def test_an_unknown_person_is_404(client, user):
    client.force_login(user)

    assert client.post("/users/nobody-here/follow/").status_code == 404


def test_a_follow_needs_a_login_and_returns_to_the_page_after_it(client, other_user):
    profile = f"/{other_user.username}/"

    response = client.post(f"/users/{other_user.username}/follow/", {"next": profile})

    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={profile}"
    assert not UserFollow.objects.exists()


def test_a_follow_is_a_post_with_a_csrf_token(user, other_user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)

    assert client.get(f"/users/{other_user.username}/follow/").status_code == 405
    assert client.post(f"/users/{other_user.username}/follow/").status_code == 403
    assert not UserFollow.objects.exists()


def test_an_offsite_next_is_ignored(client, user, other_user):
    client.force_login(user)

    response = client.post(
        f"/users/{other_user.username}/follow/", {"next": "https://evil.example/"}
    )

    assert response["Location"] == f"/{other_user.username}/"


def test_a_board_page_shows_its_followers_and_a_follow_button(client, user, other_user):
    board = BoardFactory(owner=other_user, name="Harbours")
    client.force_login(user)
    url = board.get_absolute_url()

    response = client.post(f"{url}follow/", {"next": url})
    html = client.get(url).content.decode()

    assert response["Location"] == url
    assert BoardFollow.objects.filter(follower=user, board=board).exists()
    assert "1 follower</span>" in html
    assert f'action="{url}unfollow/"' in html and 'aria-label="Unfollow Harbours"' in html


def test_unfollowing_a_board_by_script(client, user, other_user):
    board = BoardFactory(owner=other_user)
    board_follow(follower=user, board=board)
    client.force_login(user)

    response = client.post(f"{board.get_absolute_url()}unfollow/", headers=FETCH)

    assert response.json() == {"following": False, "follower_count": 0}


def test_your_own_board_has_no_follow_button_and_cannot_be_followed(client, user, board):
    client.force_login(user)

    html = client.get(board.get_absolute_url()).content.decode()
    refused = client.post(f"{board.get_absolute_url()}follow/", headers=FETCH)

    assert "0 followers</span>" in html and "data-follow-url" not in html
    assert refused.json() == {"error": "You can't follow your own board."}


def test_someone_elses_secret_board_cannot_be_followed(client, other_user, secret_board):
    client.force_login(other_user)

    response = client.post(f"{secret_board.get_absolute_url()}follow/")

    assert response.status_code == 404
    assert not BoardFollow.objects.exists()


def test_the_followers_list_shows_newest_first(client, user):
    first, second = UserFactory(), UserFactory()
    user_follow(follower=first, followee=user)
    user_follow(follower=second, followee=user)

    html = client.get(f"/users/{user.username}/followers/").content.decode()

    assert "2 followers" in html
    assert html.index(f">{second.username}</a>") < html.index(f">{first.username}</a>")


def test_the_following_list_shows_who_someone_follows(client, user, other_user):
    user_follow(follower=user, followee=other_user)

    html = client.get(f"/users/{user.username}/following/").content.decode()
    empty = client.get(f"/users/{other_user.username}/following/").content.decode()

    assert "1 following" in html and f'href="/{other_user.username}/"' in html
    assert f"{other_user.username} follows no one yet." in empty


def test_the_followers_list_pages_by_keyset(client, user):
    fans = UserFactory.create_batch(PEOPLE_PAGE_SIZE + 2)
    for fan in fans:
        user_follow(follower=fan, followee=user)
    url = f"/users/{user.username}/followers/"

    first = client.get(url)
    rest = client.get(url, {"before": first.context["page"].next_before})

    assert len(first.context["people"]) == PEOPLE_PAGE_SIZE
    assert [p.pk for p in rest.context["people"]] == [fans[1].pk, fans[0].pk]
    assert 'rel="next"' in first.content.decode() and 'rel="next"' not in rest.content.decode()


@pytest.mark.parametrize("count", [2, 20])
def test_a_followers_page_costs_the_same_queries_at_any_length(
    client, django_assert_max_num_queries, user, count
):
    for fan in UserFactory.create_batch(count):
        user_follow(follower=fan, followee=user)

    # The profile's user, then one page of follows with their followers.
    with django_assert_max_num_queries(2):
        response = client.get(f"/users/{user.username}/followers/")

    assert len(response.context["people"]) == count
