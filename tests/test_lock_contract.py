"""The FeedLock contract (``oogst.store.lock.FeedLock``): one run of a feed at a time, whichever
process asks. ``hold(name)`` yields True to the one holder and False to everyone else without
waiting; the lock goes away with its holder, also when that process is killed with SIGKILL.

An implementation joins by adding ``(id, factory)`` to :data:`IMPLEMENTATIONS`: a factory
takes the test's ``tmp_path`` and returns a :class:`Backend`: the lock for this process, and
the Python source that builds the same lock (as ``lock``) in another process. A factory whose
server is missing calls ``pytest.skip`` with the reason.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from oogst.errors import StoreError
from oogst.store.lock import FeedLock, FileFeedLock

WAIT = 20.0  # seconds a child process may take to start (imports on a busy machine)


@dataclass
class Backend:
    lock: FeedLock
    child_source: str  # Python that defines ``lock``, the same lock, in another process


def file_lock(tmp_path: Path) -> Backend:
    folder = tmp_path / "data" / "locks"
    return Backend(FileFeedLock(folder),
                   f"from oogst.store.lock import FileFeedLock\nlock = FileFeedLock({str(folder)!r})")


def postgresql_advisory_lock(tmp_path: Path) -> Backend:
    from .servers import shared_postgresql

    url, namespace = shared_postgresql(), tmp_path.name
    source = f"from oogst.store.lock import PostgresFeedLock\nlock = PostgresFeedLock({url!r}, namespace={namespace!r})"
    from oogst.store.lock import PostgresFeedLock

    return Backend(PostgresFeedLock(url, namespace=namespace), source)


IMPLEMENTATIONS: list[tuple[str, Callable[[Path], Backend]]] = [
    ("file", file_lock),
    ("postgresql", postgresql_advisory_lock),
]


@pytest.fixture(params=[factory for _id, factory in IMPLEMENTATIONS], ids=[i for i, _f in IMPLEMENTATIONS])
def backend(request, tmp_path: Path) -> Backend:
    return request.param(tmp_path)


CHILD = """
import sys, time
{source}
name, linger = sys.argv[1], float(sys.argv[2])
began = time.monotonic()
with lock.hold(name) as held:
    print("held" if held else "busy", round(time.monotonic() - began, 3), flush=True)
    time.sleep(linger if held else 0)
print("released", flush=True)
"""


class Child:
    """Another process that asks for feed ``name`` and, if it gets it, keeps it ``linger`` seconds."""

    def __init__(self, backend: Backend, name: str, linger: float = 0.0) -> None:
        script = CHILD.format(source=textwrap.dedent(backend.child_source))
        self.proc = subprocess.Popen([sys.executable, "-c", script, name, str(linger)], stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True)

    def answer(self) -> tuple[str, float]:
        """("held" | "busy", seconds the hold took)."""
        line = self._line()
        word, seconds = line.split()
        return word, float(seconds)

    def _line(self) -> str:
        result: list[str] = []
        reader = threading.Thread(target=lambda: result.append(self.proc.stdout.readline()), daemon=True)
        reader.start()
        reader.join(WAIT)
        if not result or not result[0]:
            self.proc.kill()
            raise AssertionError(f"the child process said nothing: {self.proc.stderr.read()}")
        return result[0].strip()

    def finish(self) -> None:
        assert self._line() == "released"
        assert self.proc.wait(WAIT) == 0, self.proc.stderr.read()

    def kill(self) -> None:
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(WAIT)
        self.proc.stdout.close()
        self.proc.stderr.close()


def ask(backend: Backend, name: str) -> tuple[str, float]:
    child = Child(backend, name)
    try:
        answer = child.answer()
        child.finish()
        return answer
    finally:
        if child.proc.poll() is None:
            child.kill()


def test_the_first_holder_gets_the_feed_and_keeps_it_until_it_lets_go(backend: Backend) -> None:
    with backend.lock.hold("museum") as held:
        assert held is True
        with backend.lock.hold("museum") as again:  # from this process too, e.g. a second run in a thread
            assert again is False
    with backend.lock.hold("museum") as held:
        assert held is True, "released on exit: the next holder gets it"


def test_another_thread_gets_false_without_waiting(backend: Backend) -> None:
    answers: list[tuple[bool, float]] = []

    def other() -> None:
        began = time.monotonic()
        with backend.lock.hold("museum") as held:
            answers.append((held, time.monotonic() - began))

    with backend.lock.hold("museum") as held:
        assert held
        thread = threading.Thread(target=other)
        thread.start()
        thread.join(WAIT)
    assert answers and answers[0][0] is False and answers[0][1] < 1.0


def test_another_process_gets_false_without_waiting(backend: Backend) -> None:
    with backend.lock.hold("museum") as held:
        assert held
        word, seconds = ask(backend, "museum")
        assert word == "busy" and seconds < 1.0, "it never waits for the holder"
    assert ask(backend, "museum")[0] == "held", "released on exit: another process gets it"


def test_a_process_holding_the_feed_keeps_others_out(backend: Backend) -> None:
    child = Child(backend, "museum", linger=WAIT)
    try:
        assert child.answer()[0] == "held"
        with backend.lock.hold("museum") as held:
            assert held is False
    finally:
        child.kill()


def test_different_feeds_do_not_block_each_other(backend: Backend) -> None:
    with backend.lock.hold("museum") as a, backend.lock.hold("archief") as b:
        assert a is True and b is True
        assert ask(backend, "bibliotheek")[0] == "held"
        assert ask(backend, "museum")[0] == "busy"
    child = Child(backend, "archief", linger=WAIT)
    try:
        assert child.answer()[0] == "held"
        with backend.lock.hold("museum") as held:
            assert held is True
    finally:
        child.kill()


def test_the_lock_goes_when_its_holder_is_killed(backend: Backend) -> None:
    child = Child(backend, "museum", linger=WAIT)
    assert child.answer()[0] == "held"
    with backend.lock.hold("museum") as held:
        assert held is False
    child.kill()  # kill -9: no clean-up code runs in the holder
    with backend.lock.hold("museum") as held:
        assert held is True, "a killed holder does not leave the feed locked"


def test_the_lock_is_released_when_the_holder_raises(backend: Backend) -> None:
    with pytest.raises(RuntimeError), backend.lock.hold("museum") as held:
        assert held
        raise RuntimeError("the run broke")
    with backend.lock.hold("museum") as held:
        assert held is True
    assert ask(backend, "museum")[0] == "held"


# -- the file lock ---------------------------------------------------------------------------------
def test_a_lock_folder_that_cannot_be_made_is_a_store_error_with_a_hint(tmp_path: Path) -> None:
    (tmp_path / "data").write_text("a file where the data dir should be")
    lock = FileFeedLock(tmp_path / "data" / "locks")
    with pytest.raises(StoreError) as info, lock.hold("museum"):
        pass
    assert info.value.feed == "museum" and "cannot create the lock" in info.value.message
    assert info.value.hint and "writable" in info.value.hint
    assert "Traceback" not in str(info.value)


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root may write anywhere")
def test_an_unwritable_lock_folder_is_a_store_error_with_a_hint(tmp_path: Path) -> None:
    folder = tmp_path / "locks"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        with pytest.raises(StoreError) as info, FileFeedLock(folder).hold("museum"):
            pass
        assert info.value.hint and "writable" in info.value.hint
    finally:
        folder.chmod(0o700)
