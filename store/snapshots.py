"""Read-only snapshots of an embedded store: any number of processes read while one writes.

RocksDB lets one process open a store for writing, and pyoxigraph's ``Store.read_only`` on a
directory that another process writes is undefined (a compaction deletes the files a reader
has not opened yet; the write-ahead log is read while it grows). So no reader ever opens the
live store. After each committed write session (a batch), the writer takes a RocksDB
checkpoint (``Store.backup``: hard links to the immutable table files, a copy of the small
manifest) into ``<store>.snapshots/<generation>/`` and then moves the generation counter
(``<store>.snapshots/CURRENT``, replaced by a rename). A reader opens the newest generation
read-only and reopens when the counter moves, so it sees every batch whole or not at all,
and never a lock error. A reader holds a shared ``flock`` on ``<generation>.lock`` while its
handle is open; the writer deletes older generations that no reader holds.

The writer lock (:class:`~oogst.store.lock.WriterLock`, ``writer.lock`` in the same folder)
orders the writing processes. :func:`open_snapshot` is the one call a reading process
needs (e.g. a query worker): the newest snapshot of a store or data dir.
"""

from __future__ import annotations

import fcntl
import logging
import os
import shutil
import threading
import weakref
from pathlib import Path

import pyoxigraph as ox

from ..errors import StoreError
from .lock import WriterLock, _try

log = logging.getLogger(__name__)

_TRIES = 50  # attempts to open the newest generation while writers move on


def snapshot_folder(store_path: Path) -> Path:
    return store_path.with_name(store_path.name + ".snapshots")


def has_data(store_path: Path) -> bool:
    """True when ``store_path`` holds a RocksDB store."""
    return (store_path / "CURRENT").is_file()


class Snapshot:
    """One open snapshot: ``store`` (read-only pyoxigraph) of ``generation``. Keep this object
    while you use ``store``: it holds the lock that keeps the files from being deleted."""

    def __init__(self, generation: int, store: ox.Store, fd: int) -> None:
        self.generation = generation
        self.store = store
        self._finalizer = weakref.finalize(self, os.close, fd)

    def close(self) -> None:
        self.__dict__.pop("store", None)
        self._finalizer()


class Snapshots:
    """The snapshots of the store at ``store_path``: the newest to read, and publishing."""

    def __init__(self, store_path: Path) -> None:
        self.store_path = Path(store_path)
        self.folder = snapshot_folder(self.store_path)
        self.writer = WriterLock(self.folder, label=str(self.store_path))
        self._current: Snapshot | None = None
        self._lock = threading.Lock()

    def generation(self) -> int | None:
        try:
            return int((self.folder / "CURRENT").read_text("ascii").strip())
        except (FileNotFoundError, ValueError):
            return None

    def current(self) -> Snapshot | None:
        """The newest snapshot, opened (or reused) read-only; None when none was published."""
        generation = self.generation()
        snap = self._current
        if generation is None or (snap is not None and snap.generation == generation):
            return snap if generation is not None else None
        with self._lock:
            for _ in range(_TRIES):
                generation = self.generation()
                snap = self._current
                if snap is not None and snap.generation == generation:
                    return snap
                opened = self._open(generation)
                if opened is not None:
                    self._current = opened
                    return opened
        raise StoreError(f"cannot open a snapshot of the store {self.store_path}: writers kept replacing it",
                         hint="try again; if it persists, check the folder " + str(self.folder))

    def _open(self, generation: int | None) -> Snapshot | None:
        if generation is None:
            return None
        name = f"{generation:010d}"
        fd = os.open(self.folder / f"{name}.lock", os.O_RDWR | os.O_CREAT, 0o644)
        if not _try(fd, fcntl.LOCK_SH):  # being deleted: a newer one is published
            os.close(fd)
            return None
        path = self.folder / name
        if not path.is_dir():
            os.close(fd)
            return None
        try:
            store = ox.Store.read_only(str(path))
        except OSError as exc:
            os.close(fd)
            raise StoreError(f"cannot open the snapshot {path}: {exc}",
                             hint="the next write publishes a new one; `oogst system rebuild` is not needed") from exc
        return Snapshot(generation, store, fd)

    def publish(self, store: ox.Store) -> int:
        """Checkpoint ``store`` (open for writing by this process, which holds the writer lock)
        as the next generation, make it current, and delete the older ones no reader holds."""
        generation = (self.generation() or 0) + 1
        name = f"{generation:010d}"
        final, tmp = self.folder / name, self.folder / f"{name}.tmp"
        for stale in (final, tmp):  # left by a writer killed mid-publication: nobody reads them
            shutil.rmtree(stale, ignore_errors=True)
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            store.backup(str(tmp))
            os.rename(tmp, final)
            counter = self.folder / "CURRENT.tmp"
            counter.write_text(f"{generation}\n", "ascii")
            os.rename(counter, self.folder / "CURRENT")
        except (OSError, RuntimeError) as exc:  # pyoxigraph raises RuntimeError for some I/O errors
            raise StoreError(f"cannot publish a snapshot of the store {self.store_path}: {exc}",
                             hint="check the free space and that the data dir is writable") from exc
        self._prune(generation)
        return generation

    def _prune(self, newest: int) -> None:
        """Delete the generations before ``newest`` that no reader holds."""
        generations = set()
        for entry in self.folder.iterdir():
            stem = entry.name.split(".", 1)[0]
            if stem.isdigit() and int(stem) < newest:
                generations.add(stem)
        for stem in sorted(generations):
            fd = os.open(self.folder / f"{stem}.lock", os.O_RDWR | os.O_CREAT, 0o644)
            try:
                if not _try(fd, fcntl.LOCK_EX):
                    continue  # a reader still has it open
                shutil.rmtree(self.folder / stem, ignore_errors=True)
                shutil.rmtree(self.folder / f"{stem}.tmp", ignore_errors=True)
                (self.folder / f"{stem}.lock").unlink(missing_ok=True)
            finally:
                os.close(fd)

    def publish_existing(self, timeout: float) -> None:
        """The first snapshot of a store written before snapshots existed (or by another tool).
        A lock of its own: a writer of this process waits for it like another process would."""
        writer = WriterLock(self.folder, label=str(self.store_path))
        writer.acquire(timeout)
        try:
            if self.generation() is None and has_data(self.store_path):
                store = ox.Store(str(self.store_path))
                self.publish(store)
                store.flush()
                del store
        except OSError as exc:
            raise StoreError(f"cannot open the store {self.store_path} to snapshot it: {exc}") from exc
        finally:
            writer.release()

    def close(self) -> None:
        snap, self._current = self._current, None
        if snap is not None:
            snap.close()


_OPEN: dict[Path, Snapshots] = {}
_OPEN_LOCK = threading.Lock()


def open_snapshot(path: str | Path, *, timeout: float = 600.0) -> Snapshot | None:
    """The newest snapshot of the embedded store at ``path`` (a store folder, or a data dir
    whose ``store/`` it is), read-only; cached per process and reopened when a writer has
    published a newer one, so call it for every query. None when the store holds nothing yet.
    Keep the returned :class:`Snapshot` while you query its ``store``."""
    path = Path(path).resolve()
    if not has_data(path) and (path / "store").is_dir():
        path = path / "store"
    with _OPEN_LOCK:
        snapshots = _OPEN.setdefault(path, Snapshots(path))
    snap = snapshots.current()
    if snap is None and has_data(path):
        snapshots.publish_existing(timeout)
        snap = snapshots.current()
    return snap
