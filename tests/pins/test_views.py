import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from pins.models import Pin
from tests.factories import BoardFactory, MediaFactory, PinFactory
from tests.images import png_bytes
from tests.pages import same_page

pytestmark = pytest.mark.django_db


def test_home_shows_public_pins_newest_first(client, board):
    older, newer = PinFactory(board=board, title="Older"), PinFactory(board=board, title="Newer")
    html = client.get("/").content.decode()
    assert html.index(newer.title) < html.index(older.title)


def test_home_lists_a_page_in_a_constant_number_of_queries(client, django_assert_max_num_queries):
    boards = BoardFactory.create_batch(3)
    for board in boards:
        PinFactory.create_batch(4, board=board)
    with django_assert_max_num_queries(4):
        response = client.get("/")
    assert response.content.decode().count('class="card"') == 12


def test_home_pages_with_a_more_link_until_the_end(client, board, settings):
    pins = [PinFactory(board=board, media__width=40, media__height=30) for _ in range(3)]
    first = client.get("/", {"before": pins[-1].pk}).content.decode()
    assert pins[0].title in first and pins[-1].title not in first


def test_secret_pins_are_hidden_from_other_people(client, other_user, secret_pin, pin):
    for viewer in [None, other_user]:
        if viewer:
            client.force_login(viewer)
        home = client.get("/").content.decode()
        assert pin.title in home and secret_pin.title not in home
        secret_url, missing_url = f"/pin/{secret_pin.pk}/", "/pin/999999999/"
        detail, missing = client.get(secret_url), client.get(missing_url)
        assert detail.status_code == missing.status_code == 404
        assert same_page(
            detail.content.decode(),
            missing.content.decode(),
            first_url=secret_url,
            second_url=missing_url,
        )


def test_owners_see_their_secret_pins(client, user, secret_pin):
    client.force_login(user)
    assert secret_pin.title in client.get("/").content.decode()
    assert client.get(f"/pin/{secret_pin.pk}/").status_code == 200


@pytest.mark.parametrize("pin_id", ["99999999999999999999999", "0"])
def test_out_of_range_pin_ids_are_404(client, pin_id):
    assert client.get(f"/pin/{pin_id}/").status_code == 404


@pytest.mark.parametrize("before", ["abc", "-5", "99999999999999999999999"])
def test_a_malformed_more_cursor_shows_the_first_page(client, pin, before):
    response = client.get("/", {"before": before})
    assert response.status_code == 200 and pin.title in response.content.decode()


def test_the_pin_builder_needs_a_login(client):
    response = client.get("/pin-builder/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_the_pin_builder_sends_people_without_boards_to_create_one(client, user):
    client.force_login(user)
    response = client.get("/pin-builder/")
    assert response.status_code == 302
    assert response["Location"] == "/boards/new/?next=/pin-builder/"


def test_a_refused_file_shows_the_pipelines_message_next_to_the_field(client, user, board):
    client.force_login(user)
    upload = SimpleUploadedFile("cat.png", b"this is not a png", "image/png")
    response = client.post("/pin-builder/", {"image": upload, "board": board.pk, "title": "Cat"})
    assert response.status_code == 200
    assert response.context["form"].errors["image"] == [
        "not an image: upload a JPEG, PNG, GIF or WebP file"
    ]
    assert Pin.objects.count() == 0


def test_someone_elses_board_is_not_a_choice(client, user, other_user):
    theirs = BoardFactory(owner=other_user)
    BoardFactory(owner=user)
    client.force_login(user)
    upload = SimpleUploadedFile("a.png", png_bytes(20, 20), "image/png")
    response = client.post("/pin-builder/", {"image": upload, "board": theirs.pk})
    assert "board" in response.context["form"].errors
    assert Pin.objects.count() == 0


def test_pages_carry_a_strict_content_security_policy(client):
    response = client.get("/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert response["X-Content-Type-Options"] == "nosniff"


def test_the_home_page_with_50_pins_weighs_under_60_kb(client, board):
    media = MediaFactory(owner=board.owner, width=1200, height=900)  # all three grid widths
    for number in range(50):
        PinFactory(
            board=board,
            media=media,
            title=f"A sunlit harbour walk, idea {number}",
            link=f"https://www.example.com/ideas/harbour/{number}",
        )
    html = client.get("/").content
    assert html.count(b'class="card"') == 50
    assert len(html) < 60 * 1024
