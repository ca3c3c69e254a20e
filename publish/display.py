"""What a record's graph says, for people and for filters: :func:`extract` reads a published
record's N-Triples once and reduces it to a :class:`Doc` — title, description, object names,
makers, date, keeper, rights, images — with a label for every IRI it shows. The search index
stores Docs; the pages and ``/records`` show them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .ntgraph import Graph, parse

CRM = "http://www.cidoc-crm.org/cidoc-crm/"
SKOS_PREF_LABEL = "http://www.w3.org/2004/02/skos/core#prefLabel"
FOAF_PAGE = "http://xmlns.com/foaf/0.1/page"
DCT_MODIFIED = "http://purl.org/dc/terms/modified"
OBJECTNAAM = "https://www.projectcest.be/wiki/Publicatie:Invulboek_objecten/Veld/Term_objectnaam"

P2, P3, P4 = CRM + "P2_has_type", CRM + "P3_has_note", CRM + "P4_has_time-span"
P14, P41I, P42 = CRM + "P14_carried_out_by", CRM + "P41i_was_classified_by", CRM + "P42_assigned"
P50, P102, P104 = CRM + "P50_has_current_keeper", CRM + "P102_has_title", CRM + "P104_is_subject_to"
P108I, P129I = CRM + "P108i_was_produced_by", CRM + "P129i_is_subject_of"
P140I, P141 = CRM + "P140i_was_attributed_by", CRM + "P141_assigned"

# Languages in the order a label is picked for display: Dutch first (the UI's language).
LANGUAGES = ("nl", "", "en", "fr", "de")


# -- what a record's graph says, for people and for filters --------------------------------

@dataclass
class Link:
    """An IRI with its label (a maker, a keeper, an object name …)."""

    iri: str
    label: str | None = None


@dataclass
class Doc:
    """The display fields of one published record, extracted from its graph."""

    record_id: str
    feed: str
    object_iri: str
    graph_iri: str
    title: str | None = None
    titles: list[tuple[str, str]] = field(default_factory=list)  # (text, language or "")
    description: str | None = None
    object_names: list[Link] = field(default_factory=list)
    types: list[Link] = field(default_factory=list)  # every classification, object names first
    makers: list[Link] = field(default_factory=list)
    date: str | None = None
    keeper: Link | None = None
    rights: list[str] = field(default_factory=list)
    images: list[str] = field(default_factory=list)
    pages: list[str] = field(default_factory=list)
    modified: str | None = None
    datestamp: str | None = None

    @property
    def provider(self) -> str:
        """The data provider's name: the keeper's label, else the feed."""
        return (self.keeper.label if self.keeper and self.keeper.label else None) or self.feed

    def as_dict(self) -> dict[str, Any]:
        """The Doc as plain JSON-able data (by hand: ``dataclasses.asdict`` deep-copies, at
        about ten times the cost, on the hot path of every stored record)."""
        links = {key: [{"iri": x.iri, "label": x.label} for x in getattr(self, key)]
                 for key in ("object_names", "types", "makers")}
        return {"record_id": self.record_id, "feed": self.feed, "object_iri": self.object_iri,
                "graph_iri": self.graph_iri, "title": self.title, "titles": [list(t) for t in self.titles],
                "description": self.description, **links, "date": self.date,
                "keeper": {"iri": self.keeper.iri, "label": self.keeper.label} if self.keeper else None,
                "rights": list(self.rights), "images": list(self.images), "pages": list(self.pages),
                "modified": self.modified, "datestamp": self.datestamp, "provider": self.provider}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Doc:
        data = dict(data)
        data.pop("provider", None)
        data["titles"] = [tuple(t) for t in data.get("titles", [])]
        for key in ("object_names", "types", "makers"):
            data[key] = [Link(**link) for link in data.get(key, [])]
        data["keeper"] = Link(**data["keeper"]) if data.get("keeper") else None
        return cls(**data)


def _best(literals: list[tuple[str, str]]) -> str | None:
    """The literal to show: the first language of LANGUAGES that has one, else the first."""
    for language in LANGUAGES:
        for text, lang in literals:
            if lang.split("-")[0].lower() == language:
                return text
    return literals[0][0] if literals else None


def local_name(iri: str) -> str:
    """The last part of an IRI, for a concept nobody labelled: ``…/aat/300046300`` → ``300046300``,
    ``…/dcmitype/Image`` → ``Image``."""
    tail = iri.rstrip("/#").rsplit("#", 1)[-1].rsplit("/", 1)[-1]
    if "vocab.getty.edu/aat/" in iri:
        return f"AAT {tail}"
    if "geonames.org/" in iri:
        return f"GeoNames {tail}"
    return tail.replace("_", " ") or iri


def extract(
    ntriples: str | bytes | Graph, *, record_id: str, feed: str, object_iri: str, graph_iri: str,
    datestamp: str | None = None, labels: Mapping[str, str] | None = None,
) -> Doc:
    """The Doc of one record graph (N-Triples, or the graph :func:`~oogst.publish.ntgraph.parse`
    made of it, which the mapping workers share with the EDM summary). Unknown shapes yield
    empty fields, never errors. ``labels`` names concepts whose graph has no
    ``skos:prefLabel`` (AAT, DCMI types)."""
    g = ntriples if isinstance(ntriples, Graph) else parse(ntriples)
    objects = g.iris  # IRIs and blank nodes

    def literals(subject: str, predicate: str) -> list[tuple[str, str]]:
        return [(o.value, o.lang or "") for o in g.literals(subject, predicate)]

    def link(iri: str) -> Link:
        return Link(iri, _best(literals(iri, SKOS_PREF_LABEL)) or (labels.get(iri) if labels else None))

    doc = Doc(record_id=record_id, feed=feed, object_iri=object_iri, graph_iri=graph_iri, datestamp=datestamp)
    doc.titles = literals(object_iri, P102)
    doc.title = _best(doc.titles)
    doc.description = _best(literals(object_iri, P3))
    for classification in objects(object_iri, P41I):
        is_name = OBJECTNAAM in objects(classification, P2)
        for concept in objects(classification, P42):
            (doc.object_names if is_name else doc.types).append(link(concept))
    doc.types = doc.object_names + doc.types
    for production in objects(object_iri, P108I):
        doc.makers += [link(agent) for agent in objects(production, P14)]
        # attributed makers (an E13 assignment of crm:P14_carried_out_by, mapping/attribution.py)
        doc.makers += [link(agent) for assignment in objects(production, P140I) for agent in objects(assignment, P141)]
        if doc.date is None:
            notes = literals(production, P3)
            spans = [(o.value, "") for o in g.literals(production, P4)]
            doc.date = _best(notes) or _best(spans)
    keepers = objects(object_iri, P50)
    doc.keeper = link(keepers[0]) if keepers else None
    doc.rights = [r for right in objects(object_iri, P104) for r in objects(right, P2)]
    doc.images = objects(object_iri, P129I)
    doc.pages = objects(object_iri, FOAF_PAGE)
    modified = literals(graph_iri, DCT_MODIFIED)
    doc.modified = modified[0][0] if modified else None
    return doc


# -- queries --------------------------------------------------------------------------------
