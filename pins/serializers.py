from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from boards.selectors import board_visible_to
from catalog.api.auth import reader
from catalog.api.fields import Base64Field, TextField
from media_pipeline.serializers import (
    V5_STATUS,
    PinMediaSerializer,
    load_renditions_for_images,
    media_images,
)
from pins.models import Pin

ID_PATTERN = r"^[0-9]{1,19}\Z"


class BoardOwnerSerializer(serializers.Serializer):
    username = serializers.CharField()


class PinListSerializer(serializers.ListSerializer):
    def to_representation(self, data):
        pins = list(data.all() if hasattr(data, "all") else data)
        # One query for the renditions of the images not already formatted.
        load_renditions_for_images((pin.media for pin in pins), self.context["request"])
        return super().to_representation(pins)


class PinSerializer(serializers.Serializer):
    """v5 Pin, plus `status` and the extra sizes and WebP URLs inside `media`."""

    class Meta:
        list_serializer_class = PinListSerializer

    id = serializers.CharField()
    created_at = serializers.DateTimeField()
    link = serializers.SerializerMethodField()
    title = serializers.CharField(allow_blank=True)
    description = serializers.CharField(allow_blank=True)
    alt_text = serializers.CharField(allow_blank=True, allow_null=True)
    dominant_color = serializers.SerializerMethodField()
    board_id = serializers.CharField()
    board_section_id = serializers.SerializerMethodField()
    board_owner = serializers.SerializerMethodField()
    parent_pin_id = serializers.SerializerMethodField()
    is_owner = serializers.SerializerMethodField()
    is_standard = serializers.SerializerMethodField()
    has_been_promoted = serializers.SerializerMethodField()
    creative_type = serializers.SerializerMethodField()
    note = serializers.SerializerMethodField()
    media = serializers.SerializerMethodField()
    status = serializers.SerializerMethodField()

    def get_link(self, pin: Pin) -> str | None:
        return pin.link or None

    def get_dominant_color(self, pin: Pin) -> str | None:
        return pin.media.dominant_color or None

    def get_board_section_id(self, pin: Pin) -> str | None:
        return str(pin.section_id) if pin.section_id else None

    @extend_schema_field(BoardOwnerSerializer)
    def get_board_owner(self, pin: Pin) -> dict:
        return {"username": pin.board.owner.username}

    def get_parent_pin_id(self, pin: Pin) -> str | None:
        """The pin it was saved from, only when the caller may see that one too."""
        parent = pin.parent_pin
        if parent is None:
            return None
        if not board_visible_to(parent.board, reader(self.context["request"], "pins")):
            return None
        return str(parent.pk)

    def get_is_owner(self, pin: Pin) -> bool:
        return pin.owner_id == self.context["request"].user.pk

    def get_is_standard(self, pin: Pin) -> bool:
        return True

    def get_has_been_promoted(self, pin: Pin) -> bool:
        return False

    def get_creative_type(self, pin: Pin) -> str:
        return "REGULAR"

    def get_note(self, pin: Pin) -> str:
        return ""

    @extend_schema_field(PinMediaSerializer)
    def get_media(self, pin: Pin) -> dict:
        media = pin.media
        return {
            "media_type": "image",
            "images": media_images(media, self.context["request"]),
            "status": V5_STATUS[media.status],
            "placeholder": media.placeholder,
            "width": media.width,
            "height": media.height,
        }

    def get_status(self, pin: Pin) -> str:
        return V5_STATUS[pin.media.status]


class DuplicateOfSerializer(serializers.Serializer):
    id = serializers.CharField()
    board_id = serializers.CharField()
    board_name = serializers.CharField(source="board.name")


class PinCreatedSerializer(PinSerializer):
    """pins/create's answer: the Pin, plus `duplicate_of` (extension), another pin of the
    creator's whose image looks the same, or null. The request's view passes it in context."""

    duplicate_of = serializers.SerializerMethodField()

    @extend_schema_field(DuplicateOfSerializer(allow_null=True))
    def get_duplicate_of(self, pin: Pin) -> dict | None:
        duplicate = self.context.get("duplicate_of")
        return DuplicateOfSerializer(duplicate).data if duplicate is not None else None


class MediaSourceSerializer(serializers.Serializer):
    source_type = serializers.ChoiceField(
        choices=["image_url", "image_base64", "media_id"],
        help_text="image_url (fetched by the server), image_base64, or media_id from POST /media.",
    )
    url = TextField(required=False, max_length=2048)
    content_type = TextField(required=False, max_length=100)
    data = Base64Field(required=False, trim_whitespace=False)
    media_id = serializers.RegexField(ID_PATTERN, required=False)

    def validate(self, attrs: dict) -> dict:
        needs = {"image_url": "url", "image_base64": "data", "media_id": "media_id"}
        field = needs[attrs["source_type"]]
        if not attrs.get(field):
            raise serializers.ValidationError({field: f"Required for {attrs['source_type']}."})
        return attrs


class PinCreateSerializer(serializers.Serializer):
    board_id = serializers.RegexField(ID_PATTERN)
    board_section_id = serializers.RegexField(ID_PATTERN, required=False, allow_null=True)
    media_source = MediaSourceSerializer()
    title = TextField(max_length=100, required=False, allow_blank=True, allow_null=True)
    description = TextField(max_length=800, required=False, allow_blank=True, allow_null=True)
    link = TextField(max_length=2048, required=False, allow_blank=True, allow_null=True)
    alt_text = TextField(max_length=500, required=False, allow_blank=True, allow_null=True)


class PinUpdateSerializer(serializers.Serializer):
    board_id = serializers.RegexField(ID_PATTERN, required=False)
    board_section_id = serializers.RegexField(ID_PATTERN, required=False, allow_null=True)
    title = TextField(max_length=100, required=False, allow_blank=True, allow_null=True)
    description = TextField(max_length=800, required=False, allow_blank=True, allow_null=True)
    link = TextField(max_length=2048, required=False, allow_blank=True, allow_null=True)
    alt_text = TextField(max_length=500, required=False, allow_blank=True, allow_null=True)


class PinSaveSerializer(serializers.Serializer):
    board_id = serializers.RegexField(ID_PATTERN)
    board_section_id = serializers.RegexField(ID_PATTERN, required=False, allow_null=True)
