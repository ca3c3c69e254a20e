"""Simple Dublin Core (``oai_dc``) → OSLO Cultureel Erfgoed, conservatively.

oai_dc is flat and unqualified, so values are kept as literals unless they are URIs
(``../shared/reference/mappings.md`` §4.4)::

    dc:title        crm:P102_has_title "…"@lang
    dc:description  crm:P3_has_note "…"@lang
    dc:creator      crm:P108i_was_produced_by → E12 crm:P14_carried_out_by agent (the name
                    as skos:prefLabel of an agent minted from it, or the creator's URI)
    dc:contributor  crm:P11_had_participant on that production
    dc:date         crm:P4_has_time-span EDTF of the production (the first date; text that is
                    no date is kept as it is, for the acceptance shapes to flag; the original
                    wording and further dates become crm:P3_has_note), with its first and last
                    day as crm:P82a_begin_of_the_begin / crm:P82b_end_of_the_end
    dc:type         crm:P41i_was_classified_by → E17 crm:P42_assigned: the URI, the DCMI type,
                    or a concept for the words (the AAT concordance, else minted; skos:prefLabel)
    dc:subject      crm:P62_depicts: the URI, or a concept for the words (as dc:type)
    dc:identifier   an image URL → crm:P129i_is_subject_of (the digital object); another
                    http(s) URL → foaf:page; anything else → adms:identifier/skos:notation,
                    the first of them typed as the object number (cest:Waarde_objectnummer).
                    The OAI header identifier is a second adms:identifier.
    dc:publisher    crm:P50_has_current_keeper
    dc:rights       crm:P104_is_subject_to → E30 (crm:P2_has_type rights URI, from a URL or
                    from words such as "Publiek domein"; other text as crm:P3_has_note)
    dc:language     dcterms:language (BCP 47 tag)
    dc:format       dcterms:format (a media type on the digital objects, else on the object)
    dc:coverage     dcterms:coverage "…"@lang
    dc:source       a URI → crm:P70i_is_documented_in; words → dcterms:source "…"@lang
    dc:relation     dcterms:relation: the URI, or "…"@lang

The profile's extra fields are XPaths from ``oai_dc:dc``.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from lxml import etree

from ..records import MappedRecord, SourceRecord
from . import attribution, normalize, vocab
from .builder import RecordBuilder, source_paths
from .ntriples import iri, lit
from .payload import find_root, oai_identifier, xml_values
from .profile import Profile

OAI_DC = "http://www.openarchives.org/OAI/2.0/oai_dc/"
DC = "http://purl.org/dc/elements/1.1/"
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

_ALL_DC = etree.XPath("//oai_dc:dc", namespaces={"oai_dc": OAI_DC}, smart_strings=False)
_IMAGE_PATH = re.compile(r"\.(jpe?g|png|tiff?|gif|webp|jp2)$", re.I)
_IMAGE_HINTS = ("/iiif/", "/full/full/", "/full/max/", "upload.wikimedia.org/")
_MEDIA_TYPE = re.compile(r"^[a-z]+/[a-z0-9.+-]+$")

SOURCE_PATHS = source_paths(
    {
        vocab.P102: "dc:title",
        vocab.P3: "dc:description",
        vocab.IDENTIFIER: "dc:identifier",
        vocab.NOTATION: "dc:identifier",
        vocab.P50: "dc:publisher",
        vocab.P41I: "dc:type",
        vocab.P42: "dc:type",
        vocab.P108I: "dc:creator, dc:date",
        vocab.P14: "dc:creator",
        vocab.P11: "dc:contributor",
        vocab.P4: "dc:date",
        vocab.P62: "dc:subject",
        vocab.P104: "dc:rights",
        vocab.PAGE: "dc:identifier (http URL of the object's web page)",
        vocab.P129I: "dc:identifier (URL of an image)",
        vocab.P70I: "dc:source",
        vocab.DC_SOURCE: "dc:source",
        vocab.DC_RELATION: "dc:relation",
    }
)


# Fields whose values are text in a language (the others are codes, names, identifiers).
_TEXT_FIELDS = frozenset({"title", "description", "subject", "type", "coverage", "source", "relation", "rights",
                          "publisher", "date", "format"})
_PID = re.compile(r"^(ark:/?|doi:|hdl:|urn:nbn:|info:ark/)\S+$", re.I)
_PID_URL = re.compile(r"^https?://(?:[^/]+/ark:/|(?:dx\.)?doi\.org/|hdl\.handle\.net/|n2t\.net/|purl\.org/|"
                      r"nbn-resolving\.(?:org|de)/|persistent-identifier\.nl/|w3id\.org/)", re.I)
_RESOLVERS = {"ark": "https://n2t.net/ark:/", "doi": "https://doi.org/", "hdl": "https://hdl.handle.net/",
              "urn": "https://nbn-resolving.org/urn:", "info": "https://n2t.net/ark:/"}


def persistent_id(value: str) -> str | None:
    """A dc:identifier that is a persistent identifier (an ARK, a handle, a DOI, a PURL, a
    URN:NBN), as an http IRI; None for other identifiers and web pages."""
    url = normalize.http_iri(value)
    if url is not None:
        return url if _PID_URL.match(url) else None
    match = _PID.match(value.strip())
    if match is None:
        return None
    scheme = match.group(1).split(":")[0].casefold().rstrip("/")
    rest = value.strip()[len(match.group(1)):].lstrip("/")
    if scheme == "urn":
        rest = "nbn:" + rest
    return normalize.http_iri(_RESOLVERS[scheme] + rest)


def _is_image_url(url: str) -> bool:
    """Whether an http(s) URL points at an image rather than a web page."""
    return bool(_IMAGE_PATH.search(urlsplit(url).path)) or any(hint in url for hint in _IMAGE_HINTS)


class OaiDcMapper:
    """Maps one ``oai_dc`` record to an OSLO graph."""

    name = "oai_dc"
    root = "oai_dc:dc"  # the source path of the whole record

    def map(self, record: SourceRecord, profile: Profile) -> MappedRecord:
        dc, warnings = find_root(record, "{" + OAI_DC + "}dc", _ALL_DC, "oai_dc:dc")
        return _DcRecord(record, profile, warnings).build(dc)


class _DcRecord(RecordBuilder):
    def build(self, dc: etree._Element) -> MappedRecord:
        fields: dict[str, list[tuple[str, str]]] = {}
        for element in dc.iterchildren("{" + DC + "}*"):
            name = etree.QName(element).localname
            raw = element.text if len(element) == 0 else "".join(element.itertext())
            value = normalize.text(raw, multiline=name == "description")
            if value:
                tag = element.get(_XML_LANG)
                declared = normalize.language(tag) if tag else None
                lang = self.text_language(declared) if name in _TEXT_FIELDS else declared or self.profile.language
                fields.setdefault(name, []).append((value, lang))
        if any(vocab.is_textual(value) for value, _ in fields.get("type", ())):
            self.about = vocab.P129
        # the object's IRI: its persistent identifier (ark, handle, DOI), else minted
        self.start(next((pid for value, _ in fields.get("identifier", ()) if (pid := persistent_id(value))), None))
        for value, lang in fields.get("title", ()):
            self.title(value, lang)
        for value, lang in fields.get("description", ()):
            self.add(self.object, vocab.P3, lit(value, lang))
        digital = self.identifiers(fields.get("identifier", []), oai_identifier(dc) or self.record.source_id)
        self.production(fields.get("creator", []), fields.get("contributor", []), fields.get("date", []))
        for k, (value, lang) in enumerate(fields.get("type", ()), 1):
            url = normalize.http_iri(value)
            dcmi = vocab.DCMI_TYPES.get(value.casefold().replace(" ", ""))
            if known := url or dcmi:
                concept = self.concept(("type", k), "type", [(known, None)], [])
            else:
                concept = self.concept(("type", k), "type", [], [(value, lang, True)])
            if concept:
                node = self.node("classification", k)
                self.add(self.object, vocab.P41I, node)
                self.add(node, vocab.P41, self.object)
                self.add(node, vocab.P42, concept)
        for k, (value, lang) in enumerate(fields.get("subject", ()), 1):
            url = normalize.http_iri(value)
            subject = iri(url) if url else self.concept(("subject", k), "onderwerp", [], [(value, lang, True)])
            if subject:
                self.about_subject(subject)
        for k, (value, lang) in enumerate(fields.get("publisher", ()), 1):
            url = normalize.http_iri(value)
            keeper = self.agent(
                ("keeper", k), [(url, None)] if url else [], [] if url else [(value, lang, True)], may_be_provider=True,
                kind="organisation",
            )
            if keeper:
                self.add(self.object, vocab.P50, keeper)
        if not self.rights(self.node("right", 1), self.object, fields.get("rights", []), []):
            self.default_rights()
        for value, _ in fields.get("language", ()):
            self.add(self.object, vocab.DC_LANGUAGE, lit(normalize.language(value) or value))
        for value, _ in fields.get("format", ()):
            media_type = _MEDIA_TYPE.match(value.casefold())
            for subject in digital if media_type and digital else [self.object]:
                self.add(subject, vocab.DC_FORMAT, lit(value))
        for value, lang in fields.get("coverage", ()):
            self.add(self.object, vocab.DC_COVERAGE, lit(value, lang))
        for value, lang in fields.get("source", ()):
            url = normalize.http_iri(value)
            self.add(self.object, *((vocab.P70I, iri(url)) if url else (vocab.DC_SOURCE, lit(value, lang))))
        for value, lang in fields.get("relation", ()):
            url = normalize.http_iri(value)
            self.add(self.object, vocab.DC_RELATION, iri(url) if url else lit(value, lang))
        if self.profile.fields:
            self.extra_fields(lambda extra: xml_values(dc, extra))
        return self.finish(SOURCE_PATHS)

    def identifiers(self, values: list[tuple[str, str]], oai_id: str) -> list[str]:
        """Web pages, images and identifiers; returns the digital objects (image terms)."""
        digital: list[str] = []
        k = 0
        for n, (value, _) in enumerate(values, 1):
            url = normalize.http_iri(value)
            if url is None and _PID.match(value):
                self.identifier(("pid", n), value)  # an ark, a handle, a DOI: no inventory number
            elif url is None:
                k += 1
                self.object_numbers.append(value)
                # the first plain dc:identifier is the object number (inventory number)
                self.identifier(("dc", k), value, kind=vocab.CEST_OBJECTNUMMER if k == 1 else None)
            elif _is_image_url(url):
                digital.append(iri(url))
                self.add(self.object, vocab.P129I, digital[-1])
            else:
                self.add(self.object, vocab.PAGE, iri(url))
        self.identifier(("oai",), oai_id, agency=self.profile.provider_name)
        return digital

    def production(
        self, creators: list[tuple[str, str]], contributors: list[tuple[str, str]], dates: list[tuple[str, str]]
    ) -> None:
        for value, _ in dates:
            if normalize.is_placeholder_date(value):
                self.warn(f"dc:date {value!r} stands for no date: left out")
        dates = [(value, lang) for value, lang in dates if not normalize.is_placeholder_date(value)]
        if not (creators or contributors or dates):
            return
        node = self.node("production", 1)
        self.add(self.object, vocab.P108I, node)
        self.add(node, vocab.P108, self.object)
        for kind, names in (("creator", creators), ("contributor", contributors)):
            for j, (value, lang) in enumerate(names, 1):
                url = normalize.http_iri(value)
                # a name may carry its qualifier or role: "kopie naar Bruegel", "X (ancien possesseur)"
                name, qualifier, role = (None, None, None) if url else attribution.split_name(value)
                agent = self.agent((kind, j), [(url, None)] if url else [], [] if url else [(name, None, True)])
                if agent:
                    self.credit(node, agent, (kind, j), name=name, qualifier=qualifier, role=role, lang=lang,
                                participant=kind == "contributor")
        if not dates:
            return
        (first, first_lang), *later = dates
        edtf = normalize.edtf(first)
        if edtf is None:
            self.warn(f"dc:date {first!r} is not a date (EDTF): kept as it is")
        self.time_span(node, edtf or first)
        # the original wording when it differs from the EDTF, and any further dates
        for value, lang in ([(first, first_lang)] if edtf not in (None, first) else []) + later:
            self.add(node, vocab.P3, lit(value, lang))
