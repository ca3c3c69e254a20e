"""OSLO → EDM: every sample and corpus record that has rights and a link becomes EDM that
Europeana's own XSD and schematron accept; the others get a reason, never a silent drop.
Rights, ids, types and the per-feed settings are checked one by one."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from lxml import etree

from oogst.errors import ConfigError, MappingError
from oogst.mapping import Profile, get_mapper, records_in_file
from oogst.publish.edm import crosswalk, export
from oogst.publish.edm_check import EdmValidator, id_collisions, preflight
from oogst.publish.europeana import (
    DeliverySettings,
    TypeRule,
    europeana_id,
    is_allowed_rights,
    rights_category,
    rights_uri,
)
from oogst.records import SourceRecord

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "data" / "samples"
CORPUS = ROOT.parent / "shared" / "corpus"
SETTINGS = DeliverySettings(provider="Meemoo", intermediate_provider="oogst", dataset_id="2048999")
NS = {
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#", "edm": "http://www.europeana.eu/schemas/edm/",
    "dc": "http://purl.org/dc/elements/1.1/", "ore": "http://www.openarchives.org/ore/terms/",
    "skos": "http://www.w3.org/2004/02/skos/core#", "dcterms": "http://purl.org/dc/terms/",
}
# The sample records that must not become EDM, and why (data/samples/README.md).
REFUSED = {
    "oai:hofvanleie.be:lido:2019-S-002": "edm:no-title",
    "oai:hofvanleie.be:lido:1962-G-005": "edm:no-rights",
    "oai:kustlicht.be:FO-1927-0015": "edm:no-title",
    "oai:kustlicht.be:PK-1914-0002": "edm:no-rights",
}


def sample_graphs() -> list[tuple[str, str]]:
    """(source id, N-Triples) of every live sample record, mapped as the pipeline does."""
    out = []
    for folder, feed, fmt in (("museum-lido", "hof-van-leie", "lido"), ("archive-dc", "kustlicht", "oai_dc")):
        profile = Profile.from_toml(SAMPLES / folder / "profile.toml", feed)
        found = records_in_file((SAMPLES / folder / "records.xml").read_bytes(), fmt, feed=feed, name="records.xml")
        out += [(r.source_id, get_mapper(fmt).map(r, profile).ntriples) for r in found.records]
    return out


@pytest.fixture(scope="module")
def samples() -> list[tuple[str, str]]:
    return sample_graphs()


@pytest.fixture(scope="module")
def validator(corpus: Path) -> EdmValidator:
    checker = EdmValidator(corpus / "schemas")
    if checker.unavailable or checker.schematron_unavailable:
        pytest.skip(checker.unavailable or checker.schematron_unavailable)
    return checker


def xml_of(result) -> etree._Element:
    return etree.fromstring(result.xml)


# -- the samples and the corpus through Europeana's validators --------------------------------
def test_every_sample_with_rights_and_a_link_passes_xsd_and_schematron(samples, validator: EdmValidator) -> None:
    exported = 0
    for source_id, ntriples in samples:
        result = export(ntriples, SETTINGS)
        if source_id in REFUSED:
            assert result.record is None and result.xml is None
            assert REFUSED[source_id] in {f.rule for f in result.findings}, source_id
            assert all(f.message_nl and f.message_en for f in result.findings)
            continue
        assert result.ok, (source_id, [f.message_en for f in result.findings])
        assert validator.validate(result.xml, source_id) == [], source_id
        exported += 1
    assert exported == len(samples) - len(REFUSED) >= 70


def corpus_mapped(corpus: Path) -> list[tuple[str, str, str]]:
    """(file, source id, N-Triples) of every record the mappers take from the corpus."""
    from oogst.jsonld import ContextCache

    out = []
    for path in sorted((corpus / "lido").glob("*.xml")):
        try:
            found = records_in_file(path.read_bytes(), "lido", feed="corpus", name=path.name).records
        except MappingError:  # the not well-formed VKC file: reported by the mapper, not ours
            continue
        out += [(path.name, r.source_id, get_mapper("lido").map(r, Profile(feed="corpus")).ntriples) for r in found]
    contexts = ContextCache(corpus / "ldes-gent" / "context")
    for path in sorted((corpus / "ldes-gent").glob("members-*.json")):
        for member in json.loads(path.read_text("utf-8")):
            record = SourceRecord("gent", member["dcterms:isVersionOf"], None, json.dumps(member).encode(),
                                  "oslo-jsonld")
            mapped = get_mapper("oslo-jsonld").map(record, Profile(feed="gent", contexts=contexts))
            out.append((path.name, record.source_id, mapped.ntriples))
    for path in sorted((corpus / "edm").rglob("*.xml")):
        try:
            mapped = get_mapper("edm").map(SourceRecord("eu", path.name, None, path.read_bytes(), "edm"),
                                           Profile(feed="eu"))
        except MappingError:  # a web resource sample without a ProvidedCHO
            continue
        out.append((path.name, path.name, mapped.ntriples))
    return out


@pytest.mark.corpus
def test_every_corpus_record_with_rights_and_a_link_passes(corpus: Path, validator: EdmValidator) -> None:
    """As the source carries them: only the EDM files state rights and a link; they pass
    (except the one with an old Europeana rr-f URI, refused with the reason)."""
    passed = 0
    for name, source_id, ntriples in corpus_mapped(corpus):
        result = export(ntriples, SETTINGS)
        if result.ok:
            assert validator.validate(result.xml, source_id) == [], (name, source_id)
            passed += 1
        else:
            assert result.findings and all(f.severity in ("violation", "warning") for f in result.findings)
            if name == "Item_35834473.xml":
                assert "edm:invalid-rights" in {f.rule for f in result.findings}
    assert passed >= 10


@pytest.mark.corpus
def test_corpus_records_with_feed_defaults_pass_too(corpus: Path, validator: EdmValidator) -> None:
    """With a feed's default rights, data provider and type, every corpus object that has a
    link exports valid EDM: Ghent's LDES members, MSK's LIDO, the EDM samples."""
    settings = DeliverySettings(provider="Meemoo", dataset_id="1", default_rights="CC0",
                                data_provider="Musea Gent", type_rule=TypeRule(default="IMAGE"))
    reasons = set()
    passed = 0
    for name, source_id, ntriples in corpus_mapped(corpus):
        result = export(ntriples, settings)
        if result.ok:
            assert validator.validate(result.xml, source_id) == [], (name, source_id)
            passed += 1
        else:
            reasons |= {f.rule for f in result.findings if f.severity == "violation"}
    assert passed >= 30
    assert reasons <= {"edm:no-object", "edm:no-link", "edm:invalid-rights", "edm:no-subject-or-type"}


# -- what the crosswalk writes -------------------------------------------------------------------
def test_the_golden_print_in_edm(samples) -> None:
    ntriples = dict(samples)["oai:hofvanleie.be:lido:1979-G-002"]
    result = export(ntriples, SETTINGS)
    root = xml_of(result)
    cho = root.find("edm:ProvidedCHO", NS)
    assert cho.get(f"{{{NS['rdf']}}}about") == "http://hofvanleie.be/collectie/werk/id/1979-G-002"
    assert [c.tag.split("}")[1] for c in cho][-1] == "type"
    assert cho.findtext("edm:type", namespaces=NS) == "IMAGE"
    creators = [c.text or c.get(f"{{{NS['rdf']}}}resource") for c in cho.findall("dc:creator", NS)]
    assert "Bruegel, Pieter (I) (naar)" in creators, "the attribution qualifier stays in the label"
    assert "http://www.wikidata.org/entity/Q43270" not in creators, "'naar Bruegel' is not Bruegel"
    assert "http://www.wikidata.org/entity/Q640361" in creators
    agents = {a.get(f"{{{NS['rdf']}}}about") for a in root.findall("edm:Agent", NS)}
    assert "http://www.wikidata.org/entity/Q640361" in agents
    assert root.find("edm:TimeSpan/edm:begin", NS).text == "1557-01-01"
    assert root.find("edm:Place/skos:prefLabel", NS).text == "Antwerpen"
    agg = root.find("ore:Aggregation", NS)
    rights = agg.find("edm:rights", NS).get(f"{{{NS['rdf']}}}resource")
    assert rights == "http://creativecommons.org/publicdomain/zero/1.0/", "the shown image's rights"
    assert agg.findtext("edm:dataProvider", namespaces=NS) == "Museum Hof van Leie"
    assert agg.findtext("edm:provider", namespaces=NS) == "Meemoo"
    assert agg.find("edm:isShownBy", NS) is not None and agg.find("edm:isShownAt", NS) is not None
    extents = [e.text for e in cho.findall("dcterms:extent", NS)]
    assert "hoogte 22.9 cm (plaatrand)" in extents


def test_text_needs_a_language_and_a_type_needs_a_source(samples) -> None:
    book = dict(samples)["oai:kustlicht.be:BO-1641-0001"]
    result = crosswalk(book, SETTINGS)
    assert result.record.edm_type == "TEXT" and result.record.values("dc:language")
    no_language = "\n".join(line for line in book.splitlines() if "/terms/language>" not in line)
    refused = crosswalk(no_language, SETTINGS)
    assert refused.record is None and [f.rule for f in refused.findings] == ["edm:no-language"]
    no_type = "\n".join(line for line in book.splitlines() if "P41i_was_classified_by" not in line
                        and "P129i_is_subject_of" not in line)
    result = crosswalk(no_type, SETTINGS)
    assert "edm:no-type" in {f.rule for f in result.findings}
    ruled = DeliverySettings(provider="Meemoo", type_rule=TypeRule.from_config({"default": "text"}))
    assert crosswalk(no_type, ruled).record.edm_type == "TEXT"


def test_type_rules_override(samples) -> None:
    poster = dict(samples)["oai:kustlicht.be:AF-1898-0001"]
    assert crosswalk(poster, SETTINGS).record.edm_type == "IMAGE"
    forced = DeliverySettings(provider="x", type_rule=TypeRule.from_config("3D"))
    assert crosswalk(poster, forced).record.edm_type == "3D"
    by_term = DeliverySettings(provider="x", type_rule=TypeRule.from_config({"terms": {"300027221": "VIDEO"}}))
    assert crosswalk(poster, by_term).record.edm_type == "VIDEO"
    print_ = dict(samples)["oai:hofvanleie.be:lido:1979-G-002"]
    sound = DeliverySettings(provider="x", type_rule=TypeRule.from_config({"terms": {" Gravure ": "SOUND"}}))
    assert crosswalk(print_, sound).record.edm_type == "SOUND", "terms match case- and space-insensitively"
    with pytest.raises(ConfigError, match="edm:type"):
        TypeRule.from_config({"default": "PICTURE"})
    with pytest.raises(ConfigError, match="unknown keys"):
        TypeRule.from_config({"fallback": "IMAGE"})


def test_hostile_literals_stay_well_formed_and_valid(validator: EdmValidator) -> None:
    o = "<http://example.org/o/1>"
    crm = "http://www.cidoc-crm.org/cidoc-crm/"
    ntriples = "\n".join([
        f"{o} <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{crm}E22_Human-Made_Object> .",
        f'{o} <{crm}P102_has_title> "A & B <c> \\"d\\" \\u0001\\u000B]]>"@nl-BE .',
        f'{o} <{crm}P3_has_note> "line\\none\\ttab\\r"@x-private-tag .',
        f"{o} <{crm}P41i_was_classified_by> <http://example.org/o/1#c> .",
        f"<http://example.org/o/1#c> <{crm}P42_assigned> <http://vocab.getty.edu/aat/300046300> .",
        f"{o} <http://xmlns.com/foaf/0.1/page> <http://example.org/page?a=1&b=2> .",
        f"{o} <{crm}P104_is_subject_to> <http://example.org/o/1#r> .",
        f"<http://example.org/o/1#r> <{crm}P2_has_type> <https://creativecommons.org/licenses/by-sa/4.0/deed.nl> .",
        f"{o} <{crm}P50_has_current_keeper> <http://example.org/museum> .",
        '<http://example.org/museum> <http://www.w3.org/2004/02/skos/core#prefLabel> "Museum \\"X\\""@nl .',
    ]) + "\n"
    result = export(ntriples, SETTINGS)
    assert result.ok, [f.message_en for f in result.findings]
    root = xml_of(result)
    assert root.findtext("edm:ProvidedCHO/dc:title", namespaces=NS) == 'A & B <c> "d" ]]>'
    assert validator.validate(result.xml) == []
    assert root.find("ore:Aggregation/edm:rights", NS).get(f"{{{NS['rdf']}}}resource") == \
        "http://creativecommons.org/licenses/by-sa/4.0/"


def test_no_heritage_object_and_invalid_rights_are_reasons() -> None:
    assert [f.rule for f in crosswalk("", SETTINGS).findings] == ["edm:no-object"]
    crm = "http://www.cidoc-crm.org/cidoc-crm/"
    ntriples = (f"<http://x.org/o> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{crm}E22_Human-Made_Object> .\n"
                f"<http://x.org/o> <{crm}P104_is_subject_to> <http://x.org/o#r> .\n"
                f"<http://x.org/o#r> <{crm}P2_has_type> <http://www.europeana.eu/rights/rr-f/> .\n")
    rules = {f.rule: f for f in crosswalk(ntriples, SETTINGS).findings}
    assert "edm:invalid-rights" in rules and "edm:no-rights" not in rules
    assert "rr-f" in rules["edm:invalid-rights"].message_nl
    with_default = DeliverySettings(provider="x", default_rights="CC BY")
    assert "edm:invalid-rights" in {f.rule for f in crosswalk(ntriples, with_default).findings}, \
        "a stated but unacceptable licence is not overridden by the default"


# -- rights, ids and settings ------------------------------------------------------------------
@pytest.mark.parametrize(("value", "expected"), [
    ("https://creativecommons.org/licenses/by/4.0/", "http://creativecommons.org/licenses/by/4.0/"),
    ("http://creativecommons.org/licenses/by-nc-sa/4.0", "http://creativecommons.org/licenses/by-nc-sa/4.0/"),
    ("https://creativecommons.org/licenses/by/4.0/deed.nl", "http://creativecommons.org/licenses/by/4.0/"),
    ("https://creativecommons.org/licenses/by-sa/4.0/legalcode.nl", "http://creativecommons.org/licenses/by-sa/4.0/"),
    ("http://creativecommons.org/licenses/by/3.0/nl/", "http://creativecommons.org/licenses/by/3.0/nl/"),
    ("https://creativecommons.org/publicdomain/zero/1.0/deed.en", "http://creativecommons.org/publicdomain/zero/1.0/"),
    ("https://rightsstatements.org/page/InC/1.0/?language=nl", "http://rightsstatements.org/vocab/InC/1.0/"),
    ("http://rightsstatements.org/vocab/inc-edu/1.0", "http://rightsstatements.org/vocab/InC-EDU/1.0/"),
    ("Publiek domein", "http://creativecommons.org/publicdomain/mark/1.0/"),
    ("CC BY-SA 4.0", "http://creativecommons.org/licenses/by-sa/4.0/"),
    ("cc0", "http://creativecommons.org/publicdomain/zero/1.0/"),
    ("In copyright", "http://rightsstatements.org/vocab/InC/1.0/"),
    ("http://www.europeana.eu/rights/rr-f/", None),
    ("https://creativecommons.org/licenses/by/5.0/", None),
    ("http://creativecommons.org/licenses/by-nd-nc/4.0/", None),
    ("http://rightsstatements.org/vocab/UND/1.0/", None),
    ("alle rechten bij de fotograaf", None),
    ("", None),
])
def test_rights_take_europeanas_form(value: str, expected: str | None) -> None:
    assert rights_uri(value) == expected
    if expected:
        assert is_allowed_rights(expected)


def test_rights_categories() -> None:
    assert rights_category("http://creativecommons.org/publicdomain/mark/1.0/") == "open"
    assert rights_category("http://creativecommons.org/licenses/by-sa/4.0/") == "open"
    assert rights_category("http://creativecommons.org/licenses/by-nd/4.0/") == "restricted"
    assert rights_category("http://rightsstatements.org/vocab/NoC-OKLR/1.0/") == "restricted"
    assert rights_category("http://rightsstatements.org/vocab/InC-OW-EU/1.0/") == "closed"
    assert rights_category("https://creativecommons.org/licenses/by/4.0/") is None
    assert not is_allowed_rights("http://creativecommons.org/licenses/by/2.1/")  # 2.1 needs a port
    assert is_allowed_rights("http://creativecommons.org/licenses/by/2.1/es/")


def test_europeana_ids_and_collisions() -> None:
    assert europeana_id("2048128", "http://hofvanleie.be/collectie/werk/id/1979-G-002") == \
        "/2048128/collectie_werk_id_1979_G_002"
    assert europeana_id("2048128a", "https://data.oogst.be/id/object/k/1") == \
        "/2048128/https___data_oogst_be_id_object_k_1", "https:// is not shortened, a trailing letter goes"
    assert europeana_id("9", "http://example.org") == "/9/"
    assert europeana_id("9", "urn:x:\U0001F600") == "/9/urn_x___", "beyond the BMP: two Java chars"
    collisions = id_collisions(["http://m.be/obj/a-b", "http://m.be/obj/a_b", "http://m.be/obj/c",
                                "http://other.be/obj/c"], "7")
    assert collisions == {"/7/obj_a_b": ["http://m.be/obj/a-b", "http://m.be/obj/a_b"],
                          "/7/obj_c": ["http://m.be/obj/c", "http://other.be/obj/c"]}


def test_delivery_settings_are_checked() -> None:
    settings = DeliverySettings.from_config({"provider": "Meemoo", "default_rights": "https://creativecommons.org/"
                                             "publicdomain/zero/1.0/", "dataset_id": "2048128",
                                             "type_rule": {"force": "image"}}, feed="f")
    assert settings.rights == "http://creativecommons.org/publicdomain/zero/1.0/"
    assert settings.type_rule.force == "IMAGE"
    for bad, match in (({}, "edm:provider"), ({"provider": "x", "default_rights": "free"}, "default_rights"),
                       ({"provider": "x", "country": "Vlaanderen"}, "country"),
                       ({"provider": "x", "language": "vls"}, "language"),
                       ({"provider": "x", "dataset_id": "ds-1"}, "dataset_id"),
                       ({"provider": "x", "colour": "red"}, "unknown")):
        with pytest.raises(ConfigError, match=match):
            DeliverySettings.from_config(bad, feed="f")


def test_preflight_reports_refusals_collisions_and_tier_zero(samples, validator: EdmValidator) -> None:
    results = [(sid, export(nt, SETTINGS)) for sid, nt in samples]
    twin = next(r for _, r in results if r.ok)
    clash_about = twin.record.about.replace("-", "_") if "-" in twin.record.about else twin.record.about + "_"
    clash = export("".join(line.replace(f"<{twin.record.about}>", f"<{clash_about}>") + "\n"
                           for line in dict(samples)[next(s for s, r in results if r is twin)].splitlines()),
                   SETTINGS)
    report = preflight(results + [("clash", clash)], dataset_id="2048999", validator=validator)
    assert report.total == len(samples) + 1 and report.exportable == len(samples) + 1 - len(REFUSED)
    assert set(report.refused) == set(REFUSED)
    assert report.invalid == {} and report.validation_skipped is None
    assert len(report.collisions) == 1 and "clash" in next(iter(report.collisions.values()))
    assert not report.ready
    json.dumps(report.as_dict())


def test_validator_skips_with_a_clear_message(tmp_path: Path) -> None:
    assert "edm_schemas_dir" in EdmValidator(None).unavailable
    assert "missing" in EdmValidator(tmp_path).unavailable
    with pytest.raises(RuntimeError, match="missing"):
        EdmValidator(tmp_path).validate(b"<x/>")
    report = preflight([], dataset_id=None, validator=EdmValidator(tmp_path))
    assert "missing" in report.validation_skipped and report.ready


def test_export_feed_writes_one_rdfxml_file_per_record(samples, validator: EdmValidator, tmp_path: Path) -> None:
    import zipfile

    from oogst.publish.delivery import export_feed

    target = tmp_path / "kustlicht.zip"
    with target.open("wb") as out:
        delivery = export_feed(samples, SETTINGS, out=out, validator=validator, check=True)
    with zipfile.ZipFile(target) as archive:
        names = archive.namelist()
        assert len(names) == delivery.files == len(samples) - len(REFUSED)
        assert all(name.startswith("2048999_") and name.endswith(".xml") for name in names)
        first = etree.fromstring(archive.read(names[0]))
        assert first.tag == f"{{{NS['rdf']}}}RDF"
    report = delivery.as_dict()
    assert set(report["refused"]) == set(REFUSED) and report["invalid"] == {}
    assert report["tiers"]["records"] == delivery.files
    assert sum(report["tiers"]["metadata"].values()) == delivery.files
    json.dumps(report)
