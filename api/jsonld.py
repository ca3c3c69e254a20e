"""Compact JSON-LD of one record, with our own OSLO context (``api/static/context.jsonld``).

The store serialises a graph as expanded JSON-LD (a list of node objects with full IRIs).
:class:`Compactor` turns that into the compact form people and programs read: Dutch
OSLO-style terms (``titel``, ``productie``, ``beheerder`` …), language maps
(``"titel": {"nl": …, "en": …}``), ``@type`` coerced values, compact IRIs
(``aat:300033799``), and nodes nested where the record refers to them.

Only the terms of the context are used, so the result expands to exactly the triples of
the graph under standard JSON-LD 1.1 processing (the tests check this with rdflib and
pyoxigraph). It is built by hand rather than with a JSON-LD processor: the context is ours,
so compaction is a table lookup per property, and it runs on every ``GET /records/{id}``.

Shape: the record's object is the top-level node; nodes it refers to (production,
classification, rights, identifiers …) are embedded at their first reference; nodes it
does not reach (the record graph's provenance, roles that point at the production) follow
in ``@included``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

CONTEXT_FILE = Path(__file__).with_name("static") / "context.jsonld"
DCAT_CONTEXT_FILE = CONTEXT_FILE.with_name("dcat-context.jsonld")
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"

Node = dict[str, Any]


def load_context(base_iri: str | None = None, path: Path = CONTEXT_FILE) -> dict[str, Any]:
    """A context document; ``base_iri`` adds the ``oogst`` prefix for this installation's
    own terms (``{base_iri}ns#``)."""
    document = json.loads(path.read_text("utf-8"))
    if base_iri:
        document["@context"]["oogst"] = base_iri.rstrip("/") + "/ns#"
    return document


class Compactor:
    """Compacts expanded JSON-LD with one context (a ``load_context`` document)."""

    def __init__(self, context: dict[str, Any]) -> None:
        definitions = context["@context"]
        self.prefixes = sorted(
            ((iri, name) for name, iri in definitions.items() if isinstance(iri, str) and not name.startswith("@")
             and iri.endswith(("/", "#"))),
            key=lambda item: -len(item[0]),
        )
        # property IRI → (term, kind, datatype): kind is "language", "id", "typed" or "plain"
        self.terms: dict[str, tuple[str, str, str | None]] = {}
        for name, definition in definitions.items():
            if not isinstance(definition, dict):
                continue
            iri = self._expand(definition["@id"])
            if definition.get("@container") == "@language":
                self.terms[iri] = (name, "language", None)
            elif definition.get("@type") == "@id":
                self.terms[iri] = (name, "id", None)
            elif "@type" in definition:
                self.terms[iri] = (name, "typed", self._expand(definition["@type"]))
            else:
                self.terms[iri] = (name, "plain", None)
        self.order = {iri: i for i, iri in enumerate(self.terms)}
        self.classes = {self._expand(v): k for k, v in definitions.items()
                        if isinstance(v, str) and k[:1].isupper()}

    def _expand(self, value: str) -> str:
        prefix, colon, suffix = value.partition(":")
        if colon:
            for iri, name in self.prefixes:
                if name == prefix:
                    return iri + suffix
        return value

    def iri(self, value: str) -> str:
        """``aat:300033799`` for an IRI under a prefix of the context, else the IRI itself."""
        for iri, name in self.prefixes:
            if value.startswith(iri) and len(value) > len(iri) and not value[len(iri):].startswith("//"):
                suffix = value[len(iri):]
                if ":" not in suffix.split("/")[0]:
                    return f"{name}:{suffix}"
        return value

    def compact(self, expanded: list[Node], root: str, context_url: str) -> Node:
        """The compact document of ``expanded`` (one graph), rooted at the IRI ``root``,
        that refers to its context at ``context_url``."""
        nodes: dict[str, Node] = {}
        for node in expanded:  # a serialiser may describe one subject in several node objects
            merged = nodes.setdefault(node["@id"], {"@id": node["@id"]})
            for key, values in node.items():
                if key != "@id":
                    merged.setdefault(key, []).extend(values)
        placed: set[str] = set()

        def node_object(node_id: str) -> Node:
            placed.add(node_id)
            node = nodes[node_id]
            out: Node = {"@id": self.iri(node_id)}
            types: list[str] = []
            for prop in sorted((p for p in node if not p.startswith("@")), key=lambda p: self.order.get(p, 1_000)):
                values = node[prop]
                if prop == RDF_TYPE and all("@id" in v for v in values):
                    types += [self.classes.get(v["@id"]) or self.iri(v["@id"]) for v in values]
                    continue
                self._property(out, prop, values, embed)
            types += [self.classes.get(t) or self.iri(t) for t in node.get("@type", [])]
            if types:
                out = {"@id": out["@id"], "@type": types[0] if len(types) == 1 else types,
                       **{k: v for k, v in out.items() if k != "@id"}}
            return out

        def embed(node_id: str) -> Node | str | None:
            """A nested node object when ``node_id`` is described and not placed yet."""
            if node_id in nodes and node_id not in placed and node_id != root:
                return node_object(node_id)
            return None

        document: Node = {"@context": context_url}
        if root in nodes:
            document.update(node_object(root))
        else:
            document["@id"] = self.iri(root)
        rest = [node_object(node_id) for node_id in nodes if node_id not in placed]
        if rest:
            document["@included"] = rest
        return document

    def _property(self, out: Node, prop: str, values: list[Node], embed: Any) -> None:
        term, kind, datatype = self.terms.get(prop, (None, "none", None))
        fallback: list[Any] = []
        if kind == "language":
            by_language: dict[str, list[str]] = {}
            for value in values:
                if "@value" in value and value.get("@type", XSD_STRING) == XSD_STRING and "@direction" not in value:
                    by_language.setdefault(value.get("@language", "@none"), []).append(value["@value"])
                else:
                    fallback.append(self._value(value, embed))
            if by_language:
                out[term] = {lang: texts[0] if len(texts) == 1 else texts for lang, texts in by_language.items()}
        elif kind in ("id", "typed", "plain"):
            compacted = []
            for value in values:
                if kind == "id" and "@id" in value:
                    compacted.append(embed(value["@id"]) or self.iri(value["@id"]))
                elif kind == "typed" and value.get("@type") == datatype and "@value" in value:
                    compacted.append(value["@value"])
                elif kind == "plain" and "@value" in value and set(value) == {"@value"}:
                    compacted.append(value["@value"])
                else:
                    fallback.append(self._value(value, embed))
            if compacted:
                out[term] = compacted[0] if len(compacted) == 1 else compacted
        else:
            fallback = [self._value(value, embed) for value in values]
        if fallback:
            out[self.iri(prop)] = fallback[0] if len(fallback) == 1 else fallback

    def _value(self, value: Node, embed: Any) -> Any:
        """A value in expanded form (for properties without a fitting term)."""
        if "@id" in value:
            return embed(value["@id"]) or {"@id": self.iri(value["@id"])}
        if "@type" in value:
            return {"@value": value["@value"], "@type": self.iri(value["@type"])}
        return dict(value)
