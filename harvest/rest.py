"""Declarative harvesting of paged JSON APIs: the feed's configuration says where things are.

Every partner API differs only in where the records, ids, dates and paging links are, so those
come from the feed's options (``Feed.options``), never from code per partner::

    oogst feeds add museum-api --protocol json-api --url 'https://api.example.org/objects?type=object' \\
        --format oslo-jsonld --option records_path=data.items --option id_path=id \\
        --option modified_path=meta.modified --option paging=cursor --option cursor_path=meta.next \\
        --option since_param=modified_since

Paths use a small JSONPath-like syntax (:class:`JsonPath`): ``data.items``, ``$.results[0].id``,
``["dcterms:isVersionOf"]`` (brackets for keys holding dots or colons).

Paging (``paging``):

- ``next``: the next page's URL is at ``next_path`` in the page (absolute or relative), or in
  the ``Link: <…>; rel="next"`` header when ``next_path`` is not set;
- ``page``: ``page_param`` (default ``page``) counts up from ``page_start`` (default 1);
- ``offset``: ``offset_param`` (default ``offset``) grows by the number of records received;
- ``cursor``: ``cursor_param`` (default ``cursor``) takes the value at ``cursor_path``;
- ``none``: one request.

``page`` and ``offset`` stop at an empty page, or at a short one when ``page_size`` is set
(sent as ``size_param``, default ``limit``). Each checkpoint's token is the URL of the next
request, so an interrupted run resumes there. Incremental runs send the window's lower bound
as ``since_param`` (ISO 8601); the next window starts at the server's ``Date`` of the first
page. Each record's payload is its JSON; a record without an id is kept verbatim as damaged.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import Callable, Iterator
from datetime import UTC
from typing import Any, ClassVar
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import requests

from ..errors import ConfigError, FatalHarvestError
from ..records import Checkpoint, Cursor, Feed, SourceRecord, WindowCursor
from .http import HttpClient, parse_http_date

log = logging.getLogger(__name__)

PAGING = ("next", "page", "offset", "cursor", "none")
_MISSING = object()
_STEP = re.compile(r"""\.?([^.\[\]"']+)|\[(-?\d+)\]|\["((?:[^"\\]|\\.)*)"\]|\['([^']*)'\]""")


class JsonPath:
    """A path into parsed JSON: dotted keys, ``[n]`` indexes and ``["quoted.key"]`` steps.

    An empty path or ``$`` is the value itself. ``get`` returns ``default`` when a step is
    missing; it never raises."""

    def __init__(self, text: str) -> None:
        self.text = text
        rest = text.strip().removeprefix("$")
        self.steps: list[str | int] = []
        pos = 0
        while pos < len(rest):
            m = _STEP.match(rest, pos)
            if m is None or m.end() == pos:
                raise ConfigError(f"the JSON path {text!r} cannot be read at {rest[pos:]!r}",
                                  hint='write e.g. data.items, $.results[0].id or ["dcterms:isVersionOf"]')
            key, index, quoted, single = m.groups()
            if index is not None:
                self.steps.append(int(index))
            elif quoted is not None:
                self.steps.append(json.loads(f'"{quoted}"'))
            else:
                self.steps.append(single if single is not None else key)
            pos = m.end()

    def get(self, value: Any, default: Any = None) -> Any:
        for step in self.steps:
            if (isinstance(step, int) and isinstance(value, list) and -len(value) <= step < len(value)) or (
                    isinstance(step, str) and isinstance(value, dict) and step in value):
                value = value[step]
            else:
                return default
        return value

    def __repr__(self) -> str:
        return f"JsonPath({self.text!r})"


def option_path(feed: Feed, key: str, default: str | None = None) -> JsonPath | None:
    """The feed option ``key`` as a :class:`JsonPath` (None when unset and no default)."""
    text = feed.options.get(key, default)
    if text is None:
        return None
    try:
        return JsonPath(str(text))
    except ConfigError as exc:
        raise ConfigError(f"option {key}: {exc.message}", feed=feed.name, hint=exc.hint) from None


def option_int(feed: Feed, key: str, default: int | None = None) -> int | None:
    value = feed.options.get(key, default)
    if value is None:
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ConfigError(f"option {key} = {value!r} is not a whole number", feed=feed.name,
                          hint=f"e.g. --option {key}=100") from None


def record_id(value: Any) -> str | None:
    """An id value as text: strings stripped, numbers as written, ``{"@id": …}`` unwrapped."""
    if isinstance(value, dict):
        value = value.get("@id")
    if isinstance(value, bool) or value is None or isinstance(value, (dict, list)):
        return None
    text = str(value).strip()
    return text or None


def json_record(feed: Feed, value: Any, id_path: JsonPath | None, modified_path: JsonPath | None,
                fallback_id: str, media_type: str) -> SourceRecord:
    """One JSON record; without an id (at ``id_path``) it is kept as damaged under a hash id."""
    payload = json.dumps(value, ensure_ascii=False).encode("utf-8")
    source_id = record_id(id_path.get(value)) if id_path else fallback_id
    modified = modified_path.get(value) if modified_path else None
    error = None
    if source_id is None:
        source_id = "sha256:" + hashlib.sha256(payload).hexdigest()[:16]
        error = (f"the record has no id at {id_path.text!r}: set --option id_path to the field that holds "
                 "the record's id")
    return SourceRecord(feed=feed.name, source_id=source_id,
                        datestamp=str(modified) if modified not in (None, "") else None,
                        payload=payload, format=feed.format, media_type=media_type, error=error)


class JsonApiHarvester:
    protocol: ClassVar[str] = "json-api"
    OPTIONS: ClassVar[dict[str, str]] = {
        "records_path": "where the list of records is in a page (default: the page itself)",
        "id_path": "where a record's id is (default: id)",
        "modified_path": "where a record's last-modified date is (its datestamp)",
        "paging": "next | page | offset | cursor | none (default: next)",
        "next_path": "paging=next: where the next page's URL is (default: the Link rel=next header)",
        "page_param": "paging=page: the page number parameter (default: page)",
        "page_start": "paging=page: the first page number (default: 1)",
        "offset_param": "paging=offset: the offset parameter (default: offset)",
        "cursor_param": "paging=cursor: the cursor parameter (default: cursor)",
        "cursor_path": "paging=cursor: where the next cursor is in a page",
        "page_size": "records per page, sent as size_param; a shorter page is the last",
        "size_param": "the page size parameter (default: limit)",
        "since_param": "parameter asking only for records changed since a date (incremental harvests)",
        "total_path": "where the total number of records is in a page (for the progress bar)",
    }

    Cursor: ClassVar[type[Cursor]] = WindowCursor

    def __init__(self, feed: Feed, http: HttpClient, *, contexts: object | None = None,
                 seen_in_run: Callable[[list[str]], set[str]] | None = None) -> None:
        self.feed = feed
        self.http = http
        cfg = feed.options
        self.paging = str(cfg.get("paging", "next"))
        if self.paging not in PAGING:
            raise ConfigError(f"option paging = {self.paging!r} is not one of {', '.join(PAGING)}", feed=feed.name)
        self.records_path = option_path(feed, "records_path", "")
        self.id_path = option_path(feed, "id_path", "id")
        self.modified_path = option_path(feed, "modified_path")
        self.next_path = option_path(feed, "next_path")
        self.cursor_path = option_path(feed, "cursor_path")
        self.total_path = option_path(feed, "total_path")
        if self.paging == "cursor" and self.cursor_path is None:
            raise ConfigError("paging=cursor needs --option cursor_path=… (where the next cursor is)", feed=feed.name)
        self.page_param = str(cfg.get("page_param", "page"))
        self.page_start = option_int(feed, "page_start", 1)
        self.offset_param = str(cfg.get("offset_param", "offset"))
        self.cursor_param = str(cfg.get("cursor_param", "cursor"))
        self.size_param = str(cfg.get("size_param", "limit"))
        self.page_size = option_int(feed, "page_size")
        self.since_param = cfg.get("since_param")

    def records(self, checkpoint: Checkpoint | None,
                cursor: Cursor | str | None) -> Iterator[SourceRecord | Checkpoint]:
        """Pages from the first URL (asking for what changed since the cursor's date, with
        ``since_param``) or from the checkpoint's page, each followed by a checkpoint."""
        window_from = cursor.since if isinstance(cursor, WindowCursor) else cursor or None
        if checkpoint is not None and checkpoint.token:
            url, window_from, response_date = checkpoint.token, checkpoint.window_from, checkpoint.response_date
        else:
            url, response_date = self._first_url(window_from), None
        seen: set[str] = set()
        while url:
            if url in seen:
                raise FatalHarvestError("the API sends the same page again (a paging loop)", feed=self.feed.name,
                                        url=url, hint="check the paging options (`oogst protocols`)")
            seen.add(url)
            resp = self.http.get(url, feed=self.feed.name)
            response_date = response_date or _iso_date(resp.headers.get("Date"))
            page = _json(resp, self.feed.name)
            items = self.records_path.get(page, _MISSING)
            if items is _MISSING:
                raise ConfigError(f"the page has nothing at records_path {self.records_path.text!r}",
                                  feed=self.feed.name, url=url, hint="set --option records_path=… to the list "
                                  "of records in a page (e.g. data.items)")
            items = [] if items is None else items if isinstance(items, list) else [items]
            for n, item in enumerate(items):
                yield json_record(self.feed, item, self.id_path, self.modified_path, f"{url}#{n}",
                                  "application/json")
            next_url = self._next_url(resp, page, len(items))
            total = self.total_path.get(page) if self.total_path else None
            yield Checkpoint(next_url, window_from, response_date, complete=next_url is None,
                             info={"completeListSize": total},
                             cursor=WindowCursor(response_date) if next_url is None and response_date else None)
            url = next_url

    def _first_url(self, window_from: str | None) -> str:
        params: dict[str, str] = {}
        if self.page_size:
            params[self.size_param] = str(self.page_size)
        if self.paging == "page":
            params[self.page_param] = str(self.page_start)
        if window_from:
            if self.since_param:
                params[str(self.since_param)] = window_from
            else:
                log.info("%s: no since_param option, so the whole list is read", self.feed.name)
        return _with_params(self.feed.url, params)

    def _next_url(self, resp: requests.Response, page: Any, count: int) -> str | None:
        url = resp.url
        last = count == 0 or (self.page_size is not None and count < self.page_size)
        if self.paging == "next":
            link = self.next_path.get(page) if self.next_path else resp.links.get("next", {}).get("url")
            return urljoin(url, link) if isinstance(link, str) and link else None
        if self.paging == "page":
            current = dict(parse_qsl(urlsplit(url).query)).get(self.page_param, str(self.page_start))
            return None if last else _with_params(url, {self.page_param: str(int(current) + 1)})
        if self.paging == "offset":
            current = dict(parse_qsl(urlsplit(url).query)).get(self.offset_param, "0")
            return None if last else _with_params(url, {self.offset_param: str(int(current) + count)})
        if self.paging == "cursor":
            cursor = self.cursor_path.get(page)
            return _with_params(url, {self.cursor_param: str(cursor)}) if cursor not in (None, "") and count else None
        return None


def _with_params(url: str, params: dict[str, str]) -> str:
    """``url`` with ``params`` set (replacing values of the same name, keeping the others)."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in params]
    return urlunsplit(parts._replace(query=urlencode([*query, *params.items()])))


def _json(resp: requests.Response, feed: str) -> Any:
    try:
        return json.loads(resp.content)
    except ValueError as exc:
        raise FatalHarvestError(
            f"the response is not JSON ({resp.headers.get('Content-Type', 'no content type')}): {exc}",
            feed=feed, url=resp.url) from exc


def _iso_date(http_date: str | None) -> str | None:
    """An HTTP ``Date`` header as ISO 8601 UTC (``2024-05-01T10:00:00Z``)."""
    when = parse_http_date(http_date)
    return None if when is None else when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
