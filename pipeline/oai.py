"""The OAI-PMH provider at ``/oai``: :class:`StateRecordSource`, the record index and the store
seen as the :class:`~oogst.publish.oai_source.RecordSource` that the protocol code
(``publish/oai_provider.py``) serves.

- The items are the records that were ever published: live while published, a deleted header
  once withdrawn (``deletedRecord=persistent``); a record quarantined and never published is
  never announced.
- Identifiers are ``oai:{repository}:{record id}``, the repository being the host of
  ``base_iri``; the datestamp is the record index's ``updated_at`` (UTC, seconds).
- Sets: ``feed:{feed}`` and ``provider:{slug}`` (the data provider, kept in the record index
  when the record is published), under ``feed`` and ``provider``.
- Metadata: the record's graph from the store, rendered as ``edm`` (only records that can be
  valid EDM are listed in it), ``oai_dc`` (every record) or ``oslo``.

The lists are keyset-paged in SQL on (updated_at, record id) with counts from the same
predicate, and tokens carry their position, so they survive a restart of the server.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from ..errors import ConfigError, NotFoundError, StoreError
from ..publish.oai_provider import OaiProvider
from ..publish.oai_source import OaiHeader, OaiSet, Renderer

if TYPE_CHECKING:
    from .core import Oogst

log = logging.getLogger(__name__)

# The oai-identifier guidelines' repositoryIdentifier: a domain name with at least one dot.
_REPOSITORY = re.compile(r"[a-zA-Z][a-zA-Z0-9\-]*(\.[a-zA-Z][a-zA-Z0-9\-]*)+")


def repository_identifier(base_iri: str) -> str:
    """The host of ``base_iri`` when it is a domain name, else ``oogst.local``."""
    host = urlsplit(base_iri).hostname or ""
    if _REPOSITORY.fullmatch(host):
        return host
    log.warning("the host of base_iri %r is no domain name; OAI-PMH identifiers use 'oogst.local'", base_iri)
    return "oogst.local"


class StateRecordSource:
    """A RecordSource over the core's state (the record index) and store."""

    def __init__(self, core: Oogst, repository: str) -> None:
        self.core = core
        self.prefix = f"oai:{repository}:"
        self.renderer = Renderer(core.delivery.settings_for)

    def _header(self, row: dict[str, Any]) -> OaiHeader:
        sets = (f"feed:{row['feed']}",) + ((f"provider:{row['provider_set']}",) if row["provider_set"] else ())
        return OaiHeader(self.prefix + row["record_id"], row["updated_at"], sets, not row["published"])

    def _ensure(self) -> None:
        """Work out the delivery columns that are not known yet, before they are read."""
        try:
            self.core.delivery.ensure()
        except (StoreError, ConfigError) as exc:
            log.warning("OAI-PMH: not every record's EDM readiness is known: %s", exc)

    @staticmethod
    def _scope(set_spec: str | None) -> dict[str, Any] | None:
        """The record-index filter of a set, or None for a set that holds nothing."""
        if set_spec is None or set_spec == "feed":
            return {}
        if set_spec == "provider":
            return {"any_provider": True}
        kind, _, value = set_spec.partition(":")
        if value and ":" not in value and kind in ("feed", "provider"):
            return {kind: value}
        return None

    def _local(self, after: tuple[str, str] | None) -> tuple[str, str] | None:
        if after is None:
            return None
        datestamp, identifier = after
        return datestamp, identifier[len(self.prefix):] if identifier.startswith(self.prefix) else identifier

    # -- RecordSource ---------------------------------------------------------------------------
    def earliest_datestamp(self) -> str | None:
        return self.core.state.oai_earliest()

    def sets(self) -> Sequence[OaiSet]:
        self._ensure()
        feeds, providers = self.core.state.oai_sets()
        out = [OaiSet("feed", "Feeds")] if feeds else []
        out += [OaiSet(f"feed:{name}", self._feed_title(name)) for name in feeds]
        if providers:
            out.append(OaiSet("provider", "Data providers"))
            out += [OaiSet(f"provider:{slug}", name) for slug, name in providers]
        return out

    def _feed_title(self, name: str) -> str:
        try:
            feed = self.core.state.get_feed(name)
        except NotFoundError:
            return name
        provider = feed.profile.get("provider")
        named = provider.get("name") if isinstance(provider, dict) else feed.profile.get("provider_name")
        return str(feed.owner or named or name)

    def headers(self, prefix: str, start: str | None, until: str | None, set_spec: str | None,
                after: tuple[str, str] | None, limit: int) -> Sequence[OaiHeader]:
        scope = self._scope(set_spec)
        if scope is None:
            return []
        self._ensure()
        rows = self.core.state.oai_records(edm=prefix == "edm", start=start, until=until, after=self._local(after),
                                           limit=limit, **scope)
        return [self._header(r) for r in rows]

    def count(self, prefix: str, start: str | None, until: str | None, set_spec: str | None) -> int:
        scope = self._scope(set_spec)
        if scope is None:
            return 0
        self._ensure()
        return self.core.state.oai_count(edm=prefix == "edm", start=start, until=until, **scope)

    def _row(self, identifier: str) -> dict[str, Any] | None:
        if not identifier.startswith(self.prefix):
            return None
        row = self.core.state.find_record(identifier[len(self.prefix):])
        return row if row is not None and row["ever_published"] else None

    def header(self, identifier: str) -> OaiHeader | None:
        row = self._row(identifier)
        return self._header(row) if row else None

    def metadata(self, identifier: str, prefix: str) -> bytes | None:
        row = self._row(identifier)
        if row is None or not row["published"]:
            return None
        if prefix == "edm":
            if row["edm"] is None:
                self._ensure()
                row = self._row(identifier) or row
            if row["edm"] != 1:
                return None
        ntriples = self.core.store.graph(row["graph_iri"], "ntriples")
        if ntriples is None:
            return None
        try:
            return self.renderer.render(prefix, ntriples, row["feed"])
        except ConfigError as exc:
            log.warning("OAI-PMH: %s cannot be rendered as %s: %s", identifier, prefix, exc)
            return None


class OaiService:
    """The provider over the core, built once per core from the settings."""

    def __init__(self, core: Oogst) -> None:
        settings = core.settings
        repository = repository_identifier(settings.base_iri)
        email = settings.oai_admin_email or f"oai@{repository}"
        self.source = StateRecordSource(core, repository)
        self.provider = OaiProvider(self.source, repository_name=settings.oai_repository_name, admin_emails=[email],
                                    repository_identifier=repository, page_size=max(1, settings.oai_page_size),
                                    identifiers_page_size=max(1, settings.oai_identifiers_page_size))

    def handle(self, pairs: Iterable[tuple[str, str]], base_url: str) -> tuple[int, dict[str, str], bytes]:
        return self.provider.handle(list(pairs), base_url)
