"""Web pages for people, in Dutch or English (``i18n.py``; ``?lang=``, a cookie or
``Accept-Language``): here the record search page, a record's page and the SPARQL query page;
the landing page, sign-in and error pages in ``site.py``, the collection managers' pages in
``manage.py`` and the register-a-feed wizard in ``wizard.py``. Jinja2 templates in
``templates/``, CSS and a little JavaScript in ``static/`` (served at ``/static``); nothing is
loaded from another site.

The routes that serve the record and SPARQL pages are the API's own (``/records``,
``/records/{id}``, ``/sparql``): a browser's ``Accept`` header picks the page, a program's
picks the data.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from ...pipeline import Doc, SearchQuery

HERE = Path(__file__).parent
STATIC_DIR = HERE / "static"
_PATH_SAFE = "/-._~:@!$&'()*+,;="

RIGHTS_LABELS = {
    "http://creativecommons.org/publicdomain/zero/1.0/": "CC0 1.0",
    "http://creativecommons.org/publicdomain/mark/1.0/": "Publiek domein / Public Domain Mark",
    "http://creativecommons.org/licenses/by/4.0/": "CC BY 4.0",
    "http://creativecommons.org/licenses/by-sa/4.0/": "CC BY-SA 4.0",
    "http://creativecommons.org/licenses/by-nc/4.0/": "CC BY-NC 4.0",
    "http://creativecommons.org/licenses/by-nd/4.0/": "CC BY-ND 4.0",
    "http://creativecommons.org/licenses/by-nc-sa/4.0/": "CC BY-NC-SA 4.0",
    "http://creativecommons.org/licenses/by-nc-nd/4.0/": "CC BY-NC-ND 4.0",
    "http://rightsstatements.org/vocab/InC/1.0/": "In copyright",
    "http://rightsstatements.org/vocab/NoC-NC/1.0/": "No copyright – non-commercial use only",
    "http://rightsstatements.org/vocab/CNE/1.0/": "Copyright not evaluated",
    "http://rightsstatements.org/vocab/UND/1.0/": "Copyright undetermined",
}
FACET_TITLES = (  # facet kind → the i18n key of its title
    ("provider", "facet.provider"),
    ("type", "facet.type"),
    ("rights", "facet.rights"),
    ("has_image", "facet.has_image"),
    ("feed", "facet.feed"),
)

# A shared node (a keeper, a maker, an AAT concept) is described in every record graph that
# uses it, and the union default graph keeps one copy per graph: the examples count by IRI
# first and join labels afterwards, or ask DISTINCT, so they stay fast on 100,000 records.
EXAMPLES = [
    {"title": "Objecten met titel en maker · Objects with title and maker", "query": """\
PREFIX crm: <http://www.cidoc-crm.org/cidoc-crm/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT DISTINCT ?object ?title ?maker WHERE {
  ?object a crm:E22_Human-Made_Object ;
          crm:P102_has_title ?title .
  FILTER (lang(?title) = "nl")
  OPTIONAL { ?object crm:P108i_was_produced_by/crm:P14_carried_out_by/skos:prefLabel ?maker }
}
LIMIT 20"""},
    {"title": "Aantal objecten per objectnaam · Objects per object name", "query": """\
PREFIX crm: <http://www.cidoc-crm.org/cidoc-crm/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?concept (SAMPLE(?label) AS ?name) ?objects WHERE {
  {
    SELECT ?concept (COUNT(?object) AS ?objects) WHERE {
      ?object crm:P41i_was_classified_by/crm:P42_assigned ?concept .
    }
    GROUP BY ?concept ORDER BY DESC(?objects) LIMIT 20
  }
  OPTIONAL { ?concept skos:prefLabel ?label FILTER (lang(?label) = "nl" || lang(?label) = "") }
}
GROUP BY ?concept ?objects
ORDER BY DESC(?objects)"""},
    {"title": "Objecten per beheerder · Objects per keeper", "query": """\
PREFIX crm: <http://www.cidoc-crm.org/cidoc-crm/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?keeper (SAMPLE(?label) AS ?name) ?objects WHERE {
  {
    SELECT ?keeper (COUNT(?object) AS ?objects) WHERE {
      ?object crm:P50_has_current_keeper ?keeper .
    }
    GROUP BY ?keeper
  }
  OPTIONAL { ?keeper skos:prefLabel ?label FILTER (lang(?label) = "nl" || lang(?label) = "") }
}
GROUP BY ?keeper ?objects
ORDER BY DESC(?objects)"""},
    {"title": "Vrij herbruikbare beelden · Openly licensed images", "query": """\
PREFIX crm: <http://www.cidoc-crm.org/cidoc-crm/>
SELECT ?object ?title ?image ?rights WHERE {
  ?object crm:P102_has_title ?title ;
          crm:P129i_is_subject_of ?image ;
          crm:P104_is_subject_to/crm:P2_has_type ?rights .
  FILTER (lang(?title) = "nl")
  VALUES ?rights { <http://creativecommons.org/publicdomain/zero/1.0/>
                   <http://creativecommons.org/publicdomain/mark/1.0/> }
}
LIMIT 20"""},
    {"title": "Datering (EDTF) · Dates of production", "query": """\
PREFIX crm: <http://www.cidoc-crm.org/cidoc-crm/>
SELECT ?object ?title ?date WHERE {
  ?object crm:P108i_was_produced_by/crm:P4_has_time-span ?date ;
          crm:P102_has_title ?title .
  FILTER (lang(?title) = "nl")
}
LIMIT 20"""},
    {"title": "Herkomst van records · Provenance of the records", "query": """\
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT ?record ?object ?feed ?modified WHERE {
  ?record foaf:primaryTopic ?object ;
          prov:wasDerivedFrom ?feed ;
          dcterms:modified ?modified .
}
LIMIT 20"""},
]


def _environment() -> Environment:
    return Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(["html"]),
                       trim_blocks=True, lstrip_blocks=True)


class Pages:
    """The templates, loaded once per app (``app.state.pages``)."""

    def __init__(self) -> None:
        self.env = _environment()

    def render(self, name: str, /, **context: Any) -> bytes:
        return self.env.get_template(name).render(**context).encode("utf-8")


def _pages(request: Request) -> Pages:
    return request.app.state.pages


def rights_label(iri: str) -> str:
    return RIGHTS_LABELS.get(iri, iri)


def record_url(base_url: str, record_id: str, **params: str) -> str:
    url = f"{base_url}/records/{quote(record_id, safe=_PATH_SAFE)}"
    return f"{url}?{urlencode(params)}" if params else url


def record_page(request: Request, base_url: str, doc: Doc | None, record: dict[str, Any]) -> bytes:
    """A record's page: every field of its graph with labels, the image, links to its data and
    to SPARQL; for a partner who may see the feed also the source as delivered, the checks
    and the EDM slot. ``doc`` is None for an unpublished (quarantined, withdrawn) record."""
    from .site import render, viewer  # site imports this module

    oogst = request.app.state.oogst
    rid = record["record_id"]
    iri = record["object_iri"] or ""
    links = {fmt: record_url(base_url, rid, format=fmt) for fmt in ("jsonld", "turtle", "ntriples", "rdfxml")}
    links["sparql"] = f"{base_url}/sparql?{urlencode({'query': f'DESCRIBE <{iri}>'})}"
    partner = oogst.accounts.may_see_record(viewer(request), record)
    details = oogst.record_details(record) if (record["published"] or partner) else None
    source = oogst.source_record(record) if partner else None
    graph = oogst.record_ntriples(record) if partner else None
    title = (doc.title if doc else None) or record["label"] or rid
    return render(
        request, "record.html", doc=doc, record=record, links=links, details=details, title=title,
        other_titles=[(t, lang) for t, lang in doc.titles if t != doc.title] if doc else [],
        provider_url=f"{base_url}/records?{urlencode({'provider': doc.provider})}" if doc else None,
        partner=partner, source=oogst.readable_source(source.payload, source.media_type) if source else None,
        findings=(record.get("report") or {}).get("findings", []) if partner else [],
        feed_url=f"{base_url}/manage/feeds/{quote(record['feed'], safe='')}", link_concepts=bool(doc),
        tiers=oogst.graph_tiers(graph, record["feed"]) if graph else None,
        edm=oogst.graph_edm(graph, record["feed"]) if graph else None,
    )


def unavailable_page(request: Request, base_url: str, record: dict[str, Any]) -> HTMLResponse:
    """Why a record is not there: withdrawn (410) or quarantined (404) — with its findings, the
    version oogst made and the source for a partner who may see its feed."""
    from .site import finish

    response = HTMLResponse(record_page(request, base_url, None, record),
                            status_code=410 if record["state"] == "withdrawn" else 404)
    return finish(request, response)


def records_page(request: Request, base_url: str, query: SearchQuery, docs: list[Doc],
                 facets: dict[str, list[dict[str, Any]]] | None, next_url: str | None) -> HTMLResponse:
    """The search page: a search box, facets with counts, and one page of results."""
    from .site import finish, render

    concept = request.app.state.oogst.concept_label
    params = [(k, v) for k, v in request.query_params.multi_items()
              if k not in ("cursor", "facets", "format", "lang")]
    facets = facets or {}

    def toggle(kind: str, value: str) -> str:
        """The URL with this filter added, or removed when it is on (one has_image at a time)."""
        wanted = (kind, value)
        rest = [p for p in params if p != wanted]
        if len(rest) == len(params):
            rest = [p for p in rest if not (kind == "has_image" and p[0] == "has_image")] + [wanted]
        return f"{base_url}/records" + (f"?{urlencode(rest)}" if rest else "")

    def facet_label(kind: str, facet: dict[str, Any]) -> str:
        label = str(facet["label"])
        if kind == "rights":
            return rights_label(label)
        if kind == "type" and label == str(facet["value"]) and "://" in label:
            return concept(label)  # a concept nobody labelled: the concordance, else its local name
        return label

    shown: dict[str, list[dict[str, Any]]] = {}
    for kind, _ in FACET_TITLES:
        entries = []
        for facet in facets.get(kind, []):
            value = ("true" if facet["value"] else "false") if kind == "has_image" else str(facet["value"])
            entries.append({"label": facet_label(kind, facet), "count": facet["count"], "url": toggle(kind, value),
                            "active": (kind, value) in params, "value": value})
        shown[kind] = entries
    total = sum(f["count"] for f in facets.get("has_image", []))
    items = [{"record_id": d.record_id, "url": record_url(base_url, d.record_id), "title": d.title,
              "images": d.images, "provider": d.provider, "date": d.date,
              "object_names": [n.label or concept(n.iri) for n in (d.object_names or d.types)],
              "makers": [m.label or concept(m.iri) for m in d.makers]} for d in docs]
    body = render(
        request, "records.html", query=query, items=items, facets=shown, total=total,
        facet_titles=FACET_TITLES, next_url=next_url, active=any(k != "q" for k, _ in params),
        hidden=[(k, v) for k, v in params if k != "q"],
        clear_url=f"{base_url}/records" + (f"?{urlencode({'q': query.q})}" if query.q else ""),
        json_url=f"{base_url}/records?{urlencode([*params, ('format', 'json')])}",
    )
    return finish(request, HTMLResponse(body))


def sparql_page(request: Request, base_url: str) -> HTMLResponse:
    """The query page: an editor with example queries over the OSLO model and a result table."""
    from .site import finish, render

    body = render(request, "sparql.html", action=request.url.path, examples=EXAMPLES,
                  examples_json=json.dumps(EXAMPLES).replace("</", "<\\/"))
    return finish(request, HTMLResponse(body))
