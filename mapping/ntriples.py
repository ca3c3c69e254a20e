"""N-Triples text, built directly as strings.

Mappers build each record's graph as N-Triples text: it is about five times faster than
building rdflib or pyoxigraph terms, and it is what the store loads fastest
(``../shared/reference/performance.md``). The three helpers below are the only place that
knows the syntax: ``iri()`` and ``lit()`` make terms, :class:`Triples` collects lines in
order and drops repeated ones (multilingual LIDO repeats whole blocks per language).
"""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import quote

from pyoxigraph import NamedNode

from .language import SCRIPT_OF_LANGUAGE, fit


# Whether a tag's script must be checked even for ASCII text (a non-Latin language, a tag
# with subtags: ``ru``, ``sr-latn``), decided once per tag.
_SCRIPTED: dict[str, bool] = {}


def _scripted(tag: str) -> bool:
    _SCRIPTED[tag] = found = "-" in tag or tag in SCRIPT_OF_LANGUAGE
    return found

# Characters that may not appear in an N-Triples IRIREF; they are percent-encoded.
_IRI_UNSAFE = re.compile(r'[\x00-\x20<>"{}|^`\\]')
# What RFC 3987 forbids besides: controls and DEL, square brackets outside an IPv6 host,
# a "%" that starts no escape, private-use characters and non-characters (allowed only in a
# query, where their escaped form is as good), a second "#".
_IRI_FORBIDDEN = re.compile(
    r'[\x00-\x20<>"{}|^`\\\x7f-\x9f\[\]\ue000-\uf8ff\ufdd0-\ufdef\ufff0-\uffff\U000f0000-\U0010ffff]'
    r"|%(?![0-9A-Fa-f]{2})"
)
_IPV6_HOST = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://\[[0-9A-Fa-f:.]+\]")
_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
_LITERAL_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"})


def _percent(match: re.Match[str]) -> str:
    return "".join(f"%{b:02X}" for b in match.group().encode("utf-8"))


def safe_iri(value: str) -> str:
    """``value`` with the characters IRIs forbid (spaces, ``<>"{}|^`\\``, controls)
    percent-encoded."""
    if _IRI_UNSAFE.search(value):
        return _IRI_UNSAFE.sub(_percent, value)
    return value


def valid_iri(value: str) -> str | None:
    """``value`` as an absolute IRI that every RDF parser accepts (RFC 3987, as pyoxigraph
    checks it), with forbidden characters percent-encoded; None when no encoding helps
    (no scheme, a port that is no number, a broken IPv6 host …)."""
    value = safe_iri(value)
    try:
        NamedNode(value)
        return value
    except ValueError:
        pass
    head = _IPV6_HOST.match(value)
    start = head.end() if head else 0
    body = _IRI_FORBIDDEN.sub(_percent, value[start:])
    fragment = body.find("#")
    if fragment >= 0:
        body = body[: fragment + 1] + body[fragment + 1 :].replace("#", "%23")
    value = value[:start] + body
    try:
        NamedNode(value)
        return value
    except ValueError:
        return None


@lru_cache(maxsize=16384)
def iri(value: str) -> str:
    """An IRI term that always parses: characters IRIs forbid are percent-encoded; what is
    no IRI at all becomes ``urn:oogst:invalid-iri:…`` (the mappers check partners' IRIs
    with :func:`valid_iri` first, so this is a last resort against broken N-Triples)."""
    found = valid_iri(value)
    if found is None:
        found = "urn:oogst:invalid-iri:" + quote(value, safe="")
    return f"<{found}>"


def lit(value: str, lang: str | None = None, datatype: str | None = None) -> str:
    """A literal term: language-tagged when ``lang`` is given, else typed when ``datatype``
    is given, else a plain ``xsd:string``. ``lang`` must already be a valid BCP 47 tag
    (see :func:`oogst.mapping.normalize.language`). ``rdf:langString`` without a tag is no
    literal RDF allows: such a value is written as a plain string. A tag the text's script
    contradicts is replaced (:func:`oogst.mapping.language.fit`)."""
    if lang:
        scripted = _SCRIPTED.get(lang)
        if scripted is None:
            scripted = _scripted(lang)
        if scripted or not value.isascii():
            lang = fit(value, lang)
    # five substring tests beat one regex search (memchr, and no call into re)
    if '"' in value or "\\" in value or "\n" in value or "\r" in value or "\t" in value:
        value = value.translate(_LITERAL_ESCAPES)
    if lang:
        return f'"{value}"@{lang}'
    if datatype and datatype != _LANG_STRING:
        return f'"{value}"^^<{datatype}>'
    return f'"{value}"'


_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
_NO_CLASSES: dict[str, str] = {}


class Triples:
    """The triples of one graph, in the order they were added, each once.

    Each triple is kept as its N-Triples line (a dict keeps insertion order and drops
    repeats): subject and predicate terms hold no space, so equal lines are equal triples,
    and the graph's text is one join. ``classes`` (predicate term → class term) types the
    IRI a triple points to as it is added."""

    __slots__ = ("_lines", "_classes")

    def __init__(self, classes: dict[str, str] | None = None) -> None:
        self._lines: dict[str, None] = {}
        self._classes = classes or _NO_CLASSES

    def add(self, subject: str, predicate: str, obj: str) -> None:
        """Add one triple; the arguments are terms made by :func:`iri` / :func:`lit`."""
        self._lines[f"{subject} {predicate} {obj} .\n"] = None
        cls = self._classes.get(predicate)
        if cls is not None and obj[0] == "<":
            self._lines[f"{obj} {_TYPE} {cls} .\n"] = None

    def __len__(self) -> int:
        return len(self._lines)

    def text(self) -> str:
        """The graph as N-Triples text, one line per triple."""
        return "".join(self._lines)
