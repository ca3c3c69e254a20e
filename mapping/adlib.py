"""Adlib / Axiell Collections ``adlibXML`` → OSLO Cultureel Erfgoed.

Adlib (Axiell) is the collection system of most Flemish museums; its API and exports write
``adlibXML/recordList/record``, in two forms this mapper reads alike:

- *grouped* (``xmltype=grouped``): repeated fields that belong together sit in a group
  element, ``<Production><creator><name>…</name></creator><creator.role>…</creator.role>
  </Production>``, ``<Dimension><dimension.type>…</dimension.type>…</Dimension>``; some
  exports nest a group in another (``Production/Dimension``);
- *ungrouped* (unstructured, older exports): the same fields directly on the record, the
  n-th ``creator`` with the n-th ``creator.role`` (their ``occ`` attribute when present).

A field value is plain text, a linked record (``<creator><name>…</name></creator>``,
``<material><term>…</term></material>``, with ``Source/source.number`` URIs and a
``creator.lref`` record number beside it), multilingual text (``<value lang="nl-NL">``) or
an enumeration (``<value lang="neutral">CODE</value><value lang="1">label</value>``). The
standard Adlib Museum field names, per OSLO pattern::

    object_number            adms:identifier, typed cest:Waarde_objectnummer; priref another
    institution.name         crm:P50_has_current_keeper (else the profile's provider: a
                             museum's own export leaves its name out)
    Title/title              crm:P102_has_title; title.type alternatief → dcterms:alternative;
                             Title_translation/title.translation crm:P102_has_title
    Description/description  crm:P3_has_note
    Object_name/object_name  crm:P41i_was_classified_by → E17, cest:Term_objectnaam;
    object_category          the same with cest:Term_objectcategorie
    Production/creator       the production (crm:P108i_was_produced_by → E12): creator.role
                             and creator.qualifier by meaning (patterns.py), production.place
                             crm:P7_took_place_at
    Production_date          production.date.start/end (.prec: ca., voor, na) → EDTF
                             crm:P4_has_time-span; production.period when there is no date
    Material/material        crm:P45_consists_of;  Technique/technique crm:P32 on the production
    Dimension                dimension.type/value/unit (.part, .notes) → crm:P43_has_dimension
    Inscription              inscription.content crm:P190 on crm:P128_carries, type, position,
                             description and translation crm:P3_has_note
    acquisition.*            method, date, source, place, notes → crm:P24i → E8
    Reproduction             reproduction.reference / .identifier_URL (http) crm:P129i_is_subject_of
    Rights, copyright        rights.type/.reference (rights URI), .holder, .notes; credit_line
    content.subject, content.motif.*, content.person.name, content.classification.code
                             (Iconclass) crm:P62_depicts;  collection crm:P46i_forms_part_of
    URL                      foaf:page

The profile's extra fields are XPaths from the ``record`` element.
"""

from __future__ import annotations

from collections.abc import Iterable

from lxml import etree

from ..errors import MappingError
from ..records import MappedRecord, SourceRecord
from . import normalize, relators, vocab
from .builder import source_paths
from .normalize import line
from .ntriples import iri, lit
from .patterns import PatternBuilder, text
from .payload import find_root, parse, xml_values
from .profile import Profile

_ALL_RECORDS = etree.XPath("//record", smart_strings=False)
_ID_FIELDS = frozenset({"source.number", "PID_URI", "uri", "URI", "PIDother.URI", "term.number"})
# Adlib's interface languages, as enumerations number their labels
_ENUM_LANGS = {"0": "en", "1": "nl", "2": "fr", "3": "de", "4": "ar", "5": "it", "6": "el"}
_ALTERNATIVE = frozenset(
    {"alternatief", "alternatieve titel", "alternative", "alternative title", "andere titel", "titre alternatif",
     "vroegere titel", "former title", "ancien titre", "bijtitel", "variant"}
)
_ICONCLASS = "https://iconclass.org/"

GROUPS: dict[str, tuple[str, ...]] = {
    "Title": ("title", "title.type", "title.language"),
    "Title_translation": ("title.translation", "title.translation.language"),
    "Description": ("description", "description.type"),
    "Object_name": ("object_name", "object_name.type"),
    "Production": ("creator", "creator.role", "creator.qualifier", "creator.date_of_birth", "creator.date_of_death",
                   "production.place", "production.notes"),
    "Production_date": ("production.date.start", "production.date.start.prec", "production.date.end",
                        "production.date.end.prec", "production.period", "production.date.notes"),
    "Material": ("material", "material.part", "material.notes"),
    "Technique": ("technique", "technique.part"),
    "Dimension": ("dimension.type", "dimension.value", "dimension.unit", "dimension.part", "dimension.notes"),
    "Inscription": ("inscription.type", "inscription.content", "inscription.position", "inscription.method",
                    "inscription.description", "inscription.language", "inscription.translation"),
    "Acquisition_source": ("acquisition.source",),
    "Reproduction": ("reproduction.reference", "reproduction.identifier_URL", "reproduction.type",
                     "reproduction.format", "reproduction.notes"),
    "Rights": ("rights.type", "rights.reference", "rights.holder", "rights.notes"),
    "Content_subject": ("content.subject", "content.subject.type"),
    "Content_person": ("content.person.name",),
    "Content_motif": ("content.motif.general", "content.motif.specific"),
}
# group names as some exports spell them
_GROUP_ALIASES = {"Titel_translation": "Title_translation"}

SOURCE_PATHS = source_paths(
    {
        vocab.P102: "adlibXML record/Title/title",
        vocab.P3: "adlibXML record/Description/description",
        vocab.IDENTIFIER: "adlibXML record/object_number",
        vocab.NOTATION: "adlibXML record/object_number",
        vocab.P50: "adlibXML record/institution.name",
        vocab.P41I: "adlibXML record/Object_name/object_name",
        vocab.P42: "adlibXML record/Object_name/object_name",
        vocab.P108I: "adlibXML record/Production, Production_date",
        vocab.P14: "adlibXML record/Production/creator",
        vocab.P4: "adlibXML record/Production_date/production.date.start, production.date.end",
        vocab.P45: "adlibXML record/Material/material",
        vocab.P32: "adlibXML record/Technique/technique",
        vocab.P43: "adlibXML record/Dimension",
        vocab.P128: "adlibXML record/Inscription",
        vocab.P24I: "adlibXML record/acquisition.*",
        vocab.P62: "adlibXML record/content.subject",
        vocab.P104: "adlibXML record/Rights/rights.type",
        vocab.PAGE: "adlibXML record/URL",
        vocab.P129I: "adlibXML record/Reproduction/reproduction.reference",
    }
)

Group = dict[str, list[etree._Element]]


def _by_tag(element: etree._Element) -> Group:
    found: Group = {}
    for child in element:
        if isinstance(child.tag, str):
            found.setdefault(child.tag, []).append(child)
    return found


def _record_fields(record: etree._Element) -> Group:
    """The record's fields and groups by tag; groups nested in other groups are lifted."""
    fields = _by_tag(record)
    for tag in list(fields):
        if tag[:1].isupper():
            for group in fields[tag]:
                for child in group:
                    name = child.tag if isinstance(child.tag, str) else ""
                    if name[:1].isupper():
                        fields.setdefault(name, []).append(child)
    for alias, name in _GROUP_ALIASES.items():
        if alias in fields:
            fields.setdefault(name, []).extend(fields.pop(alias))
    return fields


def groups(fields: Group, name: str) -> list[Group]:
    """The occurrences of group ``name``: grouped ones, then the ungrouped fields of the
    group on the record itself, matched by their ``occ`` attribute (else their order)."""
    found = [_by_tag(group) for group in fields.get(name, ())]
    occurrences: dict[int, Group] = {}
    for field in GROUPS[name]:
        for position, element in enumerate(fields.get(field, ()), 1):
            occ = element.get("occ", "")
            occurrences.setdefault(int(occ) if occ.isdigit() else position, {}).setdefault(field, []).append(element)
    return found + [occurrences[k] for k in sorted(occurrences)]


class AdlibMapper:
    """Maps one Adlib record (``adlibXML``, grouped or ungrouped) to an OSLO graph."""

    name = "adlib"
    oai_prefixes: tuple[str, ...] = ("adlib", "adlibxml")

    def map(self, record: SourceRecord, profile: Profile) -> MappedRecord:
        try:
            element, warnings = find_root(record, "record", _ALL_RECORDS, "adlibXML/recordList/record")
        except MappingError:
            # adlibXML put in a namespace (an OAI-PMH response that forgot xmlns=""): read it as Adlib
            found = next(parse(record, "adlibXML").iter("{*}adlibXML"), None)
            if found is None or found.find("{*}recordList/{*}record") is None:
                raise
            for child in found.iter():
                if isinstance(child.tag, str):
                    child.tag = etree.QName(child).localname
            element = found.find("recordList/record")
            warnings = [f"adlibXML is in the namespace {etree.QName(found.getparent()).namespace!r}; read as Adlib"]
        return _AdlibRecord(record, profile, warnings).build(element)


class _AdlibRecord(PatternBuilder):
    def values(self, elements: Iterable[etree._Element] | None) -> list[tuple[str, str]]:
        """(text, language) of each value of the fields ``elements`` (see the module docs)."""
        if not elements:
            return []
        out: list[tuple[str, str]] = []
        default = self.profile.language
        for element in elements:
            if len(element) == 0:  # plain text, the common case
                raw = element.text
                if raw and (found := line(raw)):
                    out.append((found, default))
                continue
            kids = [child for child in element if isinstance(child.tag, str)]
            options = [child for child in kids if child.tag == "value"]
            if options:
                out += self.options(options)
            elif named := [child for child in kids if child.tag in ("term", "name")]:
                out += [(found, default) for child in named if (found := text(child))]
            elif not any(child.tag in _ID_FIELDS for child in element.iter()) and (found := text(element)):
                out.append((found, default))
        return out

    def options(self, options: list[etree._Element]) -> list[tuple[str, str]]:
        """``<value lang=…>`` children: an enumeration (a neutral code and numbered interface
        languages) gives one label, in the feed's language if it has one; multilingual text
        gives every language."""
        default = self.profile.language
        langs = {option.get("lang", "") for option in options}
        if "neutral" in langs or langs & set(_ENUM_LANGS):
            by_lang = {_ENUM_LANGS.get(o.get("lang", ""), o.get("lang", "")): text(o) for o in options}
            label = by_lang.get(default) or by_lang.get("en") or by_lang.get("neutral")
            return [(label, default if by_lang.get(default) == label else "en")] if label else []
        return [(found, normalize.language(o.get("lang")) or default) for o in options if (found := text(o))]

    def first(self, group: Group, name: str) -> str | None:
        found = self.values(group.get(name))
        return found[0][0] if found else None

    @staticmethod
    def ids(group: Group, name: str) -> list[tuple[str, str | None]]:
        """Identifiers of a linked field: http URIs inside it, its ``.lref`` record number."""
        found = [
            (value, None)
            for element in group.get(name, ())
            for child in element.iter()
            if child.tag in _ID_FIELDS and (value := text(child)) and normalize.http_iri(value)
        ]
        found += [(value, "Adlib") for element in group.get(name + ".lref", ()) if (value := text(element))]
        return found

    def labels(self, group: Group, name: str, *, tagged: bool = True) -> list[tuple[str, str | None, bool]]:
        """The values as preferred labels; ``tagged=False`` for names of people, which are
        in no language."""
        return [(value, lang if tagged else None, True) for value, lang in self.values(group.get(name))]

    # -- the record --------------------------------------------------------------------------

    def build(self, element: etree._Element) -> MappedRecord:
        fields = _record_fields(element)
        self.start(None)
        lang = self.profile.language
        keeper_name = self.keeper_of(fields)
        for value, _ in self.values(fields.get("object_number")):
            self.object_numbers.append(value)
            self.identifier(("objectnumber", len(self.object_numbers)), value, agency=keeper_name,
                            kind=vocab.CEST_OBJECTNUMMER)
        priref = element.get("priref") or self.first(fields, "priref")
        if priref:
            self.identifier(("priref",), priref, agency="Adlib priref")
        self.titles_of(fields)
        for group in groups(fields, "Description"):
            for value, value_lang in self.values(group.get("description")):
                self.add(self.object, vocab.P3, lit(value, value_lang))
        for i, group in enumerate(groups(fields, "Object_name"), 1):
            self.classify(("classification", i), "objectnaam", vocab.CEST_OBJECTNAAM, group, "object_name")
        lrefs = fields.get("object_category.lref", [])
        for i, category in enumerate(fields.get("object_category", ()), 1):
            single = {"object_category": [category], "object_category.lref": lrefs[i - 1 : i]}
            self.classify(("classification", "objectcategorie", i), "objectcategorie", vocab.CEST_OBJECTCATEGORIE,
                          single, "object_category")
        self.production_of(fields, lang)
        for k, group in enumerate(groups(fields, "Material"), 1):
            concept = self.concept(("materiaal", k), "materiaal", self.ids(group, "material"), self.labels(group, "material"))
            if concept:
                self.add(self.object, vocab.P45, concept)
        for k, group in enumerate(groups(fields, "Technique"), 1):
            concept = self.concept(("techniek", k), "techniek", self.ids(group, "technique"), self.labels(group, "technique"))
            if concept:
                self.add(self.production(), vocab.P32, concept)
        self.dimensions_of(fields, lang)
        self.inscriptions_of(fields, lang)
        self.acquisition_of(fields, lang)
        self.subjects_of(fields)
        for k, (value, value_lang) in enumerate(self.values(fields.get("collection")), 1):
            collection = self.concept(("collection", k), "collectie", [], [(value, value_lang, True)])
            if collection:
                self.add(self.object, vocab.P46I, collection)
        self.links_of(fields)
        self.rights_of(fields)
        if self.profile.fields:
            self.extra_fields(lambda extra: xml_values(element, extra))
        return self.finish(SOURCE_PATHS)

    def keeper_of(self, fields: Group) -> str | None:
        """The keeper: institution.name (with its code or record number), else the provider."""
        for k, (name, name_lang) in enumerate(self.values(fields.get("institution.name")), 1):
            ids = self.ids(fields, "institution.name")
            ids += [(code, "ISIL") for code in (self.first(fields, "institution.code"),) if code]
            if self.keeper(("keeper", k), ids, [(name, name_lang, True)]):
                return name
        self.provider_keeper()
        return self.profile.provider_name

    def titles_of(self, fields: Group) -> None:
        for group in groups(fields, "Title"):
            kind = (self.first(group, "title.type") or "").casefold()
            declared = normalize.language(self.first(group, "title.language"))
            tagged = any(v.get("lang") for element in group.get("title", ()) for v in element.iter("value"))
            for value, value_lang in self.values(group.get("title")):
                language = value_lang if tagged or not declared else declared
                if kind in _ALTERNATIVE:
                    self.alternative_title(value, language)
                else:
                    self.title(value, language)
        for group in groups(fields, "Title_translation"):
            declared = normalize.language(self.first(group, "title.translation.language"))
            for value, value_lang in self.values(group.get("title.translation")):
                self.title(value, declared or value_lang)

    def classify(self, node_key: tuple[str | int, ...], scheme: str, kind: str, group: Group, name: str) -> None:
        concept = self.concept((scheme, *node_key), scheme, self.ids(group, name), self.labels(group, name))
        if concept:
            node = self.node(*node_key)
            self.add(self.object, vocab.P41I, node)
            self.add(node, vocab.P41, self.object)
            self.add(node, vocab.P42, concept)
            self.add(node, vocab.P2, kind)

    def production_of(self, fields: Group, lang: str) -> None:
        for j, group in enumerate(groups(fields, "Production"), 1):
            names = self.labels(group, "creator", tagged=False)
            if names:
                agent = self.agent(("creator", j), self.ids(group, "creator"), names[:1], kind=self.kind_of(group),
                                   dates=(self.life_date(group, "birth"), self.life_date(group, "death")))
                if agent:
                    roles = self.values(group.get("creator.role"))
                    self.took_part(
                        ("creator", j), agent, roles[0][0] if roles else None,
                        role_labels=[(value, value_lang, True) for value, value_lang in roles],
                        qualifiers=self.values(group.get("creator.qualifier")),
                        default_kind=relators.MAKER,
                    )
            for k, (place_name, place_lang) in enumerate(self.values(group.get("production.place")), 1):
                place = self.place(("place", j, k), self.ids(group, "production.place"), [(place_name, place_lang, True)])
                if place:
                    self.add(self.production(), vocab.P7, place)
            for note, note_lang in self.values(group.get("production.notes")):
                self.add(self.production(), vocab.P3, lit(note, note_lang))
        dated = False
        for group in groups(fields, "Production_date"):
            start, end = self.first(group, "production.date.start"), self.first(group, "production.date.end")
            period = self.first(group, "production.period")
            event = self.production() if start or end or period or group.get("production.date.notes") else None
            if event is None:
                continue
            if not dated and (start or end):
                dated = True
                self.dated(event, start, end, start_mark=self.first(group, "production.date.start.prec"),
                           end_mark=self.first(group, "production.date.end.prec"), source="production.date")
            elif not dated and period and (span := normalize.edtf(period)):
                dated = True
                self.time_span(event, span)
            if period:
                self.add(event, vocab.P3, lit(period, lang))
            for note, note_lang in self.values(group.get("production.date.notes")):
                self.add(event, vocab.P3, lit(note, note_lang))

    def kind_of(self, group: Group) -> str | None:
        """Person or organisation, from the linked name record's ``name.type``."""
        for element in group.get("creator", ()):
            for name_type in element.iter("name.type"):
                codes = [text(v) or "" for v in name_type.iter("value")] or [text(name_type) or ""]
                for code in codes:
                    kind = vocab.AGENT_KINDS.get(code.casefold()) or {"inst": "organisation"}.get(code.casefold())
                    if kind:
                        return kind
        return None

    def life_date(self, group: Group, which: str) -> str | None:
        """A creator's birth or death (``creator.date_of_birth`` or, in the linked record,
        ``birth.date.start``) as EDTF; None when it is no date."""
        raw = self.first(group, f"creator.date_of_{which}")
        if raw is None:
            raw = next((text(e) for c in group.get("creator", ()) for e in c.iter(f"{which}.date.start")), None)
        return normalize.edtf(raw) if raw else None

    def dimensions_of(self, fields: Group, lang: str) -> None:
        n = 0
        for group in groups(fields, "Dimension"):
            n += 1
            notes = self.values(group.get("dimension.part")) + self.values(group.get("dimension.notes"))
            self.dimension(n, self.first(group, "dimension.type"), self.first(group, "dimension.value"),
                           self.first(group, "dimension.unit"), notes, lang)
        if n == 0:
            free = self.values(fields.get("dimension.free"))
            if free:
                self.dimension(1, None, None, None, free, lang)

    def inscriptions_of(self, fields: Group, lang: str) -> None:
        for i, group in enumerate(groups(fields, "Inscription"), 1):
            declared = normalize.language(self.first(group, "inscription.language"))
            contents = self.values(group.get("inscription.content"))
            notes = [
                note
                for name in ("inscription.type", "inscription.position", "inscription.method",
                             "inscription.description", "inscription.translation")
                for note in self.values(group.get(name))
            ]
            if not (contents or notes):
                continue
            node = self.node("inscription", i)
            self.add(self.object, vocab.P128, node)
            for value, _ in contents:
                # what is written is in its own language, not the catalogue's
                self.add(node, vocab.P190, lit(value, declared) if declared else lit(value))
            for value, value_lang in notes:
                self.add(node, vocab.P3, lit(value, value_lang))

    def acquisition_of(self, fields: Group, lang: str) -> None:
        method = self.values(fields.get("acquisition.method"))
        date = self.first(fields, "acquisition.date")
        sources = groups(fields, "Acquisition_source")
        notes = self.values(fields.get("acquisition.notes"))
        places = self.values(fields.get("acquisition.place"))
        if not (method or date or sources or notes or places):
            return
        event = self.acquisition()
        if method:
            concept = self.concept(("verwervingsmethode",), "methode", self.ids(fields, "acquisition.method"),
                                   [(value, value_lang, True) for value, value_lang in method])
            if concept:
                self.add(event, vocab.P32, concept)
        if date:
            self.dated(event, date, None, start_mark=self.first(fields, "acquisition.date.precision"),
                       source="acquisition.date")
        for k, group in enumerate(sources, 1):
            names = self.labels(group, "acquisition.source", tagged=False)
            agent = self.agent(("acquisition-source", k), self.ids(group, "acquisition.source"), names[:1]) if names else None
            if agent:
                self.add(event, vocab.P23, agent)
        for k, (value, value_lang) in enumerate(places, 1):
            place = self.place(("acquisition-place", k), self.ids(fields, "acquisition.place"), [(value, value_lang, True)])
            if place:
                self.add(event, vocab.P7, place)
        for value, value_lang in notes:
            self.add(event, vocab.P3, lit(value, value_lang))

    def subjects_of(self, fields: Group) -> None:
        k = 0
        for name, group_name in (("content.subject", "Content_subject"), ("content.motif.general", "Content_motif"),
                                 ("content.motif.specific", "Content_motif")):
            for group in groups(fields, group_name):
                if group.get(name):
                    k += 1
                    concept = self.concept(("subject", k), "onderwerp", self.ids(group, name), self.labels(group, name))
                    if concept:
                        self.subject(concept)
        for group in groups(fields, "Content_person"):
            names = self.labels(group, "content.person.name", tagged=False)
            if names:
                k += 1
                agent = self.agent(("subject", k), self.ids(group, "content.person.name"), names[:1])
                if agent:
                    self.subject(agent)
        for code, _ in self.values(fields.get("content.classification.code")):
            k += 1
            url = normalize.http_iri(code) or normalize.http_iri(_ICONCLASS + code.replace(" ", ""))
            if url:
                self.subject(iri(url))

    def links_of(self, fields: Group) -> None:
        for group in groups(fields, "Reproduction"):
            for name in ("reproduction.identifier_URL", "reproduction.reference"):
                for value, _ in self.values(group.get(name)):
                    if normalize.http_iri(value):
                        image = self.link(value, image=True)
                        media_type = self.first(group, "reproduction.format")
                        if image and media_type and "/" in media_type:
                            self.add(image, vocab.DC_FORMAT, lit(media_type))
                    else:
                        self.warn(f"{name} {value!r} is not an http(s) URL: no image linked")
        for value, _ in self.values(fields.get("URL")):
            if not self.link(value, image=False) and not normalize.http_iri(value):
                self.warn(f"URL {value!r} is not an http(s) URL")

    def rights_of(self, fields: Group) -> None:
        has_uri = False
        for i, group in enumerate(groups(fields, "Rights"), 1):
            statements = self.values(group.get("rights.type")) + self.values(group.get("rights.reference"))
            notes = self.values(group.get("rights.notes"))
            names = self.labels(group, "rights.holder", tagged=False)
            holder = self.agent(("rightsholder", i), self.ids(group, "rights.holder"), names[:1]) if names else None
            has_uri |= self.rights(self.node("right", i), self.object, statements, notes, holder)
        extra = self.values(fields.get("copyright"))
        credits = self.values(fields.get("credit_line"))
        if extra or credits:
            has_uri |= self.rights(self.node("right", "copyright"), self.object, extra, credits)
        if not has_uri:
            self.default_rights()


__all__ = ["GROUPS", "SOURCE_PATHS", "AdlibMapper", "groups"]
