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

import html
import re
import threading
from functools import lru_cache
from urllib.parse import urlsplit

from pyoxigraph import Literal

from ..iris import is_http_iri
from .dates import (  # noqa: F401 — dates are normalised in dates.py; these names stay here too
    EDTF_DATATYPE,
    EDTF_PATTERN,
    date_time,
    edtf,
    edtf_bounds,
    is_edtf,
    is_placeholder_date,
    qualify,
)
from .ntriples import valid_iri

# -- text ------------------------------------------------------------------------------------

_TAG = re.compile(r"</?[a-zA-Z][^<>]*>|<!--.*?-->", re.S)
_BREAK = re.compile(r"<br\s*/?>|</p\s*>", re.I)
_ENTITY = re.compile(r"&(#[0-9]+|#x[0-9a-fA-F]+|[a-zA-Z][a-zA-Z0-9]*);")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_NEEDS_CLEANING = re.compile(r"[<&\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


# What export software writes where a value is missing: a Perl reference, a JavaScript
# object, a spreadsheet error, NULL, a template placeholder. Never data: left out, and the
# mappers say so in a warning (:func:`take_debris`).
_DEBRIS = frozenset({
    "null", "(null)", "<null>", "[null]", "none", "nil", "nan", "n/a", "n.a.", "#n/a", "undefined", "[undefined]",
    "[object object]", "object object", "[object]", "#value!", "#ref!", "#name?", "#div/0!", "#null!", "-", "--",
    "---", "?", "??", "???", "...", "…", "tbd", "todo", "nvt", "n.v.t.",
})
_DEBRIS_PATTERN = re.compile(
    r"^(?:(?:HASH|ARRAY|SCALAR|CODE|GLOB|REF|Object|object)\(0x[0-9a-fA-F]+\)|\[object \w+\]|\$\{[^}]*\}"
    r"|\{\{[^}]*\}\}|%[A-Z_]+%|<\?[a-z]+>)$"
)
_seen = threading.local()


def is_debris(value: str) -> bool:
    """Whether a (cleaned) value is export debris rather than data (``"HASH(0x3e5e1ad0)"``,
    ``"NULL"``, ``"n/a"``, ``"[object Object]"``)."""
    return value.casefold() in _DEBRIS or _DEBRIS_PATTERN.match(value) is not None


def take_debris() -> list[str]:
    """The debris :func:`text` and :func:`line` left out in this thread since the last call."""
    found = getattr(_seen, "values", None)
    if not found:
        return []
    _seen.values = []
    return found


def _left_out(value: str) -> None:
    value = " ".join(value.split())
    if value and is_debris(value):
        found = getattr(_seen, "values", None)
        if found is None:
            found = _seen.values = []
        found.append(value)


def text(value: str | None, *, multiline: bool = False) -> str | None:
    """Whitespace collapsed, HTML markup and stray entities removed; ``None`` if empty or
    export debris (:func:`is_debris`).

    With ``multiline`` (descriptions) line breaks survive, at most one empty line in a row.
    """
    if not value:
        return None
    if not multiline:
        return line(value)
    if _NEEDS_CLEANING.search(value):
        value = _clean(value)
    lines = [" ".join(line.split()) for line in value.splitlines()]
    out: list[str] = []
    for one in lines:
        if one or (out and out[-1]):
            out.append(one)
    result = "\n".join(out).strip() or None
    if result is not None and len(result) < 40 and is_debris(result):
        _left_out(result)
        return None
    return result


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
    value = " ".join(value.split())
    if len(value) < 40 and is_debris(value):
        return None
    return value or None


# Short values (terms, names, units, dates) repeat across records: clean each one once.
_line = lru_cache(maxsize=16384)(_clean_line)


def line(value: str) -> str | None:
    """``text(value)`` for one-line values, the mappers' hot path."""
    result = _line(value) if len(value) <= 200 else _clean_line(value)
    if result is None and len(value) < 200:
        _left_out(value)
    return result


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
