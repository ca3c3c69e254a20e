"""OSLO JSON-LD as other Ghent streams and forks write it: contexts that type names and
titles rdf:langString (given plain strings), IRIs typed with a class, compact IRIs with a
space, Wikidata and Getty IRIs in their other forms, units in words, dossiers through the
acceptance shapes (members with inline contexts, one pattern each)."""

from __future__ import annotations

import json

import pyoxigraph
import pytest
from rdflib import RDF, Graph, Literal, Namespace, URIRef

from oogst.jsonld import ContextCache
from oogst.mapping import Profile, get_mapper
from oogst.records import SourceRecord
from oogst.shapes import Validator

CRM = Namespace("http://www.cidoc-crm.org/cidoc-crm/")
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")
SCHEMA = Namespace("https://schema.org/")
ORG = Namespace("http://www.w3.org/ns/org#")
CONTEXT = {
    "crm": "http://www.cidoc-crm.org/cidoc-crm/", "skos": "http://www.w3.org/2004/02/skos/core#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#", "org": "http://www.w3.org/ns/org#",
    "schema": "https://schema.org/", "adms": "http://www.w3.org/ns/adms#", "dcterms": "http://purl.org/dc/terms/",
    "cest": "https://www.projectcest.be/wiki/Publicatie:Invulboek_objecten/Veld/",
    "MensgemaaktObject": "crm:E22_Human-Made_Object", "Organisatie": "org:Organization",
    "Dossier": "https://data.vlaanderen.be/ns/dossier#Dossier",
    "titel": {"@id": "crm:P102_has_title", "@type": "rdf:langString"},
    "naam": {"@id": "skos:prefLabel", "@type": "rdf:langString"},
    "Dossier.naam": {"@id": "dcterms:title", "@type": "http://www.w3.org/2001/XMLSchema#string"},
    "beheerder": {"@id": "crm:P50_has_current_keeper", "@type": "@id"},
    "isEenheidVan": {"@id": "org:unitOf", "@type": "org:Organization"},
    "type": {"@id": "crm:P2_has_type", "@type": "@id"},
    "rol": {"@id": "crm:P14.1_in_the_role_of", "@type": "@id"},
    "dimensie": {"@id": "crm:P43_has_dimension"}, "eenheid": {"@id": "schema:unitText"},
    "waarde": {"@id": "schema:value"},
}


def mapped_member(body: dict, member_id: str = "https://museum.example.be/o/1"):
    data = {"@context": CONTEXT, "@id": member_id, "@type": "MensgemaaktObject", **body}
    record = SourceRecord("ldes", member_id, None, json.dumps(data).encode(), "oslo-jsonld")
    mapped = get_mapper("oslo-jsonld").map(record, Profile(feed="ldes", contexts=ContextCache()))
    list(pyoxigraph.parse(mapped.ntriples, format=pyoxigraph.RdfFormat.N_TRIPLES))  # always valid
    return mapped, Graph().parse(data=mapped.ntriples, format="nt")


def test_a_plain_string_where_the_context_says_langstring_is_text_with_a_language() -> None:
    mapped, g = mapped_member({"titel": "Portret van een vrouw", "beheerder": {"@id": "https://museum.example.be/",
                                                                              "naam": "Museum"}})
    assert "rdf-syntax-ns#langString" not in mapped.ntriples
    assert g.value(URIRef(mapped.iri), CRM.P102_has_title) == Literal("Portret van een vrouw", lang="nl")
    # an agent's name is in no language, as oogst's other mappers write it
    assert g.value(URIRef("https://museum.example.be/"), SKOS.prefLabel) == Literal("Museum")
    assert any("feed's language" in w for w in mapped.warnings)


def test_an_iri_typed_with_a_class_stays_an_iri() -> None:
    mapped, g = mapped_member({"beheerder": {"@id": "https://stad.gent/id/dienst/7", "@type": "Organisatie",
                                             "isEenheidVan": "https://stad.gent/id/organisatie/stad-gent"}})
    unit = URIRef("https://stad.gent/id/dienst/7")
    assert g.value(unit, ORG.unitOf) == URIRef("https://stad.gent/id/organisatie/stad-gent")


@pytest.mark.parametrize(("given", "expected"), [
    ("https://www.wikidata.org/entity/q15587490", "http://www.wikidata.org/entity/Q15587490"),
    ("https://www.wikidata.org/wiki/Q15587490", "http://www.wikidata.org/entity/Q15587490"),
    ("http://vocab.getty.edu/page/aat/300033618", "http://vocab.getty.edu/aat/300033618"),
    ("https://vocab.getty.edu/aat/300033618.json", "http://vocab.getty.edu/aat/300033618"),
    ("cest: Rol_vervaardiger", "https://www.projectcest.be/wiki/Publicatie:Invulboek_objecten/Veld/Rol_vervaardiger"),
])
def test_iris_are_normalised(given: str, expected: str) -> None:
    mapped, g = mapped_member({"type": given})
    assert g.value(URIRef(mapped.iri), CRM.P2_has_type) == URIRef(expected)
    assert "%20" not in mapped.ntriples


@pytest.mark.parametrize(("unit", "code"), [("Centimeters", "CentiM"), ("cm.", "CentiM"), ("mm", "MilliM")])
def test_a_unit_in_words_gets_its_iri(unit: str, code: str) -> None:
    mapped, g = mapped_member({"dimensie": {"eenheid": unit, "waarde": "12"}})
    dimension = g.value(URIRef(mapped.iri), CRM.P43_has_dimension)
    assert g.value(dimension, SCHEMA.unitCode) == URIRef("http://qudt.org/vocab/unit/" + code)
    assert (dimension, RDF.type, CRM.E54_Dimension) in g


def test_a_unit_iri_is_never_unit_text() -> None:
    mapped, g = mapped_member({"dimensie": {"eenheid": "http://qudt.org/vocab/unit/CentiM", "waarde": "12"}})
    dimension = g.value(URIRef(mapped.iri), CRM.P43_has_dimension)
    assert g.value(dimension, SCHEMA.unitText) is None
    assert g.value(dimension, SCHEMA.unitCode) == URIRef("http://qudt.org/vocab/unit/CentiM")


def test_a_dossier_goes_through_the_acceptance_shapes() -> None:
    data = {"@context": CONTEXT, "@id": "https://archief.example.be/dossier/12", "@type": "Dossier"}
    record = SourceRecord("ldes", data["@id"], None, json.dumps(data).encode(), "oslo-jsonld")
    empty = get_mapper("oslo-jsonld").map(record, Profile(feed="ldes", contexts=ContextCache()))
    data["Dossier.naam"] = "Briefwisseling van de stadsarchitect"
    data["@id"] = "https://archief.example.be/dossier/13"
    record = SourceRecord("ldes", data["@id"], None, json.dumps(data).encode(), "oslo-jsonld")
    named = get_mapper("oslo-jsonld").map(record, Profile(feed="ldes", contexts=ContextCache()))
    reports = Validator("acceptance").validate([empty, named])
    assert "acceptance:titel" in {f.rule for f in reports[empty.source_id].findings}
    assert "acceptance:titel" not in {f.rule for f in reports[named.source_id].findings}
    assert not reports[named.source_id].conforms  # no keeper, rights, page: a dossier is no exception
    assert named.label == "Briefwisseling van de stadsarchitect"
