import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from boards.models import Board
from media_pipeline.models import MediaRecord
from pins.models import Pin
from pins.services import pin_create
from tests.factories import BoardSectionFactory, unique_jpeg

pytestmark = pytest.mark.django_db


def test_a_pin_is_created_on_the_owners_board_and_marks_it_modified(user, board):
    pin = pin_create(
        owner=user,
        board=board,
        upload=unique_jpeg(),
        title=" Lighthouse ",
        link="https://example.com/lighthouse",
        alt_text="A white lighthouse",
    )
    assert (pin.title, pin.owner, pin.board) == ("Lighthouse", user, board)
    assert pin.media.owner == user
    board.refresh_from_db()
    assert board.pins_modified_at is not None


def test_pins_cannot_be_added_to_someone_elses_board(other_user, board):
    with pytest.raises(PermissionDenied):
        pin_create(owner=other_user, board=board, upload=unique_jpeg())
    assert Pin.objects.count() == 0 and MediaRecord.objects.count() == 0


def test_a_section_from_another_board_is_refused(user, board):
    elsewhere = BoardSectionFactory(
        board=Board.objects.create(owner=user, name="Other", slug="other")
    )
    with pytest.raises(ValidationError) as caught:
        pin_create(owner=user, board=board, upload=unique_jpeg(), section=elsewhere)
    assert "board_section_id" in caught.value.message_dict


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"link": "javascript:alert(1)"}, "link"),
        ({"link": "ftp://example.com/file"}, "link"),
        ({"title": "x" * 101}, "title"),
        ({"description": "x" * 801}, "description"),
        ({"alt_text": "x" * 501}, "alt_text"),
        ({"title": "nul\x00"}, "title"),
    ],
)
def test_bad_text_is_refused_before_the_image_is_stored(user, board, media_storage, fields, field):
    with pytest.raises(ValidationError) as caught:
        pin_create(owner=user, board=board, upload=unique_jpeg(), **fields)
    assert field in caught.value.message_dict
    assert Pin.objects.count() == 0 and MediaRecord.objects.count() == 0
    assert not any(path.is_file() for path in media_storage.rglob("*"))


def test_a_refused_image_leaves_no_pin(user, board):
    with pytest.raises(ValidationError, match="not an image"):
        pin_create(owner=user, board=board, upload=b"just some text, not a picture")
    assert Pin.objects.count() == 0
