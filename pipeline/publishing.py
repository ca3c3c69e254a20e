"""What leaves oogst for re-users, by way of the event log: the LDES pages, the dumps.

- :meth:`Publishing.versions` gives the batch room the event-log entries of a batch's
  published graphs (written by the state in the same transaction as the record index).
- :meth:`Publishing.view` / :meth:`Publishing.page`: the event stream of everything, of a
  feed or of a data provider, one page at a time (``publish/ldes.py`` draws it).
- :meth:`Publishing.backfill`: an event for each record published before the log existed.
- :meth:`Publishing.dump`: N-Quads and JSON-LD dumps, whole and per feed (``publish/dumps.py``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import iris
from ..errors import NotFoundError, StoreError
from ..publish import ldes
from ..publish.dumps import DumpWriter, dump_name, read_manifest
from ..records import now

if TYPE_CHECKING:
    from .core import Oogst

log = logging.getLogger(__name__)


@dataclass
class LdesAnswer:
    """One LDES page: its validators first, the body only when it is needed."""

    etag: str
    cache_control: str
    media_type: str
    immutable: bool
    render: Callable[[], bytes]


class Publishing:
    def __init__(self, core: Oogst) -> None:
        self.core = core
        self._provider_keys: tuple[int, dict[str, str]] = (-1, {})

    # -- the event log ---------------------------------------------------------------------------
    @staticmethod
    def versions(rows: list[dict[str, Any]], graphs: dict[str, str]) -> dict[str, dict[str, Any]]:
        """The event-log entries of a batch's published graphs, by graph IRI."""
        return {r["graph_iri"]: ldes.version_of(r["graph_iri"], r.get("object_iri"), graphs[r["graph_iri"]])
                for r in rows if r["state"] == "published" and r["graph_iri"] in graphs}

    def backfill(self, progress: Callable[[int], None] | None = None) -> int:
        """Events for the records published before the event log existed (a data dir from
        before it): each gets one version, its graph as the store holds it now."""
        state, store = self.core.state, self.core.store
        if not state.events_backfill_pending():
            return 0
        count, after = 0, None
        while rows := state.list_records(state="published", after=after, limit=500):
            after = rows[-1]["record_id"]
            graphs = {}
            for row in rows:
                body = store.graph(row["graph_iri"], "ntriples")
                if body is not None:
                    graphs[row["graph_iri"]] = body.decode("utf-8")
            count += state.backfill_events([{**r, "state": "published"} for r in rows if r["graph_iri"] in graphs],
                                           self.versions([{**r, "state": "published"} for r in rows], graphs))
            if progress:
                progress(count)
        state.backfill_events([], {}, done=True)
        log.info("event log: %d record(s) published before it got their event", count)
        return count

    # -- the stream ------------------------------------------------------------------------------
    def view(self, kind: str, key: str | None, base_url: str) -> ldes.View:
        """The stream of everything (``all``), of a feed (``feed``, its name) or of a data
        provider (``provider``, its key as in the URL); NotFoundError for an unknown one."""
        settings, base = self.core.settings, base_url.rstrip("/")
        whole = iris.stream_iri(settings.base_iri)
        if kind == "all":
            return ldes.View("all", None, f"{base}/ldes", whole, "oogst: every published record, as versions")
        if kind == "feed":
            if key not in {f.name for f in self.core.state.list_feeds()} and not self.core.state.event_count("feed", key):
                raise NotFoundError(f"no feed named {key!r}", feed=key, hint="the feeds are listed at /ldes/feeds")
            return ldes.View("feed", key, f"{base}/ldes/feeds/{key}", iris.stream_iri(settings.base_iri, "feed", key),
                             f"oogst: the records of feed {key}, as versions", whole)
        if kind == "provider":
            providers = self._providers()
            if key not in providers:
                raise NotFoundError(f"no data provider {key!r} in the event stream",
                                    hint="the data providers are listed at /ldes/providers")
            return ldes.View("provider", providers[key], f"{base}/ldes/providers/{key}",
                             iris.stream_iri(settings.base_iri, "provider", key),
                             f"oogst: the records of data provider {providers[key]}, as versions", whole)
        raise NotFoundError(f"no event stream of kind {kind!r}")

    def _providers(self) -> dict[str, str]:
        """Provider key → keeper IRI, read again only when the log has grown."""
        total = self.core.state.event_count()
        if self._provider_keys[0] != total:
            self._provider_keys = (total, {iris.provider_key(p): p for p in self.core.state.event_views()["provider"]})
        return self._provider_keys[1]

    def views(self, base_url: str) -> dict[str, list[dict[str, Any]]]:
        """Every view with its URL, event count and last event time."""
        base = base_url.rstrip("/")
        found = self.core.state.event_views()
        return {
            "feeds": [{"name": name, "url": f"{base}/ldes/feeds/{name}", **info}
                      for name, info in sorted(found["feed"].items())],
            "providers": [{"iri": iri, "key": iris.provider_key(iri), "url": f"{base}/ldes/providers/"
                           f"{iris.provider_key(iri)}", **info} for iri, info in sorted(found["provider"].items())],
        }

    def tree(self, view: ldes.View) -> ldes.Tree:
        settings = self.core.settings
        return ldes.Tree(self.core.state.event_count(view.kind, view.key), max(1, settings.ldes_page_size),
                         max(2, settings.ldes_fanout))

    def page(self, view: ldes.View, node: tuple[int, int] | None, fmt: str, *, compact: ldes.Compact | None = None,
             context_url: str | None = None) -> LdesAnswer:
        """The root (``node`` None) or node (level, index) of ``view`` in ``fmt``."""
        tree = self.tree(view)
        if node is not None and not tree.exists(*node):
            raise NotFoundError(f"the event stream has no page {node[0]}-{node[1]}",
                                hint=f"start at {view.url}; the stream holds {tree.total} member(s)")
        immutable = node is not None and tree.complete(*node)

        def render() -> bytes:
            return ldes.serialise(self._page(view, node, tree), fmt, compact, context_url)

        return LdesAnswer(ldes.etag(view, node, tree, fmt), ldes.IMMUTABLE if immutable else ldes.MUTABLE,
                          ldes.FORMATS[fmt], immutable, render)

    def _page(self, view: ldes.View, node: tuple[int, int] | None, tree: ldes.Tree) -> ldes.Page:
        state = self.core.state
        url = view.url if node is None else ldes.node_url(view, *node)
        page = ldes.Page(view, node, url, tree, shape=f"{view.url.split('/ldes')[0]}/ldes/shape#Member",
                         base_iri=self.core.settings.base_iri)
        children = tree.children(*(node or (None, 0)))
        wanted = tree.bounds(children) + ([1] if node is None and tree.total else [])
        times = state.event_times(view.kind, view.key, wanted) if wanted else {}
        page.first_time = times.get(1) if node is None else None
        for level, index in children:
            first, last = tree.first(level, index), tree.last(level, index)
            page.relations.append({"url": ldes.node_url(view, level, index), "from": times.get(first),
                                   "until": times.get(last + 1), "items": min(last, tree.total) - first + 1})
        if node is not None and node[0] == 0:
            page.members = state.events(view.kind, view.key, tree.first(*node), min(tree.last(*node), tree.total))
        return page

    def member_shape(self) -> str:
        return ldes.MEMBER_SHAPE

    # -- dumps ---------------------------------------------------------------------------------
    def dump(self, progress: Callable[[str, int], None] | None = None) -> list[dict[str, Any]]:
        """Write the dumps (whole and per feed, N-Quads and JSON-LD) and their manifest."""
        core = self.core
        self.backfill()
        writer = DumpWriter(core.settings.dumps_path)
        created = now()
        try:
            for feed in core.state.list_feeds():
                writer.start_feed(feed.name)
                after, done = None, 0
                while rows := core.state.list_records(state="published", feed=feed.name, after=after, limit=500):
                    after = rows[-1]["record_id"]
                    for row in rows:
                        body = core.store.graph(row["graph_iri"], "ntriples")
                        if body is None:  # withdrawn while the dump was being written
                            continue
                        writer.add(row["graph_iri"], body.decode("utf-8"))
                        done += 1
                    if progress:
                        progress(feed.name, done)
                writer.end_feed(created)
            return writer.finish(created)
        except BaseException:
            writer.abort()
            raise

    def dumps(self) -> dict[str, Any]:
        """The manifest of the last dump: ``created`` and ``dumps`` (name, feed, format, bytes, sha256 …)."""
        return read_manifest(self.core.settings.dumps_path)

    def dump_file(self, name: str) -> tuple[Path, dict[str, Any]]:
        """The file and manifest entry of dump ``name``; NotFoundError when there is none."""
        entry = next((d for d in self.dumps()["dumps"] if d["name"] == name), None)
        path = self.core.settings.dumps_path / name
        if entry is None or not path.is_file():
            raise NotFoundError(f"no dump named {name!r}", hint="the dumps are listed at /dumps; "
                                "`oogst dump` writes them")
        return path, entry

    def dump_age(self) -> float | None:
        """Hours since the last dump (None: never dumped)."""
        created = self.dumps().get("created")
        if not created:
            return None
        try:
            moment = datetime.fromisoformat(created)
        except ValueError:
            return None
        return (datetime.now(UTC) - moment).total_seconds() / 3600

    def stats(self) -> dict[str, Any]:
        try:
            return {**self.core.state.event_stats(), "dumps": self.dumps()}
        except StoreError:
            return {}


__all__ = ["LdesAnswer", "Publishing", "dump_name"]
