"""``oogst backup DIR`` and ``oogst restore DIR``: a consistent snapshot of a data dir while
the API serves and harvests run, and its way back.

Consistency: every batch writes the RDF store and then the state (record index and event
log) while it holds the data dir's write barrier shared (``store.lock.WriteBarrier``). A
backup holds the barrier exclusive only while it fixes one moment: it takes the stores'
files (hard links to RocksDB's immutable table files, copies of its manifest and write-ahead
log) and pins a read transaction on the state and the search index. Then the writers go on,
and the pinned snapshots are copied. Opening the copied store recovers it as after a crash
at that moment, unflushed writes included; the backup checks that its state's published
records are exactly its store's graphs, and starts over (at most three times) when a
background compaction of the writer removed a file under the copy. The raw archive is copied
afterwards: it is written before the store, so a version more than the state knows is
harmless. Readers never wait.

- Stores: the file-level copy above; a store this process holds for writing gets RocksDB's
  checkpoint (after a flush) instead.
- SQLite databases: the online backup API, from the pinned read transaction (state, search)
  or on its own (archive).
- ``manifest.json``: oogst's version, the state's schema version, when, how long the writers
  waited, the record counts (published in the state, graphs in the store) and every file
  with its size and SHA-256. ``oogst restore`` checks them all before it copies anything.
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
import sqlite3
import time
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import __version__
from ..errors import ConfigError, StoreError
from ..records import now
from ..store import copy_store_files, open_store
from ..store.snapshots import snapshot_folder

if TYPE_CHECKING:
    from .core import Oogst

log = logging.getLogger(__name__)

MANIFEST = "manifest.json"
DATABASES = ("state.sqlite", "search.sqlite", "archive.sqlite")
STORES = ("store", "system")
BARRIER_TIMEOUT = 600.0
ATTEMPTS = 3


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def copy_sqlite(source: Path, target: Path) -> None:
    """SQLite's online backup: one consistent copy while others write."""
    src = sqlite3.connect(source, timeout=30)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()


class Backups:
    def __init__(self, core: Oogst) -> None:
        self.core = core

    # -- backup ------------------------------------------------------------------------------
    def backup(self, target: str | Path) -> dict[str, Any]:
        """Snapshot the data dir into ``target`` (new or empty); returns the manifest."""
        settings = self.core.settings
        target = Path(target)
        if settings.shared_state:  # several machines: PostgreSQL and the SPARQL server keep the data
            raise ConfigError("the state is in PostgreSQL: back it up with pg_dump or WAL archiving, not oogst backup",
                              hint="docs/deployment.md, 'What to back up'")
        if target.exists() and (not target.is_dir() or any(target.iterdir())):
            raise ConfigError(f"the backup folder {target} is not empty", hint="give a new folder, e.g. one per date")
        if not settings.state_path.exists():
            raise ConfigError(f"{settings.data_dir} holds no oogst data (no state database)",
                              hint="check --data-dir")
        target.mkdir(parents=True, exist_ok=True)
        started = time.monotonic()
        for attempt in range(1, ATTEMPTS + 1):
            try:
                methods, at, held = self._snapshots(target)
                counts = self._counts(target, external=methods["store"] == "external")
                if counts["graphs"] is None or counts["graphs"] == counts["published"] or attempt == ATTEMPTS:
                    break
                log.warning("backup %s: %d published records but %d graphs; starting over", target,
                            counts["published"], counts["graphs"])
            except (StoreError, OSError, RuntimeError) as exc:  # a file removed under the copy by a compaction
                if attempt == ATTEMPTS:
                    raise StoreError(f"the backup of {settings.data_dir} failed {ATTEMPTS} times: {exc}",
                                     hint="try again; a harvest compacting a large store can take a while") from exc
                log.warning("backing up %s failed (%s); starting over", settings.data_dir, exc)
            for child in target.iterdir():
                shutil.rmtree(child) if child.is_dir() else child.unlink()
        if settings.archive_path.exists():
            copy_sqlite(settings.archive_path, target / "archive.sqlite")
        for extra in ("oogst.toml", "contexts"):
            source = settings.data_dir / extra
            if source.is_dir():
                shutil.copytree(source, target / extra)
            elif source.is_file():
                shutil.copy2(source, target / extra)
        manifest = {
            "oogst": __version__, "created_at": at, "data_dir": str(settings.data_dir.resolve()),
            "state_schema": self._schema(target / "state.sqlite"), "stores": methods,
            "writers_paused_seconds": round(held, 3), "seconds": 0.0, "counts": counts,
            "consistent": counts["graphs"] is None or counts["graphs"] == counts["published"],
            "files": {},
        }
        manifest["files"] = {str(p.relative_to(target)): {"bytes": p.stat().st_size, "sha256": sha256(p)}
                             for p in sorted(target.rglob("*")) if p.is_file()}
        manifest["seconds"] = round(time.monotonic() - started, 3)
        if not manifest["consistent"]:
            log.error("backup %s: %d published records in the state but %d graphs in the store", target,
                      counts["published"], counts["graphs"])
        (target / f"{MANIFEST}.part").write_text(json.dumps(manifest, indent=2), "utf-8")
        (target / f"{MANIFEST}.part").rename(target / MANIFEST)  # a backup without a manifest is unfinished
        return manifest

    def _snapshots(self, target: Path) -> tuple[dict[str, str], str, float]:
        """The stores, the state and the search index as of one moment. Under the barrier only
        what is quick: the stores' files (hard links and a few small copies, or RocksDB's
        checkpoint of a store this process holds) and a read transaction pinned on each
        SQLite database; the databases are copied after the writers go on. Returns how each
        store was copied, the moment, and how long the writers waited."""
        core, settings = self.core, self.core.settings
        methods: dict[str, str] = {}
        with ExitStack() as stack:
            pinned: dict[str, sqlite3.Connection] = {}
            with core.barrier.exclusive(BARRIER_TIMEOUT):
                paused = time.monotonic()
                at = now()
                for name, url in (("store", settings.store_url), ("system", settings.system_store_url)):
                    methods[name] = self._store(name, url, target / name)
                for name in DATABASES[:2]:
                    if (settings.data_dir / name).exists():
                        db = sqlite3.connect(settings.data_dir / name, timeout=30, isolation_level=None)
                        stack.callback(db.close)
                        db.execute("BEGIN")
                        db.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()  # the snapshot starts here
                        pinned[name] = db
                held = time.monotonic() - paused
            for name, db in pinned.items():
                copy = sqlite3.connect(target / name)
                try:
                    db.backup(copy)  # copies the pinned snapshot
                finally:
                    copy.close()
                db.execute("COMMIT")
        return methods, at, held

    def _store(self, name: str, url: str, dest: Path) -> str:
        """"checkpoint" for a store this process holds for writing; "files" for one another
        process may hold (``store.copy_store_files``); "external" for a server store (its own
        tools back it up); "none" when there is no store yet."""
        core = self.core
        held = core._store if name == "store" else None  # noqa: SLF001 - the core's own open store
        if held is not None and getattr(held, "url", None) == url and hasattr(held, "backup") and not core.read_only:
            return held.backup(dest)
        if not url.startswith("oxigraph://"):
            log.warning("the record store %s is a server: back it up with its own tools", url)
            return "external"
        if not (Path(url.removeprefix("oxigraph://")) / "CURRENT").exists():
            return "none"  # nothing harvested yet
        copy_store_files(url, str(dest))
        return "files"

    def _counts(self, target: Path, *, external: bool) -> dict[str, Any]:
        db = sqlite3.connect(f"file:{target / 'state.sqlite'}?mode=ro", uri=True)
        try:
            published = db.execute("SELECT COUNT(*) FROM records WHERE published = 1").fetchone()[0]
            feeds = db.execute("SELECT COUNT(*) FROM feeds").fetchone()[0]
        finally:
            db.close()
        from .seams import store_options

        graphs = None if external else 0
        if not external and (target / "store").is_dir():
            store = open_store(f"oxigraph://{(target / 'store').resolve()}", store_options(self.core.settings))
            try:
                graphs = store.count_graphs()
            finally:
                store.close()
        if (target / "system").is_dir():  # opens (recovers) the system store's copy too: a missing file shows here
            open_store(f"oxigraph://{(target / 'system').resolve()}", store_options(self.core.settings)).close()
        return {"feeds": feeds, "published": published, "graphs": graphs}

    @staticmethod
    def _schema(path: Path) -> int:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            return int(db.execute("PRAGMA user_version").fetchone()[0])
        finally:
            db.close()

    # -- restore -----------------------------------------------------------------------------
    def verify(self, source: str | Path) -> dict[str, Any]:
        """The manifest of the backup in ``source``, after checking every file's size and hash."""
        source = Path(source)
        try:
            manifest = json.loads((source / MANIFEST).read_text("utf-8"))
        except (OSError, ValueError) as exc:
            raise ConfigError(f"{source} is no finished oogst backup: {MANIFEST} cannot be read ({exc})",
                              hint="give a folder made by `oogst backup`") from exc
        for name, info in manifest.get("files", {}).items():
            path = source / name
            if not path.is_file() or path.stat().st_size != info["bytes"] or sha256(path) != info["sha256"]:
                raise StoreError(f"the backup {source} is damaged: {name} is missing or differs from its checksum",
                                 hint="restore another backup")
        return manifest

    def restore(self, source: str | Path, *, force: bool = False) -> dict[str, Any]:
        """Copy the backup in ``source`` into the data dir: an empty or new one, or (``force``)
        one whose data it replaces; never while oogst uses that data dir."""
        source, data_dir = Path(source), self.core.settings.data_dir
        manifest = self.verify(source)
        if data_dir.exists() and any(data_dir.iterdir()):
            if not force:
                raise ConfigError(f"the data dir {data_dir} is not empty", hint="restore into a new folder "
                                  "(--data-dir), or pass --force to replace its data")
            if (data_dir / "store" / "LOCK").exists() and _locked(data_dir / "store" / "LOCK"):
                raise ConfigError(f"the data dir {data_dir} is in use (its store is open)",
                                  hint="stop `oogst serve` and the harvests on it first")
        data_dir.mkdir(parents=True, exist_ok=True)
        with self.core.barrier.exclusive(BARRIER_TIMEOUT):
            for name in (*STORES, "contexts"):
                shutil.rmtree(data_dir / name, ignore_errors=True)
                if name in STORES:  # its readers' snapshots are of the data replaced (store/snapshots.py)
                    shutil.rmtree(snapshot_folder(data_dir / name), ignore_errors=True)
                if (source / name).is_dir():
                    shutil.copytree(source / name, data_dir / name)
            for name in (*DATABASES, "oogst.toml"):
                for suffix in ("", "-wal", "-shm"):
                    (data_dir / f"{name}{suffix}").unlink(missing_ok=True)
                if (source / name).is_file():
                    shutil.copy2(source / name, data_dir / name)
            (data_dir / "restored-from.json").write_text(
                json.dumps({"backup": str(source.resolve()), "restored_at": now(), "manifest": manifest}, indent=2),
                "utf-8")
        return manifest


def _locked(lock: Path) -> bool:
    """Whether another process holds this RocksDB LOCK file."""
    import fcntl

    with lock.open("rb") as handle:
        try:
            fcntl.lockf(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except OSError:
            return True
        fcntl.lockf(handle, fcntl.LOCK_UN)
        return False
