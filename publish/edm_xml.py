"""EDM RDF/XML in the element order ``EDM.xsd`` (EDM external) requires.

The XSD is a set of ``xs:sequence`` declarations, so the order of the elements inside each
class is fixed (Metis runs an ``edm_sorter.xsl`` before validating for that reason); the
orders below are copied from ``EDM-EXTERNAL-MAIN.xsd``, ``EDM-COMMON-MAIN.xsd``,
``CONTEXTS.xsd`` and ``ORE.xsd``. The document is built as a string: element names and
namespaces are fixed, and only text and attribute values need escaping (characters XML 1.0
forbids are dropped).
"""

from __future__ import annotations

import re

from .edm_model import LANG_TAG, EdmRecord, Entity, Value, WebResource

__all__ = ["NAMESPACES", "to_rdfxml"]

NAMESPACES = {
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "dc": "http://purl.org/dc/elements/1.1/",
    "dcterms": "http://purl.org/dc/terms/",
    "edm": "http://www.europeana.eu/schemas/edm/",
    "ore": "http://www.openarchives.org/ore/terms/",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "wgs84_pos": "http://www.w3.org/2003/01/geo/wgs84_pos#",
    "rdaGr2": "http://rdvocab.info/ElementsGr2/",
}
_HEAD = ('<?xml version="1.0" encoding="UTF-8"?>\n<rdf:RDF'
         + "".join(f' xmlns:{prefix}="{uri}"' for prefix, uri in NAMESPACES.items()) + ">\n")

# EuropeanaType: a repeated choice (any order); written in this order for readers.
_CHO_DC = (
    "dc:title", "dcterms:alternative", "dc:description", "dc:creator", "dc:contributor", "dc:publisher",
    "dc:date", "dcterms:created", "dcterms:issued", "dc:type", "dc:subject", "dc:format", "dcterms:medium",
    "dcterms:extent", "dc:identifier", "dc:language", "dc:coverage", "dcterms:spatial", "dcterms:temporal",
    "dc:source", "dc:relation", "dc:rights", "dcterms:isPartOf", "dcterms:hasPart", "dcterms:isReferencedBy",
    "dcterms:references", "dcterms:provenance", "dcterms:conformsTo", "dcterms:hasFormat", "dcterms:isFormatOf",
    "dcterms:hasVersion", "dcterms:isVersionOf", "dcterms:isReplacedBy", "dcterms:replaces",
    "dcterms:isRequiredBy", "dcterms:requires", "dcterms:tableOfContents",
)
# BaseProvidedCHOType and ProvidedCHOType: a sequence, in this order.
_CHO_TAIL = (
    "edm:currentLocation", "edm:hasMet", "edm:hasType", "edm:incorporates", "edm:isDerivativeOf",
    "edm:isNextInSequence", "edm:isRelatedTo", "edm:isRepresentationOf", "edm:isSimilarTo", "edm:isSuccessorOf",
    "edm:realizes", "edm:pid",
)
_CHO_RANK = {element: n for n, element in enumerate(_CHO_DC + _CHO_TAIL)}
_AGGREGATION = (
    "edm:aggregatedCHO", "edm:dataProvider", "edm:hasView", "edm:isShownAt", "edm:isShownBy", "edm:object",
    "edm:provider", "dc:rights", "edm:rights", "edm:ugc", "edm:intermediateProvider",
)
_WEB_RESOURCE = (
    "dc:creator", "dc:description", "dc:format", "dc:rights", "dc:source", "dc:type", "dc:title", "dc:language",
    "dcterms:conformsTo", "dcterms:created", "dcterms:extent", "dcterms:hasPart", "dcterms:isFormatOf",
    "dcterms:isPartOf", "dcterms:issued", "dcterms:temporal", "edm:isNextInSequence", "edm:rights", "owl:sameAs",
)
_ENTITY_ORDER = {
    "Agent": ("skos:prefLabel", "skos:altLabel", "skos:note", "dc:date", "dc:identifier", "dcterms:hasPart",
              "dcterms:isPartOf", "edm:begin", "edm:end", "edm:hasMet", "edm:isRelatedTo", "foaf:name",
              "rdaGr2:biographicalInformation", "rdaGr2:dateOfBirth", "rdaGr2:dateOfDeath",
              "rdaGr2:dateOfEstablishment", "rdaGr2:dateOfTermination", "rdaGr2:gender", "rdaGr2:placeOfBirth",
              "rdaGr2:placeOfDeath", "rdaGr2:professionOrOccupation", "owl:sameAs"),
    "Place": ("wgs84_pos:lat", "wgs84_pos:long", "wgs84_pos:alt", "skos:prefLabel", "skos:altLabel", "skos:note",
              "dcterms:hasPart", "dcterms:isPartOf", "edm:isNextInSequence", "owl:sameAs"),
    "TimeSpan": ("skos:prefLabel", "skos:altLabel", "skos:note", "dcterms:hasPart", "dcterms:isPartOf",
                 "edm:begin", "edm:end", "edm:isNextInSequence", "owl:sameAs", "skos:hiddenLabel", "skos:notation"),
    "Concept": ("skos:prefLabel", "skos:altLabel", "skos:broader", "skos:narrower", "skos:related",
                "skos:exactMatch", "skos:closeMatch", "skos:note", "skos:notation", "skos:inScheme"),
}
_ENTITY_TAG = {"Agent": "edm:Agent", "Place": "edm:Place", "TimeSpan": "edm:TimeSpan", "Concept": "skos:Concept"}
_KIND_ORDER = ("Agent", "Place", "TimeSpan", "Concept")
_FLOATS = frozenset({"wgs84_pos:lat", "wgs84_pos:long", "wgs84_pos:alt"})

_SPECIAL = re.compile(r'[&<>"\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff\t\n\r]')
_TEXT_ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': '"', "\t": "\t", "\n": "\n", "\r": "&#13;"}
_ATTR_ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "\t": "&#9;", "\n": "&#10;",
                 "\r": "&#13;"}


def _escape(text: str, table: dict[str, str]) -> str:
    if _SPECIAL.search(text) is None:
        return text
    return _SPECIAL.sub(lambda m: table.get(m.group(), ""), text)


def _element(tag: str, value: Value) -> str:
    if type(value) is str:
        return f'<{tag} rdf:resource="{_escape(value, _ATTR_ESCAPES)}"/>'
    text = _escape(value.value, _TEXT_ESCAPES)
    if tag in _FLOATS:
        return f"<{tag}>{text}</{tag}>"
    lang = value.lang
    if lang and LANG_TAG.match(lang):
        return f'<{tag} xml:lang="{lang}">{text}</{tag}>'
    return f"<{tag}>{text}</{tag}>"


_RANKS: dict[tuple[str, ...], dict[str, int]] = {}


def _block(tag: str, about: str, props: dict[str, list[Value]], order: tuple[str, ...], out: list[str]) -> None:
    """One class's element with its properties in ``order`` (properties not in it are left out)."""
    rank = _RANKS.get(order)
    if rank is None:
        rank = _RANKS[order] = {element: n for n, element in enumerate(order)}
    out.append(f'<{tag} rdf:about="{_escape(about, _ATTR_ESCAPES)}">')
    for element in sorted((e for e in props if e in rank), key=rank.__getitem__):
        for value in props[element]:
            out.append(_element(element, value))
    out.append(f"</{tag}>\n")


def to_rdfxml(record: EdmRecord) -> bytes:
    """The record as an EDM-external RDF/XML document (UTF-8 bytes)."""
    out = [_HEAD]
    cho = record.cho
    _block_cho(record, cho, out)
    for resource in record.web_resources:
        _web_resource(resource, out)
    entities = record.entities
    for kind in _KIND_ORDER:
        for entity in entities.values():
            if entity.kind == kind:
                _entity(entity, out)
    _block("ore:Aggregation", record.aggregation_about, record.aggregation, _AGGREGATION, out)
    out.append("</rdf:RDF>\n")
    return "".join(out).encode("utf-8")


def _block_cho(record: EdmRecord, cho: dict[str, list[Value]], out: list[str]) -> None:
    out.append(f'<edm:ProvidedCHO rdf:about="{_escape(record.about, _ATTR_ESCAPES)}">')
    rank = _CHO_RANK
    for element in sorted((e for e in cho if e in rank), key=rank.__getitem__):
        values = cho[element]
        for value in values[:1] if element == "edm:currentLocation" else values:
            out.append(_element(element, value))
    out.append(f"<edm:type>{record.edm_type}</edm:type>")
    for value in cho.get("owl:sameAs", ()):
        out.append(_element("owl:sameAs", value))
    out.append("</edm:ProvidedCHO>\n")


def _web_resource(resource: WebResource, out: list[str]) -> None:
    _block("edm:WebResource", resource.about, resource.props, _WEB_RESOURCE, out)


def _entity(entity: Entity, out: list[str]) -> None:
    _block(_ENTITY_TAG[entity.kind], entity.about, entity.props, _ENTITY_ORDER[entity.kind], out)

