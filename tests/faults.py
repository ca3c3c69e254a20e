"""Fault factories for the partner simulator (``PartnerSimulator.inject``).

Each factory returns a :data:`oogst.devtools.simulator.Fault`: ``(verb, args, page) -> (status,
headers, body) | None``. "Page n" counts the ListRecords responses a fault has seen, the
first one included (1-based), so that a fault can hit the middle of a feed. Faults with a
``times`` limit stop after that many hits; the others keep hitting.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from email.utils import formatdate

from oogst.devtools.simulator import Fault

OAI_NS = "http://www.openarchives.org/OAI/2.0/"
XML = {"Content-Type": "text/xml; charset=utf-8"}

Answer = tuple[int, dict[str, str], bytes]


class _Pages:
    """Counts the ListRecords responses (thread-safe)."""

    def __init__(self) -> None:
        self.n = 0
        self._lock = threading.Lock()

    def next(self, verb: str | None) -> int:
        if verb != "ListRecords":
            return 0
        with self._lock:
            self.n += 1
            return self.n


def _limited(times: int | None, hit: Callable[[str | None, dict[str, str], bytes], Answer | None]) -> Fault:
    left = [times]
    lock = threading.Lock()

    def fault(verb: str | None, args: dict[str, str], page: bytes) -> Answer | None:
        with lock:  # take a hit before hitting: a slow hit must not let the retry through it too
            if left[0] == 0:
                return None
            if left[0] is not None:
                left[0] -= 1
        answer = hit(verb, args, page)  # a raising hit (a dropped connection) keeps its count
        if answer is None and left[0] is not None:  # did not apply: give the hit back
            with lock:
                left[0] += 1
        return answer

    return fault


# -- HTTP ---------------------------------------------------------------------------------------
def unavailable(times: int = 1, *, status: int = 503, retry_after: str | float | None = "1",
                http_date: bool = False, verb: str = "ListRecords") -> Fault:
    """``status`` for the first ``times`` requests of ``verb``, with ``Retry-After`` in seconds, or
    (``http_date``) as an HTTP date that many seconds ahead."""

    def hit(v: str | None, args: dict[str, str], page: bytes) -> Answer | None:
        if v != verb:
            return None
        headers = {"Content-Type": "text/plain"}
        if retry_after is not None:
            headers["Retry-After"] = (formatdate(time.time() + float(retry_after), usegmt=True) if http_date
                                      else str(retry_after))
        return status, headers, b"temporarily unavailable"

    return _limited(times, hit)


def slow(seconds: float, *, times: int | None = None, verb: str = "ListRecords") -> Fault:
    """Wait ``seconds`` before answering ``verb`` (a read timeout when longer than the client's)."""

    def hit(v: str | None, args: dict[str, str], page: bytes) -> Answer | None:
        if v == verb:
            time.sleep(seconds)
            return 200, XML, page
        return None

    return _limited(times, hit)


def drop_connection(times: int = 1, *, verb: str = "ListRecords") -> Fault:
    """Close the connection without an answer."""

    def hit(v: str | None, args: dict[str, str], page: bytes) -> Answer | None:
        if v == verb:
            raise ConnectionResetError("simulated")
        return None

    return _limited(times, hit)


# -- OAI-PMH errors -----------------------------------------------------------------------------
def error_document(code: str, message: str = "", *, prolog: bool = False) -> bytes:
    """An OAI-PMH error response; ``prolog``: a leading blank line and a stylesheet PI, as a
    real server sends them (see the corpus' metis_psnc_error_cannotDisseminateFormat.xml)."""
    head = b"\n" if prolog else b""
    head += b'<?xml version="1.0" encoding="utf-8"?>\n'
    if prolog:
        head += b'<?xml-stylesheet type="text/xsl" href="http://example.org/oai-style.xsl"?>\n'
    return head + (f'<OAI-PMH xmlns="{OAI_NS}">\n<responseDate>{time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}'
                   f'</responseDate>\n<request>http://example.org/oai</request>\n'
                   f'<error code="{code}">{message}</error>\n</OAI-PMH>\n\t').encode()


def oai_error(code: str, message: str = "", *, verb: str = "ListRecords", with_token: bool | None = None,
              times: int | None = 1, prolog: bool = True) -> Fault:
    """Answer ``verb`` with error ``code``; ``with_token``: only requests that carry (True) or do
    not carry (False) a resumption token."""

    def hit(v: str | None, args: dict[str, str], page: bytes) -> Answer | None:
        if v != verb or (with_token is not None and ("resumptionToken" in args) != with_token):
            return None
        return 200, XML, error_document(code, message, prolog=prolog)

    return _limited(times, hit)


def serve(body: bytes, *, verb: str = "ListRecords", times: int | None = 1) -> Fault:
    """Answer ``verb`` with ``body`` as it is (e.g. a corpus file)."""
    return _limited(times, lambda v, args, page: (200, XML, body) if v == verb else None)


# -- damaged pages ------------------------------------------------------------------------------
def corrupt_record(identifier: str, junk: bytes = b"\x0b") -> Fault:
    """Put ``junk`` (an invalid XML character by default) into the metadata of one record,
    wherever it is served."""
    marker = f"<identifier>{identifier}</identifier>".encode()

    def fault(verb: str | None, args: dict[str, str], page: bytes) -> Answer | None:
        at = page.find(marker)
        if at < 0:
            return None
        meta = page.find(b"<metadata>", at)
        inside = page.find(b">", page.find(b"<", meta + len(b"<metadata>"))) + 1
        return 200, XML, page[:inside] + junk + page[inside:]

    return fault


def truncate_page(on_page: int = 2, *, keep_records: int = 2) -> Fault:
    """Cut ListRecords page ``on_page`` in the middle of its record number ``keep_records + 1``
    (so the page's resumption token is lost as well). Asked again, it is cut again."""
    pages = _Pages()
    seen_token: list[str | None] = []

    def fault(verb: str | None, args: dict[str, str], page: bytes) -> Answer | None:
        if verb != "ListRecords":
            return None
        token = args.get("resumptionToken")
        if token in seen_token:  # the same page asked again: damaged again
            n = on_page
        else:
            n = pages.next(verb)
            if n == on_page:
                seen_token.append(token)
        if n != on_page:
            return None
        starts = [m.start() for m in re.finditer(rb"<record[ >]", page)]
        cut = starts[keep_records] + (starts[keep_records + 1] - starts[keep_records]) // 2 \
            if len(starts) > keep_records + 1 else starts[-1] + 40
        return 200, XML, page[:cut]

    return fault


def yyyymmdd_datestamps() -> Fault:
    """Datestamps as ``YYYYMMDD`` (some servers do that) in every answer."""

    def fault(verb: str | None, args: dict[str, str], page: bytes) -> Answer | None:
        if b"<datestamp>" not in page:
            return None
        return 200, XML, re.sub(rb"<datestamp>(\d{4})-(\d{2})-(\d{2})[^<]*</datestamp>",
                                rb"<datestamp>\1\2\3</datestamp>", page)

    return fault


def complete_list_size(value: str | None) -> Fault:
    """``completeListSize="value"`` on every resumption token; None removes the attribute."""
    replacement = b"" if value is None else f' completeListSize="{value}"'.encode()

    def fault(verb: str | None, args: dict[str, str], page: bytes) -> Answer | None:
        if b"completeListSize" not in page:
            return None
        return 200, XML, re.sub(rb' completeListSize="[^"]*"', replacement, page)

    return fault


# -- broken token chains ------------------------------------------------------------------------
def token_loop(on_page: int = 2) -> Fault:
    """From ListRecords page ``on_page`` on, every page carries the token it was asked with."""
    pages = _Pages()

    def fault(verb: str | None, args: dict[str, str], page: bytes) -> Answer | None:
        n = pages.next(verb)
        token = args.get("resumptionToken")
        if n < on_page or not token:
            return None
        return 200, XML, re.sub(rb"(<resumptionToken[^>]*>)[^<]*(</resumptionToken>)",
                                lambda m: m.group(1) + token.encode() + m.group(2), page)

    return fault


def duplicate_record(from_page: int = 1, to_page: int = 3) -> Fault:
    """Serve the first record of ListRecords page ``from_page`` again at the start of page ``to_page``."""
    pages = _Pages()
    kept: list[bytes] = []

    def fault(verb: str | None, args: dict[str, str], page: bytes) -> Answer | None:
        n = pages.next(verb)
        if n == from_page:
            match = re.search(rb"<record[ >].*?</record>", page, re.DOTALL)
            kept.append(match.group())
        if n == to_page and kept:
            at = page.index(b"<ListRecords>") + len(b"<ListRecords>")
            return 200, XML, page[:at] + kept[0] + page[at:]
        return None

    return fault


def empty_page_with_token(on_page: int = 2) -> Fault:
    """Put an empty page with a token of its own before ListRecords page ``on_page``; that token
    then leads to the real page."""
    pages = _Pages()
    held: dict[str, bytes] = {}

    def fault(verb: str | None, args: dict[str, str], page: bytes) -> Answer | None:
        token = args.get("resumptionToken", "")
        if verb == "ListRecords" and token.startswith("empty~"):
            return 200, XML, held[token]
        if pages.next(verb) != on_page:
            return None
        detour = f"empty~{token}"
        held[detour] = page
        empty = re.sub(rb"<ListRecords>.*</ListRecords>",
                       f'<ListRecords><resumptionToken cursor="0">{detour}</resumptionToken></ListRecords>'.encode(),
                       page, flags=re.DOTALL)
        return 200, XML, empty

    return fault


# -- harvesting under test, and what a harvest left behind ---------------------------------------
RUN_SPECIFIC = {"http://www.w3.org/ns/prov#wasGeneratedBy", "http://purl.org/dc/terms/modified"}


def make_app(data_dir, *, waits: list[float] | None = None, retries: int = 4, read_timeout: float = 5.0,
             **settings):
    """An :class:`Oogst` on ``data_dir`` whose HTTP client retries fast and records its
    back-off waits in ``waits`` instead of sleeping."""
    from oogst.harvest.http import HttpClient, HttpPolicy
    from oogst.pipeline import Oogst
    from oogst.settings import Settings

    policy = HttpPolicy(connect_timeout=2.0, read_timeout=read_timeout, retries=retries, backoff=0.01,
                        max_backoff=120.0)
    sink = waits if waits is not None else []
    return Oogst(Settings(data_dir=data_dir, **settings), http=HttpClient(policy, sleep=sink.append))


def record_states(app, feed: str) -> dict[str, tuple[str, bool]]:
    """source id → (state, published) of every record the feed has delivered."""
    rows = app.state.list_records(state=None, feed=feed, limit=1_000_000)
    return {r["source_id"]: (r["state"], r["published"]) for r in rows}


def store_graphs(app, ignore: frozenset[str] = frozenset()) -> dict[str, frozenset[tuple[str, str, str]]]:
    """graph IRI → its triples, without the run-specific provenance (and ``ignore`` predicates)."""
    import json

    body = app.query("SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }").body
    graphs: dict[str, set[tuple[str, str, str]]] = {}
    skip = RUN_SPECIFIC | ignore
    for b in json.loads(body)["results"]["bindings"]:
        if b["p"]["value"] in skip:
            continue
        o = b["o"]
        term = (o["type"], o["value"], o.get("xml:lang", ""), o.get("datatype", ""))
        graphs.setdefault(b["g"]["value"], set()).add((b["s"]["value"], b["p"]["value"], repr(term)))
    return {g: frozenset(t) for g, t in graphs.items()}


def note_codes(summary) -> list[str]:
    return [n["code"] for n in summary.notes]
