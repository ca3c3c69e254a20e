"""The SHACL engines behind :class:`~oogst.shapes.validate.Validator`.

An engine validates one batch of N-Triples text against the shapes it was built with and
returns the raw results; turning them into findings is the validator's job. The engines:

``pyshacl``
    pySHACL over an rdflib graph: the reference, slow (about 500 records/s in batches).
``pyrudof``
    rudof (Rust) through pyrudof 0.3.x: several times faster. The data is staged on top of
    one dummy triple (``begin_staging`` → ``read_data(merge=True)`` → ``validate_shacl`` →
    ``rollback_staging``), because replacing the data (``merge=False``) costs about 60 ms a
    call (performance.md).

``native``
    the shapes compiled into Python closures (:mod:`oogst.shapes.native`): the part of SHACL
    Core that oogst's shapes use, about ten times faster than pyrudof on the OSLO profile.

``auto`` (see :func:`engine_names`) is the validator's choice between pyrudof and pySHACL.
"""

from __future__ import annotations

import importlib.util
import logging
import re
from dataclasses import dataclass
from typing import Protocol

import pyoxigraph
from rdflib import RDF, SH, BNode, Graph
from rdflib.exceptions import ParserError

log = logging.getLogger(__name__)

_SEVERITIES = {str(SH.Violation): "violation", str(SH.Warning): "warning", str(SH.Info): "info",
               "Violation": "violation", "Warning": "warning", "Info": "info"}
# The triple the rudof session always holds, so that each batch is merged and rolled back.
_DUMMY = "<urn:oogst:validator> <urn:oogst:validator> <urn:oogst:validator> .\n"


class BadData(Exception):
    """The batch is not valid N-Triples (or the engine could not read it)."""


_LINE = re.compile(r"line (\d+)")


def syntax_error(ntriples: str) -> tuple[str, str | None] | None:
    """Why ``ntriples`` is not valid N-Triples, as (message, IRI of the predicate of the
    line the parser stopped at, if it can tell), or None when it is valid. pyoxigraph is the
    one judge, whatever engine validates: the store reads records with the same parser."""
    try:
        for _ in pyoxigraph.parse(ntriples, format=pyoxigraph.RdfFormat.N_TRIPLES):
            pass
    except SyntaxError as exc:
        message = str(exc)
        found = _LINE.search(message)
        lines = ntriples.split("\n")
        predicate = None
        if found and 0 < int(found.group(1)) <= len(lines):
            parts = lines[int(found.group(1)) - 1].split(" ", 2)
            if len(parts) > 1 and parts[1].startswith("<") and parts[1].endswith(">"):
                predicate = parts[1][1:-1]
        return message, predicate
    return None


@dataclass(frozen=True, slots=True)
class RawResult:
    """One SHACL validation result, engine-neutral: terms as strings (IRIs without brackets,
    literals as their lexical form, blank nodes as ``_:id``)."""

    focus: str
    shape: str
    severity: str  # violation | warning | info
    value: str | None
    message: str | None  # the engine's own message, used when the shape has no sh:message

    @property
    def key(self) -> tuple[str, str, str, str | None]:
        """What two engines must agree on."""
        return self.focus, self.shape, self.severity, self.value


class Engine(Protocol):
    name: str

    def results(self, ntriples: str) -> list[RawResult]:
        """Validate the batch; raise :class:`BadData` when it does not parse."""
        ...


def engine_names() -> list[str]:
    """The engines a validator can be built with, "auto" first."""
    return ["auto", "native", "pyshacl", "pyrudof"]


def rudof_available() -> bool:
    return importlib.util.find_spec("pyrudof") is not None


def make_engine(name: str, shapes: Graph) -> Engine:
    """An engine by name; "native" raises :class:`~oogst.shapes.native.Unsupported` for shapes
    beyond the part of SHACL it compiles."""
    if name == "native":
        from .native import NativeEngine

        return NativeEngine(shapes)
    if name == "pyshacl":
        return PyshaclEngine(shapes)
    if name == "pyrudof":
        return RudofEngine(shapes)
    raise ValueError(f"unknown SHACL engine {name!r}")


class PyshaclEngine:
    name = "pyshacl"

    def __init__(self, shapes: Graph) -> None:
        self.shapes = shapes

    def results(self, ntriples: str) -> list[RawResult]:
        import pyshacl

        error = syntax_error(ntriples)  # rdflib reads more than RDF allows: the same judge as pyrudof
        if error is not None:
            raise BadData(error[0])
        try:
            graph = Graph().parse(data=ntriples, format="nt")
        except ParserError as exc:
            raise BadData(str(exc)) from exc
        _, report, _ = pyshacl.validate(graph, shacl_graph=self.shapes, inference="none", allow_warnings=True,
                                        allow_infos=True, inplace=True)
        out = []
        for result in report.subjects(RDF.type, SH.ValidationResult):
            value = report.value(result, SH.value)
            message = report.value(result, SH.resultMessage)
            out.append(RawResult(
                focus=_term(report.value(result, SH.focusNode)),
                shape=_term(report.value(result, SH.sourceShape)),
                severity=_SEVERITIES.get(str(report.value(result, SH.resultSeverity)), "violation"),
                value=None if value is None else _term(value),
                message=None if message is None else str(message),
            ))
        return out


class RudofEngine:
    name = "pyrudof"

    def __init__(self, shapes: Graph) -> None:
        import pyrudof

        self._pyrudof = pyrudof
        self._rudof = pyrudof.Rudof(pyrudof.RudofConfig())
        self._rudof.read_shacl(shapes.serialize(format="turtle"), pyrudof.ShaclFormat.Turtle)
        self._rudof.read_data(_DUMMY, pyrudof.RDFFormat.NTriples)

    def results(self, ntriples: str) -> list[RawResult]:
        rudof, pyrudof = self._rudof, self._pyrudof
        rudof.begin_staging()
        try:
            try:
                rudof.read_data(ntriples, pyrudof.RDFFormat.NTriples, reader_mode=pyrudof.ReaderMode.Strict,
                                merge=True)
            except pyrudof.RudofError as exc:
                raise BadData(str(exc)) from exc
            report = rudof.validate_shacl()
        finally:
            rudof.rollback_staging()
        return [
            RawResult(
                focus=_rudof_term(entry.focus_node),
                shape=_rudof_term(entry.source_shape),
                severity=_SEVERITIES.get(entry.severity, "violation"),
                value=None if entry.value is None else _rudof_term(entry.value),
                message=entry.message,
            )
            for entry in report
        ]


def _term(node: object) -> str:
    return f"_:{node}" if isinstance(node, BNode) else str(node)


_LITERAL = re.compile(r'^"(.*)"(?:@[A-Za-z0-9-]+|\^\^\S+)?$', re.S)


def _rudof_term(text: str) -> str:
    """rudof writes a literal as ``"v"@nl`` or ``"v"^^xsd:decimal`` (the lexical form not
    escaped), an IRI bare or in brackets: the same strings :func:`_term` makes of rdflib terms."""
    literal = _LITERAL.match(text)
    if literal:
        return literal.group(1)
    if text.startswith("<") and text.endswith(">"):
        return text[1:-1]
    return text
