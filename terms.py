"""N-Triples terms as plain Python values, shared by oogst's two N-Triples readers (the
crosswalks' :mod:`oogst.publish.ntgraph` and the SHACL engine's :mod:`oogst.shapes.native`):
an IRI is a ``str`` without angle brackets, a blank node a ``str`` starting with ``_:``, a
literal a :class:`Lit`. Plain values cost a fraction of pyoxigraph's terms to make, which
matters at thousands of records a second."""

from __future__ import annotations

import re
from typing import NamedTuple

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


class Lit(NamedTuple):
    """A literal: its lexical value, language tag (lower case, or None) and datatype IRI
    (None for plain and language-tagged strings)."""

    value: str
    lang: str | None = None
    datatype: str | None = None


Term = str | Lit
_ESCAPE = re.compile(r"\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|(.))")
_SIMPLE = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", '"': '"', "'": "'", "\\": "\\"}


def _unescape_match(match: re.Match[str]) -> str:
    short, long, char = match.groups()
    if short or long:
        return chr(int(short or long, 16))
    try:
        return _SIMPLE[char]
    except KeyError:
        raise ValueError(f"unknown escape \\{char}") from None


def unescape(text: str) -> str:
    """The text of an N-Triples string or IRI with its escapes (``\\n``, ``\\u00e9`` …) read;
    ValueError for an escape N-Triples does not have, or of no character."""
    return _ESCAPE.sub(_unescape_match, text) if "\\" in text else text
