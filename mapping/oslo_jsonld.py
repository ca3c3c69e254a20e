"""OSLO JSON-LD (LDES members, as Ghent publishes them) → our OSLO conventions.

The member is already OSLO; what this mapper does is make it *ours*:

- **Expanded, offline.** The member's ``@context`` URLs are resolved by the profile's
  context cache (:class:`oogst.jsonld.ContextCache`: a local folder, the data dir's cache)
  and inlined by :func:`oogst.jsonld.prepare`; pyoxigraph then reads it as RDF. Everything
  after that works on expanded IRIs, never on JSON keys: Ghent's contexts are forks of
  OSLO's, and the same key may mean something else in the next fork.
- **Prefixes repaired.** Members use ``dcterms:isVersionOf`` and ``prov:generatedAtTime``
  while no context defines ``dcterms`` or ``prov``: ``prepare`` defines the well-known
  prefixes a member uses but does not define (each repair is a mapping warning), and compact
  IRIs that still come out unexpanded are expanded afterwards.
- **Versions → the persistent object.** A member ``…/530000002/2023-02-13T16:19:43.573Z``
  that is ``dcterms:isVersionOf`` ``…/530000002`` describes the persistent IRI; the version
  triples (``dcterms:isVersionOf``, ``prov:generatedAtTime``) are dropped. A version may also
  describe its object by the object's own IRI (oogst's own LDES puts the record graph in the
  version's named graph): those statements, and the object's types, count as the member's.
- **Words as IRIs.** Where a context types a property as an IRI but the member gives a word
  (Ghent's ``Dimensie.type: "hoogte"``, ``Dimensie.waarde: "1.6"``), a number becomes an
  ``xsd:decimal`` and a word a concept (the dimension types, the profile's value maps and
  the AAT concordance, else minted with the word as ``skos:prefLabel``).
- **Literals.** A bare year typed ``xsd:dateTime`` becomes ``xsd:gYear`` (a date
  ``xsd:date``, other dates EDTF, see ``normalize.date_time``); an EDTF time that only says
  the date is unknown (Ghent's ``".."``) is left out, with a warning; text of titles, notes and
  labels is cleaned and gets the feed's language when it has none (not the names of persons,
  organisations and places, nor an inscription's content or a variant title: a name is not text in a language, and oogst's mappers write them
  plain); an EDTF time-span gets its ``crm:P82a``/``crm:P82b`` bounds as in the other mappers.
- **Our conventions.** ``crm:E22_Man-Made_Object`` is written ``crm:E22_Human-Made_Object``;
  only the member's own resource is an E22 (a nested object, such as a part, is written as
  an ``crm:E18_Physical_Thing``); nested nodes keep their types and get those the property
  ranges give (as in every mapper); nested nodes stay, and their blank nodes are
  skolemised under the record's IRI (``…#ld-P108i-1``), so the store holds no blank node;
  rights URIs take their canonical form, Wikidata page URLs become entity IRIs, IRIs with
  spaces are percent-encoded; a record without rights gets the feed's default rights.

A payload is one member's JSON as received (a JSON array of one member is accepted).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import unquote

import orjson
import pyoxigraph as ox

from ..errors import MappingError
from ..jsonld import ContextCache, ContextError, prepare
from ..records import MappedRecord, SourceRecord
from . import normalize, vocab
from .builder import RecordBuilder, source_paths
from ..iris import slug
from .ntriples import iri, lit
from .profile import ExtraField, Profile

_RDF_TYPE = vocab.RDF + "type"
_XSD_STRING = vocab.XSD + "string"
_LANG_STRING = vocab.RDF + "langString"
# Namespaces of real datatypes: a literal typed with anything else whose value is an http
# IRI was meant as a node (a context typed the property with a class).
_DATATYPE_NAMESPACES = (vocab.XSD, vocab.RDF, vocab.GEO, "http://id.loc.gov/datatypes/", "http://www.opengis.net/",
                        "https://www.iana.org/assignments/media-types/")
_DATE_TIME = vocab.XSD + "dateTime"
_VERSION_OF = vocab.DCTERMS + "isVersionOf"
_DC_TYPE = vocab.DCTERMS + "type"
_VERSION_TRIPLES = frozenset({_VERSION_OF, vocab.PROV + "generatedAtTime"})
_E22_NAMES = frozenset({vocab.E22, vocab.E22_CRM6})
_P104 = vocab.CRM + "P104_is_subject_to"
_P2 = vocab.CRM + "P2_has_type"
_P4 = vocab.CRM + "P4_has_time-span"
_P102 = vocab.CRM + "P102_has_title"
_IDENTIFIER = vocab.ADMS + "identifier"
_NOTATION = vocab.SKOS + "notation"
_OBJECTNUMMER = vocab.CEST + "Waarde_objectnummer"
_UNIT_TEXT = vocab.SCHEMA + "unitText"
_DC_TITLE = vocab.DCTERMS + "title"
_ROL_AGENT = vocab.CE + "Rol.agent"
# Properties whose plain strings are text in a language (the others are codes, names, numbers).
_TEXT_PROPERTIES = frozenset(
    {
        _P102,
        vocab.CRM + "P3_has_note",
        vocab.CRM + "P190_has_symbolic_content",
        vocab.CE + "tekst",
        vocab.SKOS + "prefLabel",
        vocab.SKOS + "altLabel",
        vocab.SKOS + "note",
        vocab.SKOS + "definition",
        vocab.SKOS + "scopeNote",
        vocab.RDFS + "label",
        vocab.RDFS + "comment",
        vocab.DCTERMS + "title",
        vocab.DCTERMS + "description",
        vocab.DCTERMS + "alternative",
        "http://purl.org/dc/elements/1.1/title",
        "http://purl.org/dc/elements/1.1/description",
    }
)
# An inscription's content and a variant title are often in another language than the feed's:
# a plain one stays plain.
_FEED_LANGUAGE = _TEXT_PROPERTIES - {vocab.CRM + "P190_has_symbolic_content", vocab.DCTERMS + "alternative"}
# Agents and places, and how a node says it is one: their names are names, not text in a
# language, so a plain one stays plain (as oogst's mappers write it).
_NAMED_TYPES = frozenset(vocab.CLASS[kind][1:-1] for kind in ("person", "organisation", "agent", "group", "place"))
_NAMED_PROPERTIES = frozenset(p[1:-1] for p, kind in vocab.NODE_CLASSES.items() if kind[1:-1] in _NAMED_TYPES) | {
    vocab.CRM + "P49_has_former_or_current_keeper", vocab.CRM + "P52_has_current_owner",
    vocab.CRM + "P105_right_held_by", vocab.CRM + "P53_has_former_or_current_location",
    vocab.CRM + "P189_approximates"}
_NAME_PROPERTIES = frozenset({vocab.SKOS + "prefLabel", vocab.SKOS + "altLabel", vocab.RDFS + "label"})
_MULTILINE = frozenset({vocab.CRM + "P3_has_note", vocab.CE + "tekst", vocab.DCTERMS + "description"})
# Relative IRIs resolve against this base: a "@type": "@id" property given a word ("hoogte",
# "1.6") — a fork's context typing a value as an IRI — is recognised by it and read as a word.
_RELATIVE = "http://relative.oogst.invalid/"
# EDTF-ish ways of saying "no known date" (".." is valid only as the end of an interval).
_UNKNOWN_TIMES = frozenset({"..", "../..", "/", ""})
_ABSOLUTE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_COMPACT = re.compile(r"^([A-Za-z][\w.-]*):\s*(\S.*)$")
_CRM_LOCAL = re.compile(r"^(P\d+[a-z]?(?:\.\d+)?|E\d+)_")

SOURCE_PATHS = source_paths(
    {
        vocab.P102: "MensgemaaktObject.titel",
        iri(vocab.DCTERMS + "title"): "Dossier.naam",
        vocab.P3: "Entiteit.beschrijving",
        vocab.IDENTIFIER: "Entiteit.identificator",
        vocab.NOTATION: "Identificator.identificator",
        vocab.P50: "MaterieelDing.beheerder",
        vocab.P108I: "MaterieelDing.productie",
        vocab.P4: "Gebeurtenis.tijd",
        vocab.P104: "MaterieelDing.isOnderworpenAan",
        vocab.PAGE: "foaf:page",
        vocab.P129I: "Entiteit.isHetOnderwerpVan",
    }
)

Node = ox.NamedNode | ox.BlankNode
Triple = tuple[Node, ox.NamedNode, Node | ox.Literal]


class OsloJsonLdMapper:
    """Maps one OSLO JSON-LD member (e.g. from an LDES) to our OSLO conventions."""

    name = "oslo-jsonld"
    root = "$"  # the source path of the whole record

    def map(self, record: SourceRecord, profile: Profile) -> MappedRecord:
        member, warnings = _member(record)
        triples, repairs = _expand(member, record, profile.contexts)
        return _JsonLdRecord(record, profile, warnings + list(repairs)).build(member, triples)


def _fail(record: SourceRecord, message: str, source_path: str = "$", hint: str | None = None) -> MappingError:
    return MappingError(message, feed=record.feed, record=record.source_id, source_path=source_path, hint=hint)


def _member(record: SourceRecord) -> tuple[dict[str, Any], list[str]]:
    if not record.payload or record.payload.isspace():
        raise _fail(record, "the record has no payload")
    try:
        data = orjson.loads(record.payload)
    except orjson.JSONDecodeError as exc:
        raise _fail(record, f"the payload is not valid JSON: {exc}", hint="the partner's feed must be fixed") from exc
    warnings = []
    if isinstance(data, list):
        members = [m for m in data if isinstance(m, dict)]
        if not members:
            raise _fail(record, "the payload is a JSON array without members")
        if len(members) > 1:
            warnings.append(f"the payload holds {len(members)} members; only the first was mapped")
        data = members[0]
    if not isinstance(data, dict):
        raise _fail(record, f"the payload is JSON but no JSON-LD object (it is a {type(data).__name__})")
    return data, warnings


def _expand(
    member: dict[str, Any], record: SourceRecord, contexts: ContextCache | None
) -> tuple[list[Triple], tuple[str, ...]]:
    """The member as RDF triples, its contexts resolved offline by ``contexts``."""
    hint = "add the context files to the context folder (oogst map --contexts DIR, or the contexts_dir setting)"
    if contexts is None:
        raise _fail(record, "no JSON-LD context cache is configured for this feed", "$['@context']", hint)
    try:
        prepared = prepare(member, contexts)
    except ContextError as exc:
        raise _fail(record, f"a JSON-LD context of the member is not available: {exc}", "$['@context']", hint) from exc
    try:
        quads = ox.parse(
            orjson.dumps(prepared.document), format=ox.RdfFormat.JSON_LD, base_iri=_RELATIVE, lenient=True
        )
        triples = [(q.subject, q.predicate, q.object) for q in quads]
    except SyntaxError as exc:
        raise _fail(record, f"the member cannot be read as JSON-LD: {exc}", hint="the partner's feed must be fixed") from exc
    return triples, prepared.repairs


def _iri(value: str) -> str:
    """An expanded IRI made usable: a compact IRI with a known prefix expanded, an http(s)
    IRI cleaned (spaces encoded, Wikidata pages → entities), anything else kept."""
    if not value.startswith(("http://", "https://")) and (match := _COMPACT.match(value)):
        prefix, local = match.groups()
        if prefix in vocab.PREFIXES:
            value = vocab.PREFIXES[prefix] + local.strip()
    return normalize.http_iri(value) or value


def _local_name(predicate: str) -> str:
    local = re.split(r"[/#]", predicate)[-1] or "node"
    match = _CRM_LOCAL.match(local)
    return match.group(1) if match else re.sub(r"[^A-Za-z0-9.]+", "", local) or "node"


class _JsonLdRecord(RecordBuilder):
    def build(self, member: dict[str, Any], triples: list[Triple]) -> MappedRecord:
        main = self._main_subject(member, triples)
        persistent = next(
            (
                _iri(o.value)
                for s, p, o in triples
                if s == main and p.value == _VERSION_OF and isinstance(o, ox.NamedNode)
            ),
            None,
        )
        # A version may describe its object in its own named graph (as oogst's LDES does):
        # the object's statements are then the member's own.
        mains = {main} | {s for s, _, _ in triples if persistent and isinstance(s, ox.NamedNode)
                          and s != main and _iri(s.value) == persistent}
        types = {_iri(o.value) for s, p, o in triples if s in mains and p.value == _RDF_TYPE}
        candidate = persistent or (main.value if isinstance(main, ox.NamedNode) else None)
        if types & _E22_NAMES or not types:
            self.start(candidate)
        else:  # a member that is no object (a concept, a person): it keeps its own types
            self.object_iri = self.minter.object_iri(self.record.source_id, persistent_id=normalize.http_iri(candidate))
            self.object = iri(self.object_iri)
            for kind in sorted(types):
                self.add(self.object, vocab.A, iri(kind))
        names = self._blank_names(main, triples)
        terms: dict[Node, str] = dict.fromkeys(mains, self.object)

        def term(node: Node) -> str:
            found = terms.get(node)
            if found is None:
                if isinstance(node, ox.BlankNode):
                    found = self.node("ld", *names[node])
                elif node.value.startswith(_RELATIVE):  # a relative @id: a node of this record
                    found = self.node("ld", "id", slug(unquote(node.value[len(_RELATIVE) :])))
                else:
                    found = iri(_iri(node.value))
                terms[node] = found
            return found

        rights_nodes = {term(o) for s, p, o in triples if s in mains and _iri(p.value) == _P104}
        has_rights = False
        identifiers: list[Node] = []
        undefined: set[str] = set()
        named = {o for s, p, o in triples if _iri(p.value) in _NAMED_PROPERTIES and not isinstance(o, ox.Literal)}
        named |= {s for s, p, o in triples if p.value in (_DC_TYPE, _RDF_TYPE) and isinstance(o, ox.NamedNode)
                  and _iri(o.value) in _NAMED_TYPES}
        for s, p, o in triples:
            predicate = _iri(p.value)
            if (s in mains and predicate == _RDF_TYPE) or (s == main and predicate in _VERSION_TRIPLES):
                continue  # the record's own resource is typed above; versions → the object
            if predicate == _RDF_TYPE:
                if isinstance(o, ox.NamedNode) and not o.value.startswith(_RELATIVE):
                    kind = _iri(o.value)  # another object than the record's is a physical thing
                    self.add(term(s), vocab.A, iri(vocab.E18 if kind in _E22_NAMES else kind))
                continue
            if not _ABSOLUTE.match(predicate):  # a key no context defines: JSON-LD drops it
                undefined.add(predicate)
                continue
            subject = term(s)
            if isinstance(o, ox.Literal):
                if predicate == _UNIT_TEXT:  # "cm" → also its unit IRI; an IRI is never unit text
                    self.unit(subject, [o.value.strip()] if o.value.strip() else [])
                    continue
                for value, text, lang in self._literal(predicate, o, name=s in named and predicate in _NAME_PROPERTIES):
                    self.add(subject, iri(predicate), text)
                    if subject == self.object and predicate in (_P102, _DC_TITLE):
                        self.titles.append((value, lang or self.profile.language))
                    elif predicate == _P4 and text.endswith(f"<{vocab.EDTF}>"):
                        self.time_span(subject, value)
                continue
            if isinstance(o, ox.NamedNode) and o.value.startswith(_RELATIVE):
                self.add(subject, iri(predicate), self._word(predicate, unquote(o.value[len(_RELATIVE) :])))
                continue
            obj = term(o)
            if predicate == _ROL_AGENT:
                self.add(subject, vocab.A, vocab.CLASS["role"])
            if subject in rights_nodes and predicate == _P2:
                canonical = normalize.rights_uri(_iri(o.value))
                obj = iri(canonical) if canonical else obj
                has_rights |= canonical is not None
            elif subject == self.object and predicate == _IDENTIFIER:
                identifiers.append(o)
            self.add(subject, iri(predicate), obj)
        for key in sorted(undefined):
            self.warn(f"the member uses {key!r}, which no context defines: left out")
        self._object_numbers(triples, identifiers)
        if not has_rights:
            self.default_rights()
        if self.profile.fields:
            self.extra_fields(lambda extra: json_values(member, extra))
        return self.finish(SOURCE_PATHS)

    def _main_subject(self, member: dict[str, Any], triples: list[Triple]) -> Node:
        """The member's own resource: its ``@id``, else the subject nothing points to."""
        member_id = member.get("@id")
        if isinstance(member_id, str):
            wanted = {member_id, _iri(member_id)}
            for s, _, _ in triples:
                if isinstance(s, ox.NamedNode) and (s.value in wanted or _iri(s.value) in wanted):
                    return s
        pointed = {o for _, _, o in triples if not isinstance(o, ox.Literal)}
        for s, _, _ in triples:
            if s not in pointed:
                return s
        if triples:
            return triples[0][0]
        raise _fail(self.record, "the member holds no statements (is its @context right?)")

    @staticmethod
    def _blank_names(main: Node, triples: list[Triple]) -> dict[Node, tuple[str, int]]:
        """A stable, readable name per blank node: the property that first points to it,
        numbered per property in the member's order (``P108i-1``)."""
        names: dict[Node, tuple[str, int]] = {}
        counts: dict[str, int] = {}

        def name(node: Node, via: str) -> None:
            if node not in names:
                counts[via] = counts.get(via, 0) + 1
                names[node] = (via, counts[via])

        for _, p, o in triples:
            if isinstance(o, ox.BlankNode):
                name(o, _local_name(_iri(p.value)))
        for s, _, _ in triples:
            if isinstance(s, ox.BlankNode) and s != main:
                name(s, "node")
        return names

    def _word(self, predicate: str, word: str) -> str:
        """A word where an IRI was due: text of a text property, a number as xsd:decimal,
        else a concept."""
        if predicate in _TEXT_PROPERTIES:
            return lit(word, self.profile.language)
        number = normalize.decimal(word)
        if number is not None:
            return lit(number, datatype=vocab.DECIMAL)
        known = vocab.DIMENSION_TYPES.get(word.casefold()) or self.lookup("type", [word])
        ids = [(known, None)] if known else []
        return self.concept(("word", word), "term", ids, [(word, self.profile.language, True)]) or lit(word)

    def _literal(self, predicate: str, o: ox.Literal, *, name: bool = False) -> Iterator[tuple[str, str, str | None]]:
        """(value, N-Triples term, language) of a literal, normalised; ``name``: an agent's
        or a place's name, which gets no language of its own."""
        value, datatype, language = o.value, o.datatype.value, o.language
        if name and not language:  # a name is in no language, however the context types it
            datatype = _XSD_STRING
        if language or datatype == _LANG_STRING or (datatype == _XSD_STRING and predicate in _FEED_LANGUAGE and not name):
            # a context may type a name or title rdf:langString while the member gives a
            # plain string: text in a language, which the language policy then decides
            text = normalize.text(value, multiline=predicate in _MULTILINE) if predicate in _TEXT_PROPERTIES else value
            if text:
                lang = self.text_language(normalize.language(language) if language else None)
                yield text, lit(text, lang), lang
        elif datatype == _XSD_STRING:
            if normalize.text(value) is not None or not value.strip():  # export debris is left out
                yield value, lit(value), None
        elif datatype == _DATE_TIME:
            fixed, fixed_type = normalize.date_time(value)
            yield fixed, lit(fixed, datatype=fixed_type), None
        elif datatype == vocab.EDTF and (value.strip() in _UNKNOWN_TIMES or normalize.is_placeholder_date(value)):
            self.warn(f"time {value!r} says the date is unknown: left out")
        elif datatype == vocab.EDTF and not normalize.is_edtf(value.strip()):
            fixed = normalize.edtf(value)
            if fixed is None:
                self.warn(f"time {value!r} is not a date (EDTF): kept as it is")
            yield (fixed or value), lit(fixed or value, datatype=vocab.EDTF), None
        elif (predicate != _NOTATION and not datatype.startswith(_DATATYPE_NAMESPACES)
              and (url := normalize.http_iri(value))):
            # a context that types a property with a class (Ghent's isEenheidVan:
            # org:Organization) where it means a node: the IRI stays an IRI
            yield url, iri(url), None
        else:
            yield value, lit(value, datatype=iri(_iri(datatype))[1:-1]), None

    def _object_numbers(self, triples: list[Triple], identifiers: list[Node]) -> None:
        """The object's identifiers (object numbers first): its label when it has no title."""
        notations: dict[Node, list[str]] = {node: [] for node in identifiers}
        typed: set[Node] = set()
        for s, p, o in triples:
            if s not in notations:
                continue
            if p.value == _NOTATION and isinstance(o, ox.Literal):
                notations[s].append(o.value)
            elif p.value == _P2 and isinstance(o, ox.NamedNode) and _iri(o.value) == _OBJECTNUMMER:
                typed.add(s)
        for node in sorted(notations, key=lambda n: n not in typed):
            self.object_numbers.extend(notations[node])


def json_values(member: Any, extra: ExtraField) -> Iterator[tuple[str, str | None]]:
    """The (text, language) values of a profile's extra field (a JSON path) in a member:
    strings and numbers as they are, ``{"@value", "@language"}`` objects, ``{"@id"}``."""
    if extra.json_steps is None:
        return
    level = [member]
    for step in extra.json_steps:
        found: list[Any] = []
        for item in level:
            if step is None:
                found.extend(item if isinstance(item, list) else item.values() if isinstance(item, dict) else [])
            elif isinstance(step, int):
                if isinstance(item, list) and -len(item) <= step < len(item):
                    found.append(item[step])
            else:
                for each in item if isinstance(item, list) else [item]:
                    if isinstance(each, dict) and step in each:
                        found.append(each[step])
        level = found
    for value in level:
        for each in value if isinstance(value, list) else [value]:
            if isinstance(each, dict):
                if "@value" in each:
                    yield str(each["@value"]), each.get("@language")
                elif "@id" in each:
                    yield str(each["@id"]), None
            elif isinstance(each, (str, int, float)) and not isinstance(each, bool):
                yield str(each), None
