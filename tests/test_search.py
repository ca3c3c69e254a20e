"""The search index (publish/search.py): extraction from record graphs, plurality order, cursors,
and feeding it from the pipeline and rebuilding it from the store."""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from oogst.cli import main
from oogst.errors import QueryError
from oogst.pipeline import Oogst
from oogst.publish import search
from oogst.publish.search import Doc, Link, Query, SearchIndex, extract, fts_query
from oogst.settings import Settings
from oogst.devtools.simulator import PartnerSimulator

GOLDEN = Path(__file__).parent / "golden"


def golden_ntriples(name: str) -> bytes:
    graph = ox.parse(path=str(GOLDEN / name / "expected.ttl"), format=ox.RdfFormat.TURTLE)
    return ox.serialize(graph, format=ox.RdfFormat.N_TRIPLES)


def test_extract_the_display_fields_of_a_lido_record() -> None:
    doc = extract(golden_ntriples("lido-schilderij-meertalig"), record_id="voorbeeldstad/x", feed="voorbeeldstad",
                  object_iri="https://museum.example.be/id/object/2019-007", graph_iri="https://data.oogst.be/graph/x")
    assert doc.title == "Maskers aan de dijk"
    assert sorted(doc.titles) == [("Maskers aan de dijk", "nl"), ("Masks on the sea wall", "en")]
    assert doc.description.startswith("Gemaskerde figuren")
    assert [(n.iri, n.label) for n in doc.object_names] == [("http://vocab.getty.edu/aat/300033799", "olieverfschilderij")]
    assert [m.label for m in doc.makers] == ["Ensor, James"]
    assert doc.date == "ca. 1890-1895"
    assert doc.keeper.label == "Stedelijk Museum Voorbeeldstad" and doc.provider == "Stedelijk Museum Voorbeeldstad"
    assert doc.rights == ["http://creativecommons.org/publicdomain/zero/1.0/"]
    assert doc.images == ["https://beelden.museum.example.be/2019-007%20recto.jpg"]
    assert doc.pages == ["https://museum.example.be/collectie/2019-007"]
    assert Doc.from_dict(json.loads(json.dumps(doc.as_dict()))) == doc


def test_extract_an_oai_dc_record_without_object_name_type() -> None:
    iri = "https://data.oogst.be/id/object/stadsarchief/oai:archief.example.be:AFF-0457"
    doc = extract(golden_ntriples("oai-dc-affiche"), record_id="stadsarchief/x", feed="stadsarchief", object_iri=iri,
                  graph_iri="https://data.oogst.be/graph/x")
    assert doc.object_names == [] and {t.label for t in doc.types} == {"affiche", None}
    assert doc.date == "ca. 1925" and doc.keeper.label == "Stadsarchief Voorbeeldstad"


def make_doc(i: int, provider: str, title: str, description: str = "") -> Doc:
    return Doc(record_id=f"{provider}/{i}", feed=provider, object_iri=f"https://example.org/{provider}/{i}",
               graph_iri=f"https://example.org/graph/{provider}/{i}", title=title, titles=[(title, "nl")],
               description=description, keeper=Link(f"https://example.org/agent/{provider}", provider.upper()),
               modified="2025-01-01T00:00:00Z")


def open_index(tmp_path: Path, backend: str):
    """The SQLite FTS5 index, or the PostgreSQL one in a fresh schema (issue #16)."""
    if backend == "sqlite":
        return SearchIndex(tmp_path / "search.sqlite")
    from oogst.publish.search_pg import PostgresSearchIndex

    from .servers import postgresql_state_url

    return PostgresSearchIndex(postgresql_state_url())


@pytest.fixture(params=["sqlite", "postgresql"])
def index(request, tmp_path: Path) -> SearchIndex:
    search = open_index(tmp_path, request.param)
    docs = [make_doc(i, "museum", f"schilderij {i}", "olieverf op doek") for i in range(20)]
    docs += [make_doc(i, "archief", f"kaart {i}", "schilderij in de marge") for i in range(3)]
    docs += [make_doc(0, "heemkring", "schilderij van de kerk")]
    search.put(docs)
    yield search
    search.close()


def all_pages(index: SearchIndex, query: Query, limit: int) -> list[Doc]:
    docs, cursor = [], None
    while True:
        page = index.search(query, limit=limit, cursor=cursor)
        docs += page.docs
        if page.next_cursor is None:
            return docs
        cursor = page.next_cursor


@pytest.mark.parametrize("query", [Query(), Query(q="schilderij")])
def test_results_interleave_providers_and_cursors_visit_each_once(index: SearchIndex, query: Query) -> None:
    docs = all_pages(index, query, limit=4)
    assert sorted(d.record_id for d in docs) == sorted(d.record_id for d in all_pages(index, query, limit=100))
    assert len({d.record_id for d in docs}) == len(docs) == 24
    # round 1 holds one record of every provider: the small ones are not buried
    assert {d.provider for d in docs[:3]} == {"MUSEUM", "ARCHIEF", "HEEMKRING"}
    assert [d.provider for d in docs[3:5]] in (["ARCHIEF", "MUSEUM"], ["MUSEUM", "ARCHIEF"])


def test_many_matches_come_in_tiers_titles_first(index: SearchIndex, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search, "RANK_LIMIT", 5)
    docs = all_pages(index, Query(q="schilderij"), limit=4)
    assert len({d.record_id for d in docs}) == len(docs) == 24
    in_title = ["schilderij" in d.title for d in docs]
    assert in_title == sorted(in_title, reverse=True)  # the title matches, then the others
    assert {d.provider for d in docs[:2]} == {"MUSEUM", "HEEMKRING"}  # still interleaved
    assert [d.provider for d in docs[-3:]] == ["ARCHIEF"] * 3
    tiered = index.search(Query(q="schilderij"), limit=2).next_cursor
    monkeypatch.setattr(search, "RANK_LIMIT", 3_000)
    with pytest.raises(QueryError):  # the matches are ranked now: the tiered cursor does not continue
        index.search(Query(q="schilderij"), cursor=tiered)


def test_text_ranking_within_a_provider_prefers_titles(index: SearchIndex) -> None:
    docs = index.search(Query(q="schilderij", provider=["archief"]), limit=10).docs
    assert len(docs) == 3  # found in the descriptions
    assert index.search(Query(q="kerk"), limit=10).docs[0].record_id == "heemkring/0"


def test_replace_remove_and_remove_feed(index: SearchIndex) -> None:
    index.put([make_doc(1, "archief", "plattegrond")])
    assert [d.record_id for d in index.search(Query(q="plattegrond")).docs] == ["archief/1"]
    assert index.count() == 24
    assert index.remove(["archief/1", "unknown/1"]) == 1
    assert index.search(Query(q="plattegrond")).docs == [] and index.get("archief/1") is None
    assert index.remove_feed("museum") == 20 and index.count() == 3


def _stats_of(docs: dict[str, Doc]) -> dict:
    """The feed statistics the documents ``docs`` (record id → doc) make, counted here."""
    from collections import Counter

    stats: dict = {}
    for doc in docs.values():
        entry = stats.setdefault(doc.feed, {"records": 0, "modified": None, "rights": Counter(), "providers": Counter()})
        entry["records"] += 1
        entry["modified"] = max(entry["modified"] or "", doc.modified)
        entry["rights"].update(set(doc.rights))
        entry["providers"][doc.provider] += 1
    return {feed: {**e, "rights": dict(e["rights"]), "providers": dict(e["providers"])} for feed, e in stats.items()}


def test_feed_stats_follow_every_put_replace_and_removal(index: SearchIndex) -> None:
    """The per-feed statistics (every run's dataset description) are kept as documents come
    and go: they always equal a count over what the index holds."""
    from dataclasses import replace

    held = {d.record_id: d for d in all_pages(index, Query(), limit=100)}
    cc0, by = "http://creativecommons.org/publicdomain/zero/1.0/", "http://creativecommons.org/licenses/by/4.0/"
    steps = [
        lambda: [replace(make_doc(i, "museum", f"schilderij {i}"), rights=[cc0] if i % 2 else [cc0, by],
                         modified=f"2025-02-0{1 + i % 5}T00:00:00Z") for i in range(12)],
        lambda: [replace(make_doc(i, "museum", f"ets {i}"), keeper=Link("https://example.org/agent/ander", "ANDER"),
                         rights=[by, by]) for i in range(3)],  # another provider, rights twice
        lambda: "remove",
        lambda: [replace(make_doc(7, "archief", "kaart 7"), rights=[cc0])],
        lambda: "remove feed",
    ]
    for step in steps:
        change = step()
        if change == "remove":
            gone = ["museum/0", "museum/5", "archief/2", "nobody/1"]
            index.remove(gone)
            for record_id in gone:
                held.pop(record_id, None)
        elif change == "remove feed":
            index.remove_feed("heemkring")
            held = {k: d for k, d in held.items() if d.feed != "heemkring"}
        else:
            index.put(change)
            held.update((d.record_id, d) for d in change)
        stats = index.feed_stats()
        got = {feed: {"records": s["records"], "modified": s["modified"], "rights": s["rights"],
                      "providers": {p["label"]: p["records"] for p in s["providers"]}} for feed, s in stats.items()}
        assert got == _stats_of(held)
        assert list(stats["museum"]["rights"].values()) == sorted(stats["museum"]["rights"].values(), reverse=True)


def test_an_index_written_before_the_tallies_gets_them_when_opened(tmp_path: Path) -> None:
    index = SearchIndex(tmp_path / "search.sqlite")
    index.put([make_doc(i, "museum", f"schilderij {i}") for i in range(5)] + [make_doc(0, "archief", "kaart")])
    before = index.feed_stats()
    with index._transaction() as db:
        db.execute("DROP TABLE tallies")
    index.close()
    again = SearchIndex(tmp_path / "search.sqlite")
    assert again.feed_stats() == before and before["museum"]["records"] == 5
    again.close()


@pytest.mark.parametrize(("text", "expected"), [
    ("Leie", '"Leie"'),
    ("zicht op   de leie", '"zicht" "op" "de" "leie"'),
    ('"a" OR b NOT c*', '"a" "OR" "b" "NOT" "c"*'),
    ("Fêtes", '"Fêtes"'),
    ("!!!", None),
])
def test_words_become_a_safe_fts_query(text: str, expected: str | None) -> None:
    assert fts_query(text) == expected


def test_a_forged_cursor_is_refused(index: SearchIndex) -> None:
    with pytest.raises(QueryError):
        index.search(Query(), cursor="bm90IGpzb24")


def test_the_pipeline_feeds_the_index_and_rebuild_recreates_it(tmp_path: Path, state_setting: dict[str, str]) -> None:
    settings = Settings(data_dir=tmp_path, **state_setting)
    with PartnerSimulator() as sim, Oogst(settings) as app:
        for name, info in sim.partners.items():
            config = {k: info[k] for k in ("metadata_prefix", "language") if info.get(k)}
            app.add_feed(name, sim.endpoint(name), info["format"], options=config)
        app.harvest_all()
        published = app.state.counts()["published"]
        assert published > 0 and app.search.count() == published
        withdrawn = app.state.list_records(state="withdrawn", limit=100)
        assert all(app.search.get(r["record_id"]) is None for r in withdrawn)
        some = app.state.list_records(limit=1)[0]
        assert app.search.get(some["record_id"]).title
        app.search.remove([some["record_id"]])
    env = {"OOGST_STATE": settings.state} if settings.state else {}
    result = CliRunner().invoke(main, ["--data-dir", str(tmp_path), "index", "rebuild", "--json"], env=env)
    assert result.exit_code == 0, result.output
    assert json.loads(result.output.strip().splitlines()[-1]) == {"indexed": published, "published": published}
    with Oogst(settings) as app:
        assert app.search.count() == published


def test_a_doc_round_trips_through_its_dict() -> None:
    from dataclasses import fields

    doc = Doc("f/1", "f", "https://x/o", "https://x/g", title="T", titles=[("T", "nl")], description="d",
              object_names=[Link("https://aat/1", "schilderij")], types=[Link("https://aat/1")],
              makers=[Link("https://viaf/1", "Claus")], date="1890", keeper=Link("https://k", "Museum"),
              rights=["http://creativecommons.org/publicdomain/zero/1.0/"], images=["https://i"], pages=["https://p"],
              modified="2025-01-01T00:00:00Z", datestamp="2025-01-01")
    data = doc.as_dict()
    assert set(data) == {f.name for f in fields(Doc)} | {"provider"} and data["provider"] == "Museum"
    assert Doc.from_dict(data) == doc


def test_present_lists_what_the_index_holds(index) -> None:
    """For the consistency check (`oogst check`): which records are in the index, per feed."""
    some = [make_doc(i, "museum", "x", "").record_id for i in (0, 1)]
    assert index.present([*some, "museum/nergens"]) == set(some)
    assert index.present([]) == set()
    assert len(index.present(feed="museum")) == 20 and index.present(feed="nergens") == set()
