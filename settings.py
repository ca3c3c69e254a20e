"""Typed settings, declared once.

Precedence, lowest first: the defaults below < ``oogst.toml`` (in the data dir, or the file
named by ``OOGST_CONFIG``) < the environment (``OOGST_<NAME>``) < command-line options.
Secrets (passwords of a remote store) only ever come from the environment.

``oogst settings`` lists every setting with its value and where the value came from; a
test fails when a setting has no documentation.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from .errors import ConfigError
from .iris import DEFAULT_BASE


def _doc(text: str, default: Any) -> Any:
    return field(default=default, metadata={"doc": text})


def _as_bool(value: Any) -> bool:
    """true/false from TOML, or yes/no/1/0/true/false/on/off text from the environment."""
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off"):
        return False
    raise ValueError(text)


@dataclass(frozen=True)
class Settings:
    data_dir: Path = _doc("Folder for the store, the state database and the raw archive.", Path(".oogst"))
    store: str = _doc(
        "Where the RDF goes: 'oxigraph:///path' (default: <data_dir>/store) or a SPARQL server: "
        "'oxigraph+http://host:7878', 'virtuoso+http://host:8890', 'fuseki+http://host:3030/dataset' or "
        "'sparql+http://host/query?update=/update&gsp=/store'. A server's account comes from "
        "$OOGST_STORE_USER and $OOGST_STORE_PASSWORD only.", ""
    )
    store_retries: int = _doc("Retries of a request to a SPARQL server store that failed in a way that may pass.", 4)
    store_backoff: float = _doc("First wait in seconds before retrying the store; doubles per retry.", 0.5)
    store_timeout: float = _doc("Seconds one write or read of a SPARQL server store may take.", 120.0)
    base_iri: str = _doc("Base of every IRI that oogst mints.", DEFAULT_BASE)
    host: str = _doc("Address `oogst serve` binds to.", "127.0.0.1")
    port: int = _doc("Port `oogst serve` listens on.", 8000)
    public_url: str = _doc("Public address of the API, used in links (default: the address each request came to).", "")
    http_connect_timeout: float = _doc("Seconds to wait for a partner's server to accept a connection.", 10.0)
    http_read_timeout: float = _doc("Seconds to wait for a partner's server to send data.", 60.0)
    http_retries: int = _doc("Attempts per request before a page counts as failed.", 5)
    http_backoff: float = _doc("First back-off delay in seconds; doubles per retry, with jitter.", 1.0)
    http_max_backoff: float = _doc("Longest wait between retries, also caps Retry-After.", 120.0)
    http_delay: float = _doc("Pause in seconds between two requests to the same host (politeness).", 0.0)
    user_agent: str = _doc("User-Agent sent to partners.", "oogst/0.1 (+https://github.com/oogst)")
    batch_size: int = _doc("Records mapped, validated and stored together.", 500)
    workers: int = _doc(
        "Processes that map and validate a harvest's batches while this one fetches and stores (0: one per core; "
        "1: everything in this process).", 0)
    validator: str = _doc(
        "SHACL engine: 'native' (the shapes compiled into Python: the fastest, checked against pySHACL by the "
        "tests; shapes it cannot compile fall back to 'auto'), 'auto' (pyrudof when it is installed and finds the "
        "same results as pySHACL on the first batch, else pySHACL), 'pyshacl' (the reference) or 'pyrudof'.",
        "native")
    oslo_ap_sample: float = _doc(
        "Share of records (0-1) also checked against the OSLO application profile (shapes/oslo-ap.ttl). Its "
        "findings are warnings: reported, never blocking. Records are picked by a hash of their id, so the "
        "same ones every run; 0 turns the check off.", 1.0)
    harvest_overlap: float = _doc(
        "Seconds an incremental harvest reaches back before the previous run's server responseDate "
        "(then truncated to the server's granularity), for records dated into the past.", 300.0)
    max_drop_share: float = _doc(
        "After a complete --full run, records it did not deliver are withdrawn, unless the count dropped "
        "by more than this share of the live records before it (0.15 = 15%); then nothing is withdrawn "
        "and the run fails, saying why.", 0.15)
    failing_after: int = _doc("Failed runs in a row after which a feed's status becomes 'failing' "
                              "(a successful run makes it 'active' again).", 3)
    query_timeout: float = _doc("Seconds a SPARQL query may run (0: no limit); longer ones are stopped.", 30.0)
    result_limit: int = _doc("Most rows (solutions or triples) a SPARQL query returns; more are cut off.", 100_000)
    default_language: str = _doc("Language of literals that carry none in the source.", "nl")
    contexts_dir: str = _doc(
        "Folder of JSON-LD context files (LDES members, OSLO JSON-LD), matched against a context URL by "
        "<host>/<path> or by file name; also `oogst harvest --contexts DIR`.", "")
    contexts_fetch: bool = _doc(
        "Fetch JSON-LD contexts found neither in contexts_dir nor in <data_dir>/contexts over HTTP (and cache "
        "them there); false: offline, a missing context is an error naming it.", True)
    edm_schemas_dir: str = _doc(
        "Folder of Europeana's EDM schema files (metis-schema): edm/EDM.xsd and edm-schematron/schematron.xsl, "
        "for `oogst export edm --check`. Empty: the pre-flight check says what is missing and skips validation.", "")
    edm_provider: str = _doc(
        "edm:provider of every feed (the accredited aggregator that delivers to Europeana, a name or an IRI), "
        "unless a feed's delivery settings name another (`oogst feeds delivery NAME provider=...`).", "oogst")
    edm_intermediate_provider: str = _doc(
        "edm:intermediateProvider of every feed unless its delivery settings name another (empty: none).", "")
    edm_at_publish: bool = _doc(
        "Work out each record's EDM readiness, data provider and Europeana tiers when it is published (about "
        "0.3 ms a record); false: on first use by /oai, `oogst report`, the tiers API or the export.", True)
    oai_repository_name: str = _doc("repositoryName in the OAI-PMH Identify answer of /oai.", "oogst")
    oai_admin_email: str = _doc(
        "adminEmail in the OAI-PMH Identify answer of /oai (default: oai@ the host of base_iri).", "")
    oai_page_size: int = _doc("Records per ListRecords page of /oai (Europeana's own provider uses 50).", 50)
    oai_identifiers_page_size: int = _doc("Headers per ListIdentifiers page of /oai.", 300)
    ldes_page_size: int = _doc(
        "Members per page of the event stream (/ldes). Pages are numbered by it: changing it renumbers the "
        "stream's pages (clients then read them again; their members are the same).", 100)
    ldes_fanout: int = _doc("Links per node of the event stream's search tree above its pages.", 100)

    @property
    def dumps_path(self) -> Path:
        """The dumps (`oogst dump`): N-Quads and JSON-LD, whole and per feed, with a manifest."""
        return self.data_dir / "dumps"

    def __post_init__(self) -> None:
        if not isinstance(self.data_dir, Path):  # Settings(data_dir="…") from Python code
            object.__setattr__(self, "data_dir", Path(self.data_dir))

    # -- derived paths ---------------------------------------------------------------
    @property
    def state_path(self) -> Path:
        return self.data_dir / "state.sqlite"

    @property
    def archive_path(self) -> Path:
        return self.data_dir / "archive.sqlite"

    @property
    def search_path(self) -> Path:
        """The search index (SQLite FTS5), derived from the store: `oogst index rebuild`."""
        return self.data_dir / "search.sqlite"

    @property
    def contexts_cache_path(self) -> Path:
        return self.data_dir / "contexts"

    @property
    def profiles_path(self) -> Path:
        """Mapping profiles of the feeds: ``<name>.toml`` (`oogst feeds profile NAME FILE`)."""
        return self.data_dir / "profiles"

    @property
    def store_url(self) -> str:
        return self.store or f"oxigraph://{(self.data_dir / 'store').resolve()}"

    @property
    def system_path(self) -> Path:
        """The system store (provenance and dataset graphs), always embedded in the data dir;
        derived from the state: `oogst system rebuild`."""
        return self.data_dir / "system"

    @property
    def system_store_url(self) -> str:
        return f"oxigraph://{self.system_path.resolve()}"

    # -- loading ------------------------------------------------------------------------
    @classmethod
    def docs(cls) -> dict[str, str]:
        return {f.name: f.metadata.get("doc", "") for f in fields(cls)}

    @classmethod
    def load(cls, overrides: dict[str, Any] | None = None, env: dict[str, str] | None = None) -> tuple[Settings, dict[str, str]]:
        """Build the settings; return them with the origin of each value."""
        env = dict(os.environ) if env is None else env
        overrides = {k: v for k, v in (overrides or {}).items() if v is not None}
        values: dict[str, Any] = {}
        origin = {f.name: "default" for f in fields(cls)}

        # The data dir decides where oogst.toml lives, so resolve it first.
        data_dir = overrides.get("data_dir") or env.get("OOGST_DATA_DIR") or cls.data_dir
        config_file = Path(env.get("OOGST_CONFIG") or Path(data_dir) / "oogst.toml")
        if config_file.is_file():
            try:
                file_values = tomllib.loads(config_file.read_text("utf-8"))
            except tomllib.TOMLDecodeError as exc:
                raise ConfigError(f"{config_file} is not valid TOML: {exc}") from exc
            for key, value in file_values.items():
                if key not in origin:
                    raise ConfigError(f"{config_file}: unknown setting {key!r}", hint="see `oogst settings`")
                values[key], origin[key] = value, str(config_file)
        for f in fields(cls):
            name = f"OOGST_{f.name.upper()}"
            if name in env:
                values[f.name], origin[f.name] = env[name], f"${name}"
        for key, value in overrides.items():
            values[key], origin[key] = value, "command line"

        typed: dict[str, Any] = {}
        for f in fields(cls):
            if f.name not in values:
                continue
            kind = type(f.default)
            try:
                typed[f.name] = (Path(values[f.name]) if kind is Path else _as_bool(values[f.name]) if kind is bool
                                 else kind(values[f.name]))
            except (TypeError, ValueError) as exc:
                raise ConfigError(
                    f"setting {f.name} = {values[f.name]!r} ({origin[f.name]}) is not a valid {kind.__name__}"
                ) from exc
        return cls(**typed), origin
