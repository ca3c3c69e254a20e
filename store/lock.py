"""The feed lock seam: one run of a feed at a time, whichever process asks.

``FeedLock.hold(name)`` is a context manager that yields True when this caller holds the
feed, False when someone else does (it never waits). The lock must go away with its holder,
even after ``kill -9``. ``tests/test_lock_contract.py`` is the suite every implementation
passes; :class:`FileFeedLock` (an OS file lock per feed in the data dir) is the one in use.
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
