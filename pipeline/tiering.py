"""Europeana tiers for the pages: what a record (or a feed's records) would reach in the
Europeana Publishing Framework, through the EDM crosswalk (``publish/edm.py``) and the tier
rules (``publish/tiers.py``). Nothing is delivered and no media is downloaded: an image's
size is unknown, so the content tier is a range (``tier`` certain, ``ceiling`` at most).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from ..publish.edm import crosswalk, export
from ..publish.europeana import DeliverySettings
from ..publish.tiers import content_tier, dataset_tiers, metadata_tier
from ..records import Feed

if TYPE_CHECKING:
    from .core import Oogst

log = logging.getLogger(__name__)

FEED_SAMPLE = 500  # a feed's page counts the tiers of at most this many published records


def delivery(core: Oogst, feed: Feed | None) -> DeliverySettings:
    """The delivery settings of a feed as far as the tiers need them."""
    profile = feed.profile if feed else {}
    provider = profile.get("provider") if isinstance(profile.get("provider"), dict) else {}
    return DeliverySettings(provider=core.settings.public_url or "oogst",
                            data_provider=(provider or {}).get("name") or profile.get("provider_name"),
                            default_rights=profile.get("default_rights"),
                            language=profile.get("language") or core.settings.default_language)


def record_tiers(core: Oogst, ntriples: str | bytes, feed: Feed | None) -> dict[str, Any]:
    """The tiers of one record's graph: ``metadata`` (0/A/B/C), ``content`` and
    ``content_ceiling`` (0–4), ``steps`` (Dutch, English) to the next tier; or ``ok`` False
    with the ``reasons`` it cannot become EDM."""
    try:
        result = crosswalk(ntriples, delivery(core, feed), strict=False)
    except Exception as exc:  # noqa: BLE001 - a tier is a hint on a page: never an error there
        log.warning("tiers of a record of %s: %s", feed.name if feed else "?", exc)
        return {"ok": False, "reasons": [(str(exc), str(exc))]}
    if result.record is None:
        return {"ok": False, "reasons": [(f.message_nl, f.message_en) for f in result.findings
                                         if f.severity == "violation"][:3]}
    meta, content = metadata_tier(result.record), content_tier(result.record)
    return {"ok": True, "metadata": meta.tier, "content": content.tier, "content_ceiling": content.ceiling,
            "steps": [*content.next_steps, *meta.next_steps][:4]}


def feed_tiers(core: Oogst, feed: Feed, limit: int = FEED_SAMPLE) -> dict[str, Any]:
    """Counts per tier over the first ``limit`` published records of ``feed``
    (``publish.tiers.dataset_tiers``), with ``sampled`` True when there are more."""
    settings = delivery(core, feed)
    records = []
    rows = core.state.list_records(state="published", feed=feed.name, limit=limit + 1)
    for row in rows[:limit]:
        body = core.store.graph(row["graph_iri"], "ntriples")
        if body is None:
            continue
        try:
            result = crosswalk(body, settings, strict=False)
        except Exception:  # noqa: BLE001
            log.warning("tiers of %s failed", row["record_id"], exc_info=True)
            continue
        if result.record is not None:
            records.append(result.record)
    counts = dataset_tiers(records)
    counts["sampled"] = len(rows) > limit
    return counts


def record_edm(core: Oogst, ntriples: str | bytes, feed: Feed | None) -> str | None:
    """The record as EDM RDF/XML (what a delivery to Europeana would hold), or None when it
    cannot become EDM."""
    try:
        result = export(ntriples, delivery(core, feed))
    except Exception:  # noqa: BLE001 - a view on a page: never an error there
        log.warning("EDM of a record of %s failed", feed.name if feed else "?", exc_info=True)
        return None
    return result.xml.decode("utf-8") if result.xml else None
