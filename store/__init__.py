"""RDF stores, looked up by the scheme of the ``store`` setting.

``oxigraph:///path`` is the embedded default (pyoxigraph on disk; ``oxigraph://`` alone is
in memory). Any SPARQL 1.1 server: ``sparql+http://…`` with explicit endpoints, or a
preset per server type, ``oxigraph+http://``, ``virtuoso+http://``, ``fuseki+http://``
(each also with ``+https``); see ``store/remote.py``. Built-ins register here like any
other store would.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

from ..errors import ConfigError, StoreError
from .base import GRAPH_FORMATS, SOLUTION_FORMATS, QueryResult, Store, StoreOptions
from .remote import SCHEMES as REMOTE_SCHEMES
from .remote import open_remote

Opener = Callable[[str, StoreOptions], Store]
_OPENERS: dict[str, Opener] = {}


def register(scheme: str, opener: Opener) -> None:
    if scheme in _OPENERS:
        raise ConfigError(f"store scheme {scheme!r} is registered twice")
    _OPENERS[scheme] = opener


def schemes() -> list[str]:
    return sorted(_OPENERS)


def open_store(url: str, options: StoreOptions | None = None) -> Store:
    """The store that ``url`` names, with ``options`` (``Settings.store_options()``)."""
    scheme = urlsplit(url).scheme
    if scheme not in _OPENERS:
        raise ConfigError(
            f"unknown store {url!r}", hint=f"use one of: {', '.join(s + '://…' for s in schemes())}"
        )
    return _OPENERS[scheme](url, options or StoreOptions())


def _open_embedded(url: str, options: StoreOptions) -> Store:
    from .embedded import EmbeddedStore

    path = urlsplit(url).path
    return EmbeddedStore(path or None, options)


def snapshot_store(url: str, options: StoreOptions | None = None) -> Store:
    """A read-only view of an embedded store for a backup, also while another process holds
    it (``EmbeddedStore.snapshot``); a server store is backed up with its own tools."""
    parts = urlsplit(url)
    if parts.scheme != "oxigraph" or not parts.path:
        raise StoreError(f"oogst backs up only its embedded store, not {url!r}", url=url,
                         hint="back up a SPARQL server with its own tools (e.g. Virtuoso's backup, "
                              "`oxigraph backup`); oogst backup still copies the state, search and archive")
    from .embedded import EmbeddedStore

    return EmbeddedStore.snapshot(parts.path, options)


register("oxigraph", _open_embedded)
for _scheme in REMOTE_SCHEMES:
    register(_scheme, open_remote)

__all__ = [
    "GRAPH_FORMATS",
    "SOLUTION_FORMATS",
    "QueryResult",
    "Store",
    "StoreOptions",
    "open_store",
    "register",
    "schemes",
    "snapshot_store",
]
