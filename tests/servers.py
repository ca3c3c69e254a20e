"""Real SPARQL servers for the store tests and the store benchmark, on 127.0.0.1 only.

- the Oxigraph server, from the PyPI package ``oxigraph`` (the ``test`` extras);
- Virtuoso Open Source 7, from the Debian package ``virtuoso-opensource``
  (``tests/install_servers.sh``, which ``make test`` runs, installs it when missing).

Each server gets a free port and its own directory, and is stopped by ``Server.stop``.
``find_*`` return None when a server is not installed, so that its tests skip with the
reason instead of failing.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests
from requests.auth import HTTPDigestAuth

VIRTUOSO_USER = VIRTUOSO_PASSWORD = "dba"  # a fresh Virtuoso database's own account

VIRTUOSO_INI = """\
[Database]
DatabaseFile       = {dir}/virtuoso.db
ErrorLogFile       = {dir}/virtuoso.log
LockFile           = {dir}/virtuoso.lck
TransactionFile    = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
ErrorLogLevel      = 7
FileExtend         = 200
MaxCheckpointRemap = 2000
Striping           = 0
TempStorage        = TempDatabase

[TempDatabase]
DatabaseFile       = {dir}/virtuoso-temp.db
TransactionFile    = {dir}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping           = 0

[Parameters]
ServerPort           = 127.0.0.1:{sql_port}
DisableUnixSocket    = 1
DisableTcpSocket     = 0
MaxClientConnections = 8
CheckpointInterval   = 60
CaseMode             = 2
DirsAllowed          = .
NumberOfBuffers      = 4000
MaxDirtyBuffers      = 3000
ThreadsPerQuery      = 2
MaxQueryMem          = 256M

[HTTPServer]
ServerPort           = 127.0.0.1:{http_port}
ServerRoot           = {dir}/vsp
MaxClientConnections = 8
ServerThreads        = 8
MaxKeepAlives        = 8
KeepAliveTimeout     = 10
Charset              = UTF-8
EnabledGzipContent   = 0

[SPARQL]
ResultSetMaxRows           = 1000000
MaxQueryCostEstimationTime = 400
MaxQueryExecutionTime      = 60
"""


def _with_parent(command: list[str]) -> list[str]:
    """``command`` under ``setpriv --pdeathsig TERM`` where util-linux has it, so that a test
    run that is killed leaves no server behind."""
    setpriv = shutil.which("setpriv")
    return [setpriv, "--pdeathsig", "TERM", "--", *command] if setpriv else command


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    """A running server: ``base`` is its HTTP root, ``store_url`` oogst's URL for it."""

    kind: str
    base: str
    store_url: str
    process: subprocess.Popen
    log: Path
    user: str | None = None
    password: str | None = None
    baseline: set[str] = field(default_factory=set)  # graphs the server has of its own

    @property
    def auth(self) -> HTTPDigestAuth | None:
        return HTTPDigestAuth(self.user, self.password) if self.user else None

    @property
    def update_url(self) -> str:
        return f"{self.base}/update" if self.kind == "oxigraph" else f"{self.base}/sparql-auth"

    @property
    def query_url(self) -> str:
        return f"{self.base}/query" if self.kind == "oxigraph" else f"{self.base}/sparql"

    def update(self, sparql: str) -> None:
        """A SPARQL update straight to the server (to set up what oogst itself never writes)."""
        r = requests.post(self.update_url, data={"update": sparql}, auth=self.auth, timeout=60)
        r.raise_for_status()

    def graphs(self) -> set[str]:
        """Every graph on the server (the FILTER keeps Virtuoso on its fast path)."""
        r = requests.post(self.query_url, data={"query": "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } FILTER(ISIRI(?g)) }"},
                          headers={"Accept": "application/sparql-results+json"}, timeout=60)
        r.raise_for_status()
        return {b["g"]["value"] for b in r.json()["results"]["bindings"]}

    def reset(self) -> None:
        """Back to the state the server started in: drop every graph that was not there."""
        extra = sorted(self.graphs() - self.baseline)
        if extra:
            self.update(" ;\n".join(f"DROP SILENT GRAPH <{g}>" for g in extra))
        if self.kind == "oxigraph":
            self.update("CLEAR SILENT DEFAULT")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


def _wait_until_up(server: Server, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            break
        try:
            r = requests.get(server.query_url, params={"query": "ASK {}"}, timeout=2)
            if r.status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    server.stop()
    tail = server.log.read_text("utf-8", "replace")[-2000:] if server.log.exists() else ""
    raise RuntimeError(f"the {server.kind} server did not come up on {server.base}:\n{tail}")


def find_oxigraph() -> str | None:
    beside = Path(sys.executable).parent / "oxigraph"
    return str(beside) if beside.exists() else shutil.which("oxigraph")


def start_oxigraph(directory: Path, *, timeout_s: int = 20) -> Server:
    """``oxigraph serve`` on disk in ``directory``; ``timeout_s`` is the server's own query limit."""
    binary = find_oxigraph()
    if binary is None:
        raise FileNotFoundError("the oxigraph command is missing: pip install oxigraph (in the test extras)")
    directory.mkdir(parents=True, exist_ok=True)
    port = free_port()
    log = directory / "oxigraph.log"
    process = subprocess.Popen(
        _with_parent([binary, "serve", "--location", str(directory / "db"), "--bind", f"127.0.0.1:{port}",
                      "--timeout-s", str(timeout_s)]),
        stdout=log.open("wb"), stderr=subprocess.STDOUT,
    )
    server = Server("oxigraph", f"http://127.0.0.1:{port}", f"oxigraph+http://127.0.0.1:{port}", process, log)
    _wait_until_up(server, 30)
    return server


def find_virtuoso() -> str | None:
    return shutil.which("virtuoso-t")


def start_virtuoso(directory: Path) -> Server:
    """``virtuoso-t`` with its own small database in ``directory``; writes go through the
    digest-auth endpoints as ``dba`` (a fresh database's account)."""
    binary = find_virtuoso()
    if binary is None:
        raise FileNotFoundError("virtuoso-t is missing: apt-get install virtuoso-opensource "
                                "(tests/install_servers.sh does it)")
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "vsp").mkdir(exist_ok=True)
    http_port = free_port()
    ini = directory / "virtuoso.ini"
    ini.write_text(VIRTUOSO_INI.format(dir=directory, sql_port=free_port(), http_port=http_port), "utf-8")
    log = directory / "virtuoso.out"
    process = subprocess.Popen(_with_parent([binary, "-f", "-c", str(ini)]), cwd=directory,
                               stdout=log.open("wb"), stderr=subprocess.STDOUT)
    server = Server("virtuoso", f"http://127.0.0.1:{http_port}", f"virtuoso+http://127.0.0.1:{http_port}",
                    process, directory / "virtuoso.log", VIRTUOSO_USER, VIRTUOSO_PASSWORD)
    _wait_until_up(server, 120)
    server.baseline = server.graphs()
    return server


# -- PostgreSQL and Redis (the `scale` extra: issue #16) ------------------------------------------
def find_postgresql() -> str | None:
    """The ``postgres`` binary of Debian's ``postgresql`` package (or one on PATH)."""
    found = shutil.which("postgres")
    if found:
        return found
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/postgres"), key=lambda p: int(p.parts[-3]))
    return str(versions[-1]) if versions else None


@dataclass
class Postgres:
    """A PostgreSQL cluster of its own: ``url`` connects as its superuser ``oogst`` (trust, 127.0.0.1 only)."""

    url: str
    process: subprocess.Popen
    log: Path

    def stop(self) -> None:
        if self.process.poll() is None:
            import signal

            self.process.send_signal(signal.SIGINT)  # "fast" shutdown (SIGTERM waits for the clients)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


def _as_unprivileged(command: list[str], directory: Path) -> list[str]:
    """PostgreSQL refuses to run as root: as root, run it as the ``postgres`` user (Debian's
    package makes it) or ``nobody``, owning ``directory``."""
    import os
    import pwd

    if os.geteuid() != 0:
        return command
    for name in ("postgres", "nobody"):
        try:
            user = pwd.getpwnam(name)
        except KeyError:
            continue
        for path in (directory, *directory.rglob("*")):
            os.chown(path, user.pw_uid, user.pw_gid)
        os.chmod(directory, 0o700)
        return ["setpriv", f"--reuid={user.pw_uid}", f"--regid={user.pw_gid}", "--clear-groups", "--", *command]
    raise RuntimeError("running as root and there is neither a postgres nor a nobody user to run PostgreSQL as")


def start_postgresql(directory: Path) -> Postgres:
    """``initdb`` into ``directory`` and ``postgres`` on a free port of 127.0.0.1 (no Unix
    socket, fsync off: a throwaway cluster for the tests)."""
    binary = find_postgresql()
    if binary is None:
        raise FileNotFoundError("PostgreSQL is missing: apt-get install postgresql (tests/install_servers.sh does it)")
    bindir = Path(binary).resolve().parent
    directory.mkdir(parents=True, exist_ok=True)
    data = directory / "data"
    data.mkdir(exist_ok=True)
    init = subprocess.run(_as_unprivileged([str(bindir / "initdb"), "-D", str(data), "-U", "oogst", "--auth=trust",
                                            "--encoding=UTF8", "--locale=C", "--no-sync"], directory),
                          capture_output=True, text=True)
    if init.returncode != 0:
        raise RuntimeError(f"initdb failed: {init.stderr[-2000:]}")
    port = free_port()
    log = directory / "postgres.log"
    process = subprocess.Popen(
        _with_parent(_as_unprivileged([binary, "-D", str(data), "-c", "listen_addresses=127.0.0.1", "-p", str(port),
                                       "-c", "unix_socket_directories=", "-c", "fsync=off",
                                       "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
                                       "-c", "max_connections=300"], directory)),
        stdout=log.open("wb"), stderr=subprocess.STDOUT)
    server = Postgres(f"postgresql://oogst@127.0.0.1:{port}/postgres", process, log)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                pass
            import psycopg

            psycopg.connect(server.url, connect_timeout=2).close()
            return server
        except (OSError, ImportError) as exc:
            if isinstance(exc, ImportError):
                server.stop()
                raise
        except Exception:  # noqa: BLE001 - "the database system is starting up"
            pass
        time.sleep(0.2)
    server.stop()
    raise RuntimeError(f"PostgreSQL did not come up on port {port}:\n{log.read_text('utf-8', 'replace')[-2000:]}")


_SHARED_POSTGRES: list[Postgres] = []


def shared_postgresql() -> str:
    """The URL of one PostgreSQL for the whole test process (started on first use, stopped at
    exit), or ``pytest.skip`` saying what is missing. Tests each take a fresh schema of it
    (:func:`fresh_schema`)."""
    import atexit
    import tempfile

    import pytest

    try:
        import psycopg  # noqa: F401
        import psycopg_pool  # noqa: F401
    except ImportError:
        pytest.skip("psycopg is not installed: pip install 'oogst[scale]' for the PostgreSQL tests")
    if find_postgresql() is None:
        pytest.skip("PostgreSQL is not installed: run tests/install_servers.sh (needs root and apt-get) "
                    "or apt-get install postgresql")
    if not _SHARED_POSTGRES:
        directory = Path(tempfile.mkdtemp(prefix="oogst-postgres-"))
        server = start_postgresql(directory)
        _SHARED_POSTGRES.append(server)
        atexit.register(lambda: (server.stop(), shutil.rmtree(directory, ignore_errors=True)))
    return _SHARED_POSTGRES[0].url


def fresh_schema(url: str) -> str:
    """A new empty schema in the database at ``url`` (one per test)."""
    import uuid

    import psycopg

    name = f"t_{uuid.uuid4().hex[:16]}"
    with psycopg.connect(url, autocommit=True) as db:
        db.execute(f'CREATE SCHEMA "{name}"')
    return name


def find_redis() -> str | None:
    return shutil.which("redis-server")


def start_redis(directory: Path) -> tuple[str, subprocess.Popen]:
    """``redis-server`` on a free port of 127.0.0.1, without persistence: (URL, process)."""
    binary = find_redis()
    if binary is None:
        raise FileNotFoundError("redis-server is missing: apt-get install redis-server (tests/install_servers.sh)")
    directory.mkdir(parents=True, exist_ok=True)
    port = free_port()
    process = subprocess.Popen(_with_parent([binary, "--bind", "127.0.0.1", "--port", str(port), "--save", "",
                                             "--appendonly", "no", "--dir", str(directory)]),
                               stdout=(directory / "redis.log").open("wb"), stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and process.poll() is None:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
                s.sendall(b"PING\r\n")
                if s.recv(16).startswith(b"+PONG"):
                    return f"redis://127.0.0.1:{port}/0", process
        except OSError:
            pass
        time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"redis-server did not come up on port {port}")


def postgresql_state_url() -> str:
    """A ``state`` setting for a fresh schema of the shared PostgreSQL (libpq's ``options``
    put the schema first on the search path), or ``pytest.skip``."""
    from urllib.parse import quote

    url = shared_postgresql()
    return f"{url}?options={quote(f'-csearch_path={fresh_schema(url)}')}"
