"""MODS 3.x (``http://www.loc.gov/mods/v3``) → OSLO Cultureel Erfgoed.

MODS is the Library of Congress' bibliographic schema that many OAI-PMH endpoints (Anet,
DSpace, Islandora, DPLA hubs) offer besides ``oai_dc``. What this mapper writes::

    titleInfo                crm:P102_has_title (nonSort title: subTitle. partNumber, partName);
                             type alternative / abbreviated / uniform → dcterms:alternative;
                             type translated crm:P102_has_title in its language
    name                     by role/roleTerm (relator code or words, relators.py): a maker
                             crm:P14_carried_out_by the production, others crm:P11_had_participant,
                             former owners an acquisition; usage="primary" without a role is a
                             maker, any other name without a role a participant. valueURI and
                             nameIdentifier (http) as the agent's IRI / owl:sameAs
    originInfo               the production: dateCreated, else dateIssued, dateCaptured,
                             copyrightDate, dateOther (point start/end, qualifier approximate
                             → ~, questionable → ?) crm:P4_has_time-span; place/placeTerm
                             crm:P7_took_place_at; publisher a participant (relator pbl)
    typeOfResource, genre    crm:P41i_was_classified_by → E17 (DCMI type; genre as
                             cest:Term_objectnaam, its valueURI when it has one)
    physicalDescription      extent crm:P43_has_dimension (a note); form, internetMediaType
                             dcterms:format; note crm:P3_has_note
    abstract, tableOfContents, note   crm:P3_has_note (a note of type ownership, provenance
                             or acquisition on an acquisition, crm:P24i → E8)
    subject                  topic, genre, occupation (concepts), geographic (places), name
                             (agents), titleInfo: what the work depicts (images, maps,
                             objects) or is about (texts: crm:P128_carries → crm:P129_is_about);
                             temporal dcterms:temporal
    classification           crm:P41i_was_classified_by → E17 without kind
    language/languageTerm    dcterms:language
    identifier               adms:identifier; the object number (cest:Waarde_objectnummer) is
                             the first identifier of type local / inventory / accession, else
                             location/shelfLocator, else recordInfo/recordIdentifier; a uri,
                             hdl or doi identifier is a web page
    location                 physicalLocation crm:P50_has_current_keeper; url: access "raw
                             object" or "preview" an image (crm:P129i_is_subject_of), "object
                             in context" a page (foaf:page), else by the URL
    accessCondition          crm:P104_is_subject_to → E30 (its xlink:href or text as rights URI)
    relatedItem              host and series crm:P46i_forms_part_of, constituent
                             crm:P46_is_composed_of, others dcterms:relation: the item's URL or
                             identifier IRI, else a node with its title (rdfs:label)

The profile's extra fields are XPaths from ``mods:mods`` (prefix ``mods``).
"""

from __future__ import annotations

from lxml import etree

from ..records import MappedRecord, SourceRecord
from . import normalize, relators, vocab
from .builder import source_paths
from .ntriples import iri, lit
from .patterns import PatternBuilder, children, local, long_text, text
from .payload import XML_LANG, find_root, oai_identifier, xml_values
from .profile import Profile

MODS = "http://www.loc.gov/mods/v3"
_M = "{" + MODS + "}"
_XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
_ALL_MODS = etree.XPath("//mods:mods", namespaces={"mods": MODS}, smart_strings=False)

_VISUAL = frozenset({"still image", "cartographic", "moving image", "three dimensional object"})
_DCMI = {
    "text": "Text",
    "cartographic": "Image",
    "notated music": "Text",
    "sound recording": "Sound",
    "sound recording-musical": "Sound",
    "sound recording-nonmusical": "Sound",
    "still image": "StillImage",
    "moving image": "MovingImage",
    "three dimensional object": "PhysicalObject",
    "software, multimedia": "Software",
    "mixed material": "Collection",
}
_DATES = ("dateCreated", "dateIssued", "dateCaptured", "copyrightDate", "dateOther")
_NUMBER_TYPES = frozenset(
    {"local", "inventory", "inventory number", "inventarisnummer", "objectnummer", "object number", "accession",
     "accession number", "call number", "shelfmark", "signatuur"}
)
_PAGE_TYPES = frozenset({"uri", "url", "hdl", "handle", "doi", "purl", "ark"})
_ALTERNATIVE = frozenset({"alternative", "abbreviated", "uniform"})
_PROVENANCE_NOTES = frozenset({"ownership", "provenance", "acquisition", "herkomst"})
_QUALIFIER_MARKS = {"approximate": "ca.", "questionable": "?", "inferred": None}

SOURCE_PATHS = source_paths(
    {
        vocab.P102: "mods:titleInfo/title",
        vocab.P3: "mods:abstract, mods:note",
        vocab.IDENTIFIER: "mods:identifier[@type='local'], mods:location/shelfLocator",
        vocab.NOTATION: "mods:identifier[@type='local'], mods:location/shelfLocator",
        vocab.P50: "mods:location/physicalLocation",
        vocab.P41I: "mods:genre, mods:typeOfResource",
        vocab.P108I: "mods:originInfo, mods:name",
        vocab.P14: "mods:name (role/roleTerm)",
        vocab.P4: "mods:originInfo/dateCreated, dateIssued",
        vocab.P62: "mods:subject",
        vocab.P129: "mods:subject",
        vocab.P43: "mods:physicalDescription/extent",
        vocab.P104: "mods:accessCondition",
        vocab.PAGE: "mods:location/url, mods:identifier[@type='uri']",
        vocab.P129I: "mods:location/url[@access='raw object']",
        vocab.P46I: "mods:relatedItem[@type='host']",
    }
)


def _lang(element: etree._Element, default: str | None) -> str | None:
    tag = element.get(XML_LANG) or element.get("lang")
    return (normalize.language(tag) or default) if tag else default


def _title(title_info: etree._Element) -> str | None:
    parts: dict[str, str] = {}
    for child in children(title_info):
        value = text(child)
        if value:
            name = local(child)
            parts[name] = f"{parts[name]} {value}" if name in parts else value
    title = " ".join(p for p in (parts.get("nonSort"), parts.get("title")) if p).replace("  ", " ")
    if not title:
        return None
    if "subTitle" in parts:
        title += f": {parts['subTitle']}"
    for name in ("partNumber", "partName"):
        if name in parts:
            title += f". {parts[name]}"
    return title


def _date_value(element: etree._Element | None) -> str | None:
    """A date's text; MARC-encoded dates write unknown digits as u ("15uu" → "15XX")."""
    value = text(element) if element is not None else None
    if value and element.get("encoding") == "marc":
        value = value.replace("u", "X")
    return value


class ModsMapper:
    """Maps one MODS record to an OSLO graph."""

    name = "mods"
    oai_prefixes: tuple[str, ...] = ("mods", "oai_mods", "mods3")

    def map(self, record: SourceRecord, profile: Profile) -> MappedRecord:
        mods, warnings = find_root(record, _M + "mods", _ALL_MODS, "mods:mods")
        return _ModsRecord(record, profile, warnings).build(mods)


class _ModsRecord(PatternBuilder):
    def build(self, mods: etree._Element) -> MappedRecord:
        parts: dict[str, list[etree._Element]] = {}
        for child in children(mods):
            if child.tag.startswith(_M):
                parts.setdefault(child.tag[len(_M):], []).append(child)
        get = lambda name: parts.get(name, [])  # noqa: E731 - a local shorthand
        lang = _lang(mods, self.profile.language) or self.profile.language
        kinds = [value.casefold() for element in get("typeOfResource") if (value := text(element))]
        self.visual = any(kind in _VISUAL for kind in kinds)
        self.start(None)
        self.title_infos(get("titleInfo"), lang)
        self.numbers(mods, get("identifier"), get("location"), get("recordInfo"))
        for element in get("abstract") + get("tableOfContents") + get("note"):
            note = long_text(element)
            if note:
                # an ownership or acquisition note is about the object's provenance
                provenance = (element.get("type") or "").casefold() in _PROVENANCE_NOTES
                self.add(self.acquisition() if provenance else self.object, vocab.P3, lit(note, _lang(element, lang)))
        self.classifications(kinds, get("genre"), get("classification"), lang)
        for j, name in enumerate(get("name"), 1):
            self.name(("name", j), name, lang)
        for origin in get("originInfo"):
            self.origin(origin, lang)
        self.physical(get("physicalDescription"), lang)
        for i, subject in enumerate(get("subject"), 1):
            self.subjects(subject, i, lang)
        for element in get("language"):
            for term in element.iter(_M + "languageTerm"):
                code = normalize.language(text(term))
                if code:
                    self.add(self.object, vocab.DC_LANGUAGE, lit(code))
        for location in get("location"):
            self.location(location, lang)
        statements = [
            (value, None)
            for element in get("accessCondition")
            for value in (element.get(_XLINK_HREF), text(element))
            if value
        ]
        if not self.rights(self.node("right", 1), self.object, statements, []):
            self.default_rights()
        for i, related in enumerate(get("relatedItem"), 1):
            self.related(related, i, lang)
        if self.profile.fields:
            self.extra_fields(lambda extra: xml_values(mods, extra))
        return self.finish(SOURCE_PATHS)

    def title_infos(self, infos: list[etree._Element], lang: str) -> None:
        for info in infos:
            title = _title(info)
            if title is None:
                continue
            if (info.get("type") or "").casefold() in _ALTERNATIVE:
                self.alternative_title(title, _lang(info, lang))
            else:  # the title, or a translation of it
                self.title(title, _lang(info, lang))

    def numbers(
        self, mods: etree._Element, identifiers: list[etree._Element], locations: list[etree._Element],
        infos: list[etree._Element],
    ) -> None:
        """Identifiers, and which of them is the object number (see the module docs)."""
        local_ids: list[str] = []
        for k, element in enumerate(identifiers, 1):
            value = text(element)
            if not value or element.get("invalid") == "yes":
                continue
            kind = (element.get("type") or "").casefold()
            if kind in _PAGE_TYPES or normalize.http_iri(value):
                url = f"https://doi.org/{value}" if kind == "doi" and not value.startswith("http") else value
                if kind == "hdl" and not value.startswith("http"):
                    url = f"https://hdl.handle.net/{value.removeprefix('hdl:')}"
                if self.link(url) is None and not normalize.http_iri(url):
                    self.identifier(("identifier", k), value, agency=element.get("type"))
                continue
            if kind in _NUMBER_TYPES and not local_ids:
                local_ids.append(value)
                self.object_numbers.append(value)
                self.identifier(("identifier", k), value, agency=element.get("displayLabel"), kind=vocab.CEST_OBJECTNUMMER)
            else:
                self.identifier(("identifier", k), value, agency=element.get("type"))
        shelf = [value for location in locations for e in location.iter(_M + "shelfLocator") if (value := text(e))]
        records = [(value, e.get("source")) for info in infos for e in info.iter(_M + "recordIdentifier") if (value := text(e))]
        seen = {value for element in identifiers if (value := text(element))}
        for k, (value, agency) in enumerate([(s, None) for s in shelf] + records, 1):
            if value in seen:
                continue
            seen.add(value)
            kind = vocab.CEST_OBJECTNUMMER if not self.object_numbers else None
            if kind:
                self.object_numbers.append(value)
            self.identifier(("local", k), value, agency=agency, kind=kind)
        oai = oai_identifier(mods)
        if oai:
            self.identifier(("oai",), oai, agency=self.profile.provider_name)

    def classifications(self, kinds: list[str], genres: list[etree._Element], classes: list[etree._Element], lang: str) -> None:
        for k, kind in enumerate(kinds, 1):
            dcmi = _DCMI.get(kind)
            concept = self.concept(("type", k), "type", [(vocab.DCMITYPE + dcmi, None)] if dcmi else [],
                                   [] if dcmi else [(kind, "en", True)])
            self.classified(("classification", "type", k), concept, None)
        for k, genre in enumerate(genres, 1):
            value = text(genre)
            url = genre.get("valueURI")
            concept = self.concept(("objectnaam", k), "objectnaam", [(url, genre.get("authority"))] if url else [],
                                   [(value, _lang(genre, lang), True)] if value else [])
            self.classified(("classification", k), concept, vocab.CEST_OBJECTNAAM)
        for k, element in enumerate(classes, 1):
            value = text(element)
            if value:
                concept = self.concept(("classificatie", k), "classificatie",
                                       [(element.get("valueURI"), None)] if element.get("valueURI") else [],
                                       [(value, None, True)])
                self.classified(("classification", "other", k), concept, None)

    def classified(self, key: tuple[str | int, ...], concept: str | None, kind: str | None) -> None:
        if concept:
            node = self.node(*key)
            self.add(self.object, vocab.P41I, node)
            self.add(node, vocab.P41, self.object)
            self.add(node, vocab.P42, concept)
            if kind:
                self.add(node, vocab.P2, kind)

    def mods_agent(self, key: tuple[str | int, ...], name: etree._Element) -> str | None:
        parts = {(p.get("type") or ""): v for p in name.iter(_M + "namePart") if (v := text(p))}
        display = next((v for d in name.iter(_M + "displayForm") if (v := text(d))), None)
        if display is None:
            given, family = parts.get("given"), parts.get("family")
            display = f"{family}, {given}" if family and given else parts.get("", family or given)
        if display is None:
            return None
        ids = [(name.get("valueURI"), name.get("authority"))] if name.get("valueURI") else []
        ids += [(v, i.get("type")) for i in name.iter(_M + "nameIdentifier") if (v := text(i))]
        kind = {"personal": "person", "corporate": "organisation", "conference": "organisation"}.get(name.get("type") or "")
        dates = (None, None)
        if "date" in parts:
            span = normalize.edtf(parts["date"])
            if span and "/" in span:
                begin, end = span.split("/", 1)
                dates = (begin if begin != ".." else None, end if end != ".." else None)
        return self.agent(key, ids, [(display, None, True)], kind=kind, dates=dates)

    def name(self, key: tuple[str | int, ...], name: etree._Element, lang: str) -> None:
        agent = self.mods_agent(key, name)
        if agent is None:
            return
        codes = [v for t in name.iter(_M + "roleTerm") if t.get("type") == "code" and (v := text(t))]
        words = [(v, _lang(t, lang), True) for t in name.iter(_M + "roleTerm") if t.get("type") != "code" and (v := text(t))]
        uris = [v for t in name.iter(_M + "roleTerm") if (v := t.get("valueURI"))]
        role = next(iter(codes + uris), None) or (words[0][0] if words else None)
        default = relators.MAKER if name.get("usage") == "primary" else relators.PARTICIPANT
        self.took_part(key, agent, role, role_labels=words, default_kind=default)

    def origin(self, origin: etree._Element, lang: str) -> None:
        by_name: dict[str, list[etree._Element]] = {}
        for child in children(origin):
            by_name.setdefault(local(child), []).append(child)
        for name in _DATES:
            dates = by_name.get(name, [])
            if dates:
                self.origin_date(dates, name)
                break
        for k, place in enumerate(by_name.get("place", []), 1):
            for term in place.iter(_M + "placeTerm"):
                value = text(term)
                if value and term.get("type") != "code":
                    url = term.get("valueURI") or place.get("valueURI")
                    found = self.place(("place", k), [(url, None)] if url else [], [(value, _lang(term, lang), True)])
                    if found:
                        self.add(self.production(), vocab.P7, found)
        for k, publisher in enumerate(by_name.get("publisher", []), 1):
            value = text(publisher)
            if value:
                agent = self.agent(("publisher", k), [], [(value, None, True)], kind="organisation")
                if agent:
                    self.took_part(("publisher", k), agent, "pbl")

    def origin_date(self, dates: list[etree._Element], name: str) -> None:
        start = next((d for d in dates if d.get("point") == "start"), None)
        end = next((d for d in dates if d.get("point") == "end"), None)
        single = next((d for d in dates if not d.get("point")), None)
        first = start if start is not None else single
        if first is None and end is None:
            return
        mark = lambda d: _QUALIFIER_MARKS.get((d.get("qualifier") or "").casefold()) if d is not None else None  # noqa: E731
        event = self.production()
        self.dated(event, _date_value(first), _date_value(end), start_mark=mark(first), end_mark=mark(end),
                   source=f"mods:originInfo/{name}")
        # the wording of a single date that is not machine-readable stays as a note
        for element in dates:
            value = text(element)
            if value and element.get("encoding") is None and normalize.edtf(value) not in (value, None):
                self.add(event, vocab.P3, lit(value, _lang(element, self.profile.language)))

    def physical(self, descriptions: list[etree._Element], lang: str) -> None:
        n = 0
        for description in descriptions:
            for child in children(description):
                name, value = local(child), text(child)
                if not value:
                    continue
                if name == "extent":
                    n += 1
                    self.dimension(n, None, None, child.get("unit"), [(value, _lang(child, lang))], lang)
                elif name in ("form", "internetMediaType"):
                    self.add(self.object, vocab.DC_FORMAT, lit(value))
                elif name == "note":
                    self.add(self.object, vocab.P3, lit(value, _lang(child, lang)))

    def subjects(self, subject: etree._Element, i: int, lang: str) -> None:
        default_uri = subject.get("valueURI") if len(children(subject)) == 1 else None
        for k, part in enumerate(children(subject), 1):
            name, key = local(part), ("subject", i, k)
            url = part.get("valueURI") or default_uri
            ids = [(url, None)] if url else []
            found = None
            if name in ("topic", "genre", "occupation"):
                value = text(part)
                found = self.concept(key, "onderwerp", ids, [(value, _lang(part, lang), True)] if value else [])
            elif name == "geographic":
                value = text(part)
                found = self.place(key, ids, [(value, _lang(part, lang), True)] if value else [])
            elif name == "hierarchicalGeographic":
                value = ", ".join(v for c in children(part) if (v := text(c)))
                found = self.place(key, ids, [(value, _lang(part, lang), True)] if value else [])
            elif name == "name":
                found = self.mods_agent(key, part)
            elif name == "titleInfo":
                value = _title(part)
                found = self.concept(key, "onderwerp", ids, [(value, _lang(part, lang), True)] if value else [])
            elif name == "temporal" and (value := text(part)):
                self.add(self.object, vocab.DC_TEMPORAL, lit(value, _lang(part, lang)))
            if found:
                self.subject(found)

    def location(self, location: etree._Element, lang: str) -> None:
        for k, element in enumerate(children(location), 1):
            name = local(element)
            if name == "physicalLocation":
                value = text(element)
                url = element.get("valueURI")
                ids = [(url, element.get("authority"))] if url else []
                if value or ids:
                    self.keeper(("keeper", k), ids, [(value, _lang(element, lang), True)] if value else [])
            elif name == "url" and (value := text(element)):
                access = (element.get("access") or "").casefold()
                image = True if access in ("raw object", "preview") else False if access == "object in context" else None
                if self.link(value, image=image) is None and not normalize.http_iri(value):
                    self.warn(f"mods:location/url {value!r} is not an http(s) URL")

    def related(self, related: etree._Element, i: int, lang: str) -> None:
        kind = (related.get("type") or "").casefold()
        prop = vocab.P46I if kind in ("host", "series") else vocab.P46 if kind == "constituent" else vocab.DC_RELATION
        urls = [related.get(_XLINK_HREF)] + [text(u) for u in related.iter(_M + "url")]
        urls += [text(e) for e in related.iter(_M + "identifier") if (e.get("type") or "") in ("uri", "url")]
        url = next((found for u in urls if u and (found := normalize.http_iri(u))), None)
        titles = [t for info in related.iter(_M + "titleInfo") if (t := _title(info))]
        if url is None and not titles:
            return
        term = iri(url) if url else self.node("related", i)
        self.add(self.object, prop, term)
        for title in titles[:1]:
            self.add(term, vocab.LABEL, lit(title, lang))
        if url is None:
            for k, element in enumerate(related.iter(_M + "identifier"), 1):
                value = text(element)
                if value:
                    self.identifier(("related", i, k), value, agency=element.get("type"), subject=term)


__all__ = ["MODS", "SOURCE_PATHS", "ModsMapper"]
