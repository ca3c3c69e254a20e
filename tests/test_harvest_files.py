"""Files and dumps: folders, zips and tars of the corpus' LIDO exports (one damaged), JSON and
JSON Lines; streaming of large files; resuming; and the whole journey through the pipeline."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from oogst.cli import main
from oogst.errors import ConfigError
from oogst.harvest.files import FilesHarvester
from oogst.harvest.http import HttpClient
from oogst.pipeline import Oogst
from oogst.records import Checkpoint, Feed, SourceRecord
from oogst.settings import Settings

from .conftest import ROOT
from .local_server import LocalServer

LIDO = "http://www.lido-schema.org"
DAMAGED = "vkc-datahub-DESTINATION-mskgent.be_1829-A.xml"  # not well-formed: "lido:type:" at line 407
GOOD = {  # file → its lidoRecID (the first, when there are two)
    "lido_la_primavera_example.xml": "DE-Mb112/lido-obj00154983",
    "msk_gent_310000001.xml": "http://mskgent.be/collection/work/data/S-40",
    "msk_gent_310000003.xml": "http://mskgent.be/collection/work/data/1998-B-47-2",
    "msk_gent_310000004.xml": "http://mskgent.be/collection/work/data/1914-IJ",
    "packed-MSKG_LIDO1testrecords.xml": "310002974",
    "vkc-datahub-ORIGIN-mskgent.be_1829-A.xml": "http://mskgent.be/collection/work/data/1829-A",
}
NO_ID = "lido_la_primavera_invalid.xml"  # XSD-invalid: it has no lidoRecID


@pytest.fixture()
def lido_folder(corpus: Path, tmp_path: Path) -> Path:
    """The corpus' LIDO files, plus a JSON and a JSON Lines file and a file to ignore."""
    folder = tmp_path / "export"
    (folder / "lido").mkdir(parents=True)
    for name in [*GOOD, NO_ID, DAMAGED]:
        shutil.copy(corpus / "lido" / name, folder / "lido" / name)
    (folder / "objects.json").write_text(json.dumps({"objects": [{"nr": "J-1", "t": "a"}, {"nr": "J-2", "t": "b"}]}))
    (folder / "more.jsonl").write_text('{"nr": "L-1"}\n\n{"nr": "L-2", oops}\n{"nr": "L-3"}\n')
    (folder / "README.txt").write_text("not a record")
    return folder


def harvest(url: str, fmt: str = "lido", checkpoint: Checkpoint | None = None,
            **config: str) -> list[SourceRecord | Checkpoint]:
    feed = Feed(name="dump", protocol="files", url=url, format=fmt, options=config)
    return list(FilesHarvester(feed, HttpClient()).records(checkpoint, None))


def records(items) -> dict[str, SourceRecord]:
    return {i.source_id: i for i in items if isinstance(i, SourceRecord)}


def check_lido(found: dict[str, SourceRecord], corpus: Path) -> None:
    for rec_id in GOOD.values():
        assert found[rec_id].error is None and found[rec_id].payload.startswith(b"<lido:lido")
    damaged = next(r for r in found.values() if r.source_id.endswith(DAMAGED))
    assert "line 407" in damaged.error and damaged.payload == (corpus / "lido" / DAMAGED).read_bytes()
    no_id = [r for r in found.values() if r.source_id.startswith("sha256:")]
    assert len(no_id) == 1 and "no id at lido:lidoRecID" in no_id[0].error


@pytest.mark.parametrize("container", ["folder", "zip", "tar.gz"])
def test_a_dump_of_lido_xml_with_a_damaged_file(container: str, lido_folder: Path, corpus: Path,
                                                tmp_path: Path) -> None:
    if container == "folder":
        url = str(lido_folder)
    elif container == "zip":
        url = str(tmp_path / "export.zip")
        with zipfile.ZipFile(url, "w") as z:
            for path in sorted(lido_folder.rglob("*.xml")):
                z.write(path, path.relative_to(lido_folder).as_posix())
    else:
        url = f"file://{tmp_path / 'export.tar.gz'}"
        with tarfile.open(tmp_path / "export.tar.gz", "w:gz") as t:
            t.add(lido_folder / "lido", arcname="lido")
    items = harvest(url, include="*.xml")
    found = records(items)
    assert len(found) == len(GOOD) + 2
    check_lido(found, corpus)
    assert f"lido/{DAMAGED}" in found  # the damaged file is named by its path in the dump
    # a checkpoint after every file names it; the last one closes the run
    files = [i.token for i in items if isinstance(i, Checkpoint) and not i.complete]
    assert len(files) == len(GOOD) + 2 and items[-1].complete


def test_json_and_json_lines_files(lido_folder: Path) -> None:
    items = harvest(str(lido_folder), fmt="oslo-jsonld", include="*.json *.jsonl",
                    records_path="objects", id_path="nr")
    found = records(items)
    assert sorted(found) == ["J-1", "J-2", "L-1", "L-3", "more.jsonl:3"]
    assert json.loads(found["J-2"].payload) == {"nr": "J-2", "t": "b"}
    assert found["more.jsonl:3"].payload == b'{"nr": "L-2", oops}' and "line 3" in found["more.jsonl:3"].error
    assert found["J-1"].media_type == "application/json"


def test_a_resumed_run_starts_after_the_last_file_done(lido_folder: Path) -> None:
    names = [i.token for i in harvest(str(lido_folder), include="*.xml") if isinstance(i, Checkpoint) and i.token]
    again = harvest(str(lido_folder), checkpoint=Checkpoint(names[2]), include="*.xml")
    assert [i.token for i in again if isinstance(i, Checkpoint) and i.token] == names[3:]
    gone = harvest(str(lido_folder), checkpoint=Checkpoint("lido/not-there.xml"), include="*.xml")
    assert len(records(gone)) == len(GOOD) + 2  # the file to resume after is gone: all again


def test_record_paths_with_predicates_and_whole_document_paths(lido_folder: Path) -> None:
    streamed = records(harvest(str(lido_folder / "lido"), record_xpath="//lido:lido[lido:lidoRecID]",
                               include="msk_*.xml lido_*.xml"))
    assert sorted(streamed) == sorted(v for k, v in GOOD.items() if k.startswith(("msk_", "lido_")))
    parsed = records(harvest(str(lido_folder / "lido"), record_xpath="/lido:lidoWrap/lido:lido",
                             include="packed-*.xml"))
    assert list(parsed) == ["310002974"]
    whole = records(harvest(str(lido_folder / "lido" / "msk_gent_310000001.xml"), fmt="oai_dc"))
    assert list(whole) == ["msk_gent_310000001.xml"]  # no lido defaults: one record, named by its file


def test_configuration_errors_name_the_option(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no file or folder"):
        harvest(str(tmp_path / "nope.zip"))
    with pytest.raises(ConfigError, match="prefix 'x' is not declared") as caught:
        harvest(str(tmp_path), record_xpath="//x:record")
    assert "namespaces" in caught.value.hint
    with pytest.raises(ConfigError, match="id_xpath"):
        harvest(str(tmp_path), id_xpath="x:id[")
    with pytest.raises(ConfigError, match="not prefix=URI"):
        harvest(str(tmp_path), namespaces="x")
    (tmp_path / "one.xml").write_text('<a xmlns="urn:x"><r id="1"/><r id="2"/></a>')
    found = records(harvest(str(tmp_path / "one.xml"), record_xpath="//x:r", id_xpath="@id", namespaces="x=urn:x"))
    assert sorted(found) == ["1", "2"]


def test_a_dump_is_downloaded_from_a_url(lido_folder: Path, tmp_path: Path) -> None:
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.write(lido_folder / "lido" / "msk_gent_310000003.xml", "msk_gent_310000003.xml")
    with LocalServer() as server:
        server.serve("/dumps/export.zip", archive.read_bytes(), content_type="application/zip")
        found = records(harvest(server.url("/dumps/export.zip")))
    assert list(found) == [GOOD["msk_gent_310000003.xml"]]


STREAM_SCRIPT = """
import resource, sys
from oogst.harvest.files import FilesHarvester
from oogst.harvest.http import HttpClient
from oogst.records import Feed, SourceRecord
feed = Feed(name="big", protocol="files", url=sys.argv[1], format="lido")
n = sum(isinstance(i, SourceRecord) for i in FilesHarvester(feed, HttpClient()).records(None, None))
print(n, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def write_wrap(path: Path, n: int) -> None:
    filler = "<lido:term>" + "x" * 1500 + "</lido:term>"
    with path.open("w") as f:
        f.write(f'<lido:lidoWrap xmlns:lido="{LIDO}">')
        for i in range(n):
            f.write(f"<lido:lido><lido:lidoRecID>r{i}</lido:lidoRecID>{filler}</lido:lido>\n")
        f.write("</lido:lidoWrap>")


@pytest.mark.slow
def test_large_files_are_streamed_in_flat_memory(tmp_path: Path) -> None:
    peaks = {}
    for n in (4_000, 32_000):  # about 7 MB and 54 MB of XML
        path = tmp_path / f"wrap-{n}.xml"
        write_wrap(path, n)
        out = subprocess.run([sys.executable, "-c", STREAM_SCRIPT, str(path)], capture_output=True, text=True,
                             check=True, cwd=ROOT.parent, timeout=300).stdout.split()
        assert int(out[0]) == n
        peaks[n] = int(out[1]) // 1024  # MB (ru_maxrss is in kB on Linux)
    # parsed whole, the larger file takes about 80 MB more than the smaller one
    assert peaks[32_000] - peaks[4_000] < 25, peaks


def test_a_lido_dump_flows_through_the_pipeline(lido_folder: Path, tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for path in sorted((lido_folder / "lido").glob("*.xml")):
            z.write(path, path.name)
    added = CliRunner().invoke(main, ["--data-dir", str(data_dir), "feeds", "add", "export", "--protocol", "files",
                                      "--format", "lido", "--url", str(archive), "--option", "include=*.xml"],
                               env={"OOGST_FILES_ROOT": str(tmp_path)})
    assert added.exit_code == 0, added.output
    with Oogst(Settings(data_dir=data_dir, files_root=str(tmp_path))) as app:
        summary = app.harvest("export")
        assert summary.status == "complete", summary.error
        assert summary.counts["harvested"] == len(GOOD) + 2
        assert summary.counts["published"] + summary.counts["quarantined"] == len(GOOD) + 2
        stats = app.archive.stats("export")
        assert stats["records"] == len(GOOD) + 2 and stats["damaged"] == 2
        damaged = app.state.get_record("export", DAMAGED)
        assert damaged["state"] == "quarantined" and "line 407" in json.dumps(damaged["report"])
        again = app.harvest("export")
        assert again.status == "complete" and again.counts["unchanged"] == len(GOOD) + 2


def test_a_damaged_json_line_is_quarantined_as_harvest_json_with_its_bytes(tmp_path: Path) -> None:
    folder = tmp_path / "export"
    folder.mkdir()
    (folder / "objects.jsonl").write_bytes(b'{"nr": "L-1"}\n{"nr": "L-2", oops}\n')
    with Oogst(Settings(data_dir=tmp_path / "data", contexts_fetch=False, files_root=str(tmp_path))) as app:
        app.add_feed("jsonl", str(folder), "oslo-jsonld", protocol="files", options={"id_path": "nr"})
        summary = app.harvest("jsonl")
        assert summary.status == "complete", summary.error
        damaged = app.state.get_record("jsonl", "objects.jsonl:2")
        assert damaged["state"] == "quarantined"
        finding = damaged["report"]["findings"][0]
        assert finding["rule"] == "harvest:json" and "line 2" in finding["value"]
        assert app.archive.get("jsonl", "objects.jsonl:2").payload == b'{"nr": "L-2", oops}'
