"""The aggregate as a Linked Data Event Stream (LDES, TREE): the pages of the event log.

Members. Every event of the state's log is one member, a *version* object:
``<version> dcterms:isVersionOf <object> ; prov:generatedAtTime "…"^^xsd:dateTime``, with the
record graph as it was published in the named graph ``<version>`` (the LDES member
extraction takes "all quads in the named graph of the member"; a record's nested nodes are
IRIs, so a description by subject alone would lose them). A withdrawal is a tombstone:
``<version> a as:Delete`` and no graph (``ldes:versionDeleteObject as:Delete``).

Search tree. A view (everything, one feed, one data provider) is a B-tree over the places of
its events: a *page* (level 0) holds ``page_size`` consecutive members, a node of level L
links to ``fanout`` nodes of level L-1, and the root links to the highest level's nodes (so
the root never lists more than ``fanout`` relations). A relation to a node says
``tree:GreaterThanOrEqualToRelation`` the time of its first member and, once the event
after its range exists, ``tree:LessThanRelation`` that event's time, both on
``tree:path prov:generatedAtTime`` (= ``ldes:timestampPath``), with ``tree:remainingItems``.
Event times are strictly increasing, so the bounds never overlap. A node whose range is
followed by a later event can never change: it is immutable (``ldes:immutable true`` and a
year's ``Cache-Control: immutable``); the others, and the root, are mutable.

Retention: every version and tombstone since the log began is kept; the root says so with
``ldes:retentionPolicy [ ldes:startingFrom <the first event's time> ]`` on its view
description (an ``ldes:EventSource``).

Serialisations: JSON-LD (the OSLO context at ``/context.jsonld`` plus the LDES/TREE terms;
members' graphs compacted by a function the API hands in), N-Quads, TriG, and Turtle (no
named graphs: the record triples then sit in the default graph beside their version).
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from .. import iris
from ..iris import DCT, PROV, RDF_TYPE, XSD

TREE = "https://w3id.org/tree#"
LDES = "https://w3id.org/ldes#"
AS = "https://www.w3.org/ns/activitystreams#"
SH = "http://www.w3.org/ns/shacl#"
DCAT = "http://www.w3.org/ns/dcat#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
P50 = "http://www.cidoc-crm.org/cidoc-crm/P50_has_current_keeper"
IMMUTABLE = "public, max-age=31536000, immutable"
MUTABLE = "public, max-age=60"
FORMATS = {"jsonld": "application/ld+json", "nquads": "application/n-quads", "trig": "application/trig",
           "turtle": "text/turtle"}
PREFIXES = {"tree": TREE, "ldes": LDES, "as": AS, "dcterms": DCT, "prov": PROV, "xsd": XSD, "sh": SH,
            "dcat": DCAT, "rdfs": RDFS}
LDES_CONTEXT = {**PREFIXES, "tree:value": {"@type": "xsd:dateTime"},
                "prov:generatedAtTime": {"@type": "xsd:dateTime"}}

Compact = Callable[[list[dict[str, Any]], str], dict[str, Any]]  # expanded nodes, root IRI → node object


# -- what an event becomes --------------------------------------------------------------------
def version_of(graph_iri: str, object_iri: str | None, ntriples: str) -> dict[str, Any]:
    """What the event log keeps of a published graph: the N-Triples, the hash of the
    description (the graph without its own provenance: a remap that changes nothing else
    adds no event) and the data provider (the object's keeper)."""
    own = f"<{graph_iri}> "
    lines = sorted(line for line in ntriples.split("\n") if line.strip() and not line.startswith(own))
    digest = hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()
    provider = None
    if object_iri:
        keeper = f"<{object_iri}> <{P50}> <"
        provider = next((line[len(keeper):line.index(">", len(keeper))] for line in lines
                         if line.startswith(keeper)), None)
    return {"ntriples": ntriples, "hash": digest, "provider": provider}


# -- the search tree ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Tree:
    """The B-tree over ``total`` events: nodes are (level, index); places are 1-based."""

    total: int
    page_size: int
    fanout: int

    def span(self, level: int) -> int:
        return self.page_size * self.fanout ** level

    @property
    def height(self) -> int:
        """The level of the nodes the root links to."""
        level = 0
        while math.ceil(self.total / self.span(level)) > self.fanout:
            level += 1
        return level

    def first(self, level: int, index: int) -> int:
        return index * self.span(level) + 1

    def last(self, level: int, index: int) -> int:
        return (index + 1) * self.span(level)

    def exists(self, level: int, index: int) -> bool:
        return 0 <= level <= self.height and index >= 0 and self.first(level, index) <= self.total

    def complete(self, level: int, index: int) -> bool:
        """Immutable: the event after the node's range exists, so nothing can join it."""
        return self.last(level, index) < self.total

    def children(self, level: int | None = None, index: int = 0) -> list[tuple[int, int]]:
        """The nodes a node links to (the root's when ``level`` is None)."""
        if level is None:
            top = self.height
            return [(top, j) for j in range(math.ceil(self.total / self.span(top)))] if self.total else []
        if level == 0:
            return []
        count = math.ceil(self.total / self.span(level - 1))
        return [(level - 1, j) for j in range(index * self.fanout, min((index + 1) * self.fanout, count))]

    def bounds(self, nodes: list[tuple[int, int]]) -> list[int]:
        """The places whose times bound these nodes' relations."""
        places = set()
        for level, index in nodes:
            places.add(self.first(level, index))
            if self.last(level, index) < self.total:
                places.add(self.last(level, index) + 1)
        return sorted(places)


# -- one page ---------------------------------------------------------------------------------------
@dataclass
class View:
    kind: str  # all | feed | provider
    key: str | None  # the feed's name, the provider's IRI
    url: str  # the root node's URL
    stream: str  # the ldes:EventStream IRI
    title: str
    whole: str | None = None  # the stream of everything, for a feed's or provider's view


@dataclass
class Page:
    view: View
    node: tuple[int, int] | None  # None: the root
    url: str
    tree: Tree
    relations: list[dict[str, Any]] = field(default_factory=list)  # url, from, until, items
    members: list[dict[str, Any]] = field(default_factory=list)  # state events
    first_time: str | None = None  # the first event's time (retention)
    shape: str | None = None
    base_iri: str = iris.DEFAULT_BASE

    @property
    def immutable(self) -> bool:
        return self.node is not None and self.tree.complete(*self.node)


def node_url(view: View, level: int, index: int) -> str:
    return f"{view.url}/pages/{level}-{index}"


def etag(view: View, node: tuple[int, int] | None, tree: Tree, fmt: str) -> str:
    """An entity tag from what decides the page: for an immutable page, that it is complete."""
    state: Any = "complete" if node is not None and tree.complete(*node) else tree.total
    digest = hashlib.blake2b(f"{view.kind}\x1f{view.key}\x1f{node}\x1f{state}\x1f{tree.page_size}\x1f"
                             f"{tree.fanout}\x1f{fmt}".encode(), digest_size=12).hexdigest()
    return f'"{digest}"'


def version_iri(event: dict[str, Any], base_iri: str) -> str:
    return iris.Minter(event["feed"], base_iri).version_iri(event["source_id"], event["at"])


# -- RDF ----------------------------------------------------------------------------------------
def _lit(value: str, datatype: str | None = None, lang: str | None = None) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return f"{text}@{lang}" if lang else f"{text}^^<{datatype}>" if datatype else text


def _context_information(page: Page, t: Callable[[str, str, str], None]) -> None:
    """What the root node says about the stream and about this view (its retention)."""
    view, es, here = page.view, f"<{page.view.stream}>", f"<{page.url}>"
    t(es, DCT + "title", _lit(view.title, lang="en"))
    t(es, LDES + "timestampPath", f"<{PROV}generatedAtTime>")
    t(es, LDES + "versionOfPath", f"<{DCT}isVersionOf>")
    t(es, LDES + "versionDeletePath", f"<{RDF_TYPE}>")
    t(es, LDES + "versionDeleteObject", f"<{AS}Delete>")
    if page.shape:
        t(es, TREE + "shape", f"<{page.shape}>")
    if view.whole:
        t(es, DCT + "isPartOf", f"<{view.whole}>")
    description, policy = f"<{page.url}#description>", f"<{page.url}#retention>"
    t(here, TREE + "viewDescription", description)
    t(description, RDF_TYPE, f"<{LDES}EventSource>")
    t(description, RDF_TYPE, f"<{DCAT}DataService>")
    t(description, DCAT + "endpointURL", here)
    t(description, DCAT + "servesDataset", es)
    t(description, LDES + "retentionPolicy", policy)
    t(policy, RDFS + "comment", _lit("Every version and tombstone since the log began is kept.", lang="en"))
    t(policy, RDFS + "comment", _lit("Elke versie en elke intrekking sinds het begin van de log blijft bewaard.",
                                     lang="nl"))
    if page.first_time:
        t(policy, LDES + "startingFrom", _lit(page.first_time, XSD + "dateTime"))


def nquads(page: Page) -> str:
    """The page as N-Quads: structure and versions in the default graph, each version's record
    graph in the named graph of the version."""
    out: list[str] = []

    def t(s: str, p: str, o: str) -> None:
        out.append(f"{s} <{p}> {o} .\n")

    es, here = f"<{page.view.stream}>", f"<{page.url}>"
    t(es, RDF_TYPE, f"<{LDES}EventStream>")
    t(es, TREE + "view", f"<{page.view.url}>")
    if page.node is None:
        _context_information(page, t)
    t(here, RDF_TYPE, f"<{TREE}Node>")
    if page.immutable:
        t(here, LDES + "immutable", _lit("true", XSD + "boolean"))
    for n, rel in enumerate(page.relations):
        for kind, bound in (("GreaterThanOrEqualToRelation", "from"), ("LessThanRelation", "until")):
            if rel.get(bound) is None:
                continue
            r = f"<{page.url}#relation-{n}-{bound}>"  # IRIs: unique across pages, unlike blank node labels
            t(here, TREE + "relation", r)
            t(r, RDF_TYPE, f"<{TREE}{kind}>")
            t(r, TREE + "node", f"<{rel['url']}>")
            t(r, TREE + "path", f"<{PROV}generatedAtTime>")
            t(r, TREE + "value", _lit(rel[bound], XSD + "dateTime"))
            t(r, TREE + "remainingItems", _lit(str(rel["items"]), XSD + "integer"))
    for event in page.members:
        m = f"<{version_iri(event, page.base_iri)}>"
        t(es, TREE + "member", m)
        if event["object_iri"]:
            t(m, DCT + "isVersionOf", f"<{event['object_iri']}>")
        t(m, PROV + "generatedAtTime", _lit(event["at"], XSD + "dateTime"))
        if event["kind"] == "withdrawn":
            t(m, RDF_TYPE, f"<{AS}Delete>")
            continue
        for line in event["ntriples"].split("\n"):
            line = line.rstrip()
            if line.endswith("."):
                out.append(f"{line[:-1].rstrip()} {m} .\n")
    return "".join(out)


def serialise(page: Page, fmt: str, compact: Compact | None = None, context_url: str | None = None) -> bytes:
    """The page in ``fmt`` (a :data:`FORMATS` key)."""
    text = nquads(page)
    if fmt == "nquads":
        return text.encode("utf-8")
    if fmt == "jsonld":
        return jsonld(page, text, compact, context_url)
    quads = ox.parse(text, format=ox.RdfFormat.N_QUADS)
    prefixes = {**PREFIXES, "crm": "http://www.cidoc-crm.org/cidoc-crm/"}
    if fmt == "trig":
        return ox.serialize(quads, format=ox.RdfFormat.TRIG, prefixes=prefixes)
    triples = list(dict.fromkeys(ox.Triple(q.subject, q.predicate, q.object) for q in quads))
    return ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=prefixes)


def _expanded(items: list[Any]) -> list[dict[str, Any]]:
    doc = json.loads(ox.serialize(items, format=ox.RdfFormat.JSON_LD))
    return doc.get("@graph", [doc] if "@id" in doc else []) if isinstance(doc, dict) else doc


def jsonld(page: Page, text: str, compact: Compact | None, context_url: str | None) -> bytes:
    """JSON-LD: the stream, the node and each member (with ``@graph``: its record graph,
    compacted with the OSLO context when ``compact`` is given)."""
    by_graph: dict[str, list[ox.Triple]] = {}
    structure: list[ox.Triple] = []
    for q in ox.parse(text, format=ox.RdfFormat.N_QUADS):
        triple = ox.Triple(q.subject, q.predicate, q.object)
        if isinstance(q.graph_name, ox.NamedNode):
            by_graph.setdefault(q.graph_name.value, []).append(triple)
        else:
            structure.append(triple)
    objects = {e["object_iri"] for e in page.members}
    out: list[dict[str, Any]] = []
    for node in _expanded(structure):
        node = _compact_keys(node)
        graph = by_graph.get(node.get("@id", ""))
        if graph:
            expanded = _expanded(graph)
            obj = next((v["@id"] for v in _as_list(node.get("dcterms:isVersionOf"))
                        if isinstance(v, dict) and "@id" in v), None)
            if compact is not None and obj in objects:
                body = compact(expanded, obj)
                body.pop("@context", None)
                node["@graph"] = [body]
            else:
                node["@graph"] = expanded
        out.append(node)
    context: list[Any] = [context_url] if context_url else []
    document = {"@context": [*context, LDES_CONTEXT], "@graph": out}
    return json.dumps(document, ensure_ascii=False).encode("utf-8")


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [] if value is None else [value]


_SHORT = sorted(((iri, name) for name, iri in PREFIXES.items()), key=lambda p: -len(p[0]))


def _short(value: str) -> str:
    for iri, name in _SHORT:
        if value.startswith(iri) and len(value) > len(iri):
            return f"{name}:{value[len(iri):]}"
    return value


def _compact_keys(node: dict[str, Any]) -> dict[str, Any]:
    """An expanded node of the page's structure with LDES/TREE compact keys and types."""
    out: dict[str, Any] = {}
    for key, values in node.items():
        if key == "@id":
            out[key] = values
        elif key == "@type":
            types = [_short(v) for v in _as_list(values)]
            out[key] = types[0] if len(types) == 1 else types
        else:
            items = []
            for v in _as_list(values):
                if isinstance(v, dict) and "@id" in v:
                    items.append({"@id": v["@id"]} if len(v) == 1 else _compact_keys(v))
                elif isinstance(v, dict) and v.get("@type") == XSD + "dateTime" and key in (
                        PROV + "generatedAtTime", TREE + "value"):
                    items.append(v["@value"])
                elif isinstance(v, dict) and "@type" in v:
                    items.append({"@value": v["@value"], "@type": _short(v["@type"])})
                else:
                    items.append(v)
            many = key in (TREE + "member", TREE + "relation")
            out[_short(key)] = items if many or len(items) != 1 else items[0]
    return out


MEMBER_SHAPE = """@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .

<#Member> a sh:NodeShape ;
    sh:property [ sh:path dcterms:isVersionOf ; sh:nodeKind sh:IRI ; sh:minCount 1 ; sh:maxCount 1 ] ;
    sh:property [ sh:path prov:generatedAtTime ; sh:datatype xsd:dateTime ; sh:minCount 1 ; sh:maxCount 1 ] .
"""
