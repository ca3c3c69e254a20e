"""Type the nodes of a record graph from the properties that point to them.

Stored record graphs type only the heritage object (so that counting ``?o a ?t`` in the
public union graph counts published objects). The OSLO shapes and some exports need every
node typed: an identifier node as ``adms:Identifier``, an AAT term as ``skos:Concept`` …
Their class follows from the OSLO property ranges (and, for ``ce:Rol``, the domain), which
:data:`RANGES` lists. Only IRI and blank-node values are typed, never literals; no other
inference is done (full RDFS makes OSLO validation worse, see oslo-model.md §2).
"""

from __future__ import annotations

from rdflib import RDF, BNode, Graph, URIRef

_CRM = "http://www.cidoc-crm.org/cidoc-crm/"
_CE = "https://data.vlaanderen.be/ns/cultureel-erfgoed#"
_CONCEPT = "http://www.w3.org/2004/02/skos/core#Concept"
_AGENT = "http://purl.org/dc/terms/Agent"

# property → (class of its subject, class of its object); None: not inferred
RANGES: dict[str, tuple[str | None, str | None]] = {
    "http://www.w3.org/ns/adms#identifier": (None, "http://www.w3.org/ns/adms#Identifier"),
    _CRM + "P41i_was_classified_by": (None, _CRM + "E17_Type_Assignment"),
    _CRM + "P108i_was_produced_by": (None, _CRM + "E12_Production"),
    _CRM + "P43_has_dimension": (None, _CRM + "E54_Dimension"),
    _CRM + "P104_is_subject_to": (None, _CRM + "E30_Right"),
    _CRM + "P129i_is_subject_of": (None, "http://www.ics.forth.gr/isl/CRMdig/D1_Digital_Object"),
    _CE + "Rol.agent": (_CE + "Rol", _AGENT),
    _CE + "Rol.activiteit": (_CE + "Rol", None),
    **{
        _CRM + name: (None, _CONCEPT)
        for name in (
            "P2_has_type",
            "P42_assigned",
            "P45_consists_of",
            "P32_used_general_technique",
            "P14.1_in_the_role_of",
        )
    },
    **{
        _CRM + name: (None, _AGENT)
        for name in (
            "P14_carried_out_by",
            "P11_had_participant",
            "P50_has_current_keeper",
            "P52_has_current_owner",
            "P75i_is_possessed_by",
        )
    },
}
_TYPE = f"<{RDF.type}>"
_RANGE_TERMS = {f"<{p}>": (f"<{d}>" if d else None, f"<{r}>" if r else None) for p, (d, r) in RANGES.items()}


def materialise_types(data: str | Graph) -> str | Graph:
    """Add the ``rdf:type`` triples :data:`RANGES` implies.

    ``data`` is N-Triples text (a new text is returned, the added lines at the end) or an
    rdflib graph (changed in place and returned).
    """
    if isinstance(data, Graph):
        for prop, (domain, range_) in RANGES.items():
            for subject, obj in list(data.subject_objects(URIRef(prop))):
                if domain:
                    data.add((subject, RDF.type, URIRef(domain)))
                if range_ and isinstance(obj, (URIRef, BNode)):
                    data.add((obj, RDF.type, URIRef(range_)))
        return data
    added: dict[str, None] = {}
    for line in data.splitlines():
        parts = line.split(None, 2)
        if len(parts) < 3 or parts[1] not in _RANGE_TERMS:
            continue
        domain, range_ = _RANGE_TERMS[parts[1]]
        value = parts[2].rstrip().removesuffix(".").rstrip()
        if domain:
            added[f"{parts[0]} {_TYPE} {domain} .\n"] = None
        if range_ and value[:1] in ("<", "_"):  # an IRI or a blank node, not a literal
            added[f"{value} {_TYPE} {range_} .\n"] = None
    existing = set(data.splitlines(keepends=True))
    text = data if not data or data.endswith("\n") else data + "\n"
    return text + "".join(line for line in added if line not in existing)
