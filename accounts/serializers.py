from rest_framework import serializers


class AccountSerializer(serializers.Serializer):
    """v5 Account; counts are what the caller's token may see."""

    account_type = serializers.CharField(default="PINNER")
    id = serializers.CharField()
    username = serializers.CharField()
    about = serializers.CharField(allow_blank=True)
    profile_image = serializers.CharField(allow_blank=True)
    website_url = serializers.CharField(allow_blank=True)
    business_name = serializers.CharField(allow_null=True)
    board_count = serializers.IntegerField()
    pin_count = serializers.IntegerField()
    follower_count = serializers.IntegerField()
    following_count = serializers.IntegerField()
    monthly_views = serializers.IntegerField()
