"""oai_dc → OSLO: conservative, literals unless a value is a URI."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import RDF, Graph, Literal, Namespace, URIRef

from oogst.errors import MappingError
from oogst.mapping import Profile, get_mapper
from oogst.records import MappedRecord, SourceRecord

CRM = Namespace("http://www.cidoc-crm.org/cidoc-crm/")
ADMS = Namespace("http://www.w3.org/ns/adms#")
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")
FOAF = Namespace("http://xmlns.com/foaf/0.1/")
DCTERMS = Namespace("http://purl.org/dc/terms/")
EDTF = URIRef("http://id.loc.gov/datatypes/edtf/EDTF")
XSD_DATE = URIRef("http://www.w3.org/2001/XMLSchema#date")

PROFILE = Profile(
    feed="stam",
    provider_name="STAM Gent",
    provider_iri="http://www.wikidata.org/entity/Q2362660",
    language="nl",
)


def dc(fields: str, *, header: str = "oai:stam:2001-0042") -> bytes:
    return f"""<record xmlns="http://www.openarchives.org/OAI/2.0/">
  <header><identifier>{header}</identifier><datestamp>2024-01-05</datestamp></header>
  <metadata>
    <oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/" xmlns:dc="http://purl.org/dc/elements/1.1/">
      {fields}
    </oai_dc:dc>
  </metadata>
</record>""".encode()


def map_dc(payload: bytes, profile: Profile = PROFILE) -> tuple[MappedRecord, Graph]:
    record = SourceRecord(feed="stam", source_id="oai:stam:2001-0042", datestamp=None, payload=payload, format="oai_dc")
    mapped = get_mapper("oai_dc").map(record, profile)
    return mapped, Graph().parse(data=mapped.ntriples, format="nt")


def test_a_typical_record() -> None:
    mapped, g = map_dc(
        dc(
            """<dc:title>Stadsgezicht met Belfort</dc:title>
            <dc:title xml:lang="en">Townscape with belfry</dc:title>
            <dc:description>Gezicht op de Korenmarkt.</dc:description>
            <dc:creator>Jan Janssens</dc:creator>
            <dc:contributor>https://www.wikidata.org/wiki/Q1234</dc:contributor>
            <dc:date>ca. 1905</dc:date>
            <dc:identifier>2001-0042</dc:identifier>
            <dc:identifier>https://www.stamgent.be/collectie/2001-0042</dc:identifier>
            <dc:identifier>https://beeld.stamgent.be/2001-0042.JPG</dc:identifier>
            <dc:publisher>STAM Gent</dc:publisher>
            <dc:rights>Publiek domein</dc:rights>
            <dc:language>dut</dc:language>
            <dc:format>image/jpeg</dc:format>
            <dc:format>olieverf op doek</dc:format>
            <dc:coverage>Gent</dc:coverage>"""
        )
    )
    o = URIRef(mapped.iri)
    assert mapped.iri == "https://data.oogst.be/id/object/stam/oai:stam:2001-0042"
    assert mapped.label == "Stadsgezicht met Belfort"
    assert set(g.objects(o, CRM.P102_has_title)) == {
        Literal("Stadsgezicht met Belfort", lang="nl"),
        Literal("Townscape with belfry", lang="en"),
    }
    assert g.value(o, CRM.P3_has_note) == Literal("Gezicht op de Korenmarkt.", lang="nl")
    production = g.value(o, CRM.P108i_was_produced_by)
    creator = g.value(production, CRM.P14_carried_out_by)
    assert str(creator).startswith("https://data.oogst.be/id/agent/stam/jan-janssens-")
    assert g.value(creator, SKOS.prefLabel) == Literal("Jan Janssens")
    assert g.value(production, CRM.P11_had_participant) == URIRef("http://www.wikidata.org/entity/Q1234")
    assert g.value(production, CRM["P4_has_time-span"]) == Literal("1905~", datatype=EDTF)
    assert g.value(production, CRM.P3_has_note) == Literal("ca. 1905", lang="nl")  # the original wording
    notations = {str(g.value(i, SKOS.notation)) for i in g.objects(o, ADMS.identifier)}
    assert notations == {"2001-0042", "oai:stam:2001-0042"}
    assert g.value(o, FOAF.page) == URIRef("https://www.stamgent.be/collectie/2001-0042")
    image = URIRef("https://beeld.stamgent.be/2001-0042.JPG")
    assert g.value(o, CRM.P129i_is_subject_of) == image
    assert g.value(image, DCTERMS["format"]) == Literal("image/jpeg")
    assert g.value(o, DCTERMS["format"]) == Literal("olieverf op doek")
    assert g.value(o, CRM.P50_has_current_keeper) == URIRef("http://www.wikidata.org/entity/Q2362660")
    right = g.value(o, CRM.P104_is_subject_to)
    assert g.value(right, CRM.P2_has_type) == URIRef("http://creativecommons.org/publicdomain/mark/1.0/")
    assert g.value(o, DCTERMS.language) == Literal("nl")
    assert g.value(o, DCTERMS.coverage) == Literal("Gent", lang="nl")
    assert list(g.subjects(RDF.type, CRM["E22_Human-Made_Object"])) == [o]


def test_type_uri_dcmi_and_words_all_become_classifications() -> None:
    mapped, g = map_dc(
        dc(
            """<dc:type>http://vocab.getty.edu/aat/300033618</dc:type>
            <dc:type>Physical Object</dc:type>
            <dc:type>affiche</dc:type>
            <dc:type>strooibiljet</dc:type>"""
        )
    )
    assigned = {g.value(c, CRM.P42_assigned) for c in g.objects(URIRef(mapped.iri), CRM.P41i_was_classified_by)}
    minted = next(a for a in assigned if "/id/concept/stam/type/" in str(a))
    assert assigned == {
        URIRef("http://vocab.getty.edu/aat/300033618"),
        URIRef("http://purl.org/dc/dcmitype/PhysicalObject"),
        URIRef("http://vocab.getty.edu/aat/300027221"),  # "affiche", through the AAT concordance
        minted,
    }
    assert g.value(minted, SKOS.prefLabel) == Literal("strooibiljet", lang="nl")
    assert g.value(URIRef("http://vocab.getty.edu/aat/300027221"), SKOS.prefLabel) == Literal("affiche", lang="nl")


def test_subjects_are_depicted_uris_or_labelled_concepts() -> None:
    mapped, g = map_dc(dc("<dc:subject>http://iconclass.org/25H</dc:subject><dc:subject>haven</dc:subject>"))
    depicted = set(g.objects(URIRef(mapped.iri), CRM.P62_depicts))
    assert URIRef("http://iconclass.org/25H") in depicted
    assert Literal("haven", lang="nl") in {g.value(d, SKOS.prefLabel) for d in depicted}


def test_date_that_is_no_date_is_kept_raw_for_the_validator() -> None:
    mapped, g = map_dc(dc("<dc:date>1876-13-45</dc:date><dc:date>2001</dc:date>"))
    production = g.value(URIRef(mapped.iri), CRM.P108i_was_produced_by)
    assert g.value(production, CRM["P4_has_time-span"]) == Literal("1876-13-45", datatype=EDTF)
    assert set(g.objects(production, CRM.P3_has_note)) == {Literal("2001", lang="nl")}  # a later date
    assert mapped.warnings[0] == "dc:date '1876-13-45' is not a date (EDTF): kept as it is"
    assert "feed's language (nl)" in mapped.warnings[1]  # no xml:lang: the feed's, and it says so


@pytest.mark.parametrize(
    ("rights", "expected_type", "note"),
    [
        ("https://creativecommons.org/licenses/by/4.0/deed.nl", "http://creativecommons.org/licenses/by/4.0/", None),
        ("CC0", "http://creativecommons.org/publicdomain/zero/1.0/", None),
        ("In copyright", "http://rightsstatements.org/vocab/InC/1.0/", None),
        ("© STAM", "http://rightsstatements.org/vocab/CNE/1.0/", "© STAM"),  # the feed's default fills in
    ],
)
def test_rights(rights: str, expected_type: str, note: str | None) -> None:
    profile = Profile(feed="stam", default_rights="http://rightsstatements.org/vocab/CNE/1.0/")
    _, g = map_dc(dc(f"<dc:rights>{rights}</dc:rights>"), profile)
    types = set(g.objects(None, CRM.P2_has_type))
    assert types == {URIRef(expected_type)}
    notes = set(g.objects(None, CRM.P3_has_note))
    assert notes == ({Literal(note, lang="nl")} if note else set())


def test_without_header_the_source_id_is_the_second_identifier_and_label() -> None:
    payload = (
        b'<oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/" '
        b'xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:publisher>Iemand</dc:publisher></oai_dc:dc>'
    )
    mapped, g = map_dc(payload)
    assert {str(n) for n in g.objects(None, SKOS.notation)} == {"oai:stam:2001-0042"}
    assert mapped.label == "oai:stam:2001-0042"
    keeper = g.value(URIRef(mapped.iri), CRM.P50_has_current_keeper)
    assert str(keeper).startswith("https://data.oogst.be/id/agent/stam/iemand-")  # not the provider


def test_not_oai_dc_raises() -> None:
    with pytest.raises(MappingError, match="no oai_dc:dc element"):
        map_dc(b"<lido:lido xmlns:lido='http://www.lido-schema.org'/>")


def test_source_paths() -> None:
    mapped, _ = map_dc(dc("<dc:title>x</dc:title>"))
    assert mapped.source_paths[str(CRM.P102_has_title)] == "dc:title"
    assert mapped.source_paths[str(CRM["P4_has_time-span"])] == "dc:date"


@pytest.mark.corpus
@pytest.mark.parametrize("name", ["metis_mediateka_GetRecord_oai_dc.xml", "sickle-synthetic-GetRecord_utf8test.xml"])
def test_corpus_get_record(corpus: Path, name: str) -> None:
    path = corpus / "oai-pmh" / name
    if not path.is_file():
        pytest.skip(f"missing corpus file {path}")
    mapped, g = map_dc(path.read_bytes(), Profile(feed="stam"))
    o = URIRef(mapped.iri)
    assert g.value(o, CRM.P102_has_title) is not None
    assert g.value(o, FOAF.page) is not None
    assert g.value(o, CRM.P50_has_current_keeper) is not None
    production = g.value(o, CRM.P108i_was_produced_by)
    assert g.value(production, CRM["P4_has_time-span"]).datatype == EDTF
    assert not [w for w in mapped.warnings if "feed's language" not in w]


def test_source_and_relation_keep_uris_as_iris_and_words_as_literals() -> None:
    mapped, g = map_dc(
        dc(
            """<dc:source>https://www.wikidata.org/wiki/Q12345</dc:source>
            <dc:source>Stadsarchief, fonds Kursaal</dc:source>
            <dc:relation>https://archief.example.be/reeks/12</dc:relation>
            <dc:relation xml:lang="en">Part of the Kursaal series</dc:relation>"""
        )
    )
    o = URIRef(mapped.iri)
    assert g.value(o, CRM.P70i_is_documented_in) == URIRef("http://www.wikidata.org/entity/Q12345")
    assert g.value(o, DCTERMS.source) == Literal("Stadsarchief, fonds Kursaal", lang="nl")
    assert set(g.objects(o, DCTERMS.relation)) == {
        URIRef("https://archief.example.be/reeks/12"),
        Literal("Part of the Kursaal series", lang="en"),
    }


def test_dates_get_their_first_and_last_day() -> None:
    mapped, g = map_dc(dc("<dc:date>1641/1644</dc:date>"))
    production = g.value(URIRef(mapped.iri), CRM.P108i_was_produced_by)
    assert g.value(production, CRM.P82a_begin_of_the_begin) == Literal("1641-01-01", datatype=XSD_DATE)
    assert g.value(production, CRM.P82b_end_of_the_end) == Literal("1644-12-31", datatype=XSD_DATE)


def test_extra_fields_and_value_maps_of_the_profile() -> None:
    from oogst.mapping.profile import ExtraField

    profile = Profile(
        feed="stam",
        values={"type": {"prentkaart": "http://vocab.getty.edu/aat/300026816"}},
        fields=(ExtraField("dc:format[contains(., 'cm')]", "dcterms:extent"),),
    )
    mapped, g = map_dc(dc("<dc:type>Prentkaart</dc:type><dc:format>9 x 14 cm</dc:format>"), profile)
    o = URIRef(mapped.iri)
    assert g.value(g.value(o, CRM.P41i_was_classified_by), CRM.P42_assigned) == URIRef("http://vocab.getty.edu/aat/300026816")
    assert g.value(o, DCTERMS.extent) == Literal("9 x 14 cm", lang="nl")
