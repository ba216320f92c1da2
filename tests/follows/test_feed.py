"""The signed-in home page: "Your feed" from follows and related pins, or everything."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from boards.models import Board
from follows.services import board_follow, user_follow
from pins.selectors import GRID_PAGE_SIZE
from pins.services import pin_save
from tests.factories import BoardFactory, MediaFactory, PinFactory, UserFactory

pytestmark = pytest.mark.django_db


# Session, user, the recent saves, the graph, the related pins' visibility,
# the page of pins, their renditions.
RELATED_FEED_QUERIES = 7


def co_saved(liked, companion) -> None:
    """Two collectors save both pins to a board of theirs: walks from one now reach the other."""
    for collector in UserFactory.create_batch(2):
        shelf = BoardFactory(owner=collector)
        pin_save(pin=liked, board=shelf, user=collector)
        pin_save(pin=companion, board=shelf, user=collector)


@pytest.fixture
def media(db):
    return MediaFactory(width=40, height=30)


def shown(client, **params) -> list[int]:
    response = client.get("/", params)
    assert response.status_code == 200
    return [pin.pk for pin in response.context["page"].pins]


def test_the_feed_has_new_pins_of_followed_boards_and_people_newest_first(
    client, user, other_user, media
):
    followed_board = BoardFactory()
    stranger_board = BoardFactory()
    board_follow(follower=user, board=followed_board)
    user_follow(follower=user, followee=other_user)
    on_board = PinFactory(board=followed_board, media=media)
    by_person = PinFactory(board=BoardFactory(owner=other_user), media=media)
    PinFactory(board=stranger_board, media=media)
    newest = PinFactory(board=followed_board, media=media)
    client.force_login(user)

    assert shown(client) == [newest.pk, by_person.pk, on_board.pk]


def test_the_feed_never_shows_your_own_pins(client, user, other_user, media):
    user_follow(follower=user, followee=other_user)
    theirs = PinFactory(board=BoardFactory(owner=other_user), media=media)
    own_board = BoardFactory(owner=user)
    PinFactory(board=own_board, media=media)
    pin_save(pin=theirs, board=own_board, user=user)  # my save of their pin is mine too
    client.force_login(user)

    assert shown(client) == [theirs.pk]


def test_a_followed_persons_secret_pins_never_reach_the_feed(client, user, other_user, media):
    user_follow(follower=user, followee=other_user)
    public = PinFactory(board=BoardFactory(owner=other_user), media=media)
    secret = PinFactory(board=BoardFactory(owner=other_user, privacy="SECRET"), media=media)
    client.force_login(user)

    ids = shown(client)

    assert public.pk in ids and secret.pk not in ids
    assert f"/pin/{secret.pk}/" not in client.get("/").content.decode()


def test_a_followed_board_that_turns_secret_leaves_the_feed(client, user, other_user, media):
    board = BoardFactory(owner=other_user)
    board_follow(follower=user, board=board)
    PinFactory(board=board, media=media)
    Board.objects.filter(pk=board.pk).update(privacy=Board.Privacy.SECRET)
    client.force_login(user)

    assert shown(client) == []
    assert "Nothing new from the boards and people you follow" in client.get("/").content.decode()


def test_related_pins_mix_into_the_feed_by_age_and_only_when_visible(
    client, user, other_user, media
):
    user_follow(follower=user, followee=other_user)
    liked, companion = PinFactory(), PinFactory()
    co_saved(liked, companion)
    pin_save(pin=liked, board=BoardFactory(owner=user), user=user)
    secret_companion = PinFactory(board=BoardFactory(privacy="SECRET"), media=companion.media)
    followed = PinFactory(board=BoardFactory(owner=other_user), media=media)
    PinFactory(media=media)  # neither followed nor related
    client.force_login(user)

    assert shown(client) == [followed.pk, companion.pk]
    assert secret_companion.pk not in shown(client)


def test_saves_with_related_pins_make_a_feed_without_following_anyone(client, user):
    liked, similar = PinFactory(), PinFactory()
    co_saved(liked, similar)
    pin_save(pin=liked, board=BoardFactory(owner=user), user=user)
    PinFactory()
    client.force_login(user)

    response = client.get("/")

    assert [pin.pk for pin in response.context["page"].pins] == [similar.pk]
    assert 'aria-current="page">Your feed' in response.content.decode()


def test_following_nothing_and_saving_nothing_shows_everything_with_a_prompt(client, user, media):
    own = PinFactory(board=BoardFactory(owner=user), media=media)
    others = PinFactory(media=media)
    client.force_login(user)

    response = client.get("/")
    html = response.content.decode()

    assert [pin.pk for pin in response.context["page"].pins] == [others.pk, own.pk]
    assert "Follow boards and people you like" in html
    assert "Your feed" not in html


def test_everything_is_one_tab_away_and_includes_your_own_pins(client, user, other_user, media):
    user_follow(follower=user, followee=other_user)
    own = PinFactory(board=BoardFactory(owner=user), media=media)
    theirs = PinFactory(board=BoardFactory(owner=other_user), media=media)
    stranger = PinFactory(media=media)
    client.force_login(user)

    response = client.get("/", {"all": "1"})
    html = response.content.decode()

    assert [pin.pk for pin in response.context["page"].pins] == [stranger.pk, theirs.pk, own.pk]
    assert 'href="/?all=1" aria-current="page">Everything' in html
    assert 'href="/">Your feed' in html


def test_anonymous_visitors_see_everything_without_tabs_or_prompt(client, other_user, media):
    pin = PinFactory(board=BoardFactory(owner=other_user), media=media)

    response = client.get("/")
    html = response.content.decode()

    assert [p.pk for p in response.context["page"].pins] == [pin.pk]
    assert "Your feed" not in html and "Follow boards and people" not in html


def test_the_feed_pages_by_keyset_to_the_end(client, user, other_user, media):
    user_follow(follower=user, followee=other_user)
    board = BoardFactory(owner=other_user)
    pins = [PinFactory(board=board, media=media) for _ in range(GRID_PAGE_SIZE + 3)]
    PinFactory(media=media)  # a stranger's newer pin stays out of every page
    client.force_login(user)

    first = client.get("/")
    before = first.context["page"].next_before
    rest = client.get("/", {"before": before}, headers={"X-Requested-With": "fetch"})

    newest_first = [pin.pk for pin in reversed(pins)]
    assert [pin.pk for pin in first.context["page"].pins] == newest_first[:GRID_PAGE_SIZE]
    assert [pin.pk for pin in rest.context["page"].pins] == newest_first[GRID_PAGE_SIZE:]
    assert rest.context["page"].next_before is None
    assert 'rel="next"' in first.content.decode()
    assert "<html" not in rest.content.decode()  # infinite scroll gets just the cards


def test_the_everything_tab_keeps_its_choice_on_the_next_page(client, user, other_user, media):
    user_follow(follower=user, followee=other_user)
    for _ in range(GRID_PAGE_SIZE + 1):
        PinFactory(media=media)
    client.force_login(user)

    html = client.get("/", {"all": "1"}).content.decode()

    assert "?all=1&amp;before=" in html


def _world(size: int, media) -> tuple:
    """A reader who follows `size` people and `size` boards, each with a fresh pin, and has a
    related pin; everyone's pins have processed images with renditions."""
    reader = UserFactory()
    for _ in range(size):
        person = UserFactory()
        user_follow(follower=reader, followee=person)
        PinFactory(board=BoardFactory(owner=person), media=media)
        board = BoardFactory()
        board_follow(follower=reader, board=board)
        PinFactory(board=board, media=media)
    liked, related_pin = PinFactory(), PinFactory()
    co_saved(liked, related_pin)
    pin_save(pin=liked, board=BoardFactory(owner=reader), user=reader)
    return reader, related_pin


@pytest.mark.parametrize("size", [2, 12])
def test_a_feed_page_costs_the_same_few_queries_at_any_size(
    client, django_assert_max_num_queries, media, size
):
    reader, related_pin = _world(size, media)
    client.force_login(reader)

    # Session, user, the reader's recent saves, the graph (rebuilt for every request in tests),
    # the related pins' visibility, the page of pins, their renditions, and nothing per pin,
    # board or person.
    with django_assert_max_num_queries(RELATED_FEED_QUERIES):
        response = client.get("/")

    pins = [pin.pk for pin in response.context["page"].pins]
    assert len(pins) == 2 * size + 1 and related_pin.pk in pins


def test_a_later_feed_page_costs_no_more_than_the_first(
    client, django_assert_max_num_queries, media
):
    reader, _ = _world(30, media)  # 60 pins in the feed, and the related one
    client.force_login(reader)

    with CaptureQueriesContext(connection) as first:
        page = client.get("/").context["page"]
    with django_assert_max_num_queries(len(first)):
        later = client.get("/", {"before": page.pins[10].pk})

    assert len(later.context["page"].pins) == 61 - 11


def test_someone_with_no_feed_costs_at_most_two_more_queries_than_a_visitor(
    client, django_assert_max_num_queries, user, media
):
    for _ in range(5):
        PinFactory(media=media)
    client.force_login(user)

    # Session and user, "follows a board?" and the recent saves, then the page and renditions.
    with django_assert_max_num_queries(6):
        response = client.get("/")

    assert len(response.context["page"].pins) == 5


def test_unprocessed_pins_are_in_the_feed_too(client, user, other_user):
    user_follow(follower=user, followee=other_user)
    waiting = PinFactory(
        board=BoardFactory(owner=other_user),
        media=MediaFactory(owner=other_user, width=40, height=30, process=False),
    )
    client.force_login(user)

    assert shown(client) == [waiting.pk]
