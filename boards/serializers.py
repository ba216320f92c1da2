from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from boards.models import Board
from catalog.api.fields import TextField


class OwnerSerializer(serializers.Serializer):
    username = serializers.CharField()


class BoardMediaSerializer(serializers.Serializer):
    image_cover_url = serializers.CharField(allow_null=True)
    pin_thumbnail_urls = serializers.ListField(child=serializers.CharField())


class BoardSerializer(serializers.Serializer):
    """v5 Board. The cover comes from the selector's prefetch."""

    id = serializers.CharField()
    name = serializers.CharField()
    description = serializers.CharField(allow_blank=True, allow_null=True)
    privacy = serializers.ChoiceField(choices=Board.Privacy.values)
    created_at = serializers.DateTimeField()
    board_pins_modified_at = serializers.SerializerMethodField()
    pin_count = serializers.IntegerField()
    follower_count = serializers.IntegerField()
    collaborator_count = serializers.SerializerMethodField()
    owner = OwnerSerializer()
    media = serializers.SerializerMethodField()

    def get_board_pins_modified_at(self, board: Board) -> str:
        # v5 declares it always present: a board without pins reports its creation time.
        when = board.pins_modified_at or board.created_at
        return serializers.DateTimeField().to_representation(when)

    def get_collaborator_count(self, board: Board) -> int:
        return 0

    @extend_schema_field(BoardMediaSerializer)
    def get_media(self, board: Board) -> dict:
        request = self.context["request"]
        thumbnails = []
        for pin in getattr(board, "cover_pins", []):
            rendition = pin.media.rendition("236x")
            if rendition is not None:
                thumbnails.append(request.build_absolute_uri(rendition.url))
        return {
            "image_cover_url": thumbnails[0] if thumbnails else None,
            "pin_thumbnail_urls": thumbnails,
        }


@extend_schema_field({"type": "string", "enum": list(Board.Privacy.values)})
class PrivacyField(TextField):
    """PUBLIC or SECRET; PROTECTED gets its own message until it is supported."""


class BoardWriteSerializer(serializers.Serializer):
    name = TextField(max_length=180)
    description = TextField(max_length=500, required=False, allow_blank=True, allow_null=True)
    privacy = PrivacyField(required=False)

    def validate_privacy(self, value: str) -> str:
        if value == "PROTECTED":
            raise serializers.ValidationError(
                "PROTECTED boards are not supported yet; use PUBLIC or SECRET."
            )
        if value not in Board.Privacy.values:
            raise serializers.ValidationError("Use PUBLIC or SECRET.")
        return value


class BoardUpdateSerializer(BoardWriteSerializer):
    name = TextField(max_length=180, required=False)


class BoardSectionSerializer(serializers.Serializer):
    id = TextField()
    name = TextField()


class BoardSectionWriteSerializer(serializers.Serializer):
    name = TextField(max_length=180)
