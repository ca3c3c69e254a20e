"""DCAT-AP and VoID descriptions of the feeds, as triples: one source for the API and the store.

:class:`Catalogue` builds the description of the catalogue and of each feed's dataset
(``dcat:Dataset`` and ``void:Dataset``: title, data providers as ``dcterms:publisher``, last
update, ``void:entities`` = published records, licences in use, landing page and
distributions: the record API, SPARQL, the event stream (LDES), OAI-PMH and the dumps with
their size and SHA-256). :meth:`Catalogue.void` describes the whole aggregate in VoID
(``/.well-known/void``). ``/datasets`` (``api/datasets.py``) serialises it through the store (a
``CONSTRUCT { … } WHERE {}``); the pipeline writes it, as N-Triples, to the dataset graph of
the system store (``{base}graph/_system/datasets``). Both call the same code, so they
cannot disagree. ``stats`` are ``SearchIndex.feed_stats()`` rows.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import quote, urlencode

from ..iris import DCAT, DCT, FOAF, RDF_TYPE, VOID, XSD, Minter
from ..records import Feed
from ..settings import Settings

JSONLD = "application/ld+json"
SPDX = "http://spdx.org/rdf/terms#"
SPARQL_PROTOCOL = "https://www.w3.org/TR/sparql11-protocol/"
LDES_SPEC = "https://w3id.org/ldes/specification"
OAI_PMH = "http://www.openarchives.org/OAI/2.0/"
_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]*$")


def iri(value: str | None) -> str | None:
    """``<value>`` when it is an absolute IRI, else None."""
    return f"<{value}>" if value and _IRI.match(value) else None


def lit(value: str, *, lang: str | None = None, datatype: str | None = None) -> str:
    """A literal valid both in SPARQL and in N-Triples."""
    text = json.dumps(value, ensure_ascii=False)
    return f"{text}@{lang}" if lang else f"{text}^^<{datatype}>" if datatype else text


class Catalogue:
    """The triples of the catalogue (or of one feed's dataset); ``base_url`` is the API's
    public address (landing pages, distributions, the SPARQL service)."""

    def __init__(self, settings: Settings, base_url: str) -> None:
        self.settings = settings
        self.base_url = base_url.rstrip("/")
        self.triples: list[str] = []

    def add(self, subject: str, predicate: str, obj: str | None) -> None:
        if obj is not None:
            self.triples.append(f"{subject} <{predicate}> {obj} .")

    def catalogue(self, datasets: list[str]) -> str:
        catalogue = f"<{self.base_url}/datasets>"
        service = f"<{self.base_url}/sparql>"
        self.add(catalogue, RDF_TYPE, f"<{DCAT}Catalog>")
        self.add(catalogue, DCT + "title", lit("oogst: Vlaams cultureel erfgoed als linked open data", lang="nl"))
        self.add(catalogue, DCT + "title", lit("oogst: Flemish cultural heritage as linked open data", lang="en"))
        self.add(catalogue, f"{DCAT}service", service)
        self.add(service, RDF_TYPE, f"<{DCAT}DataService>")
        self.add(service, f"{DCAT}endpointURL", service)
        self.add(service, DCT + "conformsTo", "<https://www.w3.org/TR/sparql11-protocol/>")
        for dataset in datasets:
            self.add(catalogue, f"{DCAT}dataset", dataset)
            self.add(service, f"{DCAT}servesDataset", dataset)
        return catalogue

    def dataset(self, feed: Feed, stats: dict[str, Any] | None, last_run: dict[str, Any] | None, *,
                dumps: list[dict[str, Any]] | None = None) -> str:
        stats = stats or {"records": 0, "modified": None, "rights": {}, "providers": []}
        dataset = f"<{Minter(feed.name, self.settings.base_iri).feed_iri()}>"
        records = f"{self.base_url}/records?{urlencode({'feed': feed.name})}"
        self.add(dataset, RDF_TYPE, f"<{DCAT}Dataset>")
        self.add(dataset, DCT + "identifier", lit(feed.name))
        self.add(dataset, DCT + "title", lit(feed.name, lang="nl"))
        self.add(dataset, DCT + "description", lit(
            f"Records van {feed.name}, geoogst via {feed.protocol} ({feed.format}) en omgezet naar OSLO.", lang="nl"))
        self.add(dataset, DCT + "description", lit(
            f"Records of {feed.name}, harvested over {feed.protocol} ({feed.format}) and mapped to OSLO.", lang="en"))
        self.add(dataset, DCT + "source", iri(feed.public_url))
        self.add(dataset, VOID + "entities", lit(str(stats["records"]), datatype=XSD + "integer"))
        modified = stats["modified"] or (last_run or {}).get("finished_at")
        if modified:
            self.add(dataset, DCT + "modified", lit(modified, datatype=XSD + "dateTime"))
        for rights in stats["rights"]:
            self.add(dataset, DCT + "license", iri(rights))
        for i, provider in enumerate(stats["providers"], 1):
            agent = iri(provider["iri"]) or f"_:{feed.name}-provider{i}"
            self.add(dataset, DCT + "publisher", agent)
            self.add(agent, RDF_TYPE, f"<{FOAF}Agent>")
            self.add(agent, FOAF + "name", lit(provider["label"]))
        self.add(dataset, f"{DCAT}landingPage", f"<{self.base_url}/datasets/{quote(feed.name)}>")
        for n, (media, url) in enumerate((("application/json", records), (JSONLD, records))):
            distribution = f"_:{feed.name}-distribution{n}"
            self.add(dataset, f"{DCAT}distribution", distribution)
            self.add(distribution, RDF_TYPE, f"<{DCAT}Distribution>")
            self.add(distribution, f"{DCAT}accessURL", f"<{url}>")
            self.add(distribution, f"{DCAT}mediaType", lit(media))
        self.distributions(dataset, f"_:{feed.name}", feed.name, dumps or [])
        return dataset

    def distributions(self, dataset: str, prefix: str, feed: str | None, dumps: list[dict[str, Any]]) -> None:
        """The ways to get the data beyond the record API: the SPARQL endpoint, the event stream
        (LDES), the OAI-PMH endpoint and the dumps (``dumps``: manifest entries of this dataset)."""
        ldes = f"{self.base_url}/ldes" + (f"/feeds/{quote(feed)}" if feed else "")
        oai = f"{self.base_url}/oai"
        for name, url, media, standard, title in (
                ("sparql", f"{self.base_url}/sparql", "application/sparql-results+json", SPARQL_PROTOCOL,
                 "SPARQL endpoint"),
                ("ldes", ldes, JSONLD, LDES_SPEC, "Linked Data Event Stream (LDES)"),
                ("oai", oai + (f"?verb=ListRecords&metadataPrefix=oai_dc&set={quote(feed)}" if feed else
                               "?verb=Identify"), "text/xml", OAI_PMH, "OAI-PMH")):
            distribution = f"{prefix}-{name}"
            self.add(dataset, f"{DCAT}distribution", distribution)
            self.add(distribution, RDF_TYPE, f"<{DCAT}Distribution>")
            self.add(distribution, DCT + "title", lit(title, lang="en"))
            self.add(distribution, f"{DCAT}accessURL", f"<{url}>")
            self.add(distribution, f"{DCAT}mediaType", lit(media))
            self.add(distribution, DCT + "conformsTo", f"<{standard}>")
            if name == "sparql":
                self.add(distribution, f"{DCAT}accessService", f"<{self.base_url}/sparql>")
        for entry in dumps:
            distribution = f"{prefix}-dump-{entry['format']}"
            url = f"<{self.base_url}/dumps/{quote(entry['name'])}>"
            self.add(dataset, f"{DCAT}distribution", distribution)
            self.add(dataset, VOID + "dataDump", url)
            self.add(distribution, RDF_TYPE, f"<{DCAT}Distribution>")
            self.add(distribution, DCT + "title", lit(f"Dump ({entry['format']}, gzip)", lang="en"))
            self.add(distribution, f"{DCAT}downloadURL", url)
            self.add(distribution, f"{DCAT}accessURL", url)
            self.add(distribution, f"{DCAT}mediaType", lit(entry["media_type"]))
            self.add(distribution, f"{DCAT}compressFormat", lit("application/gzip"))
            self.add(distribution, f"{DCAT}byteSize", lit(str(entry["bytes"]), datatype=XSD + "nonNegativeInteger"))
            self.add(distribution, DCT + "issued", lit(entry["created"], datatype=XSD + "dateTime"))
            checksum = f"{distribution}-checksum"
            self.add(distribution, SPDX + "checksum", checksum)
            self.add(checksum, RDF_TYPE, f"<{SPDX}Checksum>")
            self.add(checksum, SPDX + "algorithm", f"<{SPDX}checksumAlgorithm_sha256>")
            self.add(checksum, SPDX + "checksumValue", lit(entry["sha256"], datatype=XSD + "hexBinary"))

    def void(self, dumps: list[dict[str, Any]], triples: int | None = None) -> str:
        """The VoID description of the whole aggregate: its SPARQL endpoint, its dumps, its
        event stream, and one subset per feed."""
        dataset = f"<{self.base_url}/.well-known/void#oogst>"
        self.add(dataset, RDF_TYPE, f"<{VOID}Dataset>")
        self.add(dataset, RDF_TYPE, f"<{DCAT}Dataset>")
        self.add(dataset, DCT + "title", lit("oogst: Vlaams cultureel erfgoed als linked open data", lang="nl"))
        self.add(dataset, DCT + "title", lit("oogst: Flemish cultural heritage as linked open data", lang="en"))
        self.add(dataset, VOID + "sparqlEndpoint", f"<{self.base_url}/sparql>")
        self.add(dataset, VOID + "rootResource", f"<{self.base_url}/ldes>")
        self.add(dataset, VOID + "uriSpace", lit(self.settings.base_iri))
        self.add(dataset, VOID + "feature", "<http://www.w3.org/ns/formats/N-Quads>")
        self.add(dataset, VOID + "feature", "<http://www.w3.org/ns/formats/JSON-LD>")
        if triples is not None:
            self.add(dataset, VOID + "triples", lit(str(triples), datatype=XSD + "integer"))
        self.distributions(dataset, "_:oogst", None, [d for d in dumps if d.get("feed") is None])
        return dataset

    def subset(self, whole: str, feed: Feed) -> None:
        self.add(whole, VOID + "subset", f"<{Minter(feed.name, self.settings.base_iri).feed_iri()}>")

    def query(self) -> str:
        """The triples as a ``CONSTRUCT … WHERE {}`` for the store to serialise."""
        return "CONSTRUCT {\n" + "\n".join(self.triples) + "\n} WHERE {}"

    def ntriples(self) -> str:
        """The triples as an N-Triples document."""
        return "".join(t + "\n" for t in self.triples)


def feed_description(settings: Settings, base_url: str, feed: Feed, stats: dict[str, Any] | None,
                     last_run: dict[str, Any] | None, dumps: list[dict[str, Any]] | None = None) -> str:
    """Feed ``feed``'s dataset as N-Triples for the dataset graph: the ``/datasets/{name}``
    description, also typed ``void:Dataset`` with its ``void:sparqlEndpoint``."""
    catalogue = Catalogue(settings, base_url)
    dataset = catalogue.dataset(feed, stats, last_run, dumps=dumps)
    catalogue.add(dataset, RDF_TYPE, f"<{VOID}Dataset>")
    catalogue.add(dataset, VOID + "sparqlEndpoint", f"<{catalogue.base_url}/sparql>")
    return catalogue.ntriples()
