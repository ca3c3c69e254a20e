"""Mapping whole files (`oogst map`, ``Oogst.map_file``), feed profiles in the pipeline, and
the record index's guard against two source records claiming one object IRI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Graph, Literal, Namespace, URIRef

from oogst.cli import main
from oogst.errors import MappingError
from oogst.mapping import records_in_file
from oogst.pipeline import Oogst
from oogst.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "data" / "samples"
CRM = Namespace("http://www.cidoc-crm.org/cidoc-crm/")
DCT = Namespace("http://purl.org/dc/terms/")
AAT = Namespace("http://vocab.getty.edu/aat/")


def lido_record(rec_id: str, published_id: str, title: str = "Stilleven") -> str:
    return f"""<lido:lido xmlns:lido="http://www.lido-schema.org">
  <lido:lidoRecID lido:source="Testmuseum">{rec_id}</lido:lidoRecID>
  <lido:objectPublishedID>{published_id}</lido:objectPublishedID>
  <lido:descriptiveMetadata xml:lang="nl">
    <lido:objectIdentificationWrap>
      <lido:titleWrap><lido:titleSet><lido:appellationValue>{title}</lido:appellationValue></lido:titleSet></lido:titleWrap>
      <lido:repositoryWrap><lido:repositorySet><lido:repositoryName><lido:legalBodyName>
        <lido:appellationValue>Testmuseum</lido:appellationValue></lido:legalBodyName></lido:repositoryName>
        <lido:workID>{rec_id}</lido:workID></lido:repositorySet></lido:repositoryWrap>
    </lido:objectIdentificationWrap>
    <lido:eventWrap><lido:eventSet><lido:event>
      <lido:eventType><lido:term>productie</lido:term></lido:eventType>
      <lido:eventMaterialsTech><lido:materialsTech><lido:termMaterialsTech><lido:term>Zeemleer</lido:term>
      </lido:termMaterialsTech></lido:materialsTech></lido:eventMaterialsTech>
    </lido:event></lido:eventSet></lido:eventWrap>
  </lido:descriptiveMetadata>
  <lido:administrativeMetadata xml:lang="nl">
    <lido:rightsWorkWrap><lido:rightsWorkSet><lido:rightsType><lido:term>CC0</lido:term></lido:rightsType>
    </lido:rightsWorkSet></lido:rightsWorkWrap>
    <lido:recordWrap><lido:recordInfoSet><lido:recordInfoLink>https://museum.example.be/{rec_id}</lido:recordInfoLink>
    </lido:recordInfoSet></lido:recordWrap>
  </lido:administrativeMetadata>
</lido:lido>"""


@pytest.fixture
def run(tmp_path: Path):
    runner = CliRunner()

    def invoke(*args: str):
        return runner.invoke(main, ["--data-dir", str(tmp_path / "data"), *args])

    return invoke


# -- the records in a file ---------------------------------------------------------------------


def test_an_oai_pmh_response_holds_every_record_and_counts_the_deleted() -> None:
    data = (SAMPLES / "museum-lido" / "records.xml").read_bytes()
    found = records_in_file(data, "lido", feed="f", name="records.xml")
    assert (len(found.records), found.deleted) == (38, 3)
    assert found.records[0].source_id.startswith("oai:hofvanleie.be:lido:")
    assert found.records[0].datestamp


def test_a_lido_wrap_a_single_record_and_json_arrays() -> None:
    wrap = f'<lido:lidoWrap xmlns:lido="http://www.lido-schema.org">{lido_record("A-1", "x")}{lido_record("", "y")}</lido:lidoWrap>'
    found = records_in_file(wrap.encode(), "lido", feed="f", name="wrap.xml")
    assert [r.source_id for r in found.records] == ["A-1", "wrap.xml#2"]
    single = records_in_file(lido_record("A-1", "x").encode(), "lido", feed="f", name="one.xml")
    assert [r.source_id for r in single.records] == ["A-1"]  # a bare record: its own lidoRecID
    members = records_in_file(json.dumps([{"@id": "https://x/1"}, {"a": 1}]).encode(), "oslo-jsonld", feed="f", name="m.json")
    assert [r.source_id for r in members.records] == ["https://x/1", "m.json#2"]
    page = records_in_file(json.dumps({"@included": [{"@id": "https://x/2"}]}).encode(), "oslo-jsonld", feed="f", name="p")
    assert [r.source_id for r in page.records] == ["https://x/2"]
    with pytest.raises(MappingError, match="not valid JSON"):
        records_in_file(b"[", "oslo-jsonld", feed="f", name="bad.json")
    with pytest.raises(MappingError, match="not well-formed XML"):
        records_in_file(b"<a>", "lido", feed="f", name="bad.xml")


# -- oogst map -----------------------------------------------------------------------------------


def test_oogst_map_prints_turtle_and_the_validation_summary(run) -> None:
    result = run("map", str(SAMPLES / "museum-lido" / "records.xml"), "--format", "lido")
    assert result.exit_code == 1  # four sample records are broken on purpose
    graph = Graph().parse(data=result.stdout, format="turtle")
    e22 = URIRef("http://www.cidoc-crm.org/cidoc-crm/E22_Human-Made_Object")
    assert len(set(graph.subjects(URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), e22))) == 38
    assert "38 record(s), 3 deleted left out: 34 pass the acceptance shapes, 4 do not" in result.stderr
    assert "has no object number" in result.stderr


def test_oogst_map_of_one_good_record_exits_0(run, tmp_path: Path) -> None:
    path = tmp_path / "one.xml"
    path.write_text(lido_record("B-2", "https://museum.example.be/id/B-2"), "utf-8")
    result = run("map", str(path), "--format", "lido")
    assert result.exit_code == 0, result.stderr
    assert "<https://museum.example.be/id/B-2> a crm:E22_Human-Made_Object" in result.stdout


def test_oogst_map_with_a_profile_file(run, tmp_path: Path) -> None:
    path = tmp_path / "one.xml"
    path.write_text(lido_record("B-2", "https://museum.example.be/id/B-2"), "utf-8")
    profile = tmp_path / "museum.toml"
    profile.write_text('[values.materiaal]\n"zeemleer" = "http://vocab.getty.edu/aat/300011851"\n', "utf-8")
    result = run("map", str(path), "--format", "lido", "--profile", str(profile))
    assert result.exit_code == 0, result.stderr
    graph = Graph().parse(data=result.stdout, format="turtle")
    assert (URIRef("https://museum.example.be/id/B-2"), CRM.P45_consists_of, AAT["300011851"]) in graph
    assert run("map", str(path), "--format", "lido", "--profile", str(profile), "--feed", "x").exit_code == 2


def test_oogst_map_reports_records_it_cannot_map(run, tmp_path: Path) -> None:
    path = tmp_path / "dc.xml"
    path.write_text("<nothing/>", "utf-8")
    result = run("map", str(path), "--format", "oai_dc")
    assert result.exit_code == 1
    assert "1 could not be mapped" in result.stderr and "no oai_dc:dc element" in result.stderr


@pytest.mark.corpus
def test_oogst_map_of_ldes_members_resolves_contexts_offline(run, corpus: Path) -> None:
    members = corpus / "ldes-gent" / "members-hva-objecten.json"
    result = run("map", str(members), "--format", "oslo-jsonld", "--contexts", str(corpus / "ldes-gent" / "context"))
    assert "0 could not be mapped" in result.stderr, result.stderr
    graph = Graph().parse(data=result.stdout, format="turtle")
    titles = set(graph.objects(None, CRM.P102_has_title))
    assert len(titles) >= 10


@pytest.mark.corpus
def test_oogst_map_of_a_tree_page(run, corpus: Path) -> None:
    page = corpus / "ldes-gent" / "dmg_ldes_tree_node_page.json"
    result = run("map", str(page), "--format", "oslo-jsonld", "--contexts", str(corpus / "ldes-gent" / "context"))
    assert "0 could not be mapped" in result.stderr, result.stderr


# -- profiles and object IRIs in the pipeline ---------------------------------------------------


def oogst(tmp_path: Path) -> Oogst:
    return Oogst(Settings(data_dir=tmp_path / "data", contexts_fetch=False, files_root=str(tmp_path)))


def test_a_feed_profile_file_applies_to_harvests_and_map_file(tmp_path: Path) -> None:
    folder = tmp_path / "export"
    folder.mkdir()
    (folder / "a.xml").write_text(lido_record("C-1", "https://museum.example.be/id/C-1"), "utf-8")
    profile = tmp_path / "p.toml"
    profile.write_text(
        'language = "en"\n[values.materiaal]\n"zeemleer" = "http://vocab.getty.edu/aat/300011851"\n', "utf-8"
    )
    with oogst(tmp_path) as app:
        app.add_feed("museum", str(folder), "lido", protocol="files")
        app.set_profile("museum", profile)
        assert app.profile(app.state.get_feed("museum")).language == "en"
        result = app.map_file(folder / "a.xml", "lido", feed="museum")
        graph = Graph().parse(data=result.ntriples(), format="nt")
        assert (URIRef("https://museum.example.be/id/C-1"), CRM.P45_consists_of, AAT["300011851"]) in graph
        assert (None, CRM.P102_has_title, Literal("Stilleven", lang="nl")) in graph  # the block's own language
        summary = app.harvest("museum")
        assert summary.counts["published"] == 1
        stored = app.query("ASK { ?o <http://www.cidoc-crm.org/cidoc-crm/P45_consists_of> "
                           "<http://vocab.getty.edu/aat/300011851> }")
        assert json.loads(stored.body)["boolean"] is True


def test_two_source_records_never_share_one_object_iri(tmp_path: Path) -> None:
    folder = tmp_path / "export"
    folder.mkdir()
    shared = "https://museum.example.be/id/D-1"
    (folder / "a.xml").write_text(lido_record("D-1", shared, "Origineel"), "utf-8")
    (folder / "b.xml").write_text(lido_record("D-1-kopie", shared, "Kopie"), "utf-8")
    with oogst(tmp_path) as app:
        app.add_feed("museum", str(folder), "lido", protocol="files")
        summary = app.harvest("museum")
        assert (summary.counts["published"], summary.counts["quarantined"]) == (1, 1)
        clash = app.state.get_record("museum", "D-1-kopie")
        assert clash["state"] == "quarantined"
        (finding,) = [f for f in clash["report"]["findings"] if f["rule"] == "oogst:iri-collision"]
        assert "D-1-kopie" in finding["message"]["en"] and "record D-1 of feed museum" in finding["message"]["en"]
        assert finding["value"] == shared
        # the same record again, as a second version, is no clash with itself
        (folder / "a.xml").write_text(lido_record("D-1", shared, "Origineel, herzien"), "utf-8")
        assert app.harvest("museum").counts["published"] == 1
        # a second feed claiming the same object is stopped too
        other = tmp_path / "other"
        other.mkdir()
        (other / "c.xml").write_text(lido_record("X-9", shared, "Elders"), "utf-8")
        app.add_feed("elders", str(other), "lido", protocol="files")
        assert app.harvest("elders").counts["quarantined"] == 1
