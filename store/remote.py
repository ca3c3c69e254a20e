"""Any SPARQL 1.1 server as the store: Query and Update protocols plus the Graph Store
HTTP Protocol (GSP).

Schemes (``http`` or ``https`` after the ``+``)::

    sparql+http://host:port/path?update=…&gsp=…[&auth=basic|digest]
                                        explicit endpoints: the URL itself is the query endpoint,
                                        update/gsp are paths on the same server or full URLs;
                                        the server must make its default graph the union of
                                        the named graphs itself (Oxigraph --union-default-graph,
                                        Fuseki tdb2:unionDefaultGraph, GraphDB …)
    oxigraph+http://host:port           Oxigraph server: /query, /update, /store
    virtuoso+http://host:port           Virtuoso 7: /sparql, /sparql-auth, /sparql-graph-crud-auth/
                                        with digest auth
    fuseki+http://host:port/dataset     Apache Jena Fuseki: /dataset/query, /update, /data

Credentials never go in the URL: they come from ``OOGST_STORE_USER`` and
``OOGST_STORE_PASSWORD`` (``StoreOptions.user``/``password``).

Writes: a record's graph is written whole with one GSP ``PUT`` (N-Triples body), never as
one large ``INSERT DATA`` (Virtuoso refuses those). Each PUT is atomic on the servers
here; a batch is not one transaction, so a reader can see part of a batch while it is
written and a failure can leave part of it written — the pipeline records nothing before
``replace_graphs`` returns, so the next run writes the batch again (whole-graph PUTs are
idempotent). The Oxigraph server takes the graphs of a batch that it does not hold yet as
one GSP ``POST`` of N-Quads (one transaction), or with ``new=True`` through its bulk loader
(``POST /store?no_transaction``).

Requests that fail for a reason that may pass (no connection, timeout on connect,
HTTP 429/502/503/504) are retried with exponential back-off (``StoreOptions.retries``,
``backoff``); then a StoreError names the store URL.

The default graph is the union of the record graphs: Oxigraph gets ``union-default-graph``,
Fuseki ``default-graph-uri=urn:x-arq:UnionGraph``; Virtuoso's default graph holds its own
system graphs too, so every query gets ``define input:default-graph-exclude`` (and
``named-graph-exclude``) for the graphs that are not record graphs, listed by one query and
kept for a few minutes.

Answers are passed through as the server wrote them when the server writes the wanted
format correctly; other formats are converted by pyoxigraph from SPARQL JSON results or
N-Triples. Every answer is parsed once to apply the result cap.
"""

from __future__ import annotations

import itertools
import logging
import random
import threading
import time
from collections.abc import Iterable, Mapping
from typing import ClassVar
from urllib.parse import parse_qsl, urljoin, urlsplit, urlunsplit

import orjson
import pyoxigraph as ox
import requests
from requests.auth import AuthBase, HTTPBasicAuth, HTTPDigestAuth

from ..errors import ConfigError, QueryError, QueryTimeoutError, StoreError
from .base import GRAPH_FORMATS, SOLUTION_FORMATS, QueryResult, StoreOptions
from .results import (
    GRAPH_RDF_FORMATS,
    SOLUTION_RESULT_FORMATS,
    as_nquads,
    has_dataset_clause,
    query_form,
    solutions_body,
    sparql_iri,
    triples_body,
)

log = logging.getLogger(__name__)

_TRANSIENT_STATUS = {429, 502, 503, 504}
_MAX_WAIT = 30.0  # seconds: the longest back-off, also the cap on Retry-After
_DROP_CHUNK = 100  # graphs per DROP update
_MEDIA_TO_SOLUTIONS = {mt: name for name, mt in SOLUTION_FORMATS.items()}
_MEDIA_TO_GRAPH = {mt: name for name, mt in GRAPH_FORMATS.items()}


class RemoteStore:
    """A SPARQL 1.1 server reached over HTTP. Subclasses are the presets per server type."""

    #: result formats this server writes correctly; the others are converted
    solution_formats: ClassVar[frozenset[str]] = frozenset({"json", "xml", "tsv"})
    graph_formats: ClassVar[frozenset[str]] = frozenset(GRAPH_FORMATS)
    #: writes need an account (the server refuses anonymous updates)
    writes_need_account: ClassVar[bool] = False

    def __init__(
        self,
        url: str,
        *,
        query_url: str,
        update_url: str | None,
        gsp_url: str | None,
        options: StoreOptions | None = None,
        digest_auth: bool = False,
    ) -> None:
        self.url = url
        self.query_url = query_url
        self.update_url = update_url
        self.gsp_url = gsp_url
        self.options = options or StoreOptions()
        self._auth: AuthBase | None = None
        if self.options.user:
            auth_class = HTTPDigestAuth if digest_auth else HTTPBasicAuth
            self._auth = auth_class(self.options.user, self.options.password or "")
        self._local = threading.local()
        self._sessions: list[requests.Session] = []
        self._lock = threading.Lock()

    # -- HTTP -----------------------------------------------------------------------------
    @property
    def _session(self) -> requests.Session:
        session = getattr(self._local, "session", None)
        if session is None:
            session = requests.Session()
            session.headers["User-Agent"] = "oogst-store"
            self._local.session = session
            with self._lock:
                self._sessions.append(session)
        return session

    def _request(self, method: str, url: str, *, what: str, read_timeout: float | None = None,
                 authenticate: bool = False, **kwargs: object) -> requests.Response:
        """One request with retries on transient failures; raises StoreError when the store
        stays unreachable. A read timeout on a query raises QueryError at once. Only writes
        and GSP requests carry the account (``authenticate``): queries go out anonymous, so
        a server can never run an update smuggled into one with the writer's rights."""
        opts = self.options
        timeout = (min(10.0, opts.timeout), read_timeout or opts.timeout)
        attempts = max(1, opts.retries + 1)
        for attempt in range(1, attempts + 1):
            problem: str
            wait = min(_MAX_WAIT, opts.backoff * 2 ** (attempt - 1)) * (0.75 + random.random() / 2)
            try:
                response = self._session.request(method, url, timeout=timeout,  # type: ignore[arg-type]
                                                 auth=self._auth if authenticate else None, **kwargs)
            except requests.ReadTimeout as exc:
                if read_timeout is not None:
                    raise QueryTimeoutError(f"the query ran longer than {read_timeout:g} s and was stopped",
                                     url=self.url, hint="make it more selective, add a LIMIT, or raise "
                                     "the setting query_timeout") from exc
                problem = f"no answer within {timeout[1]:g} s"
            except requests.RequestException as exc:
                problem = f"cannot connect: {type(exc).__name__}"
            else:
                if response.status_code not in _TRANSIENT_STATUS:
                    return response
                problem = f"HTTP {response.status_code}"
                retry_after = response.headers.get("Retry-After", "")
                if retry_after.isdigit():
                    wait = min(_MAX_WAIT, float(retry_after))
            if attempt < attempts:
                log.warning("%s at %s: %s; retry %d of %d in %.1f s", what, url, problem, attempt,
                            attempts - 1, wait)
                time.sleep(wait)
        raise StoreError(
            f"{what} failed after {attempts} attempt(s): {problem} ({url})",
            url=self.url,
            hint="is the SPARQL server running and is the setting `store` (--store) right? Nothing "
            "was recorded as done: the next run redoes this batch",
        )

    def _check(self, response: requests.Response, what: str) -> None:
        if response.ok:
            return
        detail = _excerpt(response.text)
        if response.status_code in (401, 403):
            raise ConfigError(
                f"{what}: the store refused access (HTTP {response.status_code}): {detail}",
                url=self.url,
                hint="set OOGST_STORE_USER and OOGST_STORE_PASSWORD to an account that may write "
                "(Virtuoso: one with the SPARQL_UPDATE role, e.g. dba)",
            )
        raise StoreError(f"{what}: HTTP {response.status_code}: {detail}", url=self.url)

    def _need(self, endpoint: str | None, name: str) -> str:
        if endpoint is None:
            raise ConfigError(f"the store {self.url} has no {name} endpoint",
                              hint=f"add ?{name}=/path to the store URL, or use a preset such as oxigraph+http://")
        if self._auth is None and self.writes_need_account:
            raise ConfigError(f"writing to {self.url} needs an account",
                              hint="set OOGST_STORE_USER and OOGST_STORE_PASSWORD (an account with the "
                              "SPARQL_UPDATE role, e.g. dba)")
        return endpoint

    # -- writes ---------------------------------------------------------------------------
    def replace_graphs(self, graphs: Mapping[str, str], *, new: bool = False) -> None:
        for g in graphs:
            sparql_iri(g)  # refuse an unusable IRI before anything is written
        self._write(graphs, new=new)

    def _write(self, graphs: Mapping[str, str], *, new: bool) -> None:
        """One GSP PUT per graph; servers with a faster path for new graphs override this."""
        for graph_iri, ntriples in graphs.items():
            self._put(graph_iri, ntriples)

    def _put(self, graph_iri: str, ntriples: str) -> None:
        gsp = self._need(self.gsp_url, "gsp")
        if not ntriples.strip():
            self.drop_graphs([graph_iri])
            return
        response = self._request("PUT", gsp, what=f"writing graph {graph_iri}", authenticate=True,
                                 params={"graph": graph_iri},
                                 data=ntriples.encode("utf-8"),
                                 headers={"Content-Type": "application/n-triples; charset=utf-8"})
        self._check(response, f"writing graph {graph_iri}")

    def drop_graphs(self, graph_iris: Iterable[str]) -> None:
        iris = [sparql_iri(g) for g in graph_iris]
        for start in range(0, len(iris), _DROP_CHUNK):
            self._update(" ;\n".join(f"DROP SILENT GRAPH {g}" for g in iris[start:start + _DROP_CHUNK]))

    def update(self, sparql: str) -> None:
        """A SPARQL update (the system graphs' small ones, ``publish/provenance.py``)."""
        self._update(sparql)

    def _update(self, sparql: str) -> None:
        """Send one SPARQL update (small ones only: oogst writes graphs with GSP PUT)."""
        endpoint = self._need(self.update_url, "update")
        response = self._request("POST", endpoint, what="a SPARQL update", authenticate=True,
                                 data={"update": sparql})
        self._check(response, "a SPARQL update")

    # -- reads ----------------------------------------------------------------------------
    def query(
        self,
        sparql: str,
        *,
        solutions: str = "json",
        graph: str = "turtle",
        default_graphs: list[str] | None = None,
        named_graphs: list[str] | None = None,
        base_iri: str | None = None,
    ) -> QueryResult:
        form = query_form(sparql)
        if form is None:
            raise QueryError("SPARQL syntax error: a query starts with SELECT, ASK, CONSTRUCT or DESCRIBE "
                             "after its BASE and PREFIX declarations (updates are not queries)", url=self.url)
        if form in ("CONSTRUCT", "DESCRIBE"):
            asked = graph if graph in self.graph_formats else "ntriples"
            accept = GRAPH_FORMATS[asked]
        else:
            asked = solutions if solutions in self.solution_formats else "json"
            accept = SOLUTION_FORMATS[asked]
        params: list[tuple[str, str]] = [("default-graph-uri", g) for g in default_graphs or []]
        params += [("named-graph-uri", g) for g in named_graphs or []]
        own_dataset = has_dataset_clause(sparql)
        prologue = "" if base_iri is None else f"BASE {sparql_iri(base_iri)}\n"
        text, extra = self._dataset(prologue + sparql, union=default_graphs is None and not own_dataset,
                                    named=named_graphs is None and not own_dataset)
        timeout = self.options.query_timeout
        response = self._request(
            "POST", self.query_url, what="a SPARQL query", read_timeout=timeout if timeout > 0 else None,
            data=[("query", text), *params, *extra], headers={"Accept": accept},
        )
        if response.status_code in (401, 403):
            self._check(response, "a SPARQL query")
        if response.status_code >= 400:
            raise QueryError(f"the store refused the query (HTTP {response.status_code}): "
                             f"{_excerpt(response.text)}", url=self.url)
        self._check_complete(response)
        media_type = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
        return self._answer(response.content, media_type, solutions, graph)

    def _dataset(self, sparql: str, *, union: bool, named: bool) -> tuple[str, list[tuple[str, str]]]:
        """The query text and extra protocol parameters that make the default graph the union
        of the record graphs (``union``) and the named graphs the record graphs (``named``).
        The generic server does this itself."""
        return sparql, []

    def _check_complete(self, response: requests.Response) -> None:
        """Raise when the server says its answer is partial (Virtuoso's "anytime" queries)."""

    def _answer(self, body: bytes, media_type: str, solutions: str, graph: str) -> QueryResult:
        limit = self.options.result_limit
        if media_type in _MEDIA_TO_GRAPH:
            got = _MEDIA_TO_GRAPH[media_type]
            triples = list(itertools.islice(_parse_rdf(body, got, self.url), limit + 1))
            truncated = len(triples) > limit
            if got != graph or truncated:
                body = triples_body(triples[:limit], graph)
            return QueryResult("graph", body, GRAPH_FORMATS[graph], truncated)
        if media_type in _MEDIA_TO_SOLUTIONS and media_type != SOLUTION_FORMATS["csv"]:
            got = _MEDIA_TO_SOLUTIONS[media_type]
            try:
                parsed = ox.parse_query_results(body, format=SOLUTION_RESULT_FORMATS[got])
                if isinstance(parsed, ox.QueryBoolean):
                    if got != solutions:
                        body = parsed.serialize(format=SOLUTION_RESULT_FORMATS[solutions])
                    return QueryResult("boolean", body, SOLUTION_FORMATS[solutions])
                rows = list(itertools.islice(parsed, limit + 1))
            except SyntaxError as exc:
                raise StoreError(f"the store sent unreadable {media_type}: {exc}", url=self.url) from exc
            truncated = len(rows) > limit
            if got != solutions or truncated:
                body = solutions_body(parsed.variables, rows[:limit], solutions)
            return QueryResult("solutions", body, SOLUTION_FORMATS[solutions], truncated)
        raise StoreError(f"the store answered a query with {media_type or 'no media type'!r}",
                         url=self.url, hint="is the store URL a SPARQL endpoint?")

    def graph(self, graph_iri: str, format: str = "ntriples") -> bytes | None:
        gsp = self.gsp_url or self._need(None, "gsp")
        asked = format if format in self.graph_formats else "ntriples"
        response = self._request("GET", gsp, what=f"reading graph {graph_iri}", authenticate=True,
                                 params={"graph": graph_iri},
                                 headers={"Accept": GRAPH_FORMATS[asked]})
        if response.status_code == 404:
            return None
        self._check(response, f"reading graph {graph_iri}")
        if asked == format:
            return response.content
        return triples_body(_parse_rdf(response.content, asked, self.url), format)

    def count_graphs(self) -> int:
        rows = self._select(self._count_graphs_query(orjson.dumps(self.options.graph_prefix or "").decode()))
        return int(rows[0]["n"]["value"]) if rows else 0

    def _count_graphs_query(self, prefix: str) -> str:
        """A SELECT of ?n, the number of graphs whose IRI starts with ``prefix`` (a literal)."""
        return f"SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(STRSTARTS(STR(?g), {prefix})) }}"

    def _select(self, sparql: str) -> list[dict]:
        """An internal SELECT: JSON bindings, no cap, the server's own dataset."""
        response = self._request("POST", self.query_url, what="a SPARQL query", data={"query": sparql},
                                 headers={"Accept": SOLUTION_FORMATS["json"]})
        self._check(response, "a SPARQL query")
        return orjson.loads(response.content)["results"]["bindings"]

    def close(self) -> None:
        with self._lock:
            for session in self._sessions:
                session.close()
            self._sessions.clear()


class OxigraphServerStore(RemoteStore):
    """``oxigraph serve``: union via ``union-default-graph``; new graphs in one POST."""

    def _count_graphs_query(self, prefix: str) -> str:
        return f"SELECT (COUNT(?g) AS ?n) WHERE {{ GRAPH ?g {{}} FILTER(STRSTARTS(STR(?g), {prefix})) }}"

    def _dataset(self, sparql: str, *, union: bool, named: bool) -> tuple[str, list[tuple[str, str]]]:
        # the server refuses union-default-graph beside named-graph-uri
        return sparql, [("union-default-graph", "")] if union and named else []

    def _write(self, graphs: Mapping[str, str], *, new: bool) -> None:
        """Graphs the server holds already: one PUT each. The new ones: one ``POST /store`` of
        N-Quads, which Oxigraph runs as one transaction, or with ``new`` through its bulk
        loader (``no_transaction``)."""
        values = " ".join(sparql_iri(g) for g in graphs)
        rows = self._select(f"SELECT ?g WHERE {{ VALUES ?g {{ {values} }} GRAPH ?g {{}} }}") if graphs else []
        existing = {row["g"]["value"] for row in rows}
        for g in existing:
            self._put(g, graphs[g])
        nquads = "".join(as_nquads(g, nt) for g, nt in graphs.items() if g not in existing)
        if not nquads:
            return
        gsp = self._need(self.gsp_url, "gsp")
        what = f"loading {len(graphs) - len(existing)} new graph(s)"
        response = self._request("POST", gsp, what=what, authenticate=True,
                                 params={"no_transaction": ""} if new else None, data=nquads.encode("utf-8"),
                                 headers={"Content-Type": "application/n-quads"})
        self._check(response, what)


class VirtuosoStore(RemoteStore):
    """Virtuoso 7: digest auth for writes; the default graph excludes its system graphs."""

    solution_formats = frozenset({"json", "xml"})  # its TSV is CSV with a TSV media type
    graph_formats = frozenset({"turtle", "ntriples", "jsonld", "rdfxml"})
    writes_need_account = True
    #: seconds the list of non-record graphs is kept
    exclusions_ttl: ClassVar[float] = 300.0

    def __init__(self, url: str, **kwargs: object) -> None:
        super().__init__(url, digest_auth=True, **kwargs)  # type: ignore[arg-type]
        if not self.options.graph_prefix:
            raise ConfigError(
                f"the store {url} needs the prefix of the record graphs",
                hint="Virtuoso's default graph holds its system graphs: open it with "
                "StoreOptions(graph_prefix=…) (Settings.store_options() does)",
            )
        self._excluded: tuple[float, list[str]] | None = None

    def _exclusions(self) -> list[str]:
        """The graphs that are not record graphs. Virtuoso lists distinct graphs fast (about
        0.1 s for 20,000) but filters them by prefix slowly, once per quad (2 s for 600,000
        quads), so the prefix is checked here."""
        now = time.monotonic()
        if self._excluded is None or now - self._excluded[0] > self.exclusions_ttl:
            rows = self._select("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } FILTER(ISIRI(?g)) }")
            prefix = self.options.graph_prefix or ""
            outside = [g for g in (row["g"]["value"] for row in rows) if not g.startswith(prefix)]
            self._excluded = (now, outside)
            log.debug("Virtuoso graphs outside the record graphs: %s", outside)
        return self._excluded[1]

    def count_graphs(self) -> int:
        rows = self._select("SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
        return int(rows[0]["n"]["value"]) - len(self._exclusions())

    def _dataset(self, sparql: str, *, union: bool, named: bool) -> tuple[str, list[tuple[str, str]]]:
        defines = []
        for g in self._exclusions() if union or named else []:
            iri = sparql_iri(g)
            if union:
                defines.append(f"define input:default-graph-exclude {iri}")
            if named:
                defines.append(f"define input:named-graph-exclude {iri}")
        timeout = self.options.query_timeout
        extra = [("timeout", str(int(timeout * 1000)))] if timeout > 0 else []
        return "\n".join([*defines, sparql]), extra

    def _check_complete(self, response: requests.Response) -> None:
        if response.headers.get("X-SQL-State"):
            raise QueryTimeoutError(
                f"the query ran longer than {self.options.query_timeout:g} s: Virtuoso returned a partial "
                f"answer ({response.headers.get('X-SQL-Message', '').strip()})",
                url=self.url, hint="make it more selective, add a LIMIT, or raise the setting query_timeout",
            )


class FusekiStore(RemoteStore):
    """Apache Jena Fuseki: union through TDB2's ``urn:x-arq:UnionGraph``."""

    def _dataset(self, sparql: str, *, union: bool, named: bool) -> tuple[str, list[tuple[str, str]]]:
        return sparql, [("default-graph-uri", "urn:x-arq:UnionGraph")] if union and named else []


_PRESETS: dict[str, tuple[type[RemoteStore], str, str, str]] = {
    # name: (class, query path, update path, GSP path), relative to the URL's path
    "oxigraph": (OxigraphServerStore, "query", "update", "store"),
    "virtuoso": (VirtuosoStore, "sparql", "sparql-auth", "sparql-graph-crud-auth/"),
    "fuseki": (FusekiStore, "query", "update", "data"),
}
SCHEMES = [f"{name}+{proto}" for name in ("sparql", *_PRESETS) for proto in ("http", "https")]


def open_remote(url: str, options: StoreOptions) -> RemoteStore:
    """A remote store from its URL (see the module docstring for the schemes)."""
    parts = urlsplit(url)
    name, _, proto = parts.scheme.partition("+")
    if parts.username or parts.password:
        where = f"{parts.hostname}:{parts.port}" if parts.port else parts.hostname or ""
        raise ConfigError(f"the store URL {parts._replace(netloc=where).geturl()} holds credentials",
                          hint="put them in OOGST_STORE_USER and OOGST_STORE_PASSWORD instead")
    if not parts.netloc:
        raise ConfigError(f"the store URL {url!r} names no server", hint=f"e.g. {name}+{proto}://127.0.0.1:7878")
    root = urlunsplit((proto, parts.netloc, parts.path.rstrip("/") + "/", "", ""))
    if name in _PRESETS:
        if parts.query:
            raise ConfigError(f"the store URL {url!r} takes no parameters",
                              hint=f"{name}+{proto}:// knows its endpoints; use sparql+{proto}://…?update=…&gsp=… "
                              "to name them yourself")
        cls, query_path, update_path, gsp_path = _PRESETS[name]
        return cls(url, query_url=urljoin(root, query_path), update_url=urljoin(root, update_path),
                   gsp_url=urljoin(root, gsp_path), options=options)
    params = dict(parse_qsl(parts.query))
    unknown = set(params) - {"update", "gsp", "auth"}
    if unknown or params.get("auth", "basic") not in ("basic", "digest"):
        raise ConfigError(f"the store URL {url!r} has unknown parameters {sorted(unknown)}",
                          hint="sparql+http://host/query?update=/update&gsp=/store&auth=basic|digest")
    server = urlunsplit((proto, parts.netloc, "/", "", ""))
    return RemoteStore(
        url,
        query_url=urlunsplit((proto, parts.netloc, parts.path or "/", "", "")),
        update_url=urljoin(server, params["update"]) if "update" in params else None,
        gsp_url=urljoin(server, params["gsp"]) if "gsp" in params else None,
        options=options,
        digest_auth=params.get("auth") == "digest",
    )


def _parse_rdf(body: bytes, fmt: str, url: str) -> Iterable[ox.Triple]:
    try:
        for quad in ox.parse(body, format=GRAPH_RDF_FORMATS[fmt]):
            yield ox.Triple(quad.subject, quad.predicate, quad.object)
    except SyntaxError as exc:
        raise StoreError(f"the store sent unreadable {GRAPH_FORMATS[fmt]}: {exc}", url=url) from exc


def _excerpt(text: str, limit: int = 300) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit] + "…"
