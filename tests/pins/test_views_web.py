"""The web pages' writes: save, edit, delete, search, cards, the builder's URL path."""

import ipaddress
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from pins.models import Pin
from tests.factories import BoardFactory, PinFactory
from tests.images import png_bytes

pytestmark = pytest.mark.django_db
FETCH = {"HTTP_X_REQUESTED_WITH": "fetch"}


def test_saving_a_pin_from_a_script_answers_json_and_does_not_duplicate(client, other_user, pin):
    mine = BoardFactory(owner=other_user, name="Ideas")
    client.force_login(other_user)
    first = client.post(f"/pin/{pin.pk}/save/", {"board": mine.pk}, **FETCH)
    again = client.post(f"/pin/{pin.pk}/save/", {"board": mine.pk}, **FETCH)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["board"] == {"name": "Ideas", "url": mine.get_absolute_url()}
    assert (first.json()["created"], again.json()["created"]) == (True, False)
    saved = Pin.objects.get(board=mine)
    assert saved.parent_pin == pin and saved.media == pin.media and saved.owner == other_user


def test_saving_without_javascript_redirects_back_to_the_pin(client, other_user, pin):
    mine = BoardFactory(owner=other_user)
    client.force_login(other_user)
    response = client.post(f"/pin/{pin.pk}/save/", {"board": mine.pk})
    assert response.status_code == 302 and response["Location"] == pin.get_absolute_url()
    assert Pin.objects.filter(board=mine, parent_pin=pin).exists()


def test_nobody_saves_onto_someone_elses_board(client, other_user, pin, board):
    client.force_login(other_user)
    response = client.post(f"/pin/{pin.pk}/save/", {"board": board.pk}, **FETCH)
    assert response.status_code == 400 and "board" in response.json()["errors"]
    assert Pin.objects.count() == 1


def test_a_secret_pin_cannot_be_saved_by_others(client, other_user, secret_pin):
    client.force_login(other_user)
    mine = BoardFactory(owner=other_user)
    assert client.post(f"/pin/{secret_pin.pk}/save/", {"board": mine.pk}).status_code == 404


def test_the_owner_edits_a_pin_and_moves_it_to_a_section(client, user, pin):
    section = pin.board.sections.create(name="Boats")
    client.force_login(user)
    response = client.post(
        f"/pin/{pin.pk}/edit/",
        {"title": "Renamed", "board": pin.board_id, "section": section.pk, "link": ""},
    )
    assert response.status_code == 302
    pin.refresh_from_db()
    assert (pin.title, pin.section) == ("Renamed", section)


def test_others_get_403_editing_a_visible_pin_and_404_a_secret_one(
    client, other_user, pin, secret_pin
):
    client.force_login(other_user)
    assert client.get(f"/pin/{pin.pk}/edit/").status_code == 403
    assert client.post(f"/pin/{pin.pk}/delete/").status_code == 403
    assert client.get(f"/pin/{secret_pin.pk}/edit/").status_code == 404
    assert Pin.objects.count() == 2


def test_the_owner_deletes_a_pin_after_confirming(client, user, pin):
    client.force_login(user)
    assert client.get(f"/pin/{pin.pk}/delete/").status_code == 200
    assert Pin.objects.filter(pk=pin.pk).exists()
    response = client.post(f"/pin/{pin.pk}/delete/")
    assert response.status_code == 302 and not Pin.objects.filter(pk=pin.pk).exists()


def test_search_finds_visible_pins_by_a_word_of_their_description(client, board, secret_board):
    PinFactory(board=board, title="Harbour", description="Fishing boats at dawn")
    PinFactory(board=secret_board, title="Hidden", description="Boats in the fog")
    html = client.get("/search/", {"q": "boats"}).content.decode()
    assert "Harbour" in html and "Hidden" not in html


def test_an_empty_search_helps(client):
    response = client.get("/search/", {"q": "nothing-matches-this"})
    assert response.status_code == 200 and "nothing-matches-this" in response.content.decode()


def test_a_search_with_a_nul_byte_is_not_an_error(client, pin):
    assert client.get("/search/", {"q": "a\x00b"}).status_code == 200


def test_the_card_endpoint_renders_one_visible_card(client, pin, secret_pin):
    assert pin.title in client.get(f"/pin/{pin.pk}/card/").content.decode()
    assert client.get(f"/pin/{secret_pin.pk}/card/").status_code == 404


def test_infinite_scroll_gets_only_the_next_cards(client, board):
    pins = [PinFactory(board=board, media__width=40, media__height=30) for _ in range(3)]
    response = client.get("/", {"before": pins[-1].pk}, **FETCH)
    html = response.content.decode()
    assert pins[0].title in html and "<html" not in html


class ImageHandler(BaseHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass

    def do_GET(self) -> None:
        body = png_bytes(320, 240, color=(10, 200, 90))
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def image_url(settings):
    settings.MEDIA_FETCH_ALLOWED_NETWORKS = [ipaddress.ip_network("127.0.0.1/32")]
    server = ThreadingHTTPServer(("127.0.0.1", 0), ImageHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/photo.png"
    server.shutdown()
    server.server_close()


def test_the_builder_makes_a_pin_from_an_image_url(
    client, user, board, image_url, django_capture_on_commit_callbacks
):
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/pin-builder/",
            {"image_url": image_url, "board": board.pk, "title": "Fetched"},
            **FETCH,
        )
    assert response.status_code == 201
    pin = Pin.objects.get(title="Fetched")
    assert pin.media.status == "ready" and pin.media.source_url == image_url
    assert (pin.media.width, pin.media.height) == (320, 240)


def test_the_builder_refuses_a_private_image_url_next_to_the_field(client, user, board):
    client.force_login(user)
    response = client.post(
        "/pin-builder/", {"image_url": "http://10.0.0.1/x.png", "board": board.pk}, **FETCH
    )
    assert response.status_code == 400
    assert "image_url" in response.json()["errors"]
    assert Pin.objects.count() == 0


def test_the_builder_reports_a_refused_file_as_json(client, user, board):
    client.force_login(user)
    upload = SimpleUploadedFile("x.png", b"not a picture", "image/png")
    response = client.post("/pin-builder/", {"image": upload, "board": board.pk}, **FETCH)
    assert response.status_code == 400
    assert response.json()["errors"]["image"][0]["message"].startswith("not an image")


def test_the_builder_needs_exactly_one_image_source(client, user, board, image_url):
    client.force_login(user)
    response = client.post("/pin-builder/", {"board": board.pk}, **FETCH)
    assert response.status_code == 400 and "__all__" in response.json()["errors"]
