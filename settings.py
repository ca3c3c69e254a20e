"""Typed settings, declared once.

Precedence, lowest first: the defaults below < ``oogst.toml`` (in the data dir, or the file
named by ``OOGST_CONFIG``) < the environment (``OOGST_<NAME>``) < command-line options.
Secrets (passwords of a remote store) only ever come from the environment.

``oogst settings`` lists every setting with its value and where the value came from; a
test fails when a setting has no documentation.

Every value is checked on load: its type (a TOML ``true`` is no number, ``1.5`` no integer)
and, for numbers, its range: declared with the setting (``_doc(…, ge=1)``, ``gt``, ``le``),
else at least 0. A value out of range is refused with the file (or variable), the key and the
allowed values.
"""

from __future__ import annotations

import ipaddress
import math
import os
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from .errors import ConfigError
from .iris import DEFAULT_BASE
from .jsonld import CONTEXT_HOSTS


def _doc(text: str, default: Any, **bounds: float) -> Any:
    """A setting: its documentation and, for a number, its range (``ge``, ``gt``, ``le``;
    without any, at least 0)."""
    return field(default=default, metadata={"doc": text, "bounds": bounds})


def _range_error(name: str, value: Any, bounds: dict[str, float]) -> str | None:
    """Why ``value`` is out of the setting's range, or None."""
    if isinstance(value, float) and not math.isfinite(value):
        return "a finite number"
    if "ge" not in bounds and "gt" not in bounds:
        bounds = {"ge": 0, **bounds}
    words = {"ge": "at least", "gt": "more than", "le": "at most"}
    parts = [f"{words[k]} {int(v) if float(v).is_integer() else v}" for k, v in bounds.items()]
    if (("ge" in bounds and value < bounds["ge"]) or ("gt" in bounds and value <= bounds["gt"])
            or ("le" in bounds and value > bounds["le"])):
        return " and ".join(parts)
    return None


def check_value(name: str, kind: type, value: Any, bounds: dict[str, float] | None, origin: str) -> Any:
    """``value`` as the setting's type, in its range; a ConfigError naming the setting, where
    the value came from and what is allowed."""
    where = f"setting {name} = {value!r} ({origin})"
    if kind in (int, float) and (isinstance(value, bool) or (kind is int and isinstance(value, float)
                                                             and not value.is_integer())):
        raise ConfigError(f"{where} is not a valid {kind.__name__}", hint=f"give {name} a whole number"
                          if kind is int else f"give {name} a number")
    try:
        typed = (Path(value) if kind is Path else _as_bool(value) if kind is bool
                 else _as_tuple(value) if kind is tuple else kind(value))
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"{where} is not a valid {kind.__name__}", hint="see `oogst settings`") from exc
    if kind in (int, float):
        problem = _range_error(name, typed, bounds or {})
        if problem:
            raise ConfigError(f"{where} is out of range: it must be {problem}", hint="see `oogst settings`")
    return typed


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


def _as_tuple(value: Any) -> tuple[str, ...]:
    """A list from TOML, or comma-separated text from the environment."""
    items = value.split(",") if isinstance(value, str) else value
    if not isinstance(items, list | tuple) or not all(isinstance(item, str) for item in items):
        raise ValueError(value)
    return tuple(item.strip() for item in items if item.strip())


_TABLES = ("sparql", "api")  # [sparql] key = … in oogst.toml is the setting sparql_key


def _flatten_tables(values: dict[str, Any]) -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in values.items():
        if key in _TABLES and isinstance(value, dict):
            flat.update({f"{key}_{name}": item for name, item in value.items()})
        else:
            flat[key] = value
    return flat


@dataclass(frozen=True)
class Settings:
    data_dir: Path = _doc("Folder for the store, the state database and the raw archive.", Path(".oogst"))
    store: str = _doc(
        "Where the RDF goes: 'oxigraph:///path' (default: <data_dir>/store) or a SPARQL server: "
        "'oxigraph+http://host:7878', 'virtuoso+http://host:8890', 'fuseki+http://host:3030/dataset' or "
        "'sparql+http://host/query?update=/update&gsp=/store'. A server's account comes from "
        "$OOGST_STORE_USER and $OOGST_STORE_PASSWORD only.", ""
    )
    state: str = _doc(
        "Where the pipeline's state, the raw archive, the search index and the feed locks live: empty for "
        "SQLite files in the data dir, or 'postgresql://user@host:5432/db' for one PostgreSQL that several "
        "machines share (pip install 'oogst[scale]'; the password from $PGPASSWORD or ~/.pgpass, or the URL: "
        "never shown).", "")
    queue: str = _doc(
        "The broker of the workers (`oogst worker`, `harvest --queue`): 'redis://host:6379/0' (pip install "
        "'oogst[scale]'; needs the state in PostgreSQL). Empty: runs happen in the process that asks.", "")
    queue_visibility_timeout: float = _doc(
        "Seconds after which a queued task that no worker acknowledged (its worker died) goes to another "
        "worker, which carries on from the run's checkpoint. A run still going then is not run twice.", 3600.0, ge=1)
    store_retries: int = _doc("Retries of a request to a SPARQL server store that failed in a way that may pass.", 4, le=100)
    store_backoff: float = _doc("First wait in seconds before retrying the store; doubles per retry.", 0.5)
    store_timeout: float = _doc("Seconds one write or read of a SPARQL server store may take.", 120.0, gt=0)
    store_lock_timeout: float = _doc("Seconds a process waits for its turn to write the embedded store while "
                                     "another process (a harvest, `oogst serve`) writes to it.", 600.0)
    base_iri: str = _doc("Base of every IRI that oogst mints.", DEFAULT_BASE)
    host: str = _doc("Address `oogst serve` binds to.", "127.0.0.1")
    port: int = _doc("Port `oogst serve` listens on.", 8000, ge=1, le=65535)
    public_url: str = _doc("Public address of the API, used in links (default: the address each request came to).", "")
    http_connect_timeout: float = _doc("Seconds to wait for a partner's server to accept a connection.", 10.0, gt=0)
    http_read_timeout: float = _doc("Seconds to wait for a partner's server to send data.", 60.0, gt=0)
    http_retries: int = _doc("Attempts per request before a page counts as failed.", 5, ge=1, le=100)
    http_backoff: float = _doc("First back-off delay in seconds; doubles per retry, with jitter.", 1.0)
    http_max_backoff: float = _doc("Longest wait between retries, also caps Retry-After.", 120.0)
    http_delay: float = _doc("Pause in seconds between two requests to the same host (politeness).", 0.0)
    user_agent: str = _doc("User-Agent sent to partners.", "oogst/0.1 (+https://github.com/oogst)")
    batch_size: int = _doc("Records mapped, validated and stored together.", 500, ge=1, le=1_000_000)
    harvest_jobs: int = _doc("Feeds `oogst harvest` runs at once (`--jobs`); each partner host still gets one "
                             "request at a time, with http_delay between requests.", 1, ge=1, le=64)
    run_deadline: float = _doc("Seconds one run of a feed may take (0: no limit; `oogst harvest --deadline`). "
                               "A run past it fails with a note and carries on from its checkpoint next time; "
                               "the other feeds go on.", 0.0)
    workers: int = _doc(
        "Processes that map and validate a harvest's batches while this one fetches and stores (0: one per core; "
        "1: everything in this process).", 0, le=64)
    validator: str = _doc(
        "SHACL engine: 'native' (the shapes compiled into Python: the fastest, checked against pySHACL by the "
        "tests; shapes it cannot compile fall back to 'auto'), 'auto' (pyrudof when it is installed and finds the "
        "same results as pySHACL on the first batch, else pySHACL), 'pyshacl' (the reference) or 'pyrudof'.",
        "native")
    oslo_ap_sample: float = _doc(
        "Share of records (0-1) also checked against the OSLO application profile (shapes/oslo-ap.ttl). Its "
        "findings are warnings: reported, never blocking. Records are picked by a hash of their id, so the "
        "same ones every run; 0 turns the check off.", 1.0, ge=0, le=1)
    harvest_overlap: float = _doc(
        "Seconds an incremental harvest reaches back before the previous run's server responseDate "
        "(then truncated to the server's granularity), for records dated into the past.", 300.0)
    max_drop_share: float = _doc(
        "After a complete --full run, records it did not deliver are withdrawn, unless the count dropped "
        "by more than this share of the live records before it (0.15 = 15%); then nothing is withdrawn "
        "and the run fails, saying why.", 0.15, ge=0, le=1)
    failing_after: int = _doc("Failed runs in a row after which a feed's status becomes 'failing' "
                              "(a successful run makes it 'active' again).", 3, ge=1)
    query_timeout: float = _doc("Seconds a SPARQL query may run (0: no limit); longer ones are stopped.", 30.0)
    result_limit: int = _doc("Most rows (solutions or triples) a SPARQL query returns; more are cut off.", 100_000, ge=1)
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
    oai_page_size: int = _doc("Records per ListRecords page of /oai (Europeana's own provider uses 50).", 50, ge=1, le=10_000)
    oai_identifiers_page_size: int = _doc("Headers per ListIdentifiers page of /oai.", 300, ge=1, le=100_000)
    ldes_page_size: int = _doc(
        "Members per page of the event stream (/ldes). Pages are numbered by it: changing it renumbers the "
        "stream's pages (clients then read them again; their members are the same).", 100, ge=1, le=100_000)
    ldes_fanout: int = _doc("Links per node of the event stream's search tree above its pages.", 100, ge=2, le=100_000)

    # -- outbound fetches and partner limits (docs/security.md, "Outbound fetches") -------------
    allowed_private_networks: tuple = _doc(
        "IP ranges (CIDR, e.g. [\"127.0.0.0/8\"]; in the environment comma-separated) that oogst may fetch from "
        "although they are loopback, private or link-local. Empty: only public addresses.", ())
    allowed_redirect_hosts: tuple = _doc(
        "Hosts (or '*.example.org') a partner's server may redirect oogst to; other hosts are refused.", ())
    context_hosts: tuple = _doc(
        "Hosts oogst may fetch JSON-LD contexts from when contexts_fetch is on ('*.example.org' matches "
        "subdomains); contexts of other hosts must be put in contexts_dir.",
CONTEXT_HOSTS)
    files_root: str = _doc(
        "The folder under which files feeds may read local folders, zips and files (empty: none; "
        "files feeds then take only http(s) URLs).", "")
    http_deadline: float = _doc(
        "Seconds one request to a partner may take in all, however slowly the server sends (0: no limit).", 300.0)
    max_response_bytes: int = _doc(
        "Most bytes one response (a page, a context) may hold once decompressed; a bigger one fails the "
        "request.", 64 * 1024 * 1024)
    max_download_bytes: int = _doc(
        "Most bytes of a dump that a files feed downloads (to a temporary file, not into memory).", 4 * 1024 ** 3)
    max_record_bytes: int = _doc("Most bytes of one record; a bigger record is quarantined.", 16 * 1024 * 1024)
    max_record_elements: int = _doc(
        "Most XML elements (or JSON objects and arrays) in one record; a bigger one is quarantined before "
        "mapping.", 10_000)
    max_record_triples: int = _doc(
        "Most triples one mapped record may have; a bigger one is quarantined before SHACL validation.", 20_000)

    # -- [sparql] and [api]: what one request may ask of the public endpoints (docs/security.md) ---------
    # In oogst.toml as tables (``[sparql]`` ``max_depth = 64`` is the setting sparql_max_depth);
    # in the environment as OOGST_SPARQL_MAX_DEPTH, lists comma-separated.
    sparql_max_chars: int = _doc("Longest SPARQL query, in characters (0: no limit); longer ones get 400.", 100_000)
    sparql_max_depth: int = _doc(
        "Deepest nesting of ( { [ in a SPARQL query (0: no limit); deeper ones get 400 before the engine, whose "
        "parser overflows its stack on a few thousand.", 64)
    sparql_max_operators: int = _doc(
        "Most operators and clauses (UNION, OPTIONAL, FILTER, BIND, ||, +, / …) in a SPARQL query (0: no limit).",
        1_000)
    sparql_max_triple_patterns: int = _doc(
        "Most triple patterns in a SPARQL query, counted as the parser expands them (0: no limit): the planner "
        "takes seconds on a few hundred.", 100)
    sparql_service_allow: tuple = _doc(
        "SPARQL endpoints a query may call with SERVICE (exact IRIs); empty: SERVICE is refused with 400.", ())
    sparql_workers: int = _doc(
        "Worker processes that run the public SPARQL queries on the embedded store, each killed at query_timeout "
        "and replaced (0: twice the CPUs, from 8 to 16: idle ones cost little, and short queries find one free while "
        "long ones run; the workers run below the server's priority).", 0)
    sparql_long_after: float = _doc(
        "Seconds after which a public SPARQL query counts as long: it goes on only while fewer than "
        "sparql_long_queries others do, else it is stopped with 503 (0: no long lane).", 0.5)
    sparql_long_queries: int = _doc(
        "Long SPARQL queries that may run at once, so that short ones always find a worker "
        "(0: half the workers, at least 1).", 0)
    sparql_client_slots: int = _doc(
        "SPARQL queries one client (an API token, else an address) may run at once; more get 429 with "
        "Retry-After (0: half the workers, at least 1).", 0)
    api_max_body: int = _doc("Largest request body in bytes, on every route (SPARQL POSTs included); larger "
                             "ones get 413.", 1_048_576)

    # -- the operator's night (issue 13: schedules, history, alerts, metrics, backups) ----------
    # In oogst.toml a table ``[alerts]`` with ``webhook = …`` is the setting ``alerts_webhook``.
    timezone: str = _doc("The operator's time zone (IANA name): feed schedules are wall-clock times in it.",
                         "Europe/Brussels")
    drop_share: float = _doc(
        "A run is flagged as a count drop when the partner delivered this share fewer records (0.5 = 50%) than "
        "the median of the feed's previous complete runs of the same mode.", 0.5)
    drop_runs: int = _doc("How many previous complete runs the count-drop check takes the median of.", 5)
    drop_min: int = _doc("The count-drop check applies only when that median is at least this many records.", 20)
    alerts_webhook: str = _doc(
        "URL that receives a JSON POST when a run fails, its count drops, a feed becomes failing or a run "
        "quarantines at least alerts_quarantined records (empty: no webhook).", "")
    alerts_quarantined: int = _doc("New quarantined records in one run from which an alert is sent.", 50)
    alerts_timeout: float = _doc("Seconds a webhook or mail server may take before the alert is logged as lost.",
                                 10.0)
    alerts_smtp_host: str = _doc(
        "Mail server for alerts (empty: no mail). Its account, if any, comes from $OOGST_SMTP_USER and "
        "$OOGST_SMTP_PASSWORD only.", "")
    alerts_smtp_port: int = _doc("Port of the mail server for alerts.", 25)
    alerts_smtp_starttls: bool = _doc("Switch the mail connection to TLS (STARTTLS) before sending.", False)
    alerts_mail_from: str = _doc("Sender address of alert mails.", "oogst@localhost")
    alerts_mail_to: str = _doc("The operator's address(es) for alert mails, comma-separated (partners get "
                               "their feed's `contact`).", "")

    @property
    def dumps_path(self) -> Path:
        """The dumps (`oogst dump`): N-Quads and JSON-LD, whole and per feed, with a manifest."""
        return self.data_dir / "dumps"

    def __post_init__(self) -> None:
        if not isinstance(self.data_dir, Path):  # Settings(data_dir="…") from Python code
            object.__setattr__(self, "data_dir", Path(self.data_dir))
        if self.state and not self.shared_state:
            raise ConfigError("setting state is not a PostgreSQL URL (not shown: it may hold a password)",
                              hint="leave it empty (SQLite in the data dir) or give postgresql://user@host:5432/db")
        if self.queue and not self.queue.startswith(("redis://", "rediss://", "unix://")):
            raise ConfigError("setting queue is not a Redis URL", hint="redis://host:6379/0")
        for f in fields(self):  # made in Python code too: the same ranges
            if type(f.default) in (int, float) and not isinstance(getattr(self, f.name), bool):
                problem = _range_error(f.name, getattr(self, f.name), f.metadata.get("bounds") or {})
                if problem:
                    raise ConfigError(f"setting {f.name} = {getattr(self, f.name)!r} is out of range: it must be "
                                      f"{problem}", hint="see `oogst settings`")
        for network in self.allowed_private_networks:  # the outbound policy's allow-list
            try:
                ipaddress.ip_network(str(network).strip(), strict=False)
            except ValueError:
                raise ConfigError(f"setting allowed_private_networks: {network!r} is not an IP range",
                                  hint='give CIDR ranges, e.g. ["127.0.0.0/8", "10.1.0.0/16"]') from None

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
    def system_on_server(self) -> bool:
        """The records go to a SPARQL server: the system graphs go there too, in their
        ``_system`` graphs, so that every machine writes and reads the same ones."""
        return bool(self.store) and not self.store.startswith("oxigraph://")

    @property
    def system_store_url(self) -> str:
        return self.store if self.system_on_server else f"oxigraph://{self.system_path.resolve()}"

    @property
    def shared_state(self) -> bool:
        """The state is in PostgreSQL (``state``), shared by several machines."""
        return self.state.startswith(("postgresql://", "postgres://"))

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
            except UnicodeDecodeError as exc:
                raise ConfigError(f"{config_file} is not UTF-8 text (byte {exc.start + 1} cannot be read)",
                                  hint="save the settings file as UTF-8") from None
            except OSError as exc:
                raise ConfigError(f"cannot read the settings file {config_file}: {exc.strerror or exc}") from None
            except tomllib.TOMLDecodeError as exc:
                raise ConfigError(f"{config_file} is not valid TOML: {exc}", hint="see https://toml.io") from None
            for key, value in _flatten(file_values).items():
                if key not in origin:
                    raise ConfigError(f"{config_file}: unknown setting {key!r}", hint="see `oogst settings`")
                values[key], origin[key] = value, str(config_file)
        for f in fields(cls):
            name = f"OOGST_{f.name.upper()}"
            if name in env:
                values[f.name], origin[f.name] = env[name], f"${name}"
        for key, value in overrides.items():
            values[key], origin[key] = value, "command line"

        typed = {f.name: check_value(f.name, type(f.default), values[f.name], f.metadata.get("bounds"), origin[f.name])
                 for f in fields(cls) if f.name in values}
        return cls(**typed), origin


def _flatten(values: dict[str, Any]) -> dict[str, Any]:
    """A TOML table ``[alerts]`` with ``webhook = …`` as the setting ``alerts_webhook``."""
    flat: dict[str, Any] = {}
    for key, value in values.items():
        if isinstance(value, dict):
            flat.update({f"{key}_{k}": v for k, v in _flatten(value).items()})
        else:
            flat[key] = value
    return flat
