"""RDF stores, looked up by the scheme of the ``store`` setting.

``oxigraph:///path`` is the embedded default (pyoxigraph on disk); later schemes add any
SPARQL 1.1 server. Built-ins register here like any other store would.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

from ..errors import ConfigError
from .base import GRAPH_FORMATS, SOLUTION_FORMATS, QueryResult, Store

_OPENERS: dict[str, Callable[[str], Store]] = {}


def register(scheme: str, opener: Callable[[str], Store]) -> None:
    if scheme in _OPENERS:
        raise ConfigError(f"store scheme {scheme!r} is registered twice")
    _OPENERS[scheme] = opener


def schemes() -> list[str]:
    return sorted(_OPENERS)


def open_store(url: str) -> Store:
    scheme = urlsplit(url).scheme
    if scheme not in _OPENERS:
        raise ConfigError(
            f"unknown store {url!r}", hint=f"use one of: {', '.join(s + '://…' for s in schemes())}"
        )
    return _OPENERS[scheme](url)


def _open_embedded(url: str) -> Store:
    from .embedded import EmbeddedStore

    path = urlsplit(url).path
    return EmbeddedStore(path or None)


register("oxigraph", _open_embedded)

__all__ = ["GRAPH_FORMATS", "SOLUTION_FORMATS", "QueryResult", "Store", "open_store", "register", "schemes"]
