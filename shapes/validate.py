"""Validate mapped records against a SHACL shapes set and explain the results.

:class:`Validator` checks records in batches (one graph per batch, which is several times
faster than one graph per record), then hands each SHACL result back to the record whose
heritage object is its focus node. Each result becomes a :class:`~oogst.records.Finding`
whose Dutch and English messages come from the shape's ``sh:message``, filled in with the
object's label, the partner's field (``MappedRecord.source_paths``) and the bad value.

pySHACL does the validating; it stays behind this class, so a faster engine can replace it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import pyshacl
from rdflib import RDF, SH, BNode, Graph, Literal, URIRef
from rdflib.term import Node
from rdflib.collection import Collection
from rdflib.exceptions import ParserError

from ..errors import ConfigError
from ..records import Finding, MappedRecord, Report
from .materialise import materialise_types

log = logging.getLogger(__name__)

_SEVERITIES: dict[Node | None, str] = {SH.Violation: "violation", SH.Warning: "warning", SH.Info: "info"}
_SYNTAX_RULE = "oogst:rdf"


@dataclass(frozen=True, slots=True)
class _Rule:
    """What a shape says, read once from the shapes graph."""

    id: str
    path: str | None  # the OSLO path, with prefixes: "crm:P108i_was_produced_by/crm:P4_has_time-span"
    properties: tuple[str, ...]  # property IRIs whose source path names the partner's field
    alternatives: bool  # properties are alternatives (all are named) or a sequence (the deepest)
    message_nl: str | None
    message_en: str | None


def available_shapes() -> list[str]:
    """Names of the shapes sets shipped with oogst (``shapes/<name>.ttl``)."""
    return sorted(p.name[:-4] for p in resources.files(__package__).iterdir() if p.name.endswith(".ttl"))


def load_shapes(shapes: str | Path) -> Graph:
    """A shapes graph: a set shipped with oogst by name ("acceptance") or a Turtle file."""
    if isinstance(shapes, str) and shapes in available_shapes():
        source = resources.files(__package__).joinpath(f"{shapes}.ttl").read_text("utf-8")
        return Graph().parse(data=source, format="turtle")
    path = Path(shapes)
    if not path.is_file():
        raise ConfigError(
            f"no shapes {str(shapes)!r}",
            hint=f"give a Turtle file or one of: {', '.join(available_shapes())}",
        )
    try:
        return Graph().parse(path, format="turtle")
    except Exception as exc:  # rdflib raises several types for bad Turtle
        raise ConfigError(f"cannot read shapes {path}: {exc}") from exc


class Validator:
    """Validates mapped records against one shapes set, parsed once."""

    def __init__(self, shapes: str | Path = "acceptance", *, batch_size: int = 500) -> None:
        self.shapes = load_shapes(shapes)
        self.batch_size = batch_size
        self._rules: dict[Node | None, _Rule] = {}  # by shape, read when a result first names it

    def validate(self, records: Sequence[MappedRecord]) -> dict[str, Report]:
        """One report per record, keyed by source id; a record without findings conforms."""
        reports = {record.source_id: Report(record.source_id) for record in records}
        for batch in self._batches(records):
            for record, finding in self._validate_batch(batch):
                reports[record.source_id].findings.append(finding)
        for report in reports.values():
            report.findings.sort(key=lambda f: (f.rule, f.value or ""))
        return reports

    # -- batches ---------------------------------------------------------------------------

    def _batches(self, records: Sequence[MappedRecord]) -> Iterator[list[MappedRecord]]:
        """Batches of at most ``batch_size`` whose objects have distinct IRIs, so that each
        result has one owner (two records of the same object go to different batches)."""
        batch: list[MappedRecord] = []
        iris: set[str] = set()
        for record in records:
            if len(batch) >= self.batch_size or record.iri in iris:
                yield batch
                batch, iris = [], set()
            batch.append(record)
            iris.add(record.iri)
        if batch:
            yield batch

    def _validate_batch(self, batch: list[MappedRecord]) -> Iterator[tuple[MappedRecord, Finding]]:
        graph = Graph()
        try:
            graph.parse(data="".join(r.ntriples for r in batch), format="nt")
        except ParserError:
            graph = Graph()
            for record in batch:  # find the culprit; the others are validated as usual
                try:
                    graph += Graph().parse(data=record.ntriples, format="nt")
                except ParserError as exc:
                    yield record, self._syntax_finding(record, exc)
        materialise_types(graph)
        _, results, _ = pyshacl.validate(
            graph,
            shacl_graph=self.shapes,
            inference="none",
            allow_warnings=True,
            allow_infos=True,
            inplace=True,
        )
        owners = {URIRef(record.iri): record for record in batch}
        for result in results.subjects(RDF.type, SH.ValidationResult):
            focus = results.value(result, SH.focusNode)
            owner = owners.get(focus) if isinstance(focus, URIRef) else None
            if owner is None:
                log.warning("SHACL result for %s, which is no record's object; ignored", focus)
                continue
            yield owner, self._finding(results, result, owner)

    # -- findings --------------------------------------------------------------------------

    def _finding(self, results: Graph, result: Node, record: MappedRecord) -> Finding:
        shape = results.value(result, SH.sourceShape)
        if shape not in self._rules:
            self._rules[shape] = self._read_rule(shape)
        rule = self._rules[shape]
        value = results.value(result, SH.value)
        default = str(results.value(result, SH.resultMessage) or rule.id)
        sources = self._sources(rule, record)
        fields = {"label": record.label, "value": "" if value is None else str(value)}
        return Finding(
            rule=rule.id,
            severity=_SEVERITIES.get(results.value(result, SH.resultSeverity), "violation"),
            path=rule.path,
            source_path=" | ".join(sources) or None,
            message_nl=_fill(
                rule.message_nl or rule.message_en or default, source=" of ".join(sources) or rule.path or "", **fields
            ),
            message_en=_fill(
                rule.message_en or rule.message_nl or default, source=" or ".join(sources) or rule.path or "", **fields
            ),
            value=fields["value"] or None,
        )

    @staticmethod
    def _sources(rule: _Rule, record: MappedRecord) -> list[str]:
        """Where the partner fills in what the rule checks, in the partner's format: every
        alternative, or the deepest property of a sequence path that has a known field."""
        known = list(dict.fromkeys(record.source_paths[p] for p in rule.properties if p in record.source_paths))
        return known if rule.alternatives else known[-1:]

    @staticmethod
    def _syntax_finding(record: MappedRecord, exc: Exception) -> Finding:
        return Finding(
            rule=_SYNTAX_RULE,
            severity="violation",
            path=None,
            source_path=None,
            message_nl=f"De gegevens van het object '{record.label}' konden niet als RDF gelezen worden "
            f"({exc}). Dit is een fout in oogst, niet in je collectiegegevens: meld het aan de beheerder.",
            message_en=f"The data of the object '{record.label}' could not be read as RDF ({exc}). "
            "This is a bug in oogst, not in your collection data: please report it to the administrator.",
        )

    # -- reading the shapes ----------------------------------------------------------------

    def _read_rule(self, shape: Node | None) -> _Rule:
        graph = self.shapes
        messages = {m.language: str(m) for m in graph.objects(shape, SH.message) if isinstance(m, Literal)}
        path = graph.value(shape, SH.path) if shape is not None else None
        properties, alternatives, text = self._path(path)
        return _Rule(
            id=self._name(shape) if isinstance(shape, (URIRef, BNode)) else "shape",
            path=text,
            properties=properties,
            alternatives=alternatives,
            message_nl=messages.get("nl"),
            message_en=messages.get("en") or messages.get(None),
        )

    def _path(self, path: Node | None) -> tuple[tuple[str, ...], bool, str | None]:
        """A SHACL path → (its property IRIs, whether they are alternatives, readable text)."""
        if isinstance(path, URIRef):
            return (str(path),), False, self._name(path)
        if not isinstance(path, BNode):
            return (), False, None
        alternatives = self.shapes.value(path, SH.alternativePath)
        members = Collection(self.shapes, alternatives if alternatives is not None else path)
        iris = tuple(str(p) for p in members if isinstance(p, URIRef))
        if not iris:  # inverse, zero-or-more … paths: no single property to name
            return (), False, None
        separator = "|" if alternatives is not None else "/"
        return iris, alternatives is not None, separator.join(self._name(URIRef(p)) for p in iris)

    def _name(self, node: URIRef | BNode) -> str:
        if isinstance(node, BNode):
            return f"_:{node}"
        try:
            return self.shapes.namespace_manager.normalizeUri(node).strip("<>")
        except ValueError:  # rdflib cannot split every IRI into prefix and name
            return str(node)


def _fill(template: str, **fields: str) -> str:
    for name, value in fields.items():
        template = template.replace("{" + name + "}", value)
    return template
