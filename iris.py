"""All IRI minting in one place.

Record IRIs are stable and deterministic: the same (feed, source id) always gives the
same IRIs, on any machine, in any run. A partner's own persistent http(s) identifier
(LIDO ``objectPublishedID``) is preferred for the object; otherwise the object IRI is
minted under the aggregator's base, scoped by the feed (the partner's registration).

Layout under ``base`` (default ``https://data.oogst.be/``, the ``base_iri`` setting)::

    {base}id/object/{feed}/{key}      the heritage object (when the partner has no PID)
    {base}id/object/{feed}/{key}#…    nodes of the record (production, identifier …),
                                      also when the object itself has a partner PID
    {base}graph/{feed}/{key}          the named graph that holds the record
    {base}id/agent/{feed}/{slug}      a person or organisation known only by name
    {base}id/place/{feed}/{slug}      a place known only by name
    {base}id/concept/{feed}/{scheme}/{slug}
                                      a term known only by its words or a local id
                                      (an object name without AAT link, a role …)
    {base}id/feed/{feed}              the feed (dataset) itself
    {base}id/run/{run}                one harvest run
    {base}id/version/{feed}/{key}/{time}
                                      one version of a record in the event stream (LDES member)
    {base}id/stream[/feeds/{feed} | /providers/{key}]
                                      the event stream of everything, of a feed, of a data provider
    {base}graph/_system/provenance    PROV-O of records and runs (system store)
    {base}graph/_system/datasets      DCAT-AP/VoID of the feeds (system store)
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from functools import lru_cache
from urllib.parse import quote

DEFAULT_BASE = "https://data.oogst.be/"

# Characters kept as they are in a record key; everything else is percent-encoded, so
# two different source ids can never collide on one key.
_KEY_SAFE = "-._~:@!$&'()*+,;="
_HTTP_IRI = re.compile(r"^https?://[^\s<>\"{}|\\^`]+$")
_NOT_SLUG = re.compile(r"[^a-z0-9]+")


@lru_cache(maxsize=1024)
def record_key(source_id: str) -> str:
    """The path segment that stands for one source record: a reversible encoding."""
    return quote(source_id.strip(), safe=_KEY_SAFE)


def record_id(feed: str, source_id: str) -> str:
    """The public id of a record, as used in ``/records/{id}``."""
    return f"{feed}/{record_key(source_id)}"


@lru_cache(maxsize=8192)
def slug(text: str, max_len: int = 60) -> str:
    """A readable ascii slug; a short hash keeps different texts apart."""
    norm = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    s = _NOT_SLUG.sub("-", norm.lower()).strip("-")[:max_len].strip("-")
    digest = hashlib.sha1(text.encode("utf-8")).hexdigest()[:8]
    return f"{s}-{digest}" if s else digest


def is_http_iri(value: str | None) -> bool:
    return bool(value) and _HTTP_IRI.match(value.strip()) is not None


class Minter:
    """Mints the IRIs of one feed's records."""

    def __init__(self, feed: str, base: str = DEFAULT_BASE) -> None:
        if not base.endswith("/"):
            base += "/"
        self.base = base
        self.feed = feed

    def object_iri(self, source_id: str, persistent_id: str | None = None) -> str:
        if persistent_id and is_http_iri(persistent_id):
            return persistent_id.strip()
        return f"{self.base}id/object/{self.feed}/{record_key(source_id)}"

    def graph_iri(self, source_id: str) -> str:
        return f"{self.base}graph/{self.feed}/{record_key(source_id)}"

    def node_iri(self, source_id: str, *parts: str | int) -> str:
        """A node that belongs to one record (its production, an identifier …).

        Always in the aggregator's own namespace, also when the object has a partner
        PID: oogst does not mint IRIs in a partner's domain.
        """
        return f"{self.base}id/object/{self.feed}/{record_key(source_id)}#" + "-".join(
            str(p) for p in parts
        )

    def agent_iri(self, name: str) -> str:
        return f"{self.base}id/agent/{self.feed}/{slug(name)}"

    def place_iri(self, name: str) -> str:
        return f"{self.base}id/place/{self.feed}/{slug(name)}"

    def concept_iri(self, scheme: str, key: str) -> str:
        """A concept the partner names without a shared vocabulary IRI: ``scheme`` is the
        kind of term ("objectnaam", "materiaal", "rol" …), ``key`` its local id or words."""
        return f"{self.base}id/concept/{self.feed}/{scheme}/{slug(key)}"

    def feed_iri(self) -> str:
        return f"{self.base}id/feed/{self.feed}"

    def version_iri(self, source_id: str, at: str) -> str:
        """One version of a record (an LDES member), stamped with its event time."""
        return f"{self.base}id/version/{self.feed}/{record_key(source_id)}/{at}"


def stream_iri(base: str = DEFAULT_BASE, view: str = "all", key: str | None = None) -> str:
    """The event stream (``ldes:EventStream``) of everything, of a feed or of a data provider
    (``key``: the feed's name, the provider's :func:`provider_key`)."""
    if not base.endswith("/"):
        base += "/"
    return f"{base}id/stream" + ({"feed": f"/feeds/{key}", "provider": f"/providers/{key}"}.get(view, ""))


def provider_key(provider_iri: str) -> str:
    """The path segment of a data provider (its keeper IRI): readable, and kept apart by a hash."""
    tail = provider_iri.rstrip("/#").rsplit("/", 1)[-1].rsplit("#", 1)[-1]
    words = _NOT_SLUG.sub("-", unicodedata.normalize("NFKD", tail).encode("ascii", "ignore").decode().lower())
    digest = hashlib.sha1(provider_iri.encode("utf-8")).hexdigest()[:8]
    return f"{words.strip('-')[:40].strip('-')}-{digest}".lstrip("-")


def run_iri(run_id: int | str, base: str = DEFAULT_BASE) -> str:
    if not base.endswith("/"):
        base += "/"
    return f"{base}id/run/{run_id}"


def graph_prefix(base: str = DEFAULT_BASE) -> str:
    if not base.endswith("/"):
        base += "/"
    return f"{base}graph/"


def system_graph(name: str, base: str = DEFAULT_BASE) -> str:
    """A graph of the system store (``provenance``, ``datasets``): ``{base}graph/_system/{name}``.
    Feed names cannot start with '_', so these never meet a record graph."""
    return f"{system_graph_prefix(base)}{name}"


def system_graph_prefix(base: str = DEFAULT_BASE) -> str:
    return f"{graph_prefix(base)}_system/"


# Vocabularies that more than one room writes (provenance, datasets, record graphs).
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
XSD = "http://www.w3.org/2001/XMLSchema#"
PROV = "http://www.w3.org/ns/prov#"
DCT = "http://purl.org/dc/terms/"
FOAF = "http://xmlns.com/foaf/0.1/"
DCAT = "http://www.w3.org/ns/dcat#"
VOID = "http://rdfs.org/ns/void#"
