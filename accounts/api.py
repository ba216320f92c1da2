from django.db.models import Sum
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.serializers import AccountSerializer
from boards.selectors import boards_visible_to
from catalog.api.auth import reader, require_scope
from catalog.response_cache import kept_for_reader


class UserAccountView(APIView):
    @extend_schema(
        operation_id="user_account/get", responses=AccountSerializer, tags=["user_account"]
    )
    @kept_for_reader
    def get(self, request: Request) -> Response:
        require_scope(request, "user_accounts:read")
        user = request.user
        boards = boards_visible_to(reader(request, "boards")).filter(owner=user)
        # A pin lives on its owner's board, so the boards' stored counts add up to the pins.
        boards_with_visible_pins = boards_visible_to(reader(request, "pins")).filter(owner=user)
        pin_count = boards_with_visible_pins.aggregate(total=Sum("pin_count"))["total"] or 0
        return Response(
            {
                "account_type": "PINNER",
                "id": str(user.pk),
                "username": user.username,
                "about": user.about,
                "profile_image": "",
                "website_url": user.website_url,
                "business_name": None,
                "board_count": boards.count(),
                "pin_count": pin_count,
                "follower_count": user.follower_count,
                "following_count": user.following_count,
                "monthly_views": 0,
            }
        )
