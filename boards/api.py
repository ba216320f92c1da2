from collections.abc import Iterator
from contextlib import contextmanager

from django.contrib.auth.models import AnonymousUser
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    inline_serializer,
)
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from boards.models import Board, BoardSection
from boards.selectors import (
    board_visible,
    boards_owned_by,
    boards_search,
    section_of,
)
from boards.serializers import (
    BoardSectionSerializer,
    BoardSectionWriteSerializer,
    BoardSerializer,
    BoardUpdateSerializer,
    BoardWriteSerializer,
)
from boards.services import (
    BoardNameTaken,
    SectionNameTaken,
    board_create,
    board_delete,
    board_update,
    section_create,
    section_delete,
    section_update,
)
from catalog.api.auth import has_scope, reader, require_scope
from catalog.api.errors import Code, bad_request, conflict, not_found
from catalog.api.helpers import text, validated
from catalog.api.pagination import paginate, paginate_ranked
from catalog.api.schema import PUBLIC_READ
from catalog.response_cache import kept_for_reader
from media_pipeline.colors import ColorError, parse_hex_color
from pins.selectors import pins_near_color, pins_visible_to, pins_with_card_data
from pins.serializers import PinSerializer

PAGE_PARAMETERS = [
    OpenApiParameter("bookmark", str, description="Cursor from the previous page."),
    OpenApiParameter(
        "page_size",
        {"type": "integer", "minimum": 1, "maximum": 250},
        description="1 to 250, default 25.",
    ),
]

# Extension: `?color=` keeps the pins whose image's dominant colour looks close to this one.
COLOR_PARAMETER = OpenApiParameter(
    "color",
    {"type": "string", "pattern": r"^#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$"},
    description="Extension: only pins whose dominant colour looks close to this one "
    "(#RRGGBB; the # may be left out, #RGB is short for #RRGGBB).",
)


# The body is the usual error (see catalog.api.schema), with code 10.
BOARD_NAME_TAKEN = OpenApiResponse(description="The user already has a board of this name")
SECTION_NAME_TAKEN = OpenApiResponse(description="The board already has a section of this name")


@contextmanager
def name_taken_is_a_conflict() -> Iterator[None]:
    """A taken name answers 409: the request was valid, and clashes with what exists (perhaps
    created a moment ago by a concurrent or retried request), which a client handles apart."""
    try:
        yield
    except (BoardNameTaken, SectionNameTaken) as exc:
        raise conflict(" ".join(exc.messages)) from None


def color_from(request: Request) -> str | None:
    """The `color` parameter as #rrggbb; None when absent or empty."""
    raw = request.query_params.get("color", "")
    if not raw:
        return None
    try:
        return parse_hex_color(raw)
    except ColorError:
        raise bad_request("color must be a hex colour like #cc3333.") from None


# v5's `privacy` filter values and the boards each lists (PROTECTED ones do not exist yet).
BOARD_LIST_PRIVACY = {
    "ALL": [Board.Privacy.PUBLIC, Board.Privacy.SECRET],
    "PUBLIC_AND_SECRET": [Board.Privacy.PUBLIC, Board.Privacy.SECRET],
    "PUBLIC": [Board.Privacy.PUBLIC],
    "SECRET": [Board.Privacy.SECRET],
}


def paginated(item: type[serializers.Serializer], name: str) -> serializers.Serializer:
    return inline_serializer(
        name=name,
        fields={
            "items": item(many=True),
            "bookmark": serializers.CharField(allow_null=True),
        },
    )


def board_payload(request: Request, boards) -> list[dict]:
    return BoardSerializer(boards, many=True, context={"request": request}).data


def pin_payload(request: Request, pins) -> list[dict]:
    return PinSerializer(pins, many=True, context={"request": request}).data


def writer(request: Request, secret_scope: str) -> User | AnonymousUser:
    """Who writes, for finding the target: without the secret write scope, secret boards
    stay invisible (404) even to their owner's token."""
    if has_scope(request, secret_scope):
        return request.user
    return AnonymousUser()


def visible_board(request: Request, board_id: str, *, viewer=None, api_data: bool = False) -> Board:
    board = board_visible(
        board_id=board_id, viewer=viewer or reader(request, "boards"), api_data=api_data
    )
    if board is None:
        raise not_found("Board not found.", Code.BOARD_NOT_FOUND)
    return board


def require_board_write(request: Request, board: Board | None = None, privacy: str = "") -> None:
    secret = privacy == Board.Privacy.SECRET or (board is not None and board.is_secret)
    require_scope(request, "boards:write_secret" if secret else "boards:write")


def reload_board(request: Request, board: Board) -> dict:
    fresh = board_visible(board_id=str(board.pk), viewer=request.user, api_data=True)
    return BoardSerializer(fresh, context={"request": request}).data


def visible_section(board: Board, section_id: str) -> BoardSection:
    section = section_of(board=board, section_id=section_id)
    if section is None:
        raise not_found("Board section not found.", Code.SECTION_NOT_FOUND)
    return section


class BoardsView(APIView):
    @extend_schema(
        operation_id="boards/list",
        tags=["boards"],
        parameters=[
            *PAGE_PARAMETERS,
            OpenApiParameter("privacy", str, enum=sorted(BOARD_LIST_PRIVACY)),
        ],
        responses=paginated(BoardSerializer, "BoardPage"),
    )
    @kept_for_reader
    def get(self, request: Request) -> Response:
        require_scope(request, "boards:read")
        boards = boards_owned_by(owner=request.user, viewer=reader(request, "boards"))
        privacy = request.query_params.get("privacy", "ALL")
        if privacy == "PROTECTED":
            raise bad_request("privacy PROTECTED is not supported yet; use PUBLIC, SECRET or ALL.")
        if privacy not in BOARD_LIST_PRIVACY:
            raise bad_request(f"privacy must be one of {', '.join(sorted(BOARD_LIST_PRIVACY))}.")
        boards = boards.filter(privacy__in=BOARD_LIST_PRIVACY[privacy])
        page = paginate(request, boards, context=f"boards/list:{request.user.pk}:{privacy}")
        return Response({"items": board_payload(request, page.items), "bookmark": page.bookmark})

    @extend_schema(
        operation_id="boards/create",
        tags=["boards"],
        request=BoardWriteSerializer,
        responses={201: BoardSerializer, 409: BOARD_NAME_TAKEN},
    )
    def post(self, request: Request) -> Response:
        require_scope(request, "boards:write")
        data = validated(BoardWriteSerializer, request.data)
        privacy = data.get("privacy", Board.Privacy.PUBLIC)
        require_board_write(request, privacy=privacy)
        with name_taken_is_a_conflict():
            board = board_create(
                owner=request.user,
                name=data["name"],
                description=text(data.get("description")),
                privacy=privacy,
            )
        return Response(reload_board(request, board), status=status.HTTP_201_CREATED)


class BoardView(APIView):
    @extend_schema(
        operation_id="boards/get", auth=PUBLIC_READ, tags=["boards"], responses=BoardSerializer
    )
    @kept_for_reader
    def get(self, request: Request, board_id: str) -> Response:
        if request.user.is_authenticated:
            require_scope(request, "boards:read")
        board = visible_board(request, board_id, api_data=True)
        return Response(BoardSerializer(board, context={"request": request}).data)

    @extend_schema(
        operation_id="boards/update",
        tags=["boards"],
        request=BoardUpdateSerializer,
        responses={200: BoardSerializer, 409: BOARD_NAME_TAKEN},
    )
    def patch(self, request: Request, board_id: str) -> Response:
        require_scope(request, "boards:write")
        data = validated(BoardUpdateSerializer, request.data)
        board = visible_board(request, board_id, viewer=writer(request, "boards:write_secret"))
        require_board_write(request, board, privacy=data.get("privacy", ""))
        with name_taken_is_a_conflict():
            board = board_update(
                board=board,
                user=request.user,
                name=data.get("name"),
                description=text(data.get("description")) if "description" in data else None,
                privacy=data.get("privacy"),
            )
        return Response(reload_board(request, board))

    @extend_schema(operation_id="boards/delete", tags=["boards"], responses={204: None})
    def delete(self, request: Request, board_id: str) -> Response:
        require_scope(request, "boards:write")
        board = visible_board(request, board_id, viewer=writer(request, "boards:write_secret"))
        require_board_write(request, board)
        board_delete(board=board, user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class BoardPinsView(APIView):
    @extend_schema(
        operation_id="boards/list_pins",
        auth=PUBLIC_READ,
        tags=["boards"],
        parameters=[*PAGE_PARAMETERS, COLOR_PARAMETER],
        responses=paginated(PinSerializer, "BoardPinPage"),
    )
    @kept_for_reader
    def get(self, request: Request, board_id: str) -> Response:
        if request.user.is_authenticated:
            require_scope(request, "pins:read")
        board = visible_board(request, board_id)
        pins = pins_visible_to(reader(request, "pins")).filter(board=board)
        context = f"boards/list_pins:{board.pk}"
        color = color_from(request)
        if color is not None:
            # Filtered, in the board's own order: the same keyset pages as without a colour.
            pins = pins_near_color(pins, color)
            context += f":{color}"
        page = paginate(request, pins_with_card_data(pins), context=context)
        return Response({"items": pin_payload(request, page.items), "bookmark": page.bookmark})


class SectionsView(APIView):
    @extend_schema(
        operation_id="board_sections/list",
        auth=PUBLIC_READ,
        tags=["boards"],
        parameters=PAGE_PARAMETERS,
        responses=paginated(BoardSectionSerializer, "BoardSectionPage"),
    )
    @kept_for_reader
    def get(self, request: Request, board_id: str) -> Response:
        if request.user.is_authenticated:
            require_scope(request, "boards:read")
        board = visible_board(request, board_id)
        page = paginate(
            request,
            BoardSection.objects.filter(board=board),
            context=f"board_sections/list:{board.pk}",
            descending=False,
        )
        items = [{"id": str(section.pk), "name": section.name} for section in page.items]
        return Response({"items": items, "bookmark": page.bookmark})

    @extend_schema(
        operation_id="board_sections/create",
        tags=["boards"],
        request=BoardSectionWriteSerializer,
        responses={201: BoardSectionSerializer, 409: SECTION_NAME_TAKEN},
    )
    def post(self, request: Request, board_id: str) -> Response:
        require_scope(request, "boards:write")
        data = validated(BoardSectionWriteSerializer, request.data)
        board = visible_board(request, board_id, viewer=writer(request, "boards:write_secret"))
        require_board_write(request, board)
        with name_taken_is_a_conflict():
            section = section_create(board=board, user=request.user, name=data["name"])
        return Response(
            {"id": str(section.pk), "name": section.name}, status=status.HTTP_201_CREATED
        )


class SectionView(APIView):
    @extend_schema(
        operation_id="board_sections/update",
        tags=["boards"],
        request=BoardSectionWriteSerializer,
        responses={200: BoardSectionSerializer, 409: SECTION_NAME_TAKEN},
    )
    def patch(self, request: Request, board_id: str, section_id: str) -> Response:
        require_scope(request, "boards:write")
        data = validated(BoardSectionWriteSerializer, request.data)
        board = visible_board(request, board_id, viewer=writer(request, "boards:write_secret"))
        section = visible_section(board, section_id)
        require_board_write(request, board)
        with name_taken_is_a_conflict():
            section = section_update(section=section, user=request.user, name=data["name"])
        return Response({"id": str(section.pk), "name": section.name})

    @extend_schema(operation_id="board_sections/delete", tags=["boards"], responses={204: None})
    def delete(self, request: Request, board_id: str, section_id: str) -> Response:
        require_scope(request, "boards:write")
        board = visible_board(request, board_id, viewer=writer(request, "boards:write_secret"))
        section = visible_section(board, section_id)
        require_board_write(request, board)
        section_delete(section=section, user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class SectionPinsView(APIView):
    @extend_schema(
        operation_id="board_sections/list_pins",
        auth=PUBLIC_READ,
        tags=["boards"],
        parameters=PAGE_PARAMETERS,
        responses=paginated(PinSerializer, "SectionPinPage"),
    )
    @kept_for_reader
    def get(self, request: Request, board_id: str, section_id: str) -> Response:
        if request.user.is_authenticated:
            require_scope(request, "pins:read")
        board = visible_board(request, board_id)
        section = visible_section(board, section_id)
        pins = pins_with_card_data(pins_visible_to(reader(request, "pins")).filter(section=section))
        page = paginate(request, pins, context=f"board_sections/list_pins:{section.pk}")
        return Response({"items": pin_payload(request, page.items), "bookmark": page.bookmark})


class BoardSearchView(APIView):
    @extend_schema(
        operation_id="search_user_boards/get",
        tags=["search"],
        parameters=[
            *PAGE_PARAMETERS,
            OpenApiParameter("query", {"type": "string", "maxLength": 500}),
        ],
        responses=paginated(BoardSerializer, "BoardSearchPage"),
    )
    @kept_for_reader
    def get(self, request: Request) -> Response:
        require_scope(request, "boards:read")
        # Not stripped: a query ending in a word (no trailing space) matches that word's prefix.
        query = request.query_params.get("query", "")
        if "\x00" in query or len(query) > 500:
            raise bad_request("query must be text of at most 500 characters.")
        viewer = reader(request, "boards")
        context = f"search/boards:{request.user.pk}:{query}"
        if not query.strip():
            # As Pinterest's: without a query, all of the user's boards, newest first.
            page = paginate(
                request, boards_owned_by(owner=request.user, viewer=viewer), context=context
            )
        else:
            own = Board.objects.filter(owner=request.user)
            page = paginate_ranked(
                request,
                lambda offset, limit: boards_search(
                    query=query, viewer=viewer, among=own, offset=offset, limit=limit
                ),
                context=context,
            )
        return Response({"items": board_payload(request, page.items), "bookmark": page.bookmark})
