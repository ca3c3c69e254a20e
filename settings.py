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
from .mapping.iris import DEFAULT_BASE


def _doc(text: str, default: Any) -> Any:
    return field(default=default, metadata={"doc": text})


@dataclass(frozen=True)
class Settings:
    data_dir: Path = _doc("Folder for the store, the state database and the raw archive.", Path(".oogst"))
    store: str = _doc(
        "Where the RDF goes: 'oxigraph:///path' (default: <data_dir>/store) or a SPARQL server URL.", ""
    )
    base_iri: str = _doc("Base of every IRI that oogst mints.", DEFAULT_BASE)
    host: str = _doc("Address `oogst serve` binds to.", "127.0.0.1")
    port: int = _doc("Port `oogst serve` listens on.", 8000)
    public_url: str = _doc("Public address of the API, used in links (default: http://host:port).", "")
    http_connect_timeout: float = _doc("Seconds to wait for a partner's server to accept a connection.", 10.0)
    http_read_timeout: float = _doc("Seconds to wait for a partner's server to send data.", 60.0)
    http_retries: int = _doc("Attempts per request before a page counts as failed.", 5)
    http_backoff: float = _doc("First back-off delay in seconds; doubles per retry, with jitter.", 1.0)
    http_max_backoff: float = _doc("Longest wait between retries, also caps Retry-After.", 120.0)
    http_delay: float = _doc("Pause in seconds between two requests to the same host (politeness).", 0.0)
    user_agent: str = _doc("User-Agent sent to partners.", "oogst/0.1 (+https://github.com/oogst)")
    batch_size: int = _doc("Records mapped, validated and stored together.", 500)
    query_timeout: float = _doc("Seconds a SPARQL query may run in the API.", 30.0)
    result_limit: int = _doc("Most rows a SPARQL query returns through the API.", 100_000)
    default_language: str = _doc("Language of literals that carry none in the source.", "nl")

    # -- derived paths ---------------------------------------------------------------
    @property
    def state_path(self) -> Path:
        return self.data_dir / "state.sqlite"

    @property
    def archive_path(self) -> Path:
        return self.data_dir / "archive.sqlite"

    @property
    def store_url(self) -> str:
        return self.store or f"oxigraph://{(self.data_dir / 'store').resolve()}"

    @property
    def api_url(self) -> str:
        return (self.public_url or f"http://{self.host}:{self.port}").rstrip("/")

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
                typed[f.name] = Path(values[f.name]) if kind is Path else kind(values[f.name])
            except (TypeError, ValueError) as exc:
                raise ConfigError(
                    f"setting {f.name} = {values[f.name]!r} ({origin[f.name]}) is not a valid {kind.__name__}"
                ) from exc
        return cls(**typed), origin
