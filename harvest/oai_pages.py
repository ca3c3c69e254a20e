"""Reading OAI-PMH responses: strict parsing first, byte-level salvage of damaged pages, and
the datestamp rules (see ``oai.py`` for how the harvester uses them).

:func:`parse_page` turns a response into a :class:`Page` of :class:`Item` s (identifier,
datestamp, sets, deleted, the ``<record>`` bytes as received, or the parser's message for a
damaged one), with the error, the resumption token and the response date.
"""

from __future__ import annotations

import hashlib
import html
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from lxml import etree

OAI_NS = "http://www.openarchives.org/OAI/2.0/"
OAI_TAG = f"{{{OAI_NS}}}"

DAY = "YYYY-MM-DD"
SECONDS = "YYYY-MM-DDThh:mm:ssZ"

_ITEM = {"ListRecords": "record", "GetRecord": "record", "ListIdentifiers": "header"}


def _parser() -> etree.XMLParser:
    # No recovery: damaged XML must be reported, never silently "repaired".
    return etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True, remove_blank_text=False)


# -- datestamps ------------------------------------------------------------------------------
_DATESTAMP = re.compile(
    r"(?P<y>\d{4})-?(?P<m>\d{2})-?(?P<d>\d{2})"
    r"(?:[T ](?P<H>\d{2}):(?P<M>\d{2})(?::(?P<S>\d{2})(?:[.,]\d+)?)?(?P<tz>Z|[+-]\d{2}:?\d{2})?)?")


ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}:\d{2}Z)?")


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
    page.response_date = (root.findtext(f"{OAI_TAG}responseDate") or "").strip() or None
    error = root.find(f"{OAI_TAG}error")
    if error is not None:
        page.error = (error.get("code", ""), (error.text or "").strip())
        return page
    if verb not in _ITEM:
        return page
    container = root.find(f"{OAI_TAG}{verb}")
    if container is None:
        page.broken = f"the response holds no <{verb}> element"
        return page
    tag = f"{OAI_TAG}{_ITEM[verb]}"
    page.items = [_item(el, verb) for el in container.iterchildren(tag)]
    if root.getroottree().docinfo.internalDTD is not None and next(root.iter(etree.Entity), None) is not None:
        page.items = [_without_entities(item, el) for item, el in zip(page.items, container.iterchildren(tag))]
    token = container.find(f"{OAI_TAG}resumptionToken")
    if token is not None:
        page.token = (token.text or "").strip()
        page.complete_list_size = token.get("completeListSize")
    return page


def _item(el: etree._Element, verb: str) -> Item:
    header = el if verb == "ListIdentifiers" else el.find(f"{OAI_TAG}header")
    payload = etree.tostring(el, encoding="utf-8", with_tail=False)
    if header is None:
        return _unidentified(payload, "the record has no <header>")
    identifier = (header.findtext(f"{OAI_TAG}identifier") or "").strip()
    if not identifier:
        return _unidentified(payload, "the record's header has no <identifier>")
    return Item(identifier=identifier,
                datestamp=(header.findtext(f"{OAI_TAG}datestamp") or "").strip() or None,
                deleted=header.get("status") == "deleted",
                sets=tuple((s.text or "").strip() for s in header.iterchildren(f"{OAI_TAG}setSpec")),
                payload=payload)


def _without_entities(item: Item, el: etree._Element) -> Item:
    """An item that uses entities of the page's DTD is refused: oogst never expands them (they
    can read files or grow without bound), and dropping them would change the record silently
    (``oai:x:&xxe;`` must not become ``oai:x:``)."""
    names = sorted({e.name for e in el.iter(etree.Entity)})
    if not names:
        return item
    header = el if el.tag == f"{OAI_TAG}header" else el.find(f"{OAI_TAG}header")
    ident = header.find(f"{OAI_TAG}identifier") if header is not None else None
    if ident is not None:  # the identifier as written, entity references included
        written = (ident.text or "") + "".join(
            (f"&{child.name};" if isinstance(child, etree._Entity) else "") + (child.tail or "") for child in ident)
        item.identifier = written.strip() or item.identifier
    used = ", ".join(f"&{n};" for n in names)
    item.error = (f"the record uses the entit{'y' if len(names) == 1 else 'ies'} {used}, declared in the page's "
                  "DTD; oogst does not expand entities (they can read files or grow without bound): ask the "
                  "partner to send the text itself instead of an entity reference")
    return item


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


def guess_token(content: bytes) -> str | None:
    """The resumption token a page seems to end with, read from its last bytes (no parsing)."""
    match = _TOKEN_TEXT.search(content, max(0, len(content) - 4096))
    return (_text(match.group(1)) or None) if match else None
