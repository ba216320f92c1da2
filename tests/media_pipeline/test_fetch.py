"""The guarded image fetch, against tiny HTTP servers on 127.0.0.1 started by each test."""

import shutil
import socket
import ssl
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from ipaddress import ip_network
from urllib.parse import urlsplit

import pytest
from django.core.exceptions import ImproperlyConfigured

from media_pipeline import fetch
from media_pipeline.fetch import FetchFailed, FetchRefused, fetch_image, validate_url
from tests.images import png_bytes

PNG = png_bytes(8, 8)
LOCAL = [ip_network("127.0.0.0/8")]
ONLY_127_0_0_1 = [ip_network("127.0.0.1/32")]
MAX = 1_000_000

Route = Callable[[BaseHTTPRequestHandler], None]


# --- Local servers ----------------------------------------------------------------------------


class _Handler(BaseHTTPRequestHandler):
    server: "LocalServer"

    def do_GET(self) -> None:
        self.server.seen.append((self.path, self.headers.get("Host")))
        route = self.server.routes.get(urlsplit(self.path).path)
        try:
            if route is None:
                self.send_error(404)
            else:
                route(self)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up, which is what these tests want of it

    def log_message(self, format: str, *args: object) -> None:
        pass


class LocalServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, host: str, routes: dict[str, Route]) -> None:
        self.routes = routes
        self.seen: list[tuple[str, str | None]] = []
        self.scheme = "http"
        super().__init__((host, 0), _Handler)

    @property
    def port(self) -> int:
        return self.server_address[1]

    def url(self, path: str = "/pin.png", host: str | None = None) -> str:
        return f"{self.scheme}://{host or self.server_address[0]}:{self.port}{path}"


@pytest.fixture
def serve() -> Iterator[Callable[..., LocalServer]]:
    servers: list[LocalServer] = []

    def start(
        routes: dict[str, Route], *, host: str = "127.0.0.1", tls: ssl.SSLContext | None = None
    ) -> LocalServer:
        server = LocalServer(host, routes)
        if tls is not None:
            server.socket = tls.wrap_socket(server.socket, server_side=True)
            server.scheme = "https"
        threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def answer(
    body: bytes = PNG, *, status: int = 200, content_type: str = "image/png", length: bool = True
) -> Route:
    def route(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(status)
        handler.send_header("Content-Type", content_type)
        if length:
            handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    return route


def redirect(location: str, status: int = 302) -> Route:
    def route(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(status)
        handler.send_header("Location", location)
        handler.send_header("Content-Length", "0")
        handler.end_headers()

    return route


def endless(*, chunked: bool) -> Route:
    """A body with no end, sent as fast as the client takes it."""

    def route(handler: BaseHTTPRequestHandler) -> None:
        handler.protocol_version = "HTTP/1.1" if chunked else "HTTP/1.0"
        handler.send_response(200)
        handler.send_header("Content-Type", "image/png")
        if chunked:
            handler.send_header("Transfer-Encoding", "chunked")
        handler.end_headers()
        block = b"\0" * 65536
        for _ in range(1000):
            handler.wfile.write(b"10000\r\n" + block + b"\r\n" if chunked else block)

    return route


def drip_body(handler: BaseHTTPRequestHandler) -> None:
    """One byte every 50 ms: each read is quick, the whole would take over a minute."""
    handler.send_response(200)
    handler.send_header("Content-Length", "2000")
    handler.end_headers()
    for _ in range(2000):
        handler.wfile.write(b"x")
        time.sleep(0.05)


def drip_headers(handler: BaseHTTPRequestHandler) -> None:
    handler.wfile.write(b"HTTP/1.1 200 OK\r\n")
    for number in range(90):
        handler.wfile.write(f"X-Drip-{number}: x\r\n".encode())
        time.sleep(0.05)


def silent(handler: BaseHTTPRequestHandler) -> None:
    time.sleep(2)


def claims_huge(handler: BaseHTTPRequestHandler) -> None:
    handler.send_response(200)
    handler.send_header("Content-Length", str(10**10))
    handler.end_headers()
    handler.wfile.write(b"x")
    time.sleep(2)


def fake_dns(monkeypatch: pytest.MonkeyPatch, *answers: str) -> list[str]:
    """getaddrinfo answers in turn (the last one repeats); returns the names looked up."""
    looked_up: list[str] = []

    def getaddrinfo(host, port, family=0, type=0, proto=0, flags=0):
        looked_up.append(host)
        address = answers[min(len(looked_up), len(answers)) - 1]
        if ":" in address:
            return [(socket.AF_INET6, socket.SOCK_STREAM, 6, "", (address, port, 0, 0))]
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return looked_up


@pytest.fixture
def connections(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The addresses fetch connects to (the connections still happen)."""
    reached: list[str] = []
    real_connect = fetch._connect

    def spy(address, port, timeout):
        reached.append(str(address))
        return real_connect(address, port, timeout)

    monkeypatch.setattr(fetch, "_connect", spy)
    return reached


@pytest.fixture
def no_connections(monkeypatch: pytest.MonkeyPatch) -> None:
    def connect(*args, **kwargs):
        raise AssertionError("a connection was attempted")

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket, "create_connection", connect)


# --- validate_url -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "https://example.com/a.png",
        "HTTP://Example.COM:8080/a.png?size=large#top",
        "https://bücher.example/bild.png",
        "https://example.com/ü.png",
        "http://[2001:db8::1]/a.png",
        "http://example.com",
    ],
)
def test_well_formed_http_urls_pass_validation(url, monkeypatch):
    monkeypatch.setattr(socket, "getaddrinfo", None)  # validation never resolves
    validate_url(url)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://example.com/a.png", "http:// or https://"),
        ("file:///etc/passwd", "http:// or https://"),
        ("javascript:alert(1)", "http:// or https://"),
        ("data:image/png;base64,iVBORw0KGgo=", "http:// or https://"),
        ("example.com/a.png", "http:// or https://"),
        ("", "http:// or https://"),
        ("http://user:secret@example.com/a.png", "user name or password"),
        ("http://user@example.com/a.png", "user name or password"),
        ("http://example.com\\@10.0.0.1/", "user name or password"),
        ("http:///a.png", "no host"),
        ("http://example.com:99999/", "invalid port"),
        ("http://example.com:0/", "invalid port"),
        ("http://example.com:http/", "invalid host or port"),
        ("http://[::1]x/", "invalid host or port"),
        ("http://[::1%25eth0]/", "invalid host or port"),
        ("http://[12345::1]/", "not a valid URL|invalid IPv6 address"),
        ("http://exa<mple.com/", "invalid host name"),
        ("http://example..com/", "invalid host name"),
        ("http://exa mple.com/", "spaces or control characters"),
        ("http://example.com/a b.png", "spaces or control characters"),
        ("http://example.com/a.png\x00", "spaces or control characters"),
        ("http://example.com/\r\nX-Injected: 1", "spaces or control characters"),
        (" http://example.com/", "spaces or control characters"),
        ("https://example.com/" + "a" * 2048, "longer than 2048 characters"),
    ],
)
def test_other_urls_are_refused_with_a_reason(url, message):
    with pytest.raises(FetchRefused, match=message):
        validate_url(url)


# --- Addresses --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/",
        "http://[::1]/",
        "http://10.0.0.1/",
        "http://172.16.5.4/",
        "http://192.168.1.1/",
        "http://169.254.169.254/latest/meta-data/",
        "http://100.64.0.1/",
        "http://0.0.0.0/",
        "http://[::]/",
        "http://192.0.0.8/",
        "http://198.18.0.1/",
        "http://224.0.0.1/",
        "http://240.0.0.1/",
        "http://255.255.255.255/",
        "http://[fe80::1]/",
        "http://[fc00::1]/",
        "http://[ff02::1]/",
        "http://[::ffff:127.0.0.1]/",
        "http://[::ffff:a00:1]/",
        "http://[64:ff9b::a00:1]/",
        "http://[64:ff9b:1::a00:1]/",
        "http://[2002:a00:1::1]/",
        "http://[2001:0:4136:e378:8000:63bf:f5ff:fffe]/",  # Teredo, client 10.0.0.1
        "http://2130706433/",  # 127.0.0.1 as one number
        "http://0x7f.1/",
        "http://127.1:8000/",
    ],
)
def test_non_public_addresses_are_refused_before_any_connection(url, no_connections):
    started = time.monotonic()
    with pytest.raises(FetchRefused, match="private address"):
        fetch_image(url, max_bytes=MAX)
    assert time.monotonic() - started < 0.5


def test_a_host_name_resolving_to_a_private_address_is_refused(monkeypatch, no_connections):
    fake_dns(monkeypatch, "10.1.2.3")
    with pytest.raises(FetchRefused, match=r"private address \(10\.1\.2\.3\)"):
        fetch_image("https://images.example/pin.png", max_bytes=MAX)


def test_one_private_address_among_public_ones_refuses_the_host(monkeypatch, no_connections):
    def getaddrinfo(host, port, family=0, type=0, proto=0, flags=0):
        return [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.215.14", port)),
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port)),
        ]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    with pytest.raises(FetchRefused, match="private address"):
        fetch_image("https://images.example/pin.png", max_bytes=MAX)


def test_an_allowed_nat64_prefix_still_refuses_the_private_ipv4_behind_it(no_connections):
    with pytest.raises(FetchRefused, match="private address"):
        fetch_image(
            "http://[64:ff9b::a9fe:a9fe]/",  # 169.254.169.254
            max_bytes=MAX,
            allowed_networks=[ip_network("64:ff9b::/96")],
        )


def test_an_unknown_host_is_refused(monkeypatch):
    def getaddrinfo(*args, **kwargs):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    with pytest.raises(FetchRefused, match=r"unknown host \(nowhere\.example\)"):
        fetch_image("http://nowhere.example/", max_bytes=MAX)


def test_a_dns_failure_is_worth_retrying(monkeypatch):
    def getaddrinfo(*args, **kwargs):
        raise socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    with pytest.raises(FetchFailed, match="could not be resolved"):
        fetch_image("http://images.example/", max_bytes=MAX)


@pytest.mark.parametrize("network", ["127.0.0.1/32", ip_network("127.0.0.1/32")])
def test_allowed_networks_come_from_the_setting(serve, settings, network):
    server = serve({"/pin.png": answer()})
    settings.MEDIA_FETCH_ALLOWED_NETWORKS = [network]
    assert fetch_image(server.url(), max_bytes=MAX).data == PNG


def test_without_the_setting_a_local_server_is_refused(serve, settings):
    server = serve({"/pin.png": answer()})
    del settings.MEDIA_FETCH_ALLOWED_NETWORKS
    with pytest.raises(FetchRefused, match="private address"):
        fetch_image(server.url(), max_bytes=MAX)


def test_a_malformed_allowed_network_setting_fails_loudly(settings):
    settings.MEDIA_FETCH_ALLOWED_NETWORKS = ["10.0.0.1/8"]
    with pytest.raises(ImproperlyConfigured, match="MEDIA_FETCH_ALLOWED_NETWORKS"):
        fetch_image("http://10.0.0.1/", max_bytes=MAX)


# --- Fetching ---------------------------------------------------------------------------------


def test_an_image_is_fetched_with_its_content_type(serve):
    server = serve({"/pin.png": answer(content_type="image/png; charset=binary")})
    fetched = fetch_image(server.url(), max_bytes=MAX, allowed_networks=LOCAL)
    assert fetched.data == PNG
    assert fetched.content_type == "image/png"
    assert fetched.url == server.url()


def test_the_connection_goes_to_the_checked_address_not_a_second_lookup(
    serve, monkeypatch, connections
):
    # DNS rebinding: the name answers an allowed address once, then a refused one.
    try:
        server = serve({"/pin.png": answer()}, host="127.0.0.2")
    except OSError:
        pytest.skip("127.0.0.2 is not usable here")
    looked_up = fake_dns(monkeypatch, "127.0.0.2", "127.0.0.1")
    fetched = fetch_image(
        server.url(host="images.example"),
        max_bytes=MAX,
        allowed_networks=[ip_network("127.0.0.2/32")],
    )
    assert fetched.data == PNG
    assert looked_up == ["images.example"]
    assert connections == ["127.0.0.2"]
    assert server.seen == [("/pin.png", f"images.example:{server.port}")]


def test_each_redirect_is_resolved_and_checked_again(serve, monkeypatch, connections):
    server = serve({"/pin.png": redirect("/moved.png"), "/moved.png": answer()})
    looked_up = fake_dns(monkeypatch, "127.0.0.1", "10.0.0.9")
    with pytest.raises(FetchRefused, match=r"redirect points at a private address \(10\.0\.0\.9"):
        fetch_image(
            server.url(host="images.example"), max_bytes=MAX, allowed_networks=ONLY_127_0_0_1
        )
    assert looked_up == ["images.example", "images.example"]
    assert connections == ["127.0.0.1"]


def test_redirects_are_followed_to_the_final_url(serve):
    server = serve(
        {
            "/pin.png": redirect("/one", 301),
            "/one": redirect("/two", 307),
            "/two": redirect("/final.png", 308),
            "/final.png": answer(),
        }
    )
    fetched = fetch_image(server.url(), max_bytes=MAX, allowed_networks=LOCAL)
    assert fetched.data == PNG
    assert fetched.url == server.url("/final.png")


def test_a_fourth_redirect_is_refused_without_being_followed(serve):
    server = serve(
        {
            "/pin.png": redirect("/one"),
            "/one": redirect("/two"),
            "/two": redirect("/three"),
            "/three": redirect("/final.png"),
            "/final.png": answer(),
        }
    )
    with pytest.raises(FetchRefused, match="redirected more than 3 times"):
        fetch_image(server.url(), max_bytes=MAX, allowed_networks=LOCAL)
    assert [path for path, _ in server.seen] == ["/pin.png", "/one", "/two", "/three"]


@pytest.mark.parametrize(
    "target",
    [
        "http://10.0.0.1/pin.png",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]:{port}/pin.png",
        "http://127.0.0.2:{port}/pin.png",
        "//10.0.0.1/pin.png",
    ],
)
def test_a_redirect_to_an_address_that_is_not_allowed_is_refused(serve, connections, target):
    server = serve({})
    server.routes["/pin.png"] = redirect(target.format(port=server.port))
    with pytest.raises(FetchRefused, match="redirect points at a private address"):
        fetch_image(server.url(), max_bytes=MAX, allowed_networks=ONLY_127_0_0_1)
    assert connections == ["127.0.0.1"]


@pytest.mark.parametrize(
    "target", ["file:///etc/passwd", "ftp://example.com/a.png", "http://admin:x@example.com/"]
)
def test_a_redirect_to_a_refused_url_is_refused(serve, target):
    server = serve({"/pin.png": redirect(target)})
    with pytest.raises(FetchRefused, match="image_url redirect"):
        fetch_image(server.url(), max_bytes=MAX, allowed_networks=LOCAL)


def test_a_redirect_without_a_location_is_refused(serve):
    def no_location(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(302)
        handler.end_headers()

    server = serve({"/pin.png": no_location})
    with pytest.raises(FetchRefused, match="302 without a Location"):
        fetch_image(server.url(), max_bytes=MAX, allowed_networks=LOCAL)


def test_a_missing_image_is_refused(serve):
    server = serve({})
    with pytest.raises(FetchRefused, match="image_url answered 404"):
        fetch_image(server.url(), max_bytes=MAX, allowed_networks=LOCAL)


@pytest.mark.parametrize("status", [500, 503, 429])
def test_server_errors_and_throttling_are_worth_retrying(serve, status):
    server = serve({"/pin.png": answer(b"busy", status=status)})
    with pytest.raises(FetchFailed, match=f"image_url answered {status}"):
        fetch_image(server.url(), max_bytes=MAX, allowed_networks=LOCAL)


def test_a_refused_connection_is_worth_retrying():
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    with pytest.raises(FetchFailed, match="could not be fetched"):
        fetch_image(f"http://127.0.0.1:{port}/", max_bytes=MAX, allowed_networks=LOCAL)


def test_an_empty_answer_is_refused(serve):
    server = serve({"/pin.png": answer(b"")})
    with pytest.raises(FetchRefused, match="empty"):
        fetch_image(server.url(), max_bytes=MAX, allowed_networks=LOCAL)


def test_an_answer_just_at_the_cap_is_fetched(serve):
    server = serve({"/pin.png": answer(length=False)})
    fetched = fetch_image(server.url(), max_bytes=len(PNG), allowed_networks=LOCAL)
    assert fetched.data == PNG


def test_a_content_length_over_the_cap_is_refused_before_the_body_is_read(serve):
    server = serve({"/pin.png": claims_huge})
    started = time.monotonic()
    with pytest.raises(FetchRefused, match="image_url answer is over 20 MB"):
        fetch_image(server.url(), max_bytes=20 * 1024 * 1024, allowed_networks=LOCAL)
    assert time.monotonic() - started < 1


@pytest.mark.parametrize("chunked", [False, True], ids=["until-close", "chunked"])
def test_a_body_without_content_length_is_cut_at_the_cap(serve, chunked):
    server = serve({"/pin.png": endless(chunked=chunked)})
    with pytest.raises(FetchRefused, match="image_url answer is over 100 KB"):
        fetch_image(server.url(), max_bytes=100 * 1024, allowed_networks=LOCAL)


@pytest.mark.parametrize("route", [drip_body, drip_headers], ids=["body", "headers"])
def test_a_slow_drip_server_cannot_hold_the_fetch_past_the_deadline(serve, route):
    server = serve({"/pin.png": route})
    started = time.monotonic()
    with pytest.raises(FetchFailed, match="took longer than 1 s"):
        fetch_image(
            server.url(), max_bytes=MAX, allowed_networks=LOCAL, read_timeout=0.5, deadline=1.0
        )
    assert time.monotonic() - started < 1.3


def test_the_deadline_covers_redirects_too(serve):
    def slow_redirect(handler: BaseHTTPRequestHandler) -> None:
        time.sleep(0.3)
        redirect("/pin.png")(handler)

    server = serve({"/pin.png": slow_redirect})
    started = time.monotonic()
    with pytest.raises(FetchFailed, match=r"took longer than 0\.5 s"):
        fetch_image(
            server.url(),
            max_bytes=MAX,
            allowed_networks=LOCAL,
            deadline=0.5,
            max_redirects=10,
        )
    assert time.monotonic() - started < 0.8


def test_a_server_that_does_not_answer_times_out(serve):
    server = serve({"/pin.png": silent})
    started = time.monotonic()
    with pytest.raises(FetchFailed, match="did not answer in time"):
        fetch_image(server.url(), max_bytes=MAX, allowed_networks=LOCAL, read_timeout=0.2)
    assert time.monotonic() - started < 0.6


# --- HTTPS ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def certificate(tmp_path_factory) -> tuple[str, str]:
    """A self-signed certificate for images.test (made with openssl, not downloaded)."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("openssl is not installed")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = str(folder / "cert.pem"), str(folder / "key.pem")
    arguments = (
        "req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2"
        " -subj /CN=images.test -addext subjectAltName=DNS:images.test"
    )
    subprocess.run(
        [openssl, *arguments.split(), "-keyout", key, "-out", cert],
        check=True,
        capture_output=True,
    )
    return cert, key


@pytest.fixture
def tls_server(serve, certificate) -> tuple[LocalServer, list[str]]:
    """An HTTPS server on 127.0.0.1 and the SNI names its clients sent."""
    cert, key = certificate
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    names: list[str] = []
    context.sni_callback = lambda connection, name, context: names.append(name)
    return serve({"/pin.png": answer()}, tls=context), names


@pytest.fixture
def trust_test_certificate(monkeypatch, certificate) -> None:
    context = fetch._tls_context.__wrapped__()
    context.load_verify_locations(certificate[0])
    monkeypatch.setattr(fetch, "_tls_context", lambda: context)


def test_https_to_the_checked_address_verifies_the_certificate_for_the_host_name(
    tls_server, monkeypatch, connections, trust_test_certificate
):
    server, sni_names = tls_server
    fake_dns(monkeypatch, "127.0.0.1")
    fetched = fetch_image(
        server.url(host="images.test"), max_bytes=MAX, allowed_networks=ONLY_127_0_0_1
    )
    assert fetched.data == PNG
    assert connections == ["127.0.0.1"]
    assert sni_names == ["images.test"]
    assert server.seen == [("/pin.png", f"images.test:{server.port}")]


def test_https_with_a_certificate_for_another_name_is_refused(
    tls_server, monkeypatch, trust_test_certificate
):
    server, _ = tls_server
    fake_dns(monkeypatch, "127.0.0.1")
    with pytest.raises(FetchRefused, match="bad certificate"):
        fetch_image(server.url(host="other.test"), max_bytes=MAX, allowed_networks=LOCAL)


def test_https_with_an_untrusted_certificate_is_refused(tls_server, monkeypatch):
    server, _ = tls_server
    fake_dns(monkeypatch, "127.0.0.1")
    with pytest.raises(FetchRefused, match="bad certificate"):
        fetch_image(server.url(host="images.test"), max_bytes=MAX, allowed_networks=LOCAL)
