"""Validate mapped records against SHACL shapes sets and explain the results.

:class:`Validator` checks records in batches (one graph per batch, which is several times
faster than one graph per record), after :class:`~oogst.shapes.materialise.Preparation` has
typed the nodes and kept only the triples the shapes can see, then hands each SHACL result
back to the record it is about: the record whose heritage object is the focus node, or that
holds the focus node (a production, an identifier …). Each result
becomes a :class:`~oogst.records.Finding` whose Dutch and English messages come from the
shape's ``sh:message``, filled in with

``{label}``    the object's title or object number,
``{subject}``  "Het object 'label'" / "The object 'label'", or for a part of the object
               "Een productie van het object 'label'" (named after the property that links it),
``{source}``   the partner's field (``MappedRecord.source_paths``), else the OSLO path,
``{value}``    the offending value.

The SHACL engine (:mod:`oogst.shapes.engines`) is "native" (the shapes compiled into Python,
:mod:`oogst.shapes.native`; when the shapes use more of SHACL than it compiles, "auto"),
"pyshacl", "pyrudof" or "auto": pyrudof when it is installed *and* gives the same results as
pySHACL on a fixed calibration set (``shapes/calibration.nt``: records that pass and break
every acceptance rule), else pySHACL. The choice never depends on the records a process has
seen, and neither does a record's result: data that is not RDF is found by one parser
(pyoxigraph, whichever engine runs) and reported as ``mapping:error`` with the partner's
field; an engine that fails on data that parses is replaced, for that record, by the
reference engine.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from rdflib import SH, BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.term import Node

from ..errors import ConfigError
from ..records import Finding, MappedRecord, Report
from .engines import BadData, Engine, RawResult, engine_names, make_engine, rudof_available, syntax_error
from .materialise import Preparation
from .native import Unsupported

log = logging.getLogger(__name__)

SYNTAX_RULE = _SYNTAX_RULE = "mapping:error"  # the rule of a finding about triples that do not parse
_SEVERITY_ORDER = {"violation": 0, "warning": 1, "info": 2}


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
    """Validates mapped records against one or more shapes sets, parsed once.

    ``shapes`` is a set's name or file, or a list of them (validated together, in one pass).
    ``engine`` is one of :func:`~oogst.shapes.engines.engine_names`. ``batch_size`` records
    are validated together; by default 500 for pySHACL (a call costs much) and 50 for pyrudof
    (whose time per record grows with the batch).
    """

    def __init__(
        self,
        shapes: str | Path | Sequence[str | Path] = "acceptance",
        *,
        engine: str = "auto",
        batch_size: int | None = None,
    ) -> None:
        if engine not in engine_names():
            raise ConfigError(f"no SHACL engine {engine!r}", hint=f"choose one of: {', '.join(engine_names())}")
        if engine == "pyrudof" and not rudof_available():
            raise ConfigError("the SHACL engine pyrudof is not installed", hint="pip install 'pyrudof>=0.3.35,<0.4'")
        names = [shapes] if isinstance(shapes, (str, Path)) else list(shapes)
        self.shapes = Graph()
        for graph in map(load_shapes, names):
            self.shapes += graph
            for prefix, namespace in graph.namespaces():
                self.shapes.bind(prefix, namespace, override=False)
        self._prepare = Preparation.for_shapes(self.shapes)
        self.batch_size = batch_size
        self.requested_engine = engine
        self._engine: Engine | None = None
        self._reference: Engine | None = None  # pySHACL, for a record an engine fails on
        self._rules: dict[str, _Rule] = {}  # by shape, read when a result first names it
        self._names: dict[str, tuple[str, str]] | None = None  # property IRI → (nl, en) name

    @property
    def engine(self) -> str:
        """The engine in use: "pyshacl" or "pyrudof" ("auto" until the first batch decides)."""
        return self._engine.name if self._engine else self.requested_engine

    def validate(self, records: Sequence[MappedRecord]) -> dict[str, Report]:
        """One report per record, keyed by source id; a record without findings conforms."""
        reports = {record.source_id: Report(record.source_id) for record in records}
        if records:
            self._chosen()  # before batching: the batch size is the engine's
        for batch in self._batches(records):
            for record, finding in self._validate_batch(batch):
                reports[record.source_id].findings.append(finding)
        for report in reports.values():
            report.findings.sort(key=_finding_order)
        return reports

    # -- engines ---------------------------------------------------------------------------

    def _results(self, ntriples: str) -> list[RawResult]:
        if not ntriples.strip():
            return []  # nothing the shapes look at (no targets): nothing to find
        return self._chosen().results(ntriples)

    def _chosen(self) -> Engine:
        if self._engine is None and self.requested_engine != "auto":
            try:
                self._engine = make_engine(self.requested_engine, self.shapes)
            except Unsupported as exc:  # shapes beyond what the native engine compiles
                log.info("the native SHACL engine cannot run these shapes (%s); choosing another", exc)
                self.requested_engine = "auto"
        if self._engine is None:
            self._engine = self._choose_engine()
        return self._engine

    def _choose_engine(self) -> Engine:
        """pyrudof when it finds the very same results as pySHACL on the calibration set,
        else pySHACL: the same choice in every process of one installation."""
        reference = make_engine("pyshacl", self.shapes)
        chosen: Engine = reference
        if rudof_available():
            calibration = self._prepare(resources.files(__package__).joinpath("calibration.nt").read_text("utf-8"))
            expected = reference.results(calibration)
            try:
                fast = make_engine("pyrudof", self.shapes)
                found = fast.results(calibration)
            except Exception as exc:  # pyrudof is optional: any failure means "not this one"
                log.warning("pyrudof failed on the calibration records (%s); validating with pySHACL", exc)
            else:
                if {r.key for r in found} == {r.key for r in expected}:
                    chosen = fast
                else:
                    log.warning("pyrudof and pySHACL disagree on the calibration records (%d vs %d results); "
                                "validating with pySHACL", len(found), len(expected))
        log.info("SHACL engine: %s", chosen.name)
        return chosen

    # -- batches ---------------------------------------------------------------------------

    def _batches(self, records: Sequence[MappedRecord]) -> Iterator[list[MappedRecord]]:
        """Batches of at most ``batch_size`` whose objects have distinct IRIs, so that each
        result has one owner (two records of the same object go to different batches)."""
        batch: list[MappedRecord] = []
        iris: set[str] = set()
        for record in records:
            size = self.batch_size or (500 if self.engine == "pyshacl" else 50)
            if len(batch) >= size or record.iri in iris:
                yield batch
                batch, iris = [], set()
            batch.append(record)
            iris.add(record.iri)
        if batch:
            yield batch

    def _validate_batch(self, batch: list[MappedRecord]) -> Iterator[tuple[MappedRecord, Finding]]:
        prepared = self._prepare("".join(r.ntriples for r in batch))
        try:
            results = self._results(prepared)
        except BadData as exc:
            if len(batch) > 1:
                for record in batch:  # find the culprit; the others are validated as usual
                    yield from self._validate_batch([record])
                return
            (record,) = batch
            error = syntax_error(record.ntriples)
            if error is not None:
                yield record, self._syntax_finding(record, error)
                return
            # the data parses: the engine failed, not the data; the reference decides
            log.warning("%s failed on record %s, whose data parses (%s); validating it with pySHACL",
                        self.engine, record.source_id, exc)
            if self._reference is None:
                self._reference = make_engine("pyshacl", self.shapes)
            results = self._reference.results(prepared)
        owners = _Owners(batch)
        for result in results:
            records = owners.of(result.focus)
            if not records:
                log.warning("SHACL result for %s, which belongs to no record of the batch; ignored", result.focus)
            for record in records:
                yield record, self._finding(result, record, owners)

    # -- findings --------------------------------------------------------------------------

    def _finding(self, result: RawResult, record: MappedRecord, owners: _Owners) -> Finding:
        rule = self._rule(result.shape)
        sources = self._sources(rule, record)
        default = result.message or rule.id
        subject_nl, subject_en = self._subject(result.focus, record, owners)
        # a node shape's result has the focus node as its value: nothing to show the partner
        value = None if result.value == result.focus else result.value
        fields = {"label": record.label, "value": value or ""}
        return Finding(
            rule=rule.id,
            severity=result.severity,
            path=rule.path,
            source_path=" | ".join(sources) or None,
            message_nl=_fill(rule.message_nl or rule.message_en or default, subject=subject_nl,
                             source=" of ".join(sources) or rule.path or "", **fields),
            message_en=_fill(rule.message_en or rule.message_nl or default, subject=subject_en,
                             source=" or ".join(sources) or rule.path or "", **fields),
            value=value,
        )

    @staticmethod
    def _sources(rule: _Rule, record: MappedRecord) -> list[str]:
        """Where the partner fills in what the rule checks, in the partner's format: every
        alternative, or the deepest property of a sequence path that has a known field."""
        known = list(dict.fromkeys(record.source_paths[p] for p in rule.properties if p in record.source_paths))
        return known if rule.alternatives else known[-1:]

    def _subject(self, focus: str, record: MappedRecord, owners: _Owners) -> tuple[str, str]:
        """The thing a result is about, as the start of a sentence in Dutch and English."""
        if focus == record.iri:
            return f"Het object '{record.label}'", f"The object '{record.label}'"
        name = self._property_names().get(owners.link(record, focus) or "")
        if name is None:
            return (f"Een onderdeel ({focus}) van het object '{record.label}'",
                    f"A part ({focus}) of the object '{record.label}'")
        article = "An" if name[1][:1] in "aeiou" else "A"
        return f"Een {name[0]} van het object '{record.label}'", f"{article} {name[1]} of the object '{record.label}'"

    def _property_names(self) -> dict[str, tuple[str, str]]:
        """Property IRI → its name (nl, en), from the ``sh:name`` of the shapes on that path."""
        if self._names is None:
            self._names = {}
            for shape, path in sorted(self.shapes.subject_objects(SH.path)):
                names = {n.language: str(n) for n in self.shapes.objects(shape, SH.name) if isinstance(n, Literal)}
                if isinstance(path, URIRef) and "nl" in names and "en" in names:
                    self._names.setdefault(str(path), (names["nl"], names["en"]))
        return self._names

    @staticmethod
    def _syntax_finding(record: MappedRecord, error: tuple[str, str | None]) -> Finding:
        """What the parser found, at the partner's field of the line it stopped at."""
        message, predicate = error
        source = record.source_paths.get(predicate or "")
        where_nl = f" (veld {source})" if source else ""
        where_en = f" (field {source})" if source else ""
        return Finding(
            rule=_SYNTAX_RULE,
            severity="violation",
            path=None,
            source_path=source,
            message_nl=f"Het record van het object '{record.label}' kon niet omgezet worden naar geldige RDF"
            f"{where_nl}: {message}. Meld het aan de beheerder van oogst, met het record.",
            message_en=f"The record of the object '{record.label}' could not be mapped to valid RDF"
            f"{where_en}: {message}. Please report it to the oogst administrator, with the record.",
        )

    # -- reading the shapes ----------------------------------------------------------------

    def _rule(self, shape: str) -> _Rule:
        if shape not in self._rules:
            node = BNode(shape[2:]) if shape.startswith("_:") else URIRef(shape)
            self._rules[shape] = self._read_rule(node)
        return self._rules[shape]

    def _read_rule(self, shape: URIRef | BNode) -> _Rule:
        graph = self.shapes
        messages = {m.language: str(m) for m in graph.objects(shape, SH.message) if isinstance(m, Literal)}
        properties, alternatives, text = self._path(self._shape_path(shape))
        return _Rule(
            id=self._name(shape) if (shape, None, None) in graph else "shape",
            path=text,
            properties=properties,
            alternatives=alternatives,
            message_nl=messages.get("nl"),
            message_en=messages.get("en") or messages.get(None),
        )

    def _shape_path(self, shape: Node) -> Node | None:
        """The shape's path; for a node shape, the path of a property shape in its sh:or or
        sh:and (such as a rule with an exception: "P or else a class")."""
        path = self.shapes.value(shape, SH.path)
        if path is not None:
            return path
        for combinator in (SH["or"], SH["and"]):
            for members in self.shapes.objects(shape, combinator):
                for member in Collection(self.shapes, members):
                    path = self.shapes.value(member, SH.path)
                    if path is not None:
                        return path
        return None

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


class _Owners:
    """Which records of a batch a focus node belongs to, and how it hangs off the object."""

    def __init__(self, batch: list[MappedRecord]) -> None:
        self._by_iri = {record.iri: record for record in batch}
        self._batch = batch
        self._mentions: dict[str, list[MappedRecord]] | None = None
        self._links: dict[str, dict[str, str]] = {}

    def of(self, focus: str) -> list[MappedRecord]:
        """The heritage object's record; for a node inside a record (``{object}#production-1``)
        that record; otherwise every record whose triples name the node (a shared agent, an
        image …)."""
        record = self._by_iri.get(focus) or self._by_iri.get(focus.split("#", 1)[0])
        if record is not None:
            return [record]
        if self._mentions is None:
            self._mentions = {}
            for candidate in self._batch:
                for line in candidate.ntriples.split("\n"):
                    parts = line.split(" ", 2)
                    if len(parts) < 3:
                        continue
                    subject, _, value = parts
                    value = value.rstrip().removesuffix(".").rstrip()
                    for term in (subject, value):
                        if term[:1] == "<":
                            owners = self._mentions.setdefault(term[1:-1], [])
                            if not owners or owners[-1] is not candidate:
                                owners.append(candidate)
        return self._mentions.get(focus, [])

    def link(self, record: MappedRecord, focus: str) -> str | None:
        """The property that links the record's object to ``focus``, if one does."""
        links = self._links.get(record.source_id)
        if links is None:
            links = self._links[record.source_id] = {}
            start = f"<{record.iri}> "
            for line in record.ntriples.split("\n"):
                if line.startswith(start):
                    _, prop, value = line.split(" ", 2)
                    value = value.rstrip().removesuffix(".").rstrip()
                    if value[:1] == "<":
                        links.setdefault(value[1:-1], prop[1:-1])
        return links.get(focus)


def _finding_order(finding: Finding) -> tuple[int, str, str, str]:
    """Violations first, then by rule, value and message (so that the order is the same
    whichever engine found them)."""
    return _SEVERITY_ORDER.get(finding.severity, 3), finding.rule, finding.value or "", finding.message_en


def _fill(template: str, **fields: str) -> str:
    for name, value in fields.items():
        template = template.replace("{" + name + "}", value)
    return template
