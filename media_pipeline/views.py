from django.core.exceptions import SuspiciousFileOperation
from django.http import FileResponse, Http404, HttpRequest
from django.views.decorators.http import require_safe

from media_pipeline.storage import renditions_storage

# Rendition paths are content-addressed, so a URL's bytes never change.
IMMUTABLE = "public, max-age=31536000, immutable"
# Only what the pipeline writes is served, with a type decided here rather than guessed.
CONTENT_TYPES = {
    ".jpg": "image/jpeg",
    ".png": "image/png",
    ".webp": "image/webp",
    ".avif": "image/avif",
}


@require_safe
def serve_media(request: HttpRequest, path: str) -> FileResponse:
    extension = path[path.rfind(".") :].lower() if "." in path else ""
    content_type = CONTENT_TYPES.get(extension)
    if content_type is None:
        raise Http404("No such file.")
    try:
        handle = renditions_storage().open(path, "rb")
    except (FileNotFoundError, IsADirectoryError, SuspiciousFileOperation, ValueError):
        raise Http404("No such file.") from None
    response = FileResponse(handle, content_type=content_type)
    response["Cache-Control"] = IMMUTABLE
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
