"""Shared fixtures: real parts on 127.0.0.1, the shared corpus (skipped when missing)."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

from oogst.harvest import policy as _policy

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus"
# Every server a test starts binds 127.0.0.1, which the outbound policy refuses by default:
# the suite allows loopback, for the settings read from the environment (also in the `oogst`
# processes tests start) and for settings made in code (harvest/policy.py's default). The
# tests of the policy itself (test_security_fetch.py) take it away again.
LOOPBACK = ("127.0.0.0/8", "::1/128")
os.environ.setdefault("OOGST_ALLOWED_PRIVATE_NETWORKS", ",".join(LOOPBACK))
_policy.DEFAULT_ALLOWED_NETWORKS = LOOPBACK  # for the whole session (module-scoped fixtures too)


@pytest.fixture(scope="session")
def corpus() -> Path:
    if not CORPUS.is_dir():
        pytest.skip(f"the shared corpus is missing: {CORPUS} (CI has it beside the checkout)")
    return CORPUS


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# -- real SPARQL servers (tests/servers.py), one of each per test session ---------------------
@pytest.fixture(scope="session")
def oxigraph_server(tmp_path_factory):
    from .servers import find_oxigraph, start_oxigraph

    if find_oxigraph() is None:
        pytest.skip("the Oxigraph server is not installed: pip install oxigraph (it is in the test extras)")
    server = start_oxigraph(tmp_path_factory.mktemp("oxigraph-server"))
    yield server
    server.stop()


@pytest.fixture(scope="session")
def virtuoso_server(tmp_path_factory):
    from .servers import find_virtuoso, start_virtuoso

    if find_virtuoso() is None:
        pytest.skip("Virtuoso is not installed: run tests/install_servers.sh (needs root and apt-get) "
                    "or apt-get install virtuoso-opensource")
    server = start_virtuoso(tmp_path_factory.mktemp("virtuoso"))
    yield server
    server.stop()


# -- where the state lives: SQLite in the data dir, or PostgreSQL (issue #16, the scale extra) ----
@pytest.fixture(params=["sqlite", "postgresql"])
def state_setting(request) -> dict[str, str]:
    """Settings values that put the state in SQLite (none) or in a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        return {}
    from .servers import postgresql_state_url

    return {"state": postgresql_state_url()}
