"""URLs for `make bench-web`: the site's own, plus the floor it is measured against."""

import json

from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.urls import path

from catalog.urls import handler500  # noqa: F401 - the same error page as the site
from catalog.urls import urlpatterns as site_urlpatterns


def _floor_body(size: int = 2048) -> bytes:
    """A pin-list-like JSON document of exactly `size` bytes."""
    items = [{"id": str(1000 + n), "title": f"Idea {n}", "board_id": "42"} for n in range(30)]
    unpadded = len(json.dumps({"items": items, "bookmark": None, "note": ""}))
    return json.dumps({"items": items, "bookmark": None, "note": "-" * (size - unpadded)}).encode()


# Made once: the floor is the cost of Django and the server alone.
FLOOR_BODY = _floor_body()


def floor_view(request: HttpRequest) -> HttpResponse:
    return HttpResponse(FLOOR_BODY, content_type="application/json")


urlpatterns = [path("bench/floor", floor_view), *site_urlpatterns]


class QueryCountMiddleware:
    """Adds `X-Bench-Queries` (SQL statements run for the request) when `X-Bench-Queries` is
    sent; other requests pass straight through."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if "HTTP_X_BENCH_QUERIES" not in request.META:
            return self.get_response(request)
        count = 0

        def counted(execute, sql, params, many, context):
            nonlocal count
            count += 1
            return execute(sql, params, many, context)

        with connection.execute_wrapper(counted):
            response = self.get_response(request)
        response["X-Bench-Queries"] = str(count)
        return response
