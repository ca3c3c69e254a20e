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
