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

# Characters that may not appear in an N-Triples IRIREF; they are percent-encoded.
_IRI_UNSAFE = re.compile(r'[\x00-\x20<>"{}|^`\\]')
_LITERAL_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"})


def _percent(match: re.Match[str]) -> str:
    return "".join(f"%{b:02X}" for b in match.group().encode("utf-8"))


def safe_iri(value: str) -> str:
    """``value`` with the characters IRIs forbid (spaces, ``<>"{}|^`\\``, controls)
    percent-encoded."""
    if _IRI_UNSAFE.search(value):
        return _IRI_UNSAFE.sub(_percent, value)
    return value


@lru_cache(maxsize=16384)
def iri(value: str) -> str:
    """An IRI term; characters N-Triples forbids in IRIs are percent-encoded."""
    return f"<{safe_iri(value)}>"


def lit(value: str, lang: str | None = None, datatype: str | None = None) -> str:
    """A literal term: language-tagged when ``lang`` is given, else typed when ``datatype``
    is given, else a plain ``xsd:string``. ``lang`` must already be a valid BCP 47 tag
    (see :func:`oogst.mapping.normalize.language`)."""
    # five substring tests beat one regex search (memchr, and no call into re)
    if '"' in value or "\\" in value or "\n" in value or "\r" in value or "\t" in value:
        value = value.translate(_LITERAL_ESCAPES)
    if lang:
        return f'"{value}"@{lang}'
    if datatype:
        return f'"{value}"^^<{datatype}>'
    return f'"{value}"'


class Triples:
    """The triples of one graph, in the order they were added, each once.

    Each triple is kept as its N-Triples line (a dict keeps insertion order and drops
    repeats): subject and predicate terms hold no space, so equal lines are equal triples,
    and the graph's text is one join."""

    __slots__ = ("_lines",)

    def __init__(self) -> None:
        self._lines: dict[str, None] = {}

    def add(self, subject: str, predicate: str, obj: str) -> None:
        """Add one triple; the arguments are terms made by :func:`iri` / :func:`lit`."""
        self._lines[f"{subject} {predicate} {obj} .\n"] = None

    def __len__(self) -> int:
        return len(self._lines)

    def text(self) -> str:
        """The graph as N-Triples text, one line per triple."""
        return "".join(self._lines)
