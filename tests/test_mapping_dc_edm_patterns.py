"""Dublin Core and EDM as other exporters write them: EDM with its data on ore:Proxy (as
Europeana holds it, with its own enrichments kept apart), qualifiers and roles in names,
persistent identifiers, subjects of texts, dates that stand for no date, languages."""

from __future__ import annotations

import pytest
from rdflib import RDF, Literal, URIRef

from oogst.mapping import Profile, get_mapper, records_in_file

from .test_mapping_edm import CRM, EDTF, HEAD, SKOS, map_edm
from .test_mapping_oai_dc import dc, map_dc

ITEM = "http://data.europeana.eu/item/2048128/618580"
PROVIDER_PROXY = "http://data.europeana.eu/proxy/provider/2048128/618580"
EUROPEANA_PROXY = "http://data.europeana.eu/proxy/europeana/2048128/618580"


def internal_edm(provider: str, europeana: str = "", cho: str = "") -> bytes:
    """EDM as Europeana holds it: an empty CHO, the provider's proxy with the data, the
    Europeana proxy with enrichments, both aggregations."""
    return (
        f'{HEAD}<edm:ProvidedCHO rdf:about="{ITEM}">{cho}</edm:ProvidedCHO>'
        f'<ore:Proxy rdf:about="{PROVIDER_PROXY}">{provider}<ore:proxyFor rdf:resource="{ITEM}"/>'
        '<ore:proxyIn rdf:resource="http://data.europeana.eu/aggregation/provider/2048128/618580"/>'
        "<edm:europeanaProxy>false</edm:europeanaProxy></ore:Proxy>"
        f'<ore:Proxy rdf:about="{EUROPEANA_PROXY}">{europeana}<ore:proxyFor rdf:resource="{ITEM}"/>'
        '<ore:proxyIn rdf:resource="http://data.europeana.eu/aggregation/europeana/2048128/618580"/>'
        "<edm:europeanaProxy>true</edm:europeanaProxy></ore:Proxy>"
        '<ore:Aggregation rdf:about="http://data.europeana.eu/aggregation/provider/2048128/618580">'
        f'<edm:aggregatedCHO rdf:resource="{ITEM}"/><edm:dataProvider>Museum Voorbeeld</edm:dataProvider>'
        '<edm:isShownAt rdf:resource="https://museum.example.be/object/7"/>'
        '<edm:rights rdf:resource="http://creativecommons.org/publicdomain/zero/1.0/"/></ore:Aggregation>'
        '<edm:EuropeanaAggregation rdf:about="http://data.europeana.eu/aggregation/europeana/2048128/618580">'
        f'<edm:aggregatedCHO rdf:resource="{ITEM}"/></edm:EuropeanaAggregation></rdf:RDF>'
    ).encode()


# -- EDM: proxies -------------------------------------------------------------------------


def test_the_provider_proxy_gives_title_identifier_dates_types_and_materials() -> None:
    mapped, g = map_edm(internal_edm(
        '<dc:title xml:lang="nl">Kandelaar</dc:title><dc:identifier>KM-7</dc:identifier>'
        '<dcterms:created>ca. 1660</dcterms:created><dc:type xml:lang="nl">kandelaar</dc:type>'
        '<dcterms:medium rdf:resource="http://vocab.getty.edu/aat/300011020"/><edm:type>3D</edm:type>'))
    o = URIRef(ITEM)
    assert mapped.iri == ITEM
    assert g.value(o, CRM.P102_has_title) == Literal("Kandelaar", lang="nl")
    assert {str(g.value(i, SKOS.notation)) for i in g.objects(o, URIRef("http://www.w3.org/ns/adms#identifier"))} == {"KM-7"}
    production = g.value(o, CRM.P108i_was_produced_by)
    assert g.value(production, CRM["P4_has_time-span"]) == Literal("1660~", datatype=EDTF)
    assert g.value(o, CRM.P45_consists_of) == URIRef("http://vocab.getty.edu/aat/300011020")
    assert g.value(o, CRM.P41i_was_classified_by) is not None


def test_europeana_enrichments_count_only_where_the_provider_is_silent() -> None:
    mapped, g = map_edm(internal_edm(
        '<dc:title xml:lang="nl">Kandelaar</dc:title><dc:subject xml:lang="nl">eredienst</dc:subject>',
        '<dc:subject rdf:resource="http://data.europeana.eu/concept/base/17"/>'
        '<dc:title xml:lang="en">Candlestick (Europeana)</dc:title><edm:year>1660</edm:year>'))
    o = URIRef(ITEM)
    assert set(g.objects(o, CRM.P102_has_title)) == {Literal("Kandelaar", lang="nl")}
    assert URIRef("http://data.europeana.eu/concept/base/17") not in set(g.objects(o, CRM.P62_depicts))
    production = g.value(o, CRM.P108i_was_produced_by)
    assert g.value(production, CRM["P4_has_time-span"]) == Literal("1660", datatype=EDTF)  # only Europeana dates it


def test_a_text_subject_is_what_it_is_about() -> None:
    mapped, g = map_edm(internal_edm('<dc:title>Brief</dc:title><dc:subject>zeevaart</dc:subject><edm:type>TEXT</edm:type>'))
    assert g.value(g.value(URIRef(ITEM), CRM.P128_carries), CRM.P129_is_about) is not None  # its content is about it
    assert g.value(URIRef(ITEM), CRM.P62_depicts) is None


@pytest.mark.parametrize(("creator", "prop"), [("kopie naar Bruegel, Pieter", CRM.P15_was_influenced_by),
                                               ("Dupont, Jean (ancien possesseur)", CRM.P51_has_former_or_current_owner)])
def test_edm_names_with_a_qualifier_or_a_role(creator: str, prop: URIRef) -> None:
    mapped, g = map_edm(internal_edm(f"<dc:title>x</dc:title><dc:creator>{creator}</dc:creator>"))
    production = g.value(URIRef(ITEM), CRM.P108i_was_produced_by)
    assert g.value(production, CRM.P14_carried_out_by) is None
    assert g.value(production, prop) is not None or g.value(URIRef(ITEM), prop) is not None


# -- Dublin Core ---------------------------------------------------------------------------


@pytest.mark.parametrize("contributor", ["Dupont, Jean (ancien possesseur)", "Dupont, Jean, former owner",
                                         "Dupont, Jean (verzamelaar)"])
def test_a_former_owner_is_no_participant(contributor: str) -> None:
    mapped, g = map_dc(dc(f"<dc:title>Kist</dc:title><dc:contributor>{contributor}</dc:contributor>"))
    o = URIRef(mapped.iri)
    production = g.value(o, CRM.P108i_was_produced_by)
    assert (production, CRM.P11_had_participant, None) not in g and (production, CRM.P14_carried_out_by, None) not in g
    owner = g.value(o, CRM.P51_has_former_or_current_owner)
    assert g.value(owner, SKOS.prefLabel) == Literal("Dupont, Jean")


def test_a_contributor_without_role_takes_part() -> None:
    mapped, g = map_dc(dc("<dc:title>Kist</dc:title><dc:contributor>Dupont, Jean</dc:contributor>"))
    production = g.value(URIRef(mapped.iri), CRM.P108i_was_produced_by)
    assert g.value(production, CRM.P11_had_participant) is not None


@pytest.mark.parametrize(("creator", "prop"), [("naar Rubens, Peter Paul", CRM.P15_was_influenced_by),
                                               ("Rubens, Peter Paul (atelier van)", CRM.P14_carried_out_by),
                                               ("toegeschreven aan Rubens, Peter Paul", CRM.P140i_was_attributed_by)])
def test_dc_creators_with_a_qualifier(creator: str, prop: URIRef) -> None:
    mapped, g = map_dc(dc(f"<dc:title>Schets</dc:title><dc:creator>{creator}</dc:creator>"))
    production = g.value(URIRef(mapped.iri), CRM.P108i_was_produced_by)
    target = g.value(production, prop)
    assert target is not None
    names = {str(g.value(a, SKOS.prefLabel)) for a in g.subjects(None, None) if g.value(a, SKOS.prefLabel)}
    assert "Rubens, Peter Paul" in names


def test_an_ark_is_the_objects_iri() -> None:
    mapped, g = map_dc(dc("<dc:title>Kaart</dc:title><dc:identifier>ark:/12148/btv1b8449691v</dc:identifier>"
                          "<dc:identifier>K-17</dc:identifier>"))
    assert mapped.iri == "https://n2t.net/ark:/12148/btv1b8449691v"
    notations = {str(g.value(i, SKOS.notation)) for i in g.objects(URIRef(mapped.iri), URIRef("http://www.w3.org/ns/adms#identifier"))
                 if (i, CRM.P2_has_type, None) in g}
    assert notations == {"K-17"}  # the ark is no inventory number


def test_a_dc_file_gets_its_iri_from_its_ark_not_the_file_name() -> None:
    payload = (b'<oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/" '
               b'xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>Kaart</dc:title>'
               b"<dc:identifier>https://gallica.bnf.fr/ark:/12148/btv1b8449691v</dc:identifier></oai_dc:dc>")
    (record,) = records_in_file(payload, "oai_dc", feed="file", name="kaart.xml").records
    assert record.source_id == "https://gallica.bnf.fr/ark:/12148/btv1b8449691v"
    mapped = get_mapper("oai_dc").map(record, Profile(feed="file"))
    assert mapped.iri == "https://gallica.bnf.fr/ark:/12148/btv1b8449691v"


def test_the_subjects_of_a_text_are_what_it_is_about() -> None:
    mapped, g = map_dc(dc("<dc:title>Brief</dc:title><dc:type>Text</dc:type><dc:subject>zeevaart</dc:subject>"))
    assert g.value(g.value(URIRef(mapped.iri), CRM.P128_carries), CRM.P129_is_about) is not None  # its content is about it
    assert g.value(URIRef(mapped.iri), CRM.P62_depicts) is None


@pytest.mark.parametrize("date", ["0", "0000-00-00", "onbekend", "s.d."])
def test_a_date_that_stands_for_none_is_left_out(date: str) -> None:
    mapped, g = map_dc(dc(f"<dc:title>Kist</dc:title><dc:creator>Jan</dc:creator><dc:date>{date}</dc:date>"))
    assert (None, CRM["P4_has_time-span"], None) not in g
    assert any("stands for no date" in w for w in mapped.warnings)


def test_an_arabic_title_without_language_is_not_dutch() -> None:
    mapped, g = map_dc(dc("<dc:title>مخطوطة</dc:title><dc:title>Handschrift</dc:title>"))
    assert set(g.objects(URIRef(mapped.iri), CRM.P102_has_title)) == {Literal("مخطوطة", lang="ar"),
                                                                      Literal("Handschrift", lang="nl")}


def test_every_node_is_typed() -> None:
    mapped, g = map_dc(dc("<dc:title>Kist</dc:title><dc:creator>Jan</dc:creator><dc:publisher>STAM</dc:publisher>"
                          "<dc:identifier>K-1</dc:identifier><dc:type>kist</dc:type><dc:rights>CC0</dc:rights>"))
    o = URIRef(mapped.iri)
    for prop, cls in ((CRM.P108i_was_produced_by, CRM.E12_Production), (CRM.P104_is_subject_to, CRM.E30_Right),
                      (CRM.P41i_was_classified_by, CRM.E17_Type_Assignment),
                      (CRM.P50_has_current_keeper, URIRef("http://www.w3.org/ns/org#Organization"))):
        assert (g.value(o, prop), RDF.type, cls) in g, prop
    assert len(list(g.subjects(RDF.type, CRM["E22_Human-Made_Object"]))) == 1
