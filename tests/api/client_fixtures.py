"""Drive the live server with `pinterest-generated-client`, Pinterest's own generated client, the
way a third-party integration would: real HTTP, bearer token, the client's models.

Import the fixtures into a test module (`from tests.api.client_fixtures import ...`); they are
kept out of conftest.py so that other tests in this folder are not affected.
"""

import gc
import http.server
import io
import ipaddress
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from django.core.cache import cache
from openapi_generated.pinterest_client import ApiClient, Configuration
from openapi_generated.pinterest_client.api.boards_api import BoardsApi
from openapi_generated.pinterest_client.api.media_api import MediaApi
from openapi_generated.pinterest_client.api.pins_api import PinsApi
from openapi_generated.pinterest_client.api.search_api import SearchApi
from openapi_generated.pinterest_client.api.user_account_api import UserAccountApi
from openapi_generated.pinterest_client.model.media_upload_details import MediaUploadDetails
from openapi_generated.pinterest_client.model.pin import Pin
from openapi_generated.pinterest_client.model_utils import validate_and_convert_types
from pytest_django.live_server_helper import LiveServer

from accounts.models import User
from accounts.services import access_token_create
from tests.factories import UserFactory

PROCESSING_TIMEOUT = 10.0  # seconds; tasks run in-process, so processing is normally done at once


@pytest.fixture(scope="session")
def live_server(django_db_setup, live_server: LiveServer) -> LiveServer:
    """pytest-django's live server, started once the test database exists (an in-memory SQLite
    database is shared with the server thread only if it exists when the server starts)."""
    return live_server


@dataclass
class Pinterest:
    """One user's configured client and the v5 API groups the contract uses."""

    client: ApiClient
    user: User
    token: str
    host: str
    boards: BoardsApi = field(init=False)
    pins: PinsApi = field(init=False)
    search: SearchApi = field(init=False)
    media: MediaApi = field(init=False)
    user_account: UserAccountApi = field(init=False)

    def __post_init__(self) -> None:
        self.boards = BoardsApi(self.client)
        self.pins = PinsApi(self.client)
        self.search = SearchApi(self.client)
        self.media = MediaApi(self.client)
        self.user_account = UserAccountApi(self.client)

    def upload_media(self, data: bytes, filename: str) -> tuple[MediaUploadDetails, int]:
        """POST /media as multipart (field `file`) through the client's own request machinery.

        The generated `media_create` registers a video upload with a JSON body; catalog takes the
        image itself, so the call is made with `call_api` and decoded into the client's model.
        """
        upload = io.BytesIO(data)
        upload.name = filename
        details, status, _ = self.client.call_api(
            "/media",
            "POST",
            header_params={"Accept": "application/json", "Content-Type": "multipart/form-data"},
            files={"file": [upload]},
            response_type=(MediaUploadDetails,),
            auth_settings=["pinterest_oauth2"],
            _return_http_data_only=False,
            _check_type=True,
        )
        return details, status

    def decoded(self, items: list[dict], model: type) -> list:
        """List answers are untyped in the v5 spec; decode each item into the client's model,
        which raises ApiTypeError when a field has the wrong type."""
        return [
            validate_and_convert_types(
                item, (model,), ["items", index], True, True, self.client.configuration
            )
            for index, item in enumerate(items)
        ]

    def processed_pin(self, pin_id: str) -> Pin:
        """The pin once its image is processed (succeeded or failed)."""
        deadline = time.monotonic() + PROCESSING_TIMEOUT
        while True:
            pin = self.pins.pins_get(pin_id)
            if pin.media["status"] in {"succeeded", "failed"} or time.monotonic() > deadline:
                return pin
            time.sleep(0.05)

    def processed_media(self, media_id: str) -> MediaUploadDetails:
        deadline = time.monotonic() + PROCESSING_TIMEOUT
        while True:
            details = self.media.media_get(media_id)
            if details.status in {"succeeded", "failed"} or time.monotonic() > deadline:
                return details
            time.sleep(0.05)


@pytest.fixture
def pinterest(live_server: LiveServer) -> Iterator[Pinterest]:
    """A client for a new user, authenticated by a token with every scope."""
    cache.clear()  # the rate limits count per token in the cache; start every test at zero
    user = UserFactory()
    token = access_token_create(user=user, name="contract test").raw
    configuration = Configuration(host=f"{live_server.url}/api/v5", access_token=token)
    with ApiClient(configuration) as client:
        yield Pinterest(client=client, user=user, token=token, host=live_server.url)
        client.last_response = None  # it holds the socket open past the pool's close
        client.rest_client.pool_manager.clear()
    _wait_for_request_threads()


def _wait_for_request_threads(timeout: float = 2.0) -> None:
    """Close the clients' kept-alive connections and let the server threads serving them end.

    A thread still waiting on one when the session's live server stops would close the shared
    in-memory SQLite connection after sharing has ended, which Django reports as an error in that
    thread. Collecting garbage closes the connections of clients the test made and dropped (the
    generated API classes hold their client in reference cycles).
    """
    gc.collect()
    deadline = time.monotonic() + timeout
    for thread in threading.enumerate():
        if thread.name.endswith("(process_request_thread)"):
            thread.join(max(0.0, deadline - time.monotonic()))


@dataclass
class ImageServer:
    """Serves images from 127.0.0.1 on a free port; `requests` records the paths asked for."""

    base_url: str
    files: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    requests: list[str] = field(default_factory=list)

    def serve(self, path: str, data: bytes, content_type: str) -> str:
        self.files[path] = (content_type, data)
        return f"{self.base_url}{path}"


@pytest.fixture
def image_server(settings) -> Iterator[ImageServer]:
    """An HTTP server on the loopback address, which the image fetch may reach only because the
    test allows 127.0.0.0/8 (the `settings` fixture applies to the live server thread too)."""
    settings.MEDIA_FETCH_ALLOWED_NETWORKS = [ipaddress.ip_network("127.0.0.0/8")]
    state: dict[str, ImageServer] = {}

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            server = state["server"]
            server.requests.append(self.path)
            found = server.files.get(self.path)
            if found is None:
                self.send_error(404)
                return
            content_type, data = found
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args) -> None:
            pass  # keep the test output quiet

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    host, port = httpd.server_address[:2]
    state["server"] = ImageServer(base_url=f"http://{host}:{port}")
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield state["server"]
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


def image_sizes(pin: Pin) -> dict[str, tuple[int | None, int | None]]:
    return {name: (image["width"], image["height"]) for name, image in pin.media["images"].items()}
