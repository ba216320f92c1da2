from django.core.exceptions import ValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from boards.selectors import parse_id
from catalog.api.auth import require_scope
from catalog.api.errors import Code, bad_request, not_found, too_large
from catalog.api.helpers import check_upload_rate, refuse_oversized_upload
from catalog.response_cache import kept_for_reader
from media_pipeline.models import MediaRecord
from media_pipeline.serializers import MediaDetailsSerializer, MediaUploadSerializer, media_details
from media_pipeline.services import media_create


class MediaView(APIView):
    parser_classes = [MultiPartParser]

    @extend_schema(
        operation_id="media/create",
        tags=["media"],
        request={"multipart/form-data": MediaUploadSerializer},
        responses={201: MediaDetailsSerializer},
        description="Upload an image (multipart field `file`); create pins from it with "
        '`media_source: {"source_type": "media_id", "media_id": ...}`.',
    )
    def post(self, request: Request) -> Response:
        require_scope(request, "pins:write")
        refuse_oversized_upload(request)
        check_upload_rate(request, self)
        upload = request.FILES.get("file")
        if upload is None:
            raise bad_request("file is required: send the image as multipart field `file`.")
        try:
            media = media_create(owner=request.user, upload=upload)
        except ValidationError as exc:
            if exc.code == "too_large":
                raise too_large(exc.messages[0]) from None
            raise bad_request(exc.messages[0]) from None
        media.refresh_from_db()  # processing may already have run (in-process tasks)
        return Response(media_details(media), status=status.HTTP_201_CREATED)


class MediaDetailView(APIView):
    @extend_schema(operation_id="media/get", tags=["media"], responses=MediaDetailsSerializer)
    @kept_for_reader
    def get(self, request: Request, media_id: str) -> Response:
        require_scope(request, "pins:read")
        key = parse_id(media_id)
        media = MediaRecord.objects.filter(pk=key, owner=request.user).first() if key else None
        if media is None:
            raise not_found("Media not found.", Code.MEDIA_NOT_FOUND)
        return Response(media_details(media))
