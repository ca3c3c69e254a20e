"""MARCXML bibliographic records (MARC 21, ``http://www.loc.gov/MARC21/slim``) → OSLO.

Libraries (Anet/Brocade, Alma, Koha) offer MARCXML over OAI-PMH as ``marc21`` or
``marcxml``. The record is read with lxml (leader, control fields, data fields with their
indicators and subfields); ISBD punctuation at the ends of subfields is removed. Per field::

    leader/06 (type of record)   crm:P41i_was_classified_by → E17 (DCMI type); maps, graphics,
                                 projected media and objects are visual works (subjects
                                 depicted), everything else texts (subjects are what the
                                 content, crm:P128_carries → crm:P129_is_about, is about)
    245 $a $b $n $p              crm:P102_has_title, in the language of 008/35-37 (or 041 $a)
    246, 240, 130                dcterms:alternative
    100/110/111, 700/710/711     agents by relator ($4 code, else $e term; relators.py): makers
                                 crm:P14_carried_out_by the production, others crm:P11, former
                                 owners an acquisition; a main entry without relator is a maker,
                                 an added entry a participant. $0/$1 http URIs as the agent's
                                 IRI, $d life dates
    008/06-14, else 264/260 $c   crm:P4_has_time-span of the production (EDTF; u → X); the
                                 wording of $c a crm:P3_has_note
    264/260 $a, $b               places crm:P7_took_place_at; publishers participants (pbl),
                                 264 second indicator 3 manufacturers makers (mfr)
    300 $a $b $c                 crm:P43_has_dimension: $c "34 cm" the height, else notes
    500, 505, 520                crm:P3_has_note;  561, 541 an acquisition (provenance)
    600/610/611, 650, 651        subjects (agents, concepts, places; $0/$1 URIs)
    655                          crm:P41i_was_classified_by → E17, cest:Term_objectnaam
    020, 024, 035, 001           adms:identifier (with their issuer); the object number is the
                                 call number (852 $j, 852 $h $i, 09X $a), else 001
    852 $a                       crm:P50_has_current_keeper, else the profile's provider
    856 $u                       an image (crm:P129i_is_subject_of: by URL, $q image/…, $3) or a
                                 page (foaf:page)
    540, 506 ($u, $f, $a)        crm:P104_is_subject_to → E30
    773, 490/830                 crm:P46i_forms_part_of a node with the host's or series' title
    041 $a, 008/35-37            dcterms:language

The profile's extra fields are XPaths from ``marc:record`` (prefix ``marc``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

from lxml import etree

from ..records import MappedRecord, SourceRecord
from . import normalize, relators, vocab
from .builder import source_paths
from .ntriples import lit
from .patterns import PatternBuilder
from .payload import find_root, oai_identifier, xml_values
from .profile import Profile

MARC = "http://www.loc.gov/MARC21/slim"
_M = "{" + MARC + "}"
_ALL_RECORDS = etree.XPath("//marc:record", namespaces={"marc": MARC}, smart_strings=False)
_SEPARATORS = re.compile(r"[\s/:;,=]+$")
_FULL_STOP = re.compile(r"(?<=\w{4})\.$|(?<=\d)\.$")  # "Antonius." "1644." but not "p." "ill." "J."
_BRACKETS = re.compile(r"^\[(.*)\]$")
_HEIGHT = re.compile(r"^(\d+(?:[.,]\d+)?)\s*(cm|mm)\.?$", re.I)
_ISIL = re.compile(r"^[A-Z]{2}-[A-Za-z0-9:/-]+$")
_AGENCY = re.compile(r"^\(([^)]+)\)\s*(.+)$")
_VISUAL = frozenset("efgkr")
# leader/06 → DCMI type (as the Library of Congress' MARC to Dublin Core crosswalk)
_TYPES = {
    "a": "Text", "t": "Text", "c": "Text", "d": "Text", "e": "Image", "f": "Image", "g": "MovingImage",
    "i": "Sound", "j": "Sound", "k": "StillImage", "m": "Software", "o": "Collection", "p": "Collection",
    "r": "PhysicalObject",
}
_INTERVAL_TYPES = frozenset("mikqcdu")
_DEFAULT_AGENT_KIND = {"100": "person", "700": "person", "600": "person", "110": "organisation",
                       "710": "organisation", "610": "organisation", "111": "organisation", "711": "organisation"}

SOURCE_PATHS = source_paths(
    {
        vocab.P102: "marc:datafield[@tag='245']",
        vocab.P3: "marc:datafield[@tag='520'], [@tag='500']",
        vocab.IDENTIFIER: "marc:datafield[@tag='852'] $j, marc:controlfield[@tag='001']",
        vocab.NOTATION: "marc:datafield[@tag='852'] $j, marc:controlfield[@tag='001']",
        vocab.P50: "marc:datafield[@tag='852'] $a",
        vocab.P41I: "marc:leader/06, marc:datafield[@tag='655']",
        vocab.P108I: "marc:datafield[@tag='100'], [@tag='264'], marc:controlfield[@tag='008']",
        vocab.P14: "marc:datafield[@tag='100'], [@tag='700'] ($4, $e)",
        vocab.P4: "marc:controlfield[@tag='008']/07-14, marc:datafield[@tag='264'] $c",
        vocab.P62: "marc:datafield[@tag='650'], [@tag='651']",
        vocab.P129: "marc:datafield[@tag='650'], [@tag='651']",
        vocab.P43: "marc:datafield[@tag='300']",
        vocab.P104: "marc:datafield[@tag='540'], [@tag='506']",
        vocab.PAGE: "marc:datafield[@tag='856'] $u",
        vocab.P129I: "marc:datafield[@tag='856'] $u",
        vocab.P46I: "marc:datafield[@tag='773'], [@tag='490']",
    }
)

Field = tuple[str, str, list[tuple[str, str]]]  # ind1, ind2, [(code, value)]


@lru_cache(maxsize=16384)
def clean(value: str | None) -> str | None:
    """A subfield without its ISBD punctuation ("Antverpiae :" → "Antverpiae")."""
    if not value:
        return None
    value = normalize.line(value) or ""
    value = _FULL_STOP.sub("", _SEPARATORS.sub("", value)).strip()
    match = _BRACKETS.match(value)
    return (match.group(1).strip() if match else value) or None


def _subs(field: Field, *codes: str) -> list[str]:
    return [v for code, raw in field[2] if code in codes and (v := clean(raw))]


def _notes(field: Field, *codes: str) -> list[str]:
    """Subfields that are sentences: whitespace cleaned, punctuation kept."""
    return [v for code, raw in field[2] if code in codes and (v := normalize.line(raw))]


def _title(field: Field) -> str | None:
    """245/246: "$a: $b. $n. $p" (ISBD's " :" between title and subtitle becomes ": ")."""
    title = " ".join(_subs(field, "a"))
    for code, separator in (("b", ": "), ("n", ". "), ("p", ". ")):
        for value in _subs(field, code):
            title = f"{title}{separator}{value}" if title else value
    return title or None


def _date_part(value: str) -> str | None:
    """A 008 date (``1641``, ``19uu``, ``    ``) as an EDTF year, or None."""
    value = value.strip().replace("u", "X").replace("|", "")
    if len(value) != 4 or value in ("XXXX", "9999") or not re.fullmatch(r"\d{2,4}X{0,2}", value):
        return None
    return value if value.count("X") < 2 else value[:2] + "XX"


class MarcXmlMapper:
    """Maps one MARCXML bibliographic record to an OSLO graph."""

    name = "marcxml"
    oai_prefixes: tuple[str, ...] = ("marc21", "marcxml", "marc")

    def map(self, record: SourceRecord, profile: Profile) -> MappedRecord:
        element, warnings = find_root(record, _M + "record", _ALL_RECORDS, "marc:record")
        return _MarcRecord(record, profile, warnings).build(element)


class _MarcRecord(PatternBuilder):
    def build(self, element: etree._Element) -> MappedRecord:
        leader, control, data = "", {}, {}
        for child in element:
            tag = child.tag
            if not isinstance(tag, str):
                continue
            name = tag.rsplit("}", 1)[-1]
            if name == "leader":
                leader = child.text or ""
            elif name == "controlfield":
                control[child.get("tag", "")] = child.text or ""
            elif name == "datafield":
                subfields = [(s.get("code", ""), s.text or "") for s in child if isinstance(s.tag, str)]
                data.setdefault(child.get("tag", ""), []).append((child.get("ind1", " "), child.get("ind2", " "), subfields))
        get = lambda tag: data.get(tag, [])  # noqa: E731 - a local shorthand
        fixed = control.get("008", "")
        languages = [code for f in get("041") for v in _subs(f, "a") if (code := normalize.language(v))]
        own = normalize.language(fixed[35:38].strip()) if len(fixed) >= 38 and fixed[35:38].strip() else None
        languages = languages or ([own] if own and own not in ("und", "zxx", "mul") else [])
        text_lang = languages[0] if languages else self.profile.language
        lang = self.profile.language
        kind = leader[6:7]
        self.visual = kind in _VISUAL
        self.start(None)
        for field in get("245"):
            title = _title(field)
            if title:
                self.title(title, text_lang)
        for tag in ("246", "240", "130"):
            for field in get(tag):
                title = _title(field)
                if title:
                    self.alternative_title(title, None if field[1] == "1" else text_lang)
        keeper_name = self.holdings(get("852"))
        self.numbers(control, get, keeper_name)
        if kind in _TYPES:
            dcmi = _TYPES[kind]
            concept = self.concept(("type",), "type", [(vocab.DCMITYPE + dcmi, None)], [])
            self.classified(("classification", "type"), concept, None)
        for k, field in enumerate(get("655"), 1):
            concept = self.concept(("objectnaam", k), "objectnaam", self.uris(field), self.words(field, lang))
            self.classified(("classification", k), concept, vocab.CEST_OBJECTNAAM)
        n = 0
        for tag in ("100", "110", "111", "700", "710", "711", "720"):
            for field in get(tag):
                if tag[0] == "7" and _subs(field, "t"):
                    continue  # a name/title entry names a related work, not a contributor
                n += 1
                self.entry(("name", n), tag, field, relators.MAKER if tag[0] == "1" else relators.PARTICIPANT)
        # publication, production, manufacture and distribution statements before a copyright date
        imprints = sorted(get("264"), key=lambda f: "10324".find(f[1]) % 9) + get("260")
        self.dates(fixed, imprints)
        self.imprint([f for f in imprints if f[1] != "4"], lang)
        self.physical(get("300"), lang)
        for tag in ("520", "505", "500"):
            for field in get(tag):
                note = " ".join(_notes(field, "a", "b", "t", "r", "g"))
                if note:
                    self.add(self.object, vocab.P3, lit(note, lang))
        self.provenance(get("541"), get("561"), lang)
        for k, (tag, field) in enumerate([(t, f) for t in ("600", "610", "611") for f in get(t)], 1):
            agent = self.name_agent(("subject-agent", k), field, _DEFAULT_AGENT_KIND.get(tag))
            if agent:
                self.subject(agent)
        for k, field in enumerate(get("650"), 1):
            concept = self.concept(("subject", k), "onderwerp", self.uris(field), self.words(field, lang))
            if concept:
                self.subject(concept)
        for k, field in enumerate(get("651"), 1):
            place = self.place(("subject-place", k), self.uris(field), self.words(field, lang))
            if place:
                self.subject(place)
        for code in languages:
            self.add(self.object, vocab.DC_LANGUAGE, lit(code))
        for field in get("856"):
            self.online(field)
        self.rights_of(get("540") + get("506"), lang)
        for k, field in enumerate([*get("773"), *get("490"), *get("830")], 1):
            titles = _subs(field, "t", "a")
            if titles:
                node = self.node("part-of", k)
                self.add(self.object, vocab.P46I, node)
                self.add(node, vocab.LABEL, lit(titles[0], text_lang))
                for j, value in enumerate(_subs(field, "w", "x"), 1):
                    self.identifier(("part-of", k, j), value, subject=node)
        oai = oai_identifier(element)
        if oai:
            self.identifier(("oai",), oai, agency=self.profile.provider_name)
        if self.profile.fields:
            self.extra_fields(lambda extra: xml_values(element, extra))
        return self.finish(SOURCE_PATHS)

    @staticmethod
    def uris(field: Field) -> list[tuple[str, str | None]]:
        return [(v, None) for v in _subs(field, "0", "1") if normalize.http_iri(v)]

    @staticmethod
    def words(field: Field, lang: str) -> list[tuple[str, str | None, bool]]:
        heading = " -- ".join(_subs(field, "a", "b", "x", "y", "z", "v"))
        return [(heading, lang, True)] if heading else []

    def classified(self, key: tuple[str | int, ...], concept: str | None, kind: str | None) -> None:
        if concept:
            node = self.node(*key)
            self.add(self.object, vocab.P41I, node)
            self.add(node, vocab.P41, self.object)
            self.add(node, vocab.P42, concept)
            if kind:
                self.add(node, vocab.P2, kind)

    def holdings(self, fields: list[Field]) -> str | None:
        """The keeper from 852 $a (a name, or an ISIL / MARC organisation code), else the
        profile's provider; returns the keeper's name for the object number's issuer."""
        for k, field in enumerate(fields, 1):
            for value in _subs(field, "a"):
                ids = [(value, "ISIL")] if _ISIL.match(value) else []
                if self.keeper(("keeper", k), ids, [(value, None, True)]):
                    return value
        self.provider_keeper()
        return self.profile.provider_name

    def numbers(self, control: dict[str, str], get: Callable[[str], list[Field]], keeper_name: str | None) -> None:
        calls = [" ".join(_subs(f, "h", "i")) for f in get("852") if not _subs(f, "j")]
        calls = [v for f in get("852") for v in _subs(f, "j")] + [c for c in calls if c]
        calls += [v for tag in ("099", "092", "090") for f in get(tag) for v in _subs(f, "a")]
        record_number = (control.get("001") or "").strip()
        for k, value in enumerate(calls, 1):
            if k == 1:
                self.object_numbers.append(value)
            self.identifier(("call", k), value, agency=keeper_name, kind=vocab.CEST_OBJECTNUMMER if k == 1 else None)
        if record_number:
            if not calls:
                self.object_numbers.append(record_number)
            self.identifier(("001",), record_number, agency=(control.get("003") or "").strip() or keeper_name,
                            kind=None if calls else vocab.CEST_OBJECTNUMMER)
        for tag, agency in (("020", "ISBN"), ("022", "ISSN"), ("024", None), ("035", None)):
            for k, field in enumerate(get(tag), 1):
                for value in _subs(field, "a"):
                    issuer = agency or next(iter(_subs(field, "2")), None)
                    if tag == "035" and (match := _AGENCY.match(value)):
                        issuer, value = match.groups()
                    self.identifier((tag, k), value, agency=issuer)

    def name_agent(self, key: tuple[str | int, ...], field: Field, kind: str | None) -> str | None:
        name = " ".join(_subs(field, "a", "b", "c", "q"))
        if not name:
            return None
        dates: tuple[str | None, str | None] = (None, None)
        span = normalize.edtf(next(iter(_subs(field, "d")), None))
        if span and "/" in span:
            begin, end = span.split("/", 1)
            dates = (begin if begin != ".." else None, end if end != ".." else None)
        return self.agent(key, self.uris(field), [(name, None, True)], kind=kind, dates=dates)

    def entry(self, key: tuple[str | int, ...], tag: str, field: Field, default: str) -> None:
        agent = self.name_agent(key, field, _DEFAULT_AGENT_KIND.get(tag))
        if agent is None:
            return
        codes = [v.casefold() for v in _subs(field, "4")]
        terms = _subs(field, "e", "j") if tag[1] != "1" else _subs(field, "j")
        role = next(iter(codes), None) or next(iter(terms), None)
        labels = [(term, self.profile.language, True) for term in terms]
        self.took_part(key, agent, role, role_labels=labels, default_kind=default)

    def dates(self, fixed: str, imprints: list[Field]) -> None:
        shown = next((v for f in imprints for v in _subs(f, "c")), None)
        first = _date_part(fixed[7:11]) if len(fixed) >= 15 else None
        last = _date_part(fixed[11:15]) if len(fixed) >= 15 and fixed[6:7] in _INTERVAL_TYPES else None
        if first is None and last is None and shown is None:
            return
        event = self.production()
        if first or last:
            # type q ("questionable"): made at some time between the two dates, an interval as well
            self.dated(event, first, last, source="marc:controlfield[@tag='008']/07-14")
        else:
            self.dated(event, shown, None, source="marc:datafield[@tag='264'] $c")
        expected = first if not last or last == first else f"{first}/{last}"
        if shown and (first or last) and normalize.edtf(shown) != expected:
            self.add(event, vocab.P3, lit(shown, self.profile.language))  # the wording, when it says more

    def imprint(self, fields: list[Field], lang: str) -> None:
        for k, field in enumerate(fields, 1):
            for j, value in enumerate(_subs(field, "a"), 1):
                if value.casefold() not in ("s.l", "s.l.", "sine loco", "z.p", "z.pl"):
                    place = self.place(("place", k, j), [], [(value, None, True)])
                    if place:
                        self.add(self.production(), vocab.P7, place)
            role = "mfr" if field[1] == "3" else "pbl"
            for j, value in enumerate(_subs(field, "b"), 1):
                if value.casefold() not in ("s.n", "s.n.", "sine nomine", "z.n"):
                    agent = self.agent(("imprint", k, j), [], [(value, None, True)])
                    if agent:
                        self.took_part(("imprint", k, j), agent, role)

    def physical(self, fields: list[Field], lang: str) -> None:
        n = 0
        for field in fields:
            notes = [(v, lang) for v in _subs(field, "a", "b")]
            for value in _subs(field, "c"):
                match = _HEIGHT.match(value)
                n += 1
                if match:
                    self.dimension(n, "hoogte", match.group(1), match.group(2), [], lang)
                else:
                    self.dimension(n, None, None, None, [(value, lang)], lang)
            if notes:
                n += 1
                self.dimension(n, None, None, None, notes, lang)

    def provenance(self, sources: list[Field], notes: list[Field], lang: str) -> None:
        for k, field in enumerate(sources, 1):
            event = self.acquisition()
            for value in _subs(field, "a"):
                agent = self.agent(("acquisition-source", k), [], [(value, None, True)])
                if agent:
                    self.add(event, vocab.P23, agent)
            for value in _subs(field, "c"):
                method = self.concept(("methode", k), "methode", [], [(value, lang, True)])
                if method:
                    self.add(event, vocab.P32, method)
            date = next(iter(_subs(field, "d")), None)
            if date:
                self.dated(event, date, None, source="marc:datafield[@tag='541'] $d")
        for field in notes:
            for value in _notes(field, "a"):
                self.add(self.acquisition(), vocab.P3, lit(value, lang))

    def online(self, field: Field) -> None:
        media = " ".join(_subs(field, "q", "3")).casefold()
        image = True if "image" in media or "afbeelding" in media or "thumbnail" in media else None
        for value in [raw.strip() for code, raw in field[2] if code == "u" and raw.strip()]:
            if self.link(value, image=image) is None and not normalize.http_iri(value):
                self.warn(f"856 $u {value!r} is not an http(s) URL")

    def rights_of(self, fields: list[Field], lang: str) -> None:
        statements: list[tuple[str, str | None]] = []
        for field in fields:
            statements += [(raw.strip(), None) for code, raw in field[2] if code == "u" and raw.strip()]
            statements += [(v, None) for v in _subs(field, "f")]
            statements += [(v, lang) for v in _notes(field, "a")]
        if not self.rights(self.node("right", 1), self.object, statements, []):
            self.default_rights()


__all__ = ["MARC", "SOURCE_PATHS", "MarcXmlMapper", "clean"]
