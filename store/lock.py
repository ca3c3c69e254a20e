"""The feed lock seam: one run of a feed at a time, whichever process asks.

``FeedLock.hold(name)`` is a context manager that yields True when this caller holds the
feed, False when someone else does (it never waits). The lock must go away with its holder,
even after ``kill -9``. ``tests/test_lock_contract.py`` is the suite every implementation
passes; :class:`FileFeedLock` (an OS file lock per feed in the data dir) is the one in use.
"""

from __future__ import annotations

import fcntl
import os
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
