"""A record's graph read from N-Triples, for the outbound crosswalks.

The store hands out each record as N-Triples text (``store.graph(iri, "ntriples")``) and the
mappers write the same text; the crosswalks (``publish/edm.py``, ``publish/oai_dc.py``) only
need to look up the objects of a subject's properties. :func:`parse` reads the text line by
line into ``{subject: {predicate: [object, …]}}`` with plain strings and tuples: about twice
as fast as building pyoxigraph terms, which matters at thousands of records per second.

Terms: an IRI is a ``str`` (without angle brackets), a blank node is a ``str`` starting with
``_:``, a literal is a :class:`Lit` (value, language, datatype). Only N-Triples is read (one
triple per line, as pyoxigraph and ``oogst.mapping.ntriples`` write it); a line that is not
a triple raises :class:`ValueError` naming it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from ..terms import XSD_STRING, Lit, Term, unescape

__all__ = ["Graph", "Lit", "Term", "parse"]

RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
_LANG_TAIL = re.compile(r'"@([A-Za-z]+(?:-[A-Za-z0-9]+)*)$')


def _term(text: str) -> Term:
    """The subject or object term of a line (without the trailing `` .``)."""
    first = text[:1]
    if first == "<":
        if text[-1:] != ">":
            raise ValueError(f"unterminated IRI {text!r}")
        iri = text[1:-1]
        return unescape(iri) if "\\" in iri else iri
    if first == '"':
        if text[-1:] == '"':
            return Lit(unescape(text[1:-1]))
        if text[-1:] == ">":
            cut = text.rfind('"^^<')
            if cut > 0:
                datatype = text[cut + 4 : -1]
                value = unescape(text[1:cut])
                if datatype == XSD_STRING:
                    return Lit(value)
                return Lit(value, None, datatype)
        match = _LANG_TAIL.search(text)
        if match:
            return Lit(unescape(text[1 : match.start()]), match.group(1).lower())
        raise ValueError(f"malformed literal {text!r}")
    if text.startswith("_:"):
        return text
    raise ValueError(f"not an N-Triples term: {text!r}")


class Graph:
    """The triples of one record, indexed by subject and by predicate."""

    __slots__ = ("_by_subject", "_typed")

    def __init__(self) -> None:
        self._by_subject: dict[str, dict[str, list[Term]]] = {}
        self._typed: dict[str, list[str]] = {}

    def add(self, subject: str, predicate: str, obj: Term) -> None:
        props = self._by_subject.get(subject)
        if props is None:
            props = self._by_subject[subject] = {}
        values = props.get(predicate)
        if values is None:
            props[predicate] = [obj]
        elif obj not in values:
            values.append(obj)
        if predicate == RDF_TYPE and type(obj) is str:
            self._typed.setdefault(obj, []).append(subject)

    def objects(self, subject: str, predicate: str) -> list[Term]:
        """The objects of (subject, predicate), in the order read; ``[]`` when none."""
        props = self._by_subject.get(subject)
        if props is None:
            return []
        return props.get(predicate, [])

    def iris(self, subject: str, predicate: str) -> list[str]:
        """The IRI objects of (subject, predicate)."""
        props = self._by_subject.get(subject)
        values = props.get(predicate) if props else None
        return [o for o in values if type(o) is str] if values else []

    def literals(self, subject: str, predicate: str) -> list[Lit]:
        props = self._by_subject.get(subject)
        values = props.get(predicate) if props else None
        return [o for o in values if type(o) is Lit] if values else []

    def properties(self, subject: str) -> dict[str, list[Term]]:
        return self._by_subject.get(subject, {})

    def subjects_of_type(self, cls: str) -> list[str]:
        return self._typed.get(cls, [])

    def subjects(self) -> Iterable[str]:
        return self._by_subject.keys()

    def __contains__(self, subject: str) -> bool:
        return subject in self._by_subject

    def __len__(self) -> int:
        return sum(len(values) for props in self._by_subject.values() for values in props.values())

    def triples(self) -> Iterator[tuple[str, str, Term]]:
        for subject, props in self._by_subject.items():
            for predicate, values in props.items():
                for obj in values:
                    yield subject, predicate, obj


RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


def parse(text: str | bytes) -> Graph:
    """Read N-Triples text into a :class:`Graph`; ValueError names a line that is no triple."""
    if isinstance(text, bytes):
        text = text.decode("utf-8")
    graph = Graph()
    index = graph._by_subject
    typed = graph._typed
    new = tuple.__new__
    line = ""
    try:
        for line in text.split("\n"):  # not splitlines: a literal may hold U+2028, NEL … unescaped
            if line[-2:] == " .":
                body = line[:-2]
            else:
                body = line.strip()
                if not body or body[0] == "#":
                    continue
                if body[-1] != ".":
                    raise ValueError("a triple ends with ' .'")
                body = body[:-1].rstrip()
            subject, predicate, rest = body.split(None, 2)
            if subject[0] == "<" and subject[-1] == ">" and "\\" not in subject:
                subject = subject[1:-1]
            else:
                subject = _term(subject)
                if type(subject) is Lit:
                    raise ValueError("a literal cannot be a subject")
            if predicate[0] != "<" or predicate[-1] != ">":
                raise ValueError(f"the predicate {predicate!r} is no IRI")
            predicate = predicate[1:-1]
            first = rest[0]
            if first == "<" and rest[-1] == ">" and "\\" not in rest:
                obj: Term = rest[1:-1]
            elif first == '"':
                close = rest.rfind('"')
                if close <= 0:
                    raise ValueError(f"unterminated literal {rest!r}")
                value = rest[1:close]
                if "\\" in value:
                    value = unescape(value)
                tail = rest[close + 1:]
                if not tail:
                    obj = new(Lit, (value, None, None))
                elif tail[0] == "@" and _LANG_TAIL.match('"' + tail):
                    obj = new(Lit, (value, tail[1:].lower(), None))
                elif tail[:3] == "^^<" and tail[-1] == ">":
                    datatype = tail[3:-1]
                    obj = new(Lit, (value, None, None if datatype == XSD_STRING else datatype))
                else:
                    raise ValueError(f"malformed literal {rest!r}")
            else:
                obj = _term(rest)
            props = index.get(subject)
            if props is None:
                props = index[subject] = {}
            values = props.get(predicate)
            if values is None:
                props[predicate] = [obj]
            elif obj not in values:
                values.append(obj)
            if predicate == RDF_TYPE and type(obj) is str:
                typed.setdefault(obj, []).append(subject)
    except (ValueError, IndexError) as exc:
        lines = text.split("\n")
        number = lines.index(line) + 1 if line in lines else 0
        raise ValueError(f"N-Triples line {number}: {exc}: {line[:200]}") from None
    return graph
