import mimetypes

from django.core.exceptions import SuspiciousFileOperation
from django.http import FileResponse, Http404, HttpRequest
from django.views.decorators.http import require_safe

from media_pipeline.storage import renditions_storage

# Rendition paths are content-addressed, so a URL's bytes never change.
IMMUTABLE = "public, max-age=31536000, immutable"


@require_safe
def serve_media(request: HttpRequest, path: str) -> FileResponse:
    storage = renditions_storage()
    try:
        handle = storage.open(path, "rb")
    except (FileNotFoundError, IsADirectoryError, SuspiciousFileOperation, ValueError):
        raise Http404("No such file.") from None
    content_type, _ = mimetypes.guess_type(path)
    response = FileResponse(handle, content_type=content_type or "application/octet-stream")
    response["Cache-Control"] = IMMUTABLE
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
