"""Partner limits: a response body read within a size limit, decompressed by oogst itself in
bounded steps (a gzip bomb costs a few MB, not gigabytes), and how big one record may be
before it is mapped and validated (:class:`RecordLimits`). The outbound policy (``policy.py``)
reads every body with :func:`read_body`; the pipeline checks every record with
:class:`RecordLimits` and quarantines one over a limit.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from io import BytesIO
from typing import Any, BinaryIO
from urllib.parse import urlsplit

import requests
from lxml import etree

from ..errors import FatalHarvestError

CHUNK = 64 * 1024  # most bytes one inflate step makes
READ = 256 * 1024  # bytes asked from the socket at a time


class ResponseTooLargeError(FatalHarvestError):
    """A response body past ``max_response_bytes`` (after decompression)."""


# -- reading a body within the limits -----------------------------------------------------------
class _Inflater:
    """gzip/deflate decoding in bounded steps: each step makes at most CHUNK bytes."""

    def __init__(self, encoding: str) -> None:
        self.encoding = encoding
        self._new()
        self._first = True

    def _new(self) -> None:
        wbits = 16 + zlib.MAX_WBITS if self.encoding in ("gzip", "x-gzip") else zlib.MAX_WBITS
        self._obj = zlib.decompressobj(wbits)

    def feed(self, data: bytes) -> Iterator[bytes]:
        while data:
            try:
                piece = self._obj.decompress(data, CHUNK)
            except zlib.error:
                if not (self._first and self.encoding == "deflate"):
                    raise
                self._obj = zlib.decompressobj(-zlib.MAX_WBITS)  # raw deflate, as some servers send
                self._first = False
                continue
            self._first = False
            if piece:
                yield piece
            if self._obj.eof and self._obj.unused_data:  # another gzip member
                data = self._obj.unused_data
                self._new()
            else:
                data = self._obj.unconsumed_tail


def _decode(chunks: Iterable[bytes], encodings: list[str]) -> Iterator[bytes]:
    for encoding in reversed(encodings):  # the last one applied is undone first
        if encoding in ("gzip", "x-gzip", "deflate"):
            chunks = _inflated(chunks, _Inflater(encoding))
    return iter(chunks)


def _inflated(chunks: Iterable[bytes], inflater: _Inflater) -> Iterator[bytes]:
    for chunk in chunks:
        yield from inflater.feed(chunk)


def read_body(resp: requests.Response, limit: int, setting: str, *, max_bytes: int | None = None,
              feed: str | None = None, into: BinaryIO | None = None) -> bytes:
    """The response's body, decoded, within ``limit`` bytes (0: none; ``setting`` names it in
    the message); ``max_bytes`` keeps only the first bytes (the media check) and closes the
    connection. ``into``: write the body there instead (a dump) and return nothing."""
    written = 0
    encodings = [e.strip().lower() for e in resp.headers.get("Content-Encoding", "").split(",") if e.strip()]
    declared = resp.headers.get("Content-Length", "")
    if max_bytes is None and not encodings and declared.isdigit() and limit and int(declared) > limit:
        resp.close()
        raise _too_large(resp, f"announces {int(declared):,} bytes", limit, feed, setting)
    out = bytearray()
    try:
        for piece in _decode(resp.raw.stream(READ, decode_content=False), encodings):
            if into is not None:
                into.write(piece)
                written += len(piece)
            else:
                out += piece
            if max_bytes is not None and len(out) >= max_bytes:
                del out[max_bytes:]
                break
            if limit and max(written, len(out)) > limit:
                raise _too_large(resp, f"is over {limit:,} bytes" + (" once decompressed" if encodings else ""),
                                 limit, feed, setting)
    except zlib.error as exc:
        resp.close()
        raise FatalHarvestError(f"the response's {', '.join(encodings)} encoding is damaged: {exc}", feed=feed,
                                url=shown_url(resp.url)) from None
    except ResponseTooLargeError:
        resp.close()
        raise
    if max_bytes is not None:
        resp.close()
    return bytes(out)


def _too_large(resp: requests.Response, what: str, limit: int, feed: str | None,
               setting: str = "max_response_bytes") -> ResponseTooLargeError:
    return ResponseTooLargeError(
        f"the response {what}, more than oogst reads from one request ({limit:,} bytes)", feed=feed,
        url=shown_url(resp.url), hint=f"ask the partner for smaller pages or files, or raise the setting {setting}")


# -- what one record may be -------------------------------------------------------------------
@dataclass(frozen=True)
class RecordLimits:
    """How big one partner record may be: its bytes and elements before mapping, its triples
    before SHACL validation (the engines' time and memory grow with the graph). A record over
    a limit is quarantined with the message; the run goes on."""

    max_bytes: int = 16 * 1024 * 1024
    max_elements: int = 10_000
    max_triples: int = 20_000

    @classmethod
    def from_settings(cls, settings: Any) -> RecordLimits:
        return cls(settings.max_record_bytes, settings.max_record_elements, settings.max_record_triples)

    def problem(self, payload: bytes, media_type: str = "application/xml") -> str | None:
        """Why a record is too big to map, in words; None when it is not."""
        return self.size_problem(payload) or self.elements_problem(payload, media_type)

    def size_problem(self, payload: bytes) -> str | None:
        size = len(payload)
        if self.max_bytes and size > self.max_bytes:
            return (f"the record is {size:,} bytes, more than oogst maps (max_record_bytes = {self.max_bytes:,}): "
                    "ask the partner to split it (one object per record), or raise the setting")
        return None

    def elements_problem(self, payload: bytes, media_type: str = "application/xml") -> str | None:
        if not self.max_elements:
            return None
        is_json = "json" in media_type
        if is_json:
            count = payload.count(b"{") + payload.count(b"[")  # an upper bound: brackets in strings count too
        else:  # start tags, an upper bound: '<' in comments and CDATA count too
            count = payload.count(b"<")  # one fast scan; most records stop here
            if count > self.max_elements:  # less the end tags, declarations, comments and CDATA
                count -= payload.count(b"</") + payload.count(b"<?") + payload.count(b"<!")
        if count > self.max_elements and not is_json:
            count = _elements(payload, self.max_elements)
        if count > self.max_elements:
            what = "JSON objects and arrays" if is_json else "XML elements"
            return (f"the record has more than {self.max_elements:,} {what} ({count:,}{' or so' if is_json else ''}; "
                    f"max_record_elements), more than oogst maps and validates in reasonable time and memory: ask "
                    "the partner to split it (one object per record, long lists as separate records), or raise "
                    "the setting")
        return None

    def triples_problem(self, ntriples: str) -> str | None:
        """Why a mapped record is too big to validate; None when it is not."""
        if not self.max_triples:
            return None
        count = ntriples.count("\n")
        if count > self.max_triples:
            return (f"the record maps to {count:,} triples, more than oogst validates for one record "
                    f"(max_record_triples = {self.max_triples:,}): ask the partner to split it, or raise the setting")
        return None


def _elements(payload: bytes, limit: int) -> int:
    """The XML elements of ``payload``, counted up to just past ``limit`` (then it stops)."""
    count = 0
    try:
        for _event, _el in etree.iterparse(BytesIO(payload), events=("start",), resolve_entities=False,
                                           no_network=True, huge_tree=True, load_dtd=False):
            count += 1
            if count > limit:
                break
    except etree.XMLSyntaxError:
        pass  # the mapper reports what is wrong with it
    return count


def shown_url(url: str) -> str:
    """A URL as it may be shown: without a user name or password."""
    try:
        parts = urlsplit(url)
        if "@" in parts.netloc:
            return parts._replace(netloc=parts.netloc.rsplit("@", 1)[1]).geturl()
    except ValueError:
        pass
    return url[:300]
