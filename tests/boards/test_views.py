import pytest

from boards.models import Board
from tests.factories import BoardFactory, PinFactory
from tests.pages import same_page

pytestmark = pytest.mark.django_db


def test_creating_a_board_leads_to_its_page(client, user):
    client.force_login(user)
    response = client.post("/boards/new/", {"name": "Small gardens", "description": "Balconies"})
    board = Board.objects.get(owner=user)
    assert (
        response.status_code == 302 and response["Location"] == f"/{user.username}/small-gardens/"
    )
    page = client.get(response["Location"]).content.decode()
    assert "Small gardens" in page and "This board has no pins yet." in page
    assert board.privacy == "PUBLIC"


def test_a_duplicate_board_name_is_a_form_error(client, user):
    BoardFactory(owner=user, name="Gardens")
    client.force_login(user)
    response = client.post("/boards/new/", {"name": "gardens"})
    assert response.status_code == 200
    assert "You already have a board named “gardens”." in response.content.decode()


def test_a_secret_board_is_made_with_the_checkbox(client, user):
    client.force_login(user)
    client.post("/boards/new/", {"name": "Gifts", "secret": "on"})
    assert Board.objects.get(owner=user).privacy == "SECRET"


def test_a_board_page_shows_its_pins_in_constant_queries(
    client, board, django_assert_max_num_queries
):
    pins = PinFactory.create_batch(5, board=board)
    with django_assert_max_num_queries(5):
        html = client.get(board.get_absolute_url()).content.decode()
    assert all(pin.title in html for pin in pins)


def test_board_urls_ignore_username_case(client, board):
    url = f"/{board.owner.username.upper()}/{board.slug}/"
    assert client.get(url).status_code == 200


def test_secret_boards_are_404_to_everyone_but_their_owner(client, user, other_user, secret_board):
    missing_url = f"/{user.username}/no-such-board/"
    secret_url = secret_board.get_absolute_url()
    for viewer in [None, other_user]:
        if viewer:
            client.force_login(viewer)
        secret, missing = client.get(secret_url), client.get(missing_url)
        assert secret.status_code == missing.status_code == 404
        assert same_page(
            secret.content.decode(),
            missing.content.decode(),
            first_url=secret_url,
            second_url=missing_url,
        )
    client.force_login(user)
    assert client.get(secret_board.get_absolute_url()).status_code == 200


def test_a_profile_lists_boards_with_pin_counts_hiding_secret_ones(
    client, user, board, secret_board
):
    PinFactory.create_batch(2, board=board)
    html = client.get(f"/{user.username}/").content.decode()
    assert board.name in html and "2 pins" in html
    assert secret_board.name not in html
    client.force_login(user)
    assert secret_board.name in client.get(f"/{user.username}/").content.decode()


def test_an_unknown_profile_is_404(client):
    assert client.get("/nobody-here/").status_code == 404


def test_a_profile_lists_boards_in_constant_queries(client, user, django_assert_max_num_queries):
    for board in BoardFactory.create_batch(4, owner=user):
        PinFactory(board=board)
    with django_assert_max_num_queries(6):
        html = client.get(f"/{user.username}/").content.decode()
    assert html.count("1 pin<") == 4
