"""LIDO 1.0 / 1.1 → OSLO Cultureel Erfgoed (2021 application profile patterns).

The crosswalk is ``../shared/reference/mappings.md`` §4.2. What it writes, per record::

    object      crm:E22_Human-Made_Object; the partner's objectPublishedID when it is an
                http IRI, else minted from the source id
    titles      crm:P102_has_title "…"@lang       (every titleSet/appellationValue)
    notes       crm:P3_has_note "…"@lang          (objectDescriptionSet/descriptiveNoteValue)
    identifiers adms:identifier → skos:notation   (workID = object number; lidoRecID)
    keeper      crm:P50_has_current_keeper        (repositorySet/repositoryName)
    object name crm:P41i_was_classified_by → E17 (crm:P42_assigned concept,
                crm:P2_has_type cest:Term_objectnaam)
    production  crm:P108i_was_produced_by → E12  (events whose type is production,
                creation or designing, by LIDO 1.1 code or by the word, nl/en/fr): actors
                (crm:P14_carried_out_by), their role and attribution qualifier (ce:Rol),
                time (crm:P4_has_time-span EDTF), displayDate (crm:P3_has_note),
                techniques (crm:P32); materials go on the object (crm:P45_consists_of)
    dimensions  crm:P43_has_dimension → E54 (crm:P2_has_type AAT, schema:value decimal,
                schema:unitText, extent as crm:P3_has_note)
    rights      crm:P104_is_subject_to → E30 (crm:P2_has_type rights URI)
    web         foaf:page <recordInfoLink>; crm:P129i_is_subject_of <linkResource> (the
                image itself is the digital object, as in Ghent's data)

Multilingual LIDO repeats ``descriptiveMetadata`` (and ``administrativeMetadata``) once per
language. Each block is mapped; things at the same position in two blocks are taken to be the
same thing (one node, labels in both languages), and repeated triples fall away.
"""

from __future__ import annotations

from lxml import etree

from ..records import MappedRecord, SourceRecord
from . import normalize, vocab
from .builder import RecordBuilder, source_paths
from .ntriples import iri, lit
from .payload import find_root
from .profile import Profile

LIDO = "http://www.lido-schema.org"
_L = "{" + LIDO + "}"
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_PREF = _L + "pref"
_TYPE = _L + "type"


def _xpath(path: str) -> etree.XPath:
    return etree.XPath(path, namespaces={"lido": LIDO}, smart_strings=False)


_ALL_LIDO = _xpath("//lido:lido")
_REC_IDS = _xpath("lido:lidoRecID")
_PUBLISHED_ID = _xpath("lido:objectPublishedID")
_DESCRIPTIVE = _xpath("lido:descriptiveMetadata")
_ADMINISTRATIVE = _xpath("lido:administrativeMetadata")
# relative to descriptiveMetadata
_TITLES = _xpath("lido:objectIdentificationWrap/lido:titleWrap/lido:titleSet/lido:appellationValue")
_DESCRIPTIONS = _xpath(
    "lido:objectIdentificationWrap/lido:objectDescriptionWrap/lido:objectDescriptionSet/lido:descriptiveNoteValue"
)
_REPOSITORIES = _xpath("lido:objectIdentificationWrap/lido:repositoryWrap/lido:repositorySet[not(@lido:type='former')]")
_WORK_TYPES = _xpath("lido:objectClassificationWrap/lido:objectWorkTypeWrap/lido:objectWorkType")
_MEASUREMENTS = _xpath(
    "lido:objectIdentificationWrap/lido:objectMeasurementsWrap/lido:objectMeasurementsSet/lido:objectMeasurements"
)
_EVENTS = _xpath("lido:eventWrap/lido:eventSet/lido:event")
# relative to an event, a legal body, a measurement
_ACTORS = _xpath("lido:eventActor/lido:actorInRole")
_ACTOR_NAMES = _xpath("lido:actor/lido:nameActorSet/lido:appellationValue")
_ACTOR_IDS = _xpath("lido:actor/lido:actorID")
_MATERIALS = _xpath("lido:eventMaterialsTech/lido:materialsTech/lido:termMaterialsTech")
_DATES = _xpath("lido:eventDate/lido:date")
_DISPLAY_DATES = _xpath("lido:eventDate/lido:displayDate")
_LEGAL_BODY_NAMES = _xpath("lido:legalBodyName/lido:appellationValue")
# relative to administrativeMetadata
_RIGHTS = _xpath("lido:rightsWorkWrap/lido:rightsWorkSet")
_RECORD_LINKS = _xpath("lido:recordWrap/lido:recordInfoSet/lido:recordInfoLink")
_RESOURCES = _xpath("lido:resourceWrap/lido:resourceSet")
_LINKS = _xpath("lido:resourceRepresentation/lido:linkResource")

_TECHNIQUE_TYPES = frozenset({"technique", "techniek", "technik"})
_CIRCA_TYPES = frozenset({"circa", "ca", "ca.", "approximate", "approximately", "estimated", "estimateddate"})

SOURCE_PATHS = source_paths(
    {
        vocab.P102: "lido:titleWrap/titleSet/appellationValue",
        vocab.P3: "lido:objectDescriptionWrap/objectDescriptionSet/descriptiveNoteValue",
        vocab.IDENTIFIER: "lido:repositoryWrap/repositorySet/workID",
        vocab.NOTATION: "lido:repositoryWrap/repositorySet/workID",
        vocab.P50: "lido:repositoryWrap/repositorySet/repositoryName/legalBodyName",
        vocab.P41I: "lido:objectWorkTypeWrap/objectWorkType",
        vocab.P42: "lido:objectWorkTypeWrap/objectWorkType/conceptID",
        vocab.P108I: "lido:eventWrap/eventSet/event (eventType productie)",
        vocab.P14: "lido:event/eventActor/actorInRole/actor",
        vocab.P14_1: "lido:event/eventActor/actorInRole/roleActor",
        vocab.P4: "lido:event/eventDate/date/earliestDate, latestDate",
        vocab.P45: "lido:event/eventMaterialsTech/materialsTech/termMaterialsTech",
        vocab.P32: "lido:event/eventMaterialsTech/materialsTech/termMaterialsTech[@type='technique']",
        vocab.P43: "lido:objectMeasurementsWrap/objectMeasurementsSet/objectMeasurements",
        vocab.P104: "lido:rightsWorkWrap/rightsWorkSet/rightsType",
        vocab.PAGE: "lido:recordWrap/recordInfoSet/recordInfoLink",
        vocab.P129I: "lido:resourceWrap/resourceSet/resourceRepresentation/linkResource",
    }
)


def _text(element: etree._Element, *, multiline: bool = False) -> str | None:
    raw = element.text if len(element) == 0 else "".join(element.itertext())
    return normalize.text(raw, multiline=multiline)


def _lang(element: etree._Element, default: str) -> str:
    tag = element.get(_XML_LANG)
    return (normalize.language(tag) or default) if tag else default


def _children(element: etree._Element, name: str) -> list[etree._Element]:
    tag = _L + name  # a plain loop beats iterchildren(tag), findall and XPath on small elements
    return [child for child in element if child.tag == tag]


def _child(element: etree._Element, name: str) -> etree._Element | None:
    tag = _L + name
    return next((child for child in element if child.tag == tag), None)


def _texts(elements: list[etree._Element]) -> list[str]:
    return [value for value in map(_text, elements) if value]


class LidoMapper:
    """Maps one LIDO record (1.0 or 1.1) to an OSLO graph."""

    name = "lido"

    def map(self, record: SourceRecord, profile: Profile) -> MappedRecord:
        lido, warnings = find_root(record, _L + "lido", _ALL_LIDO, "lido:lido")
        return _LidoRecord(record, profile, warnings).build(lido)


class _LidoRecord(RecordBuilder):
    def build(self, lido: etree._Element) -> MappedRecord:
        self.start(next(iter(_texts(_PUBLISHED_ID(lido))), None))
        for k, element in enumerate(_REC_IDS(lido), 1):
            value = _text(element)
            if value:
                self.identifier(("record", k), value, agency=element.get(_L + "source"))
        for block in _DESCRIPTIVE(lido):
            self.descriptive(block, _lang(block, self.profile.language))
        has_rights = False
        for block in _ADMINISTRATIVE(lido):
            has_rights |= self.administrative(block, _lang(block, self.profile.language))
        if not has_rights:
            self.default_rights()
        return self.finish(SOURCE_PATHS)

    # -- descriptiveMetadata ---------------------------------------------------------------

    def descriptive(self, block: etree._Element, lang: str) -> None:
        for element in _TITLES(block):
            value = _text(element)
            if value:
                self.title(value, _lang(element, lang))
        for element in _DESCRIPTIONS(block):
            value = _text(element, multiline=True)
            if value:
                self.add(self.object, vocab.P3, lit(value, _lang(element, lang)))
        for i, repository in enumerate(_REPOSITORIES(block), 1):
            self.repository(repository, i, lang)
        for i, work_type in enumerate(_WORK_TYPES(block), 1):
            concept = self.lido_concept(("objectnaam", i), "objectnaam", work_type, lang)
            if concept:
                node = self.node("classification", i)
                self.add(self.object, vocab.P41I, node)
                self.add(node, vocab.P41, self.object)
                self.add(node, vocab.P42, concept)
                self.add(node, vocab.P2, vocab.CEST_OBJECTNAAM)
        n = 0
        for measurements in _MEASUREMENTS(block):
            extents = [(v, _lang(e, lang)) for e in _children(measurements, "extentMeasurements") if (v := _text(e))]
            for measurement in _children(measurements, "measurementsSet"):
                n += 1
                self.dimension(measurement, n, extents, lang)
        n = 0
        for event in _EVENTS(block):
            if _is_creation(event):
                n += 1
                self.production(event, n, lang)

    def repository(self, repository: etree._Element, i: int, lang: str) -> None:
        body = _child(repository, "repositoryName")
        names = self.legal_body_names(body, lang) if body is not None else []
        if body is not None:
            keeper = self.agent(("keeper", i), _texts(_children(body, "legalBodyID")), names, may_be_provider=True)
            if keeper:
                self.add(self.object, vocab.P50, keeper)
        for j, element in enumerate(_children(repository, "workID"), 1):
            value = _text(element)
            if value:
                self.object_numbers.append(value)
                agency = names[0][0] if names else None
                self.identifier(("objectnumber", i, j), value, agency=agency, kind=vocab.CEST_OBJECTNUMMER)

    @staticmethod
    def legal_body_names(body: etree._Element, lang: str) -> list[tuple[str, str | None, bool]]:
        return [(v, _lang(e, lang), True) for e in _LEGAL_BODY_NAMES(body) if (v := _text(e))]

    def lido_concept(self, key: tuple[str | int, ...], scheme: str, element: etree._Element, lang: str) -> str | None:
        """A LIDO concept (``conceptID``\\* + ``term``\\*) as a concept IRI with labels."""
        ids = _texts(_children(element, "conceptID"))
        labels = [
            (value, _lang(term, lang), term.get(_PREF) != "alternate")
            for term in _children(element, "term")
            if term.get(_L + "addedSearchTerm") != "yes" and (value := _text(term))
        ]
        return self.concept(key, scheme, ids, labels)

    def dimension(self, measurement: etree._Element, n: int, extents: list[tuple[str, str]], lang: str) -> None:
        kinds = [(v, _lang(e, lang), True) for e in _children(measurement, "measurementType") if (v := _text(e))]
        raw = next(iter(_texts(_children(measurement, "measurementValue"))), None)
        if not kinds and raw is None:
            return
        node = self.node("dimension", n)
        self.add(self.object, vocab.P43, node)
        if kinds:
            aat = vocab.DIMENSION_TYPES.get(kinds[0][0].casefold())
            kind = self.concept(("dimensie", n), "dimensie", [aat] if aat else [], kinds[:1])
            if kind:
                self.add(node, vocab.P2, kind)
        value = normalize.decimal(raw)
        if value is not None:
            self.add(node, vocab.VALUE, lit(value, datatype=vocab.DECIMAL))
        elif raw is not None:
            self.warn(f"measurementValue {raw!r} is not a number: kept as a note on dimension {n}")
            self.add(node, vocab.P3, lit(raw, lang))
        for unit in _texts(_children(measurement, "measurementUnit")):
            self.add(node, vocab.UNIT_TEXT, lit(unit))
        for extent, extent_lang in extents:
            self.add(node, vocab.P3, lit(extent, extent_lang))

    def production(self, event: etree._Element, n: int, lang: str) -> None:
        node = self.node("production", n)
        self.add(self.object, vocab.P108I, node)
        self.add(node, vocab.P108, self.object)
        for j, in_role in enumerate(_ACTORS(event), 1):
            self.actor(in_role, node, n, j, lang)
        self.time_span(event, node, lang)
        for k, term in enumerate(_MATERIALS(event), 1):
            if (term.get(_TYPE) or "").casefold() in _TECHNIQUE_TYPES:
                technique = self.lido_concept(("techniek", n, k), "techniek", term, lang)
                if technique:
                    self.add(node, vocab.P32, technique)
            else:
                material = self.lido_concept(("materiaal", n, k), "materiaal", term, lang)
                if material:
                    self.add(self.object, vocab.P45, material)

    def actor(self, in_role: etree._Element, production: str, n: int, j: int, lang: str) -> None:
        # Names of people are not in a language: tagged only when the source tags them.
        names = [
            (value, normalize.language(element.get(_XML_LANG)), element.get(_PREF) != "alternate")
            for element in _ACTOR_NAMES(in_role)
            if (value := _text(element))
        ]
        agent = self.agent(("actor", n, j), _texts(_ACTOR_IDS(in_role)), names)
        if agent is None:
            return
        self.add(production, vocab.P14, agent)
        roles = [
            concept
            for k, element in enumerate(_children(in_role, "roleActor"), 1)
            if (concept := self.lido_concept(("rol", n, j, k), "rol", element, lang))
        ]
        qualifiers = [(v, _lang(e, lang)) for e in _children(in_role, "attributionQualifierActor") if (v := _text(e))]
        if roles or qualifiers:
            role = self.node("production", n, "role", j)
            self.add(role, vocab.ROL_AGENT, agent)
            self.add(role, vocab.ROL_ACTIVITEIT, production)
            for concept in roles:
                self.add(role, vocab.P14_1, concept)
            for qualifier, qualifier_lang in qualifiers:
                self.add(role, vocab.P3, lit(qualifier, qualifier_lang))

    def time_span(self, event: etree._Element, production: str, lang: str) -> None:
        displays = [(v, _lang(e, lang)) for e in _DISPLAY_DATES(event) if (v := _text(e))]
        for display, display_lang in displays:
            self.add(production, vocab.P3, lit(display, display_lang))
        date = next(iter(_DATES(event)), None)
        earliest = self.date_bound(date, "earliestDate", first=True)
        latest = self.date_bound(date, "latestDate", first=False)
        span: str | None
        if earliest and latest:
            span = earliest if earliest == latest else f"{earliest}/{latest}"
        elif earliest or latest:
            # LIDO fills only earliestDate for a single date; the displayDate tells which.
            single = earliest or latest
            shown = {normalize.edtf(display) for display, _ in displays}
            span = single if single in shown else (f"{single}/.." if earliest else f"../{single}")
        else:
            span = next((edtf for display, _ in displays if (edtf := normalize.edtf(display))), None)
        if span:
            self.add(production, vocab.P4, lit(span, datatype=vocab.EDTF))

    def date_bound(self, date: etree._Element | None, name: str, *, first: bool) -> str | None:
        """earliestDate / latestDate as EDTF; text that is no date is kept as it is, so the
        acceptance shapes quarantine the record and the partner sees the bad value."""
        element = _child(date, name) if date is not None else None
        raw = _text(element) if element is not None else None
        if raw is None:
            return None
        value = normalize.edtf(raw)
        if value is None:
            self.warn(f"{name} {raw!r} is not a date (EDTF)")
            return raw
        if "/" in value:  # "17de eeuw, eerste helft" as a bound: take its own first/last end
            value = value.split("/")[0 if first else -1]
        if (element.get(_TYPE) or "").casefold() in _CIRCA_TYPES:
            value = normalize.qualify(value, "~") or value
        return value

    # -- administrativeMetadata ------------------------------------------------------------

    def administrative(self, block: etree._Element, lang: str) -> bool:
        """Rights, landing page and images; returns whether the work's rights have a URI."""
        has_rights = False
        for i, rights in enumerate(_RIGHTS(block), 1):
            has_rights |= self.lido_rights(rights, self.node("right", i), self.object, ("rightsholder", i), lang)
        for element in _RECORD_LINKS(block):
            raw = _text(element)
            url = normalize.http_iri(raw)
            if url:
                self.add(self.object, vocab.PAGE, iri(url))
            elif raw:
                self.warn(f"recordInfoLink {raw!r} is not an http(s) URL")
        for i, resource in enumerate(_RESOURCES(block), 1):
            for element in _LINKS(resource):
                raw = _text(element)
                url = normalize.http_iri(raw)
                if url is None:
                    if raw:
                        self.warn(f"linkResource {raw!r} is not an http(s) URL")
                    continue
                digital = iri(url)
                self.add(self.object, vocab.P129I, digital)
                for k, rights in enumerate(_children(resource, "rightsResource"), 1):
                    self.lido_rights(
                        rights, self.node("resource", i, "right", k), digital, ("resource-rightsholder", i, k), lang
                    )
        return has_rights

    def lido_rights(
        self, rights: etree._Element, node: str, subject: str, holder_key: tuple[str | int, ...], lang: str
    ) -> bool:
        statements: list[tuple[str, str | None]] = []
        for rights_type in _children(rights, "rightsType"):
            statements += [(v, None) for v in _texts(_children(rights_type, "conceptID"))]
            statements += [(v, _lang(e, lang)) for e in _children(rights_type, "term") if (v := _text(e))]
        credits = [(v, _lang(e, lang)) for e in _children(rights, "creditLine") if (v := _text(e))]
        body = _child(rights, "rightsHolder")
        holder = (
            None
            if body is None
            else self.agent(holder_key, _texts(_children(body, "legalBodyID")), self.legal_body_names(body, lang))
        )
        return self.rights(node, subject, statements, credits, holder)


def _is_creation(event: etree._Element) -> bool:
    """Production, creation or designing: by LIDO 1.1 code (``…/lido00007``) or by word."""
    event_type = _child(event, "eventType")
    if event_type is None:
        return False
    for code in _texts(_children(event_type, "conceptID")):
        if code.rstrip("/").rsplit("/", 1)[-1].casefold() in vocab.CREATION_EVENT_CODES:
            return True
    return any(term.casefold() in vocab.CREATION_EVENT_TERMS for term in _texts(_children(event_type, "term")))
