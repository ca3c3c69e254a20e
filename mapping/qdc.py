"""Qualified Dublin Core (``oai_qdc``, ``qdc``, DCMI terms) → OSLO Cultureel Erfgoed.

Qualified DC arrives in several wrappers — CONTENTdm's and OCLC's ``qualifieddc``
(``http://worldcat.org/xmlschemas/qdc-1.0/``), DSpace's (``http://dspace.org/qualifieddc/``),
an ``oai_dc:dc`` that also holds ``dcterms:`` elements, or a bare ``metadata`` element: the
record is the first element that holds ``dc:`` (``http://purl.org/dc/elements/1.1/``) or
``dcterms:`` (``http://purl.org/dc/terms/``) elements, whatever its name. Both namespaces are
read alike; the refinements keep their meaning::

    title                      crm:P102_has_title;  alternative: dcterms:alternative
    description, abstract, tableOfContents, provenance   crm:P3_has_note
    creator, contributor       the production (crm:P108i → E12): a creator is a maker
                               (crm:P14_carried_out_by), a contributor a participant
                               (crm:P11_had_participant); a role in brackets after the name
                               ("Dupont, J. (ancien possesseur)") decides instead (relators.py)
    created, else date, else issued   crm:P4_has_time-span of the production (EDTF);
                               the wording when it differs, further dates crm:P3_has_note
    type                       crm:P41i_was_classified_by → E17 (URI, DCMI type or words)
    subject                    what the work depicts (crm:P62_depicts) or, for texts and sound,
                               what it is about (crm:P128_carries → crm:P129_is_about)
    identifier                 as oai_dc: the first plain one is the object number, an image
                               URL crm:P129i_is_subject_of, another URL foaf:page
    publisher                  crm:P50_has_current_keeper
    rights, license, accessRights   crm:P104_is_subject_to → E30; rightsHolder its holder
    extent                     crm:P43_has_dimension (a note);  medium crm:P45_consists_of;
                               format dcterms:format
    spatial                    dcterms:spatial → a place (its URI, or one minted from its name)
    temporal, coverage         dcterms:temporal / dcterms:coverage "…"@lang
    isPartOf / hasPart         crm:P46i_forms_part_of / crm:P46_is_composed_of (the URI, or a
                               node with the words as rdfs:label)
    source                     a URI crm:P70i_is_documented_in, words dcterms:source
    relation, references, isVersionOf, hasFormat …   dcterms:relation
    language                   dcterms:language

The profile's extra fields are XPaths from the record element (prefixes ``dc``, ``dcterms``).
"""

from __future__ import annotations

import re

from lxml import etree

from ..errors import MappingError
from ..records import MappedRecord, SourceRecord
from . import normalize, relators, vocab
from .builder import source_paths
from .ntriples import iri, lit
from .patterns import PatternBuilder, local, long_text
from .payload import XML_LANG, oai_identifier, parse, xml_values
from .profile import Profile

DC = "http://purl.org/dc/elements/1.1/"
DCTERMS = "http://purl.org/dc/terms/"
_NAMESPACES = (DC, DCTERMS)
_VISUAL_TYPES = frozenset(vocab.DCMITYPE + name for name in ("Image", "StillImage", "MovingImage", "PhysicalObject"))
_NOT_VISUAL_TYPES = frozenset(vocab.DCMITYPE + name for name in ("Text", "Sound", "Software", "Dataset"))
_ROLE_SUFFIX = re.compile(r"^(.+?)\s*[(\[]([^()\[\]]+)[)\]]\s*$")
_MEDIA_TYPE = re.compile(r"^[a-z]+/[a-z0-9.+-]+$")
_NOTES = ("description", "abstract", "tableOfContents", "provenance")
_RELATIONS = (
    "relation", "references", "isReferencedBy", "isVersionOf", "hasVersion", "isFormatOf", "hasFormat",
    "replaces", "isReplacedBy", "requires", "isRequiredBy", "conformsTo",
)

SOURCE_PATHS = source_paths(
    {
        vocab.P102: "dcterms:title",
        vocab.P3: "dcterms:description",
        vocab.IDENTIFIER: "dcterms:identifier",
        vocab.NOTATION: "dcterms:identifier",
        vocab.P50: "dcterms:publisher",
        vocab.P41I: "dcterms:type",
        vocab.P108I: "dcterms:creator, dcterms:created",
        vocab.P14: "dcterms:creator",
        vocab.P11: "dcterms:contributor",
        vocab.P4: "dcterms:created, dcterms:date",
        vocab.P62: "dcterms:subject",
        vocab.P129: "dcterms:subject",
        vocab.P104: "dcterms:rights, dcterms:license",
        vocab.P43: "dcterms:extent",
        vocab.P45: "dcterms:medium",
        vocab.PAGE: "dcterms:identifier (http URL of the object's web page)",
        vocab.P129I: "dcterms:identifier (URL of an image)",
        vocab.P46I: "dcterms:isPartOf",
    }
)


def find_record(record: SourceRecord) -> etree._Element:
    """The first element that holds DC or DCMI terms elements; MappingError when none does."""
    document = parse(record, "qualifieddc")
    for element in document.iter():
        for child in element:
            tag = child.tag
            if isinstance(tag, str) and (tag.startswith("{" + DC) or tag.startswith("{" + DCTERMS)):
                return element
    raise MappingError(
        f"the payload holds no Dublin Core elements (root element is {document.tag})",
        feed=record.feed,
        record=record.source_id,
        source_path="qualifieddc",
        hint=f"is the feed's format {record.format!r} right?",
    )


class QdcMapper:
    """Maps one qualified Dublin Core record to an OSLO graph."""

    name = "qdc"
    oai_prefixes: tuple[str, ...] = ("oai_qdc", "qdc", "dcterms")

    def map(self, record: SourceRecord, profile: Profile) -> MappedRecord:
        return _QdcRecord(record, profile, []).build(find_record(record))


class _QdcRecord(PatternBuilder):
    def build(self, root: etree._Element) -> MappedRecord:
        fields: dict[str, list[tuple[str, str, etree._Element]]] = {}
        default = self.profile.language
        for element in root:
            tag = element.tag
            if not isinstance(tag, str) or tag[1 : tag.index("}")] not in _NAMESPACES:
                continue
            name = local(element)
            value = long_text(element) if name in _NOTES else normalize.line("".join(element.itertext()))
            if value:
                tagged = element.get(XML_LANG)
                lang = (normalize.language(tagged) or default) if tagged else default
                fields.setdefault(name, []).append((value, lang, element))
        get = lambda name: fields.get(name, [])  # noqa: E731 - a local shorthand
        self.start(None)
        for value, lang, _ in get("title"):
            self.title(value, lang)
        for value, lang, _ in get("alternative"):
            self.alternative_title(value, lang)
        for name in _NOTES:
            for value, lang, _ in get(name):
                self.add(self.object, vocab.P3, lit(value, lang))
        self.types(get("type"))
        digital = self.identifiers(get("identifier"), oai_identifier(root) or self.record.source_id)
        self.agents(get("creator"), relators.MAKER)
        self.agents(get("contributor"), relators.PARTICIPANT)
        dates = get("created") or get("date") or get("issued")
        if dates:
            self.production_date(dates)
        for k, (value, lang, _) in enumerate(get("subject"), 1):
            url = normalize.http_iri(value)
            subject = iri(url) if url else self.concept(("subject", k), "onderwerp", [], [(value, lang, True)])
            if subject:
                self.subject(subject)
        for k, (value, lang, _) in enumerate(get("publisher"), 1):
            url = normalize.http_iri(value)
            self.keeper(("keeper", k), [(url, None)] if url else [], [] if url else [(value, lang, True)])
        self.rights_of(get("rights") + get("license") + get("accessRights"), get("rightsHolder"))
        for value, _, _ in get("language"):
            self.add(self.object, vocab.DC_LANGUAGE, lit(normalize.language(value) or value))
        for value, _, _ in get("format"):
            media_type = _MEDIA_TYPE.match(value.casefold())
            for subject in digital if media_type and digital else [self.object]:
                self.add(subject, vocab.DC_FORMAT, lit(value))
        for n, (value, lang, _) in enumerate(get("extent"), 1):
            self.dimension(n, None, None, None, [(value, lang)], lang)
        for k, (value, lang, _) in enumerate(get("medium"), 1):
            url = normalize.http_iri(value)
            material = self.concept(("materiaal", k), "materiaal", [(url, None)] if url else [],
                                    [] if url else [(value, lang, True)])
            if material:
                self.add(self.object, vocab.P45, material)
        for k, (value, lang, _) in enumerate(get("spatial"), 1):
            url = normalize.http_iri(value)
            place = self.place(("spatial", k), [(url, None)] if url else [], [] if url else [(value, lang, True)])
            if place:
                self.add(self.object, vocab.DC_SPATIAL, place)
        for value, lang, _ in get("temporal"):
            self.add(self.object, vocab.DC_TEMPORAL, lit(value, lang))
        for value, lang, _ in get("coverage"):
            self.add(self.object, vocab.DC_COVERAGE, lit(value, lang))
        for value, lang, _ in get("source"):
            url = normalize.http_iri(value)
            self.add(self.object, *((vocab.P70I, iri(url)) if url else (vocab.DC_SOURCE, lit(value, lang))))
        for prop, name in ((vocab.P46I, "isPartOf"), (vocab.P46, "hasPart")):
            for k, (value, lang, _) in enumerate(get(name), 1):
                url = normalize.http_iri(value)
                term = iri(url) if url else self.node(name.casefold(), k)
                self.add(self.object, prop, term)
                if not url:
                    self.add(term, vocab.LABEL, lit(value, lang))
        for name in _RELATIONS:
            for value, lang, _ in get(name):
                url = normalize.http_iri(value)
                self.add(self.object, vocab.DC_RELATION, iri(url) if url else lit(value, lang))
        if self.profile.fields:
            self.extra_fields(lambda extra: xml_values(root, extra))
        return self.finish(SOURCE_PATHS)

    def types(self, values: list[tuple[str, str, etree._Element]]) -> None:
        kinds: set[str] = set()
        for k, (value, lang, _) in enumerate(values, 1):
            url = normalize.http_iri(value)
            dcmi = vocab.DCMI_TYPES.get(value.casefold().replace(" ", "").removeprefix("dcmitype:"))
            known = url or dcmi
            if known:
                kinds.add(known)
            concept = self.concept(("type", k), "type", [(known, None)] if known else [], [] if known else [(value, lang, True)])
            if concept:
                node = self.node("classification", k)
                self.add(self.object, vocab.P41I, node)
                self.add(node, vocab.P41, self.object)
                self.add(node, vocab.P42, concept)
        # a text is about its subjects; an image, an object or a work of unknown kind depicts them
        self.visual = bool(kinds & _VISUAL_TYPES) or not kinds & _NOT_VISUAL_TYPES

    def identifiers(self, values: list[tuple[str, str, etree._Element]], oai_id: str) -> list[str]:
        """Object number, other identifiers, pages and images; returns the images."""
        digital: list[str] = []
        k = 0
        for value, _, _ in values:
            if normalize.http_iri(value):
                image = self.link(value)
                if image:
                    digital.append(image)
                continue
            k += 1
            if k == 1:
                self.object_numbers.append(value)
            self.identifier(("dc", k), value, kind=vocab.CEST_OBJECTNUMMER if k == 1 else None)
        self.identifier(("oai",), oai_id, agency=self.profile.provider_name)
        return digital

    def agents(self, values: list[tuple[str, str, etree._Element]], kind: str) -> None:
        for j, (value, lang, _) in enumerate(values, 1):
            role = None
            match = _ROLE_SUFFIX.match(value)
            if match and relators.role(match.group(2))[0]:
                value, role = match.group(1).rstrip(" ,"), match.group(2)
            url = normalize.http_iri(value)
            key = (kind, j)
            agent = self.agent(key, [(url, None)] if url else [], [] if url else [(value, None, True)])
            if agent:
                self.took_part(key, agent, role, role_labels=[(role, lang, True)] if role else [], default_kind=kind)

    def production_date(self, dates: list[tuple[str, str, etree._Element]]) -> None:
        (first, first_lang, _), *later = dates
        event = self.production()
        self.dated(event, first, None, source="dcterms:created")
        edtf = normalize.edtf(first)
        for value, lang in ([(first, first_lang)] if edtf not in (None, first) else []) + [(v, la) for v, la, _ in later]:
            self.add(event, vocab.P3, lit(value, lang))

    def rights_of(self, statements: list[tuple[str, str, etree._Element]], holders: list[tuple[str, str, etree._Element]]) -> None:
        holder = None
        for k, (value, _, _) in enumerate(holders, 1):
            url = normalize.http_iri(value)
            holder = self.agent(("rightsholder", k), [(url, None)] if url else [], [] if url else [(value, None, True)]) or holder
        found = [(value, None if normalize.rights_uri(value) else lang) for value, lang, _ in statements]
        if not self.rights(self.node("right", 1), self.object, found, [], holder):
            self.default_rights()


__all__ = ["DC", "DCTERMS", "SOURCE_PATHS", "QdcMapper", "find_record"]
