"""The aggregate for re-users: oogst's own LDES, followed by a second oogst over real HTTP.

A source oogst harvests the sample partners from the partner simulator (OAI-PMH: LIDO and
Dublin Core) and serves them with `oogst serve` under uvicorn on 127.0.0.1, with small pages
(5 members, 3 links per node) so that the stream has several levels. A second oogst harvests
the source's ``/ldes`` with its own LDES harvester and the ``oslo-jsonld`` mapper:

- it gets isomorphic record graphs (the source's whole record graph, its provenance included;
  the mirror only adds its own graph's provenance);
- after changes and withdrawals at the partner and a new run at the source, the mirror's next
  run gets exactly those (and reads no immutable page twice);
- the stream conforms to SHACL shapes for LDES/TREE written from the specifications
  (``publish/ldes-tree.ttl``), in JSON-LD, N-Quads and Turtle;
- the dump of a feed parses with pyoxigraph and holds exactly the store's quads for that feed.
"""

from __future__ import annotations

import gzip
import hashlib
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests
from lxml import etree

from oogst.devtools.simulator import PartnerSimulator
from oogst.pipeline import Oogst
from oogst.jsonld import CONTEXT_HOSTS
from oogst.settings import Settings

from .conftest import ROOT, free_port

SHAPES = ROOT / "publish" / "ldes-tree.ttl"
LDES_TOML = "ldes_page_size = 5\nldes_fanout = 3\n"
LIDO = "hof-van-leie"
OAI = "http://www.openarchives.org/OAI/2.0/"


def settings(data_dir: Path) -> Settings:
    # the mirror reads the source's JSON-LD context from the source (on 127.0.0.1): a context host
    return Settings.load({"data_dir": data_dir, "context_hosts": (*CONTEXT_HOSTS, "127.0.0.1")}, env={})[0]


class Served:
    """`oogst serve` on a fixed port, stopped and started again around the source's harvests."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir, self.port = data_dir, free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen([sys.executable, "-m", "oogst.cli", "--data-dir", str(self.data_dir), "serve",
                                      "--host", "127.0.0.1", "--port", str(self.port)],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 30
        while True:
            try:
                if requests.get(f"{self.base}/health", timeout=1).ok:
                    return
            except requests.ConnectionError:
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.proc.kill()
                raise AssertionError(f"oogst serve did not start: {self.proc.stderr.read().decode()}")
            time.sleep(0.2)

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(timeout=15)
            self.proc = None


def record_graphs(data_dir: Path, strip_own: bool = False) -> dict[str, set[tuple]]:
    """Object IRI → the triples of its published record graph (without the graph's own
    provenance when ``strip_own``)."""
    with Oogst(settings(data_dir), read_only=True) as core:
        out = {}
        for row in core.state.list_records(state="published", limit=100_000):
            body = core.store.graph(row["graph_iri"], "ntriples")
            triples = {(t.subject, t.predicate, t.object) for t in ox.parse(body, format=ox.RdfFormat.N_TRIPLES)}
            if strip_own:
                triples = {t for t in triples if t[0] != ox.NamedNode(row["graph_iri"])}
            out[row["object_iri"]] = triples
        return out


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    root = tmp_path_factory.mktemp("ldes-publish")
    source, mirror = root / "source", root / "mirror"
    source.mkdir()
    (source / "oogst.toml").write_text(LDES_TOML, "utf-8")
    with PartnerSimulator(page_size=7) as sim:
        with Oogst(settings(source)) as core:
            for name, info in sim.partners.items():
                core.add_feed(name, sim.endpoint(name), info["format"])
            runs = core.harvest_all()
            assert all(r.ok for r in runs), [r.as_dict() for r in runs]
        graphs = record_graphs(source)  # read before serving: the server holds the store
        with Oogst(settings(source), read_only=True) as core:
            published = sorted(r["source_id"] for r in core.state.list_records(feed=LIDO, limit=1000))
        served = Served(source)
        served.start()
        try:
            with Oogst(settings(mirror)) as core:
                core.add_feed("mirror", f"{served.base}/ldes", "oslo-jsonld", protocol="ldes")
            yield {"sim": sim, "source": source, "mirror": mirror, "served": served, "graphs": graphs,
                   "published": published}
        finally:
            served.stop()


def mirror_run(world) -> dict:
    with Oogst(settings(world["mirror"])) as core:
        summary = core.harvest("mirror")
        assert summary.ok, summary.as_dict()
        return summary.as_dict()


def test_a_second_oogst_gets_isomorphic_record_graphs(world) -> None:
    first = mirror_run(world)
    source = world["graphs"]
    mirror = record_graphs(world["mirror"], strip_own=True)
    assert first["published"] == len(source) > 40
    assert set(mirror) == set(source)
    from rdflib.compare import isomorphic, to_isomorphic  # noqa: F401  (no blank nodes: sets must be equal)

    different = {iri for iri in source if source[iri] != mirror[iri]}
    assert not different, _diff(source, mirror, sorted(different)[0])


def _diff(a: dict, b: dict, iri: str) -> str:
    return f"{iri}: only at the source {sorted(map(str, a[iri] - b[iri]))[:5]}; only in the mirror " \
           f"{sorted(map(str, b[iri] - a[iri]))[:5]}"


def test_following_the_stream_gives_exactly_the_changes_and_withdrawals(world) -> None:
    sim, served = world["sim"], world["served"]
    records = sim._partner(LIDO).records  # noqa: SLF001  (the simulator's own records)
    changed, deleted = world["published"][:2]
    xml = etree.fromstring(records[changed].xml)
    payload = etree.tostring(xml.find(f"{{{OAI}}}metadata")[0])
    start = payload.index(b"<lido:appellationValue")
    close = payload.index(b">", start) + 1
    payload = payload[:close] + b"Gewijzigd: " + payload[close:]
    sim.update_record(LIDO, changed, payload)
    sim.delete_record(LIDO, deleted)
    served.stop()
    with Oogst(settings(world["source"])) as core:
        run = core.harvest(LIDO)
        assert run.ok and run.counts["published"] == 1 and run.counts["withdrawn"] == 1, run.as_dict()
    source = record_graphs(world["source"])
    served.start()
    second = mirror_run(world)
    assert (second["published"], second["withdrawn"], second["quarantined"]) == (1, 1, 0), second
    mirror = record_graphs(world["mirror"], strip_own=True)
    assert set(mirror) == set(source)
    assert all(source[iri] == mirror[iri] for iri in source), "the mirror differs after the changes"
    # nothing new: the next run brings nothing
    third = mirror_run(world)
    assert (third["published"], third["withdrawn"]) == (0, 0), third


def test_pages_have_validators_and_old_pages_are_immutable(world) -> None:
    base = world["served"].base
    root = requests.get(f"{base}/ldes", headers={"Accept": "application/ld+json"}, timeout=10)
    assert root.status_code == 200 and "immutable" not in root.headers["Cache-Control"]
    first = requests.get(f"{base}/ldes/pages/0-0", headers={"Accept": "application/n-quads"}, timeout=10)
    assert first.headers["Content-Type"].startswith("application/n-quads")
    assert "immutable" in first.headers["Cache-Control"] and "max-age=31536000" in first.headers["Cache-Control"]
    again = requests.get(f"{base}/ldes/pages/0-0", headers={"Accept": "application/n-quads",
                                                             "If-None-Match": first.headers["ETag"]}, timeout=10)
    assert again.status_code == 304
    assert requests.get(f"{base}/ldes/pages/9-0", timeout=10).status_code == 404
    assert requests.get(f"{base}/ldes/feeds/nope", timeout=10).status_code == 404


@pytest.mark.parametrize("accept", ["application/ld+json", "application/n-quads", "text/turtle"])
def test_the_stream_conforms_to_the_ldes_and_tree_shapes(world, accept) -> None:
    import pyshacl
    import rdflib

    base = world["served"].base
    graph = rdflib.Dataset()
    fmt = {"application/ld+json": "json-ld", "application/n-quads": "nquads", "text/turtle": "turtle"}[accept]
    urls = [f"{base}/ldes", f"{base}/ldes/feeds/{LIDO}"]
    seen = set()
    while urls:
        url = urls.pop()
        if url in seen:
            continue
        seen.add(url)
        resp = requests.get(url, headers={"Accept": accept}, timeout=10)
        assert resp.status_code == 200, url
        page = rdflib.Dataset()
        page.parse(data=resp.content, format=fmt, publicID=url)
        PAGE_TIMES[url] = [t.toPython() for m in page.objects(None, rdflib.URIRef("https://w3id.org/tree#member"))
                           for t in page.objects(m, rdflib.URIRef("http://www.w3.org/ns/prov#generatedAtTime"))]
        urls += [str(o) for o in page.objects(None, rdflib.URIRef("https://w3id.org/tree#node"))]
        for quad in page.quads((None, None, None, None)):
            graph.add(quad)
    assert len(seen) > 10
    _check_bounds(graph)
    union = rdflib.Graph()
    for s, p, o, _g in graph.quads((None, None, None, None)):
        union.add((s, p, o))
    conforms, _, text = pyshacl.validate(union, shacl_graph=str(SHAPES), advanced=True)
    assert conforms, text


def test_the_dump_of_a_feed_holds_exactly_its_quads(world) -> None:
    served = world["served"]
    served.stop()
    try:
        with Oogst(settings(world["source"])) as core:
            entries = core.dump()
            expected = set()
            for row in core.state.list_records(state="published", feed=LIDO, limit=100_000):
                body = core.store.graph(row["graph_iri"], "ntriples")
                expected |= {ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(row["graph_iri"]))
                             for t in ox.parse(body, format=ox.RdfFormat.N_TRIPLES)}
    finally:
        served.start()
    entry = next(e for e in entries if e["feed"] == LIDO and e["format"] == "nquads")
    path = world["source"] / "dumps" / entry["name"]
    raw = path.read_bytes()
    assert len(raw) == entry["bytes"] and hashlib.sha256(raw).hexdigest() == entry["sha256"]
    quads = set(ox.parse(gzip.decompress(raw), format=ox.RdfFormat.N_QUADS))
    assert quads == expected
    jsonld = next(e for e in entries if e["feed"] == LIDO and e["format"] == "jsonld")
    parsed = set(ox.parse(gzip.decompress((world["source"] / "dumps" / jsonld["name"]).read_bytes()),
                          format=ox.RdfFormat.JSON_LD))
    assert parsed == expected
    # served with its checksum as ETag, and in ranges
    url = f"{served.base}/dumps/{entry['name']}"
    whole = requests.get(url, timeout=10)
    assert whole.content == raw and whole.headers["ETag"] == f'"{entry["sha256"]}"'
    part = requests.get(url, headers={"Range": "bytes=10-19"}, timeout=10)
    assert part.status_code == 206 and part.content == raw[10:20]
    assert requests.get(url, headers={"If-None-Match": whole.headers["ETag"]}, timeout=10).status_code == 304
    listed = requests.get(f"{served.base}/datasets/{LIDO}", headers={"Accept": "text/turtle"}, timeout=10).text
    assert url in listed and entry["sha256"] in listed
    page = requests.get(f"{served.base}/datasets/{LIDO}", headers={"Accept": "text/html"}, timeout=10)
    assert page.status_code == 200 and entry["sha256"] in page.text and "/ldes/feeds/" in page.text


def _check_bounds(dataset) -> None:
    """TREE: every member reachable from a relation's node satisfies the relation."""
    import rdflib

    tree = rdflib.Namespace("https://w3id.org/tree#")
    union = rdflib.Graph()
    for s, p, o, _g in dataset.quads((None, None, None, None)):
        union.add((s, p, o))
    children: dict = {}
    for node, rel in union.subject_objects(tree.relation):
        children.setdefault(node, set()).add(union.value(rel, tree.node))
    members_of: dict = {}
    for page in {n for kids in children.values() for n in kids}:
        members_of[page] = set()
    # a page's members: the page was parsed with its own URL; its members are those of the
    # events served there, found by the version IRIs' times within its own relations below
    checked = 0
    for rel in union.objects(None, tree.relation):
        kind, target, value = union.value(rel, rdflib.RDF.type), union.value(rel, tree.node), union.value(rel, tree.value)
        below, stack = set(), [target]
        while stack:
            n = stack.pop()
            below.add(n)
            stack += [k for k in children.get(n, ()) if k not in below]
        leaves = [n for n in below if n not in children]
        items = int(union.value(rel, tree.remainingItems))
        assert len(leaves) >= 1 and items >= 1
        checked += 1
        bound = value.toPython()
        for leaf in leaves:
            for at in PAGE_TIMES.get(str(leaf), []):
                if kind == tree.GreaterThanOrEqualToRelation:
                    assert at >= bound, (leaf, at, bound)
                elif kind == tree.LessThanRelation:
                    assert at < bound, (leaf, at, bound)
    assert checked


PAGE_TIMES: dict[str, list] = {}
