"""The mappers of Adlib, MODS, qualified DC, EAD and MARCXML: what each reads, the meaning it
keeps (roles, hierarchy, kinds of work), how EAD finding aids are split, and that damaged
input never raises anything but a MappingError."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.compare import isomorphic

from oogst.cli import main
from oogst.errors import MappingError
from oogst.mapping import Profile, get_mapper, records_in_file, relators
from oogst.mapping.marcxml import clean
from oogst.records import MappedRecord, SourceRecord

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "data" / "samples"
CRM = Namespace("http://www.cidoc-crm.org/cidoc-crm/")
DCT = Namespace("http://purl.org/dc/terms/")
CE = Namespace("https://data.vlaanderen.be/ns/cultureel-erfgoed#")
REL = Namespace("http://id.loc.gov/vocabulary/relators/")
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")
EDTF = URIRef("http://id.loc.gov/datatypes/edtf/EDTF")
PROFILE = Profile(feed="f", provider_name="Testmuseum")
FOLDERS = {"adlib": "museum-adlib", "mods": "library-mods", "qdc": "images-qdc", "ead": "archive-ead",
           "marcxml": "library-marc"}


def map_xml(fmt: str, xml: str, source_id: str = "r1", profile: Profile = PROFILE) -> tuple[MappedRecord, Graph]:
    mapped = get_mapper(fmt).map(SourceRecord("f", source_id, None, xml.encode(), fmt), profile)
    return mapped, Graph().parse(data=mapped.ntriples, format="nt")


def obj(source_id: str = "r1") -> URIRef:
    return URIRef(PROFILE.minter.object_iri(source_id))


def sample(fmt: str) -> list[SourceRecord]:
    data = (SAMPLES / FOLDERS[fmt] / "records.xml").read_bytes()
    return records_in_file(data, fmt, feed="f", name="records.xml").records


# -- the registry --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "default"), [("adlib", "adlib"), ("mods", "mods"), ("qdc", "oai_qdc"), ("ead", "ead"), ("marcxml", "marc21")]
)
def test_each_format_names_its_oai_prefixes(fmt: str, default: str) -> None:
    prefixes = get_mapper(fmt).oai_prefixes
    assert prefixes[0] == default and len(set(prefixes)) == len(prefixes)


def test_oogst_formats_lists_the_new_formats() -> None:
    out = CliRunner().invoke(main, ["formats"]).output.split()
    assert {"adlib", "mods", "qdc", "ead", "marcxml"} <= set(out)


# -- Adlib ---------------------------------------------------------------------------------------

ADLIB_GROUPED = """<adlibXML><recordList><record priref="7">
  <object_number>T.1</object_number>
  <Title><title>Het vlas</title></Title>
  <Production><creator><name>Claus, Emile</name></creator><creator.role><term>schilder</term></creator.role></Production>
  <Production><creator><name>Rubens, Peter Paul</name></creator><creator.qualifier>kopie naar</creator.qualifier></Production>
  <Production_date><production.date.start>1904</production.date.start><production.date.start.prec>ca.</production.date.start.prec>
    <production.date.end>1906</production.date.end></Production_date>
  <Dimension><dimension.type>hoogte</dimension.type><dimension.value>72,5</dimension.value><dimension.unit>cm</dimension.unit></Dimension>
  <Dimension><dimension.type>breedte</dimension.type><dimension.value>98</dimension.value><dimension.unit>cm</dimension.unit></Dimension>
  <Rights><rights.type>CC0</rights.type></Rights>
  <URL>https://museum.example.be/T.1</URL>
</record></recordList></adlibXML>"""

ADLIB_UNGROUPED = """<adlibXML><recordList><record priref="7">
  <object_number>T.1</object_number>
  <title occ="1">Het vlas</title>
  <creator occ="2"><name>Rubens, Peter Paul</name></creator><creator.qualifier occ="2">kopie naar</creator.qualifier>
  <creator occ="1"><name>Claus, Emile</name></creator><creator.role occ="1"><term>schilder</term></creator.role>
  <production.date.start occ="1">1904</production.date.start><production.date.start.prec occ="1">ca.</production.date.start.prec>
  <production.date.end occ="1">1906</production.date.end>
  <dimension.type occ="1">hoogte</dimension.type><dimension.type occ="2">breedte</dimension.type>
  <dimension.value occ="1">72,5</dimension.value><dimension.value occ="2">98</dimension.value>
  <dimension.unit occ="1">cm</dimension.unit><dimension.unit occ="2">cm</dimension.unit>
  <rights.type occ="1">CC0</rights.type>
  <URL>https://museum.example.be/T.1</URL>
</record></recordList></adlibXML>"""


def test_adlib_grouped_and_ungrouped_forms_map_alike() -> None:
    _, grouped = map_xml("adlib", ADLIB_GROUPED)
    _, ungrouped = map_xml("adlib", ADLIB_UNGROUPED)
    assert isomorphic(grouped, ungrouped)
    production = grouped.value(obj(), CRM.P108i_was_produced_by)
    claus = URIRef(PROFILE.minter.agent_iri("Claus, Emile"))
    rubens = URIRef(PROFILE.minter.agent_iri("Rubens, Peter Paul"))
    assert (production, CRM.P14_carried_out_by, claus) in grouped
    # "kopie naar Rubens": influenced by Rubens, not made by him
    assert (production, CRM.P15_was_influenced_by, rubens) in grouped
    assert (production, CRM.P14_carried_out_by, rubens) not in grouped
    assert grouped.value(production, CRM["P4_has_time-span"]) == Literal("1904~/1906", datatype=EDTF)
    values = sorted(float(v) for v in grouped.objects(None, URIRef("https://schema.org/value")))
    assert values == [72.5, 98.0]


def test_adlib_values_languages_enumerations_and_nested_groups() -> None:
    xml = """<adlibXML><recordList><record>
      <object_number>T.2</object_number>
      <Title><title><value lang="nl-NL">Zwingelspaan</value><value lang="fr-FR">Espade</value></title></Title>
      <Title><title>Spaan</title><title.type><value lang="neutral">ALT</value><value lang="0">alternative</value>
        <value lang="1">alternatief</value></title.type></Title>
      <Production><creator><name>X</name></creator>
        <Dimension><dimension.type>lengte</dimension.type><dimension.value>58</dimension.value></Dimension></Production>
      <Inscription><inscription.content>ANNO 1702</inscription.content><inscription.language>lat</inscription.language></Inscription>
    </record></recordList></adlibXML>"""
    mapped, graph = map_xml("adlib", xml)
    assert set(graph.objects(obj(), CRM.P102_has_title)) == {Literal("Zwingelspaan", lang="nl-nl"),
                                                            Literal("Espade", lang="fr-fr")}
    assert (obj(), DCT.alternative, Literal("Spaan", lang="nl")) in graph
    assert (None, URIRef("https://schema.org/value"), None) in graph  # the nested Production/Dimension
    assert (None, CRM.P190_has_symbolic_content, Literal("ANNO 1702", lang="la")) in graph
    # no institution.name: the profile's provider keeps it
    assert graph.value(obj(), CRM.P50_has_current_keeper) == URIRef(PROFILE.minter.agent_iri("Testmuseum"))
    assert mapped.label == "Zwingelspaan"


def test_adlib_in_the_oai_namespace_is_still_read() -> None:
    """An OAI-PMH response that forgets xmlns="" puts adlibXML in the OAI namespace."""
    xml = ('<record xmlns="http://www.openarchives.org/OAI/2.0/"><header><identifier>x</identifier></header>'
           '<metadata><adlibXML><recordList><record><object_number>T.3</object_number><title>Haspel</title>'
           "</record></recordList></adlibXML></metadata></record>")
    mapped, graph = map_xml("adlib", xml)
    assert (obj(), CRM.P102_has_title, Literal("Haspel", lang="nl")) in graph
    assert any("namespace" in w for w in mapped.warnings)


# -- roles ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "kind"),
    [("aut", "maker"), ("http://id.loc.gov/vocabulary/relators/pht", "maker"), ("Schilder", "maker"),
     ("kantwerkster", "maker"), ("uitgever", "participant"), ("Ancien possesseur.", "owner"),
     ("opdrachtgever", "participant"), ("onbekende rol", "participant"), ("dpc", "subject")],
)
def test_roles_by_code_or_word(role: str, kind: str) -> None:
    assert relators.role(role)[1] == kind


def test_mods_roles_keep_their_meaning() -> None:
    xml = """<mods xmlns="http://www.loc.gov/mods/v3"><titleInfo><title>Boek</title></titleInfo>
      <name type="personal"><namePart>Auteur, A.</namePart><role><roleTerm type="code">aut</roleTerm></role></name>
      <name type="personal"><namePart>Bezitter, B.</namePart><role><roleTerm type="text">vorige eigenaar</roleTerm></role></name>
      <name type="personal"><namePart>Iemand, C.</namePart></name>
      <name type="personal" usage="primary"><namePart>Hoofd, D.</namePart></name>
      <typeOfResource>text</typeOfResource>
      <subject><topic>brouwerijen</topic></subject>
    </mods>"""
    _, graph = map_xml("mods", xml)
    production = graph.value(obj(), CRM.P108i_was_produced_by)
    acquisition = graph.value(obj(), CRM.P24i_changed_ownership_through)
    agent = lambda name: URIRef(PROFILE.minter.agent_iri(name))  # noqa: E731
    assert set(graph.objects(production, CRM.P14_carried_out_by)) == {agent("Auteur, A."), agent("Hoofd, D.")}
    assert set(graph.objects(production, CRM.P11_had_participant)) == {agent("Iemand, C.")}
    assert (acquisition, CRM.P23_transfered_title_from, agent("Bezitter, B.")) in graph
    assert (None, CRM["P14.1_in_the_role_of"], REL.aut) in graph
    # a text is about its subject; it depicts nothing
    assert (obj(), CRM.P62_depicts, None) not in graph
    content = graph.value(obj(), CRM.P128_carries)
    assert graph.value(content, CRM.P129_is_about) is not None


def test_mods_titles_identifiers_links_and_rights() -> None:
    xml = """<mods xmlns="http://www.loc.gov/mods/v3" xmlns:xlink="http://www.w3.org/1999/xlink">
      <titleInfo lang="fre"><nonSort>Le </nonSort><title>Béguinage</title><subTitle>vue générale</subTitle></titleInfo>
      <titleInfo type="alternative"><title>Begijnhof</title></titleInfo>
      <typeOfResource>still image</typeOfResource>
      <subject><geographic>Dendermonde</geographic></subject>
      <identifier type="local">PK-1</identifier><identifier type="uri">https://catalogus.example.be/PK-1</identifier>
      <location><physicalLocation>Bibliotheek X</physicalLocation><shelfLocator>PK-1</shelfLocator>
        <url access="raw object">https://img.example.be/iiif/PK-1/full/max/0/default.jpg</url></location>
      <accessCondition type="use and reproduction" xlink:href="http://rightsstatements.org/vocab/NoC-NC/1.0/"/>
    </mods>"""
    _, graph = map_xml("mods", xml)
    assert (obj(), CRM.P102_has_title, Literal("Le Béguinage: vue générale", lang="fr")) in graph
    assert (obj(), DCT.alternative, Literal("Begijnhof", lang="nl")) in graph
    assert len(set(graph.objects(obj(), URIRef("http://www.w3.org/ns/adms#identifier")))) == 1  # shelf = local id
    assert (obj(), URIRef("http://xmlns.com/foaf/0.1/page"), URIRef("https://catalogus.example.be/PK-1")) in graph
    assert (obj(), CRM.P129i_is_subject_of, URIRef("https://img.example.be/iiif/PK-1/full/max/0/default.jpg")) in graph
    assert (None, CRM.P2_has_type, URIRef("http://rightsstatements.org/vocab/NoC-NC/1.0/")) in graph
    assert graph.value(obj(), CRM.P62_depicts) is not None  # an image depicts its subject


# -- qualified DC ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "wrapper",
    [
        '<oai_qdc:qualifieddc xmlns:oai_qdc="http://worldcat.org/xmlschemas/qdc-1.0/" {ns}>{body}</oai_qdc:qualifieddc>',
        '<qdc:qualifieddc xmlns:qdc="http://dspace.org/qualifieddc/" {ns}>{body}</qdc:qualifieddc>',
        '<oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/" {ns}>{body}</oai_dc:dc>',
        '<record xmlns="http://www.openarchives.org/OAI/2.0/"><header><identifier>oai:x:1</identifier></header>'
        '<metadata><metadata xmlns="" {ns}>{body}</metadata></metadata></record>',
    ],
)
def test_qdc_in_every_wrapper(wrapper: str) -> None:
    ns = 'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/"'
    body = ("<dc:title>Markt</dc:title><dcterms:created>ca. 1925</dcterms:created><dcterms:extent>9 x 12 cm"
            "</dcterms:extent><dcterms:spatial>Turnhout</dcterms:spatial><dcterms:isPartOf>Album Dierckx"
            "</dcterms:isPartOf><dc:contributor>Dierckx, Maria (ancien possesseur)</dc:contributor>"
            "<dcterms:license>https://creativecommons.org/licenses/by/4.0/deed.nl</dcterms:license>")
    _, graph = map_xml("qdc", wrapper.format(ns=ns, body=body))
    assert (obj(), CRM.P102_has_title, Literal("Markt", lang="nl")) in graph
    production = graph.value(obj(), CRM.P108i_was_produced_by)
    assert graph.value(production, CRM["P4_has_time-span"]) == Literal("1925~", datatype=EDTF)
    assert graph.value(obj(), DCT.spatial) == URIRef(PROFILE.minter.place_iri("Turnhout"))
    assert graph.value(obj(), CRM.P46i_forms_part_of) is not None
    owner = URIRef(PROFILE.minter.agent_iri("Dierckx, Maria"))
    assert (graph.value(obj(), CRM.P24i_changed_ownership_through), CRM.P23_transfered_title_from, owner) in graph
    assert (production, CRM.P11_had_participant, owner) not in graph
    assert (None, CRM.P2_has_type, URIRef("http://creativecommons.org/licenses/by/4.0/")) in graph


def test_qdc_without_any_dc_element_is_a_mapping_error() -> None:
    with pytest.raises(MappingError, match="no Dublin Core"):
        map_xml("qdc", "<qualifieddc><title>geen namespace</title></qualifieddc>")


# -- MARCXML --------------------------------------------------------------------------------------


def marc(leader: str, f008: str, *fields: str) -> str:
    return (f'<record xmlns="http://www.loc.gov/MARC21/slim"><leader>{leader}</leader>'
            f'<controlfield tag="001">b1</controlfield><controlfield tag="008">{f008}</controlfield>'
            + "".join(fields) + "</record>")


def field(tag: str, *subfields: tuple[str, str], ind: str = "  ") -> str:
    subs = "".join(f'<subfield code="{c}">{v}</subfield>' for c, v in subfields)
    return f'<datafield tag="{tag}" ind1="{ind[0]}" ind2="{ind[1]}">{subs}</datafield>'


@pytest.mark.parametrize(
    ("f008", "span"),
    [("000000s1584    be            000 0 lat d", "1584"), ("000000q15401550be            000 0 lat d", "1540/1550"),
     ("000000s17uu    be            000 0 zxx d", "17XX"), ("000000i16201650be            000 0 dut d", "1620/1650"),
     ("000000n        be            000 0 dut d", None)],
)
def test_marc_008_dates(f008: str, span: str | None) -> None:
    _, graph = map_xml("marcxml", marc("00000cam a2200000 i 4500", f008, field("245", ("a", "T"))))
    production = graph.value(obj(), CRM.P108i_was_produced_by)
    found = graph.value(production, CRM["P4_has_time-span"]) if production else None
    assert found == (Literal(span, datatype=EDTF) if span else None)


def test_marc_fields_by_meaning() -> None:
    xml = marc(
        "00000cam a2200000 i 4500", "000000s1584    be            000 0 lat d",
        field("100", ("a", "Lipsius, Justus,"), ("d", "1547-1606,"), ("4", "aut"), ind="1 "),
        field("245", ("a", "De constantia libri duo :"), ("b", "qui alloquium continent."), ind="10"),
        field("264", ("a", "Antverpiae :"), ("b", "Apud Christophorum Plantinum,"), ("c", "1584."), ind=" 1"),
        field("300", ("a", "128 p. ;"), ("c", "20 cm.")),
        field("650", ("a", "stoïcisme"), ind=" 7"),
        field("710", ("a", "Abdij Ten Duinen"), ("4", "fmo"), ind="2 "),
        field("540", ("a", "Publiek domein."), ("u", "http://creativecommons.org/publicdomain/mark/1.0/")),
        field("852", ("a", "Bibliotheek X"), ("j", "OD-1")),
        field("856", ("u", "https://bib.example.be/b1"), ind="42"),
    )
    mapped, graph = map_xml("marcxml", xml)
    assert (obj(), CRM.P102_has_title, Literal("De constantia libri duo: qui alloquium continent", lang="la")) in graph
    assert mapped.label == "De constantia libri duo: qui alloquium continent"
    production = graph.value(obj(), CRM.P108i_was_produced_by)
    lipsius = URIRef(PROFILE.minter.agent_iri("Lipsius, Justus"))
    assert (production, CRM.P14_carried_out_by, lipsius) in graph
    assert (lipsius, URIRef("https://schema.org/birthDate"), Literal("1547", datatype=EDTF)) in graph
    assert (graph.value(obj(), CRM.P24i_changed_ownership_through), CRM.P23_transfered_title_from,
            URIRef(PROFILE.minter.agent_iri("Abdij Ten Duinen"))) in graph
    assert (None, URIRef("https://schema.org/value"), Literal("20.0", datatype=URIRef("http://www.w3.org/2001/XMLSchema#decimal"))) in graph
    numbers = {str(n) for i in graph.objects(obj(), URIRef("http://www.w3.org/ns/adms#identifier"))
               for n in graph.objects(i, SKOS.notation)
               if (i, CRM.P2_has_type, None) in graph}
    assert numbers == {"OD-1"}  # the shelf mark, not the record number
    assert graph.value(obj(), CRM.P62_depicts) is None and graph.value(obj(), CRM.P128_carries) is not None


@pytest.mark.parametrize(("raw", "cleaned"), [("Antverpiae :", "Antverpiae"), ("Lipsius, Justus,", "Lipsius, Justus"),
                                              ("160 p. ;", "160 p."), ("[S.l.]", "S.l."), ("1584.", "1584"), ("J.", "J.")])
def test_marc_isbd_punctuation(raw: str, cleaned: str) -> None:
    assert clean(raw) == cleaned


def test_marc_collection_files_hold_every_record() -> None:
    record = marc("00000cam a2200000 i 4500", "000000s1900    be            000 0 dut d", field("245", ("a", "T")))
    collection = f'<collection xmlns="http://www.loc.gov/MARC21/slim">{record}{record.replace("b1", "b2")}</collection>'
    found = records_in_file(collection.encode(), "marcxml", feed="f", name="c.xml")
    assert [r.source_id for r in found.records] == ["b1", "b2"]


# -- EAD ------------------------------------------------------------------------------------------


def test_ead_split_gives_one_record_per_unit_with_a_unitid() -> None:
    records = sample("ead")
    ids = [r.source_id for r in records]
    assert len(ids) == len(set(ids)) == 19
    assert "oai:archief.houtland.be:BE-SAH-001" in ids  # the fonds keeps the finding aid's id
    assert "oai:archief.houtland.be:BE-SAH-001/1/1.2" in ids
    assert "oai:archief.houtland.be:BE-SAH-001/c3/9.1" in ids  # below a series without unitid
    assert not any("onbekende" in r.payload.decode() for r in records)  # the item without unitid is no record
    # a split record splits into itself
    mapper = get_mapper("ead")
    assert mapper.split(records[3]) == [records[3]]


@pytest.mark.parametrize("finding_aid", ["BE-SAH-001", "BE-SAH-002", "BE-SAH-003"])
def test_ead_units_are_part_of_their_parent_unit(finding_aid: str) -> None:
    """EAD 2002 with and without namespace, and EAD3."""
    profile = Profile(feed="houtland")
    records = [r for r in sample("ead") if r.source_id.startswith(f"oai:archief.houtland.be:{finding_aid}")]
    assert len(records) >= 3
    for record in records:
        graph = Graph().parse(data=get_mapper("ead").map(record, profile).ntriples, format="nt")
        me = URIRef(profile.minter.object_iri(record.source_id))
        parent = graph.value(me, CRM.P46i_forms_part_of)
        parent_id = record.source_id.rsplit("/", 1)[0].replace("/c3", "")
        if record.source_id.count("/") == 0:
            assert parent is None
        else:
            assert parent == URIRef(profile.minter.object_iri(parent_id))
        assert graph.value(me, CRM.P102_has_title) is not None
        assert graph.value(me, CRM.P50_has_current_keeper) is not None  # the fonds' repository, inherited


def test_ead_units_inherit_the_use_conditions_of_the_fonds() -> None:
    profile = Profile(feed="houtland")
    record = next(r for r in sample("ead") if r.source_id.endswith("BE-SAH-002/2/2.1"))
    graph = Graph().parse(data=get_mapper("ead").map(record, profile).ntriples, format="nt")
    assert (None, CRM.P2_has_type, URIRef("http://creativecommons.org/publicdomain/mark/1.0/")) in graph
    assert (URIRef(profile.minter.object_iri(record.source_id)), CRM.P102_has_title,
            Literal("Registre de population", lang="fr")) in graph


def test_an_unsplit_finding_aid_maps_its_fonds_and_says_so() -> None:
    data = (SAMPLES / "archive-ead" / "records.xml").read_bytes()
    first = etree.fromstring(data).find(".//{http://www.openarchives.org/OAI/2.0/}record")
    record = SourceRecord("houtland", "oai:archief.houtland.be:BE-SAH-001", None, etree.tostring(first), "ead")
    mapped = get_mapper("ead").map(record, Profile(feed="houtland"))
    assert mapped.label == "Archief van brouwerij De Zwaan"
    assert any("6 components" in w and "split" in w for w in mapped.warnings)


def test_a_record_that_cannot_be_split_does_not_stop_the_others(tmp_path: Path) -> None:
    tree = etree.parse(str(SAMPLES / "archive-ead" / "records.xml"))
    metadata = tree.getroot().findall(".//{http://www.openarchives.org/OAI/2.0/}metadata")[-1]
    metadata.remove(metadata[0])  # the photo collection's finding aid: no ead element any more
    etree.SubElement(metadata, "{http://purl.org/dc/elements/1.1/}title").text = "geen EAD"
    path = tmp_path / "records.xml"
    tree.write(str(path))
    result = CliRunner().invoke(main, ["--data-dir", str(tmp_path / "d"), "map", str(path), "--format", "ead"])
    assert "16 record(s), 1 deleted left out" in result.stderr and "1 could not be mapped" in result.stderr, result.stderr
    assert "no ead element" in result.stderr


def test_oogst_map_splits_a_finding_aid(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["--data-dir", str(tmp_path / "d"), "map",
                                       str(SAMPLES / "archive-ead" / "records.xml"), "--format", "ead"])
    assert "19 record(s), 1 deleted left out: 15 pass the acceptance shapes, 4 do not" in result.stderr
    graph = Graph().parse(data=result.stdout, format="turtle")
    assert len(set(graph.subjects(CRM.P46i_forms_part_of, None))) == 15


# -- damaged input ---------------------------------------------------------------------------------

_TEMPLATES = {fmt: [r.payload for r in sample(fmt)[:4]] for fmt in FOLDERS}
_NOISE = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=40)


@st.composite
def damaged(draw: st.DrawFn, fmt: str) -> bytes:
    payload = draw(st.sampled_from(_TEMPLATES[fmt]))
    how = draw(st.sampled_from(["truncate", "bytes", "text", "drop", "rename", "attribute", "empty"]))
    if how == "truncate":
        return payload[: draw(st.integers(0, len(payload)))]
    if how == "bytes":
        at = draw(st.integers(0, len(payload)))
        return payload[:at] + draw(st.binary(max_size=20)) + payload[at:]
    if how == "empty":
        return draw(st.sampled_from([b"", b"   ", b"<a/>", b"\x00\xff", b"<?xml version='1.0'?><x:y xmlns:x='u:1'/>"]))
    root = etree.fromstring(payload)
    elements = list(root.iter())
    element = elements[draw(st.integers(0, len(elements) - 1))]
    if how == "text":
        element.text = draw(_NOISE)
    elif how == "drop" and element.getparent() is not None:
        element.getparent().remove(element)
    elif how == "rename" and isinstance(element.tag, str):
        element.tag = draw(st.sampled_from(["value", "term", "did", "c", "title", "record", "datafield", "subfield"]))
    elif how == "attribute" and isinstance(element.tag, str):
        element.set(draw(st.sampled_from(["occ", "lang", "normal", "tag", "code", "href", "type", "level"])), draw(_NOISE))
    return etree.tostring(root)


@pytest.mark.parametrize("fmt", sorted(FOLDERS))
@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data())
def test_damaged_input_raises_only_mapping_error(fmt: str, data: st.DataObject) -> None:
    payload = data.draw(damaged(fmt))
    mapper = get_mapper(fmt)
    record = SourceRecord("f", "r1", None, payload, fmt)
    try:
        parts = mapper.split(record) if hasattr(mapper, "split") else [record]
        for part in parts:
            mapped = mapper.map(part, PROFILE)
            list(pyoxigraph.parse(mapped.ntriples.encode(), format=pyoxigraph.RdfFormat.N_TRIPLES))
    except MappingError:
        pass


# -- files and profiles ------------------------------------------------------------------------------


def test_files_of_many_records_and_a_bare_finding_aid() -> None:
    adlib = ADLIB_GROUPED.replace("</record></recordList>", '</record><record priref="8"><title>B</title></record></recordList>')
    found = records_in_file(adlib.encode(), "adlib", feed="f", name="export.xml")
    assert [r.source_id for r in found.records] == ["7", "8"]
    ead = ('<ead xmlns="urn:isbn:1-931666-22-9"><eadheader><eadid>BE-X-1</eadid></eadheader><archdesc level="fonds">'
           "<did><unitid>X-1</unitid><unittitle>Fonds</unittitle></did><dsc><c01><did><unitid>1</unitid>"
           "<unittitle>Reeks</unittitle></did><c02><did><unittitle>zonder nummer</unittitle></did></c02></c01></dsc>"
           "</archdesc></ead>")
    found = records_in_file(ead.encode(), "ead", feed="f", name="inventaris.xml")
    assert [r.source_id for r in found.records] == ["BE-X-1", "BE-X-1/1"]  # named after the eadid, not the file


def test_extra_fields_read_the_new_formats() -> None:
    profile = Profile.from_dict(
        {"fields": [{"path": "mods:note[@type='ownership']", "property": "crm:P3_has_note"},
                    {"path": "mods:location/mods:holdingSimple//mods:shelfLocator", "property": "skos:notation",
                     "kind": "string"}]},
        feed="f",
    )
    xml = """<mods xmlns="http://www.loc.gov/mods/v3"><titleInfo><title>Boek</title></titleInfo>
      <note type="ownership">Ex-libris Van Hamme</note>
      <location><holdingSimple><copyInformation><shelfLocator>K-12</shelfLocator></copyInformation></holdingSimple></location>
    </mods>"""
    _, graph = map_xml("mods", xml, profile=profile)
    assert (obj(), CRM.P3_has_note, Literal("Ex-libris Van Hamme", lang="nl")) in graph  # the extra field
    acquisition = graph.value(obj(), CRM.P24i_changed_ownership_through)  # the mapper's own reading
    assert (acquisition, CRM.P3_has_note, Literal("Ex-libris Van Hamme", lang="nl")) in graph
    assert (obj(), SKOS.notation, Literal("K-12")) in graph
