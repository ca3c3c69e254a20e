"""JSON-LD made self-contained: a local context cache and the repairs partners' data needs.

LDES members and OSLO JSON-LD records name their contexts by URL (six of them on
apidg.gent.be for a Ghent member), and some use compact IRIs whose prefix no context
defines (``dcterms:isVersionOf``). Neither pyoxigraph nor pyld can read such a document
offline, and both read the broken prefix as an IRI scheme. This module fixes both, once,
for the harvester and for the mapper::

    cache = ContextCache(folder="contexts/", cache_dir=data_dir / "contexts", fetch=None)
    prepared = prepare(json.loads(payload), cache, base=page_url)
    quads = pyoxigraph.parse(json.dumps(prepared.document), format=RdfFormat.JSON_LD)
    # or: pyld.jsonld.expand(prepared.document)      (no document loader needed any more)
    log.info("%s", prepared.repairs)                   # what was repaired, in words

A context URL is looked up, in this order: in memory; in ``folder`` (the ``contexts_dir``
setting, ``--contexts DIR``) by ``<host>/<path>`` and then by file name (the last path
segment, also with ``.jsonld``/``.json`` appended); in the on-disk cache ``cache_dir`` (the
data dir's ``contexts/``); and, when ``fetch`` is given, over HTTP — a fetched context is then
written to the on-disk cache, so the next run works offline. A context that none of these
has fails with :class:`ContextError` naming the URL and the file name to put in the folder.

Context files that are not strict JSON but the unquoted-key notation a browser's JSON viewer
copies (``{ @context: { Activiteit: "…" } }``, as in the corpus' ``dossier-ap.jsonld``) are
read leniently, with a warning. :func:`prepare` never changes the document it is given.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import tempfile
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

from .errors import ConfigError

log = logging.getLogger(__name__)

# Prefixes partners use without defining them: the W3C RDFa 1.1 initial context, plus the
# namespaces of the OSLO, TREE/LDES and CIDOC-CRM world. A prefix that some context of the
# document defines is never touched.
WELL_KNOWN_PREFIXES: Mapping[str, str] = {
    "adms": "http://www.w3.org/ns/adms#",
    "as": "https://www.w3.org/ns/activitystreams#",
    "cidoc": "http://www.cidoc-crm.org/cidoc-crm/",
    "crm": "http://www.cidoc-crm.org/cidoc-crm/",
    "dc": "http://purl.org/dc/elements/1.1/",
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "dcterms": "http://purl.org/dc/terms/",
    "dig": "http://www.ics.forth.gr/isl/CRMdig/",
    "edm": "http://www.europeana.eu/schemas/edm/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "la": "https://linked.art/ns/terms/",
    "ldes": "https://w3id.org/ldes#",
    "locn": "http://www.w3.org/ns/locn#",
    "m8g": "http://data.europa.eu/m8g/",
    "ore": "http://www.openarchives.org/ore/terms/",
    "owl": "http://www.w3.org/2002/07/owl#",
    "prov": "http://www.w3.org/ns/prov#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "schema": "https://schema.org/",
    "sh": "http://www.w3.org/ns/shacl#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "time": "http://www.w3.org/2006/time#",
    "tree": "https://w3id.org/tree#",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}

# Hosts of the contexts the OSLO, W3C and partner JSON-LD in the field uses; others are not
# fetched (the setting context_hosts; a copy in the contexts folder always works).
CONTEXT_HOSTS: tuple[str, ...] = (
    "data.vlaanderen.be", "*.data.vlaanderen.be", "www.w3.org", "w3id.org", "schema.org", "apidg.gent.be",
    "stad.gent", "linked.art", "www.europeana.eu", "purl.org")

# Schemes of real absolute IRIs: "urn:x" in an @type is not a compact IRI gone wrong.
_IRI_SCHEMES = frozenset({"http", "https", "urn", "mailto", "tag", "file", "ftp", "data", "doi", "did", "info"})
# An @id, @type, @reverse or @vocab value in a term definition, or an @type of a node, can be a compact IRI.
_IRI_KEYWORDS = ("@id", "@type", "@reverse", "@vocab")
_UNQUOTED_KEY = re.compile(r'^(\s*)([^\s"{}\[\],:][^"]*?):(\s)', re.MULTILINE)


class ContextError(ConfigError, LookupError):
    """A JSON-LD context that cannot be had: not in the folder, not cached, not fetchable, or not JSON.

    Also a :class:`LookupError`, as :data:`oogst.mapping.profile.DocumentLoader` promises."""


@dataclass(frozen=True, slots=True)
class Prepared:
    """A document ready for any JSON-LD processor, and what was done to it.

    ``document`` has every remote context replaced by its content and a definition added for
    each well-known prefix the document uses but no context defines; ``repairs`` says so in
    words, one line per prefix (for logs and mapping warnings)."""

    document: Any
    repairs: tuple[str, ...] = ()


class ContextCache:
    """JSON-LD context documents by URL: from a folder, the on-disk cache, or the web.

    ``folder``: a folder of context files, matched against the URL by ``<host>/<path>`` or by
    file name; ``cache_dir``: where fetched contexts are kept (created when first needed);
    ``fetch``: ``url → bytes`` (e.g. over the harvester's HTTP client), or None to stay offline.
    """

    def __init__(self, folder: str | Path | None = None, cache_dir: str | Path | None = None,
                 fetch: Callable[[str], bytes] | None = None, hosts: tuple[str, ...] = CONTEXT_HOSTS) -> None:
        self.folder = Path(folder) if folder else None
        self.cache_dir = Path(cache_dir) if cache_dir else None
        self.fetch = fetch
        self.hosts = tuple(h.strip().lower().rstrip(".") for h in hosts if h.strip())
        self._documents: dict[str, dict[str, Any]] = {}
        self._inlined: dict[str, list[Any]] = {}

    def get(self, url: str) -> dict[str, Any]:
        """The context document (``{"@context": …}``) at ``url``."""
        document = self._documents.get(url)
        if document is None:
            document = self._load(url)
            self._documents[url] = document
        return document

    __call__ = get  # a ContextCache is a mapping profile's DocumentLoader

    def document_loader(self, url: str, options: dict[str, Any] | None = None) -> dict[str, Any]:
        """A pyld ``documentLoader``: ``jsonld.expand(doc, {"documentLoader": cache.document_loader})``.

        Prefer :func:`prepare`, which also repairs undefined prefixes and needs no loader."""
        return {"contentType": "application/ld+json", "contextUrl": None, "documentUrl": url,
                "document": self.get(url)}

    # -- lookup -------------------------------------------------------------------------------
    def _load(self, url: str) -> dict[str, Any]:
        for path in self._folder_candidates(url):
            if path.is_file():
                log.debug("context %s from %s", url, path)
                return _context_document(path.read_bytes(), url, str(path))
        cached = self._cache_path(url)
        if cached is not None and cached.is_file():
            return _context_document(cached.read_bytes(), url, str(cached))
        if self.fetch is None:
            raise ContextError(
                "this JSON-LD context is not available offline",
                url=url, hint=f"put a copy named {_file_name(url) or '<host>/<path>'!r} in the contexts folder "
                              f"({self.folder or 'not set'}: setting contexts_dir, or --contexts DIR), "
                              "or allow fetching it (setting contexts_fetch = true)")
        host = (urlsplit(url).hostname or "").lower().rstrip(".")
        if not any(host == h or (h.startswith("*.") and host.endswith(h[1:])) for h in self.hosts):
            raise ContextError(
                f"this JSON-LD context is on {host or 'no host'}, which is not one of the hosts oogst fetches "
                "contexts from (setting context_hosts)", url=url,
                hint=f"put a copy named {_file_name(url) or '<host>/<path>'!r} in the contexts folder (setting "
                     "contexts_dir, or --contexts DIR), or add the host to context_hosts if it is trusted")
        try:
            data = self.fetch(url)
        except Exception as exc:  # any failure of the caller's fetch function says the same thing
            raise ContextError(
                f"cannot fetch this JSON-LD context: {exc}", url=url,
                hint=f"put a copy named {_file_name(url)!r} in the contexts folder (setting contexts_dir, "
                     "or --contexts DIR)") from exc
        document = _context_document(data, url, url)
        if cached is not None:
            _write_atomically(cached, data)
            log.info("cached JSON-LD context %s as %s", url, cached)
        return document

    def _folder_candidates(self, url: str) -> Iterator[Path]:
        """Files of the folder that may hold the context; never a path outside it (``..``)."""
        if self.folder is None:
            return
        parts = urlsplit(url)
        path = parts.path.strip("/")
        name = _file_name(url)
        candidates = [self.folder / parts.netloc / path] if parts.netloc and path else []
        if name:
            candidates.append(self.folder / name)
            if "." not in name:
                candidates += [self.folder / f"{name}.jsonld", self.folder / f"{name}.json"]
        root = os.path.abspath(self.folder)
        for candidate in candidates:
            if os.path.abspath(candidate).startswith(root + os.sep):
                yield candidate
            else:
                log.warning("the JSON-LD context %s would be read from %s, outside the contexts folder %s: "
                            "not looked up there", url, candidate, self.folder)

    def _cache_path(self, url: str) -> Path | None:
        if self.cache_dir is None:
            return None
        digest = hashlib.sha256(url.encode("utf-8")).hexdigest()[:16]
        name = re.sub(r"[^A-Za-z0-9._-]", "_", _file_name(url) or "context")
        return self.cache_dir / f"{digest}-{name}"

    # -- inlining -------------------------------------------------------------------------------
    def _inline_url(self, url: str, stack: tuple[str, ...]) -> list[Any]:
        """The ``@context`` value at ``url`` as a list of context objects, remote ones inlined."""
        if url in stack:
            raise ContextError(f"this JSON-LD context includes itself (via {' → '.join(stack)})", url=url)
        items = self._inlined.get(url)
        if items is None:
            items = self._inline_value(self.get(url)["@context"], url, (*stack, url))
            self._inlined[url] = items
        return items

    def _inline_value(self, value: Any, base: str | None, stack: tuple[str, ...]) -> list[Any]:
        if isinstance(value, list):
            return [item for v in value for item in self._inline_value(v, base, stack)]
        if isinstance(value, str):
            return self._inline_url(urljoin(base, value) if base else value, stack)
        if isinstance(value, dict):
            return [self._inline_scoped(value, base, stack)]
        return [value]  # null resets the active context; keep it

    def _inline_scoped(self, context: dict[str, Any], base: str | None, stack: tuple[str, ...]) -> dict[str, Any]:
        """A context object with the remote contexts of its scoped term definitions inlined."""
        if not any(isinstance(d, dict) and "@context" in d for d in context.values()):
            return context
        return {term: ({**d, "@context": _single(self._inline_value(d["@context"], base, stack))}
                       if isinstance(d, dict) and "@context" in d else d)
                for term, d in context.items()}


def prepare(document: Any, contexts: ContextCache, *, base: str | None = None) -> Prepared:
    """``document`` (parsed JSON) with remote contexts inlined and undefined prefixes defined.

    ``base`` resolves relative context URLs (the URL the document came from). Raises
    :class:`ContextError` when a context is not available."""
    inlined = _inline_document(document, contexts, base)
    missing = _UndefinedPrefixes().scan(inlined)
    add = {p: WELL_KNOWN_PREFIXES[p] for p in sorted(missing) if p in WELL_KNOWN_PREFIXES}
    repairs = [f"the prefix {p!r} is used ({missing[p]}) but no context defines it: read as <{iri}>"
               for p, iri in add.items()]
    repairs += [f"the prefix {p!r} is used ({missing[p]}) but no context defines it, and it is not a "
                "well-known prefix: it stays an IRI scheme" for p in sorted(missing) if p not in add]
    if add:
        inlined = _with_prefixes(inlined, add)
    return Prepared(inlined, tuple(repairs))


def context_terms(document: Any) -> dict[str, Any]:
    """Every term that a context object in ``document`` defines (a later definition wins).

    Meant for prepared documents (contexts inlined), e.g. to find the aliases of ``@id``."""
    terms: dict[str, Any] = {}
    for context in _contexts(document, set()):
        terms.update(context)
    return terms


# -- helpers ------------------------------------------------------------------------------------
def _inline_document(value: Any, contexts: ContextCache, base: str | None) -> Any:
    if isinstance(value, list):
        return [_inline_document(v, contexts, base) for v in value]
    if not isinstance(value, dict):
        return value
    out = {}
    for key, v in value.items():
        if key == "@context":
            out[key] = _single(contexts._inline_value(v, base, ()))
        else:
            out[key] = _inline_document(v, contexts, base)
    return out


def _single(items: list[Any]) -> Any:
    return items[0] if len(items) == 1 else items


def _contexts(value: Any, seen: set[int]) -> Iterator[dict[str, Any]]:
    """The context objects of a (prepared) document, outermost first, scoped ones included,
    each once (``seen``: ids of those yielded already)."""
    if isinstance(value, list):
        for v in value:
            yield from _contexts(v, seen)
    elif isinstance(value, dict):
        for key, v in value.items():
            if key == "@context":
                for item in v if isinstance(v, list) else [v]:
                    if isinstance(item, dict) and id(item) not in seen:
                        seen.add(id(item))
                        yield item
                        yield from _contexts([d for d in item.values() if isinstance(d, dict)], seen)
            else:
                yield from _contexts(v, seen)


class _UndefinedPrefixes:
    """Finds the prefixes of compact IRIs used where no context in scope defines them.

    A node's scope is the contexts of its ancestors and its own, in order (``null`` resets);
    a context object's own compact IRIs (``"dcterms:isVersionOf": {…}``, ``"@id": "la:…"``)
    are checked against the scope it joins. Scoped contexts of term definitions count for
    what they use, not for what they define. Results per context object are kept by id:
    inlined contexts are shared between members."""

    def __init__(self) -> None:
        self.missing: dict[str, str] = {}  # prefix → first compact IRI that uses it
        self._contexts: dict[int, tuple[frozenset[str], dict[str, str]]] = {}
        self._scopes: dict[tuple[int, ...], frozenset[str]] = {}

    def scan(self, document: Any) -> dict[str, str]:
        self._node(document, frozenset())
        return self.missing

    def _node(self, value: Any, scope: frozenset[str]) -> None:
        if isinstance(value, list):
            for v in value:
                self._node(v, scope)
            return
        if not isinstance(value, dict):
            return
        if "@context" in value:
            scope = self._apply(value["@context"], scope)
        for key, v in value.items():
            if key == "@context":
                continue
            self._check(key, scope)
            if key == "@type":
                for iri in v if isinstance(v, list) else [v]:
                    if isinstance(iri, str):
                        self._check(iri, scope)
            self._node(v, scope)

    def _check(self, text: str, scope: frozenset[str]) -> None:
        prefix = _prefix(text)
        if prefix is not None and prefix not in scope:
            self.missing.setdefault(prefix, text)

    def _apply(self, value: Any, scope: frozenset[str]) -> frozenset[str]:
        items = value if isinstance(value, list) else [value]
        key = (id(scope), *(id(item) for item in items))
        if key not in self._scopes:
            new = scope
            for item in items:
                if item is None:
                    new = frozenset()
                elif isinstance(item, dict):
                    terms, used = self._context(item)
                    new = new | terms
                    for prefix, example in used.items():
                        if prefix not in new:
                            self.missing.setdefault(prefix, example)
            self._scopes[key] = new
        return self._scopes[key]

    def _context(self, context: dict[str, Any]) -> tuple[frozenset[str], dict[str, str]]:
        """The terms a context object defines, and the prefixes it uses that it does not define."""
        if id(context) not in self._contexts:
            terms = frozenset(k for k in context if not k.startswith("@"))
            used: dict[str, str] = {}
            for term, definition in context.items():
                for text in [term, *_iri_values(definition)]:
                    prefix = _prefix(text)
                    if prefix is not None and prefix not in terms:
                        used.setdefault(prefix, text)
                scoped = definition.get("@context") if isinstance(definition, dict) else None
                for item in scoped if isinstance(scoped, list) else [scoped]:
                    if isinstance(item, dict):
                        for prefix, example in self._context(item)[1].items():
                            if prefix not in terms:
                                used.setdefault(prefix, example)
            self._contexts[id(context)] = (terms, used)
        return self._contexts[id(context)]


def _iri_values(definition: Any) -> list[str]:
    """The values of a term definition that can be compact IRIs."""
    if isinstance(definition, str):
        return [definition]
    if isinstance(definition, dict):
        return [definition[k] for k in _IRI_KEYWORDS if isinstance(definition.get(k), str)]
    return []


def _prefix(text: str) -> str | None:
    """The prefix of a compact IRI (``dcterms`` of ``dcterms:isVersionOf``); None for keywords,
    blank nodes, absolute IRIs and plain terms."""
    prefix, colon, suffix = text.partition(":")
    if (colon and prefix and not prefix.startswith("@") and prefix != "_" and not suffix.startswith("//")
            and prefix.lower() not in _IRI_SCHEMES and " " not in prefix):
        return prefix
    return None


def _with_prefixes(document: Any, prefixes: dict[str, str]) -> Any:
    """Put the prefix definitions first in the top-level context(s): any real definition wins."""
    if isinstance(document, list):
        return [_with_prefixes(d, prefixes) for d in document]
    if not isinstance(document, dict):
        return document
    existing = document.get("@context")
    context = [prefixes, *(existing if isinstance(existing, list) else [] if existing is None else [existing])]
    return {"@context": context, **{k: v for k, v in document.items() if k != "@context"}}


def _file_name(url: str) -> str:
    return urlsplit(url).path.rstrip("/").rsplit("/", 1)[-1]


def _context_document(data: bytes, url: str, where: str) -> dict[str, Any]:
    text = data.decode("utf-8-sig", errors="replace")
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        try:
            document = json.loads(_UNQUOTED_KEY.sub(r'\1"\2":\3', text))
        except json.JSONDecodeError:
            raise ContextError(f"this JSON-LD context is not JSON: {exc} (read from {where})", url=url,
                               hint="replace the file with a valid copy of the context") from exc
        log.warning("the JSON-LD context %s is not valid JSON (%s, read from %s); read it with unquoted keys",
                    url, exc, where)
    if not isinstance(document, dict) or "@context" not in document:
        raise ContextError(f"{where} is not a JSON-LD context document: it has no top-level \"@context\"",
                           url=url, hint="a context file looks like {\"@context\": {…}}")
    return document


def _write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


__all__ = ["ContextCache", "ContextError", "Prepared", "WELL_KNOWN_PREFIXES", "context_terms", "prepare"]
