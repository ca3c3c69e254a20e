"""The OSLO graph of one record while a mapper builds it.

The mappers write the same OSLO patterns (identifier nodes, agents, concepts, places, time
spans, rights); this class writes each pattern once. Every node is typed as the OSLO profile
types it: the class a property's range gives (``vocab.NODE_CLASSES``: a production is an
``crm:E12_Production``, an identifier an ``adms:Identifier``, an AAT term a ``skos:Concept``
…) as the triple is added, and what only the mapper knows (``person:Person`` or
``org:Organization`` beside ``dcterms:Agent``, a concept or place named as a subject) by
the pattern. Only the record's own object is a ``crm:E22_Human-Made_Object``, so that
counting ``?o a crm:E22_Human-Made_Object`` in the public union graph counts objects.

Nested nodes get IRIs under the record's own IRI (``…#production-1``), never blank nodes.
Mappers key nodes, agents and concepts by their *position* in the source (``("actor", 1,
2)``): in multilingual LIDO the same position in each language block is the same thing, so
the first block fixes the IRI and later blocks add their labels to it.

Concept IRIs come, in this order, from the source's own http identifier (AAT preferred), the
feed profile's value maps, the project's AAT concordance (``vocab.aat_concordance``), or are
minted from the local id or the words. Local (non-http) ids of agents and concepts (Adlib
numbers, ISIL codes) are kept as ``adms:identifier`` nodes.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache

from ..records import MappedRecord, SourceRecord
from . import attribution, normalize, vocab
from .ntriples import Triples, iri, lit
from .profile import ExtraField, Profile

# Identifier hosts in order of preference when an agent has several http identifiers.
_AGENT_ID_PREFERENCE = ("wikidata.org/", "viaf.org/", "rkd.nl/")
# Kinds of terms the AAT concordance applies to (not roles, events or periods).
_CONCORDANCE_SCHEMES = frozenset(
    {"objectnaam", "objectcategorie", "classificatie", "materiaal", "techniek", "onderwerp", "type"}
)

# Resolved concepts kept per profile (see Profile.cache) before the cache starts over.
_CACHE_SIZE = 50_000

Labels = Sequence[tuple[str, str | None, bool]]  # (text, language, preferred)
Ids = Sequence[tuple[str, str | None]]  # (identifier, who issued it)


@lru_cache(maxsize=1024)
def _unit_terms(value: str) -> tuple[str | None, str | None]:
    """(unitText term, unitCode term) of a unit's words or IRI: words are text, an IRI never;
    the QUDT unit they name, or another vocabulary's unit IRI (AAT …), is the code."""
    url = normalize.http_iri(value)
    code = vocab.unit_code(url or value) or url
    return (None if url else lit(value)), (iri(code) if code else None)


@lru_cache(maxsize=4096)
def _node_suffix(parts: tuple[str | int, ...]) -> str:
    """``("actor", 1, 2)`` → ``"actor-1-2>"``: the same few keys recur in every record."""
    return "-".join(map(str, parts)) + ">"


class RecordBuilder:
    """Collects the triples, warnings and IRIs of one mapped record."""

    def __init__(self, record: SourceRecord, profile: Profile, warnings: list[str]) -> None:
        self.record = record
        self.profile = profile
        self.minter = profile.minter
        self.warnings = warnings
        self.triples = Triples(vocab.NODE_CLASSES)
        self.add = self.triples.add
        self._memo: dict[tuple[str | int, ...], str | None] = {}
        # "<…/id/object/{feed}/{key}#" — node terms are this plus their name and ">"
        self._node_prefix = iri(self.minter.node_iri(record.source_id))[:-1]
        self.object_iri = ""
        self.object = ""
        self.titles: list[tuple[str, str]] = []
        self.alternatives: list[tuple[str, str]] = []
        self.object_numbers: list[str] = []
        self.defaulted = False  # a text got the feed's language for want of its own
        self.about = vocab.P62  # what the object's subjects are to it: depicted, or (texts) what it is about
        normalize.take_debris()  # start this record's count

    def start(self, persistent_id: str | None) -> None:
        """Fix the object's IRI (the partner's PID if it is an http IRI) and type it."""
        self.object_iri = self.minter.object_iri(self.record.source_id, persistent_id=normalize.http_iri(persistent_id))
        self.object = iri(self.object_iri)
        self.add(self.object, vocab.A, iri(vocab.E22))

    def node(self, *parts: str | int) -> str:
        """The IRI term of a node that belongs to this record (parts are plain names)."""
        return self._node_prefix + _node_suffix(parts)

    def warn(self, message: str) -> None:
        self.warnings.append(message)

    def text_language(self, declared: str | None) -> str:
        """The language of a text: the one the source declares, else the feed's (which is
        then noted in the record's warnings; :func:`~oogst.mapping.ntriples.lit` still
        replaces it when the text's script says otherwise)."""
        if declared:
            return declared
        self.defaulted = True
        return self.profile.language

    def label(self) -> str | None:
        """The title in the feed's language, else the first title, else the object number."""
        if self.titles:
            language = self.profile.language
            return next((t for t, lang in self.titles if lang.split("-")[0] == language), self.titles[0][0])
        return next(iter(self.object_numbers), None)

    # -- patterns --------------------------------------------------------------------------

    def title(self, value: str, lang: str) -> None:
        self.titles.append((value, lang))
        self.add(self.object, vocab.P102, lit(value, lang))

    def unit(self, node: str, texts: Sequence[str], ids: Sequence[str] = ()) -> None:
        """The unit of a dimension: its words as ``schema:unitText`` and the QUDT unit they
        or the given unit IRIs name as ``schema:unitCode``; an IRI is never unit text."""
        for value in (*ids, *texts):
            text, code = _unit_terms(value)
            if text:
                self.add(node, vocab.UNIT_TEXT, text)
            if code:
                self.add(node, vocab.UNIT_CODE, code)

    def about_subject(self, term: str) -> None:
        """A subject of the object: what a visual work depicts (``crm:P62_depicts``); a text,
        document or score carries its content (``crm:P128_carries`` → ``#content``, an
        ``crm:E73_Information_Object``) and the content is about it (``crm:P129_is_about``),
        the same pattern as the Adlib, MODS, qualified DC, EAD and MARC mappers."""
        if self.about is vocab.P62:
            self.add(self.object, vocab.P62, term)
        else:
            content = self.node("content")
            self.add(self.object, vocab.P128, content)
            self.add(content, vocab.P129, term)

    def alternative(self, value: str, lang: str) -> None:
        """An alternative title: ``dcterms:alternative`` (OSLO's pattern for other names),
        apart from the preferred titles (``crm:P102_has_title``), in its own language."""
        self.alternatives.append((value, lang))
        self.add(self.object, vocab.ALTERNATIVE, lit(value, lang))

    def is_aggregator(self, name: str) -> bool:
        """Whether a legal body's name is that of an aggregator (the built-in table and the
        profile's ``aggregators``), which is never the keeper."""
        return vocab.is_aggregator(name) or any(word in name.casefold() for word in self.profile.aggregators)

    def identifier(
        self,
        key: tuple[str | int, ...],
        notation: str,
        agency: str | None = None,
        kind: str | None = None,
        subject: str | None = None,
    ) -> None:
        """``adms:identifier`` → a node with ``skos:notation`` (and who issued it), on the
        object or on ``subject``.

        The first language block states an identifier; later blocks repeat it (with the
        issuer's name in their language, which would give a second ``adms:schemaAgency``)."""
        memo_key = ("identifier", *key)
        if memo_key in self._memo:
            return
        node = self._memo[memo_key] = self.node("identifier", *key)
        self.add(subject or self.object, vocab.IDENTIFIER, node)
        self.add(node, vocab.NOTATION, lit(notation))
        if agency:
            self.add(node, vocab.SCHEMA_AGENCY, lit(agency))
        if kind:
            self.add(node, vocab.P2, kind)

    def _local_ids(self, term: str, key: tuple[str | int, ...], local: Ids) -> None:
        for n, (value, agency) in enumerate(local, 1):
            self.identifier((*key, n), value, agency=agency, subject=term)

    def agent(
        self,
        key: tuple[str | int, ...],
        ids: Ids,
        labels: Labels,
        *,
        may_be_provider: bool = False,
        kind: str | None = None,
        dates: tuple[str | None, str | None] = (None, None),
    ) -> str | None:
        """The IRI term of an agent, labelled with ``labels``.

        The IRI is the agent's http identifier (Wikidata, then VIAF, then RKD, then any);
        for a keeper, the feed's provider IRI when the names agree; else one minted from
        the preferred name. Other http identifiers become ``owl:sameAs``, local ones
        ``adms:identifier``. The agent is a ``dcterms:Agent``, and ``kind`` ("person" /
        "organisation") adds ``person:Person`` / ``org:Organization``;
        ``dates`` (EDTF) are birth and death, or founding and dissolution."""
        term = self._memo.get(key)
        if term is None:
            if key in self._memo:
                return None
            cache = self.profile.cache
            name = next((text for text, _, preferred in labels if preferred), None)
            cache_key = ("agent", tuple(ids), name, may_be_provider, kind, dates)
            resolved = cache.get(cache_key)
            if resolved is None:
                if len(cache) > _CACHE_SIZE:
                    cache.clear()
                resolved = cache[cache_key] = self._resolve_agent(ids, name, may_be_provider, kind, dates)
            term, lines, local = resolved
            self._memo[key] = term
            if term is None:
                return None
            for predicate, obj in lines:
                self.add(term, predicate, obj)
            self._local_ids(term, key, local)
        self._labels(term, labels)
        return term

    def _resolve_agent(
        self, ids: Ids, name: str | None, may_be_provider: bool, kind: str | None, dates: tuple[str | None, str | None]
    ) -> tuple[str | None, tuple[tuple[str, str], ...], tuple[tuple[str, str | None], ...]]:
        """(IRI term, (property, value) statements, local ids) of an agent: the same for
        every record mapped with this profile, so :meth:`agent` keeps it in ``profile.cache``."""
        urls, local = _split_ids(ids)
        chosen = next(
            (url for host in _AGENT_ID_PREFERENCE for url in urls if host in url),
            urls[0] if urls else None,
        )
        if chosen is None and may_be_provider and self._is_provider(name):
            chosen = self.profile.provider_iri
        if chosen is None and name:
            chosen = self.minter.agent_iri(name)
        if chosen is None:
            return None, (), ()
        lines = [(vocab.SAME_AS, iri(url)) for url in urls if url != chosen]
        lines.append((vocab.A, vocab.CLASS["agent"]))
        if kind:
            lines.append((vocab.A, vocab.CLASS[kind]))
        begin, end = dates
        organisation = kind == "organisation"
        if begin:
            lines.append((vocab.FOUNDING_DATE if organisation else vocab.BIRTH_DATE, lit(begin, datatype=vocab.EDTF)))
        if end:
            lines.append((vocab.DISSOLUTION_DATE if organisation else vocab.DEATH_DATE, lit(end, datatype=vocab.EDTF)))
        return iri(chosen), tuple(lines), tuple(local)

    def _is_provider(self, name: str | None) -> bool:
        provider = self.profile.provider_name
        if not self.profile.provider_iri:
            return False
        return provider is None or (name is not None and name.casefold() == provider.casefold())

    def concept(self, key: tuple[str | int, ...], scheme: str, ids: Ids, labels: Labels) -> str | None:
        """The IRI term of a concept of kind ``scheme`` ("materiaal", "rol" …), with labels.

        Its http conceptID (AAT preferred; other http ids become ``skos:exactMatch``), else
        the profile's value map or the AAT concordance for its local id or words, else one
        minted from its local id or its first label."""
        term = self._memo.get(key)
        if term is None:
            if key in self._memo:
                return None
            cache = self.profile.cache
            cache_key = (scheme, tuple(ids), tuple([label[0] for label in labels]))
            resolved = cache.get(cache_key)
            if resolved is None:
                if len(cache) > _CACHE_SIZE:
                    cache.clear()
                resolved = cache[cache_key] = self._resolve_concept(scheme, ids, labels)
            term, matches, local = resolved
            self._memo[key] = term
            if term is None:
                return None
            self.add(term, vocab.A, vocab.CLASS["concept"])
            for match in matches:
                self.add(term, vocab.EXACT_MATCH, match)
            self._local_ids(term, key, local)
        self._labels(term, labels)
        return term

    def _resolve_concept(
        self, scheme: str, ids: Ids, labels: Labels
    ) -> tuple[str | None, tuple[str, ...], tuple[tuple[str, str | None], ...]]:
        """(IRI term, exactMatch terms, local ids) of a concept: the same for every record
        mapped with this profile, so :meth:`concept` keeps it in ``profile.cache``."""
        urls, local = _split_ids(ids)
        chosen = next((url for url in urls if url.startswith(vocab.AAT)), urls[0] if urls else None)
        if chosen is None:
            chosen = self.lookup(scheme, [value for value, _ in local] + [text for text, _, _ in labels])
        if chosen is None:
            words = local[0][0] if local else next((text for text, _, _ in labels), None)
            if words is None:
                return None, (), ()
            chosen = self.minter.concept_iri(scheme, words)
        return iri(chosen), tuple(iri(url) for url in urls if url != chosen), tuple(local)

    def lookup(self, scheme: str, words: Iterable[str]) -> str | None:
        """The concept IRI of local words: the profile's value maps, then the concordance."""
        words = list(words)
        for word in words:
            found = self.profile.lookup(scheme, word)
            if found:
                return found
        if scheme in _CONCORDANCE_SCHEMES:
            concordance = vocab.aat_concordance()
            for word in words:
                found = concordance.get(word.casefold())
                if found:
                    return found
        return None

    def place(
        self, key: tuple[str | int, ...], ids: Ids, labels: Labels, geometry: str | None = None
    ) -> str | None:
        """The IRI term of a place: its http id (TGN, GeoNames …), the profile's value map
        ("plaats"), or one minted from its name; names as ``rdfs:label`` (OSLO *Plaats*),
        ``geometry`` a WKT literal (``locn:geometry``)."""
        term = self._memo.get(key)
        if term is None:
            if key in self._memo:
                return None
            urls = [url for value, _ in ids if (url := normalize.http_iri(value))]
            name = next((text for text, _, _ in labels), None)
            chosen = urls[0] if urls else (self.profile.lookup("plaats", name) if name else None)
            if chosen is None and name:
                chosen = self.minter.place_iri(name)
            if chosen is None:
                self._memo[key] = None
                return None
            term = self._memo[key] = iri(chosen)
            self.add(term, vocab.A, vocab.CLASS["place"])
            for url in urls[1:]:
                self.add(term, vocab.SAME_AS, iri(url))
            self._local_ids(term, key, [(value, agency) for value, agency in ids if not normalize.http_iri(value)])
            if geometry:
                self.add(term, vocab.GEOMETRY, lit(geometry, datatype=vocab.WKT))
        for text, lang, _ in labels:
            self.add(term, vocab.LABEL, lit(text, lang))
        return term

    def _labels(self, term: str, labels: Labels) -> None:
        for text, lang, preferred in labels:
            self.add(term, vocab.PREF_LABEL if preferred else vocab.ALT_LABEL, lit(text, lang))

    def time_span(self, event: str, value: str) -> None:
        """``crm:P4_has_time-span`` as an EDTF literal (the 2021 profile), and, when it is
        EDTF, its first and last possible day as ``crm:P82a_begin_of_the_begin`` and
        ``crm:P82b_end_of_the_end`` (``xsd:date``) on the same event, for range queries. A
        value that is no EDTF is written as it is, for the acceptance shapes to flag."""
        self.add(event, vocab.P4, lit(value, datatype=vocab.EDTF))
        begin, end = normalize.edtf_bounds(value)
        if begin:
            self.add(event, vocab.P82A, lit(begin, datatype=vocab.DATE))
        if end:
            self.add(event, vocab.P82B, lit(end, datatype=vocab.DATE))

    def credit(
        self,
        event: str,
        agent: str,
        key: tuple[str | int, ...],
        *,
        name: str | None = None,
        qualifier: str | None = None,
        role: str | None = None,
        roles: Sequence[str] = (),
        lang: str | None = None,
        production: bool = True,
        participant: bool = False,
    ) -> None:
        """The actor ``agent`` of the event ``event`` as its qualifier and role words mean
        (``attribution.py``): made by, influenced by, by a workshop or circle, attributed to;
        an owner or a person depicted is no participant of the production at all. ``roles``
        are role concept terms (``crm:P14.1_in_the_role_of`` on a ``ce:Rol``); ``name`` the
        actor's name, for a workshop's or circle's label. ``participant``: an actor without a
        role took part (Dublin Core's contributor) rather than made the object."""
        kind = attribution.role_kind(role) if production else "maker"
        if participant and kind == "maker":
            kind = "participant"
        if kind == "owner":
            self.add(self.object, vocab.P51, agent)
            return
        if kind == "depicted":
            self.about_subject(agent)
            return
        meaning = attribution.qualifier_kind(qualifier) if production else None
        words = f"{qualifier} {name}" if qualifier and name and meaning in ("influence", "attributed") else qualifier
        note = lit(words, lang) if words else None
        if qualifier and meaning is None and not attribution.is_known_qualifier(qualifier):
            self.warn(f"attribution qualifier {qualifier!r} is not in the table: the actor is taken as the maker")
        performer = agent
        if meaning == "influence":
            self.add(event, vocab.P15, agent)
            if note:
                self.add(event, vocab.P3, note)
            return
        if meaning == "attributed":
            node = self.node(*key[:-1], "attribution", key[-1])
            self.add(event, vocab.P140I, node)
            self.add(node, vocab.P140, event)
            self.add(node, vocab.P141, agent)
            self.add(node, vocab.P177, lit(vocab.CRM + "P14_carried_out_by", datatype=vocab.XSD + "anyURI"))
            if note:
                self.add(node, vocab.P3, note)
            for concept in roles:
                self.add(node, vocab.P2, concept)
            return
        if meaning in ("workshop", "circle"):
            performer = self.group(meaning, agent, name or "", qualifier or "", lang)
            if meaning == "circle":
                self.add(event, vocab.P15, agent)
        self.add(event, vocab.P11 if kind == "participant" else vocab.P14, performer)
        if roles or (note and meaning is None):
            node = self.node(*key[:-1], "role", key[-1])
            self.add(node, vocab.A, vocab.CLASS["role"])
            self.add(node, vocab.ROL_AGENT, performer)
            self.add(node, vocab.ROL_ACTIVITEIT, event)
            for concept in roles:
                self.add(node, vocab.P14_1, concept)
            if note and meaning is None:
                self.add(node, vocab.P3, note)

    def group(self, kind: str, master: str, name: str, words: str, lang: str | None) -> str:
        """The workshop or circle of ``master`` (an ``crm:E74_Group`` the master is a member
        of), labelled with the partner's words: "atelier van Rubens, Peter Paul"."""
        term = iri(self.minter.agent_iri(f"{kind} {name} {master}"))
        self.add(term, vocab.A, vocab.CLASS["group"])
        self.add(term, vocab.A, vocab.CLASS["agent"])
        self.add(term, vocab.P107, master)
        label = f"{words} {name}".strip() if words else name
        if label:
            self.add(term, vocab.PREF_LABEL, lit(label, lang) if lang else lit(label))
        return term

    def rights(
        self,
        node: str,
        subject: str,
        statements: Sequence[tuple[str, str | None]],
        notes: Sequence[tuple[str, str | None]],
        holder: str | None = None,
    ) -> bool:
        """``crm:P104_is_subject_to`` → an E30 node typed (``crm:P2_has_type``) by the
        rights URI of each statement that is one; other statements and the ``notes``
        (credit lines) become ``crm:P3_has_note``. Statements and notes are (text, lang).
        Returns whether a rights URI was found."""
        uris: list[str] = []
        all_notes = list(notes)
        for text, lang in statements:
            uri = normalize.rights_uri(text)
            if uri:
                uris.append(uri)
            else:
                all_notes.append((text, lang))
        if not (uris or all_notes or holder):
            return False
        self.add(subject, vocab.P104, node)
        for uri in uris:
            self.add(node, vocab.P2, iri(uri))
        for text, lang in all_notes:
            self.add(node, vocab.P3, lit(text, lang))
        if holder:
            self.add(node, vocab.P75I, holder)
        return bool(uris)

    def default_rights(self) -> None:
        """The feed's default rights, for a record that yields no rights URI of its own."""
        if self.profile.default_rights:
            self.rights(self.node("right", "default"), self.object, [(self.profile.default_rights, None)], [])

    def extra_fields(self, values_of: Callable[[ExtraField], Iterable[tuple[str, str | None]]]) -> None:
        """The profile's extra fields: ``values_of(field)`` gives each field's (text,
        language) values in this record; they go on the object as the field's property."""
        for extra in self.profile.fields:
            prop = iri(extra.property)
            for raw, lang in values_of(extra):
                value = normalize.text(raw, multiline=extra.kind == "literal")
                if value is None:
                    continue
                if extra.kind == "iri":
                    url = normalize.http_iri(value)
                    if url is None:
                        self.warn(f"extra field {extra.path}: {value!r} is not an http(s) IRI")
                        continue
                    self.add(self.object, prop, iri(url))
                elif extra.kind == "string":
                    self.add(self.object, prop, lit(value))
                else:
                    self.add(self.object, prop, lit(value, normalize.language(lang) or self.profile.language))

    def finish(self, source_paths: dict[str, str]) -> MappedRecord:
        debris = normalize.take_debris()
        if debris:
            shown = ", ".join(repr(value) for value in dict.fromkeys(debris))
            self.warn(f"left out what is no data but export debris: {shown}")
        if self.defaulted:
            self.warn(f"texts without a language tag were taken to be in the feed's language "
                      f"({self.profile.language}), where their script allows it")
        return MappedRecord(
            source_id=self.record.source_id,
            iri=self.object_iri,
            ntriples=self.triples.text(),
            label=self.label() or self.record.source_id,
            warnings=self.warnings,
            source_paths=source_paths,  # the mapper's constant table, shared (read-only)
        )


def source_paths(by_term: dict[str, str]) -> dict[str, str]:
    """Source paths keyed by N-Triples property terms → keyed by full property IRIs."""
    return {term[1:-1]: path for term, path in by_term.items()}


# Bare numbers that a vocabulary's name makes an IRI: <conceptID lido:source="AAT">300033618</…>.
_BARE_IDS = {
    "aat": "http://vocab.getty.edu/aat/", "getty aat": "http://vocab.getty.edu/aat/",
    "tgn": "http://vocab.getty.edu/tgn/", "ulan": "http://vocab.getty.edu/ulan/", "viaf": "http://viaf.org/viaf/",
    "wikidata": "http://www.wikidata.org/entity/", "geonames": "http://sws.geonames.org/",
    "iconclass": "http://iconclass.org/",
}
_BARE_ID = re.compile(r"^(?:[QPL]\d+|\d+|[0-9][0-9A-Z()+.: ]*)$")


def _split_ids(ids: Ids) -> tuple[list[str], list[tuple[str, str | None]]]:
    """The http(s) identifiers (normalised) and the local ones (with their issuer); a bare
    number issued by a known vocabulary (AAT, TGN, ULAN, VIAF, Wikidata, GeoNames,
    Iconclass) is that vocabulary's IRI."""
    urls: list[str] = []
    local: list[tuple[str, str | None]] = []
    for value, agency in ids:
        if agency and (base := _BARE_IDS.get(agency.strip().casefold())) and _BARE_ID.match(value):
            value = base + (value.upper() if base.startswith("http://www.wikidata") else value).replace(" ", "%20")
        url = normalize.http_iri(value)
        if url:
            urls.append(url)
        else:
            local.append((value, agency))
    return urls, local
