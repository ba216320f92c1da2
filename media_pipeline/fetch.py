"""The one guarded URL fetch of the project (pin images from a user's `image_url`).

Nothing else in the project opens a URL. A user-supplied URL must not become a way to reach the
worker's own network (cloud metadata, databases, admin pages), so:

- the URL is http or https, with a host, no user name or password and no control characters;
- the host is resolved once per hop and every address must be public, unless it lies in a network
  the operator allowed (`MEDIA_FETCH_ALLOWED_NETWORKS`); IPv6 forms that carry an IPv4 address
  (mapped, 6to4, Teredo, NAT64) have that address checked too;
- the connection goes to an address that was checked, never through a second lookup, so a DNS
  answer that changes in between (rebinding) changes nothing; TLS still verifies the certificate
  and sends SNI for the host name of the URL;
- each redirect is checked exactly like the first URL, and at most `max_redirects` are followed;
- every read waits at most `read_timeout`, and nothing runs past `deadline`, so a server dripping
  one byte at a time cannot hold the worker;
- the body is capped at `max_bytes`, from Content-Length first and then while reading.

Host name resolution is left to the system resolver and its own timeout; the deadline is checked
as soon as it returns. The format is not judged here: the caller sniffs the bytes.
"""

import functools
import http.client
import ipaddress
import re
import socket
import ssl
import string
import time
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any
from urllib.parse import quote, urljoin, urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network

MAX_URL_LENGTH = 2048
MEGABYTE = 1024 * 1024

_REDIRECTS = frozenset({301, 302, 303, 307, 308})
# Statuses that say "not now" rather than "no": worth another try later, like a 5xx.
_TRY_LATER = frozenset({408, 425, 429})
_CHUNK = 64 * 1024
_REQUEST_HEADERS = {
    # The formats imaging accepts; AVIF is left out because it could not be processed.
    "Accept": "image/webp,image/png,image/jpeg,image/gif;q=0.9,*/*;q=0.1",
    "User-Agent": "catalog-image-fetch/1.0",
    "Connection": "close",
}
# host or [IPv6 literal], then an optional :port (userinfo was refused before).
_NETLOC = re.compile(r"(?:\[(?P<ipv6>[0-9a-fA-F:.]+)\]|(?P<name>[^\[\]:@/\\]+))(?::(?P<port>\d*))?")
_HOST_NAME = re.compile(r"[a-z0-9_-]+(?:\.[a-z0-9_-]+)*\.?")
_DEFAULT_PORTS = {"http": 80, "https": 443}
_NO_SUCH_HOST = frozenset(
    getattr(socket, name) for name in ("EAI_NONAME", "EAI_NODATA") if hasattr(socket, name)
)

# Never public, whatever the running Python's `ipaddress` tables say (they change between
# releases); checked on top of its is_private, is_reserved, ... properties.
_NOT_PUBLIC = tuple(
    ipaddress.ip_network(network)
    for network in (
        "0.0.0.0/8",  # "this network"
        "10.0.0.0/8",
        "100.64.0.0/10",  # carrier-grade NAT
        "127.0.0.0/8",
        "169.254.0.0/16",  # link-local, where cloud metadata services answer
        "172.16.0.0/12",
        "192.0.0.0/24",  # IETF protocol assignments
        "192.0.2.0/24",
        "192.88.99.0/24",  # 6to4 relay anycast
        "192.168.0.0/16",
        "198.18.0.0/15",  # benchmarking
        "198.51.100.0/24",
        "203.0.113.0/24",
        "224.0.0.0/4",  # multicast
        "240.0.0.0/4",  # reserved, and the broadcast address
        "::/128",
        "::1/128",
        "64:ff9b:1::/48",  # local-use NAT64
        "100::/64",  # discard
        "2001:db8::/32",
        "fc00::/7",  # unique local
        "fe80::/10",
        "fec0::/10",  # site-local
        "ff00::/8",
    )
)
# NAT64 prefixes whose last 32 bits are an IPv4 address (the /96 layout of RFC 6052).
_NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))


class FetchRefused(ValueError):
    """The URL or its answer is refused; the message is fit to show the user."""


class FetchFailed(Exception):
    """A transient failure (timeout, connection error, 5xx) worth retrying later."""


@dataclass(frozen=True)
class Fetched:
    url: str  # after redirects
    data: bytes
    content_type: str  # as the server claims it; only the bytes say what the file is


@dataclass(frozen=True)
class _Target:
    url: str
    scheme: str
    host: str  # ASCII (IDNA), without the brackets of an IPv6 literal
    port: int
    path: str  # what goes on the request line: path and query, percent-encoded


# --- The URL ----------------------------------------------------------------------------------


def validate_url(url: str) -> None:
    """Refuse, by syntax alone, a URL that fetch_image would refuse. Resolves nothing."""
    _parse(url, "image_url")


def _parse(url: str, subject: str) -> _Target:
    if len(url) > MAX_URL_LENGTH:
        raise FetchRefused(f"{subject} is longer than {MAX_URL_LENGTH} characters")
    if any(char.isspace() or unicodedata.category(char).startswith("C") for char in url):
        raise FetchRefused(f"{subject} contains spaces or control characters")
    try:
        parts = urlsplit(url)
    except ValueError:
        raise FetchRefused(f"{subject} is not a valid URL") from None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS:
        raise FetchRefused(f"{subject} must be an http:// or https:// URL")
    if not parts.netloc:
        raise FetchRefused(f"{subject} has no host")
    if "@" in parts.netloc:
        raise FetchRefused(f"{subject} must not contain a user name or password")
    netloc = _NETLOC.fullmatch(parts.netloc)
    if netloc is None:
        raise FetchRefused(f"{subject} has an invalid host or port")
    port = int(netloc["port"]) if netloc["port"] else _DEFAULT_PORTS[scheme]
    if not 1 <= port <= 65535:
        raise FetchRefused(f"{subject} has an invalid port ({port})")
    host = _ipv6_literal(netloc["ipv6"], subject) if netloc["ipv6"] else _host_name(netloc["name"])
    if host is None:
        raise FetchRefused(f"{subject} has an invalid host name")
    path = quote(parts.path or "/", safe=string.punctuation)
    if parts.query:
        path += "?" + quote(parts.query, safe=string.punctuation)
    return _Target(url=url, scheme=scheme, host=host, port=port, path=path)


def _ipv6_literal(text: str, subject: str) -> str:
    try:
        return str(ipaddress.IPv6Address(text))
    except ValueError:
        raise FetchRefused(f"{subject} has an invalid IPv6 address") from None


def _host_name(name: str) -> str | None:
    """The ASCII form of a host name (internationalised names included), or None if invalid."""
    try:
        ascii_name = name.lower().encode("idna").decode("ascii")
    except UnicodeError:
        return None
    return ascii_name if _HOST_NAME.fullmatch(ascii_name) else None


# --- The addresses ----------------------------------------------------------------------------


def _allowed_networks() -> tuple[Network, ...]:
    configured = getattr(settings, "MEDIA_FETCH_ALLOWED_NETWORKS", ())
    try:
        return tuple(ipaddress.ip_network(str(network)) for network in configured)
    except ValueError as exc:
        raise ImproperlyConfigured(f"MEDIA_FETCH_ALLOWED_NETWORKS: {exc}") from None


def _is_public(address: Address) -> bool:
    if (
        not address.is_global
        or address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
    ):
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.is_site_local:
        return False
    return not any(address in network for network in _NOT_PUBLIC)


def _embedded_ipv4(address: Address) -> list[ipaddress.IPv4Address]:
    if isinstance(address, ipaddress.IPv4Address):
        return []
    found = [address.ipv4_mapped, address.sixtofour, *(address.teredo or ())]
    if any(address in prefix for prefix in _NAT64):
        found.append(ipaddress.IPv4Address(int(address) & 0xFFFF_FFFF))
    return [embedded for embedded in found if embedded is not None]


def _permitted(address: Address, allowed: Sequence[Network]) -> bool:
    """Public or allowed; an IPv4 address carried inside must be too, even in an allowed network
    (so allowing a NAT64 prefix does not open the private IPv4 space behind it)."""
    if not (any(address in network for network in allowed) or _is_public(address)):
        return False
    return all(_permitted(embedded, allowed) for embedded in _embedded_ipv4(address))


def _resolve(target: _Target, allowed: Sequence[Network], subject: str) -> list[Address]:
    """Every address of the host, all checked: one refused address refuses the URL."""
    try:
        answers = socket.getaddrinfo(target.host, target.port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        if exc.errno in _NO_SUCH_HOST:
            raise FetchRefused(f"{subject} names an unknown host ({target.host})") from None
        raise FetchFailed(f"{subject} host could not be resolved ({exc.strerror})") from None
    addresses = list(
        dict.fromkeys(
            ipaddress.ip_address(sockaddr[0])
            for family, _, _, _, sockaddr in answers
            if family in (socket.AF_INET, socket.AF_INET6)
        )
    )
    if not addresses:
        raise FetchRefused(f"{subject} names a host with no address ({target.host})")
    for address in addresses:
        if not _permitted(address, allowed):
            raise FetchRefused(f"{subject} points at a private address ({address})")
    return addresses


# --- The connection ---------------------------------------------------------------------------


class _Clock:
    """The time left before the deadline of the whole fetch, redirects and body included."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._end = time.monotonic() + seconds

    @property
    def expired(self) -> bool:
        return time.monotonic() >= self._end

    def budget(self, limit: float) -> float:
        """`limit`, cut to the time left; TimeoutError once the deadline has passed."""
        left = self._end - time.monotonic()
        if left <= 0:
            raise TimeoutError("deadline passed")
        return min(limit, left)


class _ReadBudget:
    """Before each read the socket's timeout is set afresh, so a slow drip of bytes (each read
    quick, the whole endless) still ends at the deadline, in the headers as in the body."""

    read_budget: Callable[[], float]

    def recv(self, *args: Any, **kwargs: Any) -> bytes:
        self.settimeout(self.read_budget())
        return super().recv(*args, **kwargs)

    def recv_into(self, *args: Any, **kwargs: Any) -> int:
        self.settimeout(self.read_budget())
        return super().recv_into(*args, **kwargs)


class _BudgetSocket(_ReadBudget, socket.socket):
    pass


class _BudgetSSLSocket(_ReadBudget, ssl.SSLSocket):
    pass


@functools.cache
def _tls_context() -> ssl.SSLContext:
    context = ssl.create_default_context()
    context.sslsocket_class = _BudgetSSLSocket
    return context


def _connect(address: Address, port: int, timeout: float) -> _BudgetSocket:
    """Open a TCP connection to an address that was checked; the only place a socket connects."""
    family = socket.AF_INET6 if address.version == 6 else socket.AF_INET
    sock = _BudgetSocket(family, socket.SOCK_STREAM)
    try:
        sock.settimeout(timeout)
        sock.connect((str(address), port))
    except BaseException:
        sock.close()
        raise
    return sock


class _PinnedConnection(http.client.HTTPConnection):
    """HTTP to the checked addresses; the URL's host name goes only into the Host header."""

    def __init__(
        self,
        target: _Target,
        addresses: Sequence[Address],
        clock: _Clock,
        connect_timeout: float,
        read_timeout: float,
    ) -> None:
        super().__init__(target.host, target.port)
        self._addresses = addresses
        self._clock = clock
        self._connect_timeout = connect_timeout
        self._read_timeout = read_timeout

    def _read_budget(self) -> float:
        return self._clock.budget(self._read_timeout)

    def connect(self) -> None:
        # The next checked address is tried when one cannot be reached (an AAAA record on a
        # worker without an IPv6 route, say); none of them is looked up again.
        failure: OSError | None = None
        for address in self._addresses:
            timeout = self._clock.budget(self._connect_timeout)
            try:
                sock = _connect(address, self.port, timeout)
            except OSError as exc:
                failure = exc
                continue
            sock.read_budget = self._read_budget
            sock.settimeout(self._read_budget())
            self.sock = sock
            return
        raise failure or OSError("no address to connect to")


class _PinnedTLSConnection(_PinnedConnection):
    default_port = http.client.HTTPS_PORT

    def connect(self) -> None:
        super().connect()
        # SNI and certificate verification use the host name, though the socket went to an IP.
        tls = _tls_context().wrap_socket(self.sock, server_hostname=self.host)
        tls.read_budget = self._read_budget
        self.sock = tls


# --- The fetch --------------------------------------------------------------------------------


def _size(count: int) -> str:
    if count >= MEGABYTE:
        return f"{count / MEGABYTE:.3g} MB"
    if count >= 1024:
        return f"{count / 1024:.3g} KB"
    return f"{count} bytes"


def _read_body(response: http.client.HTTPResponse, max_bytes: int) -> bytes:
    too_big = FetchRefused(f"image_url answer is over {_size(max_bytes)}")
    if response.length is not None and response.length > max_bytes:
        raise too_big
    chunks: list[bytes] = []
    received = 0
    while chunk := response.read(min(_CHUNK, max_bytes + 1 - received)):
        received += len(chunk)
        if received > max_bytes:
            raise too_big
        chunks.append(chunk)
    if not received:
        raise FetchRefused("image_url answer is empty")
    return b"".join(chunks)


def _get(
    target: _Target,
    addresses: Sequence[Address],
    clock: _Clock,
    *,
    max_bytes: int,
    connect_timeout: float,
    read_timeout: float,
    headers_only: bool = False,
) -> Fetched | str:
    """One request: the answer, or the Location of a redirect (not yet checked). With
    `headers_only`, the body is not read: the answer carries no data."""
    kind = _PinnedTLSConnection if target.scheme == "https" else _PinnedConnection
    connection = kind(target, addresses, clock, connect_timeout, read_timeout)
    try:
        connection.request("GET", target.path, headers=_REQUEST_HEADERS)
        response = connection.getresponse()
        status = response.status
        if status in _REDIRECTS:
            location = response.getheader("Location")
            if not location:
                raise FetchRefused(f"image_url answered {status} without a Location")
            return location
        if status >= 500 or status in _TRY_LATER:
            raise FetchFailed(f"image_url answered {status}")
        if not 200 <= status < 300:
            raise FetchRefused(f"image_url answered {status}")
        content_type = (response.getheader("Content-Type") or "").split(";")[0].strip().lower()
        if headers_only:
            if response.length is not None and response.length > max_bytes:
                raise FetchRefused(f"image_url answer is over {_size(max_bytes)}")
            return Fetched(url=target.url, data=b"", content_type=content_type)
        data = _read_body(response, max_bytes)
        return Fetched(url=target.url, data=data, content_type=content_type)
    except ssl.SSLCertVerificationError as exc:
        raise FetchRefused(f"image_url has a bad certificate ({exc.verify_message})") from None
    except TimeoutError:
        if clock.expired:
            raise FetchFailed(f"image_url took longer than {clock.seconds:g} s") from None
        raise FetchFailed("image_url did not answer in time") from None
    except (OSError, http.client.HTTPException) as exc:
        reason = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
        raise FetchFailed(f"image_url could not be fetched ({reason})") from exc
    finally:
        connection.close()


def _follow(
    url: str,
    *,
    max_bytes: int,
    allowed_networks: Sequence[Network] | None,
    connect_timeout: float,
    read_timeout: float,
    deadline: float,
    max_redirects: int,
    headers_only: bool,
) -> Fetched:
    allowed = _allowed_networks() if allowed_networks is None else tuple(allowed_networks)
    clock = _Clock(deadline)
    subject = "image_url"
    for _ in range(max_redirects + 1):
        target = _parse(url, subject)
        addresses = _resolve(target, allowed, subject)
        if clock.expired:
            raise FetchFailed(f"image_url took longer than {deadline:g} s")
        answer = _get(
            target,
            addresses,
            clock,
            max_bytes=max_bytes,
            connect_timeout=connect_timeout,
            read_timeout=read_timeout,
            headers_only=headers_only,
        )
        if isinstance(answer, Fetched):
            return answer
        url = urljoin(url, answer)
        subject = "image_url redirect"
    raise FetchRefused(f"image_url redirected more than {max_redirects} times")


def fetch_image(
    url: str,
    *,
    max_bytes: int,
    allowed_networks: Sequence[Network] | None = None,
    connect_timeout: float = 5.0,
    read_timeout: float = 10.0,
    deadline: float = 20.0,
    max_redirects: int = 3,
) -> Fetched:
    """GET `url` with every guard of this module; see the module docstring.

    `allowed_networks` defaults to `settings.MEDIA_FETCH_ALLOWED_NETWORKS`. Raises FetchRefused
    (permanent; the message is for the user) or FetchFailed (transient; retry later).
    """
    return _follow(
        url,
        max_bytes=max_bytes,
        allowed_networks=allowed_networks,
        connect_timeout=connect_timeout,
        read_timeout=read_timeout,
        deadline=deadline,
        max_redirects=max_redirects,
        headers_only=False,
    )


def probe_image_url(
    url: str,
    *,
    max_bytes: int,
    allowed_networks: Sequence[Network] | None = None,
    deadline: float = 5.0,
    max_redirects: int = 3,
) -> Fetched:
    """Follow `url` to its final answer with the same guards, reading headers only, so a request
    can refuse a private address, a redirect into private space, a 404 or an announced oversize
    at once; the worker then fetches (and checks) again. The answer carries the final URL and
    Content-Type, and no data."""
    return _follow(
        url,
        max_bytes=max_bytes,
        allowed_networks=allowed_networks,
        connect_timeout=min(deadline, 3.0),
        read_timeout=deadline,
        deadline=deadline,
        max_redirects=max_redirects,
        headers_only=True,
    )


PAGE_MAX_BYTES = 2 * 1024 * 1024


class _ImageFinder(HTMLParser):
    """The image a page names for sharing: og:image, twitter:image or link rel=image_src."""

    def __init__(self) -> None:
        super().__init__()
        self.found: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.found:
            return
        values = {name: value or "" for name, value in attrs}
        key = (values.get("property") or values.get("name") or "").lower()
        if tag == "meta" and key in {"og:image", "og:image:url", "twitter:image"}:
            self.found = values.get("content") or None
        elif tag == "link" and values.get("rel", "").lower() == "image_src":
            self.found = values.get("href") or None


def page_image_url(url: str, *, allowed_networks: Sequence[Network] | None = None) -> str | None:
    """For a web page's URL, the absolute URL of the image it names for sharing, if any."""
    page = fetch_image(url, max_bytes=PAGE_MAX_BYTES, allowed_networks=allowed_networks)
    finder = _ImageFinder()
    finder.feed(page.data.decode("utf-8", errors="replace"))
    return urljoin(page.url, finder.found) if finder.found else None
