"""Small pieces every API view uses: input validation, the upload rate, responses."""

from typing import Any

from django.conf import settings
from rest_framework import exceptions, serializers
from rest_framework.request import Request

from catalog.api.errors import too_large
from catalog.api.throttling import TokenRateThrottle


def validated(serializer_class: type[serializers.Serializer], data: Any) -> dict:
    if not isinstance(data, dict):
        raise exceptions.ValidationError("The request body must be a JSON object.")
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def check_upload_rate(request: Request, view) -> None:
    """Uploads and URL fetches count against their own, stricter rate."""
    throttle = TokenRateThrottle()

    class UploadView:
        throttle_scope = "api_upload"

    if not throttle.allow_request(request, UploadView()):
        raise exceptions.Throttled(wait=throttle.wait())


def refuse_oversized_upload(request: Request) -> None:
    """Answer 413 from the Content-Length alone, before reading a body that is too large."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    limit = settings.MEDIA_MAX_UPLOAD_BYTES + 64 * 1024  # room for the multipart envelope
    if length > limit:
        raise too_large(f"file over {settings.MEDIA_MAX_UPLOAD_BYTES / (1024 * 1024):g} MB")


def text(value: str | None) -> str:
    return value or ""
