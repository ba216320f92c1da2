"""A small HTTP client for driving the served site as a browser would: cookies, forms, redirects.

Standard library only. Every request has a timeout, and error statuses come back as responses
rather than exceptions, so a test can assert on them.
"""

import email.message
import http.cookiejar
import json
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass
from html.parser import HTMLParser


@dataclass(frozen=True)
class Response:
    status: int
    url: str  # after redirects
    headers: email.message.Message
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode(self.headers.get_content_charset() or "utf-8")

    def json(self):
        return json.loads(self.body)

    @property
    def path(self) -> str:
        return urllib.parse.urlsplit(self.url).path


@dataclass(frozen=True)
class Upload:
    filename: str
    content_type: str
    data: bytes


_VOID_ELEMENTS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "wbr"}


class _PageParser(HTMLParser):
    """Collects what the tests look for: form tokens, image sources and form error messages."""

    def __init__(self) -> None:
        super().__init__()
        self.csrf_tokens: list[str] = []
        self.image_sources: list[str] = []
        self.errors: list[str] = []
        self._depth = 0
        self._error_depth: int | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "input" and attributes.get("name") == "csrfmiddlewaretoken":
            self.csrf_tokens.append(attributes.get("value") or "")
        if tag == "img" and attributes.get("src"):
            self.image_sources.append(attributes["src"] or "")
        if tag in _VOID_ELEMENTS:
            return
        self._depth += 1
        classes = (attributes.get("class") or "").split()
        if self._error_depth is None and {"error", "errors"} & set(classes):
            self._error_depth = self._depth
            self.errors.append("")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in _VOID_ELEMENTS:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in _VOID_ELEMENTS:
            return
        if self._error_depth == self._depth:
            self._error_depth = None
        self._depth -= 1

    def handle_data(self, data: str) -> None:
        if self._error_depth is not None and data.strip():
            self.errors[-1] = f"{self.errors[-1]} {data.strip()}".strip()


def parse_page(html: str) -> _PageParser:
    parser = _PageParser()
    parser.feed(html)
    parser.close()
    return parser


def _multipart(fields: dict[str, str], files: dict[str, Upload]) -> tuple[bytes, str]:
    boundary = f"----e2e{uuid.uuid4().hex}"
    parts: list[bytes] = []
    for name, value in fields.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
            + value.encode()
            + b"\r\n"
        )
    for name, upload in files.items():
        parts.append(
            (
                f"--{boundary}\r\n"
                f'Content-Disposition: form-data; name="{name}"; filename="{upload.filename}"\r\n'
                f"Content-Type: {upload.content_type}\r\n\r\n"
            ).encode()
            + upload.data
            + b"\r\n"
        )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def multipart(fields: dict[str, str], files: dict[str, Upload]) -> tuple[bytes, str]:
    """A multipart/form-data body and its Content-Type, for a test that sends it its own way."""
    return _multipart(fields, files)


class Client:
    """One browser session against `base_url`: a cookie jar, and redirects followed."""

    def __init__(self, base_url: str, *, timeout: float = 10.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.cookies = http.cookiejar.CookieJar()
        self._opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))

    def _send(self, request: urllib.request.Request) -> Response:
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                return Response(response.status, response.url, response.headers, response.read())
        except urllib.error.HTTPError as exc:
            with exc:
                return Response(exc.code, exc.url, exc.headers, exc.read())

    def url(self, path: str) -> str:
        return urllib.parse.urljoin(self.base_url + "/", path)

    def get(self, path: str) -> Response:
        return self._send(urllib.request.Request(self.url(path), method="GET"))

    def submit_form(
        self, path: str, fields: dict[str, str], files: dict[str, Upload] | None = None
    ) -> Response:
        """GET the page holding the form, then POST it back with the page's CSRF token.

        Fields are sent as given; a checkbox left out is unchecked, as in a browser.
        """
        page = self.get(path)
        if page.status != 200:
            raise AssertionError(f"GET {path} answered {page.status}, not the form")
        tokens = parse_page(page.text).csrf_tokens
        if not tokens:
            raise AssertionError(f"GET {path} has no CSRF token in its form")
        # The form is the page's last one; the header's logout form comes first.
        fields = {"csrfmiddlewaretoken": tokens[-1], **fields}
        if files:
            body, content_type = _multipart(fields, files)
        else:
            body = urllib.parse.urlencode(fields).encode()
            content_type = "application/x-www-form-urlencoded"
        request = urllib.request.Request(
            page.url,
            data=body,
            method="POST",
            headers={"Content-Type": content_type, "Referer": page.url},
        )
        return self._send(request)

    def sign_in(self, username: str, password: str) -> "Client":
        """Log in through the login form, as a person would; fails unless it lands home."""
        login = self.submit_form("/accounts/login/", {"username": username, "password": password})
        assert (login.status, login.path) == (200, "/"), parse_page(login.text).errors
        return self


class ApiClient:
    """The v5 API as an integration calls it: a bearer token and JSON bodies, no cookies."""

    def __init__(self, base_url: str, token: str, *, timeout: float = 10.0) -> None:
        self._http = Client(base_url, timeout=timeout)
        self.token = token

    def call(self, method: str, path: str, body: dict | None = None) -> Response:
        """`method` /api/v5/`path`, with `body` as JSON."""
        headers = {"Authorization": f"Bearer {self.token}", "Accept": "application/json"}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        url = self._http.url(f"/api/v5/{path}")
        return self._http._send(
            urllib.request.Request(url, data=data, method=method, headers=headers)
        )

    def get(self, path: str) -> Response:
        return self.call("GET", path)

    def post(self, path: str, body: dict) -> Response:
        return self.call("POST", path, body)

    def patch(self, path: str, body: dict) -> Response:
        return self.call("PATCH", path, body)

    def post_file(self, path: str, field: str, upload: Upload) -> Response:
        """A multipart POST of one file, as `curl -F field=@file` sends it."""
        body, content_type = _multipart({}, {field: upload})
        headers = {"Authorization": f"Bearer {self.token}", "Content-Type": content_type}
        url = self._http.url(f"/api/v5/{path}")
        return self._http._send(
            urllib.request.Request(url, data=body, method="POST", headers=headers)
        )
