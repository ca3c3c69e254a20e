"""Every field of a record's graph, in words a person reads: the record page and the wizard's
preview show these. Where :func:`~oogst.publish.display.extract` keeps what search needs,
:func:`details` keeps everything the OSLO graph says about the object — titles, object
name, description, inscriptions, makers with their role, date and place of production,
materials, techniques, dimensions, subjects, acquisition and other events, keeper,
identifiers, rights, images and pages — each value with a label instead of an IRI (the
graph's ``skos:prefLabel``, else the concordance, else the IRI's local name).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field

import pyoxigraph as ox

from .display import LANGUAGES, local_name

CRM = "http://www.cidoc-crm.org/cidoc-crm/"
SKOS = "http://www.w3.org/2004/02/skos/core#"
SCHEMA = "https://schema.org/"
ADMS = "http://www.w3.org/ns/adms#"
CEST = "https://www.projectcest.be/wiki/Publicatie:Invulboek_objecten/Veld/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
FOAF_PAGE = "http://xmlns.com/foaf/0.1/page"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"

# field key → (Dutch, English)
FIELDS: dict[str, tuple[str, str]] = {
    "title": ("Titel", "Title"),
    "object_name": ("Objectnaam", "Object name"),
    "classification": ("Classificatie", "Classification"),
    "description": ("Beschrijving", "Description"),
    "inscription": ("Opschrift", "Inscription"),
    "maker": ("Vervaardiger", "Maker"),
    "date": ("Datering", "Date"),
    "place": ("Plaats van vervaardiging", "Place of production"),
    "material": ("Materiaal", "Material"),
    "technique": ("Techniek", "Technique"),
    "dimension": ("Afmetingen", "Dimensions"),
    "subject": ("Onderwerp", "Subject"),
    "acquisition": ("Verwerving", "Acquisition"),
    "event": ("Andere gebeurtenis", "Other event"),
    "keeper": ("Beheerder", "Keeper"),
    "location": ("Standplaats", "Location"),
    "object_number": ("Objectnummer", "Object number"),
    "identifier": ("Andere identificator", "Other identifier"),
    "rights": ("Rechten", "Rights"),
    "image": ("Afbeelding", "Image"),
    "page": ("Webpagina bij de bron", "Web page at the source"),
    "part_of": ("Maakt deel uit van", "Part of"),
    "has_part": ("Bestaat uit", "Has part"),
}

EVENTS = {  # event property → the field it fills
    CRM + "P24i_changed_ownership_through": "acquisition",
    CRM + "P30i_custody_transferred_through": "event", CRM + "P31i_was_modified_by": "event",
    CRM + "P25i_moved_by": "event", CRM + "P13i_was_destroyed_by": "event",
    CRM + "P110i_was_augmented_by": "event", CRM + "P112i_was_diminished_by": "event",
    CRM + "P12i_was_present_at": "event",
}


@dataclass
class Value:
    text: str
    iri: str | None = None  # what the text names, when it names something
    lang: str | None = None


@dataclass
class Field:
    key: str
    values: list[Value] = field(default_factory=list)

    @property
    def label_nl(self) -> str:
        return FIELDS[self.key][0]

    @property
    def label_en(self) -> str:
        return FIELDS[self.key][1]


@dataclass
class Details:
    object_iri: str
    fields: list[Field] = field(default_factory=list)

    def get(self, key: str) -> list[Value]:
        return next((f.values for f in self.fields if f.key == key), [])

    def as_dict(self) -> dict[str, list[dict[str, str | None]]]:
        return {f.key: [{"text": v.text, "iri": v.iri, "lang": v.lang} for v in f.values] for f in self.fields}


def _best(literals: list[tuple[str, str]]) -> str | None:
    for language in LANGUAGES:
        for text, lang in literals:
            if lang.split("-")[0].lower() == language:
                return text
    return literals[0][0] if literals else None


def details(ntriples: str | bytes, object_iri: str, *, labels: Mapping[str, str] | None = None) -> Details:
    """The readable fields of one record graph; unknown shapes yield fewer fields, never errors."""
    out: dict[str, dict[str, list[ox.NamedNode | ox.BlankNode | ox.Literal]]] = defaultdict(lambda: defaultdict(list))
    data = ntriples.encode("utf-8") if isinstance(ntriples, str) else ntriples
    for triple in ox.parse(data, format=ox.RdfFormat.N_TRIPLES):
        out[triple.subject.value][triple.predicate.value].append(triple.object)
    if not object_iri:  # a quarantined graph without an indexed IRI: the one E22 in it
        object_iri = next((s for s, props in out.items()
                           if any(o.value.startswith(CRM + "E22") for o in props.get(RDF_TYPE, []))), "")

    def nodes(subject: str, predicate: str) -> list[str]:
        return [o.value for o in out.get(subject, {}).get(predicate, []) if not isinstance(o, ox.Literal)]

    def literals(subject: str, predicate: str) -> list[tuple[str, str]]:
        return [(o.value, o.language or "") for o in out.get(subject, {}).get(predicate, [])
                if isinstance(o, ox.Literal)]

    def name(iri: str) -> str:
        return (_best(literals(iri, SKOS + "prefLabel")) or _best(literals(iri, RDFS_LABEL))
                or (labels or {}).get(iri) or local_name(iri))

    def named(iri: str) -> Value:
        return Value(name(iri), iri)

    fields: dict[str, list[Value]] = defaultdict(list)

    def add(key: str, value: Value | None) -> None:
        if value is not None and value.text and all((v.text, v.iri) != (value.text, value.iri) for v in fields[key]):
            fields[key].append(value)

    obj = object_iri
    for text, lang in literals(obj, CRM + "P102_has_title"):
        add("title", Value(text, lang=lang or None))
    for text, lang in literals(obj, CRM + "P3_has_note"):
        add("description", Value(text, lang=lang or None))
    for classification in nodes(obj, CRM + "P41i_was_classified_by"):
        key = "object_name" if CEST + "Term_objectnaam" in nodes(classification, CRM + "P2_has_type") else "classification"
        for concept in nodes(classification, CRM + "P42_assigned"):
            add(key, named(concept))
    for carried in nodes(obj, CRM + "P128_carries"):
        text = _best(literals(carried, CRM + "P190_has_symbolic_content"))
        note = _best(literals(carried, CRM + "P3_has_note"))
        add("inscription", Value(" — ".join(t for t in (text, note) if t)))
    for production in nodes(obj, CRM + "P108i_was_produced_by"):
        _production(production, nodes, literals, named, name, add, out)
    for concept in nodes(obj, CRM + "P45_consists_of"):
        add("material", named(concept))
    for dimension in nodes(obj, CRM + "P43_has_dimension"):
        add("dimension", Value(_dimension(dimension, literals, nodes, name)))
    for subject in nodes(obj, CRM + "P62_depicts"):
        add("subject", named(subject))
    for prop, key in EVENTS.items():
        for event in nodes(obj, prop):
            add(key, Value(_event(event, literals, nodes, name)))
    for keeper in nodes(obj, CRM + "P50_has_current_keeper"):
        add("keeper", named(keeper))
    for place in nodes(obj, CRM + "P55_has_current_location"):
        add("location", named(place))
    for identifier in nodes(obj, ADMS + "identifier"):
        notation = _best(literals(identifier, SKOS + "notation"))
        if notation:
            number = CEST + "Waarde_objectnummer" in nodes(identifier, CRM + "P2_has_type")
            agency = _best(literals(identifier, ADMS + "schemaAgency"))
            add("object_number" if number else "identifier",
                Value(notation if number or not agency else f"{notation} ({agency})"))
    for right in nodes(obj, CRM + "P104_is_subject_to"):
        for statement in nodes(right, CRM + "P2_has_type"):
            add("rights", Value(statement, statement))
    for image in nodes(obj, CRM + "P129i_is_subject_of"):
        add("image", Value(image, image))
    for page in nodes(obj, FOAF_PAGE):
        add("page", Value(page, page))
    for whole in nodes(obj, CRM + "P46i_forms_part_of"):
        add("part_of", named(whole))
    for part in nodes(obj, CRM + "P46_is_composed_of"):
        add("has_part", named(part))
    rank = {lang: i for i, lang in enumerate(LANGUAGES)}
    for key in ("title", "description", "inscription"):  # Dutch first, then untagged, English …
        fields[key].sort(key=lambda v: rank.get((v.lang or "").split("-")[0].lower(), len(rank)))
    return Details(obj, [Field(key, fields[key]) for key in FIELDS if fields.get(key)])


def _production(production, nodes, literals, named, name, add, out) -> None:  # noqa: ANN001 - local helpers
    roles: dict[str, list[str]] = defaultdict(list)  # agent → role labels and qualifiers
    for role in (s for s, props in out.items() if any(o.value == production for o in props.get(
            "https://data.vlaanderen.be/ns/cultureel-erfgoed#Rol.activiteit", []))):
        for agent in nodes(role, "https://data.vlaanderen.be/ns/cultureel-erfgoed#Rol.agent"):
            roles[agent] += [name(r) for r in nodes(role, CRM + "P14.1_in_the_role_of")]
            roles[agent] += [t for t, _ in literals(role, CRM + "P3_has_note")]
    for agent in nodes(production, CRM + "P14_carried_out_by"):
        value = named(agent)
        if roles.get(agent):
            value.text = f"{value.text} ({', '.join(dict.fromkeys(roles[agent]))})"
        add("maker", value)
    date = _best(literals(production, CRM + "P3_has_note"))
    spans = [(t, "") for t, _ in literals(production, CRM + "P4_has_time-span")]
    add("date", Value(date or _best(spans) or ""))
    for place in nodes(production, CRM + "P7_took_place_at"):
        add("place", named(place))
    for technique in nodes(production, CRM + "P32_used_general_technique"):
        add("technique", named(technique))
    for material in nodes(production, CRM + "P126_employed"):
        add("material", named(material))


def _dimension(node: str, literals, nodes, name) -> str:  # noqa: ANN001
    kind = ", ".join(name(t) for t in nodes(node, CRM + "P2_has_type"))
    value = _best(literals(node, SCHEMA + "value")) or ""
    if value.endswith(".0"):
        value = value[:-2]
    unit = _best(literals(node, SCHEMA + "unitText")) or ""
    note = _best(literals(node, CRM + "P3_has_note"))
    text = " ".join(t for t in (f"{kind}:" if kind else "", value.replace(".", ","), unit) if t)
    return f"{text} ({note})" if note and note != text else text


def _event(node: str, literals, nodes, name) -> str:  # noqa: ANN001
    kind = ", ".join(name(t) for t in (*nodes(node, CRM + "P2_has_type"), *nodes(node, CRM + "P32_used_general_technique")))
    when = _best(literals(node, CRM + "P3_has_note")) or _best([(t, "") for t, _ in literals(node, CRM + "P4_has_time-span")])
    agents = [name(a) for p in (CRM + "P23_transfered_title_from", CRM + "P14_carried_out_by") for a in nodes(node, p)]
    parts = [p for p in (kind, when, ", ".join(agents)) if p]
    return " · ".join(parts)
