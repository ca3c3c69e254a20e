"""The acceptance shapes and the validator: conforming records, plain-language findings,
results attributed to the right record in a batch."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from rdflib import RDF, SH, Graph, Literal, Namespace, URIRef

from oogst.errors import ConfigError
from oogst.mapping import Profile, get_mapper
from oogst.mapping.normalize import EDTF_PATTERN
from oogst.records import MappedRecord, SourceRecord
from oogst.shapes import Validator, available_shapes, load_shapes, materialise_types
from oogst.shapes.materialise import Preparation

CRM = Namespace("http://www.cidoc-crm.org/cidoc-crm/")
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")
PROFILE = Profile(feed="msk", provider_name="MSK Gent", provider_iri="http://www.wikidata.org/entity/Q2365880")

TITLE = (
    "<lido:titleWrap><lido:titleSet><lido:appellationValue>Het Manna</lido:appellationValue></lido:titleSet>"
    "</lido:titleWrap>"
)
KEEPER = (
    "<lido:repositoryName><lido:legalBodyName><lido:appellationValue>MSK Gent</lido:appellationValue>"
    "</lido:legalBodyName></lido:repositoryName>"
)
RIGHTS = (
    "<lido:rightsWorkWrap><lido:rightsWorkSet><lido:rightsType><lido:term>CC0</lido:term></lido:rightsType>"
    "</lido:rightsWorkSet></lido:rightsWorkWrap>"
)
PAGE = (
    "<lido:recordWrap><lido:recordInfoSet><lido:recordInfoLink>https://mskgent.be/1998-B-121</lido:recordInfoLink>"
    "</lido:recordInfoSet></lido:recordWrap>"
)


def lido_record(
    source_id: str,
    *,
    title: str = TITLE,
    keeper: str = KEEPER,
    rights: str = RIGHTS,
    page: str = PAGE,
    date: str = "1650",
    pid: str = "",
) -> MappedRecord:
    payload = f"""<lido:lido xmlns:lido="http://www.lido-schema.org">
      <lido:lidoRecID>{source_id}</lido:lidoRecID>
      {f"<lido:objectPublishedID>{pid}</lido:objectPublishedID>" if pid else ""}
      <lido:descriptiveMetadata xml:lang="nl">
        <lido:objectIdentificationWrap>{title}
          <lido:repositoryWrap><lido:repositorySet>{keeper}
            <lido:workID>inv. 1998-B-121</lido:workID>
          </lido:repositorySet></lido:repositoryWrap>
        </lido:objectIdentificationWrap>
        <lido:eventWrap><lido:eventSet><lido:event>
          <lido:eventType><lido:term>productie</lido:term></lido:eventType>
          <lido:eventDate><lido:date>
            <lido:earliestDate>{date}</lido:earliestDate><lido:latestDate>{date}</lido:latestDate>
          </lido:date></lido:eventDate>
        </lido:event></lido:eventSet></lido:eventWrap>
      </lido:descriptiveMetadata>
      <lido:administrativeMetadata xml:lang="nl">{rights}{page}</lido:administrativeMetadata>
    </lido:lido>""".encode()
    record = SourceRecord(feed="msk", source_id=source_id, datestamp=None, payload=payload, format="lido")
    return get_mapper("lido").map(record, PROFILE)


@pytest.fixture(scope="module")
def validator() -> Validator:
    return Validator()


def rules(report) -> list[str]:
    return [f.rule for f in report.findings]


def test_a_complete_record_conforms(validator: Validator) -> None:
    reports = validator.validate([lido_record("r1")])
    assert reports["r1"].conforms and reports["r1"].findings == []


def test_missing_title_and_description_is_explained_in_dutch_and_english(validator: Validator) -> None:
    (finding,) = validator.validate([lido_record("r1", title="")])["r1"].findings
    assert finding.rule == "acceptance:titel"
    assert finding.severity == "violation"
    assert finding.path == "crm:P102_has_title|crm:P3_has_note|dcterms:title"  # dcterms:title: a dossier's name
    assert finding.source_path.startswith("lido:titleWrap/titleSet/appellationValue | lido:objectDescriptionWrap")
    assert finding.message_nl.startswith(
        "Het object 'inv. 1998-B-121' heeft geen titel en geen beschrijving "
        "(lido:titleWrap/titleSet/appellationValue of "
    )
    assert "ontbreekt" in finding.message_nl
    assert finding.message_en.startswith("The object 'inv. 1998-B-121' has no title and no description (")
    assert "lido:titleWrap/titleSet/appellationValue or lido:objectDescriptionWrap" in finding.message_en


@pytest.mark.parametrize("date", ["1876-13-45", "1876-12-32", "1876-02-30", "ergens in de 17de eeuw"])
def test_a_bad_date_is_a_violation_that_shows_the_value(validator: Validator, date: str) -> None:
    (finding,) = validator.validate([lido_record("r1", date=date)])["r1"].findings
    assert finding.rule == "acceptance:datering"
    assert finding.value == date
    assert finding.source_path == "lido:event/eventDate/date/earliestDate, latestDate"
    assert f"De datering '{date}' van het object 'Het Manna'" in finding.message_nl
    assert f"The date '{date}' of the object 'Het Manna'" in finding.message_en


@pytest.mark.parametrize(
    ("change", "rule"),
    [
        ({"keeper": ""}, "acceptance:beheerder"),
        ({"rights": ""}, "acceptance:rechten"),
        ({"rights": RIGHTS.replace("CC0", "zie website")}, "acceptance:rechten"),
        ({"page": ""}, "acceptance:weergave"),
    ],
)
def test_each_rule(validator: Validator, change: dict[str, str], rule: str) -> None:
    report = validator.validate([lido_record("r1", **change)])["r1"]
    assert rules(report) == [rule]
    assert not report.conforms
    assert all(f.message_nl and f.message_en and "{" not in f.message_nl + f.message_en for f in report.findings)


def test_findings_go_to_their_own_record_in_mixed_batches() -> None:
    records = [
        lido_record("good-1"),
        lido_record("no-title", title=""),
        lido_record("good-2"),
        lido_record("bad-date", date="1650-13"),
        lido_record("no-rights-no-keeper", rights="", keeper=""),
    ]
    reports = Validator(batch_size=2).validate(records)
    assert list(reports) == [r.source_id for r in records]
    assert rules(reports["good-1"]) == [] and rules(reports["good-2"]) == []
    assert rules(reports["no-title"]) == ["acceptance:titel"]
    assert rules(reports["bad-date"]) == ["acceptance:datering"]
    assert rules(reports["no-rights-no-keeper"]) == ["acceptance:beheerder", "acceptance:rechten"]
    assert reports["no-title"].findings[0].message_nl.startswith("Het object 'inv. 1998-B-121'")


def test_two_records_of_one_object_are_judged_apart(validator: Validator) -> None:
    pid = "http://mskgent.be/collection/work/id/1998-B-121"
    good, bad = lido_record("a", pid=pid), lido_record("b", pid=pid, page="")
    assert good.iri == bad.iri
    reports = validator.validate([good, bad])
    assert rules(reports["a"]) == [] and rules(reports["b"]) == ["acceptance:weergave"]


def test_an_oai_dc_record_names_dublin_core_fields(validator: Validator) -> None:
    payload = b"""<oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/"
                             xmlns:dc="http://purl.org/dc/elements/1.1/">
      <dc:title>Affiche</dc:title><dc:publisher>STAM</dc:publisher><dc:rights>zie website</dc:rights>
      <dc:identifier>AF-1</dc:identifier><dc:identifier>https://stam.gent/1</dc:identifier></oai_dc:dc>"""
    record = SourceRecord(feed="stam", source_id="s1", datestamp=None, payload=payload, format="oai_dc")
    mapped = get_mapper("oai_dc").map(record, Profile(feed="stam"))
    (finding,) = validator.validate([mapped])["s1"].findings
    assert finding.rule == "acceptance:rechten"
    assert "(dc:rights ontbreekt of is geen rechten-URI)" in finding.message_nl


def test_broken_ntriples_are_reported_without_spoiling_the_batch(validator: Validator) -> None:
    good = lido_record("good")
    broken = replace(lido_record("broken"), ntriples='<http://x> <http://y> "unterminated .\n')
    reports = validator.validate([good, broken])
    assert reports["good"].conforms
    assert [f.rule for f in reports["broken"].findings] == ["mapping:error"]


def test_crm_6_object_class_is_also_a_target(validator: Validator) -> None:
    record = lido_record("old", page="")
    old = record.ntriples.replace("E22_Human-Made_Object", "E22_Man-Made_Object")
    assert rules(validator.validate([replace(record, ntriples=old)])["old"]) == ["acceptance:weergave"]


# -- the shapes themselves ------------------------------------------------------------------


def test_the_date_rule_uses_the_mappers_edtf_syntax() -> None:
    shapes = load_shapes("acceptance")
    (pattern,) = shapes.objects(URIRef("https://data.oogst.be/shapes/acceptance#datering"), SH.pattern)
    assert str(pattern) == EDTF_PATTERN


def test_every_acceptance_rule_has_a_dutch_and_english_message_and_a_severity() -> None:
    shapes = load_shapes("acceptance")
    properties = list(shapes.subjects(RDF.type, SH.PropertyShape))
    assert len(properties) == 6
    for shape in properties:
        assert {m.language for m in shapes.objects(shape, SH.message)} == {"nl", "en"}, shape
        assert shapes.value(shape, SH.severity) == SH.Violation


def test_shapes_by_name_or_path(tmp_path: Path) -> None:
    assert {"acceptance", "oslo-ap"} <= set(available_shapes())
    with pytest.raises(ConfigError, match="acceptance"):
        Validator("nonexistent")
    custom = tmp_path / "custom.ttl"
    custom.write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <https://example.org/> .\n"
        "ex:S a sh:NodeShape ; sh:targetClass <http://www.cidoc-crm.org/cidoc-crm/E22_Human-Made_Object> ;\n"
        "  sh:property [ sh:path ex:p ; sh:minCount 1 ; sh:severity sh:Warning ] .\n"
    )
    (finding,) = Validator(custom).validate([lido_record("r1")])["r1"].findings
    assert finding.severity == "warning"
    assert finding.path == "https://example.org/p" or finding.path.endswith(":p")
    assert Validator(custom).validate([lido_record("r1")])["r1"].conforms  # warnings do not block


# -- materialised types ---------------------------------------------------------------------


def test_materialise_types_on_text_and_on_graphs() -> None:
    record = lido_record("r1")
    text = materialise_types(record.ntriples)
    assert text.startswith(record.ntriples)
    graph = Graph().parse(data=text, format="nt")
    obj = URIRef(record.iri)
    production = graph.value(obj, CRM.P108i_was_produced_by)
    # the class the OSLO range implies, then its CIDOC-CRM superclasses
    assert {CRM.E12_Production, CRM.E7_Activity, CRM.E5_Event, CRM.E2_Temporal_Entity, CRM.E1_CRM_Entity} <= set(
        graph.objects(production, RDF.type)
    )
    assert {CRM.E18_Physical_Thing, CRM.E72_Legal_Object, CRM.E1_CRM_Entity} <= set(graph.objects(obj, RDF.type))
    assert (URIRef("http://creativecommons.org/publicdomain/zero/1.0/"), RDF.type, SKOS.Concept) in graph
    assert not any(isinstance(s, Literal) for s in graph.subjects(RDF.type, None))
    direct = materialise_types(Graph().parse(data=record.ntriples, format="nt"))
    assert set(direct) == set(graph)
    assert materialise_types(text) == text  # nothing twice


def test_a_validator_sees_only_the_triples_and_types_its_shapes_use() -> None:
    record = lido_record("r1")
    text = Preparation.for_shapes(load_shapes("acceptance"))(record.ntriples)
    lines = [line.split(None, 2) for line in text.splitlines()]
    predicates = {p for _, p, _ in lines}
    assert f"<{CRM.P102_has_title}>" in predicates and f"<{SKOS.notation}>" in predicates
    assert f"<{SKOS.prefLabel}>" not in predicates  # no acceptance rule looks at labels
    # the acceptance shapes name no class but their targets: only the object's own type is left
    assert [o for _, p, o in lines if p == f"<{RDF.type}>"] == [f"<{CRM['E22_Human-Made_Object']}> ."]


def test_a_broken_line_the_shapes_do_not_look_at_is_still_reported(validator: Validator) -> None:
    record = lido_record("r1")
    broken = replace(record, ntriples=record.ntriples + f'<{record.iri}> <{SKOS.altLabel}> "no end .\n')
    assert [f.rule for f in validator.validate([broken])["r1"].findings] == ["mapping:error"]


def test_an_identifier_is_not_enough_the_object_number_is_required(validator: Validator) -> None:
    record = lido_record("no-number")
    without = "\n".join(line for line in record.ntriples.splitlines() if "inv. 1998-B-121" not in line) + "\n"
    report = validator.validate([replace(record, ntriples=without)])["no-number"]
    assert rules(report) == ["acceptance:identificator"]
    assert "geen objectnummer" in report.findings[0].message_nl
    assert "lido:repositoryWrap/repositorySet/workID" in report.findings[0].message_nl


def test_current_location_and_part_changes_are_typed_by_their_oslo_range() -> None:
    record = lido_record("r1")
    extra = "".join(f"<{record.iri}> <{CRM[p]}> <https://example.org/{n}> .\n" for p, n in (
        ("P55_has_current_location", "depot"), ("P110i_was_augmented_by", "plus"),
        ("P112i_was_diminished_by", "minus")))
    graph = Graph().parse(data=materialise_types(record.ntriples + extra), format="nt")
    assert (URIRef("https://example.org/depot"), RDF.type, URIRef("http://www.w3.org/ns/prov#Location")) in graph
    assert (URIRef("https://example.org/plus"), RDF.type, CRM.E79_Part_Addition) in graph
    assert (URIRef("https://example.org/minus"), RDF.type, CRM.E80_Part_Removal) in graph
    report = Validator("oslo-ap").validate([replace(record, ntriples=record.ntriples + extra)])["r1"]
    assert not [f.rule for f in report.findings if f.rule.endswith(".range")]
