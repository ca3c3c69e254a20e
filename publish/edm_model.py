"""The EDM of one record, as the crosswalk builds it (``publish/edm.py``) and the writer
(``publish/edm_xml.py``), the tiers (``publish/tiers.py``) and the pre-flight checks read it;
and the OSLO vocabulary the crosswalk reads."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..records import Finding
from .ntgraph import Lit

__all__ = ["EdmRecord", "EdmResult", "Entity", "Value", "WebResource"]

Value = str | Lit  # an IRI (rdf:resource) or a literal

CRM = "http://www.cidoc-crm.org/cidoc-crm/"
CE = "https://data.vlaanderen.be/ns/cultureel-erfgoed#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCT = "http://purl.org/dc/terms/"
DC = "http://purl.org/dc/elements/1.1/"
SCHEMA = "https://schema.org/"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
FOAF_PAGE = "http://xmlns.com/foaf/0.1/page"
OWL_SAME_AS = "http://www.w3.org/2002/07/owl#sameAs"
ADMS_IDENTIFIER = "http://www.w3.org/ns/adms#identifier"
LA_EQUIVALENT = "https://linked.art/ns/terms/equivalent"
CEST = "https://www.projectcest.be/wiki/Publicatie:Invulboek_objecten/Veld/"
LOCN_GEOMETRY = "http://www.w3.org/ns/locn#geometry"
CEST_OBJECTNUMMER = CEST + "Waarde_objectnummer"
E22 = (CRM + "E22_Human-Made_Object", CRM + "E22_Man-Made_Object")
PERSON, ORGANISATION = "http://www.w3.org/ns/person#Person", "http://www.w3.org/ns/org#Organization"
C = {name: CRM + name for name in (
    "P2_has_type", "P3_has_note", "P4_has_time-span", "P7_took_place_at", "P11_had_participant",
    "P14_carried_out_by", "P14.1_in_the_role_of", "P24i_changed_ownership_through", "P32_used_general_technique",
    "P41i_was_classified_by", "P42_assigned", "P43_has_dimension", "P45_consists_of", "P46_is_composed_of",
    "P46i_forms_part_of", "P50_has_current_keeper", "P55_has_current_location", "P62_depicts",
    "P70i_is_documented_in", "P82a_begin_of_the_begin", "P82b_end_of_the_end", "P94i_was_created_by",
    "P102_has_title", "P104_is_subject_to", "P108i_was_produced_by", "P128_carries", "P129_is_about",
    "P129i_is_subject_of", "P138i_has_representation", "P190_has_symbolic_content")}
# OSLO / Dublin Core literal properties of the object → the EDM element they become.
PASS_THROUGH = {
    DCT + "language": "dc:language", DCT + "format": "dc:format", DCT + "coverage": "dc:coverage",
    DCT + "source": "dc:source", DCT + "relation": "dc:relation", DCT + "spatial": "dcterms:spatial",
    DCT + "temporal": "dcterms:temporal", DCT + "isPartOf": "dcterms:isPartOf",
    **{DC + name: "dc:" + name for name in ("contributor", "coverage", "creator", "date", "description", "format",
                                            "identifier", "language", "publisher", "relation", "rights",
                                            "source", "subject", "title", "type")},
    **{DCT + name: "dcterms:" + name for name in (
        "alternative", "conformsTo", "created", "extent", "hasFormat", "hasPart", "hasVersion", "isFormatOf",
        "isReferencedBy", "isReplacedBy", "isRequiredBy", "issued", "isVersionOf", "medium", "provenance",
        "references", "replaces", "requires", "tableOfContents")},
}
LITERAL_ONLY = frozenset({"dc:title", "dc:identifier", "dc:language", "dcterms:alternative"})
# xs:language, the type of xml:lang: a tag that does not match is left off.
LANG_TAG = re.compile(r"^[a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8})*$")
IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".gif", ".tif", ".tiff", ".jp2", ".webp", ".bmp")


@dataclass(slots=True)
class Entity:
    """A contextual resource: ``kind`` is Agent, Place, TimeSpan or Concept."""

    kind: str
    about: str
    props: dict[str, list[Value]] = field(default_factory=dict)


@dataclass(slots=True)
class WebResource:
    about: str
    mime: str | None = None
    rights: str | None = None
    props: dict[str, list[Value]] = field(default_factory=dict)


@dataclass(slots=True)
class EdmRecord:
    """One record in EDM: the ProvidedCHO's properties (element → values), its type, the
    ore:Aggregation's, the web resources and the contextual entities."""

    about: str
    edm_type: str | None
    cho: dict[str, list[Value]]
    aggregation_about: str
    aggregation: dict[str, list[Value]]
    web_resources: list[WebResource]
    entities: dict[str, Entity]
    rights: str | None

    def values(self, element: str) -> list[Value]:
        return self.cho.get(element, [])


@dataclass(slots=True)
class EdmResult:
    """What the crosswalk made of one record: the EDM (None when it cannot be valid EDM),
    the RDF/XML when asked for (:func:`export`), and the findings (violations say why there
    is no EDM; warnings are remarks)."""

    source: str  # the OSLO object IRI, or "" when there is none
    record: EdmRecord | None
    findings: list[Finding] = field(default_factory=list)
    xml: bytes | None = None

    @property
    def ok(self) -> bool:
        return self.record is not None


def finding(rule: str, path: str, nl: str, en: str, value: str | None = None, severity: str = "violation") -> Finding:
    return Finding(rule=f"edm:{rule}", severity=severity, path=path, source_path=None,
                   message_nl=nl, message_en=en, value=value)




def is_media_type(text: str) -> bool:
    head, _, tail = text.strip().partition("/")
    return bool(tail) and head in ("image", "video", "audio", "text", "application", "model") and " " not in text


def is_image(url: str, mime: str | None) -> bool:
    if mime:
        return mime.startswith("image/")
    return url.lower().split("?")[0].endswith(IMAGE_EXTENSIONS)
