"""Fetching a URL from the outside world without becoming a proxy into our own network.

- only hosts listed in LEARNING_FEED_ALLOWED_HOSTS (exact names, or ".example.com" for a
  domain and its subdomains);
- the name is resolved once and every address must be public (no private, loopback,
  link-local, multicast, reserved or unspecified address) unless
  LEARNING_FEED_ALLOW_PRIVATE_ADDRESSES is set (tests, an intranet bridge); the connection then
  goes to the checked address, so a second DNS answer cannot point elsewhere (rebinding);
- https only unless LEARNING_FEED_ALLOW_HTTP; redirects are followed (at most 3), each hop
  checked the same way;
- a time limit per socket operation and for the whole response, and a size limit.
"""

import http.client
import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from django.conf import settings

MAX_REDIRECTS = 3
USER_AGENT = "SanyuanLiudongEjia-FeedSync/1.0"


class FetchError(Exception):
    """The source could not be fetched; the message is shown to staff (Chinese)."""


@dataclass
class FetchResult:
    url: str
    status: int
    content_type: str
    body: bytes


def _host_allowed(host: str) -> bool:
    host = host.lower().rstrip(".")
    for allowed in settings.LEARNING_FEED_ALLOWED_HOSTS:
        allowed = allowed.lower()
        if allowed.startswith("."):
            if host == allowed[1:] or host.endswith(allowed):
                return True
        elif host == allowed:
            return True
    return False


def _is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or not ip.is_global
    )


def resolve_checked(host: str, port: int) -> str:
    """One address of `host` that we may connect to; FetchError otherwise."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise FetchError(f"无法解析域名 {host}。") from exc
    addresses = [info[4][0] for info in infos]
    if not addresses:
        raise FetchError(f"无法解析域名 {host}。")
    # Every answer must be public: one private answer is enough to refuse.
    if not settings.LEARNING_FEED_ALLOW_PRIVATE_ADDRESSES and not all(
        _is_public(address) for address in addresses
    ):
        raise FetchError(f"{host} 指向内部网络地址，已拒绝。")
    return addresses[0]


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, host, port, address, timeout):
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self):
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, host, port, address, timeout):
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self):
        sock = socket.create_connection((self._address, self.port), self.timeout)
        # Certificate checked against the host name, connection made to the checked address.
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def _check_url(url: str) -> tuple[str, str, int, str]:
    parts = urlsplit(url)
    allowed_schemes = {"https", "http"} if settings.LEARNING_FEED_ALLOW_HTTP else {"https"}
    if parts.scheme not in allowed_schemes:
        raise FetchError("只允许 https 地址。")
    host = parts.hostname or ""
    if not host:
        raise FetchError("地址无效。")
    if parts.username or parts.password:
        raise FetchError("地址中不能包含用户名或密码。")
    if not _host_allowed(host):
        raise FetchError(f"{host} 不在允许同步的站点名单中。")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise FetchError("地址端口无效。") from exc
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return parts.scheme, host, port, path


def fetch(url: str, *, method: str = "GET", body: bytes | None = None, headers=None) -> FetchResult:
    """Fetch `url` within the limits above; FetchError with a Chinese message otherwise."""
    max_bytes = settings.LEARNING_FEED_MAX_BYTES
    timeout = settings.LEARNING_FEED_TIMEOUT_SECONDS
    deadline = time.monotonic() + timeout
    for _hop in range(MAX_REDIRECTS + 1):
        scheme, host, port, path = _check_url(url)
        address = resolve_checked(host, port)
        connection_class = _PinnedHTTPSConnection if scheme == "https" else _PinnedHTTPConnection
        connection = connection_class(host, port, address, timeout)
        try:
            request_headers = {"User-Agent": USER_AGENT, "Accept-Encoding": "identity"}
            request_headers.update(headers or {})
            connection.request(method, path, body=body, headers=request_headers)
            response = connection.getresponse()
            if response.status in (301, 302, 303, 307, 308):
                location = response.getheader("Location")
                if not location:
                    raise FetchError(f"来源返回了无目标的跳转（HTTP {response.status}）。")
                url = urljoin(url, location)
                if response.status == 303:
                    method, body = "GET", None
                continue
            if response.status != 200:
                raise FetchError(f"来源返回 HTTP {response.status}。")
            length = response.getheader("Content-Length")
            if length and length.isdigit() and int(length) > max_bytes:
                raise FetchError(f"内容超过 {max_bytes // 1024} KB 的上限。")
            chunks, size = [], 0
            while True:
                if time.monotonic() > deadline:
                    raise FetchError(f"来源响应超时（{timeout} 秒）。")
                chunk = response.read(65536)
                if not chunk:
                    break
                size += len(chunk)
                if size > max_bytes:
                    raise FetchError(f"内容超过 {max_bytes // 1024} KB 的上限。")
                chunks.append(chunk)
            return FetchResult(
                url=url,
                status=response.status,
                content_type=response.getheader("Content-Type", ""),
                body=b"".join(chunks),
            )
        except FetchError:
            raise
        except TimeoutError as exc:
            raise FetchError(f"来源响应超时（{timeout} 秒）。") from exc
        except (OSError, http.client.HTTPException, ssl.SSLError) as exc:
            raise FetchError(f"连接来源失败：{type(exc).__name__}。") from exc
        finally:
            connection.close()
    raise FetchError("跳转次数过多。")
