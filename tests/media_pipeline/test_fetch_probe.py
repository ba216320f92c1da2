"""The request-time probe: the same guards as the fetch, without reading the body."""

import ipaddress
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from media_pipeline.fetch import FetchFailed, FetchRefused, page_image_url, probe_image_url

LOCAL = [ipaddress.ip_network("127.0.0.1/32")]


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass

    def do_GET(self) -> None:
        if self.path == "/private-redirect":
            self.send_response(302)
            self.send_header("Location", "http://10.0.0.1/secret.png")
            self.end_headers()
        elif self.path == "/hop":
            self.send_response(301)
            self.send_header("Location", "/endless.png")
            self.end_headers()
        elif self.path == "/endless.png":
            # Headers at once, then a body that would take far longer than the probe's deadline.
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.end_headers()
            try:
                for _ in range(100):
                    self.wfile.write(b"\0" * 1024)
                    time.sleep(0.1)
            except OSError:
                pass
        elif self.path == "/huge.png":
            self.send_response(200)
            self.send_header("Content-Length", str(10**10))
            self.end_headers()
        elif self.path == "/page.html":
            body = b'<html><head><meta property="og:image" content="/hop"></head></html>'
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        elif self.path == "/broken":
            self.send_response(503)
            self.end_headers()
        else:
            self.send_response(404)
            self.end_headers()


@pytest.fixture
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_the_probe_follows_redirects_and_stops_at_the_headers(server):
    started = time.monotonic()
    answer = probe_image_url(f"{server}/hop", max_bytes=10**6, allowed_networks=LOCAL)
    assert (answer.url, answer.content_type, answer.data) == (
        f"{server}/endless.png",
        "image/png",
        b"",
    )
    assert time.monotonic() - started < 2


def test_a_redirect_into_private_space_is_refused(server):
    with pytest.raises(FetchRefused, match=r"10\.0\.0\.1"):
        probe_image_url(f"{server}/private-redirect", max_bytes=10**6, allowed_networks=LOCAL)


def test_a_missing_image_is_refused(server):
    with pytest.raises(FetchRefused, match="404"):
        probe_image_url(f"{server}/nothing.png", max_bytes=10**6, allowed_networks=LOCAL)


def test_an_announced_oversize_is_refused(server):
    with pytest.raises(FetchRefused, match="over"):
        probe_image_url(f"{server}/huge.png", max_bytes=10**6, allowed_networks=LOCAL)


def test_a_server_error_is_left_for_the_worker_to_retry(server):
    with pytest.raises(FetchFailed):
        probe_image_url(f"{server}/broken", max_bytes=10**6, allowed_networks=LOCAL)


def test_loopback_is_refused_without_the_allow_setting(server):
    with pytest.raises(FetchRefused):
        probe_image_url(f"{server}/hop", max_bytes=10**6, allowed_networks=[])


def test_a_page_url_leads_to_the_image_it_names_for_sharing(server):
    assert page_image_url(f"{server}/page.html", allowed_networks=LOCAL) == f"{server}/hop"
