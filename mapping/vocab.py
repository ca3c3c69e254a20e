"""Vocabulary the mappers write: namespaces, the OSLO properties as N-Triples terms, and
small concordances from partners' words to concept IRIs.

Everything here is a constant, except the AAT concordance the project ships
(``mapping/data/aat-concordance.csv``), which :func:`aat_concordance` reads once on first use.
The OSLO Cultureel Erfgoed 2021 application profile reuses CIDOC-CRM (written with the CRM 7
class names, as Ghent's live data and the 2025 model do), SKOS, ADMS, FOAF and schema.org;
see ``../shared/reference/oslo-model.md`` §1.2.
"""

from __future__ import annotations

import csv
import re
from functools import lru_cache
from importlib import resources

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
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
XSD = "http://www.w3.org/2001/XMLSchema#"
PROV = "http://www.w3.org/ns/prov#"
LOCN = "http://www.w3.org/ns/locn#"
GEO = "http://www.opengis.net/ont/geosparql#"
PERSON = "http://www.w3.org/ns/person#"
ORG = "http://www.w3.org/ns/org#"
QUDT_UNIT = "http://qudt.org/vocab/unit/"
AAT = "http://vocab.getty.edu/aat/"
CEST = "https://www.projectcest.be/wiki/Publicatie:Invulboek_objecten/Veld/"
LIDO_TERMS = "http://terminology.lido-schema.org/"

EDTF = "http://id.loc.gov/datatypes/edtf/EDTF"
DECIMAL = XSD + "decimal"
DATE = XSD + "date"
WKT = GEO + "wktLiteral"

# The heritage object's class; the CRM 6 spelling of the 2021 profile is accepted on input and
# written as the CRM 7 one. Only the record's own object is an E22 in a record graph (so that
# counting ``?o a crm:E22_Human-Made_Object`` counts published objects): another object a
# record names (a part, a related work) is written as an E18 Physical Thing.
E22 = CRM + "E22_Human-Made_Object"
E22_CRM6 = CRM + "E22_Man-Made_Object"
E18 = CRM + "E18_Physical_Thing"

# Prefixes a partner may use in a mapping profile's extra fields, and that oslo-jsonld
# repairs when a member uses them without defining them.
PREFIXES = {
    "crm": CRM,
    "cidoc": CRM,
    "ce": CE,
    "adms": ADMS,
    "skos": SKOS,
    "foaf": FOAF,
    "schema": SCHEMA,
    "dcterms": DCTERMS,
    "dct": DCTERMS,
    "dc": "http://purl.org/dc/elements/1.1/",
    "dcmitype": DCMITYPE,
    "dig": DIG,
    "owl": OWL,
    "rdf": RDF,
    "rdfs": RDFS,
    "xsd": XSD,
    "prov": PROV,
    "locn": LOCN,
    "geo": GEO,
    "person": PERSON,
    "org": ORG,
    "cest": CEST,
    "la": "https://linked.art/ns/terms/",
    "m8g": "http://data.europa.eu/m8g/",
    "edm": "http://www.europeana.eu/schemas/edm/",
}

# The prefixes of Turtle that people read (``oogst map``, goldens).
TURTLE_PREFIXES = {
    **{name: ns for name, ns in PREFIXES.items() if name not in ("cidoc", "dct", "dc", "geo", "m8g", "edm")},
    "aat": AAT,
    "edtf": "http://id.loc.gov/datatypes/edtf/",
    "dossier": "https://data.vlaanderen.be/ns/dossier#",
    "qudt": QUDT_UNIT,
}

# Properties as ready-made N-Triples terms (the hot path only concatenates strings).
A = iri(RDF + "type")
P1 = iri(CRM + "P1_is_identified_by")
P2 = iri(CRM + "P2_has_type")
P3 = iri(CRM + "P3_has_note")
P4 = iri(CRM + "P4_has_time-span")
P7 = iri(CRM + "P7_took_place_at")
P10 = iri(CRM + "P10_falls_within")
P11 = iri(CRM + "P11_had_participant")
P12I = iri(CRM + "P12i_was_present_at")
P13I = iri(CRM + "P13i_was_destroyed_by")
P14 = iri(CRM + "P14_carried_out_by")
P14_1 = iri(CRM + "P14.1_in_the_role_of")
P22 = iri(CRM + "P22_transferred_title_to")
P23 = iri(CRM + "P23_transfered_title_from")  # sic: the OSLO profile's spelling
P24 = iri(CRM + "P24_transferred_title_of")
P24I = iri(CRM + "P24i_changed_ownership_through")
P25I = iri(CRM + "P25i_moved_by")
P30I = iri(CRM + "P30i_custody_transferred_through")
P31I = iri(CRM + "P31i_was_modified_by")
P32 = iri(CRM + "P32_used_general_technique")
P41 = iri(CRM + "P41_classified")
P41I = iri(CRM + "P41i_was_classified_by")
P42 = iri(CRM + "P42_assigned")
P43 = iri(CRM + "P43_has_dimension")
P45 = iri(CRM + "P45_consists_of")
P46 = iri(CRM + "P46_is_composed_of")
P46I = iri(CRM + "P46i_forms_part_of")
P50 = iri(CRM + "P50_has_current_keeper")
P55 = iri(CRM + "P55_has_current_location")
P62 = iri(CRM + "P62_depicts")
P70I = iri(CRM + "P70i_is_documented_in")
P75I = iri(CRM + "P75i_is_possessed_by")
P82A = iri(CRM + "P82a_begin_of_the_begin")
P82B = iri(CRM + "P82b_end_of_the_end")
P102 = iri(CRM + "P102_has_title")
P104 = iri(CRM + "P104_is_subject_to")
P108 = iri(CRM + "P108_has_produced")
P108I = iri(CRM + "P108i_was_produced_by")
P110I = iri(CRM + "P110i_was_augmented_by")
P112I = iri(CRM + "P112i_was_diminished_by")
P126 = iri(CRM + "P126_employed")
P128 = iri(CRM + "P128_carries")
P129I = iri(CRM + "P129i_is_subject_of")
P190 = iri(CRM + "P190_has_symbolic_content")
ROL_AGENT = iri(CE + "Rol.agent")
ROL_ACTIVITEIT = iri(CE + "Rol.activiteit")
IDENTIFIER = iri(ADMS + "identifier")
SCHEMA_AGENCY = iri(ADMS + "schemaAgency")
NOTATION = iri(SKOS + "notation")
PREF_LABEL = iri(SKOS + "prefLabel")
ALT_LABEL = iri(SKOS + "altLabel")
EXACT_MATCH = iri(SKOS + "exactMatch")
LABEL = iri(RDFS + "label")
PAGE = iri(FOAF + "page")
VALUE = iri(SCHEMA + "value")
UNIT_TEXT = iri(SCHEMA + "unitText")
UNIT_CODE = iri(SCHEMA + "unitCode")
BIRTH_DATE = iri(SCHEMA + "birthDate")
DEATH_DATE = iri(SCHEMA + "deathDate")
FOUNDING_DATE = iri(SCHEMA + "foundingDate")
DISSOLUTION_DATE = iri(SCHEMA + "dissolutionDate")
SAME_AS = iri(OWL + "sameAs")
GEOMETRY = iri(LOCN + "geometry")
DC_TYPE = iri(DCTERMS + "type")
DC_LANGUAGE = iri(DCTERMS + "language")
DC_FORMAT = iri(DCTERMS + "format")
DC_COVERAGE = iri(DCTERMS + "coverage")
DC_SPATIAL = iri(DCTERMS + "spatial")
DC_TEMPORAL = iri(DCTERMS + "temporal")
DC_SOURCE = iri(DCTERMS + "source")
DC_RELATION = iri(DCTERMS + "relation")
DC_IS_PART_OF = iri(DCTERMS + "isPartOf")
DC_EXTENT = iri(DCTERMS + "extent")

P15 = iri(CRM + "P15_was_influenced_by")
P51 = iri(CRM + "P51_has_former_or_current_owner")
P140I = iri(CRM + "P140i_was_attributed_by")
P129 = iri(CRM + "P129_is_about")
P140 = iri(CRM + "P140_assigned_attribute_to")
P141 = iri(CRM + "P141_assigned")
P177 = iri(CRM + "P177_assigned_property_type")
P107I = iri(CRM + "P107i_is_current_or_former_member_of")
P107 = iri(CRM + "P107_has_current_or_former_member")
ALTERNATIVE = iri(DCTERMS + "alternative")

# Classes, as N-Triples terms: every node a mapper writes is typed as the OSLO profile types it.
CLASS = {
    name: iri(ns + local)
    for name, ns, local in (
        ("object", CRM, "E22_Human-Made_Object"), ("thing", CRM, "E18_Physical_Thing"),
        ("production", CRM, "E12_Production"), ("acquisition", CRM, "E8_Acquisition"),
        ("custody", CRM, "E10_Transfer_of_Custody"), ("modification", CRM, "E11_Modification"),
        ("move", CRM, "E9_Move"), ("destruction", CRM, "E6_Destruction"), ("part-addition", CRM, "E79_Part_Addition"),
        ("part-removal", CRM, "E80_Part_Removal"), ("other", CRM, "E5_Event"), ("event", CRM, "E5_Event"),
        ("classification", CRM, "E17_Type_Assignment"), ("dimension", CRM, "E54_Dimension"),
        ("right", CRM, "E30_Right"), ("information", CRM, "E73_Information_Object"),
        ("document", CRM, "E31_Document"), ("attribution", CRM, "E13_Attribute_Assignment"),
        ("group", CRM, "E74_Group"), ("collection", CRM, "E78_Collection"),
        ("concept", SKOS, "Concept"), ("identifier", ADMS, "Identifier"), ("agent", DCTERMS, "Agent"),
        ("person", PERSON, "Person"), ("organisation", ORG, "Organization"), ("place", PROV, "Location"),
        ("digital", DIG, "D1_Digital_Object"), ("role", CE, "Rol"),
        ("unit", "https://data.vlaanderen.be/ns/generiek#", "StandaardEenheid"),
    )
}

CEST_OBJECTNAAM = iri(CEST + "Term_objectnaam")
CEST_OBJECTCATEGORIE = iri(CEST + "Term_objectcategorie")
CEST_OBJECTNUMMER = iri(CEST + "Waarde_objectnummer")

# The class a node gets from the property that points to it (the range the OSLO profile
# gives the property wherever it is used): ntriples.Triples writes these types as the triples
# are added, for every
# mapper. Classes that depend on more than the property (a person or an organisation, an
# exhibition) and ce:Rol (the subject of ce:Rol.agent) the mappers add themselves.
NODE_CLASSES = {
    **{P: CLASS[kind] for P, kind in (
        (P108I, "production"), (P24I, "acquisition"), (P30I, "custody"), (P31I, "modification"), (P25I, "move"),
        (P13I, "destruction"), (P110I, "part-addition"), (P112I, "part-removal"), (P12I, "event"),
        (P41I, "classification"), (P43, "dimension"), (P104, "right"), (P128, "information"), (P70I, "document"),
        (P2, "concept"), (P42, "concept"), (P45, "concept"), (P32, "concept"), (P14_1, "concept"), (P126, "concept"),
        (IDENTIFIER, "identifier"), (P1, "identifier"), (P14, "agent"), (P11, "agent"), (P22, "agent"),
        (P23, "agent"), (P50, "agent"), (P75I, "agent"), (ROL_AGENT, "agent"), (P7, "place"), (P55, "place"),
        (P129I, "digital"), (iri(SCHEMA + "unitCode"), "unit"), (P46I, "thing"), (P46, "thing"),
        (P107I, "group"), (P140I, "attribution"), (P51, "agent"),
    )},
}

AGENT_KINDS = {
    **dict.fromkeys(("person", "persoon", "personne", "individual", "individu"), "person"),
    **dict.fromkeys(
        (
            "corporation",
            "corporate body",
            "corporatebody",
            "organisation",
            "organization",
            "organisatie",
            "instelling",
            "institution",
            "firma",
            "bedrijf",
            "company",
        ),
        "organisation",
    ),
}

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

# Units as partners write them → QUDT unit IRIs (schema:unitCode beside schema:unitText).
UNITS: dict[str, str] = {
    term: QUDT_UNIT + code
    for code, terms in {
        "MilliM": ("mm", "millimeter", "millimètre", "millimetre", "millimeters", "millimètres", "millimetres"),
        "CentiM": ("cm", "centimeter", "centimètre", "centimetre", "centimeters", "centimètres", "centimetres",
                   "cms", "zentimeter"),
        "DeciM": ("dm", "decimeter", "décimètre", "decimetre"),
        "M": ("m", "meter", "mètre", "metre", "meters", "mètres", "metres", "mtr"),
        "KiloM": ("km", "kilometer", "kilomètre", "kilometre"),
        "GM": ("g", "gr", "gram", "gramme", "grams", "grammes", "gramm"),
        "KiloGM": ("kg", "kilogram", "kilogramme", "kilograms", "kilogrammes", "kilo", "kilogramm"),
        "MilliGM": ("mg", "milligram", "milligramme"),
        "IN": ("in", "inch", "inches", "duim", "pouce", "pouces", "zoll", '"', "″"),
        "FT": ("ft", "foot", "feet", "voet", "pied", "pieds", "fuß", "'", "′"),
        "L": ("l", "liter", "litre", "liters", "litres"),
        "MilliL": ("ml", "milliliter", "millilitre"),
        "DEG": ("°", "graden", "degrees", "degré", "degrés"),
        "PIXEL": ("px", "pixel", "pixels"),
    }.items()
    for term in terms
}
_UNIT_TEXT = re.compile(r"^\s*([^\s.]+(?:\s[^\s.]+)?)\.?\s*$")


@lru_cache(maxsize=1024)
def unit_code(text: str | None) -> str | None:
    """A unit as partners write it ("cm", "cm.", "Centimeters", "inch") or as an IRI (QUDT)
    → its QUDT unit IRI, or None."""
    if not text:
        return None
    text = text.strip()
    if text.startswith(QUDT_UNIT) or text.startswith(QUDT_UNIT.replace("http:", "https:")):
        return QUDT_UNIT + text.rsplit("/", 1)[-1]
    match = _UNIT_TEXT.match(text.casefold())
    return UNITS.get(match.group(1)) if match else UNITS.get(text.casefold())


# LIDO event types → what the event is to the object. LIDO 1.1 terminology codes (grouped as
# in nfdi4objects' LIDO-Term2CRM.csv) and the words Flemish exports put in eventType/term.
# Production, creation and designing make an actor a creator of the object.
EVENT_KINDS: dict[str, str] = {
    **dict.fromkeys(
        (
            "lido00007",  # production
            "lido00012",  # creation
            "lido00224",  # designing
            "lido00486",  # work conception
            "lido01096",  # production of the item
            "lido00487",  # carrier production
            "production",
            "creation",
            "productie",
            "vervaardiging",
            "creatie",
            "ontwerp",
            "création",
            "fabrication",
            "herstellung",
        ),
        "production",
    ),
    **dict.fromkeys(
        (
            "lido00001",  # change of legal title
            "lido01151",  # change of physical control or legal title
            "acquisition",
            "verwerving",
            "aanwinst",
            "aankoop",
            "schenking",
            "legaat",
            "purchase",
            "gift",
            "donation",
            "bequest",
            "achat",
            "don",
            "legs",
            "erwerb",
        ),
        "acquisition",
    ),
    **dict.fromkeys(
        ("lido00005", "lido00010", "lido01184", "lido01152", "lido01153", "bewaargeving", "bruikleen", "deposit"),
        "custody",
    ),
    **dict.fromkeys(
        (
            "lido00006",  # modification
            "lido00402",  # conservation
            "lido00034",  # restoration
            "lido01180",
            "lido01183",
            "lido00723",
            "lido01178",
            "lido01179",
            "lido01154",
            "modification",
            "restoration",
            "conservation",
            "restauratie",
            "conservering",
            "wijziging",
            "restauration",
        ),
        "modification",
    ),
    **dict.fromkeys(("lido00223", "lido01159", "move", "verplaatsing", "verhuis", "déplacement"), "move"),
    **dict.fromkeys(
        ("lido00026", "lido01186", "lido01156", "lido01187", "destruction", "vernietiging", "vernieling"),
        "destruction",
    ),
    **dict.fromkeys(("lido00008", "part addition", "toevoeging"), "part-addition"),
    **dict.fromkeys(("lido00021", "part removal", "verwijdering"), "part-removal"),
}
# The property from the object to an event of each kind; any other event is one the object
# was present at (exhibition, use, finding …).
EVENT_PROPERTIES = {
    "production": P108I,
    "acquisition": P24I,
    "custody": P30I,
    "modification": P31I,
    "move": P25I,
    "destruction": P13I,
    "part-addition": P110I,
    "part-removal": P112I,
    "other": P12I,
}

# Related works: relation words and LIDO/Europeana codes → property from this object.
PART_OF_WORDS = frozenset(
    {"ispartof", "is part of", "part of", "deel van", "maakt deel uit van", "onderdeel van", "partie de", "fait partie de"}
)
HAS_PART_WORDS = frozenset(
    {"haspart", "has part", "bestaat uit", "heeft deel", "heeft onderdeel", "omvat", "comprend", "a pour partie"}
)

# Terms of termMaterialsTech that name a technique rather than a material, when the partner
# does not say which (VKC/Adlib exports leave the type out): Dutch, English and French words
# and endings of printing, casting, carving and weaving techniques.
_TECHNIQUE = re.compile(
    r"(ets|etsen|gravure|gravures|snede|sneden|druk|drukken|grafie|aquatint|mezzotint|droge ?naald|"
    r"techniek|gegoten|gesmeed|geweven|geblazen|gedraaid|gebeeldhouwd|ingelegd|verguld|beschilderd|"
    r"etching|engraving|woodcut|lithography|casting|carving|weaving|technique|eau-forte|lithographie|"
    r"tissage|moulage|fonte|sculpté|gravé)$"
)


@lru_cache(maxsize=4096)
def is_technique(term: str) -> bool:
    """Whether an untyped materials/technique term names a technique (``"ets"``,
    ``"kleurenlithografie"``, ``"gegoten"``) rather than a material (``"brons"``, ``"doek"``)."""
    return _TECHNIQUE.search(term.casefold().strip()) is not None


# Kinds of work whose subjects are what they are *about* (crm:P129_is_about), not what they
# depict (crm:P62_depicts): texts, documents, archival material, notated music. Words of
# object names and types (nl, fr, en, de), DCMI/EDM types and AAT concepts.
_TEXTUAL_WORDS = frozenset({
    "text", "tekst", "texte", "texts", "teksten", "textual", "boek", "boeken", "book", "books", "livre", "livres",
    "buch", "handschrift", "handschriften", "manuscript", "manuscripts", "manuscrit", "manuscrits", "document",
    "documenten", "documents", "dokument", "brief", "brieven", "letter", "letters", "lettre", "lettres", "akte",
    "akten", "oorkonde", "oorkonden", "charter", "charters", "charte", "urkunde", "archief", "archiefstuk",
    "archiefstukken", "archiefmateriaal", "archival material", "archival materials", "archives", "archive",
    "archivalien", "dossier", "dossiers", "register", "registers", "tijdschrift", "tijdschriften", "periodical",
    "periodicals", "périodique", "krant", "kranten", "newspaper", "newspapers", "journal", "zeitung",
    "pamflet", "pamfletten", "pamphlet", "pamphlets", "brochure", "brochures", "incunabel", "incunabelen",
    "incunable", "incunabula", "partituur", "partituren", "score", "scores", "partition", "notenschrift",
    "correspondentie", "correspondence", "correspondance", "notulen", "minutes", "verslag", "rapport", "report",
    "publicatie", "publication", "catalogus", "catalogue", "catalog", "gedrukt werk", "printed matter",
})
_TEXTUAL_AAT = frozenset({AAT + n for n in ("300028051", "300026685", "300028569", "300026879", "300026657",
                                             "300026656", "300028029", "300026816", "300026430")})


def is_textual(value: str) -> bool:
    """Whether an object name, type word or type IRI names a text or document."""
    key = value.strip().casefold()
    return key in _TEXTUAL_WORDS or value in _TEXTUAL_AAT or value.upper() == "TEXT" or value == DCMITYPE + "Text"


# Names of aggregators, datahubs and intermediaries that export records for museums: named as
# a LIDO recordSource or lidoRecID source, they are not the object's keeper (matched as
# case-folded substrings of the name).
AGGREGATORS = (
    "vlaamse kunstcollectie", "flemish art collection", "arthub", "datahub", "europeana", "meemoo", "packed",
    "erfgoedplus", "collectie vlaanderen", "aggregator", "aggregatie", "vkc", "digital heritage", "museum digital",
    "deutsche digitale bibliothek", "kulturpool", "culturaitalia", "collectie nederland", "netwerk digitaal erfgoed",
)


@lru_cache(maxsize=1024)
def is_aggregator(name: str | None) -> bool:
    """Whether a legal body's name is that of an aggregator rather than a holding institution."""
    if not name:
        return False
    key = name.casefold()
    return any(word in key for word in AGGREGATORS)


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
# Europeana's edm:type values → DCMI types.
EDM_TYPES = {
    "IMAGE": DCMITYPE + "Image",
    "TEXT": DCMITYPE + "Text",
    "SOUND": DCMITYPE + "Sound",
    "VIDEO": DCMITYPE + "MovingImage",
    "3D": DCMITYPE + "PhysicalObject",
}


@lru_cache(maxsize=1)
def aat_concordance() -> dict[str, str]:
    """Local Dutch terms (case-folded) → Getty AAT IRIs: the concordance the project ships in
    ``mapping/data/aat-concordance.csv`` (built by ``mapping/data/build_aat_concordance.py``
    from the Flemish Art Collection's CC0 authority file)."""
    text = resources.files(__package__).joinpath("data", "aat-concordance.csv").read_text("utf-8")
    return {row["term"]: row["aat"] for row in csv.DictReader(text.splitlines())}


# Readable names of the DCMI types (Dutch, as the pages speak Dutch first).
DCMI_LABELS = {
    "Collection": "collectie", "Dataset": "dataset", "Event": "gebeurtenis", "Image": "beeld",
    "InteractiveResource": "interactieve bron", "MovingImage": "bewegend beeld", "PhysicalObject": "fysiek object",
    "Service": "dienst", "Software": "software", "Sound": "geluid", "StillImage": "stilstaand beeld", "Text": "tekst",
}


@lru_cache(maxsize=1)
def concept_labels() -> dict[str, str]:
    """Concept IRI → a readable label, for IRIs whose graph carries no ``skos:prefLabel``: the
    AAT concepts of the concordance (its ``label`` column, AAT's Dutch preferred term) and the
    DCMI types. What is not here is shown by its local name (``publish.display.local_name``)."""
    text = resources.files(__package__).joinpath("data", "aat-concordance.csv").read_text("utf-8")
    labels = {row["aat"]: row["label"] for row in csv.DictReader(text.splitlines()) if row.get("label")}
    labels.update({DCMITYPE + name: label for name, label in DCMI_LABELS.items()})
    return labels


# Added for the mappers of adlib, mods, qdc, ead and marcxml (issue 11).
P15 = iri(CRM + "P15_was_influenced_by")
P52 = iri(CRM + "P52_has_current_owner")
P129 = iri(CRM + "P129_is_about")
DC_ALTERNATIVE = iri(DCTERMS + "alternative")
