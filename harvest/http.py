"""HTTP for harvesters: one ``requests`` session, timeouts, retries and politeness.

- Connect and read timeouts apply to every request.
- Transient failures (connection errors, timeouts, 429, 5xx) are retried with exponential
  back-off and full jitter; ``Retry-After`` is honoured in both forms (seconds and HTTP date),
  capped by ``max_backoff``.
- Each host gets at most one request at a time, plus a configurable delay between requests
  (per client: the pipeline shares one client between its feeds).
- Permanent failures (other 4xx, a malformed URL) raise FatalHarvestError at once.
- ``retry_reasons`` counts the retries by kind ("HTTP 503", "timeout", "connection", …) so
  that a run's report can say what it had to overcome.
"""

from __future__ import annotations

import base64
import email.utils
import logging
import random
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, BinaryIO
from datetime import UTC, datetime
from urllib.parse import urlsplit

import requests
from urllib3.exceptions import DecodeError, ProtocolError, ReadTimeoutError

from ..errors import FatalHarvestError, TransientHarvestError
from ..records import origin
from .policy import Outbound, fetch, guarded_session

log = logging.getLogger(__name__)

RETRY_STATUS = {408, 425, 429, 500, 502, 503, 504}


@dataclass(frozen=True)
class HttpPolicy:
    connect_timeout: float = 10.0
    read_timeout: float = 60.0
    retries: int = 5
    backoff: float = 1.0
    max_backoff: float = 120.0
    delay: float = 0.0
    user_agent: str = "oogst/0.1"
    outbound: Outbound = field(default_factory=Outbound)  # what may be fetched, and how much (policy.py)

    @classmethod
    def from_settings(cls, settings) -> HttpPolicy:
        return cls(
            connect_timeout=settings.http_connect_timeout,
            read_timeout=settings.http_read_timeout,
            retries=settings.http_retries,
            backoff=settings.http_backoff,
            max_backoff=settings.http_max_backoff,
            delay=settings.http_delay,
            user_agent=settings.user_agent,
            outbound=Outbound.from_settings(settings),
        )


def parse_http_date(value: str | None) -> datetime | None:
    """An HTTP date (``Fri, 01 Mar 2024 10:00:00 GMT``) as an aware datetime; None when unparsable."""
    if not value:
        return None
    try:
        when = email.utils.parsedate_to_datetime(value.strip())
    except (TypeError, ValueError):
        return None
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header: delta-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    when = parse_http_date(value)
    if when is None:
        return None
    current = datetime.fromtimestamp(now if now is not None else time.time(), UTC)
    return max(0.0, (when - current).total_seconds())


class _HostGate:
    """One request at a time per host, with a pause between requests."""

    def __init__(self) -> None:
        self._locks: dict[str, threading.Lock] = {}
        self._last: dict[str, float] = {}
        self._guard = threading.Lock()

    def lock(self, host: str) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(host, threading.Lock())

    def wait(self, host: str, delay: float) -> None:
        last = self._last.get(host)
        if last is not None and delay > 0:
            pause = last + delay - time.monotonic()
            if pause > 0:
                time.sleep(pause)

    def done(self, host: str) -> None:
        self._last[host] = time.monotonic()


class HttpClient:
    """A polite, retrying HTTP client. Tests point it at a local server."""

    def __init__(self, policy: HttpPolicy | None = None, session: requests.Session | None = None,
                 sleep=time.sleep, gate=None) -> None:
        """``gate``: one request at a time per host across processes (``lock``, ``wait`` and
        ``done`` like :class:`_HostGate`, e.g. the workers' Redis lease); else within this one."""
        self.policy = policy or HttpPolicy()
        self.session = guarded_session(self.policy.outbound, session)
        self.session.headers.setdefault("User-Agent", self.policy.user_agent)
        self._sleep = sleep
        self._gate = gate or _HostGate()
        self.requests_made = 0
        self.retries_made = 0
        self.retry_reasons: Counter[str] = Counter()
        self.on_retry: Callable[[str, str | None], None] | None = None  # (kind, feed): the metrics' counter
        # feed → (time.monotonic() deadline, seconds): a run's deadline (pipeline/night.py sets it).
        # Requests of that feed wait, connect and read no longer than what is left, then fail.
        self.deadlines: dict[str, tuple[float, float]] = {}
        # feed → (origin, user name, password): HTTP Basic credentials, kept apart from the feed's
        # URL; sent only with that feed's requests to its own origin (scheme, host and port)
        self.credentials: dict[str, tuple[str, str, str]] = {}

    def _left(self, feed: str | None, url: str) -> float | None:
        """Seconds left before the run of ``feed`` passes its deadline (None: no deadline)."""
        limit = self.deadlines.get(feed) if feed else None
        if limit is None:
            return None
        left = limit[0] - time.monotonic()
        if left <= 0:
            raise FatalHarvestError(
                f"the run passed its deadline of {limit[1]:g} s", feed=feed, url=url,
                hint="the partner's server is slow or does not answer; the next run carries on from the last "
                     "checkpoint. Raise the setting run_deadline (or `oogst harvest --deadline`) if it needs longer")
        return left

    def get(self, url: str, params: dict[str, str] | None = None, *, feed: str | None = None,
            headers: dict[str, str] | None = None, max_bytes: int | None = None,
            into: BinaryIO | None = None) -> requests.Response:
        """GET ``url`` politely; ``max_bytes`` reads only the first bytes of the body (the media
        check: a server that ignores ``Range`` does not send a whole file) and closes the connection;
        ``into`` receives the body instead of the response (a dump; rewound on a retry)."""
        p = self.policy
        host = urlsplit(url).netloc
        secret = self.credentials.get(feed) if feed else None
        if secret is not None and secret[0] == origin(url):
            token = base64.b64encode(f"{secret[1]}:{secret[2]}".encode()).decode("ascii")
            headers = {**(headers or {}), "Authorization": f"Basic {token}"}  # dropped on a redirect elsewhere
        attempt = 0
        while True:
            attempt += 1
            problem: TransientHarvestError
            left = self._left(feed, url)
            gate = self._gate.lock(host)
            if not gate.acquire(timeout=-1 if left is None else left):
                self._left(feed, url)  # another feed's request to this host took the time: raises
                continue
            try:
                self._gate.wait(host, p.delay)
                left = self._left(feed, url)
                try:
                    self.requests_made += 1
                    # the outbound policy: URL, addresses, redirects, size and deadline (policy.py),
                    # within what is left of the run's deadline; urllib3 raises if the body breaks
                    # off before Content-Length
                    if into is not None:
                        into.seek(0)
                        into.truncate()
                    resp = fetch(self.session, url, p.outbound, params=params, headers=headers,
                                 timeout=(p.connect_timeout, p.read_timeout) if left is None else
                                 (min(p.connect_timeout, left), min(p.read_timeout, left)),
                                 max_bytes=max_bytes, feed=feed, into=into, deadline=left)
                except (requests.Timeout, ReadTimeoutError) as exc:
                    problem = TransientHarvestError(f"timed out: {exc}", feed=feed, url=url)
                    kind = "timeout"
                except (requests.ConnectionError, ProtocolError, DecodeError) as exc:
                    # refused, reset, or the body broke off before its announced length
                    problem = TransientHarvestError(f"cannot connect: {exc}", feed=feed, url=url)
                    kind = "connection"
                except requests.RequestException as exc:
                    raise FatalHarvestError(f"cannot request {url!r}: {exc}", feed=feed, url=url,
                                            hint="check the feed's URL (`oogst feeds show`)") from exc
                else:
                    if resp.status_code < 400:
                        return resp
                    if resp.status_code not in RETRY_STATUS:
                        raise FatalHarvestError(
                            f"HTTP {resp.status_code} {resp.reason}", feed=feed, url=resp.url,
                            hint="check the feed's URL and parameters (`oogst feeds show`)")
                    problem = TransientHarvestError(
                        f"HTTP {resp.status_code} {resp.reason}", feed=feed, url=resp.url,
                        retry_after=parse_retry_after(resp.headers.get("Retry-After")))
                    kind = f"HTTP {resp.status_code}"
                finally:
                    self._gate.done(host)
            finally:
                gate.release()
            if attempt >= p.retries:
                raise problem
            wait = min(p.max_backoff, p.backoff * 2 ** (attempt - 1))
            wait = random.uniform(0, wait)  # full jitter
            if problem.retry_after is not None:
                wait = min(p.max_backoff, max(wait, problem.retry_after))
            self.retries_made += 1
            self.retry_reasons[kind] += 1
            self._count_retry(kind, feed)
            left = self._left(feed, url)
            if left is not None:
                wait = min(wait, left)
            log.info("retry %d/%d for %s in %.1fs: %s", attempt, p.retries - 1, url, wait, problem.message)
            self._sleep(wait)

    def _count_retry(self, kind: str, feed: str | None) -> None:
        """Tell the metrics (``on_retry``) about a retry; a failing counter never stops a harvest."""
        if self.on_retry is not None:
            try:
                self.on_retry(kind, feed)
            except Exception:  # noqa: BLE001
                log.debug("the retry counter failed", exc_info=True)

    def post_json(self, url: str, data: Any, *, timeout: float = 10.0, feed: str | None = None) -> requests.Response:
        """POST ``data`` as JSON (an alert's webhook): one attempt, within ``timeout``; any
        answer other than 2xx is a FatalHarvestError, a network failure a TransientHarvestError."""
        try:
            resp = self.session.post(url, json=data, timeout=(min(timeout, self.policy.connect_timeout), timeout))
        except requests.Timeout as exc:
            raise TransientHarvestError("timed out", feed=feed, url=url) from exc
        except requests.RequestException as exc:
            raise TransientHarvestError(f"cannot post: {type(exc).__name__}", feed=feed, url=url) from exc
        if not 200 <= resp.status_code < 300:
            raise FatalHarvestError(f"HTTP {resp.status_code} {resp.reason}", feed=feed, url=url)
        return resp
