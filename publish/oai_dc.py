"""OSLO → simple Dublin Core (``oai_dc``), the format OAI-PMH requires for every item.

Built on the EDM crosswalk's view of the record (``publish/edm.py``, not strict: a record
that cannot go to Europeana still has a Dublin Core description), flattened to the fifteen
elements with the labels of the linked people, places, periods and concepts::

    dc:title        titles and alternative titles
    dc:creator      creators (with attribution qualifiers), dc:contributor the others
    dc:subject      subjects (labels; the IRI when there is no label)
    dc:description  descriptions and inscriptions
    dc:publisher    the data provider (the holding institution)
    dc:date         the production date (the period's label, or the EDTF value)
    dc:type         object names and categories, and the DCMI type of the edm:type
    dc:format       techniques, materials, dimensions, the media type of the image
    dc:identifier   object numbers, the landing page, the object's IRI
    dc:source, dc:language, dc:relation (part of / has part), dc:coverage (places)
    dc:rights       the rights statement URI and the credit lines
"""

from __future__ import annotations

from xml.sax.saxutils import escape

from .edm import crosswalk
from .edm_model import LANG_TAG, EdmRecord, Value
from .europeana import DeliverySettings
from .ntgraph import Graph, Lit

__all__ = ["OAI_DC_NAMESPACE", "OAI_DC_SCHEMA", "to_oai_dc"]

OAI_DC_NAMESPACE = "http://www.openarchives.org/OAI/2.0/oai_dc/"
OAI_DC_SCHEMA = "http://www.openarchives.org/OAI/2.0/oai_dc.xsd"
_OPEN = (f'<oai_dc:dc xmlns:oai_dc="{OAI_DC_NAMESPACE}" xmlns:dc="http://purl.org/dc/elements/1.1/" '
         'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
         f'xsi:schemaLocation="{OAI_DC_NAMESPACE} {OAI_DC_SCHEMA}">')
_DCMI = {"TEXT": "Text", "IMAGE": "Image", "SOUND": "Sound", "VIDEO": "MovingImage", "3D": "PhysicalObject"}
# dc element → the EDM properties (of the ProvidedCHO) it takes its values from.
_FROM_CHO = (
    ("title", ("dc:title", "dcterms:alternative")),
    ("creator", ("dc:creator",)),
    ("subject", ("dc:subject",)),
    ("description", ("dc:description",)),
    ("contributor", ("dc:contributor",)),
    ("date", ("dcterms:created", "dc:date", "dcterms:issued", "dcterms:temporal")),
    ("type", ("dc:type",)),
    ("format", ("dc:format", "dcterms:medium", "dcterms:extent")),
    ("identifier", ("dc:identifier",)),
    ("source", ("dc:source",)),
    ("language", ("dc:language",)),
    ("relation", ("dc:relation", "dcterms:isPartOf", "dcterms:hasPart", "dcterms:isReferencedBy")),
    ("coverage", ("dc:coverage", "dcterms:spatial", "edm:currentLocation")),
    ("rights", ("dc:rights",)),
)
_ORDER = ("title", "creator", "subject", "description", "publisher", "contributor", "date", "type", "format",
          "identifier", "source", "language", "relation", "coverage", "rights")


def _texts(record: EdmRecord, value: Value) -> list[Lit]:
    """The words for a value: the literal, or the linked entity's labels (one per language),
    or the IRI itself."""
    if type(value) is not str:
        return [value]
    entity = record.entities.get(value)
    labels = [x for x in (entity.props.get("skos:prefLabel", []) if entity else []) if type(x) is Lit]
    return labels or [Lit(value)]


def to_oai_dc(graph: Graph | str | bytes, settings: DeliverySettings) -> bytes:
    """The ``oai_dc:dc`` element of one record's OSLO graph (UTF-8, no XML declaration)."""
    result = crosswalk(graph, settings, strict=False)
    record = result.record
    values: dict[str, list[Lit]] = {name: [] for name in _ORDER}
    if record is not None:
        for name, sources in _FROM_CHO:
            for source in sources:
                for value in record.cho.get(source, ()):
                    values[name] += _texts(record, value)
        agg = record.aggregation
        for value in agg.get("edm:dataProvider", ()):
            values["publisher"] += _texts(record, value)
        if record.edm_type:
            values["type"].append(Lit(_DCMI[record.edm_type]))
        values["format"] += [Lit(r.mime) for r in record.web_resources[:1] if r.mime]
        values["identifier"] += [Lit(v) for v in agg.get("edm:isShownAt", ()) if type(v) is str]
        values["identifier"].append(Lit(record.about))
        if record.rights:
            values["rights"].insert(0, Lit(record.rights))
        values["rights"] += [v for v in agg.get("dc:rights", ()) if type(v) is Lit]
    elif result.source:
        values["identifier"].append(Lit(result.source))
    out = [_OPEN]
    for name in _ORDER:
        seen: set[Lit] = set()
        for lit in values[name]:
            if lit in seen or not lit.value.strip():
                continue
            seen.add(lit)
            text = escape(_clean(lit.value))
            lang = f' xml:lang="{lit.lang}"' if lit.lang and LANG_TAG.match(lit.lang) else ""
            out.append(f"<dc:{name}{lang}>{text}</dc:{name}>")
    out.append("</oai_dc:dc>")
    return "".join(out).encode("utf-8")


def _clean(text: str) -> str:
    """``text`` without the characters XML 1.0 forbids."""
    return "".join(c for c in text if c in "\t\n\r" or ("\x20" <= c <= "\ud7ff") or ("\ue000" <= c <= "\ufffd")
                   or c >= "\U00010000") if any(c < "\x20" or "\ud800" <= c <= "\udfff" or c in "\ufffe\uffff"
                                                for c in text) else text
