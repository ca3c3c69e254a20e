"""Vocabulary the mappers write: namespaces, the OSLO properties as N-Triples terms, and
small concordances from partners' words to concept IRIs.

Everything here is a constant. The OSLO Cultureel Erfgoed 2021 application profile reuses
CIDOC-CRM (written with the CRM 7 class names, as Ghent's live data and the 2025 model do),
SKOS, ADMS, FOAF and schema.org; see ``../shared/reference/oslo-model.md`` §1.2.
"""

from __future__ import annotations

from .ntriples import iri

CRM = "http://www.cidoc-crm.org/cidoc-crm/"
CE = "https://data.vlaanderen.be/ns/cultureel-erfgoed#"
ADMS = "http://www.w3.org/ns/adms#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
FOAF = "http://xmlns.com/foaf/0.1/"
SCHEMA = "https://schema.org/"  # the 2021 AP's "schema2" namespace
DCTERMS = "http://purl.org/dc/terms/"
DCMITYPE = "http://purl.org/dc/dcmitype/"
DIG = "http://www.ics.forth.gr/isl/CRMdig/"
OWL = "http://www.w3.org/2002/07/owl#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
XSD = "http://www.w3.org/2001/XMLSchema#"
AAT = "http://vocab.getty.edu/aat/"
CEST = "https://www.projectcest.be/wiki/Publicatie:Invulboek_objecten/Veld/"

EDTF = "http://id.loc.gov/datatypes/edtf/EDTF"
DECIMAL = XSD + "decimal"

# The heritage object's class, the only rdf:type a record graph carries.
E22 = CRM + "E22_Human-Made_Object"

# Properties as ready-made N-Triples terms (the hot path only concatenates strings).
A = iri(RDF + "type")
P2 = iri(CRM + "P2_has_type")
P3 = iri(CRM + "P3_has_note")
P4 = iri(CRM + "P4_has_time-span")
P11 = iri(CRM + "P11_had_participant")
P14 = iri(CRM + "P14_carried_out_by")
P14_1 = iri(CRM + "P14.1_in_the_role_of")
P32 = iri(CRM + "P32_used_general_technique")
P41 = iri(CRM + "P41_classified")
P41I = iri(CRM + "P41i_was_classified_by")
P42 = iri(CRM + "P42_assigned")
P43 = iri(CRM + "P43_has_dimension")
P45 = iri(CRM + "P45_consists_of")
P50 = iri(CRM + "P50_has_current_keeper")
P62 = iri(CRM + "P62_depicts")
P75I = iri(CRM + "P75i_is_possessed_by")
P102 = iri(CRM + "P102_has_title")
P104 = iri(CRM + "P104_is_subject_to")
P108 = iri(CRM + "P108_has_produced")
P108I = iri(CRM + "P108i_was_produced_by")
P129I = iri(CRM + "P129i_is_subject_of")
ROL_AGENT = iri(CE + "Rol.agent")
ROL_ACTIVITEIT = iri(CE + "Rol.activiteit")
IDENTIFIER = iri(ADMS + "identifier")
SCHEMA_AGENCY = iri(ADMS + "schemaAgency")
NOTATION = iri(SKOS + "notation")
PREF_LABEL = iri(SKOS + "prefLabel")
ALT_LABEL = iri(SKOS + "altLabel")
PAGE = iri(FOAF + "page")
VALUE = iri(SCHEMA + "value")
UNIT_TEXT = iri(SCHEMA + "unitText")
SAME_AS = iri(OWL + "sameAs")
DC_LANGUAGE = iri(DCTERMS + "language")
DC_FORMAT = iri(DCTERMS + "format")
DC_COVERAGE = iri(DCTERMS + "coverage")

# The kind of classification, as Ghent signals it: the CEST registration field.
CEST_OBJECTNAAM = iri(CEST + "Term_objectnaam")
CEST_OBJECTNUMMER = iri(CEST + "Waarde_objectnummer")

# Measurement types → AAT dimension concepts (nl, en, fr, as partners write them).
_HEIGHT, _WIDTH, _DEPTH, _WEIGHT = "300055644", "300055647", "300072633", "300056240"
_DIAMETER, _LENGTH = "300055624", "300055645"
DIMENSION_TYPES: dict[str, str] = {
    term: AAT + aat
    for aat, terms in {
        _HEIGHT: ("hoogte", "height", "hauteur"),
        _WIDTH: ("breedte", "width", "largeur"),
        _DEPTH: ("diepte", "depth", "profondeur"),
        _WEIGHT: ("gewicht", "weight", "poids"),
        _DIAMETER: ("diameter", "diamètre", "doorsnede"),
        _LENGTH: ("lengte", "length", "longueur"),
    }.items()
    for term in terms
}

# LIDO event types that make an actor a creator of the object: LIDO 1.1 terminology codes
# (production, creation, designing) and the words Flemish Adlib exports put in eventType/term.
CREATION_EVENT_CODES = frozenset({"lido00007", "lido00012", "lido00224", "production", "creation"})
CREATION_EVENT_TERMS = frozenset(
    {"vervaardiging", "productie", "creatie", "production", "creation", "création", "fabrication"}
)

# DCMI Type vocabulary (dc:type values of oai_dc records), lower-cased, without spaces.
DCMI_TYPES = {
    name.lower(): DCMITYPE + name
    for name in (
        "Collection",
        "Dataset",
        "Event",
        "Image",
        "InteractiveResource",
        "MovingImage",
        "PhysicalObject",
        "Service",
        "Software",
        "Sound",
        "StillImage",
        "Text",
    )
}
