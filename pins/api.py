import base64
import binascii

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Q
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from boards.api import (
    COLOR_PARAMETER,
    PAGE_PARAMETERS,
    color_from,
    paginated,
    pin_payload,
    visible_board,
    visible_section,
    writer,
)
from boards.models import Board, BoardSection
from catalog.api.auth import reader, require_scope
from catalog.api.errors import Code, bad_request, not_found, too_large
from catalog.api.helpers import check_upload_rate, text, validated
from catalog.api.pagination import paginate, paginate_ranked
from catalog.api.schema import PUBLIC_READ
from catalog.response_cache import kept_for_reader
from media_pipeline.models import MediaRecord
from pins.models import Pin
from pins.selectors import (
    pin_duplicate_of,
    pin_visible,
    pins_by_color,
    pins_near_color,
    pins_related_page,
    pins_search,
    pins_visible_to,
    pins_with_card_data,
)
from pins.serializers import (
    PinCreatedSerializer,
    PinCreateSerializer,
    PinSaveSerializer,
    PinSerializer,
    PinUpdateSerializer,
)
from pins.services import pin_create, pin_delete, pin_save, pin_update

# v5's pins/list filters: saves (repins) have a parent; nothing here is promoted.
PIN_FILTERS = {
    "exclude_native": Q(parent_pin__isnull=False),
    "exclude_repins": Q(parent_pin__isnull=True),
    "has_been_promoted": Q(pk__in=[]),
}


def visible_pin(request: Request, pin_id: str, *, viewer=None) -> Pin:
    pin = pin_visible(pin_id=pin_id, viewer=viewer or reader(request, "pins"))
    if pin is None:
        raise not_found("Pin not found.", Code.PIN_NOT_FOUND)
    return pin


def pin_response(request: Request, pin: Pin, code: int = status.HTTP_200_OK) -> Response:
    fresh = pin_visible(pin_id=str(pin.pk), viewer=request.user)
    return Response(PinSerializer(fresh, context={"request": request}).data, status=code)


def require_pin_write(request: Request, board: Board) -> None:
    require_scope(request, "pins:write_secret" if board.is_secret else "pins:write")


def target_board(request: Request, data: dict) -> tuple[Board, BoardSection | None]:
    """The board (and section) a pin is written to: one the caller may write pins to."""
    board = visible_board(request, data["board_id"], viewer=writer(request, "pins:write_secret"))
    require_pin_write(request, board)
    section_id = data.get("board_section_id")
    return board, visible_section(board, section_id) if section_id else None


def decode_base64_image(data: str) -> bytes:
    if len(data) > settings.MEDIA_MAX_UPLOAD_BYTES * 4 // 3 + 8:
        raise too_large(f"image over {settings.MEDIA_MAX_UPLOAD_BYTES / (1024 * 1024):g} MB")
    if data.startswith("data:") and "," in data:
        data = data.split(",", 1)[1]  # a data: URI as browsers make them
    try:
        return base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        raise bad_request("media_source.data is not valid base64.") from None


class PinsView(APIView):
    @extend_schema(
        operation_id="pins/list",
        tags=["pins"],
        parameters=[
            *PAGE_PARAMETERS,
            OpenApiParameter("pin_filter", str, enum=sorted(PIN_FILTERS)),
        ],
        responses=paginated(PinSerializer, "PinPage"),
    )
    @kept_for_reader
    def get(self, request: Request) -> Response:
        require_scope(request, "pins:read")
        pin_filter = request.query_params.get("pin_filter", "")
        if pin_filter and pin_filter not in PIN_FILTERS:
            raise bad_request(f"pin_filter must be one of {', '.join(sorted(PIN_FILTERS))}.")
        pins = pins_visible_to(reader(request, "pins")).filter(owner=request.user)
        if pin_filter:
            pins = pins.filter(PIN_FILTERS[pin_filter])
        page = paginate(
            request, pins_with_card_data(pins), context=f"pins/list:{request.user.pk}:{pin_filter}"
        )
        return Response({"items": pin_payload(request, page.items), "bookmark": page.bookmark})

    @extend_schema(
        operation_id="pins/create",
        tags=["pins"],
        request=PinCreateSerializer,
        responses={201: PinCreatedSerializer},
    )
    def post(self, request: Request) -> Response:
        require_scope(request, "pins:write")
        data = validated(PinCreateSerializer, request.data)
        board, section = target_board(request, data)
        source = data["media_source"]
        image: dict = {}
        if source["source_type"] == "media_id":
            media = MediaRecord.objects.filter(
                pk=int(source["media_id"]), owner=request.user
            ).first()
            if media is None:
                raise not_found("Media not found.", Code.MEDIA_NOT_FOUND)
            image["media"] = media
        else:
            check_upload_rate(request, self)
            if source["source_type"] == "image_url":
                image["image_url"] = source["url"]
            else:
                image["upload"] = decode_base64_image(source["data"])
        try:
            pin = pin_create(
                owner=request.user,
                board=board,
                section=section,
                title=text(data.get("title")),
                description=text(data.get("description")),
                link=text(data.get("link")),
                alt_text=text(data.get("alt_text")),
                **image,
            )
        except ValidationError as exc:
            if getattr(exc, "code", None) == "too_large":
                raise too_large(exc.messages[0]) from None
            raise
        fresh = pin_visible(pin_id=str(pin.pk), viewer=request.user)
        # Known at once for uploads (hashed in the request); null for a URL not fetched yet.
        duplicate = pin_duplicate_of(fresh, reader(request, "pins"))
        context = {"request": request, "duplicate_of": duplicate}
        return Response(
            PinCreatedSerializer(fresh, context=context).data, status=status.HTTP_201_CREATED
        )


class PinView(APIView):
    @extend_schema(
        operation_id="pins/get", auth=PUBLIC_READ, tags=["pins"], responses=PinSerializer
    )
    @kept_for_reader
    def get(self, request: Request, pin_id: str) -> Response:
        if request.user.is_authenticated:
            require_scope(request, "pins:read")
        pin = visible_pin(request, pin_id)
        return Response(PinSerializer(pin, context={"request": request}).data)

    @extend_schema(
        operation_id="pins/update",
        tags=["pins"],
        request=PinUpdateSerializer,
        responses=PinSerializer,
    )
    def patch(self, request: Request, pin_id: str) -> Response:
        require_scope(request, "pins:write")
        data = validated(PinUpdateSerializer, request.data)
        pin = visible_pin(request, pin_id, viewer=writer(request, "pins:write_secret"))
        require_pin_write(request, pin.board)
        board = None
        if data.get("board_id"):
            board = visible_board(
                request, data["board_id"], viewer=writer(request, "pins:write_secret")
            )
            require_pin_write(request, board)
        section = None
        if data.get("board_section_id"):
            section = visible_section(board or pin.board, data["board_section_id"])
        pin = pin_update(
            pin=pin,
            user=request.user,
            title=data.get("title") if "title" in data else None,
            description=data.get("description") if "description" in data else None,
            link=data.get("link") if "link" in data else None,
            alt_text=data.get("alt_text") if "alt_text" in data else None,
            board=board,
            section=section,
            clear_section="board_section_id" in data and not data["board_section_id"],
        )
        return pin_response(request, pin)

    @extend_schema(operation_id="pins/delete", tags=["pins"], responses={204: None})
    def delete(self, request: Request, pin_id: str) -> Response:
        require_scope(request, "pins:write")
        pin = visible_pin(request, pin_id, viewer=writer(request, "pins:write_secret"))
        require_pin_write(request, pin.board)
        pin_delete(pin=pin, user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class PinSaveView(APIView):
    @extend_schema(
        operation_id="pins/save",
        tags=["pins"],
        request=PinSaveSerializer,
        responses={201: PinSerializer},
    )
    def post(self, request: Request, pin_id: str) -> Response:
        require_scope(request, "pins:write")
        data = validated(PinSaveSerializer, request.data)
        pin = visible_pin(request, pin_id)
        board, section = target_board(request, data)
        saved, _ = pin_save(pin=pin, board=board, user=request.user, section=section)
        return pin_response(request, saved, status.HTTP_201_CREATED)


class PinRelatedView(APIView):
    @extend_schema(
        operation_id="pins/related",
        auth=PUBLIC_READ,
        tags=["pins"],
        parameters=PAGE_PARAMETERS,
        responses=paginated(PinSerializer, "PinRelatedPage"),
    )
    @kept_for_reader
    def get(self, request: Request, pin_id: str) -> Response:
        """More like this: pins related to this one, best first."""
        if request.user.is_authenticated:
            require_scope(request, "pins:read")
        viewer = reader(request, "pins")
        pin = visible_pin(request, pin_id, viewer=viewer)
        page = paginate_ranked(
            request,
            lambda offset, limit: pins_related_page(
                pin=pin, viewer=viewer, offset=offset, limit=limit
            ),
            context=f"pins/related:{pin.pk}:{viewer.pk}",
        )
        return Response({"items": pin_payload(request, page.items), "bookmark": page.bookmark})


class PinSearchView(APIView):
    @extend_schema(
        operation_id="search_user_pins/list",
        tags=["search"],
        parameters=[
            *PAGE_PARAMETERS,
            OpenApiParameter(
                "query",
                {
                    "type": "string",
                    "minLength": 1,
                    "maxLength": 500,
                    "pattern": r"^[^\x00]*\S[^\x00]*$",
                },
                description="Required unless `color` is given (extension: colour search).",
            ),
            COLOR_PARAMETER,
        ],
        responses=paginated(PinSerializer, "PinSearchPage"),
    )
    @kept_for_reader
    def get(self, request: Request) -> Response:
        require_scope(request, "pins:read")
        # Not stripped: a query ending in a word (no trailing space) matches that word's prefix.
        query = request.query_params.get("query", "")
        color = color_from(request)
        if not query.strip() and color is None:
            raise bad_request("query is required (or color).")
        if "\x00" in query or len(query) > 500:
            raise bad_request("query must be text of at most 500 characters.")
        if color is not None and not query.strip():
            # Colour alone: the user's pins nearest that colour first.
            near = pins_with_card_data(
                pins_by_color(
                    pins_visible_to(reader(request, "pins")).filter(owner=request.user), color
                )
            )
            page = paginate_ranked(
                request,
                lambda offset, limit: list(near[offset : offset + limit]),
                context=f"search/pins:{request.user.pk}:color:{color}",
            )
            return Response({"items": pin_payload(request, page.items), "bookmark": page.bookmark})
        own = Pin.objects.filter(owner=request.user)
        # Pinterest's search_user_pins: the token user's own pins, best match first.
        page = paginate_ranked(
            request,
            lambda offset, limit: pins_search(
                query=query,
                viewer=reader(request, "pins"),
                among=own if color is None else pins_near_color(own, color),
                offset=offset,
                limit=limit,
            ),
            context=f"search/pins:{request.user.pk}:{query}" + (f":{color}" if color else ""),
        )
        return Response({"items": pin_payload(request, page.items), "bookmark": page.bookmark})
