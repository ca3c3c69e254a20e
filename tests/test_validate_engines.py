"""pyrudof may stand in for pySHACL only where both find the same: the agreement on real
records (the shared corpus, the golden cases, the sample partners, broken variants), the
same results from the cut-down data a validator prepares, and the "auto" engine's choice."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from lxml import etree

from oogst.mapping import Profile, get_mapper
from oogst.records import MappedRecord, SourceRecord
from oogst.shapes import Validator, rudof_available
from oogst.shapes.engines import RudofEngine, make_engine
from oogst.shapes.materialise import Preparation

from .conftest import ROOT
from .test_mapping_golden import CASES, map_case
from .test_validate import KEEPER, RIGHTS, lido_record

LIDO = "{http://www.lido-schema.org}"
OAI = "{http://www.openarchives.org/OAI/2.0/}"

pytestmark = pytest.mark.skipif(not rudof_available(), reason="pyrudof is not installed (pip install -e .)")


def _map(feed: str, source_id: str, payload: bytes, fmt: str) -> MappedRecord | None:
    record = SourceRecord(feed=feed, source_id=source_id, datestamp=None, payload=payload, format=fmt)
    try:
        return get_mapper(fmt).map(record, Profile(feed=feed))
    except Exception:  # unusable payloads are the mapper's business, not this test's
        return None


def corpus_records(corpus: Path) -> list[MappedRecord]:
    """Every LIDO record of the shared corpus that parses and maps."""
    records = []
    for path in sorted((corpus / "lido").glob("*.xml")):
        try:
            tree = etree.parse(str(path))
        except etree.XMLSyntaxError:
            continue
        for k, element in enumerate(tree.iter(f"{LIDO}lido")):
            records.append(_map("corpus", f"{path.stem}-{k}", etree.tostring(element), "lido"))
    return [r for r in records if r is not None]


def sample_records() -> list[MappedRecord]:
    """The live records of both sample partners, as OAI-PMH records."""
    records = []
    for folder, fmt in (("museum-lido", "lido"), ("archive-dc", "oai_dc")):
        tree = etree.parse(str(ROOT / "data" / "samples" / folder / "records.xml"))
        for element in tree.iter(f"{OAI}record"):
            header = element.find(f"{OAI}header")
            if header.get("status") != "deleted":
                records.append(_map(folder, header.findtext(f"{OAI}identifier"), etree.tostring(element), fmt))
    return [r for r in records if r is not None]


def variants() -> list[MappedRecord]:
    """Records that break each acceptance rule, and some the profile warns about."""
    return [
        lido_record("v-title", title=""),
        lido_record("v-keeper-rights", keeper="", rights=""),
        lido_record("v-bad-rights", rights=RIGHTS.replace("CC0", "zie website")),
        lido_record("v-page", page=""),
        lido_record("v-date", date="1876-13-45"),
        lido_record("v-no-date", date=""),
        lido_record("v-keeper-name", keeper=KEEPER.replace("MSK Gent", "Elders")),
    ]


@pytest.fixture(scope="module")
def records(corpus) -> list[MappedRecord]:
    found = corpus_records(corpus) + [map_case(case) for case in CASES] + sample_records() + variants()
    assert len(found) > 80
    return found


@pytest.mark.parametrize("engine", ["pyrudof", "native"])
@pytest.mark.parametrize("shapes", [["acceptance"], ["oslo-ap"]])
def test_pyrudof_finds_what_pyshacl_finds(records: list[MappedRecord], shapes: list[str], engine: str) -> None:
    reference = Validator(shapes, engine="pyshacl", batch_size=50).validate(records)
    fast = Validator(shapes, engine=engine, batch_size=50).validate(records)
    assert fast and Validator(shapes, engine=engine).engine == engine
    assert {k: r.as_dict() for k, r in fast.items()} == {k: r.as_dict() for k, r in reference.items()}
    assert sum(len(r.findings) for r in reference.values()) > 20  # the comparison compares something


@pytest.mark.parametrize("shapes", [["acceptance"], ["acceptance", "oslo-ap"]])
def test_the_cut_down_data_gives_the_results_of_the_whole_graph(records: list[MappedRecord], shapes) -> None:
    """Leaving out the triples and types no shape looks at changes no result."""
    validator = Validator(shapes, engine="pyshacl")
    engine = make_engine("pyshacl", validator.shapes)
    text = "".join(r.ntriples for r in records[::2])
    whole, cut = Preparation()(text), Preparation.for_shapes(validator.shapes)(text)
    assert len(cut) < len(whole)
    assert {r.key for r in engine.results(cut)} == {r.key for r in engine.results(whole)}


def test_auto_uses_pyrudof_when_it_agrees_on_the_calibration_set(records: list[MappedRecord]) -> None:
    validator = Validator("acceptance", engine="auto")
    assert validator.engine == "auto"
    validator.validate(records[:20])
    assert validator.engine == "pyrudof"


def test_auto_stays_with_pyshacl_when_pyrudof_disagrees(records, monkeypatch, caplog) -> None:
    monkeypatch.setattr(RudofEngine, "results", lambda self, ntriples: [])
    validator = Validator("acceptance", engine="auto")
    with caplog.at_level(logging.WARNING, logger="oogst.shapes.validate"):
        reports = validator.validate(variants())
    assert validator.engine == "pyshacl"
    assert "disagree" in caplog.text
    assert not reports["v-title"].conforms  # the reference's results, not the broken engine's


def test_pyrudof_reports_broken_ntriples_like_pyshacl() -> None:
    good = lido_record("good")
    broken = MappedRecord("broken", "http://x/broken", '<http://x/broken> <http://y> "unterminated .\n', "broken")
    for engine in ("pyshacl", "pyrudof", "native"):
        reports = Validator("acceptance", engine=engine).validate([good, broken])
        assert reports["good"].conforms, engine
        assert [f.rule for f in reports["broken"].findings] == ["mapping:error"], engine


def test_the_native_engine_refuses_what_it_does_not_compile_and_the_validator_falls_back(tmp_path) -> None:
    from oogst.shapes.native import NativeEngine, Unsupported

    shapes = tmp_path / "closed.ttl"
    shapes.write_text("@prefix sh: <http://www.w3.org/ns/shacl#> .\n<urn:s> a sh:NodeShape ; "
                      "sh:targetClass <urn:C> ; sh:closed true .\n", "utf-8")
    validator = Validator(str(shapes), engine="native")
    with pytest.raises(Unsupported, match="closed"):
        NativeEngine(validator.shapes)
    validator.validate([lido_record("x")])
    assert validator.engine in ("pyrudof", "pyshacl")


_LINES = [
    '<http://x/s> <http://x/p> <http://x/o> .',
    '<http://x/s> <http://x/p> _:b1 .',
    '_:b1 <http://x/p> "plain" .',
    '<http://x/s> <http://x/p> "Zo \\"gezegd\\"\\nen \\u00e9\\U0001F600 \\\\ klaar" .',
    '<http://x/s> <http://x/p> "Titel"@NL-be .',
    '<http://x/s> <http://x/p> "x"^^<http://www.w3.org/2001/XMLSchema#string> .',
    '<http://x/s> <http://x/p> "1876"^^<http://www.w3.org/2001/XMLSchema#gYear> .',
    '<http://x/caf\\u00e9> <http://x/p> "a" .',
    '<http://x/s> <http://x/p> "" .',
    '<relative> <http://x/p> "a" .',
    '<http://x/a b> <http://x/p> "a" .',
    '<http://x/s> _:p "a" .',
    '"lit" <http://x/p> "a" .',
    '<http://x/s> <http://x/p> "unterminated .',
    '<http://x/s> <http://x/p> "a"@ .',
    '<http://x/s> <http://x/p> "a"^^<relative> .',
    '<http://x/s> <http://x/p> <http://x/{o}> .',
    '<http://x/s> <http://x/p> "bad \\q escape" .',
]


@pytest.mark.parametrize("line", _LINES)
def test_the_native_engine_reads_a_line_as_pyoxigraph_does_or_refuses_it(line: str) -> None:
    """The native engine reads N-Triples itself (cheaper than pyoxigraph's terms): a line it
    accepts holds the terms pyoxigraph reads; a line pyoxigraph refuses it refuses too (the
    validator then reports the record's syntax). It may refuse more (unusual spacing): the
    validator then asks pyoxigraph, so a refusal never changes a result."""
    import pyoxigraph as ox

    from oogst.shapes.engines import BadData
    from oogst.shapes.native import Lit, _Data

    def term(t: ox.NamedNode | ox.BlankNode | ox.Literal) -> object:
        if isinstance(t, ox.BlankNode):
            return f"_:{t.value}"
        if isinstance(t, ox.Literal):
            datatype = t.datatype.value
            plain = datatype.endswith(("#string", "#langString"))
            return Lit(t.value, t.language, None if plain else datatype)
        return t.value

    try:
        expected = [(term(t.subject), t.predicate.value, term(t.object))
                    for t in ox.parse(line + "\n", format=ox.RdfFormat.N_TRIPLES)]
    except SyntaxError:
        expected = None
    try:
        data = _Data(line + "\n", inverse=False)
    except BadData:
        assert expected is None, f"refused a line pyoxigraph reads: {line}"
        return
    assert expected is not None, f"read a line pyoxigraph refuses: {line}"
    assert [(s, p, o) for s, props in data.out.items() for p, objs in props.items() for o in objs] == expected


def test_a_literal_with_line_separators_is_read_whole() -> None:
    """N-Triples ends a line at a line feed only: a literal may hold U+2028, NEL or a form
    feed unescaped (the mappers leave them so). The native engine, the crosswalks' reader and
    the search document read such a line whole, as pyoxigraph does."""
    from oogst.publish.display import extract
    from oogst.publish.ntgraph import parse
    from oogst.shapes.native import _Data

    odd = "Zicht op\u2028de Leie\x85bij\x0cGent"
    text = f'<http://x/o> <http://www.cidoc-crm.org/cidoc-crm/P102_has_title> "{odd}"@nl .\n'
    assert _Data(text, inverse=False).out["http://x/o"]["http://www.cidoc-crm.org/cidoc-crm/P102_has_title"][0].value == odd
    assert parse(text).literals("http://x/o", "http://www.cidoc-crm.org/cidoc-crm/P102_has_title")[0].value == odd
    doc = extract(text, record_id="f/x", feed="f", object_iri="http://x/o", graph_iri="http://x/g")
    assert doc.title == odd
