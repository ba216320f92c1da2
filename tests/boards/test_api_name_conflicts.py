"""A taken board or section name through /api/v5/ is a 409 Conflict in v5's error shape, and
nothing changes. The web forms show the same message as a form error (tests/boards/test_views.py).
"""

import pytest

from boards.models import Board
from catalog.api.errors import Code
from tests.api.matrix_fixtures import (  # noqa: F401 - fixtures
    Api,
    assert_error,
    body_of,
    clear_throttle_counts,
    token_for,
)
from tests.factories import BoardFactory, BoardSectionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(user) -> Api:
    return Api(token=token_for(user))


def test_creating_a_board_with_a_name_you_use_is_a_409_naming_it(api, user):
    BoardFactory(owner=user, name="Kitchen")

    response = api.post("boards", {"name": "KITCHEN", "description": "Pots"})

    body = assert_error(response, 409, Code.CONFLICT)
    assert body["message"] == "You already have a board named “KITCHEN”."
    assert list(Board.objects.filter(owner=user).values_list("name", flat=True)) == ["Kitchen"]


def test_a_name_another_user_has_is_no_conflict(api, other_user):
    BoardFactory(owner=other_user, name="Kitchen")

    response = api.post("boards", {"name": "Kitchen"})

    assert response.status_code == 201
    assert body_of(response)["name"] == "Kitchen"


def test_a_name_too_long_is_still_invalid_input_not_a_conflict(api):
    response = api.post("boards", {"name": "x" * 181})

    assert_error(response, 400, Code.INVALID_PARAMETERS)


def test_renaming_a_board_to_a_name_you_use_is_a_409_and_changes_nothing(api, user):
    BoardFactory(owner=user, name="Kitchen")
    garden = BoardFactory(owner=user, name="Garden", slug="garden", description="Beds")

    response = api.patch(f"boards/{garden.pk}", {"name": "kitchen", "description": "Pots"})

    body = assert_error(response, 409, Code.CONFLICT)
    assert body["message"] == "You already have a board named “kitchen”."
    garden.refresh_from_db()
    assert (garden.name, garden.slug, garden.description) == ("Garden", "garden", "Beds")


def test_renaming_a_board_to_its_own_name_in_another_case_is_no_conflict(api, user):
    garden = BoardFactory(owner=user, name="Garden", slug="garden")

    response = api.patch(f"boards/{garden.pk}", {"name": "GARDEN"})

    assert response.status_code == 200
    assert body_of(response)["name"] == "GARDEN"


def test_a_section_name_the_board_has_is_a_409_on_create_and_on_rename(api, user):
    board = BoardFactory(owner=user)
    BoardSectionFactory(board=board, name="Pans")
    knives = BoardSectionFactory(board=board, name="Knives")

    created = api.post(f"boards/{board.pk}/sections", {"name": "pans"})
    renamed = api.patch(f"boards/{board.pk}/sections/{knives.pk}", {"name": "PANS"})

    body = assert_error(created, 409, Code.CONFLICT)
    assert body["message"] == "This board already has a section named “pans”."
    assert_error(renamed, 409, Code.CONFLICT)
    assert sorted(board.sections.values_list("name", flat=True)) == ["Knives", "Pans"]
