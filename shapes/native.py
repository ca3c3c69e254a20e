"""A compiled SHACL Core engine for the shapes oogst ships: ``native``.

pyrudof validates the OSLO application profile at about 4 ms a record, more than the rest of
a harvest together. The shapes oogst ships use a small part of SHACL Core, and the data is
small, typed and prepared (:class:`~oogst.shapes.materialise.Preparation`), so the shapes
are compiled once into Python closures and evaluated on an index of each batch. A shapes
graph that uses anything else raises :class:`Unsupported` at compile time (the validator
then uses pyrudof or pySHACL).

Supported: node and property shapes; targets ``sh:targetClass`` (exact types: the data
carries no ``rdfs:subClassOf``; the preparation materialises superclasses) and
``sh:targetNode``; paths: a property, ``sh:inversePath`` of a property, sequences and
``sh:alternativePath`` of those; ``sh:class``, ``sh:datatype`` (with the lexical checks of the
common XSD types), ``sh:nodeKind``, ``sh:minCount``, ``sh:maxCount``, ``sh:minLength``,
``sh:maxLength``, ``sh:pattern`` (+ ``sh:flags``), ``sh:hasValue``, ``sh:in``,
``sh:languageIn``, ``sh:or``, ``sh:and``, ``sh:not``, ``sh:xone``, ``sh:node``,
``sh:qualifiedValueShape`` with ``sh:qualifiedMinCount`` / ``sh:qualifiedMaxCount``,
``sh:severity``, ``sh:deactivated``. Results are :class:`~oogst.shapes.engines.RawResult`
with the focus node, the source shape, the severity and the value as the SHACL specification
says (none for the count, ``hasValue`` and qualified constraints). ``tests/test_validate_engines.py``
checks that it finds exactly what pySHACL finds.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from rdflib import RDF, SH, BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.term import Node

from ..terms import XSD_STRING, Lit, Term, unescape
from .engines import BadData, RawResult

XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_TYPE = str(RDF.type)
LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
_SEVERITIES = {SH.Violation: "violation", SH.Warning: "warning", SH.Info: "info"}
_KNOWN = {SH.targetClass, SH.targetNode, SH.property, SH.path, SH["class"], SH.datatype, SH.nodeKind, SH.minCount,
          SH.maxCount, SH.minLength, SH.maxLength, SH.pattern, SH.flags, SH.hasValue, SH["in"], SH.languageIn,
          SH["or"], SH["and"], SH["not"], SH.xone, SH.node, SH.qualifiedValueShape, SH.qualifiedMinCount,
          SH.qualifiedMaxCount, SH.severity, SH.deactivated, SH.message, SH.name, SH.description, SH.order,
          SH.group, RDF.type, SH.defaultValue}
_SHAPE_PARAMETERS = _KNOWN - {SH.message, SH.name, SH.description, SH.order, SH.group, RDF.type, SH.defaultValue,
                              SH.severity, SH.deactivated}

# Lexical forms of the XSD datatypes that records use; other datatypes are taken as well formed.
_INT = r"[+-]?[0-9]+"
_TZ = r"(Z|[+-](0[0-9]|1[0-3]):[0-5][0-9]|[+-]14:00)?"
_DATE = r"-?([1-9][0-9]{3,}|0[0-9]{3})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"
_TIME = r"(([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]+)?|24:00:00(\.0+)?)"
_LEXICAL = {XSD + name: re.compile(f"^({pattern})$") for name, pattern in {
    "integer": _INT, "long": _INT, "int": _INT, "short": _INT, "byte": _INT,
    "nonNegativeInteger": r"[+]?[0-9]+|-0+", "positiveInteger": r"[+]?0*[1-9][0-9]*",
    "decimal": r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)",
    "double": r"[+-]?(([0-9]+(\.[0-9]*)?|\.[0-9]+)([Ee][+-]?[0-9]+)?|INF)|NaN",
    "float": r"[+-]?(([0-9]+(\.[0-9]*)?|\.[0-9]+)([Ee][+-]?[0-9]+)?|INF)|NaN",
    "boolean": r"true|false|1|0",
    "date": _DATE + _TZ, "dateTime": f"{_DATE}T{_TIME}{_TZ}", "time": _TIME + _TZ,
    "gYear": r"-?([1-9][0-9]{3,}|0[0-9]{3})" + _TZ, "gYearMonth": r"-?([1-9][0-9]{3,}|0[0-9]{3})-(0[1-9]|1[0-2])" + _TZ,
}.items()}

Ok = Callable[["_Data", Term], bool]  # a constraint on each value node: does this one pass?
Count = Callable[["_Data", list[Term]], int]  # a constraint on the value nodes together: results without value


_NONE: dict[str, list[Term]] = {}


class Unsupported(Exception):
    """The shapes use a part of SHACL this engine does not implement."""


@dataclass
class _Shape:
    id: str  # as the validator names a shape: the IRI, or "_:" + the blank node id
    severity: str
    path: Callable[[_Data, Term], list[Term]] | None  # None: a node shape (its focus is its value)
    each: list[Ok] = field(default_factory=list)
    together: list[Count] = field(default_factory=list)
    properties: list[_Shape] = field(default_factory=list)
    deactivated: bool = False
    predicate: str | None = None  # the path when it is one property

    def results(self, data: _Data, focus: Term, out: list[RawResult]) -> None:
        """Validate ``focus``, appending the results to ``out``."""
        if self.deactivated:
            return
        if self.path is None:
            values = [focus]
        elif self.predicate is not None:  # the common case, without a call
            values = data.out.get(focus, _NONE).get(self.predicate, ())
            if not values and not self.together:
                return
        else:
            values = self.path(data, focus)
            if not values and not self.together:
                return
        for ok in self.each:
            for value in values:
                if not ok(data, value):
                    out.append(RawResult(_text(focus), self.id, self.severity, _text(value), None))
        for count in self.together:
            for _ in range(count(data, values)):
                out.append(RawResult(_text(focus), self.id, self.severity, None, None))
        for prop in self.properties:
            for value in values:
                prop.results(data, value, out)

    def conforms(self, data: _Data, focus: Term) -> bool:
        """Whether ``focus`` conforms (for ``sh:or``, ``sh:node``, qualified value shapes …)."""
        if self.deactivated:
            return True
        values = [focus] if self.path is None else self.path(data, focus)
        return (all(ok(data, v) for ok in self.each for v in values)
                and not any(count(data, values) for count in self.together)
                and all(prop.conforms(data, v) for prop in self.properties for v in values))


class _Data:
    """A batch's triples, indexed for the paths and types the shapes use."""

    def __init__(self, ntriples: str, inverse: bool) -> None:
        out: dict[Term, dict[str, list[Term]]] = {}
        types: dict[Term, set[str]] = {}
        by_type: dict[str, list[Term]] = {}
        terms: dict[str, Term] = {}  # a term's text → the term: each one read (and checked) once a batch
        for line in ntriples.split("\n"):  # not splitlines: a literal may hold U+2028, NEL … unescaped
            if line[-2:] != " .":
                if not line.strip() or line.lstrip()[:1] == "#":
                    continue
                raise BadData(f"a triple ends with ' .': {line[:200]!r}")
            parts = line[:-2].split(" ", 2)
            if len(parts) != 3:
                raise BadData(f"not a triple: {line[:200]!r}")
            s, p, o = parts
            if s[:1] == '"' or p[:1] != "<":
                raise BadData(f"a literal as subject, or a predicate that is no IRI: {line[:200]!r}")
            try:
                s = terms.get(s) or terms.setdefault(s, _node(s))
                p = terms.get(p) or terms.setdefault(p, _iri(p))
                o = terms.get(o) or terms.setdefault(o, _object(o))
            except ValueError as exc:  # an escape of no character
                raise BadData(str(exc)) from exc
            if p == RDF_TYPE and type(o) is str and o[:2] != "_:":
                known = types.get(s)
                if known is None:
                    known = types[s] = set()
                if o not in known:
                    known.add(o)
                    by_type.setdefault(o, []).append(s)
            props = out.get(s)
            if props is None:
                props = out[s] = {}
            values = props.get(p)
            if values is None:
                props[p] = [o]
            elif o not in values:
                values.append(o)
        self.out, self.types, self.by_type = out, types, by_type
        self.into: dict[Term, dict[str, list[Term]]] = {}
        if inverse:
            for s, props in out.items():
                for p, values in props.items():
                    for o in values:
                        self.into.setdefault(o, {}).setdefault(p, []).append(s)


class NativeEngine:
    name = "native"

    def __init__(self, shapes: Graph) -> None:
        self.shapes = shapes
        self._compiled: dict[Node, _Shape] = {}
        self.inverse = False  # whether a path goes against a property (then the data is indexed both ways)
        self.roots: list[tuple[_Shape, list[str], list[Term]]] = []  # (shape, target classes, target nodes)
        for node in sorted(set(shapes.subjects(SH.targetClass, None)) | set(shapes.subjects(SH.targetNode, None)),
                           key=str):
            classes = [str(c) for c in shapes.objects(node, SH.targetClass)]
            nodes = [_term(n) for n in shapes.objects(node, SH.targetNode)]
            self.roots.append((self._shape(node), classes, nodes))

    def results(self, ntriples: str) -> list[RawResult]:
        data = _Data(ntriples, self.inverse)
        out: list[RawResult] = []
        for shape, classes, nodes in self.roots:
            focus = list(dict.fromkeys([*(n for c in classes for n in data.by_type.get(c, ())), *nodes]))
            for node in focus:
                shape.results(data, node, out)
        return out

    # -- compiling ---------------------------------------------------------------------------
    def _shape(self, node: Node) -> _Shape:
        if node in self._compiled:
            return self._compiled[node]
        g = self.shapes
        unknown = {p for p in g.predicates(node, None) if p not in _KNOWN}
        if unknown:
            raise Unsupported(f"shape {node} uses {', '.join(sorted(map(str, unknown)))}")
        path = g.value(node, SH.path)
        shape = _Shape(id=f"_:{node}" if isinstance(node, BNode) else str(node),
                       severity=_SEVERITIES.get(g.value(node, SH.severity), "violation"),
                       path=None if path is None else self._path(path),
                       deactivated=g.value(node, SH.deactivated) == Literal(True),
                       predicate=str(path) if isinstance(path, URIRef) else None)
        self._compiled[node] = shape  # before the parts: shapes may refer to themselves
        for parameter, value in sorted(g.predicate_objects(node), key=lambda pv: (str(pv[0]), str(pv[1]))):
            if parameter in _SHAPE_PARAMETERS and parameter not in _NOT_CHECKS:
                check = self._check(node, parameter, value)
                (shape.together if parameter in _COUNTS else shape.each).append(check)
        shape.properties = [self._shape(p) for p in g.objects(node, SH.property)]
        return shape

    def _path(self, path: Node) -> Callable[[_Data, Term], list[Term]]:
        g = self.shapes
        if isinstance(path, URIRef):
            iri = str(path)
            return lambda data, focus: data.out.get(focus, {}).get(iri, [])
        inverse = g.value(path, SH.inversePath)
        if isinstance(inverse, URIRef):
            iri = str(inverse)
            self.inverse = True
            return lambda data, focus: data.into.get(focus, {}).get(iri, [])
        alternatives = g.value(path, SH.alternativePath)
        if alternatives is not None:
            parts = [self._path(p) for p in Collection(g, alternatives)]
            return lambda data, focus: list(dict.fromkeys(v for part in parts for v in part(data, focus)))
        if (path, RDF.first, None) in g:
            steps = [self._path(p) for p in Collection(g, path)]

            def sequence(data: _Data, focus: Term) -> list[Term]:
                nodes = [focus]
                for step in steps:
                    nodes = list(dict.fromkeys(v for n in nodes for v in step(data, n)))
                return nodes
            return sequence
        raise Unsupported(f"the path {path} (only properties, inverses, sequences and alternatives)")

    def _check(self, node: Node, parameter: Node, value: Node) -> Ok | Count:  # noqa: C901 - a branch a component
        g = self.shapes
        if parameter == SH["class"]:
            cls = str(value)
            return lambda data, v: type(v) is str and cls in data.types.get(v, ())
        if parameter == SH.datatype:
            return _datatype(str(value))
        if parameter == SH.nodeKind:
            kinds = _NODE_KINDS[value]
            return lambda data, v: _kind(v) in kinds
        if parameter == SH.minCount:
            low = int(value)
            return lambda data, values: int(len(values) < low)
        if parameter == SH.maxCount:
            high = int(value)
            return lambda data, values: int(len(values) > high)
        if parameter in (SH.minLength, SH.maxLength):
            n = int(value)
            if parameter == SH.minLength:
                return lambda data, v: _kind(v) != "blank" and len(_value(v)) >= n
            return lambda data, v: _kind(v) != "blank" and len(_value(v)) <= n
        if parameter == SH.pattern:
            flags = str(g.value(node, SH.flags) or "")
            regex = re.compile(str(value), sum(_FLAGS[f] for f in flags if f in _FLAGS))
            return lambda data, v: _kind(v) != "blank" and regex.search(_value(v)) is not None
        if parameter == SH.hasValue:
            wanted = _term(value)
            return lambda data, values: int(wanted not in values)
        if parameter == SH["in"]:
            allowed = {_term(m) for m in Collection(g, value)}
            return lambda data, v: v in allowed
        if parameter == SH.languageIn:
            tags = [str(t).lower() for t in Collection(g, value)]
            return lambda data, v: _language_in(v, tags)
        if parameter in (SH["or"], SH["and"], SH.xone):
            members = [self._shape(m) for m in Collection(g, value)]
            simple = [_simple(m) for m in members]
            if all(simple):  # value checks only: test them directly
                tests = [t for t in simple if t]
                if parameter == SH["or"]:
                    return lambda data, v: any(all(ok(data, v) for ok in t) for t in tests)
                if parameter == SH["and"]:
                    return lambda data, v: all(ok(data, v) for t in tests for ok in t)
            if parameter == SH["or"]:
                return lambda data, v: any(m.conforms(data, v) for m in members)
            if parameter == SH["and"]:
                return lambda data, v: all(m.conforms(data, v) for m in members)
            return lambda data, v: sum(m.conforms(data, v) for m in members) == 1
        if parameter in (SH["not"], SH.node):
            other, negate = self._shape(value), parameter == SH["not"]
            return lambda data, v: other.conforms(data, v) != negate
        if parameter == SH.qualifiedValueShape:
            if (node, SH.qualifiedValueShapesDisjoint, None) in g:
                raise Unsupported("sh:qualifiedValueShapesDisjoint")
            other = self._shape(value)
            low, high = g.value(node, SH.qualifiedMinCount), g.value(node, SH.qualifiedMaxCount)

            def qualified(data: _Data, values: list[Term]) -> int:
                n = sum(1 for v in values if other.conforms(data, v))
                return (low is not None and n < int(low)) + (high is not None and n > int(high))
            return qualified
        raise Unsupported(f"{parameter}")


def _simple(shape: _Shape) -> list[Ok] | None:
    """A node shape that only checks its focus value: its checks (None: anything else)."""
    if shape.path is not None or shape.together or shape.properties or shape.deactivated:
        return None
    return shape.each


_COUNTS = {SH.minCount, SH.maxCount, SH.hasValue, SH.qualifiedValueShape}
_NOT_CHECKS = {SH.targetClass, SH.targetNode, SH.property, SH.path, SH.flags, SH.qualifiedMinCount,
               SH.qualifiedMaxCount}
_NODE_KINDS = {
    SH.IRI: {"iri"}, SH.Literal: {"literal"}, SH.BlankNode: {"blank"},
    SH.BlankNodeOrIRI: {"blank", "iri"}, SH.BlankNodeOrLiteral: {"blank", "literal"},
    SH.IRIOrLiteral: {"iri", "literal"},
}
_FLAGS = {"i": re.IGNORECASE, "m": re.MULTILINE, "s": re.DOTALL, "x": re.VERBOSE}


def _datatype(iri: str) -> Ok:
    lexical = _LEXICAL.get(iri)

    def ok(data: _Data, v: Term) -> bool:
        if type(v) is not Lit or (v.datatype or (LANG_STRING if v.lang else XSD_STRING)) != iri:
            return False
        if iri == LANG_STRING:
            return bool(v.lang)
        return lexical is None or lexical.match(v.value) is not None
    return ok


def _language_in(v: Term, tags: list[str]) -> bool:
    if type(v) is not Lit or not v.lang:
        return False
    lang = v.lang
    return any(t == "*" or lang == t or lang.startswith(t + "-") for t in tags)


def _kind(v: Term) -> str:
    if type(v) is Lit:
        return "literal"
    return "blank" if v[:2] == "_:" else "iri"


def _value(v: Term) -> str:
    """An IRI, or a literal's lexical form (what sh:pattern and the lengths look at)."""
    return v.value if type(v) is Lit else v


def _term(node: Node) -> Term:
    """A term of the shapes graph as the data has it."""
    if isinstance(node, URIRef):
        return str(node)
    if isinstance(node, BNode):
        return f"_:{node}"
    if isinstance(node, Literal):
        if node.language:
            return Lit(str(node), node.language.lower())
        datatype = str(node.datatype) if node.datatype is not None else None
        return Lit(str(node), None, None if datatype == XSD_STRING else datatype)
    raise Unsupported(f"the term {node!r}")


def _text(term: Term) -> str:
    """A term as the validator names it: an IRI bare, a blank node as ``_:id``, a literal's lexical form."""
    return term.value if type(term) is Lit else term


# -- reading the data: N-Triples as the mappers and the preparation write it (``<s> <p> o .``,
# single spaces); anything else is BadData, and the validator then asks pyoxigraph about the
# record (a syntax finding, or the reference engine when it parses after all) ----------------
_LANG = re.compile(r"@[A-Za-z]+(-[A-Za-z0-9]+)*")
_NOT_IN_IRI = re.compile(r'[\x00-\x20<>"{}|^`]')


def _iri(text: str) -> str:
    """The IRI of an ``<…>`` term; BadData for one that is not absolute or has a character
    IRIs forbid (as pyoxigraph refuses it)."""
    if text[:1] != "<" or text[-1:] != ">":
        raise BadData(f"not an IRI: {text[:200]!r}")
    iri = unescape(text[1:-1])
    if ":" not in iri or _NOT_IN_IRI.search(iri):
        raise BadData(f"not an absolute IRI: {text[:200]!r}")
    return iri


def _node(text: str) -> str:
    if text[:2] == "_:":
        if len(text) < 3 or " " in text:
            raise BadData(f"not a blank node: {text[:200]!r}")
        return text
    return _iri(text)


def _object(text: str) -> Term:
    """The object of an N-Triples line: an IRI, a blank node or a literal."""
    if text[:1] != '"':
        return _node(text)
    close = text.rfind('"')
    if close <= 0:
        raise BadData(f"unterminated literal: {text[:200]!r}")
    value, tail = unescape(text[1:close]), text[close + 1:]
    if not tail:
        return Lit(value)
    if tail[0] == "@" and _LANG.fullmatch(tail):
        return Lit(value, tail[1:].lower())
    if tail[:2] == "^^":
        datatype = _iri(tail[2:])
        return Lit(value, None, None if datatype == XSD_STRING else datatype)
    raise BadData(f"malformed literal: {text[:200]!r}")
