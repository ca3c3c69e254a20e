"""The outbound fetch policy: every request oogst makes to a partner passes through here.

A partner (or whoever registers a feed) names URLs that oogst then fetches from inside the
operator's network: feed endpoints, the links of LDES pages and JSON APIs, dumps, media
files, JSON-LD contexts. :class:`Outbound` decides what may be fetched:

- **URLs** (:meth:`Outbound.url_problem`): http and https only, a host name, no user or
  password in the URL; a host written as an IP address in any form (``0x7f000001``,
  ``2130706433``, ``0177.0.0.1``, ``[::ffff:127.0.0.1]``) and ``localhost`` are checked as
  addresses right away.
- **Addresses** (:meth:`Outbound.address_allowed`), checked **when connecting**: the
  connection classes of :func:`guarded_session` resolve the host themselves, refuse every
  loopback, private, link-local (169.254.169.254 included), shared, multicast, reserved and
  unspecified address, and IPv4 addresses inside IPv6 (mapped, NAT64, 6to4), and connect to
  an address they checked, so a DNS answer that changes between check and connect (DNS
  rebinding) cannot slip through; the connected peer is checked once more. The setting
  ``allowed_private_networks`` (CIDRs) lets ranges through: the demo and the tests allow
  127.0.0.0/8.
- **Redirects**: every hop is a new request (its address checked again); a hop to another
  host is refused unless the setting ``allowed_redirect_hosts`` names it. Same host, or
  http → https on it, is followed; https → http is refused.
- **Limits**: a body is decompressed by oogst itself (``limits.py``), in bounded steps, and
  refused past ``max_response_bytes`` (a gzip bomb costs a few MB, not gigabytes); a request has an
  overall deadline (``http_deadline``) besides the per-read timeout: a watchdog closes the
  socket of a request that goes past it (a server that drips a byte every few seconds).
- **Local files** (``files`` feeds): only under the setting ``files_root``.

Proxies from the environment and ``.netrc`` are not used (``trust_env`` off): a proxy would
make the address check meaningless, and ``.netrc`` would send credentials to partners.
"""

from __future__ import annotations

import ipaddress
import socket
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import urljoin, urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3 import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.exceptions import ConnectTimeoutError, NameResolutionError, NewConnectionError
from urllib3.util import connection

from ..errors import FatalHarvestError
from .limits import read_body, shown_url

# The allow-list used when the settings give none (``Outbound(allowed_networks=None)``):
# nothing private. The test suite widens it to loopback in ``tests/conftest.py``.
DEFAULT_ALLOWED_NETWORKS: tuple[str, ...] = ()
SCHEMES = ("http", "https")
MAX_REDIRECT_BODY = 64 * 1024
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_SHARED = ipaddress.ip_network("100.64.0.0/10")
_NUMERIC_HOST = frozenset("0123456789abcdefx.")

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


class BlockedAddressError(FatalHarvestError):
    """A URL or an address that the outbound policy does not fetch."""


class DeadlineError(requests.Timeout):
    """A request that went past its overall deadline (a ``requests.Timeout``: retried as one)."""


@dataclass(frozen=True)
class Outbound:
    """What oogst may fetch; built from the settings by :meth:`from_settings`."""

    allowed_networks: tuple[str, ...] | None = None  # None: DEFAULT_ALLOWED_NETWORKS
    redirect_hosts: tuple[str, ...] = ()
    max_response_bytes: int = 64 * 1024 * 1024
    max_download_bytes: int = 4 * 1024 ** 3
    deadline: float = 300.0  # seconds one request may take, all of it (0: none)
    files_root: str = ""

    @classmethod
    def from_settings(cls, settings: Any) -> Outbound:
        return cls(allowed_networks=tuple(settings.allowed_private_networks) or None,
                   redirect_hosts=tuple(settings.allowed_redirect_hosts),
                   max_response_bytes=settings.max_response_bytes, max_download_bytes=settings.max_download_bytes,
                   deadline=settings.http_deadline,
                   files_root=settings.files_root)

    @property
    def networks(self) -> tuple[Network, ...]:
        allowed = DEFAULT_ALLOWED_NETWORKS if self.allowed_networks is None else self.allowed_networks
        return _networks(tuple(allowed))

    # -- addresses ---------------------------------------------------------------------------
    def address_allowed(self, address: str | Address) -> bool:
        """Whether oogst may connect to ``address``: a public one, or one in the allow-list."""
        ip = ipaddress.ip_address(address.split("%")[0] if isinstance(address, str) else address)
        candidates = _embedded(ip)
        if any(c.version == net.version and c in net for c in candidates for net in self.networks):
            return True
        return not any(_internal(c) for c in candidates)

    # -- URLs --------------------------------------------------------------------------------
    def url_problem(self, url: str) -> str | None:
        """Why ``url`` may not be fetched, in words; None when it may (its address is checked
        again when connecting)."""
        try:
            parts = urlsplit(url.strip())
            port = parts.port
        except ValueError as exc:
            return f"it is not a valid URL ({exc})"
        if parts.scheme.lower() not in SCHEMES:
            shown = f"{parts.scheme}://" if parts.scheme else "no scheme"
            return f"oogst fetches only http:// and https:// URLs, not {shown}"
        if parts.username is not None or parts.password is not None or "@" in parts.netloc:
            return "the URL holds a user name or password; oogst does not keep credentials in URLs"
        host = parts.hostname
        if not host:
            return "the URL names no host"
        if port == 0:
            return "port 0 is not a port"
        literal = literal_address(host)
        if literal is None and not _valid_name(host):
            return f"{host!r} is not a valid host name"
        if literal is not None and not self.address_allowed(literal):
            return (f"{host} is the address {literal}, on a loopback, private, link-local or otherwise internal "
                    "network; oogst does not fetch there unless the operator allows that range (setting "
                    "allowed_private_networks)")
        return None

    def resolved_problem(self, url: str) -> str | None:
        """:meth:`url_problem`, then every address the host resolves to checked now: for a
        request that another program makes (the SPARQL engine's ``SERVICE``), which cannot be
        checked when it connects. A DNS answer that changes after this check is not seen."""
        problem = self.url_problem(url)
        if problem:
            return problem
        parts = urlsplit(url.strip())
        host = parts.hostname or ""
        try:
            infos = socket.getaddrinfo(host, parts.port or (443 if parts.scheme.lower() == "https" else 80),
                                       type=socket.SOCK_STREAM)
        except (OSError, UnicodeError) as exc:
            return f"its host {host} cannot be resolved ({getattr(exc, 'strerror', None) or exc})"
        for *_, sockaddr in infos:
            if not self.address_allowed(str(sockaddr[0])):
                return (f"{host} resolves to {sockaddr[0]}, on a loopback, private, link-local or otherwise "
                        "internal network; oogst does not connect there unless the operator allows that range "
                        "(setting allowed_private_networks)")
        return None

    def check_url(self, url: str, *, feed: str | None = None) -> None:
        problem = self.url_problem(url)
        if problem:
            raise BlockedAddressError(f"refused to fetch: {problem}", feed=feed, url=shown_url(url))

    def redirect_problem(self, source: str, target: str) -> str | None:
        """Why a redirect from ``source`` to ``target`` is not followed; None when it is."""
        problem = self.url_problem(target)
        if problem:
            return problem
        a, b = urlsplit(source), urlsplit(target)
        if (b.hostname or "").lower() != (a.hostname or "").lower() and not _host_listed(b.hostname or "",
                                                                                        self.redirect_hosts):
            return (f"it leads to another host ({b.hostname}); oogst follows redirects only on the same host, "
                    f"unless the setting allowed_redirect_hosts names it")
        if a.scheme.lower() == "https" and b.scheme.lower() == "http":
            return "it leads from https to plain http"
        return None

    # -- local files -------------------------------------------------------------------------
    def check_path(self, path: str | Path, *, feed: str | None = None) -> Path:
        """``path`` made absolute, if it lies under ``files_root``; else BlockedAddressError."""
        resolved = Path(path).expanduser().resolve()
        if not self.files_root:
            raise BlockedAddressError(
                f"files feeds may read local files only under a folder the operator allows, and none is set "
                f"({resolved})", feed=feed,
                hint="set files_root in oogst.toml (or $OOGST_FILES_ROOT) to the folder partners' dumps are put in")
        root = Path(self.files_root).expanduser().resolve()
        if not resolved.is_relative_to(root):
            raise BlockedAddressError(f"{resolved} is outside the folder files feeds may read ({root})", feed=feed,
                                      hint="put the dump under files_root, or give an http(s) URL")
        return resolved


@lru_cache(maxsize=64)
def _networks(values: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(parse_networks(values))


def parse_networks(values: Iterable[str]) -> Iterator[Network]:
    """CIDR ranges (``127.0.0.0/8``); a bad one raises ValueError naming it."""
    for value in values:
        text = str(value).strip()
        if text:
            try:
                yield ipaddress.ip_network(text, strict=False)
            except ValueError:
                raise ValueError(f"allowed_private_networks: {text!r} is not an IP range such as 127.0.0.0/8") from None


def literal_address(host: str) -> Address | None:
    """The address a host name stands for without DNS: an IP literal in any form the C
    library accepts (hex, octal, decimal, short dotted), or loopback for ``localhost``."""
    host = host.strip("[]").lower().rstrip(".")
    if host == "localhost" or host.endswith(".localhost"):
        return ipaddress.IPv4Address("127.0.0.1")
    try:
        return ipaddress.ip_address(host.split("%")[0])
    except ValueError:
        pass
    if host and set(host) <= _NUMERIC_HOST and not host.rsplit(".", 1)[-1].isalpha():
        try:
            return ipaddress.IPv4Address(socket.inet_aton(host))
        except OSError:
            pass  # a name after all (checked when connecting, like any name)
    return None


def _embedded(ip: Address) -> list[Address]:
    """The address and the IPv4 addresses it carries (mapped, NAT64, 6to4)."""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return [ip.ipv4_mapped]  # ::ffff:a.b.c.d is a.b.c.d
    out: list[Address] = [ip]
    if isinstance(ip, ipaddress.IPv6Address):
        if ip in _NAT64:
            out.append(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
        if ip.sixtofour is not None:
            out.append(ip.sixtofour)
    return out


def _internal(ip: Address) -> bool:
    return (not ip.is_global or ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_multicast
            or ip.is_reserved or ip.is_unspecified or (ip.version == 4 and ip in _SHARED)
            or (ip.version == 6 and ip.is_site_local))


def _valid_name(host: str) -> bool:
    try:
        ascii_host = host.encode("idna").decode("ascii")
    except UnicodeError:
        return False
    labels = ascii_host.rstrip(".").split(".")
    return all(0 < len(label) <= 63 and all(c.isalnum() or c in "-_" for c in label) for label in labels)


def _host_listed(host: str, patterns: Iterable[str]) -> bool:
    host = host.lower().rstrip(".")
    for pattern in patterns:
        pattern = pattern.strip().lower().rstrip(".")
        if pattern == host or (pattern.startswith("*.") and host.endswith(pattern[1:])):
            return True
    return False


# -- the deadline watchdog -------------------------------------------------------------------
class _Deadline:
    """Closes the sockets of one request when it goes past its deadline."""

    _current = threading.local()

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.expired = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer: threading.Timer | None = None

    def __enter__(self) -> _Deadline:
        self._outer = getattr(_Deadline._current, "value", None)
        _Deadline._current.value = self
        if self.seconds > 0:
            self._timer = threading.Timer(self.seconds, self._expire)
            self._timer.daemon = True
            self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
            self._sockets.clear()
        _Deadline._current.value = self._outer

    def error(self) -> DeadlineError:
        return DeadlineError(f"the request took longer than {self.seconds:g} s in all (setting http_deadline); "
                             "the server sends too slowly")

    def watch(self, sock: socket.socket | None) -> None:
        if sock is not None:
            with self._lock:
                if self.expired:
                    _shut(sock)
                self._sockets.append(sock)

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            for sock in self._sockets:
                _shut(sock)

    @classmethod
    def watch_current(cls, sock: socket.socket | None) -> None:
        current = getattr(cls._current, "value", None)
        if current is not None:
            current.watch(sock)


def _shut(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass


# -- connections that check the address they connect to --------------------------------------
def _guarded(base: type[HTTPConnection], outbound: Outbound) -> type[HTTPConnection]:
    class Guarded(base):  # type: ignore[misc, valid-type]
        def _new_conn(self) -> socket.socket:
            try:
                infos = socket.getaddrinfo(self._dns_host, self.port, type=socket.SOCK_STREAM)
            except socket.gaierror as exc:
                raise NameResolutionError(self.host, self, exc) from exc
            refused: list[str] = []
            failure: OSError | None = None
            for _family, _type, _proto, _name, sockaddr in infos:
                address = str(sockaddr[0])
                if not outbound.address_allowed(address):
                    refused.append(address)
                    continue
                try:
                    sock = connection.create_connection((address, self.port), self.timeout,
                                                        source_address=self.source_address,
                                                        socket_options=self.socket_options)
                except TimeoutError as exc:
                    raise ConnectTimeoutError(self, f"Connection to {self.host} timed out. "
                                                    f"(connect timeout={self.timeout})") from exc
                except OSError as exc:
                    failure = exc
                    continue
                peer = str(sock.getpeername()[0])
                if not outbound.address_allowed(peer):  # never expected: the address was checked
                    sock.close()
                    refused.append(peer)
                    continue
                _Deadline.watch_current(sock)
                return sock
            if failure is not None:
                raise NewConnectionError(self, f"Failed to establish a new connection: {failure}")
            raise BlockedAddressError(
                f"refused to connect: {self.host} resolves to {', '.join(sorted(set(refused)))}, on a loopback, "
                "private, link-local or otherwise internal network",
                hint="oogst fetches there only when the operator allows that range (setting allowed_private_networks)")

        def request(self, *args: Any, **kwargs: Any) -> None:  # a reused connection: watch it too
            _Deadline.watch_current(self.sock)
            super().request(*args, **kwargs)

    Guarded.__name__ = f"Guarded{base.__name__}"
    return Guarded


class GuardedAdapter(HTTPAdapter):
    """A transport adapter whose connections check the address they connect to."""

    def __init__(self, outbound: Outbound, **kwargs: Any) -> None:
        self.outbound = outbound
        super().__init__(**kwargs)

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        http = type("GuardedHTTPPool", (HTTPConnectionPool,), {"ConnectionCls": _guarded(HTTPConnection, self.outbound)})
        https = type("GuardedHTTPSPool", (HTTPSConnectionPool,),
                     {"ConnectionCls": _guarded(HTTPSConnection, self.outbound)})
        self.poolmanager.pool_classes_by_scheme = {"http": http, "https": https}
        self.poolmanager.key_fn_by_scheme = dict(self.poolmanager.key_fn_by_scheme)

    def proxy_manager_for(self, proxy: str, **kwargs: Any) -> Any:
        raise BlockedAddressError("oogst does not fetch partners' data through a proxy (the address check needs "
                                  "the partner's own address)", url=proxy)


def guarded_session(outbound: Outbound, session: requests.Session | None = None) -> requests.Session:
    """``session`` (or a new one) with the policy's adapters, redirect check and no proxies."""
    session = session or requests.Session()
    session.trust_env = False
    session.max_redirects = 10
    adapter = GuardedAdapter(outbound)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    session.headers["Accept-Encoding"] = "gzip, deflate"  # the encodings fetch() inflates itself

    def check_redirect(resp: requests.Response, *args: Any, **kwargs: Any) -> requests.Response:
        if not resp.is_redirect:
            return resp
        target = urljoin(resp.url, resp.headers.get("Location", ""))
        problem = outbound.redirect_problem(resp.url, target)
        _drain(resp)
        if problem:
            raise BlockedAddressError(
                f"the server redirects to {shown_url(target)}, which oogst does not follow: {problem}",
                url=shown_url(resp.url), hint="if the feed moved, give its new address: `oogst feeds edit NAME --url …`")
        return resp

    session.hooks["response"].append(check_redirect)
    return session


def _drain(resp: requests.Response) -> None:
    """Read a redirect's body (a little of it: more closes the connection)."""
    try:
        data = resp.raw.read(MAX_REDIRECT_BODY + 1, decode_content=False)
        if len(data) > MAX_REDIRECT_BODY:
            resp.raw.close()
    except Exception:  # noqa: BLE001 - a broken redirect body is dropped with its connection
        resp.raw.close()
    resp._content = b""
    resp._content_consumed = True


def fetch(session: requests.Session, url: str, outbound: Outbound, *, params: dict[str, str] | None = None,
          headers: dict[str, str] | None = None, timeout: tuple[float, float] | None = None,
          max_bytes: int | None = None, feed: str | None = None, into: BinaryIO | None = None,
          deadline: float | None = None) -> requests.Response:
    """One GET under the policy: the URL checked, the addresses checked when connecting, the
    redirects checked, the body read within the limits, the whole within the deadline
    (:class:`DeadlineError`, a ``requests.Timeout``, when it is not). ``deadline``: a shorter
    one for this request (e.g. what is left of a run's own deadline)."""
    outbound.check_url(url, feed=feed)
    seconds = outbound.deadline if deadline is None else min(deadline, outbound.deadline or deadline)
    with _Deadline(seconds) as deadline_guard:
        try:
            resp = session.get(url, params=params, headers=headers, timeout=timeout, stream=True)
            if into is None:
                limit, setting = outbound.max_response_bytes, "max_response_bytes"
            else:
                limit, setting = outbound.max_download_bytes, "max_download_bytes"
            resp._content = read_body(resp, limit, setting, max_bytes=max_bytes, feed=feed, into=into)
            resp._content_consumed = True
        except BlockedAddressError as exc:
            raise BlockedAddressError(exc.message, feed=feed, url=exc.url or shown_url(url), hint=exc.hint) from None
        except Exception as exc:
            if deadline_guard.expired and not isinstance(exc, FatalHarvestError):
                raise deadline_guard.error() from None
            raise
        if deadline_guard.expired:  # cut off, perhaps in its headers: what was read cannot be trusted
            resp.close()
            raise deadline_guard.error()
    return resp
