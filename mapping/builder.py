"""The OSLO graph of one record while a mapper builds it.

Both mappers write the same OSLO patterns (identifier nodes, agents, concepts, rights); this
class writes each pattern once. Only the heritage object gets an ``rdf:type``: the class of
every other node follows from the property that points to it (see
:func:`oogst.shapes.materialise.materialise_types`), so that the public union graph counts
one typed resource per published object.

Nested nodes get IRIs under the object's own IRI (``…#production-1``), never blank nodes.
Mappers key nodes, agents and concepts by their *position* in the source (``("actor", 1,
2)``): in multilingual LIDO the same position in each language block is the same thing, so
the first block fixes the IRI and later blocks add their labels to it.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..records import MappedRecord, SourceRecord
from . import normalize, vocab
from .ntriples import Triples, iri, lit
from .profile import Profile

# Identifier hosts in order of preference when an agent has several http identifiers.
_AGENT_ID_PREFERENCE = ("wikidata.org/", "viaf.org/", "rkd.nl/")


class RecordBuilder:
    """Collects the triples, warnings and IRIs of one mapped record."""

    def __init__(self, record: SourceRecord, profile: Profile, warnings: list[str]) -> None:
        self.record = record
        self.profile = profile
        self.minter = profile.minter
        self.warnings = warnings
        self.triples = Triples()
        self.add = self.triples.add
        self._memo: dict[tuple[str | int, ...], str] = {}
        self.object_iri = ""
        self.object = ""
        self.titles: list[tuple[str, str]] = []
        self.object_numbers: list[str] = []

    def start(self, persistent_id: str | None) -> None:
        """Fix the object's IRI (the partner's PID if it is an http IRI) and type it."""
        self.object_iri = self.minter.object_iri(self.record.source_id, persistent_id=normalize.http_iri(persistent_id))
        self.object = iri(self.object_iri)
        self.add(self.object, vocab.A, iri(vocab.E22))

    def node(self, *parts: str | int) -> str:
        """The IRI term of a node that belongs to this record."""
        return iri(self.minter.node_iri(self.record.source_id, *parts))

    def warn(self, message: str) -> None:
        self.warnings.append(message)

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

    def identifier(
        self, key: tuple[str | int, ...], notation: str, agency: str | None = None, kind: str | None = None
    ) -> None:
        """``adms:identifier`` → a node with ``skos:notation`` (and who issued it).

        The first language block states an identifier; later blocks repeat it (with the
        issuer's name in their language, which would give a second ``adms:schemaAgency``)."""
        memo_key = ("identifier", *key)
        if memo_key in self._memo:
            return
        node = self._memo[memo_key] = self.node("identifier", *key)
        self.add(self.object, vocab.IDENTIFIER, node)
        self.add(node, vocab.NOTATION, lit(notation))
        if agency:
            self.add(node, vocab.SCHEMA_AGENCY, lit(agency))
        if kind:
            self.add(node, vocab.P2, kind)

    def agent(
        self,
        key: tuple[str | int, ...],
        ids: list[str],
        labels: Sequence[tuple[str, str | None, bool]],
        *,
        may_be_provider: bool = False,
    ) -> str | None:
        """The IRI term of an agent, labelled with ``labels`` (text, lang, preferred).

        The IRI is the agent's http identifier (Wikidata, then VIAF, then RKD, then any);
        for a keeper, the feed's provider IRI when the names agree; else one minted from
        the preferred name. Other http identifiers become ``owl:sameAs``."""
        term = self._memo.get(key)
        if term is None:
            name = next((text for text, _, preferred in labels if preferred), None)
            urls = [url for url in map(normalize.http_iri, ids) if url]
            chosen = next(
                (url for host in _AGENT_ID_PREFERENCE for url in urls if host in url),
                urls[0] if urls else None,
            )
            if chosen is None and may_be_provider and self._is_provider(name):
                chosen = self.profile.provider_iri
            if chosen is None and name:
                chosen = self.minter.agent_iri(name)
            if chosen is None:
                return None
            term = self._memo[key] = iri(chosen)
            for url in urls:
                if url != chosen:
                    self.add(term, vocab.SAME_AS, iri(url))
        self._labels(term, labels)
        return term

    def _is_provider(self, name: str | None) -> bool:
        provider = self.profile.provider_name
        if not self.profile.provider_iri:
            return False
        return provider is None or (name is not None and name.casefold() == provider.casefold())

    def concept(
        self, key: tuple[str | int, ...], scheme: str, ids: list[str], labels: Sequence[tuple[str, str | None, bool]]
    ) -> str | None:
        """The IRI term of a concept: its http conceptID (AAT preferred), else one minted
        from its local id or its first label; ``labels`` are (text, lang, preferred)."""
        term = self._memo.get(key)
        if term is None:
            urls = [url for url in map(normalize.http_iri, ids) if url]
            chosen = next((url for url in urls if url.startswith(vocab.AAT)), urls[0] if urls else None)
            if chosen is None:
                local = next((i for i in ids if i and not normalize.http_iri(i)), None)
                words = local or next((text for text, _, _ in labels), None)
                if words is None:
                    return None
                chosen = self.minter.concept_iri(scheme, words)
            term = self._memo[key] = iri(chosen)
        self._labels(term, labels)
        return term

    def _labels(self, term: str, labels: Sequence[tuple[str, str | None, bool]]) -> None:
        for text, lang, preferred in labels:
            self.add(term, vocab.PREF_LABEL if preferred else vocab.ALT_LABEL, lit(text, lang))

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

    def finish(self, source_paths: dict[str, str]) -> MappedRecord:
        return MappedRecord(
            source_id=self.record.source_id,
            iri=self.object_iri,
            ntriples=self.triples.text(),
            label=self.label() or self.record.source_id,
            warnings=self.warnings,
            source_paths=dict(source_paths),
        )


def source_paths(by_term: dict[str, str]) -> dict[str, str]:
    """Source paths keyed by N-Triples property terms → keyed by full property IRIs."""
    return {term[1:-1]: path for term, path in by_term.items()}
