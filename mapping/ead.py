"""EAD 2002 and EAD3 finding aids → one OSLO record per described unit.

A finding aid describes a fonds (``archdesc``) and its components (``c``, ``c01`` … ``c12``)
in one document. :meth:`EadMapper.split` cuts it into one source record per unit that has a
``unitid``, the fonds included; :meth:`EadMapper.map` maps one such record. Without a split,
``map`` maps the fonds alone (and says how many components it left out).

Split records: the source id is ``{finding aid}/{unitid}/{unitid}…`` (the path of unitids
from the fonds down; a unit without unitid on the way counts by its ``id`` or position), the
fonds' is the finding aid's own id: the OAI identifier of the record it came in, else the
``eadid`` / ``recordid``, else the record's source id. The payload is a pruned EAD document
of the same version: the header, then each ancestor with only its ``did`` and its access and
use conditions, then the unit itself without its child components; the root carries
``oogst:unit`` and ``oogst:parent`` (namespace :data:`OOGST`), the ids of the unit and of the
nearest described ancestor.

What a unit maps to (EAD3 spellings in brackets)::

    did/unittitle            crm:P102_has_title
    did/unitid               adms:identifier, cest:Waarde_objectnummer (issued by the repository)
    did/unitdate @normal (unitdatestructured @standarddate), else its text
                             crm:P4_has_time-span (EDTF) of the production; certainty circa → ~
    did/origination          the agents who made or gathered the records: crm:P14 on the
                             production (a @role such as fmo: relators.py); inherited from the
                             nearest ancestor that names one
    did/repository           crm:P50_has_current_keeper (inherited from the nearest ancestor)
    did/physdesc (physdescstructured): extent, dimensions → crm:P43_has_dimension notes;
                             genreform → crm:P41i_was_classified_by (cest:Term_objectnaam)
    @level                   crm:P41i_was_classified_by → E17 (a "niveau" concept)
    did/abstract, scopecontent, odd, did/note        crm:P3_has_note
    custodhist, acqinfo      crm:P3_has_note on an acquisition (crm:P24i → E8)
    did/langmaterial/language @langcode             dcterms:language
    controlaccess            subjects, persons, places: what the records are about
                             (crm:P128_carries → crm:P129_is_about); genreform an object name
    userestrict, accessrestrict (inherited)          crm:P104_is_subject_to → E30
    dao / daoloc @href       crm:P129i_is_subject_of (image) or foaf:page; else eadid/@url
                             (recordid/@instanceurl), the finding aid's page, as foaf:page
    the parent unit          crm:P46i_forms_part_of <its object IRI>

The profile's extra fields are XPaths from the unit's element (prefixes ``ead``, ``ead3``).
"""

from __future__ import annotations

import copy
import re

from lxml import etree

from ..errors import MappingError
from ..records import MappedRecord, SourceRecord
from . import normalize, relators, vocab
from .builder import source_paths
from .ntriples import iri, lit
from .patterns import PatternBuilder, children, local, long_text, text
from .payload import XML_LANG, oai_identifier, parse, xml_values
from .profile import Profile

EAD2002 = "urn:isbn:1-931666-22-9"
EAD3 = "http://ead3.archivists.org/schema/"
OOGST = "https://data.oogst.be/ns/ead-split#"
_UNIT, _PARENT = f"{{{OOGST}}}unit", f"{{{OOGST}}}parent"
_XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
_COMPONENT = re.compile(r"^c(0[1-9]|1[0-2])?$")
_INHERITED = frozenset({"did", "accessrestrict", "userestrict"})
_HEADERS = frozenset({"eadheader", "control", "frontmatter"})
_NOTES = ("scopecontent", "odd", "abstract", "note")
_CIRCA = frozenset({"circa", "ca.", "ca", "approximate", "approximately"})

SOURCE_PATHS = source_paths(
    {
        vocab.P102: "ead:did/unittitle",
        vocab.P3: "ead:scopecontent, ead:did/abstract",
        vocab.IDENTIFIER: "ead:did/unitid",
        vocab.NOTATION: "ead:did/unitid",
        vocab.P50: "ead:did/repository",
        vocab.P108I: "ead:did/unitdate, ead:did/origination",
        vocab.P14: "ead:did/origination",
        vocab.P4: "ead:did/unitdate",
        vocab.P129: "ead:controlaccess",
        vocab.P104: "ead:userestrict, ead:accessrestrict",
        vocab.P43: "ead:did/physdesc",
        vocab.PAGE: "ead:dao/@href, ead:eadheader/eadid/@url",
        vocab.P129I: "ead:dao/@href",
        vocab.P46I: "the parent component (ead:c)",
    }
)


def _is_component(element: etree._Element) -> bool:
    return isinstance(element.tag, str) and _COMPONENT.match(local(element)) is not None


def _ead_root(record: SourceRecord) -> etree._Element:
    document = parse(record, "ead:ead")
    for element in document.iter("{*}ead"):
        return element
    raise MappingError(
        f"the payload holds no ead element (root element is {document.tag})",
        feed=record.feed,
        record=record.source_id,
        source_path="ead:ead",
        hint=f"is the feed's format {record.format!r} right?",
    )


def _child(element: etree._Element, name: str) -> etree._Element | None:
    return next((c for c in children(element) if local(c) == name), None)


def _find(element: etree._Element | None, *path: str) -> etree._Element | None:
    for name in path:
        if element is None:
            return None
        element = _child(element, name)
    return element


def _href(element: etree._Element) -> str | None:
    return element.get("href") or element.get(_XLINK_HREF)


class EadMapper:
    """Splits EAD finding aids into described units and maps one unit to an OSLO graph."""

    name = "ead"
    oai_prefixes: tuple[str, ...] = ("ead", "oai_ead", "ead3")

    def split(self, record: SourceRecord) -> list[SourceRecord]:
        """One source record per unit with a unitid (see the module docs); a record that is
        already one unit, or a finding aid without any unitid, comes back as it is."""
        ead = _ead_root(record)
        if ead.get(_UNIT) is not None:
            return [record]
        archdesc = _find(ead, "archdesc")
        if archdesc is None:
            return [record]
        header = [copy.deepcopy(c) for c in children(ead) if local(c) in _HEADERS - {"frontmatter"}]
        prefix = oai_identifier(ead) or _finding_aid_id(ead) or record.source_id
        out: list[SourceRecord] = []
        seen: set[str] = set()

        def emit(chain: list[etree._Element], unit: etree._Element, unit_id: str, parent: str | None) -> None:
            root = etree.Element(ead.tag, nsmap={**ead.nsmap, "oogst": OOGST})
            root.set(_UNIT, unit_id)
            if parent:
                root.set(_PARENT, parent)
            root.extend(copy.deepcopy(h) for h in header)
            holder = root
            for ancestor in chain:
                shell = etree.SubElement(holder, ancestor.tag, dict(ancestor.attrib))
                shell.extend(copy.deepcopy(c) for c in children(ancestor) if local(c) in _INHERITED)
                holder = shell
                if local(ancestor) == "archdesc":  # the components of the fonds sit in its dsc
                    holder = etree.SubElement(shell, ancestor.tag[: -len("archdesc")] + "dsc")
            target = etree.SubElement(holder, unit.tag, dict(unit.attrib))
            target.extend(copy.deepcopy(c) for c in children(unit) if not _is_component(c) and local(c) != "dsc")
            out.append(SourceRecord(record.feed, unit_id, record.datestamp, etree.tostring(root), record.format,
                                    sets=record.sets, media_type=record.media_type))

        def walk(element: etree._Element, chain: list[etree._Element], path: list[str], parent: str | None) -> None:
            for position, component in enumerate(_components(element)):
                unitid = text(_find(component, "did", "unitid"))
                segment = unitid or component.get("id") or f"c{position + 1}"
                unit_id = "/".join([prefix, *path, segment])
                while unit_id in seen:
                    unit_id += "~"
                seen.add(unit_id)
                if unitid:
                    emit(chain, component, unit_id, parent)
                walk(component, [*chain, component], [*path, segment], unit_id if unitid else parent)

        fonds = prefix if text(_find(archdesc, "did", "unitid")) else None
        if fonds:
            emit([], archdesc, fonds, None)
            seen.add(fonds)
        walk(archdesc, [archdesc], [], fonds)
        return out or [record]

    def map(self, record: SourceRecord, profile: Profile) -> MappedRecord:
        ead = _ead_root(record)
        archdesc = _find(ead, "archdesc")
        if archdesc is None:
            raise MappingError("the finding aid has no archdesc", feed=record.feed, record=record.source_id,
                               source_path="ead:archdesc", hint="an EAD document describes its fonds in archdesc")
        chain, unit = [archdesc], archdesc
        warnings: list[str] = []
        if ead.get(_UNIT) is not None:
            while (below := next(iter(_components(unit)), None)) is not None:
                chain.append(below)
                unit = below
        else:
            count = sum(1 for c in archdesc.iter() if _is_component(c) and _find(c, "did", "unitid") is not None)
            if count:
                warnings.append(f"the finding aid describes {count} components with a unitid; only the fonds was "
                                "mapped (split the finding aid to map each)")
        return _EadRecord(record, profile, warnings).build(ead, chain, unit)


def _components(element: etree._Element) -> list[etree._Element]:
    """The child components of an archdesc (in its dsc) or of a component."""
    found = []
    for child in children(element):
        if _is_component(child):
            found.append(child)
        elif local(child) == "dsc":
            found.extend(c for c in children(child) if _is_component(c))
    return found


def _finding_aid_id(ead: etree._Element) -> str | None:
    return text(_find(ead, "eadheader", "eadid")) or text(_find(ead, "control", "recordid"))


class _EadRecord(PatternBuilder):
    visual = False  # archives are about their subjects

    def build(self, ead: etree._Element, chain: list[etree._Element], unit: etree._Element) -> MappedRecord:
        language = self.profile.language
        for element in ead.iter("{*}language"):
            parent = element.getparent()
            if parent is not None and local(parent) in ("langusage", "languagedeclaration"):
                language = normalize.language(element.get("langcode")) or language
                break
        self.lang = language
        self.dimensions = self.genres = 0
        self.is_dated = self.has_origination = False
        did = _child(unit, "did")
        self.start(None)
        inherited = [_child(a, "did") for a in reversed(chain)]
        repository = next((r for d in inherited if d is not None and (r := _child(d, "repository")) is not None), None)
        keeper_name = self.repository(repository) if repository is not None else None
        if did is not None:
            self.did(did, keeper_name)
        if not self.has_origination:  # a unit was made by the creator of the unit it is part of
            for ancestor in inherited[1:]:
                origination = _child(ancestor, "origination") if ancestor is not None else None
                if origination is not None:
                    self.origination(origination)
                    break
        if ead.get(_PARENT):
            self.add(self.object, vocab.P46I, iri(self.minter.object_iri(ead.get(_PARENT))))
        level = unit.get("level") if unit.get("level") != "otherlevel" else unit.get("otherlevel")
        if level:
            concept = self.concept(("niveau",), "niveau", [], [(level, "en", True)])
            if concept:
                node = self.node("classification", "level")
                self.add(self.object, vocab.P41I, node)
                self.add(node, vocab.P41, self.object)
                self.add(node, vocab.P42, concept)
        for element in children(unit):
            name = local(element)
            if name in _NOTES and (note := long_text(element)):
                self.add(self.object, vocab.P3, lit(note, self.lang_of(element)))
            elif name in ("custodhist", "acqinfo") and (note := long_text(element)):
                self.add(self.acquisition(), vocab.P3, lit(note, self.lang_of(element)))
            elif name == "controlaccess":
                self.access_points(element)
            elif name in ("dao", "daogrp", "daoset"):
                self.digital(element)
        self.rights_of(chain)
        if not self.links:
            page = next((u for e in (_find(ead, "eadheader", "eadid"), _find(ead, "control", "recordid"))
                         if e is not None and (u := e.get("url") or e.get("instanceurl"))), None)
            if page:
                self.link(page, image=False)
        if self.profile.fields:
            self.extra_fields(lambda extra: xml_values(unit, extra))
        return self.finish(SOURCE_PATHS)

    def lang_of(self, element: etree._Element) -> str:
        tag = element.get(XML_LANG) or element.get("lang")
        return (normalize.language(tag) or self.lang) if tag else self.lang

    def repository(self, repository: etree._Element) -> str | None:
        name_element = next((c for c in children(repository) if local(c) in ("corpname", "name")), repository)
        parts = [p for p in children(name_element) if local(p) == "part"]
        name = text(parts[0]) if parts else (text(name_element) if name_element is not repository else
                                             normalize.line(repository.text or "") or None)
        ids = [(v, name_element.get("source") or "ISIL") for v in (name_element.get("authfilenumber"),
                                                                  name_element.get("identifier")) if v]
        if not (name or ids):
            return None
        self.keeper(("keeper", 1), ids, [(name, self.lang_of(name_element), True)] if name else [])
        return name

    def did(self, did: etree._Element, keeper_name: str | None) -> None:
        for element in children(did):
            name = local(element)
            if name == "unittitle" and (value := text(element)):
                self.title(value, self.lang_of(element))
            elif name == "unitid" and (value := text(element)):
                self.object_numbers.append(value)
                self.identifier(("unitid", len(self.object_numbers)), value, agency=keeper_name,
                                kind=vocab.CEST_OBJECTNUMMER if len(self.object_numbers) == 1 else None)
            elif name in ("unitdate", "unitdatestructured") and not self.is_dated and element.get("type") != "bulk":
                self.is_dated = self.unit_date(element)
            elif name == "origination":
                self.origination(element)
            elif name in ("physdesc", "physdescstructured", "physdescset"):
                self.physical(element)
            elif name == "langmaterial":
                for language in element.iter("{*}language"):
                    code = normalize.language(language.get("langcode") or text(language))
                    if code:
                        self.add(self.object, vocab.DC_LANGUAGE, lit(code))
            elif name in ("abstract", "note", "materialspec", "physloc") and (value := long_text(element)):
                self.add(self.object, vocab.P3, lit(value, self.lang_of(element)))
            elif name in ("dao", "daogrp", "daoset"):
                self.digital(element)

    def origination(self, element: etree._Element) -> None:
        for k, agent_element in enumerate(children(element), 1):
            agent = self.name_agent(("origination", k), agent_element)
            if agent:
                self.has_origination = True
                self.took_part(("origination", k), agent, agent_element.get("role"), default_kind=relators.MAKER)

    def unit_date(self, element: etree._Element) -> bool:
        mark = "ca." if (element.get("certainty") or "").casefold() in _CIRCA else None
        normal = element.get("normal")
        if local(element) == "unitdatestructured":
            single = next(element.iter("{*}datesingle"), None)
            start = next(element.iter("{*}fromdate"), None)
            end = next(element.iter("{*}todate"), None)
            first = single if single is not None else start
            value = lambda e: (e.get("standarddate") or text(e)) if e is not None else None  # noqa: E731
            if first is None and end is None:
                return False
            self.dated(self.production(), value(first), value(end), start_mark=mark, end_mark=mark,
                       source="ead:unitdatestructured")
            return True
        raw = normal or text(element)
        if not raw:
            return False
        start, _, end = raw.partition("/") if normal else (raw, "", "")
        self.dated(self.production(), start, end or None, start_mark=mark, end_mark=mark, source="ead:unitdate")
        shown = text(element)
        if normal and shown and normalize.edtf(shown) != normalize.edtf(normal):  # wording that says more
            self.add(self.production(), vocab.P3, lit(shown, self.lang_of(element)))
        return True

    def name_agent(self, key: tuple[str | int, ...], element: etree._Element) -> str | None:
        if local(element) not in ("persname", "corpname", "famname", "name"):
            return None
        parts = [v for p in children(element) if local(p) == "part" and (v := text(p))]
        name = element.get("normal") or (", ".join(parts) if parts else text(element))
        ids = [(v, element.get("source")) for v in (element.get("authfilenumber"), element.get("identifier")) if v]
        if not (name or ids):
            return None
        kind = "person" if local(element) == "persname" else "organisation" if local(element) == "corpname" else None
        return self.agent(key, ids, [(name, None, True)] if name else [], kind=kind)

    def physical(self, element: etree._Element) -> None:
        extents = []
        for child in element.iter():
            name = local(child)
            if name in ("extent", "dimensions", "physfacet") and (value := text(child)):
                extents.append((value, self.lang_of(child)))
            elif name == "quantity" and (value := text(child)):
                unit = text(_child(element, "unittype"))
                extents.append((f"{value} {unit}" if unit else value, self.lang_of(child)))
            elif name == "genreform" and (value := text(child)):
                self.genre(child, value)
        if not extents and len(element) == 0 and (value := text(element)):
            extents.append((value, self.lang_of(element)))
        for value, lang in extents:
            self.dimensions += 1
            self.dimension(self.dimensions, None, None, None, [(value, lang)], lang)

    def genre(self, element: etree._Element, value: str) -> None:
        url = element.get("authfilenumber") or element.get("identifier")
        self.genres += 1
        k = self.genres
        concept = self.concept(("objectnaam", k), "objectnaam", [(url, element.get("source"))] if url else [],
                               [(value, self.lang_of(element), True)])
        if concept:
            node = self.node("classification", k)
            self.add(self.object, vocab.P41I, node)
            self.add(node, vocab.P41, self.object)
            self.add(node, vocab.P42, concept)
            self.add(node, vocab.P2, vocab.CEST_OBJECTNAAM)

    def access_points(self, controlaccess: etree._Element) -> None:
        for k, element in enumerate(controlaccess.iter(), 1):
            name = local(element)
            value = text(element)
            url = element.get("authfilenumber") or element.get("identifier")
            ids = [(url, element.get("source"))] if url else []
            key = ("subject", k)
            found = None
            if name in ("subject", "function", "occupation", "title") and value:
                found = self.concept(key, "onderwerp", ids, [(value, self.lang_of(element), True)])
            elif name == "geogname" and value:
                found = self.place(key, ids, [(value, self.lang_of(element), True)])
            elif name in ("persname", "corpname", "famname", "name"):
                found = self.name_agent(key, element)
            elif name == "genreform" and value:
                self.genre(element, value)
            if found:
                self.subject(found)

    def digital(self, element: etree._Element) -> None:
        for found in element.iter():
            href = _href(found) if local(found) in ("dao", "daoloc") else None
            if href and self.link(href) is None and not normalize.http_iri(href):
                self.warn(f"ead:dao href {href!r} is not an http(s) URL")

    def rights_of(self, chain: list[etree._Element]) -> None:
        """The unit's own use and access conditions, else those of its nearest ancestor."""
        for depth, holder in enumerate(reversed(chain), 1):
            conditions = [c for c in children(holder) if local(c) in ("userestrict", "accessrestrict")]
            statements: list[tuple[str, str | None]] = []
            for condition in sorted(conditions, key=lambda c: local(c) != "userestrict"):
                statements += [(h, None) for e in condition.iter() if local(e) in ("extref", "ref", "extptr")
                               and (h := _href(e))]
                note = long_text(condition)
                if note:
                    statements.append((note, self.lang_of(condition)))
            if statements and self.rights(self.node("right", depth), self.object, statements, []):
                return
        self.default_rights()

__all__ = ["EAD2002", "EAD3", "OOGST", "SOURCE_PATHS", "EadMapper"]
