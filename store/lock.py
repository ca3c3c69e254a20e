"""The feed lock seam: one run of a feed at a time, whichever process asks.

``FeedLock.hold(name)`` is a context manager that yields True when this caller holds the
feed, False when someone else does (it never waits). The lock must go away with its holder,
even after ``kill -9``. ``tests/test_lock_contract.py`` is the suite every implementation
passes; :class:`FileFeedLock` (an OS file lock per feed in the data dir) is the one in use.

:class:`WriterLock` orders the processes that write one embedded store (one at a time,
the others wait); see ``store/snapshots.py`` for how readers go on meanwhile.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Protocol

from ..errors import StoreError


class FeedLock(Protocol):
    def hold(self, name: str) -> AbstractContextManager[bool]: ...


class FileFeedLock:
    """``flock`` on ``<folder>/<name>.lock``: the OS drops it when the process ends."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)

    @contextmanager
    def hold(self, name: str) -> Iterator[bool]:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.folder / f"{name}.lock", os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise StoreError(f"cannot create the lock of feed {name!r} in {self.folder}: {exc.strerror}",
                             feed=name, hint="check that the data dir is writable") from exc
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                yield False
                return
            yield True
        finally:
            os.close(fd)


class WriteBarrier:
    """Writers and a backup across processes: every write of a batch to the store and the
    state holds the barrier shared; ``oogst backup`` holds it exclusive while it takes its
    snapshots, so that a backup never sees a batch in the store and not in the state. An OS
    ``flock`` on ``<folder>/_writes.lock`` (released when its process ends)."""

    def __init__(self, folder: Path) -> None:
        self.path = Path(folder) / "_writes.lock"

    def _open(self) -> int:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            return os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise StoreError(f"cannot create the write barrier {self.path}: {exc.strerror}",
                             hint="check that the data dir is writable") from exc

    @contextmanager
    def shared(self) -> Iterator[None]:
        """Held by a writer: waits while a backup takes its snapshots."""
        fd = self._open()
        try:
            fcntl.flock(fd, fcntl.LOCK_SH)
            yield
        finally:
            os.close(fd)

    @contextmanager
    def exclusive(self, timeout: float = 600.0) -> Iterator[None]:
        """Held by a backup: waits (up to ``timeout`` seconds) for the writes going on to end,
        and holds new ones back."""
        fd = self._open()
        try:
            deadline = time.monotonic() + timeout
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise StoreError(f"writes in the data dir did not pause within {timeout:.0f} s",
                                         hint="a harvest is storing a very large batch: try again") from None
                    time.sleep(0.05)
            yield
        finally:
            os.close(fd)


class WriterLock:
    """One writing process at a time for an embedded store: ``flock`` on ``<folder>/writer.lock``.

    :meth:`acquire` waits (polling, up to ``timeout`` seconds) while another process writes.
    A process that waits holds ``<folder>/waiting.lock`` shared meanwhile, so the holder can
    tell that it is wanted (:meth:`wanted`) and let go after its current batch instead of
    keeping the store open. Both locks go away with their process, even after ``kill -9``.
    """

    def __init__(self, folder: Path, label: str | None = None) -> None:
        self.folder = Path(folder)
        self.label = label or str(self.folder)
        self._fd: int | None = None

    def _open(self, name: str) -> int:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            return os.open(self.folder / name, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise StoreError(f"cannot create the store's lock in {self.folder}: {exc.strerror}",
                             hint="check that the data dir is writable") from exc

    @property
    def held(self) -> bool:
        return self._fd is not None

    def acquire(self, timeout: float) -> None:
        if self._fd is not None:
            return
        fd = self._open("writer.lock")
        if _try(fd, fcntl.LOCK_EX):
            self._fd = fd
            return
        waiting = self._open("waiting.lock")
        try:
            fcntl.flock(waiting, fcntl.LOCK_SH)
            deadline = time.monotonic() + timeout
            pause = 0.005
            while not _try(fd, fcntl.LOCK_EX):
                if time.monotonic() >= deadline:
                    os.close(fd)
                    raise StoreError(
                        f"another process kept the store {self.label} for writing longer than {timeout:g} s",
                        hint="a harvest or `oogst serve` writes to it; try again when it is done, or raise the "
                             "setting store_lock_timeout")
                time.sleep(pause)
                pause = min(pause * 2, 0.05)
            self._fd = fd
        finally:
            os.close(waiting)

    def wanted(self) -> bool:
        """True while another process waits for this lock."""
        fd = self._open("waiting.lock")
        try:
            if _try(fd, fcntl.LOCK_EX):
                fcntl.flock(fd, fcntl.LOCK_UN)
                return False
            return True
        finally:
            os.close(fd)

    def release(self) -> None:
        fd, self._fd = self._fd, None
        if fd is not None:
            os.close(fd)


def _try(fd: int, mode: int) -> bool:
    try:
        fcntl.flock(fd, mode | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


class PostgresFeedLock:
    """A PostgreSQL advisory lock per feed (the ``scale`` extra), so that two machines never run
    one feed at once. Each hold has a session of its own: advisory locks are re-entrant within
    a session, and a session that ends for whatever reason (the holder exits, is killed, or its
    machine stops answering TCP keepalives) takes its locks with it. ``namespace`` keeps apart
    several oogst installations (or tests) sharing a database."""

    _CLASS = 0x6F6F6702  # the first key of oogst's feed locks; the second is a hash of the name

    def __init__(self, url: str, *, namespace: str = "") -> None:
        from .pgsql import require

        require()
        self.url, self.namespace = url, namespace

    @contextmanager
    def hold(self, name: str) -> Iterator[bool]:
        import psycopg

        from .pgsql import redact

        try:
            conn = psycopg.connect(self.url, autocommit=True, connect_timeout=30, keepalives=1,
                                   keepalives_idle=30, keepalives_interval=10, keepalives_count=3,
                                   application_name=f"oogst feed lock {name}"[:63])
        except psycopg.Error as exc:
            raise StoreError(f"cannot take the lock of feed {name!r} in {redact(self.url)}: {exc}", feed=name,
                             hint="check OOGST_STATE and that PostgreSQL is up") from exc
        try:
            held = conn.execute("SELECT pg_try_advisory_lock(%s, hashtext(%s))",
                                (self._CLASS, f"{self.namespace}:{name}")).fetchone()[0]
            yield bool(held)
        finally:
            conn.close()  # the session's end releases its locks


def open_lock(state: str, folder: Path) -> FeedLock:
    """The feed lock of a state: advisory locks in its PostgreSQL, else files in ``folder``."""
    if state.startswith(("postgresql://", "postgres://")):
        return PostgresFeedLock(state)
    return FileFeedLock(folder)
