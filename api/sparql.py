"""``/sparql``: a read-only SPARQL 1.1 Protocol endpoint over the published records.

https://www.w3.org/TR/sparql11-protocol/ — the three query operations:

- ``GET /sparql?query=…``
- ``POST /sparql`` with ``application/x-www-form-urlencoded`` body ``query=…``
- ``POST /sparql`` with an ``application/sparql-query`` body (the query itself)

``default-graph-uri`` and ``named-graph-uri`` (repeatable; in the URL, or in the form body)
set the dataset and take precedence over ``FROM`` / ``FROM NAMED``. Without them the
default graph is the union of all record graphs.

System graphs: when every ``default-graph-uri`` / ``named-graph-uri`` names a graph under
``{base_iri}graph/_system/`` (``…/_system/provenance``: PROV-O of records and runs;
``…/_system/datasets``: DCAT-AP and VoID of the feeds), the core runs the query on the system
store (``publish/provenance.py``) instead of the record store; naming system and record
graphs in one request is refused with 400, as they live in different stores.

Results by ``Accept`` (q-values honoured): SELECT/ASK as SPARQL JSON (default), XML, CSV or
TSV; CONSTRUCT/DESCRIBE as Turtle (default), N-Triples, JSON-LD or RDF/XML. An ``Accept``
that allows none of these gets the default format rather than a 406 (see ``conneg``).

Relative IRIs in a query without BASE resolve against the endpoint's own URL.

Refused: updates (``update=`` or an ``application/sparql-update`` body) with 403, as this
endpoint is read-only; other POST media types and charsets other than UTF-8 with 415;
a missing or repeated query and a syntax error (the parser's message) with 400.

Limits (docs/security.md): a query too long, too deep or too large for the engine is refused
with 400 before the engine sees it, and so is ``SERVICE`` to an endpoint not in
``sparql_service_allow`` (``pipeline/queries.py``); a query that runs longer than
``query_timeout`` is stopped (its worker process killed) and answered with 503 and
``Retry-After``; a client with ``sparql_client_slots`` queries running gets 429 and a body over
``api_max_body`` 413 (``api/limits.py``); an answer cut at ``result_limit`` rows carries the
header ``Oogst-Truncated: <limit>``.

``GET /sparql`` without parameters returns the service description (``sd:Service``) in
the negotiated RDF format, or the query page (editor, example queries over the OSLO
model, result table; ``api/pages``) when the client prefers HTML.
"""

from __future__ import annotations

import logging
import re
from typing import Any
from urllib.parse import parse_qsl, quote

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from ..errors import QueryError
from ..iris import system_graph_prefix
from ..pipeline import GRAPH_FORMATS, SOLUTION_FORMATS, Oogst
from .conneg import GRAPH_OFFERS, SOLUTION_OFFERS, negotiate
from .deps import BaseUrlDep, OogstDep
from .pages import sparql_page
from .problems import ApiError

log = logging.getLogger(__name__)

router = APIRouter(tags=["SPARQL"])

FORM = "application/x-www-form-urlencoded"
SPARQL_QUERY = "application/sparql-query"
SPARQL_UPDATE = "application/sparql-update"
TRUNCATED = "Oogst-Truncated"  # set to the cap when the answer was cut at result_limit

Params = list[tuple[str, str]]

_ABSOLUTE_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]*$")
_VARY = {"Vary": "Accept"}

# W3C format IRIs (https://www.w3.org/ns/formats/) of what the endpoint can return.
_FORMAT_IRIS = {
    "json": "SPARQL_Results_JSON",
    "xml": "SPARQL_Results_XML",
    "csv": "SPARQL_Results_CSV",
    "tsv": "SPARQL_Results_TSV",
    "turtle": "Turtle",
    "ntriples": "N-Triples",
    "jsonld": "JSON-LD",
    "rdfxml": "RDF_XML",
}
_DESCRIPTION_OFFERS = (*GRAPH_OFFERS, ("text/html", "html"), ("application/xhtml+xml", "html"))

_EXAMPLE_QUERY = """SELECT ?graph (COUNT(*) AS ?triples)
WHERE { GRAPH ?graph { ?s ?p ?o } }
GROUP BY ?graph
LIMIT 20"""

_DATASET_PARAMETERS: list[dict[str, Any]] = [
    {
        "name": name,
        "in": "query",
        "required": False,
        "style": "form",
        "explode": True,
        "schema": {"type": "array", "items": {"type": "string", "format": "uri"}},
        "description": text,
    }
    for name, text in (
        ("default-graph-uri", "A graph of the default graph (repeatable); overrides FROM."),
        ("named-graph-uri", "A graph that GRAPH can see (repeatable); overrides FROM NAMED."),
    )
]
_RESULT_MEDIA_TYPES = [{**SOLUTION_FORMATS, **GRAPH_FORMATS}[key] for key in _FORMAT_IRIS]
_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "Query results in the negotiated format.",
        "content": {media: {} for media in _RESULT_MEDIA_TYPES},
    },
    400: {"description": "No query, more than one query, an update sent as a query, a syntax error, a query "
                         "over the guard's limits, or SERVICE to an endpoint not allowed."},
    413: {"description": "A body larger than api_max_body."},
    429: {"description": "This client already runs sparql_client_slots queries; see Retry-After."},
    403: {"description": "An update: this endpoint is read-only."},
    503: {"description": "The query ran longer than query_timeout (or the store is busy or unreachable)."},
}


def _read_only() -> ApiError:
    return ApiError(
        403,
        "this SPARQL endpoint is read-only: updates are refused. oogst changes its data only "
        "through harvests (`oogst harvest`).",
        error="ReadOnlyEndpoint",
    )


@router.get(
    "/sparql",
    summary="SPARQL query (GET), service description or query form",
    response_class=Response,
    responses={
        **_RESPONSES,
        200: {
            "description": "Query results; without parameters the service description or an HTML form.",
            "content": {**_RESPONSES[200]["content"], "text/html": {}},
        },
    },
    openapi_extra={
        "parameters": [
            {"name": "query", "in": "query", "required": False, "schema": {"type": "string"},
             "description": "The SPARQL query.", "example": _EXAMPLE_QUERY},
            *_DATASET_PARAMETERS,
        ]
    },
)
async def sparql_get(request: Request, oogst: OogstDep, base_url: BaseUrlDep) -> Response:
    params = list(request.query_params.multi_items())
    if not params:
        return await _describe(request, oogst, base_url)
    return await _answer(request, oogst, params, base_url)


@router.post(
    "/sparql",
    summary="SPARQL query (POST: URL-encoded form or direct)",
    response_class=Response,
    responses={**_RESPONSES, 415: {"description": "A body that is neither a form nor a SPARQL query, or not UTF-8."}},
    openapi_extra={
        "parameters": _DATASET_PARAMETERS,
        "requestBody": {
            "required": True,
            "content": {
                FORM: {
                    "schema": {
                        "type": "object",
                        "required": ["query"],
                        "properties": {
                            "query": {"type": "string"},
                            "default-graph-uri": {"type": "array", "items": {"type": "string"}},
                            "named-graph-uri": {"type": "array", "items": {"type": "string"}},
                        },
                    }
                },
                SPARQL_QUERY: {"schema": {"type": "string"}, "example": _EXAMPLE_QUERY},
            },
        },
    },
)
async def sparql_post(request: Request, oogst: OogstDep, base_url: BaseUrlDep) -> Response:
    media_type, charset = _content_type(request.headers.get("content-type"))
    if media_type == SPARQL_UPDATE:
        raise _read_only()
    if media_type not in (FORM, SPARQL_QUERY):
        raise ApiError(
            415,
            f"cannot take a POST body of type {media_type or '(none)'!r}: send the query as "
            f"{FORM} (query=…) or as {SPARQL_QUERY}",
        )
    if charset not in (None, "utf-8", "utf8"):
        raise ApiError(415, f"the body must be UTF-8, not {charset!r}")
    params = list(request.query_params.multi_items())
    try:
        text = (await request.body()).decode("utf-8")
        if media_type == FORM:
            params += parse_qsl(text, keep_blank_values=True, encoding="utf-8", errors="strict")
    except UnicodeDecodeError as exc:
        raise QueryError(f"the body is not valid UTF-8: {exc}") from exc
    if media_type == SPARQL_QUERY:
        if any(name == "query" for name, _ in params):
            raise QueryError("the query is the body of this request; do not also pass query= in the URL")
        params.append(("query", text))
    return await _answer(request, oogst, params, base_url)


async def _answer(request: Request, oogst: Oogst, params: Params, base_url: str) -> Response:
    if any(name == "update" for name, _ in params):
        raise _read_only()
    queries = [value for name, value in params if name == "query"]
    if len(queries) > 1:
        raise QueryError(f"{len(queries)} queries in one request; send exactly one query")
    if not queries or not queries[0].strip():
        raise QueryError("no query: pass the SPARQL query as query=… (GET or form POST) "
                         f"or as the body of a POST with Content-Type {SPARQL_QUERY}")
    accept = request.headers.get("accept")
    solutions = negotiate(accept, SOLUTION_OFFERS, "json")
    graph = negotiate(accept, GRAPH_OFFERS, "turtle")
    log.debug("query (%s | %s): %s", solutions, graph, queries[0])
    default_graphs = _graph_iris(params, "default-graph-uri")
    named_graphs = _graph_iris(params, "named-graph-uri")
    result = await run_in_threadpool(
        oogst.query,
        queries[0],
        solutions=solutions,
        graph=graph,
        default_graphs=default_graphs,
        named_graphs=named_graphs,
        base_iri=_endpoint(base_url),
    )
    headers = dict(_VARY)
    if result.truncated:
        headers[TRUNCATED] = str(oogst.settings.result_limit)
    return Response(result.body, media_type=result.media_type, headers=headers)


async def _describe(request: Request, oogst: Oogst, base_url: str) -> Response:
    """The answer to a bare ``GET /sparql``: an HTML form or the service description."""
    wanted = negotiate(request.headers.get("accept"), _DESCRIPTION_OFFERS, None)
    if wanted is None:
        raise QueryError("no query: pass the SPARQL query as query=…")
    if wanted == "html":
        return sparql_page(request, base_url)
    prefix = system_graph_prefix(oogst.settings.base_iri).removesuffix("_system/")
    dumps = [f"{base_url}/dumps/{quote(d['name'])}" for d in oogst.dumps().get("dumps", []) if d.get("feed") is None]
    result = await run_in_threadpool(oogst.query, _service_description(_endpoint(base_url), prefix, base_url, dumps),
                                     graph=wanted, trusted=True)
    return Response(result.body, media_type=result.media_type, headers=_VARY)


def _endpoint(base_url: str) -> str:
    """The endpoint's IRI: the base of relative IRIs in queries and ``sd:endpoint``."""
    return quote(f"{base_url}/sparql", safe=":/?#[]@!$&'()*+,;=%~")


def _service_description(endpoint: str, base: str, base_url: str = "", dumps: list[str] | None = None) -> str:
    """A CONSTRUCT of the SPARQL 1.1 Service Description, so the store serialises it; its
    default dataset is described with VoID: the dumps, the event stream (LDES), the VoID and
    DCAT descriptions."""
    formats = ", ".join(f"fmt:{name}" for name in _FORMAT_IRIS.values())
    data_dumps = "".join(f" ;\n    void:dataDump <{url}>" for url in dumps or [])
    return f"""PREFIX sd: <http://www.w3.org/ns/sparql-service-description#>
PREFIX fmt: <http://www.w3.org/ns/formats/>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX void: <http://rdfs.org/ns/void#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
CONSTRUCT {{
  _:service a sd:Service ;
    sd:endpoint <{endpoint}> ;
    sd:supportedLanguage sd:SPARQL11Query ;
    sd:feature sd:UnionDefaultGraph ;
    sd:defaultEntailmentRegime <http://www.w3.org/ns/entailment/Simple> ;
    sd:resultFormat {formats} ;
    sd:defaultDataset _:dataset ;
    dcterms:description "Read-only SPARQL endpoint of oogst: one named graph per published heritage record; the default graph is their union. Provenance (PROV-O) and dataset descriptions (DCAT-AP, VoID) are in the system graphs <{base}_system/provenance> and <{base}_system/datasets>: name them with default-graph-uri or named-graph-uri (system graphs only) to query them."@en .
  _:dataset a sd:Dataset, void:Dataset ;
    void:sparqlEndpoint <{endpoint}> ;
    void:rootResource <{base_url}/ldes> ;
    rdfs:seeAlso <{base_url}/.well-known/void>, <{base_url}/datasets>, <{base_url}/ldes>{data_dumps} .
}} WHERE {{}}"""


def _content_type(header: str | None) -> tuple[str, str | None]:
    """``"application/sparql-query; charset=UTF-8"`` → ``("application/sparql-query", "utf-8")``."""
    if not header:
        return "", None
    media_type, *params = (part.strip() for part in header.split(";"))
    charset = None
    for param in params:
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset":
            charset = value.strip().strip('"').lower()
    return media_type.lower(), charset


def _graph_iris(params: Params, name: str) -> list[str] | None:
    """The values of a dataset parameter, or None when it is absent (the store's default)."""
    values = [value for key, value in params if key == name]
    for value in values:
        if not _ABSOLUTE_IRI.match(value):
            raise QueryError(f"{name}={value!r} is not an absolute IRI")
    return values or None
