"""OSLO → EDM: one published record's graph → what Europeana takes (EDM external).

Pure functions, no store and no network. :func:`crosswalk` reads the record's N-Triples (as
the store holds them) with the feed's :class:`~oogst.publish.europeana.DeliverySettings` and
returns an :class:`EdmResult`: the :class:`EdmRecord` and, when the record cannot become
valid EDM, the reasons as :class:`~oogst.records.Finding` (Dutch and English), never a
silent drop. :func:`export` also writes the RDF/XML (``publish/edm_xml.py``, element order
of ``EDM.xsd``). The crosswalk is ``../shared/reference/mappings.md`` §4.6::

    E22 IRI                     edm:ProvidedCHO/@rdf:about
    crm:P102_has_title          dc:title (first per language), dcterms:alternative
    crm:P3_has_note, P128/P190  dc:description (notes, inscriptions)
    adms:identifier/notation    dc:identifier (object number first)
    P41i/P42_assigned, P2       dc:type (+ skos:Concept); object name/category → edm:type
    P62_depicts, P129           dc:subject (+ skos:Concept / edm:Agent / edm:Place)
    P108i (and P128/P94i)/P14   dc:creator (+ edm:Agent); a ce:Rol attribution qualifier
                                ("atelier van") folds into a literal "Name (atelier van)"
    … /P11_had_participant      dc:contributor
    … /P4, P82a, P82b           dcterms:created → edm:TimeSpan (edm:begin, edm:end)
    … /P7_took_place_at         dcterms:spatial → edm:Place (wgs84 lat/long from WKT)
    … /P32_used_general_tech.   dc:format (+ skos:Concept)
    P45_consists_of             dcterms:medium (+ skos:Concept)
    P43_has_dimension           dcterms:extent "hoogte 22.9 cm"
    P24i acquisition            dcterms:provenance "verwerving, aankoop, 1979"
    P46i / P46, dcterms:*       dcterms:isPartOf / hasPart, dc:relation, dc:language …
    P55_has_current_location    edm:currentLocation (+ edm:Place)
    P50_has_current_keeper      ore:Aggregation edm:dataProvider (unless the feed sets it)
    foaf:page                   edm:isShownAt
    P129i / P138i digital obj.  edm:isShownBy (first), edm:hasView, edm:object (an image),
                                edm:WebResource with dc:format and its own edm:rights
    P104/E30 P2_has_type        edm:rights: the shown image's, else the object's, else the
                                feed's default; always one of Europeana's URIs (http://, /)
"""

from __future__ import annotations

from ..records import Finding
from .edm_links import aggregation, checks, edm_type
from .edm_model import (
    ADMS_IDENTIFIER,
    CE,
    CEST,
    CEST_OBJECTNUMMER,
    DCT,
    E22,
    LA_EQUIVALENT,
    LITERAL_ONLY,
    LOCN_GEOMETRY,
    ORGANISATION,
    OWL_SAME_AS,
    PASS_THROUGH,
    PERSON,
    RDFS_LABEL,
    SCHEMA,
    SKOS,
    C,
    EdmRecord,
    EdmResult,
    Entity,
    Value,
    WebResource,
    finding,
    is_media_type,
)
from .europeana import DeliverySettings
from .ntgraph import Graph, Lit, parse

__all__ = ["EdmRecord", "EdmResult", "Entity", "Value", "WebResource", "crosswalk", "export"]

_LABELS = (SKOS + "prefLabel", RDFS_LABEL, SKOS + "altLabel")


class _Builder:
    """Builds the EdmRecord of one graph (a fresh one per record)."""

    def __init__(self, graph: Graph, settings: DeliverySettings) -> None:
        self.g = graph
        self.settings = settings
        self.cho: dict[str, list[Value]] = {}
        self.entities: dict[str, Entity] = {}
        self.findings: list[Finding] = []
        self.lang = settings.language
        self._labels: dict[str, list[Lit]] = {}

    # -- helpers ----------------------------------------------------------------------------
    def put(self, element: str, value: Value | None) -> None:
        if value is None or (type(value) is Lit and not value.value.strip()):
            return
        values = self.cho.setdefault(element, [])
        if value not in values:
            values.append(value)

    def labels(self, iri: str) -> list[Lit]:
        """The prefLabels of ``iri``, else its rdfs:labels, else its altLabels."""
        found = self._labels.get(iri)
        if found is None:
            props = self.g.properties(iri)
            for prop in _LABELS:
                found = [x for x in props.get(prop, ()) if type(x) is Lit]
                if found:
                    break
            self._labels[iri] = found
        return found

    def label(self, iri: str) -> Lit | None:
        """The label to show for ``iri``: untagged or in the feed's language first."""
        found = self.labels(iri)
        if not found:
            return None
        return next((x for x in found if x.lang in (None, self.lang)), found[0])

    def _pref_alt(self, iri: str) -> tuple[list[Lit], list[Lit]]:
        """One prefLabel per language; the rest are altLabels."""
        pref: list[Lit] = []
        alt: list[Lit] = []
        seen: set[str | None] = set()
        candidates = self.g.literals(iri, SKOS + "prefLabel") + self.g.literals(iri, RDFS_LABEL)
        for lit in candidates:
            (alt if lit.lang in seen else pref).append(Lit(lit.value, lit.lang))
            seen.add(lit.lang)
        alt += [Lit(x.value, x.lang) for x in self.g.literals(iri, SKOS + "altLabel") if Lit(x.value, x.lang) not in alt]
        return pref, alt

    def _kind(self, iri: str) -> str:
        """What an IRI the object links to is, from what the graph says about it."""
        props = self.g.properties(iri)
        if (DCT + "type") in props and any(t in (PERSON, ORGANISATION) for t in props[DCT + "type"]):
            return "Agent"
        if any(SCHEMA + p in props for p in ("birthDate", "deathDate", "foundingDate", "dissolutionDate")):
            return "Agent"
        if LOCN_GEOMETRY in props or (RDFS_LABEL in props and SKOS + "prefLabel" not in props):
            return "Place"
        return "Concept"

    def entity(self, iri: str, kind: str | None = None) -> str:
        """Link target ``iri``; describe it as a contextual entity when the graph labels it."""
        if iri in self.entities or iri not in self.g:
            return iri
        kind = kind or self._kind(iri)
        pref, alt = self._pref_alt(iri)
        if not pref:
            return iri
        props: dict[str, list[Value]] = {}
        if kind == "Place":
            point = next((x.value for x in self.g.literals(iri, LOCN_GEOMETRY) if x.value.upper().startswith("POINT")), None)
            if point:
                numbers = point[point.find("(") + 1 : point.rfind(")")].replace(",", " ").split()
                if len(numbers) >= 2:
                    props["wgs84_pos:lat"], props["wgs84_pos:long"] = [Lit(numbers[1])], [Lit(numbers[0])]
        props["skos:prefLabel"] = list(pref)
        if alt:
            props["skos:altLabel"] = alt
        if kind == "Agent":
            for source, element in (("birthDate", "rdaGr2:dateOfBirth"), ("deathDate", "rdaGr2:dateOfDeath"),
                                    ("foundingDate", "rdaGr2:dateOfEstablishment"),
                                    ("dissolutionDate", "rdaGr2:dateOfTermination")):
                dates = self.g.literals(iri, SCHEMA + source)
                if dates:
                    props[element] = [Lit(dates[0].value)]
        if kind == "Concept":
            matches = self.g.iris(iri, SKOS + "exactMatch")
            if matches:
                props["skos:exactMatch"] = list(matches)
        same = [x for x in self.g.iris(iri, OWL_SAME_AS) if x != iri]
        if same and kind != "Concept":
            props["owl:sameAs"] = same
        self.entities[iri] = Entity(kind, iri, props)
        return iri

    def resolve(self, iri: str) -> Value | None:
        """What a link to ``iri`` stands for. A node of the record without a label (Ghent's
        ``…#ld-P14-1``) stands for its ``la:equivalent`` / ``owl:sameAs`` or the labelled
        concept that types it (``crm:P2_has_type``), else for its note; others are themselves."""
        if iri.startswith("_:"):
            return None
        if iri not in self.g or self.labels(iri):
            return iri
        g = self.g
        for same in g.iris(iri, LA_EQUIVALENT) + g.iris(iri, OWL_SAME_AS):
            return same
        for kind in g.iris(iri, C["P2_has_type"]):
            if not kind.startswith(CEST) and self.labels(kind):
                return kind
        notes = g.literals(iri, SKOS + "note") + g.literals(iri, C["P3_has_note"])
        return Lit(notes[0].value, notes[0].lang) if notes else iri

    def link(self, element: str, value: Value, kind: str | None = None) -> None:
        """Put an IRI (as a linked entity) or a literal under ``element``."""
        if type(value) is str:
            value = self.resolve(value)
            if value is None:
                return
        if type(value) is str:
            self.put(element, self.entity(value, kind))
        else:
            self.put(element, Lit(value.value, value.lang))

    # -- the ProvidedCHO --------------------------------------------------------------------
    def describe(self, obj: str) -> None:
        g = self.g
        seen_lang: set[str | None] = set()
        for title in g.literals(obj, C["P102_has_title"]):
            self.put("dcterms:alternative" if title.lang in seen_lang else "dc:title", Lit(title.value, title.lang))
            seen_lang.add(title.lang)
        for note in g.objects(obj, C["P3_has_note"]):
            if type(note) is Lit:
                self.put("dc:description", Lit(note.value, note.lang))
            else:
                for text in (x for values in g.properties(note).values() for x in values if type(x) is Lit):
                    self.put("dc:description", Lit(text.value, text.lang))
        for carried in g.iris(obj, C["P128_carries"]):
            for text in g.literals(carried, C["P190_has_symbolic_content"]):
                self.put("dc:description", Lit(text.value, text.lang))
        self.identifiers(obj)
        for classification in g.iris(obj, C["P41i_was_classified_by"]):
            for concept in g.objects(classification, C["P42_assigned"]):
                self.link("dc:type", concept, "Concept")
        for kind in g.iris(obj, C["P2_has_type"]):
            if not kind.startswith("http://purl.org/dc/dcmitype/"):
                self.link("dc:type", kind, "Concept")
        for prop in ("P62_depicts", "P129_is_about"):
            for subject in g.objects(obj, C[prop]):
                self.link("dc:subject", subject)
        self.events(obj)
        for material in g.objects(obj, C["P45_consists_of"]):
            self.link("dcterms:medium", material, "Concept")
        for dimension in g.iris(obj, C["P43_has_dimension"]):
            self.put("dcterms:extent", self.extent(dimension))
        for acquisition in g.iris(obj, C["P24i_changed_ownership_through"]):
            self.put("dcterms:provenance", self.provenance(acquisition))
        for part in g.iris(obj, C["P46i_forms_part_of"]):
            self.put("dcterms:isPartOf", part)
        for part in g.iris(obj, C["P46_is_composed_of"]):
            self.put("dcterms:hasPart", part)
        for doc in g.iris(obj, C["P70i_is_documented_in"]):
            self.put("dcterms:isReferencedBy", doc)
        locations = [x for x in map(self.resolve, g.iris(obj, C["P55_has_current_location"])) if type(x) is str]
        if locations:  # at most one (EDM.xsd); a bare note ("depot") is no place
            self.put("edm:currentLocation", self.entity(locations[0], "Place"))
        for prop, found in g.properties(obj).items():
            element = PASS_THROUGH.get(prop)
            if element is None:
                continue
            for value in found:
                if type(value) is str and element in LITERAL_ONLY:
                    continue
                if element == "dc:format" and type(value) is Lit and is_media_type(value.value):
                    continue
                self.link(element, value)
        for same in g.iris(obj, OWL_SAME_AS):
            self.put("owl:sameAs", same)

    def identifiers(self, obj: str) -> None:
        ids = []
        for node in self.g.iris(obj, ADMS_IDENTIFIER):
            first = CEST_OBJECTNUMMER in self.g.iris(node, C["P2_has_type"])
            for notation in self.g.literals(node, SKOS + "notation"):
                ids.append((not first, Lit(notation.value)))
        for _, value in sorted(ids, key=lambda pair: pair[0]):
            self.put("dc:identifier", value)

    def events(self, obj: str) -> None:
        """Creators, contributors, date, place and techniques of the production (and of the
        creation of what the object carries)."""
        g = self.g
        events = list(g.iris(obj, C["P108i_was_produced_by"])) + list(g.iris(obj, C["P94i_was_created_by"]))
        for values in g.properties(obj).values():  # what the object carries or shows (P128, P65, P67i …)
            for node in values:
                if type(node) is str and node != obj:
                    events += [e for e in g.iris(node, C["P94i_was_created_by"]) if e not in events]
        if not events:
            return
        qualifiers: dict[tuple[str, str], list[Lit]] = {}
        for node in g.subjects():
            props = g.properties(node)
            if CE + "Rol.activiteit" in props:
                notes = [x for x in props.get(C["P3_has_note"], []) if type(x) is Lit]
                for event in props[CE + "Rol.activiteit"]:
                    for agent in props.get(CE + "Rol.agent", []):
                        if notes:
                            qualifiers.setdefault((event, agent), []).extend(notes)
        for event in events:
            for node in g.objects(event, C["P14_carried_out_by"]):
                agent = self.resolve(node) if type(node) is str else node
                notes = (qualifiers.get((event, node)) or qualifiers.get((event, agent))) if type(agent) is str else None
                if notes:
                    name = self.label(agent)
                    qualifier = notes[0]
                    text = f"{name.value} ({qualifier.value})" if name else qualifier.value
                    self.put("dc:creator", Lit(text, qualifier.lang or (name.lang if name else None)))
                elif agent is not None:
                    self.link("dc:creator", agent, "Agent")
            for agent in g.objects(event, C["P11_had_participant"]):
                self.link("dc:contributor", agent, "Agent")
            self.time_span(event)
            for place in g.objects(event, C["P7_took_place_at"]):
                self.link("dcterms:spatial", place, "Place")
            for technique in g.objects(event, C["P32_used_general_technique"]):
                self.link("dc:format", technique, "Concept")

    def time_span(self, event: str) -> None:
        g = self.g
        edtf = g.literals(event, C["P4_has_time-span"])
        begin = g.literals(event, C["P82a_begin_of_the_begin"])
        end = g.literals(event, C["P82b_end_of_the_end"])
        if not (begin or end):
            for value in edtf:
                self.put("dcterms:created", Lit(value.value))
            return
        about = event + ("-timespan" if "#" in event else "#timespan")
        props: dict[str, list[Value]] = {}
        if edtf:
            props["skos:prefLabel"] = [Lit(edtf[0].value)]
        if begin:
            props["edm:begin"] = [Lit(begin[0].value)]
        if end:
            props["edm:end"] = [Lit(end[0].value)]
        self.entities[about] = Entity("TimeSpan", about, props)
        self.put("dcterms:created", about)

    def extent(self, dimension: str) -> Lit | None:
        g = self.g
        kinds = [self.label(k) for k in g.iris(dimension, C["P2_has_type"])]
        kind = next((k for k in kinds if k), None)
        value = next(iter(g.literals(dimension, SCHEMA + "value")), None)
        unit = next(iter(g.literals(dimension, SCHEMA + "unitText")), None)
        notes = g.literals(dimension, C["P3_has_note"])
        if value is None:
            return Lit(notes[0].value, notes[0].lang) if notes else None
        text = " ".join(x for x in (kind.value if kind else None, value.value, unit.value if unit else None) if x)
        if notes:
            text += f" ({notes[0].value})"
        return Lit(text, kind.lang if kind else (notes[0].lang if notes else None))

    def provenance(self, acquisition: str) -> Lit | None:
        g = self.g
        parts: list[Lit] = []
        for prop in ("P2_has_type", "P32_used_general_technique"):
            parts += [x for x in (self.label(k) for k in g.iris(acquisition, C[prop])) if x]
        parts += g.literals(acquisition, C["P3_has_note"])
        texts = list(dict.fromkeys(p.value for p in parts))
        if not texts:
            return None
        lang = next((p.lang for p in parts if p.lang), None)
        return Lit(", ".join(texts), lang)


def crosswalk(graph: Graph | str | bytes, settings: DeliverySettings, *, strict: bool = True) -> EdmResult:
    """The EDM of one record's OSLO graph (N-Triples text or a parsed graph). With
    ``strict=False`` the record is returned even when it cannot be valid EDM (its type or
    rights may then be None): what other outbound formats (oai_dc) build on."""
    g = graph if isinstance(graph, Graph) else parse(graph)
    objects = [s for cls in E22 for s in g.subjects_of_type(cls)]
    if not objects:
        return EdmResult("", None, [finding(
            "no-object", "edm:ProvidedCHO", "De graaf bevat geen erfgoedobject (crm:E22_Human-Made_Object).",
            "The graph holds no heritage object (crm:E22_Human-Made_Object).")])
    obj = objects[0]
    b = _Builder(g, settings)
    if len(objects) > 1:
        b.findings.append(finding("several-objects", "edm:ProvidedCHO", f"De graaf bevat {len(objects)} objecten; "
                                   "alleen het eerste gaat naar Europeana.", f"The graph holds {len(objects)} "
                                   "objects; only the first goes to Europeana.", obj, "warning"))
    b.describe(obj)
    agg, media, rights = aggregation(b, obj)
    record_type = edm_type(b, obj, media)
    checks(b, record_type, agg, rights)
    if strict and any(f.severity == "violation" for f in b.findings):
        return EdmResult(obj, None, b.findings)
    about = obj + ("-aggregation" if "#" in obj else "#aggregation")
    record = EdmRecord(obj, record_type, b.cho, about, agg, media, b.entities, rights)
    return EdmResult(obj, record, b.findings)


def export(graph: Graph | str | bytes, settings: DeliverySettings) -> EdmResult:
    """:func:`crosswalk` and, when the record is valid EDM, its RDF/XML in ``result.xml``."""
    from .edm_xml import to_rdfxml

    result = crosswalk(graph, settings)
    if result.record is not None:
        result.xml = to_rdfxml(result.record)
    return result
