"""v5's following and followers lists and follow_user/update; unfollowing a user and following
a board are our extensions (v5 has no operation for them)."""

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User, username_characters
from boards.api import PAGE_PARAMETERS, paginated, reload_board, visible_board
from boards.serializers import BoardSerializer
from catalog.api.auth import reader, require_scope
from catalog.api.errors import not_found
from catalog.api.helpers import validated
from catalog.api.pagination import paginate
from follows.models import UserFollow
from follows.selectors import (
    boards_with_api_data,
    followed_boards_of,
    followers_of,
    following_of,
)
from follows.serializers import FollowUserSerializer, UserSummarySerializer
from follows.services import board_follow, board_unfollow, user_follow, user_unfollow

# v5's code for an unknown username.
USER_NOT_FOUND = 30
USERNAME_MAX_LENGTH = 30


def user_named(username: str) -> User:
    """The active user with this username (any case), or v5's 404."""
    if len(username) > USERNAME_MAX_LENGTH or not username_characters.regex.match(username):
        raise not_found("User not found.", USER_NOT_FOUND)
    user = User.objects.filter(username__iexact=username, is_active=True).first()
    if user is None:
        raise not_found("User not found.", USER_NOT_FOUND)
    return user


def _people_response(
    request: Request, follows: QuerySet[UserFollow], *, context: str, side: str
) -> Response:
    page = paginate(request, follows, context=context)
    people = [getattr(follow, side) for follow in page.items]
    return Response(
        {"items": UserSummarySerializer(people, many=True).data, "bookmark": page.bookmark}
    )


class FollowingView(APIView):
    @extend_schema(
        operation_id="user_following/get",
        tags=["user_account"],
        parameters=PAGE_PARAMETERS,
        responses=paginated(UserSummarySerializer, "UserFollowingPage"),
    )
    def get(self, request: Request) -> Response:
        require_scope(request, "user_accounts:read")
        return _people_response(
            request,
            following_of(request.user),
            context=f"user_following/get:{request.user.pk}",
            side="followee",
        )


class FollowersView(APIView):
    @extend_schema(
        operation_id="followers/list",
        tags=["user_account"],
        parameters=PAGE_PARAMETERS,
        responses=paginated(UserSummarySerializer, "FollowersPage"),
    )
    def get(self, request: Request) -> Response:
        require_scope(request, "user_accounts:read")
        return _people_response(
            request,
            followers_of(request.user),
            context=f"followers/list:{request.user.pk}",
            side="follower",
        )


class FollowingBoardsView(APIView):
    @extend_schema(
        operation_id="boards_user_follows/list",
        tags=["user_account"],
        parameters=PAGE_PARAMETERS,
        responses=paginated(BoardSerializer, "FollowedBoardPage"),
    )
    def get(self, request: Request) -> Response:
        require_scope(request, "user_accounts:read")
        follows = followed_boards_of(user=request.user, viewer=reader(request, "boards"))
        page = paginate(request, follows, context=f"boards_user_follows/list:{request.user.pk}")
        boards = boards_with_api_data(page.items)
        items = BoardSerializer(boards, many=True, context={"request": request}).data
        return Response({"items": items, "bookmark": page.bookmark})


class FollowUserView(APIView):
    @extend_schema(
        operation_id="follow_user/update",
        tags=["user_account"],
        request=FollowUserSerializer,
        responses=UserSummarySerializer,
    )
    def post(self, request: Request, username: str) -> Response:
        require_scope(request, "user_accounts:write")
        validated(FollowUserSerializer, request.data)
        followee = user_named(username)
        user_follow(follower=request.user, followee=followee)
        followee.refresh_from_db(fields=["follower_count", "following_count"])
        return Response(UserSummarySerializer(followee).data)

    @extend_schema(
        operation_id="unfollow_user/delete",
        description="Extension: stop following a user (v5 has no unfollow operation).",
        tags=["user_account"],
        responses={204: None},
    )
    def delete(self, request: Request, username: str) -> Response:
        require_scope(request, "user_accounts:write")
        user_unfollow(follower=request.user, followee=user_named(username))
        return Response(status=status.HTTP_204_NO_CONTENT)


class BoardFollowView(APIView):
    @extend_schema(
        operation_id="boards/follow",
        description="Extension: follow a board; its new pins come into your feed.",
        tags=["boards"],
        request=None,
        responses=BoardSerializer,
    )
    def post(self, request: Request, board_id: str) -> Response:
        require_scope(request, "user_accounts:write")
        board = visible_board(request, board_id)
        board_follow(follower=request.user, board=board)
        return Response(reload_board(request, board))

    @extend_schema(
        operation_id="boards/unfollow",
        description="Extension: stop following a board.",
        tags=["boards"],
        responses={204: None},
    )
    def delete(self, request: Request, board_id: str) -> Response:
        require_scope(request, "user_accounts:write")
        board_unfollow(follower=request.user, board=visible_board(request, board_id))
        return Response(status=status.HTTP_204_NO_CONTENT)
