"""Harvesting files and dumps: a folder, a zip or a tar of XML, JSON or JSON Lines files.

The feed's URL is a path (or ``file://`` URL) of a folder, a ``.zip``, a ``.tar``/``.tar.gz``/
``.tgz``/``.tar.bz2``/``.tar.xz``, or one file; an ``http(s)://`` URL is downloaded first. Files
are read in name order (tar: in stored order); ``include`` picks them by name.

- **XML** is split into records by ``record_xpath`` (default ``//lido:lido`` for the ``lido``
  format, else the whole file is one record), each with its id at ``id_xpath`` relative to the
  record (default ``lido:lidoRecID`` for ``lido``, else the file name). A ``//prefix:name`` path,
  optionally with a predicate (``//lido:lido[lido:lidoRecID]``), is **streamed** with
  ``iterparse``: each record is cleared once yielded, so memory stays flat whatever the file's
  size. Other paths parse the whole file first.
- **JSON** files hold one record, or a list of them at ``records_path``; ids at ``id_path``
  (the :class:`~oogst.harvest.rest.JsonPath` syntax). **JSON Lines** files hold one record per line.

A file that does not parse becomes one damaged record (``SourceRecord.error`` holds the parser's
message, the payload the file's bytes, up to 64 MiB) and the harvest goes on with the next file;
records yielded before the damage stay. A damaged JSON line is one damaged record. After every
file a checkpoint names it, so an interrupted run resumes with the next file. Dumps are read
whole every time (no window): unchanged records cost only a hash comparison.
"""

from __future__ import annotations

import fnmatch
import hashlib
import json
import logging
import re
import tarfile
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import IO, Any, ClassVar
from urllib.parse import urlsplit
from urllib.request import url2pathname

from lxml import etree

from ..errors import ConfigError
from ..records import Checkpoint, Cursor, Feed, SourceRecord, WindowCursor
from .http import HttpClient
from .rest import json_record, option_path

log = logging.getLogger(__name__)

DEFAULT_NAMESPACES = {
    "lido": "http://www.lido-schema.org",
    "oai": "http://www.openarchives.org/OAI/2.0/",
    "oai_dc": "http://www.openarchives.org/OAI/2.0/oai_dc/",
    "dc": "http://purl.org/dc/elements/1.1/",
    "dcterms": "http://purl.org/dc/terms/",
    "edm": "http://www.europeana.eu/schemas/edm/",
    "ore": "http://www.openarchives.org/ore/terms/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "xsi": "http://www.w3.org/2001/XMLSchema-instance",
}
# Where records and ids are in a format's usual dumps (per format, never per partner).
FORMAT_DEFAULTS = {"lido": ("//lido:lido", "lido:lidoRecID")}
DEFAULT_INCLUDE = "*.xml *.json *.jsonld *.jsonl *.ndjson"
CHECKPOINT_EVERY = 500  # records between two checkpoints inside one file
MAX_VERBATIM = 64 * 1024 * 1024  # bytes of a damaged file kept in its record
_STREAMABLE = re.compile(r"^//((?:[A-Za-z_][\w.-]*:)?[A-Za-z_][\w.-]*)(\[.*\])?$")

Opener = Callable[[], IO[bytes]]


class FilesHarvester:
    protocol: ClassVar[str] = "files"
    OPTIONS: ClassVar[dict[str, str]] = {
        "record_xpath": "XML: XPath of one record (default: //lido:lido for lido, else the whole file)",
        "id_xpath": "XML: XPath of a record's id, relative to the record (default: lido:lidoRecID for lido, "
                    "else the file name)",
        "namespaces": "XML: more prefixes for the XPaths, 'prefix=URI prefix=URI' (lido, oai, dc, dcterms, edm, "
                      "ore, rdf, skos, xsi are known)",
        "records_path": "JSON: where the list of records is in a file (default: the file is one record)",
        "id_path": "JSON: where a record's id is (default: the file name)",
        "modified_path": "JSON: where a record's last-modified date is",
        "include": f"file names to read, space-separated patterns (default: {DEFAULT_INCLUDE})",
    }

    Cursor: ClassVar[type[Cursor]] = WindowCursor  # files are read whole: the cursor only dates the run

    def __init__(self, feed: Feed, http: HttpClient, *, contexts: object | None = None,
                 seen_in_run: Callable[[list[str]], set[str]] | None = None) -> None:
        self.feed = feed
        self.http = http
        cfg = feed.options
        self.namespaces = {**DEFAULT_NAMESPACES, **_namespaces(cfg.get("namespaces"), feed.name)}
        record_default, id_default = FORMAT_DEFAULTS.get(feed.format, (None, None))
        self.record_xpath: str | None = cfg.get("record_xpath", record_default)
        self.id_xpath: str | None = cfg.get("id_xpath", id_default)
        self._id = self._xpath(f"string({self.id_xpath})", "id_xpath") if self.id_xpath else None
        self._tag, self._match = self._streaming()
        self.records_path = option_path(feed, "records_path")
        self.id_path = option_path(feed, "id_path")
        self.modified_path = option_path(feed, "modified_path")
        self.include = str(cfg.get("include", DEFAULT_INCLUDE)).split()

    def _xpath(self, expression: str, option: str) -> etree.XPath:
        try:
            return etree.XPath(expression, namespaces=self.namespaces, smart_strings=False)
        except etree.XPathError as exc:
            raise ConfigError(f"option {option}: {expression!r} is not a usable XPath: {exc}", feed=self.feed.name,
                              hint="declare its prefixes with --option namespaces='prefix=URI'") from exc

    def _streaming(self) -> tuple[str | None, etree.XPath | None]:
        """The element tag to stream on and the test each such element must pass, when
        ``record_xpath`` is a streamable ``//name[predicate]``."""
        m = _STREAMABLE.match(self.record_xpath or "")
        if not m:
            return None, None
        qname, predicate = m.groups()
        prefix, _, local = qname.rpartition(":")
        if prefix and prefix not in self.namespaces:
            raise ConfigError(f"option record_xpath: the prefix {prefix!r} is not declared", feed=self.feed.name,
                              hint=f"add --option namespaces='{prefix}=URI'")
        tag = f"{{{self.namespaces[prefix]}}}{local}" if prefix else local
        return tag, self._xpath(f"self::{qname}{predicate}", "record_xpath") if predicate else None

    # -- the run --------------------------------------------------------------------------------
    def records(self, checkpoint: Checkpoint | None,
                cursor: Cursor | str | None) -> Iterator[SourceRecord | Checkpoint]:
        """Every record of every file; a checkpoint after each file (and every
        ``CHECKPOINT_EVERY`` records), so a resumed run starts after the last file done."""
        window_from = cursor.since if isinstance(cursor, WindowCursor) else cursor or None
        resume_after = checkpoint.token if checkpoint is not None else None
        with ExitStack() as stack:
            location = self._location(stack)
            entries = _entries(location, stack)
            if resume_after is not None:
                entries = _after(entries, resume_after, lambda: _entries(location, stack))
            last_done = resume_after
            for name, opener in entries:
                if not any(fnmatch.fnmatch(Path(name).name, pattern) for pattern in self.include):
                    log.debug("%s: %s skipped (not in include)", self.feed.name, name)
                    continue
                for n, record in enumerate(self._file_records(name, opener), 1):
                    yield record
                    if n % CHECKPOINT_EVERY == 0:
                        yield Checkpoint(last_done, window_from)
                last_done = name
                yield Checkpoint(name, window_from)
        yield Checkpoint(None, window_from, complete=True)

    def _location(self, stack: ExitStack) -> Path:
        url = self.feed.url
        parts = urlsplit(url)
        if parts.scheme in ("http", "https"):
            suffix = "".join(Path(parts.path).suffixes[-2:])
            tmp = stack.enter_context(tempfile.NamedTemporaryFile(prefix="oogst-dump-", suffix=suffix))
            self.http.get(url, feed=self.feed.name, into=tmp)  # streamed to disk, within max_download_bytes
            tmp.flush()
            return Path(tmp.name)
        path = Path(url2pathname(parts.path)) if parts.scheme == "file" else Path(url).expanduser()
        if not path.exists():
            raise ConfigError(f"no file or folder at {path}", feed=self.feed.name,
                              hint="give the path of a folder, a zip, a tar or a file (`oogst feeds show`)")
        return path

    def _file_records(self, name: str, opener: Opener) -> Iterator[SourceRecord]:
        lower = name.lower()
        try:
            with opener() as stream:
                if lower.endswith(".xml"):
                    yield from self._xml_records(name, stream)
                elif lower.endswith((".jsonl", ".ndjson")):
                    yield from self._json_lines(name, stream)
                elif lower.endswith((".json", ".jsonld")):
                    yield from self._json_records(name, stream)
                else:
                    log.warning("%s: %s has no .xml, .json or .jsonl name; skipped", self.feed.name, name)
        except (etree.XMLSyntaxError, ValueError, OSError, EOFError, zipfile.BadZipFile, tarfile.TarError) as exc:
            log.warning("%s: %s is damaged: %s", self.feed.name, name, exc)
            yield self._damaged(name, opener, f"{name}: {exc}")

    # -- XML ------------------------------------------------------------------------------------
    def _xml_records(self, name: str, stream: IO[bytes]) -> Iterator[SourceRecord]:
        if self._tag is not None:
            n = 0
            for _event, elem in etree.iterparse(stream, events=("end",), tag=self._tag, resolve_entities=False,
                                                no_network=True, huge_tree=True):
                if self._match is None or self._match(elem):
                    n += 1
                    yield self._xml_record(name, n, elem)
                elem.clear(keep_tail=False)
                while elem.getprevious() is not None:
                    del elem.getparent()[0]
            return
        parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
        root = etree.parse(stream, parser).getroot()
        elements = [root] if self.record_xpath in (None, "", "/", "/*") else root.xpath(
            self.record_xpath, namespaces=self.namespaces)
        for n, elem in enumerate(elements, 1):
            if isinstance(elem, etree._Element):
                yield self._xml_record(name, n if len(elements) > 1 else 0, elem)

    def _xml_record(self, name: str, n: int, elem: etree._Element) -> SourceRecord:
        payload = etree.tostring(elem, encoding="utf-8")
        error = None
        if self._id is not None:
            source_id = self._id(elem).strip()
            if not source_id:
                source_id = "sha256:" + hashlib.sha256(payload).hexdigest()[:16]
                error = (f"{name}: record {n or 1} has no id at {self.id_xpath}: set --option id_xpath to "
                         "the element that holds the record's id")
        else:
            source_id = f"{name}#{n}" if n else name
        entities = sorted({e.name for e in elem.iter(etree.Entity)})
        if entities:  # never expanded, and never dropped silently (oai_pages._without_entities)
            error = (f"{name}: record {n or 1} uses the entit{'y' if len(entities) == 1 else 'ies'} "
                     f"{', '.join(f'&{e};' for e in entities)} of the file's DTD; oogst does not expand entities: "
                     "ask the partner to write the text itself")
        return SourceRecord(feed=self.feed.name, source_id=source_id, datestamp=None, payload=payload,
                            format=self.feed.format, error=error)

    # -- JSON -----------------------------------------------------------------------------------
    def _json_records(self, name: str, stream: IO[bytes]) -> Iterator[SourceRecord]:
        data = json.load(stream)
        items = self.records_path.get(data) if self.records_path else data
        if items is None:
            raise ValueError(f"nothing at records_path {self.records_path.text!r}: set --option records_path "
                             "to the field that holds the list of records")
        media_type = "application/ld+json" if name.lower().endswith(".jsonld") else "application/json"
        many = isinstance(items, list) and self.records_path is not None
        for n, item in enumerate(items if many else [items], 1):
            yield json_record(self.feed, item, self.id_path, self.modified_path, f"{name}#{n}" if many else name,
                              media_type)

    def _json_lines(self, name: str, stream: IO[bytes]) -> Iterator[SourceRecord]:
        for lineno, line in enumerate(stream, 1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
            except ValueError as exc:
                yield SourceRecord(feed=self.feed.name, source_id=f"{name}:{lineno}", datestamp=None,
                                   payload=line.rstrip(b"\r\n"), format=self.feed.format,
                                   media_type="application/json", error=f"{name} line {lineno}: {exc}")
                continue
            yield json_record(self.feed, item, self.id_path, self.modified_path, f"{name}:{lineno}",
                              "application/json")

    def _damaged(self, name: str, opener: Opener, message: str) -> SourceRecord:
        try:
            with opener() as stream:
                payload = stream.read(MAX_VERBATIM + 1)
        except (OSError, EOFError, zipfile.BadZipFile, tarfile.TarError):
            payload = b""
        if len(payload) > MAX_VERBATIM:
            payload = payload[:MAX_VERBATIM]
            message += f" (only the first {MAX_VERBATIM} bytes are kept)"
        media_type = "application/xml" if name.lower().endswith(".xml") else "application/json"
        return SourceRecord(feed=self.feed.name, source_id=name, datestamp=None, payload=payload,
                            format=self.feed.format, media_type=media_type, error=message)


def _entries(path: Path, stack: ExitStack) -> Iterator[tuple[str, Opener]]:
    """(name, opener) of every file in a folder, zip or tar, or of the one file."""
    if path.is_dir():
        for p in sorted(path.rglob("*")):
            if p.is_file():
                yield p.relative_to(path).as_posix(), (lambda p=p: p.open("rb"))
    elif zipfile.is_zipfile(path):
        archive = stack.enter_context(zipfile.ZipFile(path))
        for info in sorted(archive.infolist(), key=lambda i: i.filename):
            if not info.is_dir():
                yield info.filename, (lambda info=info: archive.open(info))
    elif tarfile.is_tarfile(path):
        tar = stack.enter_context(tarfile.open(path, "r:*"))
        for member in tar:
            if member.isfile():
                yield member.name, (lambda member=member: tar.extractfile(member))
    else:
        yield path.name, (lambda: path.open("rb"))


def _after(entries: Iterator[tuple[str, Opener]], name: str,
           again: Callable[[], Iterator[tuple[str, Opener]]]) -> Iterator[tuple[str, Opener]]:
    """The entries after the one called ``name``; all of them (read again) when there is none."""
    passed = False
    for entry in entries:
        if passed:
            yield entry
        elif entry[0] == name:
            passed = True
    if not passed:
        log.warning("the file %s to resume after is gone from the dump; reading it all again", name)
        yield from again()


def _namespaces(value: Any, feed: str) -> dict[str, str]:
    """``'prefix=URI prefix=URI'`` (or a mapping) as a dict."""
    if not value:
        return {}
    if isinstance(value, dict):
        return {str(k): str(v) for k, v in value.items()}
    out = {}
    for item in re.split(r"[\s,]+", str(value).strip()):
        prefix, eq, uri = item.partition("=")
        if not eq or not prefix or not uri:
            raise ConfigError(f"option namespaces: {item!r} is not prefix=URI", feed=feed,
                              hint="e.g. --option namespaces='lido=http://www.lido-schema.org'")
        out[prefix] = uri
    return out
