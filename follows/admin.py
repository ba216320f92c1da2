from django.contrib import admin
from django.http import HttpRequest

from follows.models import BoardFollow, UserFollow


class ReadOnlyAdmin(admin.ModelAdmin):
    """Follows are made only through follows.services, which keep the follower counts; here they
    are shown, not edited. (Deleting stays allowed: deleting a user cascades to their follows.)"""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(UserFollow)
class UserFollowAdmin(ReadOnlyAdmin):
    list_display = ["follower", "followee", "created_at"]
    search_fields = ["follower__username", "followee__username"]


@admin.register(BoardFollow)
class BoardFollowAdmin(ReadOnlyAdmin):
    list_display = ["follower", "board", "created_at"]
    search_fields = ["follower__username", "board__name"]
