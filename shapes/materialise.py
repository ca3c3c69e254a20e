"""Type the nodes of a record graph the way the OSLO shapes expect, before validation.

The mappers type every node as the OSLO profile types it; records from elsewhere (a file a
user validates, a graph written before mapping version 3) may not. The OSLO shapes need, in
two steps:

1. every node gets the class the OSLO property pointing to it implies (the same table as
   ``mapping/vocab.NODE_CLASSES``, kept here as the shapes room may not import mapping): an identifier node is
   an ``adms:Identifier``, an AAT term a ``skos:Concept``, an acquisition an ``E8`` …
   (:data:`RANGES`, the ranges of the OSLO application profile that are the same wherever
   the property is used; for ``ce:Rol`` the domain);
2. every typed node also gets its CIDOC-CRM superclasses (an E12 Production is an E7
   Activity, an E5 Event …), from ``crm-superclasses.json``, a table generated once from the
   CIDOC-CRM 7.1.3 RDFS by ``shapes/generate.py``.

Only IRI and blank-node values are typed, never literals; no other inference is done (full
RDFS makes OSLO validation worse, see oslo-model.md §2). :class:`Preparation` does the same
for a validator, keeping only the triples and types its shapes can see. Record graphs carry
no ``rdfs:subClassOf`` triples of their own (the mappers write none).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from functools import cache
from importlib import resources

from rdflib import RDF, RDFS, SH, BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.term import Node

_CRM = "http://www.cidoc-crm.org/cidoc-crm/"
_CE = "https://data.vlaanderen.be/ns/cultureel-erfgoed#"
_CONCEPT = "http://www.w3.org/2004/02/skos/core#Concept"
_AGENT = "http://purl.org/dc/terms/Agent"

# property → (class of its subject, class of its object); None: not inferred
RANGES: dict[str, tuple[str | None, str | None]] = {
    "http://www.w3.org/ns/adms#identifier": (None, "http://www.w3.org/ns/adms#Identifier"),
    _CRM + "P1_is_identified_by": (None, "http://www.w3.org/ns/adms#Identifier"),
    _CRM + "P129i_is_subject_of": (None, "http://www.ics.forth.gr/isl/CRMdig/D1_Digital_Object"),
    _CRM + "P7_took_place_at": (None, "http://www.w3.org/ns/prov#Location"),
    _CRM + "P55_has_current_location": (None, "http://www.w3.org/ns/prov#Location"),
    "https://schema.org/unitCode": (None, "https://data.vlaanderen.be/ns/generiek#StandaardEenheid"),
    _CE + "Rol.agent": (_CE + "Rol", _AGENT),
    _CE + "Rol.activiteit": (_CE + "Rol", None),
    **{
        _CRM + name: (None, _CRM + cls)
        for name, cls in (
            ("P41i_was_classified_by", "E17_Type_Assignment"),
            ("P108i_was_produced_by", "E12_Production"),
            ("P43_has_dimension", "E54_Dimension"),
            ("P104_is_subject_to", "E30_Right"),
            ("P24i_changed_ownership_through", "E8_Acquisition"),
            ("P30i_custody_transferred_through", "E10_Transfer_of_Custody"),
            ("P25i_moved_by", "E9_Move"),
            ("P31i_was_modified_by", "E11_Modification"),
            ("P34i_was_assessed_by", "E14_Condition_Assessment"),
            ("P13i_was_destroyed_by", "E6_Destruction"),
            ("P12i_was_present_at", "E5_Event"),
            ("P110i_was_augmented_by", "E79_Part_Addition"),
            ("P112i_was_diminished_by", "E80_Part_Removal"),
            ("P44_has_condition", "E3_Condition_State"),
            ("P128_carries", "E73_Information_Object"),
            ("P138i_has_representation", "E36_Visual_Item"),
            ("P70i_is_documented_in", "E31_Document"),
            ("P39i_was_measured_by", "E16_Measurement"),
            ("P140i_was_attributed_by", "E13_Attribute_Assignment"),
            ("P94i_was_created_by", "E65_Creation"),
            ("P62_depicts", "E1_CRM_Entity"),
        )
    },
    **{
        _CRM + name: (None, _CONCEPT)
        for name in (
            "P2_has_type",
            "P42_assigned",
            "P45_consists_of",
            "P32_used_general_technique",
            "P14.1_in_the_role_of",
        )
    },
    **{
        _CRM + name: (None, _AGENT)
        for name in (
            "P14_carried_out_by",
            "P11_had_participant",
            "P22_transferred_title_to",
            "P23_transfered_title_from",
            "P28_custody_surrendered_by",
            "P29_custody_received_by",
            "P50_has_current_keeper",
            "P52_has_current_owner",
            "P75i_is_possessed_by",
        )
    },
}
_TYPE = f"<{RDF.type}>"
_RANGE_TERMS = {f"<{p}>": (f"<{d}>" if d else None, f"<{r}>" if r else None) for p, (d, r) in RANGES.items()}


@cache
def superclasses() -> dict[str, tuple[str, ...]]:
    """Class IRI → the IRIs of its CIDOC-CRM superclasses (read once from the package)."""
    text = resources.files(__package__).joinpath("crm-superclasses.json").read_text("utf-8")
    return {cls: tuple(supers) for cls, supers in json.loads(text).items()}


@cache
def _superclass_terms() -> dict[str, tuple[str, ...]]:
    return {f"<{cls}>": tuple(f"<{s}>" for s in supers) for cls, supers in superclasses().items()}


def materialise_types(data: str | Graph) -> str | Graph:
    """Add the ``rdf:type`` triples that :data:`RANGES` and the CRM superclasses imply.

    ``data`` is N-Triples text (a new text is returned, the added lines at the end) or an
    rdflib graph (changed in place and returned).
    """
    if isinstance(data, Graph):
        return _materialise_graph(data)
    return Preparation()(data)


class Preparation:
    """Turns record N-Triples into the data graph a shapes set needs: typed as above, and cut
    down to what the shapes can see (validating less data is faster, and gives the same results).

    ``predicates`` (N-Triples terms) are the properties the shapes' paths use; the other
    triples are left out. ``classes`` are the classes the shapes target or require
    (``sh:targetClass``, ``sh:class``); other types are left out too. When every shape is
    reached from a class target along plain paths, ``steps`` says which properties the paths
    follow at each step from a focus node (an instance of one of ``targets``), and only the
    triples on those paths are kept. ``None`` keeps everything: all triples, and every type
    that can be inferred.
    """

    def __init__(self, predicates: frozenset[str] | None = None, classes: frozenset[str] | None = None,
                 steps: tuple[frozenset[str], ...] | None = None, targets: frozenset[str] = frozenset()) -> None:
        self.predicates = predicates
        self.classes = classes
        self.steps = steps
        self.targets = targets
        self._types: dict[str, tuple[str, ...]] = {}  # class → it and its superclasses, the wanted ones
        # property → (types of its subject, types of its object), superclasses included;
        # properties that imply no wanted type are left out
        self._ranges = {
            p: (self._expand(d), self._expand(r))
            for p, (d, r) in _RANGE_TERMS.items()
            if self._expand(d) or self._expand(r)
        }

    def _expand(self, cls: str | None) -> tuple[str, ...]:
        if cls is None:
            return ()
        found = self._types.get(cls)
        if found is None:
            wanted = self.classes
            found = self._types[cls] = tuple(
                c for c in (cls, *_superclass_terms().get(cls, ())) if wanted is None or c in wanted
            )
        return found

    @classmethod
    def for_shapes(cls, shapes: Graph) -> Preparation:
        """The preparation a shapes graph needs (everything, if it has closed shapes or
        SPARQL constraints, which may look at any triple)."""
        if (None, SH.closed, Literal(True)) in shapes or (None, SH.sparql, None) in shapes:
            return cls()
        predicates = {RDF.type, RDFS.subClassOf}
        paths = list(shapes.objects(None, SH.path))
        while paths:
            path = paths.pop()
            if isinstance(path, URIRef):
                if path != RDF.nil:
                    predicates.add(path)
            elif isinstance(path, BNode):
                paths += [o for p, o in shapes.predicate_objects(path) if p in _PATH_LINKS]
        for link in _PREDICATE_PARAMETERS:
            predicates.update(o for o in shapes.objects(None, link) if isinstance(o, URIRef))
        targets = set(shapes.objects(None, SH.targetClass))
        targets |= set(shapes.subjects(RDF.type, RDFS.Class)) & set(shapes.subjects(RDF.type, SH.NodeShape))
        classes = targets | set(shapes.objects(None, SH["class"]))
        steps = _path_steps(shapes)

        def terms(iris: Iterable[Node]) -> frozenset[str]:
            return frozenset(f"<{i}>" for i in iris)

        return cls(terms(predicates), terms(classes), None if steps is None else tuple(map(terms, steps)),
                   terms(targets))

    def __call__(self, ntriples: str) -> str:
        keep_all, predicates, ranges, steps = self.predicates is None, self.predicates, self._ranges, self.steps
        expand, expanded = self._expand, self._types
        kept: dict[str, None] = {}
        by_subject: dict[str, list[tuple[str, str, str]]] = {}  # subject → (predicate, rest, line)
        types: dict[tuple[str, str], None] = {}  # (node, class) as N-Triples terms, in order
        stated: set[tuple[str, str]] = set()
        for line in ntriples.split("\n"):  # not splitlines: a literal may hold U+2028, NEL … unescaped
            # The mappers write "<s> <p> <o> ." with single spaces. A line written otherwise
            # is not understood here, and kept whole (the engine parses it properly).
            try:
                subject, predicate, rest = line.split(" ", 2)
            except ValueError:
                if line.strip() and not line.lstrip().startswith("#"):
                    kept[line] = None
                continue
            if predicate == _TYPE:  # the mappers type every node: most of these are not wanted
                cls = rest[:-2] if rest[-2:] == " ." else _object(rest)
                wanted = expanded.get(cls)
                if wanted is None:
                    wanted = expand(cls)
                if keep_all:
                    stated.add((subject, cls))
                for c in wanted:
                    types[subject, c] = None
                continue
            if keep_all:
                pass
            elif not (rest.endswith(_COMPLETE) or _well_formed(rest)):
                kept[line] = None  # a broken line is kept, so that the engine reports it
            elif predicate in predicates:
                if steps is None:
                    kept[line] = None
                else:
                    by_subject.setdefault(subject, []).append((predicate, rest, line))
            kinds = ranges.get(predicate)
            if kinds is None:
                continue
            for c in kinds[0]:
                types[subject, c] = None
            if kinds[1]:
                value = rest[:-2] if rest[-2:] == " ." else _object(rest)
                if value[:1] in ("<", "_"):  # an IRI or a blank node, not a literal
                    for c in kinds[1]:
                        types[value, c] = None
        added = [f"{node} {_TYPE} {cls} .\n" for node, cls in types if not (keep_all and (node, cls) in stated)]
        if keep_all:
            text = ntriples if not ntriples or ntriples.endswith("\n") else ntriples + "\n"
            return text + "".join(added)
        if steps is not None:  # follow the paths from the focus nodes
            frontier = {node for node, cls in types if cls in self.targets}
            for allowed in steps:
                following: set[str] = set()
                for node in frontier:
                    for predicate, rest, line in by_subject.get(node, ()):
                        if predicate in allowed:
                            kept[line] = None
                            following.add(rest[:-2] if rest[-2:] == " ." else _object(rest))
                frontier = following
        return "".join(line + "\n" for line in kept) + "".join(added)


def _path_steps(shapes: Graph) -> list[set[Node]] | None:
    """The properties the shapes follow at each step from a focus node, when every shape hangs
    off a class target by plain paths (properties, sequences and alternatives of them); else
    None (inverse or repeated paths, other targets)."""
    if any((None, p, None) in shapes for p in (SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)):
        return None
    steps: list[set[Node]] = []
    roots = set(shapes.subjects(SH.targetClass, None))
    roots |= set(shapes.subjects(RDF.type, RDFS.Class)) & set(shapes.subjects(RDF.type, SH.NodeShape))
    todo = [(shape, 0) for shape in roots]
    seen: set[tuple[Node, int]] = set()
    while todo:
        shape, depth = todo.pop()
        if (shape, depth) in seen:
            continue
        seen.add((shape, depth))
        if depth > _MAX_DEPTH:
            return None  # shapes that refer to themselves
        while len(steps) <= depth:
            steps.append(set())
        steps[depth].update(o for link in _PREDICATE_PARAMETERS[2:] for o in shapes.objects(shape, link))
        path = shapes.value(shape, SH.path)
        sequence = [] if path is None else _sequence(shapes, path)
        if sequence is None:
            return None
        for i, alternatives in enumerate(sequence):
            while len(steps) <= depth + i:
                steps.append(set())
            steps[depth + i].update(alternatives)
        values = depth + len(sequence)  # where the shape's value nodes are
        for link in (SH.property, SH.node, SH.qualifiedValueShape, SH["not"]):
            todo += [(child, values) for child in shapes.objects(shape, link)]
        for link in (SH["and"], SH["or"], SH.xone):
            for members in shapes.objects(shape, link):
                todo += [(member, values) for member in Collection(shapes, members)]
    return steps


def _sequence(shapes: Graph, path: Node) -> list[set[Node]] | None:
    """A plain SHACL path as the properties of each step; None for any other path."""
    if isinstance(path, URIRef):
        return [{path}]
    alternatives = shapes.value(path, SH.alternativePath)
    if alternatives is not None:
        members = list(Collection(shapes, alternatives))
        return [set(members)] if all(isinstance(m, URIRef) for m in members) else None
    if (path, RDF.first, None) in shapes:
        steps: list[set[Node]] = []
        for member in Collection(shapes, path):
            part = _sequence(shapes, member)
            if part is None:
                return None
            steps += part
        return steps
    return None


_MAX_DEPTH = 16


# What links the parts of a SHACL path, and the parameters whose values are properties.
_PATH_LINKS = frozenset({RDF.first, RDF.rest, SH.alternativePath, SH.inversePath, SH.zeroOrMorePath,
                         SH.oneOrMorePath, SH.zeroOrOnePath})
_PREDICATE_PARAMETERS = (SH.targetSubjectsOf, SH.targetObjectsOf, SH.equals, SH.disjoint, SH.lessThan,
                         SH.lessThanOrEquals)


_COMPLETE = ("> .", '" .')  # how most complete lines end (an IRI, a plain literal)


def _object(rest: str) -> str:
    return rest[:-2] if rest.endswith(" .") else rest.rstrip().removesuffix(".").rstrip()


def _well_formed(rest: str) -> bool:
    """A quick look at the object of an N-Triples line that is not validated: is it complete?"""
    value = rest.rstrip()
    if not value.endswith("."):
        return False
    value = value[:-1].rstrip()
    first = value[:1]
    if first == "<":
        return value[-1] == ">" and " " not in value
    if first == '"':
        return len(value) > 1 and (value[-1] == '"' or '"@' in value[1:] or '"^^<' in value[1:])
    return value[:2] == "_:"


def _materialise_graph(graph: Graph) -> Graph:
    for prop, (domain, range_) in RANGES.items():
        for subject, obj in list(graph.subject_objects(URIRef(prop))):
            if domain:
                graph.add((subject, RDF.type, URIRef(domain)))
            if range_ and isinstance(obj, (URIRef, BNode)):
                graph.add((obj, RDF.type, URIRef(range_)))
    supers = superclasses()
    for node, cls in list(graph.subject_objects(RDF.type)):
        for parent in supers.get(str(cls), ()):
            graph.add((node, RDF.type, URIRef(parent)))
    return graph
