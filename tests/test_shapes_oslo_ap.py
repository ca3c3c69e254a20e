"""The OSLO application-profile shapes (shapes/oslo-ap.ttl): generated from our own table,
warnings only, the published generator defects fixed, messages in the partner's terms; and
the CIDOC-CRM superclass table they are validated with."""

from __future__ import annotations

from dataclasses import replace

import pytest
from rdflib import SH, Literal, Namespace, URIRef

from oogst.shapes import Validator, generate, load_shapes
from oogst.shapes.materialise import superclasses

from .test_validate import lido_record

CRM = Namespace("http://www.cidoc-crm.org/cidoc-crm/")
AP = Namespace("https://data.oogst.be/shapes/oslo-ap#")
GAPS = ["oslo-ap:Activiteit.uitgevoerdDoor.min", "oslo-ap:Gebeurtenis.plaats.min",
        "oslo-ap:MensgemaaktObject.materiaal.min"]


@pytest.fixture(scope="module")
def shapes():
    return load_shapes("oslo-ap")


@pytest.fixture(scope="module")
def validator() -> Validator:
    return Validator(["acceptance", "oslo-ap"])


def rules(report) -> list[str]:
    return [f.rule for f in report.findings]


def test_the_shipped_files_are_what_the_generator_writes(corpus) -> None:
    assert generate.main(["--check"]) == 0, "run: .venv/bin/python -m oogst.shapes.generate"


def test_every_rule_is_a_named_warning_with_dutch_and_english_names_and_messages(shapes) -> None:
    rules = [s for s in shapes.subjects(SH.severity, None)]
    assert len(rules) > 100
    for rule in rules:
        assert isinstance(rule, URIRef) and str(rule).startswith(str(AP)), rule
        assert shapes.value(rule, SH.severity) == SH.Warning, rule
        for predicate in (SH.message, SH.name):
            assert {m.language for m in shapes.objects(rule, predicate) if isinstance(m, Literal)} == {"nl", "en"}
        for message in shapes.objects(rule, SH.message):
            assert "{subject}" in message and "{source}" in message, (rule, message)


def test_the_published_generator_defects_are_fixed(shapes) -> None:
    classes = {str(c) for c in shapes.objects(None, SH["class"])}
    assert not any("wherever" in c or "TODO" in c for c in classes)
    targets = set(shapes.objects(None, SH.targetClass))
    assert URIRef("https://data.vlaanderen.be/ns/cultureel-erfgoed#Rol.activiteit") not in targets
    assert {CRM.E7_Activity, URIRef("http://purl.org/dc/terms/Agent")} <= targets
    # one property of one class with two ranges: one rule whose values may be either
    assert (AP["InformatieObject.drager.range"], SH.path, CRM.P128i_is_carried_by) in shapes
    assert len(list(shapes.subjects(SH.path, CRM.P128i_is_carried_by))) == 1
    assert shapes.value(AP["InformatieObject.drager.range"], SH["or"]) is not None
    # a rule a superclass states already is left out: one gap, one warning
    assert (AP["Gebeurtenis.tijd.min"], None, None) not in shapes
    assert (AP["TemporeleEntiteit.tijd.min"], None, None) in shapes


def test_a_record_that_passes_acceptance_gets_the_warnings_of_the_profile(validator: Validator) -> None:
    report = validator.validate([lido_record("r1")])["r1"]
    assert report.conforms  # warnings never block publication
    # the LIDO event names no maker, no place and no material: the gaps the profile sees
    assert rules(report) == GAPS
    maker, place, material = report.findings
    assert {maker.severity, place.severity, material.severity} == {"warning"}
    assert maker.source_path == "lido:event/eventActor/actorInRole/actor"
    assert material.source_path == "lido:event/eventMaterialsTech/materialsTech/termMaterialsTech"
    assert material.message_nl == (
        "Het object 'Het Manna' heeft geen materiaal (lido:event/eventMaterialsTech/materialsTech/termMaterialsTech "
        "ontbreekt). Het OSLO-applicatieprofiel vraagt er minstens één."
    )
    assert material.message_en.startswith("The object 'Het Manna' has no material (lido:event/eventMaterialsTech/")
    # a part of the object is named after the property that links it
    assert place.message_nl.startswith("Een productie van het object 'Het Manna' heeft geen plaats (")
    assert place.message_en.startswith("A production of the object 'Het Manna' has no place (")
    assert place.value is None


def test_warnings_name_the_lido_field_to_fill_in(validator: Validator) -> None:
    no_date = lido_record("r1", date="")
    report = validator.validate([no_date])["r1"]
    assert report.conforms  # warnings never block publication
    findings = {f.rule: f for f in report.findings}
    missing = findings["oslo-ap:TemporeleEntiteit.tijd.min"]
    assert missing.source_path == "lido:event/eventDate/date/earliestDate, latestDate"
    assert missing.message_nl == (
        "Een productie van het object 'Het Manna' heeft geen datering (lido:event/eventDate/date/earliestDate, "
        "latestDate ontbreekt). Het OSLO-applicatieprofiel vraagt er minstens één."
    )
    assert missing.message_en.startswith("A production of the object 'Het Manna' has no date (lido:event/")


def test_a_value_of_the_wrong_kind_shows_the_value(validator: Validator) -> None:
    record = lido_record("r1")
    untagged = record.ntriples.replace('"Het Manna"@nl', '"Het Manna"')
    (finding,) = [f for f in validator.validate([replace(record, ntriples=untagged)])["r1"].findings
                  if f.rule == "oslo-ap:MensgemaaktObject.titel.range"]
    assert finding.value == "Het Manna"
    assert finding.message_nl == (
        "Het object 'Het Manna' heeft een titel zonder taal: 'Het Manna' (lido:titleWrap/titleSet/appellationValue). "
        'Geef de taal mee (bv. xml:lang="nl").'
    )


def test_exempt_nodes_get_no_warning_the_partner_cannot_act_on(validator: Validator) -> None:
    # a classification (objectnaam) is an activity in the AP, but has no date, place or actor
    record = lido_record("r1")
    node = f"<{record.iri}#classification-x>"
    extra = (f"<{record.iri}> <{CRM.P41i_was_classified_by}> {node} .\n"
             f"{node} <{CRM.P41_classified}> <{record.iri}> .\n"
             f"{node} <{CRM.P42_assigned}> <http://vocab.getty.edu/aat/300033618> .\n")
    report = validator.validate([replace(record, ntriples=record.ntriples + extra)])["r1"]
    assert rules(report) == GAPS  # the production's and the object's, as before


def test_superclass_table() -> None:
    table = superclasses()
    assert {str(CRM[c]) for c in ("E7_Activity", "E5_Event", "E2_Temporal_Entity", "E1_CRM_Entity")} <= set(
        table[str(CRM.E12_Production)])
    assert str(CRM["E22_Human-Made_Object"]) in table[str(CRM["E22_Man-Made_Object"])]
    digital = table["http://www.ics.forth.gr/isl/CRMdig/D1_Digital_Object"]
    assert {str(CRM.E73_Information_Object), str(CRM.E28_Conceptual_Object)} <= set(digital)
    assert str(CRM.E13_Attribute_Assignment) in table[str(CRM.E17_Type_Assignment)]


def test_the_superclass_table_is_the_crm_closure(corpus) -> None:
    table = generate.crm_superclasses(corpus / "shacl" / "CIDOC_CRM_v7.1.3.rdf")
    assert {k: tuple(v) for k, v in table.items()} == superclasses()
