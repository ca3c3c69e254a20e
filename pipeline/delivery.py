"""Delivery to Europeana, composed: a feed's delivery settings, what the record index keeps of
each published record (EDM readiness, data provider, tiers), the zip export with its
pre-flight check, the media check, and the tier figures (``publish/`` does the work).

When a record is published, the batch room calls :meth:`Delivery.describe`: one crosswalk of
the graph it has in hand (about 0.3 ms a record, setting ``edm_at_publish``) tells whether it
can be EDM, who its data provider is (its OAI-PMH set) and its tiers. What is not known —
a data dir of an older version, ``edm_at_publish = false``, a feed whose delivery settings or
media information changed — is worked out by :meth:`Delivery.ensure` before anything reads
it (the OAI-PMH lists, the tier figures), so the lists and their counts always agree.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
import threading
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import ConfigError, NotFoundError, StoreError
from ..publish.delivery import export_feed, media_urls, summarise
from ..publish.edm import crosswalk, export
from ..publish.edm_check import EdmValidator
from ..publish.europeana import LANGUAGES, DeliverySettings, europeana_id
from ..publish.media import probe
from ..publish.tiers import GAPS, MediaInfo, content_tier, metadata_tier
from ..records import Feed

if TYPE_CHECKING:
    from .core import Oogst
    from ..publish.ntgraph import Graph

log = logging.getLogger(__name__)

Progress = Callable[[int, int | None], None]
_MEDIA_FIELDS = ("mime", "width", "height", "size", "available")


def _message(pair: tuple[str, str]) -> dict[str, str]:
    return {"nl": pair[0], "en": pair[1]}


class _MediaLookup(Mapping[str, MediaInfo]):
    """The media check's findings, read from the state one URL at a time (a feed's export
    does not hold them all in memory)."""

    def __init__(self, state: Any) -> None:
        self.state = state

    def __getitem__(self, url: str) -> MediaInfo:
        found = self.state.get_media([url]).get(url)
        if found is None:
            raise KeyError(url)
        return MediaInfo(**{k: found.get(k) for k in _MEDIA_FIELDS})

    def __iter__(self) -> Iterator[str]:
        return iter(())

    def __len__(self) -> int:  # never empty: `media or {}` keeps the lookup
        return 1


class Delivery:
    def __init__(self, core: Oogst) -> None:
        self.core = core
        self._settings: dict[str, tuple[str, DeliverySettings]] = {}
        self._fill = threading.Lock()  # one process-wide filler of the delivery columns
        self._validator: EdmValidator | None = None
        self._warned: set[str] = set()

    # -- settings --------------------------------------------------------------------------------
    def config(self, feed: Feed, delivery: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """A feed's delivery settings: the defaults (settings ``edm_provider`` and
        ``edm_intermediate_provider``, country Belgium, the language of the feed's profile)
        overridden by its own (``feed.delivery``, or ``delivery``)."""
        settings = self.core.settings
        language = str(feed.profile.get("language") or settings.default_language)
        base: dict[str, Any] = {"provider": settings.edm_provider, "country": "Belgium",
                                "language": language if language in LANGUAGES else "mul"}
        if settings.edm_intermediate_provider:
            base["intermediate_provider"] = settings.edm_intermediate_provider
        return {**base, **(feed.delivery if delivery is None else delivery)}

    def settings_of(self, feed: Feed) -> DeliverySettings:
        """The feed's checked :class:`DeliverySettings` (a ConfigError names what to fix)."""
        config = self.config(feed)
        key = json.dumps(config, sort_keys=True, default=str)
        cached = self._settings.get(feed.name)
        if cached is None or cached[0] != key:
            cached = (key, DeliverySettings.from_config(config, feed=feed.name))
            self._settings[feed.name] = cached
        return cached[1]

    def settings_for(self, name: str) -> DeliverySettings:
        return self.settings_of(self.core.state.get_feed(name))

    def check(self, feed: Feed, delivery: Mapping[str, Any]) -> dict[str, Any]:
        """A feed's new delivery settings, without empty values, checked before they are kept."""
        if not isinstance(delivery, Mapping):
            raise ConfigError("delivery settings are a table of KEY = VALUE", feed=feed.name)
        cleaned = {k: v for k, v in delivery.items() if v is not None and v != ""}
        DeliverySettings.from_config(self.config(feed, cleaned), feed=feed.name)
        return cleaned

    def describe_settings(self, name: str) -> dict[str, Any]:
        """The feed's delivery settings with where each comes from (the feed or the defaults)."""
        feed = self.core.state.get_feed(name)
        config = self.config(feed)
        return {"feed": name, "settings": config,
                "origin": {k: "feed" if k in feed.delivery else "default" for k in config}}

    def _warn(self, feed: str, exc: Exception) -> None:
        if feed not in self._warned:
            self._warned.add(feed)
            log.warning("feed %s: its records' EDM and tiers are not worked out: %s", feed, exc)

    # -- what the record index keeps --------------------------------------------------------------
    def at_publish(self, feed: Feed) -> DeliverySettings | None:
        """The feed's delivery settings when its records' delivery columns are worked out as
        they are published (``edm_at_publish``, and settings that hold), else None."""
        if not self.core.settings.edm_at_publish:
            return None
        try:
            return self.settings_of(feed)
        except ConfigError as exc:
            self._warn(feed.name, exc)
            return None

    def apply(self, rows: list[dict[str, Any]], summaries: list[tuple[dict[str, Any], list[str]]],
              graphs: Mapping[str, str | bytes], settings: DeliverySettings) -> None:
        """Add the delivery columns that :func:`summary_of` worked out without media
        information (in a mapping worker) to the published ``rows``; a record with media
        information in the state is worked out again with it."""
        urls = [u for _, found in summaries for u in found]
        media = self.media(urls) if urls else {}
        for row, (summary, found) in zip(rows, summaries):
            if any(u in media for u in found):
                summary = summary_of(graphs.get(row["graph_iri"]), settings, row["record_id"], media)[0]
            row.update(summary)

    def _summarise(self, rows: list[dict[str, Any]], texts: list[str | bytes | None],
                   settings: DeliverySettings) -> None:
        results = [_crosswalk(text, settings, row["record_id"]) for row, text in zip(rows, texts)]
        media = self.media([u for r in results if r is not None for u in media_urls(r.record)])
        for row, result in zip(rows, results):
            row.update(_summary(result, media))

    def media(self, urls: list[str]) -> dict[str, MediaInfo]:
        """What the media check found of ``urls``."""
        return {url: MediaInfo(**{k: found.get(k) for k in _MEDIA_FIELDS})
                for url, found in self.core.state.get_media(urls).items()}

    def ensure(self, name: str | None = None, progress: Progress | None = None) -> int:
        """Work out the delivery columns of the published records that lack them (of feed
        ``name``, or of every feed); returns how many were written. Needs the store."""
        state = self.core.state
        if not state.delivery_stale(name, limit=1):
            return 0
        done = 0
        with self._fill:
            for feed in [state.get_feed(name)] if name else state.list_feeds():
                try:
                    settings = self.settings_of(feed)
                except ConfigError as exc:
                    self._warn(feed.name, exc)
                    continue
                while rows := state.delivery_stale(feed.name, limit=500):
                    texts = [self.core.store.graph(r["graph_iri"], "ntriples") for r in rows]
                    self._summarise(rows, texts, settings)
                    written = state.set_delivery(rows)
                    done += written
                    if progress:
                        progress(done, None)
                    if not written:  # all changed meanwhile: their new versions carry their own
                        break
        if done:
            log.info("worked out the EDM readiness and tiers of %d record(s)", done)
        return done

    def changed(self, name: str, *, touch: bool) -> int:
        """Feed ``name``'s delivery settings (``touch``: its EDM changes) or media changed."""
        return self.core.state.mark_delivery_stale(name, touch=touch)

    # -- one record ----------------------------------------------------------------------------------
    def _published(self, record_id: str) -> dict[str, Any]:
        record = self.core.find_record(record_id)
        if record is None or not record["published"]:
            state = "unknown" if record is None else record["state"]
            raise NotFoundError(f"record {record_id!r} is not published ({state})", record=record_id,
                                hint="GET /records lists the published records")
        return record

    def record_edm(self, record: dict[str, Any]) -> dict[str, Any]:
        """A published record as EDM RDF/XML (``xml``), or why it cannot be (``reasons``, nl/en)."""
        settings = self.settings_for(record["feed"])
        result = export(self.core.record_graph(record, "ntriples"), settings)
        reasons = [{"rule": f.rule, **_message((f.message_nl, f.message_en))}
                   for f in result.findings if f.severity == "violation"]
        return {"xml": result.xml, "reasons": reasons}

    def record_tiers(self, record_id: str) -> dict[str, Any]:
        """One published record's EDM readiness and tiers, with the next steps (nl/en)."""
        record = self._published(record_id)
        settings = self.settings_for(record["feed"])
        result = crosswalk(self.core.record_graph(record, "ntriples"), settings, strict=False)
        refused = [{"rule": f.rule, **_message((f.message_nl, f.message_en))}
                   for f in result.findings if f.severity == "violation"]
        out: dict[str, Any] = {"id": record["record_id"], "feed": record["feed"],
                               "edm": {"ready": not refused and result.record is not None, "reasons": refused,
                                       "europeana_id": europeana_id(settings.dataset_id, result.source)
                                       if settings.dataset_id and result.source else None},
                               "metadata": None, "content": None}
        if result.record is not None:
            m = metadata_tier(result.record)
            c = content_tier(result.record, self.media(media_urls(result.record)))
            out["metadata"] = {"tier": m.tier, "language": m.language, "enabling": m.enabling,
                               "contextual": m.contextual, "language_share": round(m.language_share, 3),
                               "elements": m.elements, "classes": m.classes,
                               "next_steps": [_message(s) for s in m.next_steps]}
            out["content"] = {"tier": c.tier, "ceiling": c.ceiling, "known": c.known, "type": c.edm_type,
                              "licence": c.licence, "licence_cap": c.licence_cap,
                              "reasons": [_message(s) for s in c.reasons],
                              "next_steps": [_message(s) for s in c.next_steps]}
        return out

    def graph_tiers(self, ntriples: str | bytes, feed: Feed) -> dict[str, Any]:
        """The tiers of a graph at hand (for the pages): ``ok``, ``metadata`` (0/A/B/C),
        ``content`` and ``content_ceiling`` (0–4), ``steps`` (nl, en) to the next tier; or
        ``ok`` False with the ``reasons`` (nl, en) it cannot become EDM. Never raises."""
        try:
            result = crosswalk(ntriples, self.settings_of(feed), strict=False)
        except Exception as exc:  # noqa: BLE001 - a tier is a hint on a page: never an error there
            log.warning("tiers of a record of %s: %s", feed.name, exc)
            message = getattr(exc, "message", None) or str(exc)
            return {"ok": False, "reasons": [(message, message)]}
        if result.record is None:
            return {"ok": False, "reasons": [(f.message_nl, f.message_en) for f in result.findings
                                             if f.severity == "violation"][:3]}
        meta = metadata_tier(result.record)
        content = content_tier(result.record, self.media(media_urls(result.record)))
        return {"ok": True, "metadata": meta.tier, "content": content.tier, "content_ceiling": content.ceiling,
                "steps": [*content.next_steps, *meta.next_steps][:4]}

    def graph_edm(self, ntriples: str | bytes, feed: Feed) -> str | None:
        """A graph at hand as EDM RDF/XML, or None when it cannot become EDM. Never raises."""
        try:
            result = export(ntriples, self.settings_of(feed))
        except Exception:  # noqa: BLE001 - a view on a page: never an error there
            log.warning("EDM of a record of %s failed", feed.name, exc_info=True)
            return None
        return result.xml.decode("utf-8") if result.xml else None

    # -- one feed ----------------------------------------------------------------------------------------
    def tiers(self, name: str) -> dict[str, Any]:
        """Feed ``name``'s published records by EDM readiness and tier, with the commonest
        gaps to the next tier and the commonest reasons a record is no EDM (nl/en)."""
        self.core.state.get_feed(name)
        note = None
        try:
            self.ensure(name)
        except StoreError as exc:  # the store is busy (a running `oogst serve`): say so, count what is known
            note = f"not every record's tiers are known yet: {exc.message}"
        summary = self.core.state.tier_summary(name)
        summary["content"] = {str(k): summary["content"].get(str(k), 0) for k in range(5)}
        summary["content_ceiling"] = {str(k): summary["content_ceiling"].get(str(k), 0) for k in range(5)}
        summary["metadata"] = {k: summary["metadata"].get(k, 0) for k in ("0", "A", "B", "C")}
        summary["gaps"] = [{**g, "tier": g["code"].split("-")[0], **_message(GAPS.get(g["code"], (g["code"],) * 2))}
                           for g in summary["gaps"]]
        summary["refused"] = [{"rule": r["rule"], "records": r["records"], "example": r["example"],
                               "nl": r["finding"].get("nl"), "en": r["finding"].get("en")} for r in summary["refused"]]
        return {"feed": name, **summary, "note": note}

    def _records(self, name: str, progress: Progress | None = None) -> Iterator[tuple[str, bytes]]:
        """(record id, N-Triples) of feed ``name``'s published records, by record id."""
        state, store = self.core.state, self.core.store
        total, done, after = state.counts(name)["published"], 0, None
        while rows := state.list_records(state="published", feed=name, after=after, limit=500):
            for row in rows:
                body = store.graph(row["graph_iri"], "ntriples")
                if body is not None:
                    yield row["record_id"], body
            done += len(rows)
            after = rows[-1]["record_id"]
            if progress:
                progress(done, total)

    @property
    def validator(self) -> EdmValidator:
        if self._validator is None or self._validator.schemas_dir != (
                Path(self.core.settings.edm_schemas_dir) if self.core.settings.edm_schemas_dir else None):
            self._validator = EdmValidator(self.core.settings.edm_schemas_dir or None)
        return self._validator

    def export(self, name: str, out: str | Path | None = None, *, check: bool = False,
               progress: Progress | None = None) -> dict[str, Any]:
        """Feed ``name``'s published records as EDM: a zip of RDF/XML files at ``out`` (written
        whole or not at all) and the pre-flight report; ``check`` runs EDM.xsd and the schematron."""
        feed = self.core.state.get_feed(name)
        settings = self.settings_of(feed)
        validator = self.validator if check else None
        media = _MediaLookup(self.core.state)
        if out is None:
            delivery = export_feed(self._records(name, progress), settings, validator=validator, check=check,
                                   media=media)
        else:
            target = Path(out)
            if target.is_dir():
                raise ConfigError(f"{target} is a folder", feed=name, hint="give a file name, e.g. export.zip")
            target.parent.mkdir(parents=True, exist_ok=True)
            handle, temp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
            try:
                with os.fdopen(handle, "wb") as file:
                    delivery = export_feed(self._records(name, progress), settings, out=file, validator=validator,
                                           check=check, media=media)
                os.replace(temp, target)
            except BaseException:
                Path(temp).unlink(missing_ok=True)
                raise
        return {"feed": name, "out": str(out) if out is not None else None, "checked": check,
                "settings": self.config(feed), **delivery.as_dict()}

    def media_check(self, name: str, *, limit: int | None = None, recheck: bool = False,
                    progress: Progress | None = None) -> dict[str, Any]:
        """Ask the partner's servers for the first bytes of feed ``name``'s media files (a ranged
        GET through the polite HTTP client): media type, size and image dimensions, kept per
        URL; then the feed's content tiers are worked out again with them."""
        feed = self.core.state.get_feed(name)
        settings = self.settings_of(feed)
        urls: dict[str, None] = {}
        for _, ntriples in self._records(name):
            record = crosswalk(ntriples, settings, strict=False).record
            if record is not None:
                agg = record.aggregation
                for url in (*agg.get("edm:isShownBy", ()), *agg.get("edm:hasView", ())):
                    if isinstance(url, str) and url.startswith(("http://", "https://")):
                        urls.setdefault(url)
        known = {} if recheck else self.core.state.get_media(list(urls))
        todo = [u for u in urls if u not in known][:limit]
        counts = {"feed": name, "urls": len(urls), "known": len(known), "checked": 0, "available": 0,
                  "unavailable": 0, "with_dimensions": 0}
        found: dict[str, dict[str, Any]] = {}

        def fetch(url: str, max_bytes: int) -> tuple[int, Mapping[str, str], bytes]:
            resp = self.core.http.get(url, headers={"Range": f"bytes=0-{max_bytes - 1}"}, max_bytes=max_bytes,
                                      feed=name)
            return resp.status_code, resp.headers, resp.content

        for n, url in enumerate(todo, 1):
            info = probe(url, fetch)
            found[url] = {k: getattr(info, k) for k in _MEDIA_FIELDS}
            counts["checked"] += 1
            counts["available" if info.available else "unavailable"] += 1
            counts["with_dimensions"] += info.pixels is not None
            if len(found) >= 50 or n == len(todo):
                self.core.state.put_media(found)
                found = {}
            if progress:
                progress(n, len(todo))
        if counts["checked"]:
            self.changed(name, touch=False)
            self.ensure(name)
        return counts


# -- one record's delivery columns (also in the mapping workers) ---------------------------------
def summary_of(text: str | bytes | Graph | None, settings: DeliverySettings, name: str,
               media: Mapping[str, MediaInfo] | None = None) -> tuple[dict[str, Any], list[str]]:
    """The delivery columns of one published graph, and the URLs whose media information
    would change them."""
    result = _crosswalk(text, settings, name)
    return _summary(result, media or {}), media_urls(result.record) if result is not None else []


def _crosswalk(text: str | bytes | None, settings: DeliverySettings, name: str) -> Any:
    try:
        return crosswalk(text, settings, strict=False) if text is not None else None
    except Exception:  # noqa: BLE001 - one record's crosswalk never stops a run
        log.exception("record %s: the EDM crosswalk failed", name)
        return None


def _summary(result: Any, media: Mapping[str, MediaInfo]) -> dict[str, Any]:
    if result is None:
        return {"edm": 0, "provider": None, "provider_set": None, "tiers": {"refused": [
            {"rule": "edm:no-graph", "nl": "De graaf van het record kon niet gelezen worden.",
             "en": "The record's graph could not be read."}]}}
    return summarise(result, media)
