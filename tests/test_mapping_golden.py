"""Golden mappings: ``tests/golden/<case>/source.*`` must map to ``expected.ttl`` (graph
isomorphism), and every expected graph must pass the acceptance shapes. See
``tests/golden/README.md``; ``OOGST_UPDATE_GOLDEN=1`` rewrites the expected graphs."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from rdflib import RDF, BNode, Graph, URIRef
from rdflib.compare import graph_diff, isomorphic, to_isomorphic

from oogst.jsonld import ContextCache
from oogst.mapping import Profile, formats, get_mapper, vocab
from oogst.records import MappedRecord, SourceRecord
from oogst.shapes import Validator

GOLDEN = Path(__file__).parent / "golden"
DOSSIER = URIRef("https://data.vlaanderen.be/ns/dossier#Dossier")
CASES = sorted(p.name for p in GOLDEN.iterdir() if (p / "golden.json").is_file())


def source_of(folder: Path) -> Path:
    (source,) = [p for p in folder.iterdir() if p.stem == "source"]
    return source


def map_case(case: str) -> MappedRecord:
    folder = GOLDEN / case
    spec = json.loads((folder / "golden.json").read_text("utf-8"))
    contexts = ContextCache(folder / spec["contexts"]) if "contexts" in spec else None
    if "profile_file" in spec:
        settings = {k: v for k, v in spec["profile"].items() if k != "feed"}
        profile = Profile.from_toml(folder / spec["profile_file"], spec["profile"]["feed"], contexts=contexts, **settings)
    else:
        profile = Profile(**spec["profile"], contexts=contexts)
    record = SourceRecord(
        feed=profile.feed,
        source_id=spec["source_id"],
        datestamp=None,
        payload=source_of(folder).read_bytes(),
        format=spec["format"],
    )
    return get_mapper(spec["format"]).map(record, profile)


def test_every_format_has_a_golden_case() -> None:
    covered = {json.loads((GOLDEN / case / "golden.json").read_text("utf-8"))["format"] for case in CASES}
    assert covered == set(formats())


@pytest.mark.parametrize("case", CASES)
def test_golden_mapping(case: str) -> None:
    mapped = map_case(case)
    actual = Graph().parse(data=mapped.ntriples, format="nt")
    expected_path = GOLDEN / case / "expected.ttl"
    if os.environ.get("OOGST_UPDATE_GOLDEN"):
        for prefix, namespace in vocab.TURTLE_PREFIXES.items():
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
def test_golden_expectation_is_ours_and_passes_acceptance(case: str) -> None:
    mapped = map_case(case)
    expected = Graph().parse(GOLDEN / case / "expected.ttl", format="turtle")
    assert not any(isinstance(term, BNode) for triple in expected for term in triple), "no blank nodes"
    objects = set(expected.subjects(RDF.type, URIRef(vocab.E22))) | set(expected.subjects(RDF.type, DOSSIER))
    assert objects == {URIRef(mapped.iri)}, f"only the record's own object is an E22 (or a dossier), not {objects}"
    nodes = {t for triple in expected for t in triple if isinstance(t, URIRef) and "#" in t
             and t.split("#")[0] == mapped.iri.split("#")[0]} | {s for s in expected.subjects() if "/id/object/" in s}
    untyped = {n for n in nodes if (n, RDF.type, None) not in expected}
    assert not untyped, f"every node of the record is typed: {untyped}"
    record = MappedRecord(
        source_id=mapped.source_id,
        iri=mapped.iri,
        ntriples=expected.serialize(format="nt"),
        label=mapped.label,
        source_paths=mapped.source_paths,
    )
    report = Validator().validate([record])[record.source_id]
    assert report.conforms, [f.message_en for f in report.findings]
