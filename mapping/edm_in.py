"""EDM (Europeana Data Model, as providers deliver it) → OSLO Cultureel Erfgoed.

For partners that already deliver EDM: the reverse of the OSLO → EDM crosswalk of
``../shared/reference/mappings.md`` §4.6, kept conservative: IRIs stay IRIs, other values
stay literals with their language, nothing is guessed that EDM does not say::

    edm:ProvidedCHO     the object: its IRI when it is http(s), else minted (a URN or a
                        relative id is kept as an adms:identifier)
    dc:title, dcterms:alternative  crm:P102_has_title "…"@lang
    dc:description      crm:P3_has_note "…"@lang
    dc:identifier       adms:identifier / skos:notation (the first typed as object number)
    dc:type             crm:P41i_was_classified_by → E17 crm:P42_assigned (IRI, or a concept
                        for the words: the AAT concordance, else minted)
    edm:type            crm:P2_has_type the DCMI type (IMAGE → dcmitype:Image …)
    dc:subject          crm:P62_depicts (IRI or concept)
    dc:creator          crm:P108i_was_produced_by → E12 crm:P14_carried_out_by (an edm:Agent's
                        IRI with its skos:prefLabel, rdaGr2 dates and owl:sameAs; or a name)
    dc:contributor      crm:P11_had_participant on that production
    dcterms:created     the production's crm:P4_has_time-span EDTF (an edm:TimeSpan's
                        edm:begin/edm:end; else dc:date, else dcterms:issued), with P82a/P82b
    dcterms:medium      crm:P45_consists_of (IRI or concept)
    dcterms:extent      crm:P43_has_dimension → E54 with the text as crm:P3_has_note
    dcterms:isPartOf    crm:P46i_forms_part_of (IRI) / dcterms:isPartOf "…"
    dcterms:hasPart     crm:P46_is_composed_of (IRI) / dcterms:relation "…"
    dcterms:provenance  crm:P24i_changed_ownership_through → E8 with crm:P3_has_note
    edm:currentLocation crm:P55_has_current_location
    dc:language, dc:format, dc:coverage, dcterms:spatial, dcterms:temporal, dc:relation,
    dc:source, dc:publisher  kept as their dcterms counterparts (dc:source as for oai_dc)
    ore:Aggregation     edm:dataProvider → crm:P50_has_current_keeper; edm:isShownAt →
                        foaf:page; edm:isShownBy, edm:object, edm:hasView →
                        crm:P129i_is_subject_of; edm:rights → crm:P104_is_subject_to → E30
                        (dc:rights of the CHO as its notes)
    edm:WebResource     its edm:rights on the digital object; dc:format as dcterms:format
    skos:Concept, edm:Place  their skos:prefLabel / altLabel (places as rdfs:label)

A payload is an ``rdf:RDF`` document (bare, or inside an OAI-PMH record); one with more
than one edm:ProvidedCHO maps the first and says so.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

import pyoxigraph
from lxml import etree

from ..errors import MappingError
from ..records import MappedRecord, SourceRecord
from . import attribution, normalize, vocab
from .builder import RecordBuilder, source_paths
from .ntriples import iri, lit
from .payload import find_root, xml_values
from .profile import Profile

EDM = "http://www.europeana.eu/schemas/edm/"
ORE = "http://www.openarchives.org/ore/terms/"
DC = "http://purl.org/dc/elements/1.1/"
DCT = vocab.DCTERMS
SKOS = vocab.SKOS
RDA = "http://rdvocab.info/ElementsGr2/"
_RDF_TYPE = vocab.RDF + "type"
# Relative rdf:about values resolve against this base and are recognised as not http.
_RELATIVE = "http://relative.oogst.invalid/"
_ALL_RDF = etree.XPath("//rdf:RDF", namespaces={"rdf": vocab.RDF}, smart_strings=False)
_ALL_CHO = etree.XPath("//edm:ProvidedCHO", namespaces={"edm": EDM}, smart_strings=False)

SOURCE_PATHS = source_paths(
    {
        vocab.P102: "edm:ProvidedCHO/dc:title",
        vocab.P3: "edm:ProvidedCHO/dc:description",
        vocab.IDENTIFIER: "edm:ProvidedCHO/dc:identifier",
        vocab.NOTATION: "edm:ProvidedCHO/dc:identifier",
        vocab.P50: "ore:Aggregation/edm:dataProvider",
        vocab.P41I: "edm:ProvidedCHO/dc:type",
        vocab.P108I: "edm:ProvidedCHO/dc:creator, dcterms:created",
        vocab.P14: "edm:ProvidedCHO/dc:creator",
        vocab.P4: "edm:ProvidedCHO/dcterms:created",
        vocab.P62: "edm:ProvidedCHO/dc:subject",
        vocab.P45: "edm:ProvidedCHO/dcterms:medium",
        vocab.P104: "ore:Aggregation/edm:rights",
        vocab.PAGE: "ore:Aggregation/edm:isShownAt",
        vocab.P129I: "ore:Aggregation/edm:isShownBy",
    }
)

Term = pyoxigraph.NamedNode | pyoxigraph.BlankNode | pyoxigraph.Literal
# What a proxy says about itself, not about the object.
_PROXY_ONLY = frozenset({ORE + "proxyFor", ORE + "proxyIn", EDM + "europeanaProxy", _RDF_TYPE, ORE + "lineage"})


class EdmMapper:
    """Maps one EDM record (``rdf:RDF`` with an ``edm:ProvidedCHO``) to an OSLO graph."""

    name = "edm"
    root = "rdf:RDF"  # the source path of the whole record

    def map(self, record: SourceRecord, profile: Profile) -> MappedRecord:
        rdf, warnings = find_root(record, "{" + vocab.RDF + "}RDF", _ALL_RDF, "rdf:RDF")
        try:
            triples = list(
                pyoxigraph.parse(etree.tostring(rdf), format=pyoxigraph.RdfFormat.RDF_XML, base_iri=_RELATIVE, lenient=True)
            )
        except SyntaxError as exc:
            raise MappingError(
                f"the payload is not valid RDF/XML: {exc}",
                feed=record.feed,
                record=record.source_id,
                source_path="rdf:RDF",
                hint="the partner's EDM export must be fixed",
            ) from exc
        return _EdmRecord(record, profile, warnings).build(rdf, triples)


class _Graph:
    """The parsed record: values by subject and property."""

    def __init__(self, triples: Iterable[pyoxigraph.Triple]) -> None:
        self.values: dict[Term, dict[str, list[Term]]] = defaultdict(lambda: defaultdict(list))
        self.by_type: dict[str, list[Term]] = defaultdict(list)
        for triple in triples:
            predicate = triple.predicate.value
            self.values[triple.subject][predicate].append(triple.object)
            if predicate == _RDF_TYPE:
                self.by_type[triple.object.value].append(triple.subject)

    def get(self, subject: Term, predicate: str) -> list[Term]:
        found = self.values.get(subject)
        return found.get(predicate, []) if found else []

    def types(self, subject: Term) -> set[str]:
        return {o.value for o in self.get(subject, _RDF_TYPE)}


def _http(term: Term) -> str | None:
    """The term's http(s) IRI (cleaned), or None: literals, blank nodes, URNs and relative ids."""
    if not isinstance(term, pyoxigraph.NamedNode) or term.value.startswith(_RELATIVE):
        return None
    return normalize.http_iri(term.value)


def _words(term: Term) -> str | None:
    return normalize.text(term.value) if isinstance(term, pyoxigraph.Literal) else None


class _EdmRecord(RecordBuilder):
    def build(self, rdf: etree._Element, triples: list[pyoxigraph.Triple]) -> MappedRecord:
        graph = self.graph = _Graph(triples)
        chos = graph.by_type.get(EDM + "ProvidedCHO", [])
        if not chos:
            raise MappingError(
                "the payload holds no edm:ProvidedCHO",
                feed=self.record.feed,
                record=self.record.source_id,
                source_path="edm:ProvidedCHO",
                hint=f"is the feed's format {self.record.format!r} right?",
            )
        if len(chos) > 1:
            self.warn(f"the payload holds {len(chos)} edm:ProvidedCHO; only the first was mapped")
        cho = chos[0]
        self.merge_proxies(cho)
        if any(vocab.is_textual(value.value) for value in graph.get(cho, EDM + "type") + graph.get(cho, DC + "type")):
            self.about = vocab.P129
        self.start(_http(cho))
        if _http(cho) is None and isinstance(cho, pyoxigraph.NamedNode):
            self.identifier(("cho",), cho.value.removeprefix(_RELATIVE))
        lang = self.profile.language
        self.texts(cho, lang)
        self.classify(cho, lang)
        self.produce(cho)
        self.relations(cho, lang)
        aggregations = [s for s in graph.by_type.get(ORE + "Aggregation", []) if cho in graph.get(s, EDM + "aggregatedCHO")]
        has_rights = False
        for k, aggregation in enumerate(aggregations or graph.by_type.get(ORE + "Aggregation", [])[:1], 1):
            has_rights |= self.aggregation(aggregation, cho, k, lang)
        if not has_rights:
            self.default_rights()
        if self.profile.fields:
            element = next(iter(_ALL_CHO(rdf)), rdf)
            self.extra_fields(lambda extra: xml_values(element, extra))
        return self.finish(SOURCE_PATHS)

    # -- proxies ---------------------------------------------------------------------------

    def merge_proxies(self, cho: Term) -> None:
        """What the record says about the object: the CHO and its provider proxies (EDM as
        Europeana holds it carries the data on an ``ore:Proxy`` of the provider, the CHO
        itself stays empty). The Europeana proxy's enrichments are kept apart: they count
        only for a property that the provider says nothing about (docs/mapping.md, "EDM")."""
        graph = self.graph
        proxies = [p for p in graph.by_type.get(ORE + "Proxy", []) if cho in graph.get(p, ORE + "proxyFor")
                   or len(graph.by_type.get(EDM + "ProvidedCHO", [])) == 1]
        if not proxies:
            return
        europeana = {EDM + "EuropeanaAggregation"}
        enrichments = [p for p in proxies
                       if any(_words(v) == "true" for v in graph.get(p, EDM + "europeanaProxy"))
                       or any(graph.types(a) & europeana for a in graph.get(p, ORE + "proxyIn"))
                       or "/proxy/europeana/" in p.value]
        provider = [p for p in proxies if p not in enrichments]
        merged: dict[str, list[Term]] = {k: list(v) for k, v in graph.values.get(cho, {}).items()}
        for source in provider:
            for predicate, values in graph.values.get(source, {}).items():
                if predicate not in _PROXY_ONLY:
                    found = merged.setdefault(predicate, [])
                    found += [v for v in values if v not in found]
        for source in enrichments:
            for predicate, values in graph.values.get(source, {}).items():
                if predicate not in _PROXY_ONLY and not merged.get(predicate):
                    merged[predicate] = list(values)
        graph.values[cho] = defaultdict(list, merged)

    # -- the CHO -------------------------------------------------------------------------

    def literals(self, subject: Term, predicate: str, lang: str, *, multiline: bool = False) -> list[tuple[str, str]]:
        """(text, language) of the literal values of ``predicate``; a text without a
        language gets the feed's (:meth:`text_language`)."""
        out = []
        for value in self.graph.get(subject, predicate):
            if isinstance(value, pyoxigraph.Literal) and (text := normalize.text(value.value, multiline=multiline)):
                out.append((text, self.text_language(normalize.language(value.language) if value.language else None)))
        return out

    def texts(self, cho: Term, lang: str) -> None:
        for text, language in self.literals(cho, DC + "title", lang):
            self.title(text, language)
        for text, language in self.literals(cho, DCT + "alternative", lang):
            self.alternative(text, language)
        if not self.titles and self.alternatives:
            self.title(*self.alternatives[0])
        for text, language in self.literals(cho, DC + "description", lang, multiline=True):
            self.add(self.object, vocab.P3, lit(text, language))
        k = 0
        for value in self.graph.get(cho, DC + "identifier"):
            notation = _words(value) or value.value
            k += 1
            self.object_numbers.append(notation)
            self.identifier(("dc", k), notation, kind=vocab.CEST_OBJECTNUMMER if k == 1 else None)

    def concept_of(self, key: tuple[str | int, ...], scheme: str, value: Term, lang: str) -> str | None:
        """An IRI value with the labels the record gives it, or a concept for a word."""
        url = _http(value)
        if url:
            return self.concept(key, scheme, [(url, None)], self.labels(value, lang))
        words = _words(value)
        if words is None:
            return None
        language = normalize.language(value.language) if value.language else lang
        return self.concept(key, scheme, [], [(words, language or lang, True)])

    def labels(self, subject: Term, lang: str) -> list[tuple[str, str | None, bool]]:
        preferred = [(t, lg, True) for t, lg in self.literals(subject, SKOS + "prefLabel", lang)]
        return preferred + [(t, lg, False) for t, lg in self.literals(subject, SKOS + "altLabel", lang)]

    def classify(self, cho: Term, lang: str) -> None:
        for k, value in enumerate(self.graph.get(cho, DC + "type"), 1):
            concept = self.concept_of(("type", k), "type", value, lang)
            if concept:
                node = self.node("classification", k)
                self.add(self.object, vocab.P41I, node)
                self.add(node, vocab.P41, self.object)
                self.add(node, vocab.P42, concept)
        for value in self.graph.get(cho, EDM + "type"):
            dcmi = vocab.EDM_TYPES.get(value.value.strip().upper())
            if dcmi:
                self.add(self.object, vocab.P2, iri(dcmi))
        for k, value in enumerate(self.graph.get(cho, DC + "subject"), 1):
            concept = self.concept_of(("subject", k), "onderwerp", value, lang)
            if concept:
                self.about_subject(concept)
        for k, value in enumerate(self.graph.get(cho, DCT + "medium"), 1):
            concept = self.concept_of(("medium", k), "materiaal", value, lang)
            if concept:
                self.add(self.object, vocab.P45, concept)

    def agent_of(self, key: tuple[str | int, ...], value: Term, lang: str, words: str | None = None) -> str | None:
        url = _http(value)
        if url is None:
            words = words or _words(value)
            return self.agent(key, [], [(words, None, True)]) if words else None
        dates = tuple(
            next((normalize.edtf(t) for t, _ in self.literals(value, RDA + name, lang)), None)
            for name in ("dateOfBirth", "dateOfDeath")
        )
        same = [(same_as.value, None) for same_as in self.graph.get(value, vocab.OWL + "sameAs")]
        return self.agent(key, [(url, None), *same], self.labels(value, lang), dates=dates)

    def produce(self, cho: Term) -> None:
        lang = self.profile.language
        creators = self.graph.get(cho, DC + "creator")
        contributors = self.graph.get(cho, DC + "contributor")
        created = (
            self.graph.get(cho, DCT + "created") or self.graph.get(cho, DC + "date") or self.graph.get(cho, DCT + "issued")
            or self.graph.get(cho, EDM + "year")
        )
        if not (creators or contributors or created):
            return
        node = self.node("production", 1)
        self.add(self.object, vocab.P108I, node)
        self.add(node, vocab.P108, self.object)
        for kind, values in (("creator", creators), ("contributor", contributors)):
            for j, value in enumerate(values, 1):
                # a name may carry its qualifier or role: "kopie naar Bruegel", "X (ancien possesseur)"
                name, qualifier, role = attribution.split_name(words) if (words := _words(value)) else (None, None, None)
                agent = self.agent_of((kind, j), value, lang, name)
                if agent:
                    self.credit(node, agent, (kind, j), name=name, qualifier=qualifier, role=role,
                                lang=self.profile.language, participant=kind == "contributor")
        for k, value in enumerate(created):
            span = self.time_of(value, lang, note_on=node)
            if span and k == 0:
                self.time_span(node, span)

    def time_of(self, value: Term, lang: str, note_on: str) -> str | None:
        """A date as EDTF: a literal read as a date, or an edm:TimeSpan's begin/end; the
        words as given become a note on ``note_on``."""
        if isinstance(value, pyoxigraph.Literal):
            words = normalize.text(value.value)
            if not words:
                return None
            if normalize.is_placeholder_date(words):
                self.warn(f"the date {words!r} stands for no date: left out")
                return None
            edtf = normalize.edtf(words)
            if edtf != words:
                self.add(note_on, vocab.P3, lit(words, normalize.language(value.language) or lang))
            if edtf is None:
                self.warn(f"the date {words!r} is not a date (EDTF): kept as a note")
            return edtf
        begin = next((normalize.edtf(t) for t, _ in self.literals(value, EDM + "begin", lang)), None)
        end = next((normalize.edtf(t) for t, _ in self.literals(value, EDM + "end", lang)), None)
        for text, language in self.literals(value, SKOS + "prefLabel", lang):
            self.add(note_on, vocab.P3, lit(text, language))
        if begin and end:
            return begin if begin == end else f"{begin.split('/')[0]}/{end.split('/')[-1]}"
        return begin or end

    def relations(self, cho: Term, lang: str) -> None:
        graph = self.graph
        for k, value in enumerate(graph.get(cho, DCT + "extent"), 1):
            if words := _words(value):
                node = self.node("dimension", k)
                self.add(self.object, vocab.P43, node)
                self.add(node, vocab.P3, lit(words, normalize.language(value.language) or lang))
        for predicate, to_iri, to_text in (
            (DCT + "isPartOf", vocab.P46I, vocab.DC_IS_PART_OF),
            (DCT + "hasPart", vocab.P46, vocab.DC_RELATION),
            (DC + "relation", vocab.DC_RELATION, vocab.DC_RELATION),
            (DC + "source", vocab.P70I, vocab.DC_SOURCE),
            (DCT + "spatial", vocab.DC_SPATIAL, vocab.DC_SPATIAL),
            (DCT + "temporal", vocab.DC_TEMPORAL, vocab.DC_TEMPORAL),
            (DC + "coverage", vocab.DC_COVERAGE, vocab.DC_COVERAGE),
            (DC + "format", vocab.DC_FORMAT, vocab.DC_FORMAT),
            (DC + "publisher", iri(DCT + "publisher"), iri(DCT + "publisher")),
            (EDM + "currentLocation", vocab.P55, iri(DCT + "spatial")),
            (vocab.OWL + "sameAs", vocab.SAME_AS, None),
        ):
            for value in graph.get(cho, predicate):
                url = _http(value)
                if url:
                    self.add(self.object, to_iri, iri(url))
                    for text, language in self.literals(value, SKOS + "prefLabel", lang):
                        self.add(iri(url), vocab.LABEL, lit(text, language))
                elif to_text and (words := _words(value)):
                    self.add(self.object, to_text, lit(words, normalize.language(value.language) or lang))
        for value in graph.get(cho, DC + "language"):
            if words := _words(value):
                self.add(self.object, vocab.DC_LANGUAGE, lit(normalize.language(words) or words))
        for k, value in enumerate(graph.get(cho, DCT + "provenance"), 1):
            if words := _words(value):
                node = self.node("acquisition", k)
                self.add(self.object, vocab.P24I, node)
                self.add(node, vocab.P24, self.object)
                self.add(node, vocab.P3, lit(words, normalize.language(value.language) or lang))

    # -- the aggregation -------------------------------------------------------------------

    def aggregation(self, aggregation: Term, cho: Term, k: int, lang: str) -> bool:
        """Keeper, landing page, digital objects and rights; returns whether the object's
        rights have a URI."""
        graph = self.graph
        for j, value in enumerate(graph.get(aggregation, EDM + "dataProvider"), 1):
            url = _http(value)
            if url:
                keeper = self.agent(("keeper", k, j), [(url, None)], self.labels(value, lang), may_be_provider=True, kind="organisation")
            elif words := _words(value):
                language = normalize.language(value.language) if value.language else lang
                keeper = self.agent(("keeper", k, j), [], [(words, language or lang, True)], may_be_provider=True, kind="organisation")
            else:
                keeper = None
            if keeper:
                self.add(self.object, vocab.P50, keeper)
        for value in graph.get(aggregation, EDM + "isShownAt"):
            if url := _http(value):
                self.add(self.object, vocab.PAGE, iri(url))
        seen: set[str] = set()
        for predicate in (EDM + "isShownBy", EDM + "object", EDM + "hasView"):
            for value in graph.get(aggregation, predicate):
                url = _http(value)
                if url is None or url in seen:
                    continue
                seen.add(url)
                digital = iri(url)
                self.add(self.object, vocab.P129I, digital)
                for media in graph.get(value, DC + "format") + graph.get(value, "http://www.ebu.ch/metadata/ontologies/ebucore/ebucore#hasMimeType"):
                    if words := _words(media):
                        self.add(digital, vocab.DC_FORMAT, lit(words))
                statements = [(r.value, None) for r in graph.get(value, EDM + "rights")]
                self.rights(self.node("resource", len(seen), "right"), digital, statements, [])
        statements = [(r.value, None) for r in graph.get(aggregation, EDM + "rights")]
        notes = [(text, language) for text, language in self.literals(cho, DC + "rights", lang)]
        return self.rights(self.node("right", k), self.object, statements, notes)
