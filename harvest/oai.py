"""OAI-PMH 2.0 harvesting: ``Identify``, ``ListMetadataFormats``, ``ListSets``, ``ListRecords``,
and ``ListIdentifiers`` + ``GetRecord`` as the fallback.

One run reads one *window* (``from`` = the previous run's server ``responseDate`` minus an
overlap, truncated to the granularity that ``Identify`` announces; no ``from`` in a full run)
page by page with the polite, retrying :class:`HttpClient`. After each page it yields the
page's records and then a :class:`Checkpoint` with the resumption token, so that the
pipeline can store the records before it saves the token. Memory holds one page.

Damaged pages. A page is first parsed strictly (fast, in C). When that fails, the page is
cut into its ``<record>`` spans at the byte level (any namespace prefix, nested ``record``
elements of other vocabularies counted) and every span is parsed on its own, in the
namespace context of the page: the good records come through unchanged (byte-identical to
what a clean page gives), a bad one is yielded verbatim with the parser's message in
``SourceRecord.error`` (the pipeline quarantines it and archives the bytes). lxml's
``recover=True`` is never used: it silently repairs. When the end of the page cannot be
trusted (truncated: the rest of the page and its resumption token are gone), the page is
asked once more; if it is still broken, the harvester switches the window to
``ListIdentifiers`` + ``GetRecord``, one record at a time, skipping what this run already
stored (``seen_in_run``, set by the pipeline). The same fallback handles a token loop.
Why both: byte-level splitting keeps every good record of a page whose end is intact, at
the cost of one page; the per-record fallback is slow, but it is the only way to reach the
records behind a page whose token is lost, and it isolates a record that breaks the
server's serialiser (the way Europeana's harvester works).

Other faults: ``noRecordsMatch`` is an empty success; ``badResumptionToken`` (an expired
token, e.g. on resume) restarts the window from its ``from`` (records already stored are
skipped by their unchanged hash); ``cannotDisseminateFormat``, ``badArgument``,
``noSetHierarchy`` and ``badVerb`` raise :class:`ConfigError` naming the feed, with the
formats or sets the server does offer; a repeated resumption token is a loop; an empty page
with a token is followed (up to ``MAX_EMPTY_PAGES`` in a row); a missing or non-numeric
``completeListSize`` is ignored; ``YYYYMMDD`` and other non-ISO datestamps are read as ISO
dates; an error response with a leading blank line or a stylesheet PI parses.

Everything noteworthy becomes a *note* (``{"code", "message", …}``) in the next
checkpoint's ``info["notes"]``; the pipeline keeps them in the run's report. Codes:
``identify``, ``deleted-records``, ``no-records-match``, ``damaged-page``, ``damaged-record``,
``unidentified-record``, ``truncated-page``, ``fallback``, ``token-expired``, ``token-loop``,
``empty-page``, ``complete-list-size``, ``datestamp``, ``record-vanished``.
"""

from __future__ import annotations

import hashlib
import html
import logging
import re
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

from lxml import etree

from ..errors import ConfigError, FatalHarvestError, HarvestError
from ..records import Checkpoint, Cursor, Feed, SourceRecord, WindowCursor
from .http import HttpClient

log = logging.getLogger(__name__)

OAI_NS = "http://www.openarchives.org/OAI/2.0/"
_O = f"{{{OAI_NS}}}"

DAY = "YYYY-MM-DD"
SECONDS = "YYYY-MM-DDThh:mm:ssZ"

# Errors that mean "the feed is configured wrong": retrying will not help.
CONFIG_ERRORS = {"cannotDisseminateFormat", "badArgument", "badVerb", "noSetHierarchy"}
MAX_RESTARTS = 3  # badResumptionToken restarts of one window, per run
MAX_EMPTY_PAGES = 100  # empty pages with a token in a row before the chain counts as a loop

_ITEM = {"ListRecords": "record", "GetRecord": "record", "ListIdentifiers": "header"}


def _parser() -> etree.XMLParser:
    # No recovery: damaged XML must be reported, never silently "repaired".
    return etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True, remove_blank_text=False)


# -- datestamps ------------------------------------------------------------------------------
_DATESTAMP = re.compile(
    r"(?P<y>\d{4})-?(?P<m>\d{2})-?(?P<d>\d{2})"
    r"(?:[T ](?P<H>\d{2}):(?P<M>\d{2})(?::(?P<S>\d{2})(?:[.,]\d+)?)?(?P<tz>Z|[+-]\d{2}:?\d{2})?)?")


_ISO = re.compile(r"\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}:\d{2}Z)?")


def normalize_datestamp(value: str | None) -> str | None:
    """The ISO form of an OAI datestamp (``YYYY-MM-DD`` or ``YYYY-MM-DDThh:mm:ssZ``, in UTC).

    Accepts what servers send besides: ``YYYYMMDD``, fractions of seconds, offsets, a missing
    ``Z``. Returns None when the value is no date at all.
    """
    match = _DATESTAMP.fullmatch((value or "").strip())
    if not match:
        return None
    g = match.groupdict()
    try:
        if g["H"] is None:
            return datetime(int(g["y"]), int(g["m"]), int(g["d"])).strftime("%Y-%m-%d")
        moment = datetime(int(g["y"]), int(g["m"]), int(g["d"]), int(g["H"]), int(g["M"]), int(g["S"] or 0),
                          tzinfo=UTC)
    except ValueError:
        return None
    tz = g["tz"]
    if tz and tz != "Z":
        sign = 1 if tz[0] == "+" else -1
        digits = tz[1:].replace(":", "")
        moment -= sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def oai_from(moment: str, granularity: str) -> str:
    """An ISO date(time) as a ``from`` argument in the server's granularity (truncating)."""
    iso = normalize_datestamp(moment)
    if iso is None:
        raise ValueError(f"not a datestamp: {moment!r}")
    if granularity != SECONDS:
        return iso[:10]
    return iso if "T" in iso else iso + "T00:00:00Z"


# -- pages -----------------------------------------------------------------------------------
@dataclass(slots=True)
class Item:
    """One ``<record>`` (ListRecords, GetRecord) or ``<header>`` (ListIdentifiers) of a page."""

    identifier: str
    datestamp: str | None  # as sent
    deleted: bool
    sets: tuple[str, ...]
    payload: bytes
    error: str | None = None  # the parser's message when the bytes are not well-formed XML


@dataclass
class Page:
    """One OAI-PMH response, as far as it could be read."""

    verb: str
    response_date: str | None = None  # as sent
    error: tuple[str, str] | None = None  # (code, text) of an OAI-PMH error
    items: list[Item] = field(default_factory=list)
    token: str | None = None  # None or "" both end the list
    complete_list_size: str | None = None  # the attribute as sent
    damage: str | None = None  # the parser's message when the page is not well-formed XML
    broken: str | None = None  # why the rest of the list cannot be reached from this page
    root: etree._Element | None = None  # the document of a well-formed Identify, ListSets … answer


def _clean(content: bytes) -> bytes:
    # Some servers send a blank line (or a BOM and a blank line) before the XML declaration.
    if content[:3] == b"\xef\xbb\xbf":
        content = content[3:]
    return content.lstrip()


def parse_page(content: bytes, verb: str) -> Page:
    """Read one response of ``verb``; never raises on damaged XML (see :class:`Page`)."""
    content = _clean(content)
    try:
        root = etree.fromstring(content, _parser())
    except etree.XMLSyntaxError as exc:
        return _salvage(content, verb, exc.msg or str(exc))
    # list pages keep only their items (bytes): the tree goes as soon as they are read
    page = Page(verb, root=None if verb in _ITEM else root)
    page.response_date = (root.findtext(f"{_O}responseDate") or "").strip() or None
    error = root.find(f"{_O}error")
    if error is not None:
        page.error = (error.get("code", ""), (error.text or "").strip())
        return page
    if verb not in _ITEM:
        return page
    container = root.find(f"{_O}{verb}")
    if container is None:
        page.broken = f"the response holds no <{verb}> element"
        return page
    tag = f"{_O}{_ITEM[verb]}"
    page.items = [_item(el, verb) for el in container.iterchildren(tag)]
    token = container.find(f"{_O}resumptionToken")
    if token is not None:
        page.token = (token.text or "").strip()
        page.complete_list_size = token.get("completeListSize")
    return page


def _item(el: etree._Element, verb: str) -> Item:
    header = el if verb == "ListIdentifiers" else el.find(f"{_O}header")
    payload = etree.tostring(el, encoding="utf-8", with_tail=False)
    if header is None:
        return _unidentified(payload, "the record has no <header>")
    identifier = (header.findtext(f"{_O}identifier") or "").strip()
    if not identifier:
        return _unidentified(payload, "the record's header has no <identifier>")
    return Item(identifier=identifier,
                datestamp=(header.findtext(f"{_O}datestamp") or "").strip() or None,
                deleted=header.get("status") == "deleted",
                sets=tuple((s.text or "").strip() for s in header.iterchildren(f"{_O}setSpec")),
                payload=payload)


def _unidentified(payload: bytes, why: str) -> Item:
    key = hashlib.sha256(payload).hexdigest()[:16]
    return Item(identifier=f"unidentified:{key}", datestamp=None, deleted=False, sets=(), payload=payload,
                error=why)


# -- byte-level salvage of a damaged page -----------------------------------------------------
_QN = rb"(?:[A-Za-z_][\w.-]*:)?"
_XMLDECL_ENCODING = re.compile(rb"^<\?xml[^>]*encoding\s*=\s*[\"']([A-Za-z0-9._-]+)[\"']")
_NSDECL = re.compile(rb"""\sxmlns(?::[A-Za-z_][\w.-]*)?\s*=\s*(?:"[^"]*"|'[^']*')""")
_ROOT_START = re.compile(rb"<" + _QN + rb"OAI-PMH\b[^>]*>")
_ERROR = re.compile(rb"<" + _QN + rb"error\b[^>]*\bcode\s*=\s*[\"']([^\"']*)[\"'][^>]*?(?:/>|>(.*?)</" + _QN
                    + rb"error\s*>)", re.DOTALL)
_RESPONSE_DATE = re.compile(rb"<" + _QN + rb"responseDate\s*>\s*([^<]*?)\s*</", re.DOTALL)
_TOKEN = re.compile(rb"<" + _QN + rb"resumptionToken\b[^>]*?(?:/>|>.*?</" + _QN + rb"resumptionToken\s*>)", re.DOTALL)
_TOKEN_TEXT = re.compile(rb"<" + _QN + rb"resumptionToken\b[^>]*>([^<]+)</" + _QN + rb"resumptionToken\s*>")
_HEADER_ID = re.compile(rb"<" + _QN + rb"identifier\b[^>]*>\s*(.*?)\s*</" + _QN + rb"identifier\s*>", re.DOTALL)
_HEADER_DATE = re.compile(rb"<" + _QN + rb"datestamp\b[^>]*>\s*(.*?)\s*</" + _QN + rb"datestamp\s*>", re.DOTALL)
_HEADER_DELETED = re.compile(rb"<" + _QN + rb"header\b[^>]*\bstatus\s*=\s*[\"']deleted[\"']")


def _salvage(content: bytes, verb: str, damage: str) -> Page:
    page = Page(verb, damage=damage)
    match = _RESPONSE_DATE.search(content, 0, 4096)
    page.response_date = _text(match.group(1)) if match else None
    root = _ROOT_START.search(content, 0, 4096)
    container = re.compile(rb"<" + _QN + verb.encode() + rb"\b[^>]*>").search(content)
    if container is None or verb not in _ITEM:
        error = _ERROR.search(content)
        if error is not None and root is not None:
            page.error = (_text(error.group(1)), _text(error.group(2) or b""))
        elif verb in _ITEM:
            page.broken = f"the response is not an OAI-PMH {verb} document ({damage})"
        return page
    # the namespace context of the items: declarations on the root and on the verb element
    decls: dict[bytes, bytes] = {}
    for start in (root, container):
        if start is not None:
            for decl in _NSDECL.findall(start.group()):
                decls[decl.split(b"=", 1)[0].strip()] = decl
    encoding = _XMLDECL_ENCODING.match(content)
    prolog = b""
    if encoding and encoding.group(1).lower() not in (b"utf-8", b"utf8", b"us-ascii", b"ascii"):
        prolog = b'<?xml version="1.0" encoding="' + encoding.group(1) + b'"?>'
    opening = prolog + b"<w" + b"".join(decls.values()) + b">"

    def parse_span(span: bytes) -> etree._Element:
        return etree.fromstring(opening + span + b"</w>", _parser())[0]

    spans, tail_start, unclosed = _split(content, container.end(), _ITEM[verb].encode())
    for start, end in spans:
        span = content[start:end]
        try:
            page.items.append(_item(parse_span(span), verb))
        except etree.XMLSyntaxError as exc:
            page.items.append(_damaged_item(span, verb, f"{exc.msg or exc} (line and column within the "
                                                        f"<{_ITEM[verb]}>)"))
    tail = content[tail_start:]
    if unclosed is not None:
        tail = content[tail_start:unclosed]
        page.broken = f"the page breaks off inside a <{_ITEM[verb]}> at byte {unclosed} ({damage})"
    token = _TOKEN.search(tail)
    if token is not None:
        try:
            element = parse_span(token.group())
            page.token = (element.text or "").strip()
            page.complete_list_size = element.get("completeListSize")
        except etree.XMLSyntaxError:
            inner = re.sub(rb"^<[^>]*>|</[^>]*>$", b"", token.group())
            page.token = _text(inner)
    ended = re.search(rb"</" + _QN + verb.encode() + rb"\s*>\s*</" + _QN + rb"OAI-PMH\s*>", tail)
    if page.broken is None and ended is None:
        page.broken = f"the page breaks off after its last complete <{_ITEM[verb]}> ({damage})"
    return page


def _split(content: bytes, begin: int, local: bytes) -> tuple[list[tuple[int, int]], int, int | None]:
    """Top-level ``local`` element spans after ``begin``: (spans, end of the last one, start of an
    unclosed one or None). Elements of the same local name nested inside are counted, not split."""
    tag = re.compile(rb"<(/?)" + _QN + local + rb"(?=[\s>/])")
    spans: list[tuple[int, int]] = []
    depth, start, last_end = 0, 0, begin
    for match in tag.finditer(content, begin):
        gt = content.find(b">", match.end())
        if gt < 0:
            break
        if match.group(1):  # an end tag
            if depth == 0:
                continue
            depth -= 1
            if depth == 0:
                spans.append((start, gt + 1))
                last_end = gt + 1
        elif content[gt - 1:gt] == b"/":  # an empty element
            if depth == 0:
                spans.append((match.start(), gt + 1))
                last_end = gt + 1
        else:
            if depth == 0:
                start = match.start()
            depth += 1
    return spans, last_end, (start if depth else None)


def _damaged_item(span: bytes, verb: str, message: str) -> Item:
    found = _HEADER_ID.search(span)
    identifier = _text(found.group(1)) if found else ""
    if not identifier:
        return _unidentified(span, f"{message}; no identifier could be read")
    date = _HEADER_DATE.search(span)
    return Item(identifier=identifier, datestamp=_text(date.group(1)) if date else None,
                deleted=bool(_HEADER_DELETED.search(span)), sets=(), payload=span, error=message)


def _text(raw: bytes) -> str:
    return html.unescape(raw.decode("utf-8", errors="replace")).strip()


def _guess_token(content: bytes) -> str | None:
    """The resumption token a page seems to end with, read from its last bytes (no parsing)."""
    match = _TOKEN_TEXT.search(content, max(0, len(content) - 4096))
    return (_text(match.group(1)) or None) if match else None


class _ReadAhead:
    """At most one request ahead of the parser: the next page of a list is fetched while this
    one is parsed and its records are stored (the host gate still allows one request at a
    time). It asks with the token the page seems to end with; if parsing finds another, the
    guess is dropped."""

    def __init__(self, fetch: Callable[[dict[str, str]], bytes]) -> None:
        self._fetch = fetch
        self._pool: ThreadPoolExecutor | None = None
        self._ahead: tuple[dict[str, str], Future[bytes]] | None = None

    def get(self, params: dict[str, str]) -> bytes:
        ahead, self._ahead = self._ahead, None
        if ahead is not None and ahead[0] == params:
            return ahead[1].result()
        return self._fetch(params)

    def start(self, params: dict[str, str]) -> None:
        if self._pool is None:
            self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="oai-read-ahead")
        self._ahead = (params, self._pool.submit(self._fetch, params))

    def drop(self) -> None:
        self._ahead = None

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)


# -- the harvester -----------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Identity:
    """What ``Identify`` says; ``granularity`` is DAY when the answer was unusable."""

    repository_name: str
    granularity: str
    earliest_datestamp: str | None
    deleted_record: str  # no | transient | persistent
    problem: str | None = None


def _note(code: str, message: str, **extra: Any) -> dict[str, Any]:
    return {"code": code, "message": message, **extra}


class OaiPmhHarvester:
    protocol: ClassVar[str] = "oai-pmh"
    OPTIONS: ClassVar[dict[str, str]] = {
        "metadata_prefix": "the metadataPrefix to ask for, when it differs from the format's usual one "
                           "(e.g. oai_lido)",
    }
    Cursor: ClassVar[type[Cursor]] = WindowCursor

    def __init__(self, feed: Feed, http: HttpClient, *, contexts: object | None = None,
                 seen_in_run: Callable[[list[str]], set[str]] | None = None) -> None:
        self.feed = feed
        self.http = http
        self.metadata_prefix = feed.options.get("metadata_prefix") or feed.format
        # Which of these identifiers this run has stored already (given by the pipeline). The
        # ListIdentifiers fallback fetches only the others; without it, it fetches all.
        self.seen_in_run = seen_in_run
        self._identity: Identity | None = None

    # -- single requests ---------------------------------------------------------------------
    def _fetch(self, params: dict[str, str]) -> bytes:
        return self.http.get(self.feed.url, params=params, feed=self.feed.name).content

    def _page(self, params: dict[str, str], verb: str, content: bytes | None = None) -> Page:
        """Parse ``content`` (or fetch it); a page that breaks off is asked once more."""
        page = parse_page(self._fetch(params) if content is None else content, verb)
        if page.broken and page.error is None:
            log.info("%s: %s; asking once more", self.feed.name, page.broken)
            page = parse_page(self._fetch(params), verb)
        return page

    def _document(self, params: dict[str, str]) -> Page:
        """A response that must be well-formed (Identify, ListMetadataFormats, ListSets)."""
        page = self._page(params, params["verb"])
        if page.root is None and page.error is None:
            raise FatalHarvestError(f"the {params['verb']} response is not well-formed XML: {page.damage}",
                                    feed=self.feed.name, url=self.feed.url)
        return page

    def identify(self) -> Identity:
        """Granularity, earliest datestamp and deletion policy (asked once per harvester)."""
        if self._identity is None:
            try:
                page = self._document({"verb": "Identify"})
                if page.error:
                    raise FatalHarvestError(f"Identify answers {page.error[0]}: {page.error[1]}")
                ident = page.root.find(f"{_O}Identify")
                if ident is None:
                    raise FatalHarvestError("the Identify response holds no <Identify>")
                granularity = (ident.findtext(f"{_O}granularity") or "").strip()
                self._identity = Identity(
                    repository_name=(ident.findtext(f"{_O}repositoryName") or "").strip(),
                    granularity=SECONDS if granularity == SECONDS else DAY,
                    earliest_datestamp=normalize_datestamp(ident.findtext(f"{_O}earliestDatestamp")),
                    deleted_record=(ident.findtext(f"{_O}deletedRecord") or "").strip() or "no",
                    problem=None if granularity in (DAY, SECONDS) else f"unknown granularity {granularity!r}")
            except FatalHarvestError as exc:
                # Every server supports day granularity; carry on with it.
                self._identity = Identity("", DAY, None, "no", problem=exc.message)
        return self._identity

    def list_metadata_formats(self, identifier: str | None = None) -> list[dict[str, str]]:
        params = {"verb": "ListMetadataFormats", **({"identifier": identifier} if identifier else {})}
        page = self._document(params)
        if page.error:
            self._raise(page.error, params)
        return [{"prefix": (f.findtext(f"{_O}metadataPrefix") or "").strip(),
                 "schema": (f.findtext(f"{_O}schema") or "").strip(),
                 "namespace": (f.findtext(f"{_O}metadataNamespace") or "").strip()}
                for f in page.root.iter(f"{_O}metadataFormat")]

    def list_sets(self) -> list[dict[str, str]]:
        params: dict[str, str] = {"verb": "ListSets"}
        sets: list[dict[str, str]] = []
        seen: set[str] = set()
        while True:
            page = self._document(params)
            if page.error:
                if page.error[0] == "noSetHierarchy":
                    return []
                self._raise(page.error, params)
            sets += [{"spec": (s.findtext(f"{_O}setSpec") or "").strip(),
                      "name": (s.findtext(f"{_O}setName") or "").strip()} for s in page.root.iter(f"{_O}set")]
            token = page.root.findtext(f"{_O}ListSets/{_O}resumptionToken")
            token = (token or "").strip()
            if not token or token in seen:
                return sets
            seen.add(token)
            params = {"verb": "ListSets", "resumptionToken": token}

    def get_record(self, identifier: str) -> SourceRecord | None:
        """One record; None when the server no longer has it (idDoesNotExist)."""
        params = {"verb": "GetRecord", "identifier": identifier, "metadataPrefix": self.metadata_prefix}
        page = self._page(params, "GetRecord")
        if page.error:
            if page.error[0] == "idDoesNotExist":
                return None
            self._raise(page.error, params)
        if not page.items:
            raise FatalHarvestError(f"GetRecord gave no record: {page.broken or page.damage}",
                                    feed=self.feed.name, record=identifier, url=self.feed.url)
        return self._record(page.items[0], {})

    def _raise(self, error: tuple[str, str], params: dict[str, str]) -> None:
        code, text = error
        feed = self.feed.name
        if code in CONFIG_ERRORS:
            raise ConfigError(f"the server answers {code} to {params.get('verb')}: {text or 'no details'}",
                              feed=feed, url=self.feed.url, hint=self._hint(code))
        raise FatalHarvestError(f"the server answers {code} to {params.get('verb')}: {text or 'no details'}",
                                feed=feed, url=self.feed.url)

    def _hint(self, code: str) -> str:
        """What to change, with what the server offers (best effort: asks the server)."""
        try:
            if code == "cannotDisseminateFormat":
                offered = ", ".join(f["prefix"] for f in self.list_metadata_formats()) or "none"
                return (f"the server does not serve metadataPrefix {self.metadata_prefix!r}; it offers: {offered} "
                        f"(register the feed again with --metadata-prefix)")
            if code == "noSetHierarchy":
                return f"the server has no sets: register the feed without --set (now {self.feed.set_spec!r})"
            if self.feed.set_spec:
                specs = [s["spec"] for s in self.list_sets()]
                if self.feed.set_spec not in specs:
                    return (f"the server has no set {self.feed.set_spec!r}; it has: "
                            f"{', '.join(specs[:20]) or 'none'}{' …' if len(specs) > 20 else ''}")
        except (HarvestError, ConfigError) as exc:
            log.debug("%s: no hint: %s", self.feed.name, exc)
        return (f"check the metadata prefix ({self.metadata_prefix!r}) and the set ({self.feed.set_spec!r}) "
                f"against the server's ListMetadataFormats and ListSets")

    # -- one record from one item ------------------------------------------------------------
    def _record(self, item: Item, stats: dict[str, Any]) -> SourceRecord:
        datestamp = item.datestamp
        if datestamp is not None and not _ISO.fullmatch(datestamp):
            iso = normalize_datestamp(datestamp)
            if iso != datestamp:
                stats.setdefault("datestamps", [0, datestamp, iso])[0] += 1
                datestamp = iso or datestamp
        return SourceRecord(feed=self.feed.name, source_id=item.identifier, datestamp=datestamp,
                            payload=item.payload, format=self.feed.format, deleted=item.deleted,
                            sets=item.sets, error=item.error)

    # -- the harvest -------------------------------------------------------------------------
    def records(self, checkpoint: Checkpoint | None,
                cursor: Cursor | str | None) -> Iterator[SourceRecord | Checkpoint]:
        """Yield the window's records and, after each page, a checkpoint (see the module doc).
        ``cursor`` is a :class:`WindowCursor` (or its date): ask only for what changed since."""
        window_from = cursor.since if isinstance(cursor, WindowCursor) else cursor or None
        notes: list[dict[str, Any]] = []
        stats: dict[str, Any] = {}
        identity = self.identify()
        if identity.problem:
            notes.append(_note("identify", f"Identify is unusable ({identity.problem}); "
                                           f"using day granularity for 'from'"))
        if checkpoint is not None:
            window_from = checkpoint.window_from
            response_date = checkpoint.response_date
            verb = checkpoint.info.get("verb", "ListRecords")
            token = checkpoint.token
            restarts = int(checkpoint.info.get("restarts", 0))
        else:
            response_date, verb, token, restarts = None, "ListRecords", None, 0
        if window_from and identity.deleted_record != "persistent":
            notes.append(_note("deleted-records", f"the server keeps deleted records {identity.deleted_record!r} "
                                                  f"(deletedRecord): deletions may show only in a --full run"))
        first = {"metadataPrefix": self.metadata_prefix}
        start = oai_from(window_from, identity.granularity) if window_from else None
        if start and not (identity.earliest_datestamp and start < identity.earliest_datestamp[:len(start)]):
            first["from"] = start
        if self.feed.set_spec:
            first["set"] = self.feed.set_spec

        reader = _ReadAhead(self._fetch)
        try:
            yield from self._pages(reader, first, verb, token, window_from, response_date, restarts, notes, stats)
        finally:
            reader.close()

    def _pages(self, reader: _ReadAhead, first: dict[str, str], verb: str, token: str | None,
               window_from: str | None, response_date: str | None, restarts: int, notes: list[dict[str, Any]],
               stats: dict[str, Any]) -> Iterator[SourceRecord | Checkpoint]:
        feed = self.feed.name

        def mark(**info: Any) -> Checkpoint:
            out = {"verb": verb, "restarts": restarts, **info}
            if notes:
                out["notes"] = notes.copy()
                notes.clear()
            complete = bool(info.get("complete"))
            return Checkpoint(token or None, window_from, response_date, complete=complete,
                              info={k: v for k, v in out.items() if k != "complete"},
                              cursor=WindowCursor(response_date) if complete and response_date else None)

        seen_tokens: set[str] = set()
        empty_pages = 0
        while True:
            params = {"verb": verb, "resumptionToken": token} if token else {"verb": verb, **first}
            content = reader.get(params)
            guess = _guess_token(content)
            if guess and guess != token and guess not in seen_tokens:
                reader.start({"verb": verb, "resumptionToken": guess})
            page = self._page(params, verb, content)
            response_date = response_date or normalize_datestamp(page.response_date) or page.response_date
            if page.error:
                code, text = page.error
                if code == "noRecordsMatch":
                    if not token:
                        notes.append(_note("no-records-match", "noRecordsMatch: nothing in the window"
                                           + (f" from {first['from']}" if "from" in first else "")))
                    token = None
                    self._finish_notes(notes, stats)
                    yield mark(complete=True)
                    return
                if code == "badResumptionToken" and token:
                    restarts += 1
                    if restarts > MAX_RESTARTS:
                        raise FatalHarvestError(f"the server refused a resumption token {restarts} times "
                                                f"(badResumptionToken: {text})", feed=feed, url=self.feed.url)
                    notes.append(_note("token-expired", f"the server refused resumption token {token!r} "
                                                        f"(badResumptionToken: {text or 'no details'}); "
                                                        f"the window was restarted"
                                                        + (f" from {first['from']}" if "from" in first else "")))
                    token = None
                    seen_tokens.clear()
                    yield mark()
                    continue
                self._raise(page.error, params)
            if page.damage:
                damaged = sum(1 for i in page.items if i.error)
                notes.append(_note("damaged-page", f"a {verb} page is not well-formed XML ({page.damage}); "
                                   f"{len(page.items) - damaged} good and {damaged} damaged record(s) read from it",
                                   token=token))
            if page.broken and verb == "ListRecords":
                # the rest of this page and its token are out of reach: keep what was read
                # (except an item cut off by the break, which the fallback fetches whole)
                for item in page.items:
                    yield from self._yield_item(item, notes, stats)
                notes.append(_note("truncated-page", f"{page.broken}; switching to ListIdentifiers + GetRecord "
                                                     f"for the rest of the window", token=token))
                verb, token = "ListIdentifiers", None
                seen_tokens.clear()
                yield mark()
                continue
            if page.broken:
                raise FatalHarvestError(f"the {verb} fallback cannot go on: {page.broken}",
                                        feed=feed, url=self.feed.url)
            if verb == "ListRecords":
                for item in page.items:
                    yield from self._yield_item(item, notes, stats)
            else:
                yield from self._fetch_one_by_one(page.items, notes, stats)
            size = page.complete_list_size
            if size is not None and not size.strip().isdigit() and "complete-list-size" not in stats:
                stats["complete-list-size"] = True
                notes.append(_note("complete-list-size", f"completeListSize {size!r} is not a number; ignored"))
            next_token = (page.token or "").strip()
            if next_token != guess:
                reader.drop()
            if not next_token:
                token = None
                self._finish_notes(notes, stats)
                yield mark(complete=True)
                return
            empty_pages = 0 if page.items else empty_pages + 1
            if empty_pages == 1:
                notes.append(_note("empty-page", f"a {verb} page holds no records but a resumption token; "
                                                 f"followed it", token=next_token))
            if next_token in seen_tokens or next_token == token or empty_pages > MAX_EMPTY_PAGES:
                why = (f"{empty_pages} empty pages in a row" if empty_pages > MAX_EMPTY_PAGES
                       else f"the server repeats resumption token {next_token!r}")
                if verb != "ListRecords":
                    raise FatalHarvestError(f"{why} in the ListIdentifiers fallback as well (a loop)",
                                            feed=feed, url=self.feed.url)
                notes.append(_note("token-loop", f"{why} (a loop); switching to ListIdentifiers + GetRecord "
                                                 f"for the rest of the window"))
                verb, token = "ListIdentifiers", None
                seen_tokens.clear()
                empty_pages = 0
                yield mark()
                continue
            seen_tokens.add(next_token)
            token = next_token
            yield mark(completeListSize=int(size) if size and size.strip().isdigit() else None)

    def _yield_item(self, item: Item, notes: list[dict[str, Any]], stats: dict[str, Any]) -> Iterator[SourceRecord]:
        if item.error:
            code = "unidentified-record" if item.identifier.startswith("unidentified:") else "damaged-record"
            notes.append(_note(code, item.error, record=item.identifier))
        yield self._record(item, stats)

    def _fetch_one_by_one(self, headers: list[Item], notes: list[dict[str, Any]],
                          stats: dict[str, Any]) -> Iterator[SourceRecord]:
        """The fallback: deleted headers as they are, the other records by GetRecord."""
        live = [h.identifier for h in headers if not h.deleted and not h.error]
        done = self.seen_in_run(live) if self.seen_in_run and live else set()
        for header in headers:
            if header.deleted or header.error:
                yield from self._yield_item(header, notes, stats)
            elif header.identifier not in done:
                record = self.get_record(header.identifier)
                if record is None:
                    notes.append(_note("record-vanished", "listed, but GetRecord answers idDoesNotExist",
                                       record=header.identifier))
                    continue
                if record.error:
                    notes.append(_note("damaged-record", record.error, record=record.source_id))
                yield record

    @staticmethod
    def _finish_notes(notes: list[dict[str, Any]], stats: dict[str, Any]) -> None:
        if "datestamps" in stats:
            count, example, iso = stats["datestamps"]
            notes.append(_note("datestamp", f"{count} datestamp(s) were not in the ISO form, e.g. {example!r}"
                                            + (f", read as {iso}" if iso else " (kept as sent)")))
