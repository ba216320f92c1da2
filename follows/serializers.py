from rest_framework import serializers

from accounts.models import User


class UserSummarySerializer(serializers.Serializer):
    """v5 UserSummary: a person in a following or followers list."""

    type = serializers.SerializerMethodField()
    id = serializers.CharField()
    username = serializers.CharField()
    about = serializers.CharField(allow_blank=True)
    website_url = serializers.CharField(allow_blank=True)
    profile_image = serializers.SerializerMethodField()
    follower_count = serializers.IntegerField()
    following_count = serializers.IntegerField()

    def get_type(self, user: User) -> str:
        return "user"

    def get_profile_image(self, user: User) -> str:
        return ""  # no profile pictures yet; v5 sends a URL, so an empty string, as user_account


class FollowUserSerializer(serializers.Serializer):
    """v5 FollowUserRequest. `auto_follow` is accepted and has no effect: every follow here is
    the user's own choice."""

    auto_follow = serializers.BooleanField(required=False)
