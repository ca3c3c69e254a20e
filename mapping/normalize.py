"""Partners' values made regular, in one place: text, language tags, dates, numbers, rights
and URLs.

Every function takes what a partner typed and returns the cleaned value, or ``None`` when
nothing usable is left; none of them raises on bad input. Mappers decide what to do with a
``None`` (drop the value, keep the raw text for the validator to flag, add a warning).

Dates become EDTF (Extended Date/Time Format, Library of Congress, levels 0 and 1), the time
representation of the OSLO 2021 profile. :data:`EDTF_PATTERN` is the syntax the acceptance
shapes check; :func:`edtf` produces only strings that match it.
"""

from __future__ import annotations

import calendar
import html
import re
from functools import lru_cache
from urllib.parse import urlsplit

from pyoxigraph import Literal

from ..iris import is_http_iri
from .ntriples import valid_iri

# -- text ------------------------------------------------------------------------------------

_TAG = re.compile(r"</?[a-zA-Z][^<>]*>|<!--.*?-->", re.S)
_BREAK = re.compile(r"<br\s*/?>|</p\s*>", re.I)
_ENTITY = re.compile(r"&(#[0-9]+|#x[0-9a-fA-F]+|[a-zA-Z][a-zA-Z0-9]*);")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_NEEDS_CLEANING = re.compile(r"[<&\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def text(value: str | None, *, multiline: bool = False) -> str | None:
    """Whitespace collapsed, HTML markup and stray entities removed; ``None`` if empty.

    With ``multiline`` (descriptions) line breaks survive, at most one empty line in a row.
    """
    if not value:
        return None
    if not multiline:
        return _line(value) if len(value) <= 200 else _clean_line(value)
    if _NEEDS_CLEANING.search(value):
        value = _clean(value)
    lines = [" ".join(line.split()) for line in value.splitlines()]
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    return "\n".join(out).strip() or None


def _clean(value: str) -> str:
    """Markup, entities and control characters out."""
    if "<" in value and _TAG.search(value):
        value = _TAG.sub("", _BREAK.sub("\n", value))
    if "&" in value and _ENTITY.search(value):
        value = html.unescape(value)
    return _CONTROL.sub("", value)


def _clean_line(value: str) -> str | None:
    if _NEEDS_CLEANING.search(value):
        value = _clean(value)
    return " ".join(value.split()) or None


# Short values (terms, names, units, dates) repeat across records: clean each one once.
_line = lru_cache(maxsize=16384)(_clean_line)


def line(value: str) -> str | None:
    """``text(value)`` for one-line values, the mappers' hot path."""
    return _line(value) if len(value) <= 200 else _clean_line(value)


# -- language tags ---------------------------------------------------------------------------

_BCP47 = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{1,8})*$")
_LANGUAGE_ALIASES = {
    "dut": "nl",
    "nld": "nl",
    "nederlands": "nl",
    "dutch": "nl",
    "vlaams": "nl",
    "fre": "fr",
    "fra": "fr",
    "frans": "fr",
    "français": "fr",
    "french": "fr",
    "eng": "en",
    "engels": "en",
    "english": "en",
    "ger": "de",
    "deu": "de",
    "duits": "de",
    "deutsch": "de",
    "german": "de",
    "ita": "it",
    "spa": "es",
    "lat": "la",
    "latijn": "la",
    "latin": "la",
}


@lru_cache(maxsize=1024)
def language(tag: str | None) -> str | None:
    """A lower-case BCP 47 tag (``"nl-NL"`` → ``"nl-nl"``, ``"dut"`` → ``"nl"``), or None."""
    if not tag:
        return None
    key = tag.strip().lower().replace("_", "-")
    key = _LANGUAGE_ALIASES.get(key, key)
    primary, _, rest = key.partition("-")
    key = _LANGUAGE_ALIASES.get(primary, primary) + (f"-{rest}" if rest else "")
    if not _BCP47.match(key):
        return None
    try:  # well-formed as BCP 47 says (subtag order and lengths), as RDF parsers check it
        Literal("", language=key)
    except ValueError:
        return key.partition("-")[0] if rest else None
    return key


# -- dates → EDTF ----------------------------------------------------------------------------


def _edtf_pattern() -> str:
    """EDTF levels 0 and 1 as one anchored regex, written with plain groups and no
    backslashes, so that every SHACL engine (XPath regex, Python, Rust) reads it the same
    way and it can be pasted into Turtle as it is. February 29 is accepted in any year."""
    day_of_month = "((0[13578]|1[02])-(0[1-9]|[12][0-9]|3[01])|(0[469]|11)-(0[1-9]|[12][0-9]|30)|02-(0[1-9]|[12][0-9]))"
    time = "(T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](Z|[+-]([01][0-9]|2[0-3])(:[0-5][0-9])?)?)?"
    month = "(0[1-9]|1[0-2]|2[1-4]|XX)"  # 21–24: seasons (level 1)
    date = f"((-?[0-9]{{4}}(-({day_of_month}{time}|{month}|(0[1-9]|1[0-2]|XX)-XX))?|[0-9]{{3}}X|[0-9]{{2}}XX)[?~%]?)"
    # a date, an interval with known or open ("..") ends, or with an unknown ("") end
    return f"^({date}(/({date}|[.][.])?)?|([.][.])?/{date})$"


EDTF_PATTERN = _edtf_pattern()
_EDTF = re.compile(EDTF_PATTERN)

_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("januari", "january", "janvier", "jan"),
            ("februari", "february", "février", "feb", "fév"),
            ("maart", "march", "mars", "mrt", "mar"),
            ("april", "avril", "apr", "avr"),
            ("mei", "may", "mai"),
            ("juni", "june", "juin", "jun"),
            ("juli", "july", "juillet", "jul"),
            ("augustus", "august", "août", "aug"),
            ("september", "septembre", "sep", "sept"),
            ("oktober", "october", "octobre", "okt", "oct"),
            ("november", "novembre", "nov"),
            ("december", "décembre", "dec", "déc"),
        ),
        start=1,
    )
    for name in names
}
_CIRCA = r"(ca\.?|c\.|circa|omstreeks|om|rond|ongeveer|around|about|approx\.?|vers|environ)"
_CIRCA_PREFIX = re.compile(rf"^{_CIRCA}\s*(.+)$")
_CIRCA_SUFFIX = re.compile(rf"^(.+?)[\s(]+{_CIRCA}\)?$")
_UNCERTAIN = re.compile(r"^(.+?)\s*\(?\?\)?$")
_BEFORE = re.compile(r"^(vóór|voor|before|avant|ante|uiterlijk|tot)\s+(.+)$")
_AFTER = re.compile(r"^(na|after|après|post|vanaf|sinds|since|from|depuis)\s+(.+)$")
_BETWEEN = re.compile(r"^(tussen|between|entre)\s+(.+?)\s+(en|and|et)\s+(.+)$")
_RANGE_SEPARATOR = re.compile(r"\s+(tot|to|until|à|au|t/m)\s+|\s*[-/]\s*")
_YMD = re.compile(r"^(-?\d{3,4})(?:[-/.](\d{1,2})(?:[-/.](\d{1,2}))?)?$")
_DMY = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$")
_WORDS_DATE = re.compile(r"^(?:(\d{1,2})(?:e|er|ste|de)?\s+)?([a-zéû]+)\.?\s+(\d{4})$")
_CENTURY = re.compile(
    r"^(?:(eerste|1e|first|1st|premi[eè]re|tweede|2e|second|2nd|seconde)\s+(?:helft|half|moiti[eé])"
    r"\s+(?:van\s+de\s+|of\s+the\s+|du\s+)?)?(\d{1,2})\s*(?:e|de|ste|th|st|nd|rd|ème|eme)?\s+"
    r"(?:eeuw|century|siècle|siecle)$"
)
_DECADE = re.compile(r"^(?:(?:de\s+)?jaren\s+|années\s+|the\s+)?(\d{3})0\s*'?s?$")


def is_edtf(value: str) -> bool:
    """True when ``value`` is EDTF level 0/1 (the syntax the acceptance shapes accept)."""
    return _EDTF.match(value) is not None


def _ymd(year: str, month: str | None, day: str | None) -> str | None:
    y = int(year)
    out = f"{'-' if y < 0 else ''}{abs(y):04d}"
    if month is None:
        return out
    m = int(month)
    if not 1 <= m <= 12:
        return None
    out += f"-{m:02d}"
    if day is None:
        return out
    d = int(day)
    if not 1 <= d <= calendar.monthrange(2000 if y < 1 else y, m)[1]:
        return None
    return out + f"-{d:02d}"


def qualify(date: str | None, mark: str) -> str | None:
    """Add an EDTF qualifier: ``?`` uncertain, ``~`` approximate, both together ``%``."""
    if date is None or "/" in date:
        return None
    if date[-1] in "?~%":
        return date if date[-1] in (mark, "%") else date[:-1] + "%"
    return date + mark


def _single(value: str) -> str | None:
    """One date (no interval) in free text → EDTF, or None."""
    value = value.strip(" .,;[]")
    if not value:
        return None
    if match := _UNCERTAIN.match(value):
        return qualify(_single(match.group(1)), "?")
    if (match := _CIRCA_PREFIX.match(value)) or (match := _CIRCA_SUFFIX.match(value)):
        return qualify(_single(match.group(2) if match.re is _CIRCA_PREFIX else match.group(1)), "~")
    if match := _YMD.match(value):
        return _ymd(*match.groups())
    if match := _DMY.match(value):
        day, month, year = match.groups()
        return _ymd(year, month, day)
    if (match := _WORDS_DATE.match(value)) and match.group(2) in _MONTHS:
        day, name, year = match.groups()
        return _ymd(year, str(_MONTHS[name]), day)
    if match := _CENTURY.match(value):
        half, number = match.group(1), int(match.group(2))
        if not 1 <= number <= 21:
            return None
        century = f"{number - 1:02d}"
        if half is None:
            return f"{century}XX"
        first = half[0] in "e1fp"
        return f"{century}00/{century}49" if first else f"{century}50/{century}99"
    if match := _DECADE.match(value):
        return f"{match.group(1)}X"
    return None


@lru_cache(maxsize=4096)
def edtf(value: str | None) -> str | None:
    """A date as partners write it → EDTF, or None when it cannot be read.

    ``"1923"``, ``"14-05-1923"``, ``"ca. 1650"`` → ``"1650~"``, ``"1650?"``,
    ``"1601 - 1620"`` → ``"1601/1620"``, ``"19de eeuw"`` → ``"18XX"``,
    ``"vóór 1700"`` → ``"../1700"``; ``"1876-13-45"`` → None.
    """
    value = text(value)
    if value is None:
        return None
    if is_edtf(value):
        return value
    value = value.lower().replace("–", "-").replace("—", "-").strip(" .,;")
    result = _single(value)
    if result is None:
        if match := _BEFORE.match(value):
            end = _single(match.group(2))
            result = f"../{end}" if end and "/" not in end else None
        elif match := _AFTER.match(value):
            start = _single(match.group(2))
            result = f"{start}/.." if start and "/" not in start else None
        elif match := _BETWEEN.match(value):
            result = _interval(match.group(2), match.group(4))
        else:
            result = _split_interval(value)
    return result if result is not None and is_edtf(result) else None


def _interval(left: str, right: str) -> str | None:
    start, end = _single(left), _single(right)
    if not start or not end or "/" in start + end:
        return None
    # "ca. 1601-1620": the circa of the first date speaks for the whole span.
    if start.endswith("~") and end[-1] not in "?~%":
        end += "~"
    return f"{start}/{end}"


def _split_interval(value: str) -> str | None:
    for match in _RANGE_SEPARATOR.finditer(value):
        result = _interval(value[: match.start()], value[match.end() :])
        if result:
            return result
    return None


@lru_cache(maxsize=4096)
def edtf_bounds(value: str) -> tuple[str | None, str | None]:
    """The first and last day an EDTF value can cover, as ISO dates (``None`` = open or
    unknown): ``"16XX"`` → ``("1600-01-01", "1699-12-31")``. For search and EDM export."""
    if not is_edtf(value):
        return None, None
    start, _, end = value.partition("/") if "/" in value else (value, "", value)
    return _bound(start, first=True), _bound(end, first=False)


def _bound(date: str, *, first: bool) -> str | None:
    date = date.rstrip("?~%")
    if date in ("", ".."):
        return None
    date = date.split("T")[0]
    sign = "-" if date.startswith("-") else ""
    parts = date.lstrip("-").split("-")
    year = parts[0].replace("X", "0" if first else "9")
    month = parts[1] if len(parts) > 1 and parts[1] != "XX" and int(parts[1]) <= 12 else None
    day = parts[2] if len(parts) > 2 and parts[2] != "XX" else None
    if month is None:
        return f"{sign}{year}-01-01" if first else f"{sign}{year}-12-31"
    if day is None:
        last = calendar.monthrange(int(year) if not sign and int(year) > 0 else 2000, int(month))[1]
        return f"{sign}{year}-{month}-01" if first else f"{sign}{year}-{month}-{last:02d}"
    return f"{sign}{year}-{month}-{day}"


_ISO_DATE_TIME = re.compile(
    r"^-?[0-9]{4,}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]+)?"
    r"(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])?$"
)
_XSD = "http://www.w3.org/2001/XMLSchema#"


def date_time(value: str) -> tuple[str, str]:
    """A value typed ``xsd:dateTime`` by a partner → (value, datatype) that says what it is.

    A real date-time stays one; a bare year (``"2005"``) becomes ``xsd:gYear``, a year and
    month ``xsd:gYearMonth``, a date ``xsd:date``; anything else that reads as a date becomes
    EDTF, and the rest stays as it was (for the validator to flag).
    """
    value = value.strip()
    if _ISO_DATE_TIME.match(value):
        return value, _XSD + "dateTime"
    if re.fullmatch(r"-?[0-9]{4}", value):
        return value, _XSD + "gYear"
    if re.fullmatch(r"-?[0-9]{4}-(0[1-9]|1[0-2])", value):
        return value, _XSD + "gYearMonth"
    if re.fullmatch(r"-?[0-9]{4}-[0-9]{2}-[0-9]{2}", value) and edtf(value) == value:
        return value, _XSD + "date"
    converted = edtf(value)
    if converted is not None:
        return converted, EDTF_DATATYPE
    return value, _XSD + "dateTime"


EDTF_DATATYPE = "http://id.loc.gov/datatypes/edtf/EDTF"

# -- numbers ---------------------------------------------------------------------------------

_DECIMAL = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")


@lru_cache(maxsize=4096)
def decimal(value: str | None) -> str | None:
    """A number in the canonical ``xsd:decimal`` form: ``"205,50"`` → ``"205.5"``,
    ``"80"`` → ``"80.0"``, ``"1.234,5"`` → ``"1234.5"``; None when it is not a plain number."""
    if not value:
        return None
    s = value.strip().replace(" ", "").replace("\u00a0", "")
    if "," in s and "." in s:
        s = s.replace(".", "").replace(",", ".") if s.rfind(",") > s.rfind(".") else s.replace(",", "")
    elif s.count(",") == 1:
        s = s.replace(",", ".")
    if not _DECIMAL.match(s):
        return None
    negative = s.startswith("-")
    whole, _, fraction = s.lstrip("+-").partition(".")
    whole, fraction = whole.lstrip("0") or "0", fraction.rstrip("0") or "0"
    sign = "-" if negative and (whole, fraction) != ("0", "0") else ""
    return f"{sign}{whole}.{fraction}"


# -- URLs and rights -------------------------------------------------------------------------

_WIKIDATA = re.compile(
    r"^https?://(?:www\.|m\.)?wikidata\.org/(?:wiki|entity)/(?:Special:EntityPage/)?([QPLqpl]\d+)(?:\.[a-z]+)?/?$"
)
_GETTY = re.compile(r"^https?://vocab\.getty\.edu/(?:page/)?(aat|tgn|ulan|cona)/(\d+)(?:\.[a-z]+|/)?$", re.I)
# A compact IRI expanded with the space after its colon ("cest: Rol_vervaardiger"): the
# whitespace between a namespace and the local name goes.
_NAMESPACE_GAP = re.compile(r"^(https?://\S*?[/#:])\s+(\S+)$")


@lru_cache(maxsize=8192)
def http_iri(value: str | None) -> str | None:
    """A partner's http(s) URL as an IRI we can use, or None when it is not one.

    Characters IRIs forbid are percent-encoded (:func:`~oogst.mapping.ntriples.valid_iri`:
    what no encoding makes an IRI is None); Wikidata page and lower-case URLs (``…/wiki/Q123``,
    ``…/entity/q123``) become entity IRIs (``http://www.wikidata.org/entity/Q123``), Getty
    pages (``…/page/aat/300033618``) the concept IRIs (``http://vocab.getty.edu/aat/300033618``),
    and a namespace and local name that a space keeps apart are joined.
    """
    if not value:
        return None
    value = value.strip()
    if not value[:8].lower().startswith(("http://", "https://")):
        return None
    if (match := _NAMESPACE_GAP.match(value)) is not None:
        value = match.group(1) + match.group(2)
    if match := _WIKIDATA.match(value):
        return f"http://www.wikidata.org/entity/{match.group(1).upper()}"
    if match := _GETTY.match(value):
        return f"http://vocab.getty.edu/{match.group(1).lower()}/{match.group(2)}"
    value = valid_iri(value)
    return value if value is not None and is_http_iri(value) else None


_CC = "http://creativecommons.org/"
_RS = "http://rightsstatements.org/vocab/"
PUBLIC_DOMAIN_MARK = _CC + "publicdomain/mark/1.0/"
CC0 = _CC + "publicdomain/zero/1.0/"
IN_COPYRIGHT = _RS + "InC/1.0/"


def _rights_key(words: str) -> str:
    """Rights words compared case-, dash- and spacing-insensitively."""
    words = re.sub(r"\s*[-–]\s*", " - ", words.lower().replace("©", ""))
    return " ".join(words.strip(" .;,").split())


_RIGHTS_WORDS = {
    **dict.fromkeys(
        (
            "publiek domein",
            "public domain",
            "domaine public",
            "pd",
            "pdm",
            "public domain mark",
            "publiek domein mark",
            "public domain mark 1.0",
        ),
        PUBLIC_DOMAIN_MARK,
    ),
    **dict.fromkeys(("cc0", "cc0 1.0", "cc zero", "cc-zero", "cc0 1.0 universal"), CC0),
    **dict.fromkeys(
        (
            "in copyright",
            "auteursrechtelijk beschermd",
            "auteursrecht voorbehouden",
            "alle rechten voorbehouden",
            "all rights reserved",
            "tous droits réservés",
            "droits réservés",
            "inc",
        ),
        IN_COPYRIGHT,
    ),
    **dict.fromkeys(("in copyright - educational use permitted", "inc-edu"), _RS + "InC-EDU/1.0/"),
    **dict.fromkeys(("in copyright - eu orphan work", "inc-ow-eu"), _RS + "InC-OW-EU/1.0/"),
    **dict.fromkeys(("copyright not evaluated", "auteursrecht niet geëvalueerd", "cne"), _RS + "CNE/1.0/"),
    **dict.fromkeys(("no copyright - non-commercial use only", "noc-nc"), _RS + "NoC-NC/1.0/"),
    **dict.fromkeys(("no copyright - other known legal restrictions", "noc-oklr"), _RS + "NoC-OKLR/1.0/"),
}
_RIGHTS_TEXT = {_rights_key(words): uri for words, uri in _RIGHTS_WORDS.items()}
# "CC BY-SA 4.0", also inside a sentence: "Creative Commons Naamsvermelding (CC-BY-NC-SA)"
_CC_TEXT = re.compile(r"\b(?:cc|creative commons)[\s-]*(by\b(?:[\s-]*(?:nc|sa|nd)\b)*)(?:[\s-]*(\d\.\d))?")
_CC_PATH = re.compile(
    r"^/(licenses|publicdomain)/([a-z-]+)/(\d\.\d)(?:/([a-z]{2}))?(?:/|/deed\.[\w-]+|/legalcode[\w.-]*)?$"
)
_RS_PATH = re.compile(r"^/(?:vocab|page|data)/([A-Za-z-]+)/(\d\.\d)/?")


@lru_cache(maxsize=1024)
def rights_uri(value: str | None) -> str | None:
    """A rights statement (URL or words) → the canonical rights URI, or None.

    Creative Commons and RightsStatements.org URLs take the form Europeana accepts
    (``http://``, no ``deed.nl``, a trailing slash); words such as "Publiek domein", "CC0",
    "CC BY-SA 4.0" or "In copyright" become the matching URI (a CC licence without version
    is taken to be 4.0); other http(s) URLs are returned cleaned, as they are.
    """
    value = text(value)
    if value is None:
        return None
    lower = value.lower()
    if "creativecommons.org" in lower or "rightsstatements.org" in lower:
        url = value if "://" in value else f"http://{value}"
        parts = urlsplit(url.strip())
        host = parts.netloc.lower().removeprefix("www.")
        path = parts.path
        if host == "creativecommons.org" and (match := _CC_PATH.match(path.lower())):
            kind, code, version, port = match.groups()
            return f"{_CC}{kind}/{code}/{version}/" + (f"{port}/" if port else "")
        if host == "rightsstatements.org" and (match := _RS_PATH.match(path)):
            code, version = match.groups()
            return f"{_RS}{code}/{version}/"
        return http_iri(url)
    if lower.startswith(("http://", "https://")):
        return http_iri(value)
    key = _rights_key(lower)
    if key in _RIGHTS_TEXT:
        return _RIGHTS_TEXT[key]
    if match := _CC_TEXT.search(key):
        code = "-".join(re.findall(r"by|nc|sa|nd", match.group(1)))
        return f"{_CC}licenses/{code}/{match.group(2) or '4.0'}/"
    return None
