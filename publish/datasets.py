"""DCAT-AP and VoID descriptions of the feeds, as triples: one source for the API and the store.

:class:`Catalogue` builds the description of the catalogue and of each feed's dataset
(``dcat:Dataset`` and ``void:Dataset``: title, data providers as ``dcterms:publisher``, last
update, ``void:entities`` = published records, licences in use, landing page and
distributions). ``/datasets`` (``api/datasets.py``) serialises it through the store (a
``CONSTRUCT { … } WHERE {}``); the pipeline writes it, as N-Triples, to the dataset graph of
the system store (``{base}graph/_system/datasets``). Both call the same code, so they
cannot disagree. ``stats`` are ``SearchIndex.feed_stats()`` rows.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import urlencode

from ..iris import DCAT, DCT, FOAF, RDF_TYPE, VOID, XSD, Minter
from ..records import Feed
from ..settings import Settings

JSONLD = "application/ld+json"
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

    def dataset(self, feed: Feed, stats: dict[str, Any] | None, last_run: dict[str, Any] | None) -> str:
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
        self.add(dataset, DCT + "source", iri(feed.url))
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
        self.add(dataset, f"{DCAT}landingPage", f"<{records}&format=html>")
        for n, (media, url) in enumerate((("application/json", records), (JSONLD, records))):
            distribution = f"_:{feed.name}-distribution{n}"
            self.add(dataset, f"{DCAT}distribution", distribution)
            self.add(distribution, RDF_TYPE, f"<{DCAT}Distribution>")
            self.add(distribution, f"{DCAT}accessURL", f"<{url}>")
            self.add(distribution, f"{DCAT}mediaType", lit(media))
        return dataset

    def query(self) -> str:
        """The triples as a ``CONSTRUCT … WHERE {}`` for the store to serialise."""
        return "CONSTRUCT {\n" + "\n".join(self.triples) + "\n} WHERE {}"

    def ntriples(self) -> str:
        """The triples as an N-Triples document."""
        return "".join(t + "\n" for t in self.triples)


def feed_description(settings: Settings, base_url: str, feed: Feed, stats: dict[str, Any] | None,
                     last_run: dict[str, Any] | None) -> str:
    """Feed ``feed``'s dataset as N-Triples for the dataset graph: the ``/datasets/{name}``
    description, also typed ``void:Dataset`` with its ``void:sparqlEndpoint``."""
    catalogue = Catalogue(settings, base_url)
    dataset = catalogue.dataset(feed, stats, last_run)
    catalogue.add(dataset, RDF_TYPE, f"<{VOID}Dataset>")
    catalogue.add(dataset, VOID + "sparqlEndpoint", f"<{catalogue.base_url}/sparql>")
    return catalogue.ntriples()
