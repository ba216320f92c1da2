import pytest

from boards.models import Board
from tests.factories import PinFactory

pytestmark = pytest.mark.django_db


def test_the_owner_renames_a_board_and_its_url_follows(client, user, board):
    client.force_login(user)
    response = client.post(f"{board.get_absolute_url()}edit/", {"name": "Sea views"})
    board.refresh_from_db()
    assert board.slug == "sea-views"
    assert response["Location"] == board.get_absolute_url()


def test_making_a_board_secret_hides_it_from_others(client, user, other_user, board):
    client.force_login(user)
    client.post(f"{board.get_absolute_url()}edit/", {"name": board.name, "secret": "on"})
    client.force_login(other_user)
    board.refresh_from_db()
    assert board.privacy == "SECRET"
    assert client.get(board.get_absolute_url()).status_code == 404


def test_deleting_a_board_asks_first_then_removes_it_and_its_pins(client, user, board):
    PinFactory(board=board)
    client.force_login(user)
    assert client.get(f"{board.get_absolute_url()}delete/").status_code == 200
    response = client.post(f"{board.get_absolute_url()}delete/")
    assert response.status_code == 302
    assert not Board.objects.filter(pk=board.pk).exists()


def test_others_cannot_edit_or_delete_a_board(client, other_user, board, secret_board):
    client.force_login(other_user)
    assert client.post(f"{board.get_absolute_url()}edit/", {"name": "x"}).status_code == 403
    assert client.post(f"{board.get_absolute_url()}delete/").status_code == 403
    assert client.post(f"{secret_board.get_absolute_url()}delete/").status_code == 404
    assert Board.objects.count() == 2


def test_the_owner_creates_a_section_and_sees_its_pins(client, user, board):
    client.force_login(user)
    response = client.post(f"{board.get_absolute_url()}sections/new/", {"name": "Boats"})
    section = board.sections.get()
    assert response["Location"] == f"{board.get_absolute_url()}?section={section.pk}"
    inside = PinFactory(board=board, section=section, title="Inside")
    outside = PinFactory(board=board, title="Outside")
    html = client.get(board.get_absolute_url(), {"section": section.pk}).content.decode()
    assert inside.title in html and outside.title not in html


def test_the_save_dialog_lists_only_my_boards(client, user, other_user, board):
    theirs = Board.objects.create(owner=other_user, name="Theirs", slug="theirs")
    client.force_login(user)
    html = client.get("/boards/picker/").content.decode()
    assert board.name in html and theirs.name not in html


def test_a_board_made_from_the_dialog_answers_json(client, user):
    client.force_login(user)
    response = client.post("/boards/new/", {"name": "Quick"}, HTTP_X_REQUESTED_WITH="fetch")
    assert response.status_code == 201 and response.json()["name"] == "Quick"
