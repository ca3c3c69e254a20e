"""OSLO JSON-LD (LDES members) → our OSLO conventions: small members written here, and every
Ghent member of the shared corpus, with contexts resolved offline."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from rdflib import RDF, BNode, Graph, Literal, Namespace, URIRef

from oogst.errors import MappingError
from oogst.jsonld import ContextCache
from oogst.mapping import Profile, get_mapper
from oogst.mapping.profile import ExtraField
from oogst.records import MappedRecord, SourceRecord

CRM = Namespace("http://www.cidoc-crm.org/cidoc-crm/")
ADMS = Namespace("http://www.w3.org/ns/adms#")
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")
DCT = Namespace("http://purl.org/dc/terms/")
PROV = Namespace("http://www.w3.org/ns/prov#")
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")
M8G = Namespace("http://data.europa.eu/m8g/")
E22 = CRM["E22_Human-Made_Object"]
CEST_OBJECTNUMMER = URIRef("https://www.projectcest.be/wiki/Publicatie:Invulboek_objecten/Veld/Waarde_objectnummer")

# A context of our own, in the style of the OSLO forks: keys are Klasse.eigenschap.
CONTEXT = {
    "@context": {
        "MensgemaaktObject": "http://www.cidoc-crm.org/cidoc-crm/E22_Man-Made_Object",
        "Concept": "http://www.w3.org/2004/02/skos/core#Concept",
        "MensgemaaktObject.titel": {"@id": "http://www.cidoc-crm.org/cidoc-crm/P102_has_title"},
        "Entiteit.beschrijving": {"@id": "http://www.cidoc-crm.org/cidoc-crm/P3_has_note"},
        "Entiteit.identificator": {"@id": "http://www.w3.org/ns/adms#identifier"},
        "Identificator.identificator": {"@id": "http://www.w3.org/2004/02/skos/core#notation"},
        "Entiteit.type": {"@id": "http://www.cidoc-crm.org/cidoc-crm/P2_has_type", "@type": "@id"},
        "MaterieelDing.beheerder": {"@id": "http://www.cidoc-crm.org/cidoc-crm/P50_has_current_keeper", "@type": "@id"},
        "MaterieelDing.productie": {"@id": "http://www.cidoc-crm.org/cidoc-crm/P108i_was_produced_by"},
        "MaterieelDing.isOnderworpenAan": {"@id": "http://www.cidoc-crm.org/cidoc-crm/P104_is_subject_to"},
        "Recht.type": {"@id": "http://www.cidoc-crm.org/cidoc-crm/P2_has_type", "@type": "@id"},
        "Gebeurtenis.tijd": {"@id": "http://www.cidoc-crm.org/cidoc-crm/P4_has_time-span"},
        "Periode.begin": {"@id": "http://data.europa.eu/m8g/startTime", "@type": "http://www.w3.org/2001/XMLSchema#dateTime"},
        "Concept.label": {"@id": "http://www.w3.org/2004/02/skos/core#prefLabel"},
    }
}
CONTEXT_URL = "https://contexts.example.be/v1/erfgoed.jsonld"


@pytest.fixture
def contexts(tmp_path: Path) -> ContextCache:
    (tmp_path / "erfgoed.jsonld").write_text(json.dumps(CONTEXT), "utf-8")
    return ContextCache(tmp_path)


def member(**fields: Any) -> dict[str, Any]:
    return {
        "@context": [CONTEXT_URL, {"dcterms:isVersionOf": {"@type": "@id"}}],
        "@id": "https://data.example.be/id/object/7/2024-01-01T00:00:00Z",
        "@type": "MensgemaaktObject",
        "dcterms:isVersionOf": "https://data.example.be/id/object/7",
        "prov:generatedAtTime": "2024-01-01T00:00:00Z",
        **fields,
    }


def map_member(data: Any, contexts: ContextCache | None, **profile: Any) -> tuple[MappedRecord, Graph]:
    record = SourceRecord("ldes", "https://data.example.be/id/object/7", None, json.dumps(data).encode(), "oslo-jsonld")
    mapped = get_mapper("oslo-jsonld").map(record, Profile(feed="ldes", contexts=contexts, **profile))
    return mapped, Graph().parse(data=mapped.ntriples, format="nt")


def test_a_version_describes_the_persistent_object(contexts: ContextCache) -> None:
    mapped, g = map_member(member(**{"MensgemaaktObject.titel": {"@value": "Vaas", "@language": "nl"}}), contexts)
    persistent = URIRef("https://data.example.be/id/object/7")
    assert mapped.iri == str(persistent)
    assert list(g.subject_objects(RDF.type)) == [(persistent, E22)]  # CRM 6 spelling → CRM 7, one E22
    assert (None, DCT.isVersionOf, None) not in g and (None, PROV.generatedAtTime, None) not in g
    assert not any("2024-01-01" in str(term) for triple in g for term in triple)
    assert mapped.label == "Vaas"
    # the undefined prefixes were repaired, and the partner is told so
    assert any("'dcterms'" in w for w in mapped.warnings) and any("'prov'" in w for w in mapped.warnings)


def test_nested_nodes_are_kept_skolemised_and_typed(contexts: ContextCache) -> None:
    data = member(
        **{
            "Entiteit.identificator": [
                {"@type": "Concept", "Identificator.identificator": "SK-12", "Entiteit.type": "cest:Waarde_objectnummer"}
            ],
            "MaterieelDing.productie": {"Gebeurtenis.tijd": {"@value": "1900/1910", "@type": "http://id.loc.gov/datatypes/edtf/EDTF"}},
        }
    )
    data["@context"][1]["cest"] = "https://www.projectcest.be/wiki/Publicatie:Invulboek_objecten/Veld/"
    mapped, g = map_member(data, contexts)
    o = URIRef(mapped.iri)
    assert not any(isinstance(term, BNode) for triple in g for term in triple)
    identifier = g.value(o, ADMS.identifier)
    assert str(identifier).startswith("https://data.oogst.be/id/object/ldes/")
    assert g.value(identifier, SKOS.notation) == Literal("SK-12")
    assert g.value(identifier, CRM.P2_has_type) == CEST_OBJECTNUMMER
    assert set(g.objects(identifier, RDF.type)) == {ADMS.Identifier, SKOS.Concept}  # the member's "Concept" kept
    production = g.value(o, CRM.P108i_was_produced_by)
    assert g.value(production, CRM.P82a_begin_of_the_begin) == Literal("1900-01-01", datatype=XSD.date)
    assert mapped.label == "SK-12"  # no title: the object number


def test_literals_get_the_feeds_language_and_bare_years_are_years(contexts: ContextCache) -> None:
    data = member(
        **{
            "Entiteit.beschrijving": "Een  vaas\n   met <b>deksel</b>",
            "MaterieelDing.productie": {"Gebeurtenis.tijd": {"Periode.begin": "2005"}},
        }
    )
    mapped, g = map_member(data, contexts, language="nl")
    assert g.value(URIRef(mapped.iri), CRM.P3_has_note) == Literal("Een vaas\nmet deksel", lang="nl")
    assert (None, M8G.startTime, Literal("2005", datatype=XSD.gYear)) in g


def test_an_unknown_time_is_left_out_not_quarantined(contexts: ContextCache) -> None:
    data = member(**{"MaterieelDing.productie": {"Gebeurtenis.tijd": {"@value": "..", "@type": "http://id.loc.gov/datatypes/edtf/EDTF"}}})
    mapped, g = map_member(data, contexts)
    assert (None, CRM["P4_has_time-span"], None) not in g
    assert "time '..' says the date is unknown: left out" in mapped.warnings


def test_rights_keeper_and_urls_are_normalised(contexts: ContextCache) -> None:
    data = member(
        **{
            "MaterieelDing.beheerder": "https://www.wikidata.org/wiki/Q1809071",
            "MaterieelDing.isOnderworpenAan": {"Recht.type": "https://creativecommons.org/licenses/by-sa/4.0/deed.nl"},
        }
    )
    mapped, g = map_member(data, contexts, default_rights="CC0")
    o = URIRef(mapped.iri)
    assert g.value(o, CRM.P50_has_current_keeper) == URIRef("http://www.wikidata.org/entity/Q1809071")
    rights = {g.value(r, CRM.P2_has_type) for r in g.objects(o, CRM.P104_is_subject_to)}
    assert rights == {URIRef("http://creativecommons.org/licenses/by-sa/4.0/")}  # no default: it has its own


def test_a_member_that_is_no_object_keeps_its_own_type(contexts: ContextCache) -> None:
    data = member(**{"Concept.label": {"@value": "schenking", "@language": "nl"}})
    data["@type"] = "Concept"
    mapped, g = map_member(data, contexts)
    assert list(g.subject_objects(RDF.type)) == [(URIRef(mapped.iri), SKOS.Concept)]


def test_extra_fields_by_json_path(contexts: ContextCache) -> None:
    data = member(**{"Object.opschrift": [{"@value": "AVE", "@language": "la"}, "ANNO 1620"]})
    fields = (ExtraField('$["Object.opschrift"][*]', "crm:P3_has_note"),)
    mapped, g = map_member(data, contexts, fields=fields)
    assert set(g.objects(URIRef(mapped.iri), CRM.P3_has_note)) == {
        Literal("AVE", lang="la"),
        Literal("ANNO 1620", lang="nl"),
    }


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        (b"", "no payload"),
        (b"{not json", "not valid JSON"),
        (b'"a string"', "no JSON-LD object"),
        (b"[]", "without members"),
    ],
)
def test_unusable_payloads_raise_mapping_error(payload: bytes, message: str, contexts: ContextCache) -> None:
    record = SourceRecord("ldes", "x", None, payload, "oslo-jsonld")
    with pytest.raises(MappingError, match=message):
        get_mapper("oslo-jsonld").map(record, Profile(feed="ldes", contexts=contexts))


def test_a_missing_context_names_the_url_and_the_fix(tmp_path: Path) -> None:
    with pytest.raises(MappingError) as caught:
        map_member(member(), ContextCache(tmp_path))
    assert CONTEXT_URL in str(caught.value) and "contexts" in caught.value.hint
    with pytest.raises(MappingError, match="no JSON-LD context cache"):
        map_member(member(), None)


# -- the shared corpus: Ghent's members, offline ----------------------------------------------

MEMBER_FILES = [
    "members-dmg-objecten.json",
    "members-hva-objecten.json",
    "members-dmg-tentoonstellingen.json",
    "members-adlib-personen.json",
    "members-adlib-thesaurus.json",
]


@pytest.fixture(scope="module")
def ghent_contexts(corpus: Path) -> ContextCache:
    return ContextCache(corpus / "ldes-gent" / "context")  # no fetch: offline


@pytest.mark.corpus
@pytest.mark.parametrize("name", MEMBER_FILES)
def test_every_ghent_member_maps_offline(corpus: Path, ghent_contexts: ContextCache, name: str) -> None:
    members = json.loads((corpus / "ldes-gent" / name).read_text("utf-8"))
    assert members
    for data in members:
        persistent = data["dcterms:isVersionOf"]
        record = SourceRecord("gent", persistent, None, json.dumps(data).encode(), "oslo-jsonld")
        mapped = get_mapper("oslo-jsonld").map(record, Profile(feed="gent", contexts=ghent_contexts))
        g = Graph().parse(data=mapped.ntriples, format="nt")
        o = URIRef(mapped.iri)
        assert mapped.iri == persistent
        assert list(g.subjects(RDF.type, E22)) == ([o] if (o, RDF.type, E22) in g else [])
        assert not any(isinstance(term, BNode) for triple in g for term in triple)
        assert "relative.oogst.invalid" not in mapped.ntriples
        if "MensgemaaktObject.titel" in data:
            assert g.value(o, CRM.P102_has_title) is not None
        if "MaterieelDing.beheerder" in data:
            assert g.value(o, CRM.P50_has_current_keeper) is not None
        identifiers = data.get("Object.identificator") or data.get("Entiteit.identificator")
        if identifiers:
            notations = {g.value(i, SKOS.notation) for i in g.objects(o, ADMS.identifier)}
            assert notations and None not in notations
