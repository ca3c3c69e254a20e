"""Golden mappings: ``tests/golden/<case>/source.xml`` must map to ``expected.ttl`` (graph
isomorphism), and every expected graph must pass the acceptance shapes. See
``tests/golden/README.md``; ``OOGST_UPDATE_GOLDEN=1`` rewrites the expected graphs."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.compare import graph_diff, isomorphic, to_isomorphic

from oogst.mapping import Profile, get_mapper
from oogst.records import MappedRecord, SourceRecord
from oogst.shapes import Validator

GOLDEN = Path(__file__).parent / "golden"
CASES = sorted(p.name for p in GOLDEN.iterdir() if (p / "source.xml").is_file())
PREFIXES = {
    "crm": "http://www.cidoc-crm.org/cidoc-crm/",
    "ce": "https://data.vlaanderen.be/ns/cultureel-erfgoed#",
    "adms": "http://www.w3.org/ns/adms#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "schema": "https://schema.org/",
    "dcterms": "http://purl.org/dc/terms/",
    "owl": "http://www.w3.org/2002/07/owl#",
    "aat": "http://vocab.getty.edu/aat/",
    "cest": "https://www.projectcest.be/wiki/Publicatie:Invulboek_objecten/Veld/",
    "edtf": "http://id.loc.gov/datatypes/edtf/",
}


def map_case(case: str) -> MappedRecord:
    folder = GOLDEN / case
    spec = json.loads((folder / "golden.json").read_text("utf-8"))
    profile = Profile(**spec["profile"])
    record = SourceRecord(
        feed=profile.feed,
        source_id=spec["source_id"],
        datestamp=None,
        payload=(folder / "source.xml").read_bytes(),
        format=spec["format"],
    )
    return get_mapper(spec["format"]).map(record, profile)


@pytest.mark.parametrize("case", CASES)
def test_golden_mapping(case: str) -> None:
    mapped = map_case(case)
    actual = Graph().parse(data=mapped.ntriples, format="nt")
    expected_path = GOLDEN / case / "expected.ttl"
    if os.environ.get("OOGST_UPDATE_GOLDEN"):
        for prefix, namespace in PREFIXES.items():
            actual.bind(prefix, namespace)
        expected_path.write_text(actual.serialize(format="turtle"), "utf-8")
        pytest.skip(f"rewrote {expected_path}")
    expected = Graph().parse(expected_path, format="turtle")
    if not isomorphic(actual, expected):
        _, missing, extra = graph_diff(to_isomorphic(expected), to_isomorphic(actual))
        pytest.fail(
            f"{case}: the mapping differs from expected.ttl\n"
            f"missing:\n{missing.serialize(format='nt')}\nextra:\n{extra.serialize(format='nt')}"
        )


@pytest.mark.parametrize("case", CASES)
def test_golden_expectation_passes_acceptance(case: str) -> None:
    mapped = map_case(case)
    expected = Graph().parse(GOLDEN / case / "expected.ttl", format="turtle")
    record = MappedRecord(
        source_id=mapped.source_id,
        iri=mapped.iri,
        ntriples=expected.serialize(format="nt"),
        label=mapped.label,
        source_paths=mapped.source_paths,
    )
    report = Validator().validate([record])[record.source_id]
    assert report.conforms, [f.message_en for f in report.findings]
