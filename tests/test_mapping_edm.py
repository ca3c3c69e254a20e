"""EDM as providers deliver it → OSLO: small records written here, and the corpus' EDM files."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import RDF, BNode, Graph, Literal, Namespace, URIRef

from oogst.errors import MappingError
from oogst.mapping import Profile, get_mapper
from oogst.records import MappedRecord, SourceRecord

CRM = Namespace("http://www.cidoc-crm.org/cidoc-crm/")
ADMS = Namespace("http://www.w3.org/ns/adms#")
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")
FOAF = Namespace("http://xmlns.com/foaf/0.1/")
DCT = Namespace("http://purl.org/dc/terms/")
EDTF = URIRef("http://id.loc.gov/datatypes/edtf/EDTF")

HEAD = (
    '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:dc="http://purl.org/dc/elements/1.1/" '
    'xmlns:dcterms="http://purl.org/dc/terms/" xmlns:edm="http://www.europeana.eu/schemas/edm/" '
    'xmlns:ore="http://www.openarchives.org/ore/terms/" xmlns:skos="http://www.w3.org/2004/02/skos/core#">'
)


def edm(cho: str, aggregation: str = "", extra: str = "", about: str = "https://museum.example.be/id/7") -> bytes:
    return (
        f'{HEAD}<edm:ProvidedCHO rdf:about="{about}">{cho}</edm:ProvidedCHO>{extra}'
        f'<ore:Aggregation rdf:about="https://museum.example.be/agg/7"><edm:aggregatedCHO rdf:resource="{about}"/>'
        f"{aggregation}</ore:Aggregation></rdf:RDF>"
    ).encode()


def map_edm(payload: bytes, profile: Profile | None = None) -> tuple[MappedRecord, Graph]:
    record = SourceRecord("eu", "oai:eu:7", None, payload, "edm")
    mapped = get_mapper("edm").map(record, profile or Profile(feed="eu"))
    return mapped, Graph().parse(data=mapped.ntriples, format="nt")


def test_the_cho_and_its_aggregation() -> None:
    mapped, g = map_edm(
        edm(
            '<dc:title xml:lang="nl">Kandelaar</dc:title><dc:identifier>KM-7</dc:identifier>'
            '<dc:creator>Roels, Jan</dc:creator><dc:date>ca. 1660</dc:date><edm:type>3D</edm:type>'
            '<dcterms:isPartOf rdf:resource="https://museum.example.be/id/6"/><dcterms:isPartOf>Reeks A</dcterms:isPartOf>',
            '<edm:dataProvider>Museum Voorbeeld</edm:dataProvider>'
            '<edm:isShownAt rdf:resource="https://museum.example.be/7"/>'
            '<edm:object rdf:resource="https://museum.example.be/7.jpg"/>'
            '<edm:rights rdf:resource="https://rightsstatements.org/vocab/InC/1.0/"/>',
        )
    )
    o = URIRef("https://museum.example.be/id/7")
    assert mapped.iri == str(o) and mapped.label == "Kandelaar"
    assert list(g.subjects(RDF.type, CRM["E22_Human-Made_Object"])) == [o]
    assert g.value(g.value(o, ADMS.identifier), SKOS.notation) == Literal("KM-7")
    production = g.value(o, CRM.P108i_was_produced_by)
    assert g.value(production, CRM["P4_has_time-span"]) == Literal("1660~", datatype=EDTF)
    assert g.value(production, CRM.P3_has_note) == Literal("ca. 1660", lang="nl")
    assert g.value(g.value(production, CRM.P14_carried_out_by), SKOS.prefLabel) == Literal("Roels, Jan")
    assert g.value(o, CRM.P2_has_type) == URIRef("http://purl.org/dc/dcmitype/PhysicalObject")
    assert g.value(o, CRM.P46i_forms_part_of) == URIRef("https://museum.example.be/id/6")
    assert g.value(o, DCT.isPartOf) == Literal("Reeks A", lang="nl")
    assert g.value(g.value(o, CRM.P50_has_current_keeper), SKOS.prefLabel) == Literal("Museum Voorbeeld", lang="nl")
    assert g.value(o, FOAF.page) == URIRef("https://museum.example.be/7")
    assert g.value(o, CRM.P129i_is_subject_of) == URIRef("https://museum.example.be/7.jpg")
    right = g.value(o, CRM.P104_is_subject_to)
    assert g.value(right, CRM.P2_has_type) == URIRef("http://rightsstatements.org/vocab/InC/1.0/")
    assert not any(isinstance(term, BNode) for triple in g for term in triple)


def test_a_cho_without_http_iri_gets_a_minted_one_and_keeps_its_id() -> None:
    mapped, g = map_edm(edm("<dc:title>x</dc:title>", about="URN:NBN:SI:doc-1"), Profile(feed="eu", default_rights="CC0"))
    assert mapped.iri == "https://data.oogst.be/id/object/eu/oai:eu:7"
    assert Literal("URN:NBN:SI:doc-1") in set(g.objects(None, SKOS.notation))
    right = g.value(URIRef(mapped.iri), CRM.P104_is_subject_to)
    assert g.value(right, CRM.P2_has_type) == URIRef("http://creativecommons.org/publicdomain/zero/1.0/")


def test_payloads_that_are_no_edm() -> None:
    with pytest.raises(MappingError, match="no edm:ProvidedCHO"):
        map_edm(f"{HEAD}</rdf:RDF>".encode())
    with pytest.raises(MappingError, match="no rdf:RDF"):
        map_edm(b"<lido:lido xmlns:lido='http://www.lido-schema.org'/>")


@pytest.mark.corpus
def test_every_corpus_edm_record_maps(corpus: Path) -> None:
    files = sorted((corpus / "edm").glob("*.xml")) + sorted((corpus / "edm" / "invalid").glob("*.xml"))
    mapped_any = False
    for path in files:
        record = SourceRecord("eu", path.name, None, path.read_bytes(), "edm")
        try:
            mapped = get_mapper("edm").map(record, Profile(feed="eu"))
        except MappingError as exc:  # a web resource sample without a CHO: said so, not crashed
            assert "no edm:ProvidedCHO" in str(exc), path.name
            continue
        mapped_any = True
        g = Graph().parse(data=mapped.ntriples, format="nt")
        o = URIRef(mapped.iri)
        assert g.value(o, CRM.P102_has_title) is not None or g.value(o, CRM.P3_has_note) is not None, path.name
        if b"edm:dataProvider" in record.payload:
            assert g.value(o, CRM.P50_has_current_keeper) is not None, path.name
        assert list(g.subjects(RDF.type, CRM["E22_Human-Made_Object"])) == [o]
    assert mapped_any
