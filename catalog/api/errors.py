"""Errors in Pinterest's v5 shape: `{"code": int, "message": str}` with the HTTP status.

Codes follow v5 where it defines them (50 "Pin not found.", 40 "Board not found."); the rest are
documented in docs/api.md. Whatever a caller may not see answers exactly like what does not exist.
"""

import logging

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views import defaults
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

logger = logging.getLogger(__name__)


class Code:
    INVALID_PARAMETERS = 1
    AUTHENTICATION_FAILED = 2
    NOT_PERMITTED = 3
    NOT_FOUND = 4
    METHOD_NOT_ALLOWED = 5
    UNSUPPORTED_MEDIA_TYPE = 6
    RATE_LIMITED = 8
    TOO_LARGE = 9
    CONFLICT = 10
    BOARD_NOT_FOUND = 40
    PIN_NOT_FOUND = 50
    SECTION_NOT_FOUND = 58
    MEDIA_NOT_FOUND = 60
    SERVER_ERROR = 7


class ApiError(exceptions.APIException):
    """An error with a v5 code; raise it from views and services' callers."""

    def __init__(self, message: str, *, code: int, status_code: int) -> None:
        super().__init__(detail=message)
        self.status_code = status_code
        self.v5_code = code


def not_found(message: str, code: int = Code.NOT_FOUND) -> ApiError:
    return ApiError(message, code=code, status_code=status.HTTP_404_NOT_FOUND)


def bad_request(message: str) -> ApiError:
    return ApiError(message, code=Code.INVALID_PARAMETERS, status_code=status.HTTP_400_BAD_REQUEST)


def conflict(message: str) -> ApiError:
    """A well-formed write that clashes with what exists, such as a name already in use."""
    return ApiError(message, code=Code.CONFLICT, status_code=status.HTTP_409_CONFLICT)


def too_large(message: str) -> ApiError:
    return ApiError(
        message, code=Code.TOO_LARGE, status_code=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    )


def _flatten(detail, prefix: str = "") -> list[str]:
    """DRF's nested error details as "field: message" lines."""
    if isinstance(detail, dict):
        lines: list[str] = []
        for field, value in detail.items():
            name = "" if field in {"non_field_errors", "__all__"} else str(field)
            lines += _flatten(value, f"{prefix}.{name}" if prefix and name else prefix or name)
        return lines
    if isinstance(detail, list):
        return [line for item in detail for line in _flatten(item, prefix)]
    return [f"{prefix}: {detail}" if prefix else str(detail)]


def _body(code: int, message: str) -> dict:
    return {"code": code, "message": message}


def unknown_endpoint(request: HttpRequest, *args, **kwargs) -> JsonResponse:
    """Any other path under /api/v5/: v5's JSON 404, not the site's HTML page."""
    return JsonResponse(_body(Code.NOT_FOUND, "Not found."), status=404)


def server_error(request: HttpRequest, *args, **kwargs) -> HttpResponse:
    """An unexpected error: JSON under /api/, the friendly page elsewhere (it is logged)."""
    if request.path.startswith("/api/"):
        return JsonResponse(
            _body(Code.SERVER_ERROR, "Something went wrong; it has been logged."), status=500
        )
    return defaults.server_error(request)


def api_exception_handler(exc: Exception, context: dict) -> Response | None:
    if isinstance(exc, ApiError):
        return Response(_body(exc.v5_code, str(exc.detail)), status=exc.status_code)
    if isinstance(exc, RequestDataTooBig):
        return Response(
            _body(Code.TOO_LARGE, "Request body is too large."),
            status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
        )
    if isinstance(exc, SuspiciousOperation):  # too many fields or files, and the like
        return Response(
            _body(Code.INVALID_PARAMETERS, "Too many parameters or files."),
            status=status.HTTP_400_BAD_REQUEST,
        )
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else exc.messages
        )
    if isinstance(exc, Http404 | exceptions.NotFound):
        return Response(_body(Code.NOT_FOUND, "Not found."), status=status.HTTP_404_NOT_FOUND)
    if isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError | exceptions.ParseError):
        code = Code.INVALID_PARAMETERS
        message = "; ".join(_flatten(exc.detail)) or "Invalid parameters."
    elif isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
        code, message = Code.AUTHENTICATION_FAILED, str(exc.detail)
        response["WWW-Authenticate"] = 'Bearer realm="api"'
        response.status_code = status.HTTP_401_UNAUTHORIZED
    elif isinstance(exc, exceptions.Throttled):
        code = Code.RATE_LIMITED
        message = f"Too many requests; retry in {exc.wait:.0f} s." if exc.wait else str(exc.detail)
    elif isinstance(exc, exceptions.MethodNotAllowed):
        code, message = Code.METHOD_NOT_ALLOWED, str(exc.detail)
    elif isinstance(exc, exceptions.UnsupportedMediaType):
        code, message = Code.UNSUPPORTED_MEDIA_TYPE, str(exc.detail)
    elif isinstance(exc, exceptions.PermissionDenied):
        code, message = Code.NOT_PERMITTED, str(exc.detail)
    else:
        code, message = Code.INVALID_PARAMETERS, str(getattr(exc, "detail", exc))
    response.data = _body(code, message)
    return response
