"""The production settings plus two things `make bench-web` measures with: the floor view and a
per-request SQL query count, asked for with a request header so ordinary requests skip it."""

from catalog.settings import *  # noqa: F403

ROOT_URLCONF = "bench.web_urls"
MIDDLEWARE = ["bench.web_urls.QueryCountMiddleware", *MIDDLEWARE]  # noqa: F405
