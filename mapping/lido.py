"""LIDO 1.0 / 1.1 → OSLO Cultureel Erfgoed (2021 application profile patterns).

The crosswalk is ``../shared/reference/mappings.md`` §4.2. What it writes, per record::

    object        crm:E22_Human-Made_Object; the partner's objectPublishedID when it is an
                  http IRI, else minted from the source id (other published ids and every
                  lidoRecID become adms:identifier)
    titles        crm:P102_has_title "…"@lang        (every titleSet/appellationValue)
    notes         crm:P3_has_note "…"@lang           (objectDescriptionSet/descriptiveNoteValue)
    inscriptions  crm:P128_carries → node: crm:P190_has_symbolic_content "…"@lang, crm:P3_has_note
    identifiers   adms:identifier → skos:notation    (workID, typed cest:Waarde_objectnummer)
    keeper        crm:P50_has_current_keeper         (repositorySet/repositoryName; its ISIL or
                  local ids as adms:identifier), crm:P55_has_current_location (repositoryLocation)
    object name   crm:P41i_was_classified_by → E17 (crm:P42_assigned, crm:P2_has_type
                  cest:Term_objectnaam); classification[@type='objectcategorie'] the same with
                  cest:Term_objectcategorie; other classifications without a kind;
                  classification[@type='hoofdmotief'] → crm:P62_depicts
    dimensions    crm:P43_has_dimension → E54 (crm:P2_has_type AAT, schema:value decimal,
                  schema:unitText + schema:unitCode QUDT, extent and displayObjectMeasurements
                  as crm:P3_has_note)
    events        every event, by LIDO 1.1 code or by word (nl/en/fr/de) of its eventType:
                  production/creation/designing  crm:P108i_was_produced_by → E12
                  acquisition                    crm:P24i_changed_ownership_through → E8
                  custody, modification, move, destruction, part addition/removal: their
                  CRM property (P30i, P31i, P25i, P13i, P110i, P112i); any other event (an
                  exhibition …) crm:P12i_was_present_at, with its type as crm:P2_has_type.
                  Each with actors (crm:P14_carried_out_by; in an acquisition
                  crm:P23_transfered_title_from, or crm:P22_transferred_title_to for the
                  keeper), their role and attribution qualifier (ce:Rol, crm:P14.1_in_the_role_of,
                  crm:P3_has_note), time (crm:P4_has_time-span EDTF + crm:P82a/P82b xsd:date),
                  displayDate and displayMaterialsTech (crm:P3_has_note), places
                  (crm:P7_took_place_at), period (crm:P10_falls_within), culture
                  (crm:P2_has_type), method and techniques (crm:P32_used_general_technique).
                  Materials of a production go on the object (crm:P45_consists_of); untyped
                  termMaterialsTech is a technique when its words say so (vocab.is_technique).
    actors        agents with their http ids (Wikidata page URLs → entity IRIs), other ids as
                  owl:sameAs / adms:identifier, person or organisation (dcterms:type),
                  life dates (schema:birthDate / deathDate, EDTF)
    subjects      crm:P62_depicts: subjectConcept, subjectActor, subjectPlace, subjectEvent
    related works crm:P46i_forms_part_of / crm:P46_is_composed_of / dcterms:relation
    rights        crm:P104_is_subject_to → E30 (crm:P2_has_type rights URI, holder, credit line)
    web           foaf:page <recordInfoLink>; crm:P129i_is_subject_of <linkResource> (the
                  image itself is the digital object, as in Ghent's data) with its rights

Multilingual LIDO repeats ``descriptiveMetadata`` (and ``administrativeMetadata``) once per
language. Each block is mapped; things at the same position in two blocks are taken to be the
same thing (one node, labels in both languages), and repeated triples fall away.

The record is read by walking child elements with plain loops (no XPath, no ElementPath):
that is what keeps mapping at several thousand records per second.
"""

from __future__ import annotations

import re

from lxml import etree

from ..records import MappedRecord, SourceRecord
from . import normalize, vocab
from .builder import Labels, source_paths
from .lido_events import LidoEvents
from .lido_xml import (
    _ADDED, _ALL_LIDO, _CATEGORY_TYPES, _CONCEPT_ID, _L, _MOTIF_TYPES, _NONE, _PREF, _SOURCE, _T, _TERM, _TYPE,
    LIDO, _groups, _ids, _kids, _kind_of_event, _lang, _terms, _text, _values, _walk, _wkt,
)
from .normalize import line as _line
from .ntriples import iri, lit
from .payload import XML_LANG, find_root, xml_values
from .profile import Profile

SOURCE_PATHS = source_paths(
    {
        vocab.P102: "lido:titleWrap/titleSet/appellationValue",
        vocab.P3: "lido:objectDescriptionWrap/objectDescriptionSet/descriptiveNoteValue",
        vocab.IDENTIFIER: "lido:repositoryWrap/repositorySet/workID (or recordWrap/recordID[@lido:type='local'])",
        vocab.NOTATION: "lido:repositoryWrap/repositorySet/workID (or recordWrap/recordID[@lido:type='local'])",
        vocab.P50: "lido:repositoryWrap/repositorySet/repositoryName/legalBodyName (or recordWrap/recordSource)",
        vocab.P55: "lido:repositoryWrap/repositorySet/repositoryLocation",
        vocab.P41I: "lido:objectWorkTypeWrap/objectWorkType",
        vocab.P42: "lido:objectWorkTypeWrap/objectWorkType/conceptID",
        vocab.P108I: "lido:eventWrap/eventSet/event (eventType productie)",
        vocab.P24I: "lido:eventWrap/eventSet/event (eventType verwerving)",
        vocab.P12I: "lido:eventWrap/eventSet/event",
        vocab.P14: "lido:event/eventActor/actorInRole/actor",
        vocab.P14_1: "lido:event/eventActor/actorInRole/roleActor",
        vocab.P4: "lido:event/eventDate/date/earliestDate, latestDate",
        vocab.P7: "lido:event/eventPlace/place",
        vocab.P45: "lido:event/eventMaterialsTech/materialsTech/termMaterialsTech",
        vocab.P32: "lido:event/eventMaterialsTech/materialsTech/termMaterialsTech[@type='technique']",
        vocab.P43: "lido:objectMeasurementsWrap/objectMeasurementsSet/objectMeasurements",
        vocab.P62: "lido:subjectWrap/subjectSet/subject",
        vocab.P129: "lido:subjectWrap/subjectSet/subject",
        vocab.ALTERNATIVE: "lido:titleWrap/titleSet/appellationValue[@lido:pref='alternate']",
        vocab.P51: "lido:eventActor/actorInRole (roleActor: owner)",
        vocab.P15: "lido:eventActor/actorInRole/attributionQualifierActor",
        vocab.P128: "lido:inscriptionsWrap/inscriptions",
        vocab.P46I: "lido:relatedWorksWrap/relatedWorkSet",
        vocab.P104: "lido:rightsWorkWrap/rightsWorkSet/rightsType",
        vocab.PAGE: "lido:recordWrap/recordInfoSet/recordInfoLink",
        vocab.P129I: "lido:resourceWrap/resourceSet/resourceRepresentation/linkResource",
    }
)


class LidoMapper:
    """Maps one LIDO record (1.0 or 1.1) to an OSLO graph."""

    name = "lido"
    root = "lido:lido"  # the source path of the whole record

    def map(self, record: SourceRecord, profile: Profile) -> MappedRecord:
        lido, warnings = find_root(record, _L + "lido", _ALL_LIDO, "lido:lido")
        return _LidoRecord(record, profile, warnings).build(lido)


class _LidoRecord(LidoEvents):
    def build(self, lido: etree._Element) -> MappedRecord:
        groups = _groups(lido)
        published = _values(groups.get(_T["objectPublishedID"], _NONE))
        persistent = next((value for value, _ in published if normalize.http_iri(value)), None)
        self.start(persistent)
        self.keepers: set[str] = set()
        self.keeper_name: str | None = None
        self.numbered = False  # an object number (workID) was found
        record_ids = _ids(groups.get(_T["lidoRecID"], _NONE))
        for k, (value, _) in enumerate((v for v in published if v[0] != persistent), 1):
            self.identifier(("published", k), value)
        for k, (value, agency) in enumerate(record_ids, 1):
            self.identifier(("record", k), value, agency=agency)
        descriptive = groups.get(_T["descriptiveMetadata"], _NONE)
        administrative = groups.get(_T["administrativeMetadata"], _NONE)
        for block in descriptive:
            self.descriptive(block, self.block_language(block))
        has_rights = False
        for block in administrative:
            has_rights |= self.administrative(block, self.block_language(block))
        if not has_rights:
            self.default_rights()
        if not self.keepers:
            self.keeper_elsewhere(administrative, record_ids)
        if not self.numbered:
            self.number_elsewhere(administrative, record_ids + [(v, None) for v, _ in published])
        if not self.titles and self.alternatives:
            value, language = self.alternatives[0]
            self.warn(f"no preferred title: the alternate title {value!r} is taken as the title")
            self.title(value, language)
        if self.profile.fields:
            self.extra_fields(lambda extra: xml_values(lido, extra))
        return self.finish(SOURCE_PATHS)

    def block_language(self, block: etree._Element) -> str:
        """A descriptive or administrative block's language, else the feed's (noted)."""
        return self.text_language(normalize.language(block.get(XML_LANG)))

    # -- keeper and object number, when repositoryWrap does not give them -----------------

    def keeper_elsewhere(self, administrative: list[etree._Element], record_ids: list[tuple[str, str | None]]) -> None:
        """The keeper from ``recordWrap/recordSource`` (the record's source), else from the
        ``lidoRecID/@lido:source``: a museum, never an aggregator that passed the record on
        (docs/mapping.md, "LIDO keeper")."""
        for block in administrative:
            lang = self.block_language(block)
            for k, source in enumerate(_walk(block, "recordWrap", "recordSource"), 1):
                ids, names = self.legal_body(source, lang)
                if names and all(self.is_aggregator(name) for name, _, _ in names):
                    continue
                if self.set_keeper(("keeper", "source", k), ids, names):
                    self.warn("no repositoryName: the keeper is taken from recordWrap/recordSource")
        if self.keepers:
            return
        for k, (_, source) in enumerate(record_ids, 1):
            if source and not self.is_aggregator(source) and source.casefold() not in _SYSTEMS:
                if self.set_keeper(("keeper", "recid", k), [], [(source, None, True)]):
                    self.warn("no repositoryName nor recordSource: the keeper is taken from lidoRecID/@lido:source")
                    return

    def set_keeper(self, key: tuple[str | int, ...], ids: list[tuple[str, str | None]], names: Labels) -> bool:
        keeper = self.agent(key, ids, names, may_be_provider=True, kind="organisation")
        if keeper is None:
            return False
        self.keepers.add(keeper)
        self.add(self.object, vocab.P50, keeper)
        self.keeper_name = self.keeper_name or next((name for name, _, _ in names), None)
        return True

    def number_elsewhere(self, administrative: list[etree._Element], pids: list[tuple[str, str | None]]) -> None:
        """The object number from ``recordWrap/recordID[@lido:type='local']`` when the record
        has no ``workID`` (docs/mapping.md, "LIDO object number")."""
        for block in administrative:
            ids = _walk(block, "recordWrap", "recordID")
            # a collection system's own record number is no inventory number
            system = {text for element in ids if (element.get(_TYPE) or "").casefold() in _SYSTEM_TYPES
                      and (text := _text(element))}
            for j, element in enumerate(ids, 1):
                value = _text(element)
                if not value or (element.get(_TYPE) or "").casefold() != "local":
                    continue
                if _SYSTEM_NUMBER.match(value) or value in system or value.rsplit("/", 1)[-1] in system:
                    self.warn(f"recordID[@type='local'] {value!r} is the collection system's record number, "
                              "not an object number")
                    continue
                self.object_numbers.append(value)
                self.numbered = True
                self.identifier(("objectnumber", "record", j), value, agency=self.keeper_name,
                                kind=vocab.CEST_OBJECTNUMMER)
                if not any(pid.rstrip("/").endswith(("/" + value, ":" + value)) for pid, _ in pids):
                    self.warn(f"no workID: the object number is taken from recordID[@type='local'] ({value!r}); "
                              "check that it is the inventory number")
                return

    # -- descriptiveMetadata ---------------------------------------------------------------

    def descriptive(self, block: etree._Element, lang: str) -> None:
        for wrap in block:
            tag = wrap.tag
            if tag == _T["objectClassificationWrap"]:
                self.classifications(wrap, lang)
            elif tag == _T["objectIdentificationWrap"]:
                self.identification(wrap, lang)
            elif tag == _T["eventWrap"]:
                counts: dict[str, int] = {}
                for event in _walk(wrap, "eventSet", "event"):
                    kind = _kind_of_event(event)
                    counts[kind] = counts.get(kind, 0) + 1
                    self.event(event, kind, counts[kind], lang)
            elif tag == _T["objectRelationWrap"]:
                for i, subject_set in enumerate(_walk(wrap, "subjectWrap", "subjectSet"), 1):
                    self.subjects(subject_set, i, lang)
                for i, related in enumerate(_walk(wrap, "relatedWorksWrap", "relatedWorkSet"), 1):
                    self.related_work(related, i, lang)

    def classifications(self, wrap: etree._Element, lang: str) -> None:
        for i, work_type in enumerate(_walk(wrap, "objectWorkTypeWrap", "objectWorkType"), 1):
            self.classification(work_type, ("classification", i), "objectnaam", vocab.CEST_OBJECTNAAM, lang)
        for i, element in enumerate(_walk(wrap, "classificationWrap", "classification"), 1):
            kind = (element.get(_TYPE) or "").casefold()
            if kind in _MOTIF_TYPES:
                concept = self.lido_concept(("onderwerp", "classification", i), "onderwerp", element, lang)
                if concept:
                    self.about_subject(concept)
            elif kind in _CATEGORY_TYPES:
                node = ("classification", "objectcategorie", i)
                self.classification(element, node, "objectcategorie", vocab.CEST_OBJECTCATEGORIE, lang)
            else:
                self.classification(element, ("classification", "other", i), "classificatie", None, lang)

    def classification(
        self, element: etree._Element, node_name: tuple[str | int, ...], scheme: str, kind: str | None, lang: str
    ) -> None:
        """An E17 type assignment of the concept ``element`` names; ``kind`` is the CEST field it
        fills. A text or document (its words or AAT concept) is *about* its subjects (which
        LIDO puts after the classifications), it does not depict them."""
        if self.about is vocab.P62 and _is_textual(element):
            self.about = vocab.P129
        concept = self.lido_concept((scheme, *node_name), scheme, element, lang)
        if concept:
            node = self.node(*node_name)
            self.add(self.object, vocab.P41I, node)
            self.add(node, vocab.P41, self.object)
            self.add(node, vocab.P42, concept)
            if kind:
                self.add(node, vocab.P2, kind)

    def identification(self, wrap: etree._Element, lang: str) -> None:
        for part in wrap:
            tag = part.tag
            if tag == _T["titleWrap"]:
                for title_set in _kids(part, "titleSet"):
                    set_lang = _lang(title_set, lang)
                    alternate = title_set.get(_PREF) == "alternate"
                    for element in _kids(title_set, "appellationValue"):
                        value = _text(element)
                        if not value:
                            continue
                        if alternate or element.get(_PREF) == "alternate":
                            self.alternative(value, _lang(element, set_lang))
                        else:
                            self.title(value, _lang(element, set_lang))
            elif tag == _T["objectDescriptionWrap"]:
                for element in _walk(part, "objectDescriptionSet", "descriptiveNoteValue"):
                    raw = "".join(element.itertext())
                    value = normalize.text(raw, multiline=True)
                    if value:
                        self.add(self.object, vocab.P3, lit(value, _lang(element, lang)))
            elif tag == _T["repositoryWrap"]:
                for i, repository in enumerate(_kids(part, "repositorySet"), 1):
                    if (repository.get(_TYPE) or "").casefold() != "former":
                        self.repository(repository, i, lang)
            elif tag == _T["objectMeasurementsWrap"]:
                n = 0
                for measurements_set in _kids(part, "objectMeasurementsSet"):
                    n = self.measurements(measurements_set, n, lang)
            elif tag == _T["inscriptionsWrap"]:
                for i, inscription in enumerate(_kids(part, "inscriptions"), 1):
                    self.inscription(inscription, i, lang)

    def repository(self, repository: etree._Element, i: int, lang: str) -> None:
        names: Labels = []
        groups = _groups(repository)
        for body in groups.get(_T["repositoryName"], _NONE):
            ids, names = self.legal_body(body, lang)
            if names and not ids and all(self.is_aggregator(name) for name, _, _ in names):
                self.warn(f"repositoryName {names[0][0]!r} is an aggregator, not the keeper: left out")
                continue
            self.set_keeper(("keeper", i), ids, names)
        for j, (value, _) in enumerate(_values(groups.get(_T["workID"], _NONE)), 1):
            self.object_numbers.append(value)
            self.numbered = True
            agency = names[0][0] if names else None
            self.identifier(("objectnumber", i, j), value, agency=agency, kind=vocab.CEST_OBJECTNUMMER)
        for location in groups.get(_T["repositoryLocation"], _NONE):
            place = self.lido_place(("location", i), location, lang)
            if place:
                self.add(self.object, vocab.P55, place)

    @staticmethod
    def legal_body(body: etree._Element, lang: str) -> tuple[list[tuple[str, str | None]], Labels]:
        """A legal body's identifiers and names."""
        groups = _groups(body)
        names = [
            (value, language, True)
            for name in groups.get(_T["legalBodyName"], _NONE)
            for value, language in _values(_kids(name, "appellationValue"), lang)
        ]
        return _ids(groups.get(_T["legalBodyID"], _NONE)), names

    def inscription(self, inscription: etree._Element, i: int, lang: str) -> None:
        texts = _values(_kids(inscription, "inscriptionTranscription"), lang)
        notes = _values(_walk(inscription, "inscriptionDescription", "descriptiveNoteValue"), lang)
        if not (texts or notes):
            return
        node = self.node("inscription", i)
        self.add(self.object, vocab.P128, node)
        for value, language in texts:
            self.add(node, vocab.P190, lit(value, language))
        for value, language in notes:
            self.add(node, vocab.P3, lit(value, language))

    def lido_concept(
        self,
        key: tuple[str | int, ...],
        scheme: str,
        element: etree._Element,
        lang: str,
        known: dict[str, str] | None = None,
    ) -> str | None:
        """A LIDO concept (``conceptID``\\* + ``term``\\*) as a concept IRI with labels; LIDO
        1.1's mixed content (``<measurementType>height</measurementType>``) as its term.
        Added search terms are no labels. ``known`` maps words to IRIs for a concept
        without conceptID (dimension types)."""
        ids: list[tuple[str, str | None]] = []
        labels: list[tuple[str, str | None, bool]] = []
        for child in element:  # the hot path of the mapper: _text and _lang written out
            tag = child.tag
            if tag != _TERM and tag != _CONCEPT_ID:
                continue
            raw = child.text if len(child) == 0 else "".join(child.itertext())
            value = _line(raw) if raw else None
            if value is None:
                continue
            get = child.get
            if tag == _CONCEPT_ID:
                ids.append((value, get(_SOURCE) or get(_TYPE)))
            elif get(_ADDED) != "yes":
                tagged = get(XML_LANG)
                language = (normalize.language(tagged) or lang) if tagged else lang
                labels.append((value, language, get(_PREF) != "alternate"))
        if not (labels or ids) and len(element) == 0 and (value := _text(element)):
            labels.append((value, _lang(element, lang), True))
        if known and not ids and labels and (found := known.get(labels[0][0].casefold())):
            ids.append((found, None))
        return self.concept(key, scheme, ids, labels)

    def lido_place(self, key: tuple[str | int, ...], place: etree._Element, lang: str) -> str | None:
        groups = _groups(place)
        labels = [
            (value, language, True)
            for name in groups.get(_T["namePlaceSet"], _NONE)
            for value, language in _values(_kids(name, "appellationValue"), lang)
        ]
        gml = groups.get(_T["gml"])
        return self.place(key, _ids(groups.get(_T["placeID"], _NONE)), labels, _wkt(gml) if gml else None)

    def measurements(self, measurements_set: etree._Element, n: int, lang: str) -> int:
        """The dimensions of one objectMeasurementsSet, numbered on from ``n``; its
        displayObjectMeasurements and extents are notes on each of them."""
        groups = _groups(measurements_set)
        notes = _values(groups.get(_T["displayObjectMeasurements"], _NONE), lang)
        start = n
        for measurements in groups.get(_T["objectMeasurements"], _NONE):
            inner = _groups(measurements)
            extents = notes + _values(inner.get(_T["extentMeasurements"], _NONE), lang)
            for measurement in inner.get(_T["measurementsSet"], _NONE):
                n += 1
                self.dimension(measurement, n, extents, lang)
        if n == start and notes:  # only the display text: a dimension described in words
            n += 1
            node = self.node("dimension", n)
            self.add(self.object, vocab.P43, node)
            for value, language in notes:
                self.add(node, vocab.P3, lit(value, language))
        return n

    def dimension(self, measurement: etree._Element, n: int, notes: list[tuple[str, str | None]], lang: str) -> None:
        kinds: list[etree._Element] = []
        units: list[etree._Element] = []
        raw = None
        for child in measurement:
            tag = child.tag
            if tag == _T["measurementType"]:
                kinds.append(child)
            elif tag == _T["measurementUnit"]:
                units.append(child)
            elif tag == _T["measurementValue"] and raw is None:
                raw = _text(child)
        if not kinds and raw is None:
            return
        node = self.node("dimension", n)
        self.add(self.object, vocab.P43, node)
        if kinds:
            kind = self.lido_concept(("dimensie", n), "dimensie", kinds[0], lang, vocab.DIMENSION_TYPES)
            if kind:
                self.add(node, vocab.P2, kind)
        value = normalize.decimal(raw)
        unit_in_value = None
        if value is None and raw is not None and (match := _NUMBER_AND_UNIT.match(raw)):
            value, unit_in_value = normalize.decimal(match.group(1)), match.group(2)  # "1,5 cm"
        if value is not None:
            self.add(node, vocab.VALUE, lit(value, datatype=vocab.DECIMAL))
        elif raw is not None:
            self.warn(f"measurementValue {raw!r} is not a number: kept as a note on dimension {n}")
            self.add(node, vocab.P3, lit(raw, lang))
        texts = [next((t for t, _, _ in _terms(element, lang)), None) or _text(element) for element in units]
        ids = [value for element in units for value, _ in _ids(_kids(element, "conceptID"))]
        self.unit(node, [t for t in texts if t] + ([unit_in_value] if unit_in_value and not units else []), ids)
        for value, language in notes:
            self.add(node, vocab.P3, lit(value, language))

    # -- events ----------------------------------------------------------------------------

    # -- subjects and related works -----------------------------------------------------------

    def subjects(self, subject_set: etree._Element, i: int, lang: str) -> None:
        k = 0
        for subject in _kids(subject_set, "subject"):
            for part in subject:
                k += 1
                tag = part.tag
                found = None
                if tag == _T["subjectConcept"]:
                    found = self.lido_concept(("subject", i, k), "onderwerp", part, lang)
                elif tag == _T["subjectActor"]:
                    for actor in _kids(part, "actor"):
                        found = self.lido_actor(("subject", i, k), actor)[0]
                elif tag == _T["subjectPlace"]:
                    for place in _kids(part, "place"):
                        found = self.lido_place(("subject", i, k), place, lang)
                elif tag == _T["subjectEvent"]:
                    found = self.subject_event(part, i, k, lang)
                if found:
                    self.about_subject(found)
        if k == 0:  # only the display text
            words = [(v, language, True) for v, language in _values(_kids(subject_set, "displaySubject"), lang)]
            if words:
                found = self.concept(("subject", i, 0), "onderwerp", [], words)
                if found:
                    self.about_subject(found)

    def subject_event(self, part: etree._Element, i: int, k: int, lang: str) -> str | None:
        node = None
        for event in _kids(part, "event"):
            names = _values(_walk(event, "eventName", "appellationValue"), lang)
            types = [self.lido_concept(("subject-event-type", i, k), "gebeurtenis", t, lang) for t in _kids(event, "eventType")]
            if not (names or any(types)):
                continue
            node = self.node("subject-event", i, k)
            for value, language in names:
                self.add(node, vocab.LABEL, lit(value, language))
            for concept in types:
                if concept:
                    self.add(node, vocab.P2, concept)
        return node

    def related_work(self, related: etree._Element, i: int, lang: str) -> None:
        relation = vocab.DC_RELATION
        for rel_type in _kids(related, "relatedWorkRelType"):
            words = [value.casefold() for value, _ in _values(_kids(rel_type, "term"))]
            words += [code.rstrip("/").rsplit("/", 1)[-1].casefold() for code, _ in _ids(_kids(rel_type, "conceptID"))]
            if any(word in vocab.PART_OF_WORDS for word in words):
                relation = vocab.P46I
            elif any(word in vocab.HAS_PART_WORDS for word in words):
                relation = vocab.P46
        for obj in _walk(related, "relatedWork", "object"):
            ids = _ids(_kids(obj, "objectID"))
            url = next((u for value, _ in ids if (u := normalize.http_iri(value))), None)
            term = iri(url) if url else self.node("related", i)
            labels = _values(_kids(obj, "displayObject"), lang)
            if not (url or labels or ids):
                continue
            self.add(self.object, relation, term)
            for value, language in labels:
                self.add(term, vocab.LABEL, lit(value, language))
            for k, (value, agency) in enumerate((x for x in ids if not normalize.http_iri(x[0])), 1):
                self.identifier(("related", i, k), value, agency=agency, subject=term)
            for page, _ in _values(_kids(obj, "objectWebResource")):
                page_url = normalize.http_iri(page)
                if page_url:
                    self.add(term, vocab.PAGE, iri(page_url))

    # -- administrativeMetadata ------------------------------------------------------------

    def administrative(self, block: etree._Element, lang: str) -> bool:
        """Rights, landing page and images; returns whether the work's rights have a URI."""
        has_rights = False
        for i, rights in enumerate(_walk(block, "rightsWorkWrap", "rightsWorkSet"), 1):
            has_rights |= self.lido_rights(rights, self.node("right", i), self.object, ("rightsholder", i), lang)
        for raw, _ in _values(_walk(block, "recordWrap", "recordInfoSet", "recordInfoLink")):
            url = normalize.http_iri(raw)
            if url:
                self.add(self.object, vocab.PAGE, iri(url))
            else:
                self.warn(f"recordInfoLink {raw!r} is not an http(s) URL")
        for i, resource in enumerate(_walk(block, "resourceWrap", "resourceSet"), 1):
            for link in _walk(resource, "resourceRepresentation", "linkResource"):
                raw = _text(link)
                url = normalize.http_iri(raw)
                if url is None:
                    if raw:
                        self.warn(f"linkResource {raw!r} is not an http(s) URL")
                    continue
                digital = iri(url)
                self.add(self.object, vocab.P129I, digital)
                media_type = link.get(_L + "formatResource")
                if media_type and "/" in media_type:
                    self.add(digital, vocab.DC_FORMAT, lit(media_type.strip()))
                for k, rights in enumerate(_kids(resource, "rightsResource"), 1):
                    self.lido_rights(
                        rights, self.node("resource", i, "right", k), digital, ("resource-rightsholder", i, k), lang
                    )
        return has_rights

    def lido_rights(
        self, rights: etree._Element, node: str, subject: str, holder_key: tuple[str | int, ...], lang: str
    ) -> bool:
        statements: list[tuple[str, str | None]] = []
        groups = _groups(rights)
        for rights_type in groups.get(_T["rightsType"], _NONE):
            for child in rights_type:
                if child.tag == _CONCEPT_ID or child.tag == _TERM:
                    value = _text(child)
                    if value:
                        statements.append((value, None if child.tag == _CONCEPT_ID else _lang(child, lang)))
        credits = _values(groups.get(_T["creditLine"], _NONE), lang)
        holder = None
        for body in groups.get(_T["rightsHolder"], _NONE):
            holder = self.agent(holder_key, *self.legal_body(body, lang))
        return self.rights(node, subject, statements, credits, holder)



_SYSTEM_NUMBER = re.compile(r"^(?:priref|record|rec|adlib|object)[/:_ -]*\d+$", re.I)
_NUMBER_AND_UNIT = re.compile(r"^\s*([+-]?\d[\d.,\s]*)\s*([^\d\s][^\d]{0,14})$")

# Names of collection systems that exports put in lidoRecID/@lido:source: no keeper.
_SYSTEMS = frozenset({"adlib", "axiell", "tms", "the museum system", "collectiveaccess", "mais", "memorix", "atlantis",
                      "museumplus", "imdas", "local", "purl", "urn", "global"})
_SYSTEM_TYPES = (_SYSTEMS - {"local", "purl", "urn", "global"}) | {"priref", "database", "system", "intern", "internal"}


def _is_textual(element: etree._Element) -> bool:
    """Whether an object name or classification names a text or document."""
    for child in element:
        if (child.tag == _TERM or child.tag == _CONCEPT_ID) and child.text and vocab.is_textual(child.text.strip()):
            return True
    return False


__all__ = ["LIDO", "SOURCE_PATHS", "LidoMapper"]
