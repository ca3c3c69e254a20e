"""Dumps: the published records as files, whole and per feed, for those who want everything.

``oogst dump`` (nightly, from cron or a timer) writes into ``<data_dir>/dumps/``:

- ``{name}.nq.gz``: N-Quads, gzip — every quad of every published record graph;
- ``{name}.jsonld.gz``: JSON-LD, gzip — one named graph object per record (expanded form);
- ``manifest.json``: per file its name, feed (None for the whole aggregate), format, media
  type, byte size, SHA-256 checksum, record and quad counts, and when it was made.

``name`` is ``oogst`` for the whole aggregate and ``feed-{feed}`` per feed. Files are written
under a temporary name and renamed when complete, and the manifest last, so a reader never
sees half a dump; the previous dump stays until the new one replaces it.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import logging
import os
from pathlib import Path
from typing import IO, Any

import pyoxigraph as ox

log = logging.getLogger(__name__)

MANIFEST = "manifest.json"
WHOLE = "oogst"
MEDIA = {"nquads": "application/n-quads", "jsonld": "application/ld+json"}
SUFFIX = {"nquads": ".nq.gz", "jsonld": ".jsonld.gz"}


def dump_name(feed: str | None, fmt: str) -> str:
    return f"{WHOLE if feed is None else 'feed-' + feed}{SUFFIX[fmt]}"


class _Hashing:
    """A binary file that counts and hashes what is written to it."""

    def __init__(self, raw: IO[bytes]) -> None:
        self.raw, self.size, self.sha256 = raw, 0, hashlib.sha256()

    def write(self, data: bytes) -> int:
        self.raw.write(data)
        self.size += len(data)
        self.sha256.update(data)
        return len(data)

    def flush(self) -> None:
        self.raw.flush()


class _Dump:
    """One dump file being written (both formats share the record loop)."""

    def __init__(self, folder: Path, feed: str | None, fmt: str) -> None:
        self.feed, self.fmt, self.name = feed, fmt, dump_name(feed, fmt)
        self.path = folder / self.name
        self.tmp = folder / f".{self.name}.part"
        self._raw = open(self.tmp, "wb")  # noqa: SIM115 — closed in close()
        self._hashing = _Hashing(self._raw)
        self._gzip = gzip.GzipFile(fileobj=self._hashing, mode="wb", compresslevel=6, mtime=0)  # type: ignore[arg-type]
        self.records = self.quads = 0
        if fmt == "jsonld":
            self._gzip.write(b'{"@graph": [\n')

    def add(self, graph_iri: str, ntriples: str, nquads: bytes, expanded: bytes | None) -> None:
        if self.fmt == "nquads":
            self._gzip.write(nquads)
        else:
            self._gzip.write((b",\n" if self.records else b"") + b'{"@id": ' + json.dumps(graph_iri).encode()
                             + b', "@graph": ' + (expanded or b"[]") + b"}")
        self.records += 1
        self.quads += ntriples.count("\n")

    def close(self, created: str) -> dict[str, Any]:
        if self.fmt == "jsonld":
            self._gzip.write(b"\n]}\n")
        self._gzip.close()
        self._raw.flush()
        os.fsync(self._raw.fileno())
        self._raw.close()
        os.replace(self.tmp, self.path)
        return {"name": self.name, "feed": self.feed, "format": self.fmt, "media_type": MEDIA[self.fmt],
                "encoding": "gzip", "bytes": self._hashing.size, "sha256": self._hashing.sha256.hexdigest(),
                "records": self.records, "quads": self.quads, "created": created}

    def abort(self) -> None:
        self._gzip.close()
        self._raw.close()
        self.tmp.unlink(missing_ok=True)


def to_nquads(graph_iri: str, ntriples: str) -> bytes:
    """A graph's N-Triples as N-Quads in that graph."""
    g = f" <{graph_iri}> .\n"
    return "".join(line.rstrip()[:-1].rstrip() + g for line in ntriples.split("\n")
                   if line.rstrip().endswith(".")).encode("utf-8")


def to_expanded(ntriples: str) -> bytes:
    """A graph's N-Triples as expanded JSON-LD (a list of node objects)."""
    doc = json.loads(ox.serialize(ox.parse(ntriples, format=ox.RdfFormat.N_TRIPLES), format=ox.RdfFormat.JSON_LD))
    nodes = doc.get("@graph", [doc] if "@id" in doc else []) if isinstance(doc, dict) else doc
    return json.dumps(nodes, ensure_ascii=False).encode("utf-8")


class DumpWriter:
    """Writes the dumps of one pass over the published records: whole and per feed."""

    def __init__(self, folder: Path, formats: tuple[str, ...] = ("nquads", "jsonld")) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.folder, self.formats = folder, formats
        self.whole = [_Dump(folder, None, fmt) for fmt in formats]
        self.feed: list[_Dump] = []
        self.entries: list[dict[str, Any]] = []

    def start_feed(self, name: str) -> None:
        self.feed = [_Dump(self.folder, name, fmt) for fmt in self.formats]

    def add(self, graph_iri: str, ntriples: str) -> None:
        nquads = to_nquads(graph_iri, ntriples)
        expanded = to_expanded(ntriples) if "jsonld" in self.formats else None
        for dump in (*self.whole, *self.feed):
            dump.add(graph_iri, ntriples, nquads, expanded)

    def end_feed(self, created: str) -> None:
        self.entries += [d.close(created) for d in self.feed]
        self.feed = []

    def finish(self, created: str) -> list[dict[str, Any]]:
        """Close the whole dump, drop dumps of feeds that are gone, write the manifest."""
        self.entries = [d.close(created) for d in self.whole] + self.entries
        names = {e["name"] for e in self.entries}
        for stale in self.folder.glob("*.gz"):
            if stale.name not in names:
                stale.unlink()
        tmp = self.folder / f".{MANIFEST}.part"
        tmp.write_text(json.dumps({"created": created, "dumps": self.entries}, indent=1), "utf-8")
        os.replace(tmp, self.folder / MANIFEST)
        return self.entries

    def abort(self) -> None:
        for dump in (*self.whole, *self.feed):
            dump.abort()


def read_manifest(folder: Path) -> dict[str, Any]:
    """The manifest of the last dump (empty when there is none)."""
    try:
        return json.loads((folder / MANIFEST).read_text("utf-8"))
    except (OSError, ValueError):
        return {"created": None, "dumps": []}
