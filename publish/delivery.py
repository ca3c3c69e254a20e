"""A feed's delivery to Europeana in one call: the zip of EDM files and its pre-flight report;
and what the record index keeps of each published record's delivery.

``oogst export edm NAME --out FILE.zip [--check]`` calls :func:`export_feed` with the feed's
published records (record id, OSLO N-Triples from the store) and its
:class:`~oogst.publish.europeana.DeliverySettings`. Each record that is valid EDM becomes one
RDF/XML file in the zip — the form Europeana takes as an HTTP/zip harvest — named after its
Europeana id; the others are listed with their reasons. ``check=True`` also runs the XSD and
the schematron (``validator``) on every file. The returned :class:`Delivery` holds the
:class:`~oogst.publish.edm_check.Preflight` report and the dataset's tier counts. Records
stream through: memory does not grow with the feed.

:func:`summarise` is what the record index keeps of one record when it is published (the
core calls it in the batch room): whether it can be EDM, its data provider (and that
provider's OAI-PMH set) and its tiers with the gaps to the next tier — a pure function of the
crosswalk's result, so it can run wherever the record is mapped.
"""

from __future__ import annotations

import zipfile
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import IO, Any

from .edm import EdmResult, export
from .edm_check import EdmValidator, Preflight, preflight
from .edm_model import EdmRecord
from .europeana import DeliverySettings, europeana_id
from .ntgraph import Lit
from .oai_source import set_slug
from .tiers import MediaInfo, content_tier, metadata_tier

__all__ = ["Delivery", "export_feed", "media_urls", "summarise"]


@dataclass
class Delivery:
    preflight: Preflight
    tiers: dict[str, Any] = field(default_factory=dict)
    files: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {"files": self.files, "tiers": self.tiers, **self.preflight.as_dict()}


class _TierCounts:
    """:func:`~oogst.publish.tiers.dataset_tiers`, one record at a time."""

    def __init__(self, media: Mapping[str, MediaInfo] | None) -> None:
        self.media = media
        self.content: Counter[int] = Counter()
        self.ceiling: Counter[int] = Counter()
        self.metadata: Counter[str] = Counter()

    def add(self, record: EdmRecord) -> None:
        c = content_tier(record, self.media)
        self.content[c.tier] += 1
        self.ceiling[c.ceiling] += 1
        self.metadata[metadata_tier(record).tier] += 1

    def as_dict(self) -> dict[str, Any]:
        return {"records": sum(self.content.values()),
                "content": {str(k): self.content.get(k, 0) for k in range(5)},
                "content_ceiling": {str(k): self.ceiling.get(k, 0) for k in range(5)},
                "metadata": {k: self.metadata.get(k, 0) for k in ("0", "A", "B", "C")}}


def export_feed(records: Iterable[tuple[str, str | bytes]], settings: DeliverySettings, *,
                out: IO[bytes] | None = None, validator: EdmValidator | None = None, check: bool = False,
                media: Mapping[str, MediaInfo] | None = None) -> Delivery:
    """Export ``records`` (record id, N-Triples) as EDM: into the zip ``out`` when given,
    validated when ``check``; the report either way."""
    names: set[str] = set()
    archive = zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) if out is not None else None
    tiers = _TierCounts(media)
    files = 0

    def results() -> Iterator[tuple[str, EdmResult]]:
        nonlocal files
        for record_id, ntriples in records:
            result = export(ntriples, settings)
            if result.record is not None:
                tiers.add(result.record)
                if archive is not None and result.xml is not None:
                    archive.writestr(_file_name(result, settings, names), result.xml)
                    files += 1
            yield record_id, result

    try:
        report = preflight(results(), dataset_id=settings.dataset_id, validator=validator if check else None,
                           media=media)
    finally:
        if archive is not None:
            archive.close()
    return Delivery(report, tiers.as_dict(), files)


def _file_name(result: EdmResult, settings: DeliverySettings, taken: set[str]) -> str:
    """``{sanitised Europeana id}.xml``, unique in the zip (a collision gets a counter and is
    reported by the pre-flight check)."""
    stem = europeana_id(settings.dataset_id or "0", result.record.about).strip("/").replace("/", "_")[:200] or "record"
    name, n = f"{stem}.xml", 1
    while name in taken:
        n += 1
        name = f"{stem}-{n}.xml"
    taken.add(name)
    return name


# -- what the record index keeps --------------------------------------------------------------
def media_urls(record: EdmRecord | None) -> list[str]:
    """The URLs whose media information changes ``record``'s content tier: its media files
    (``edm:isShownBy``, ``edm:hasView``) and its landing page (``edm:isShownAt``)."""
    if record is None:
        return []
    agg = record.aggregation
    return [v for key in ("edm:isShownBy", "edm:hasView", "edm:isShownAt") for v in agg.get(key, ())
            if isinstance(v, str)]


def data_provider(record: EdmRecord | None) -> str | None:
    """The data provider's name (or IRI) as the record's aggregation states it."""
    if record is None:
        return None
    value = next(iter(record.aggregation.get("edm:dataProvider", [])), None)
    return value.value if type(value) is Lit else value


def summarise(result: EdmResult, media: Mapping[str, MediaInfo] | None = None) -> dict[str, Any]:
    """What the record index keeps of one published record, from the crosswalk's result with
    ``strict=False``: ``edm`` (1: it can be valid EDM, 0: it cannot), ``provider`` and
    ``provider_set`` (its data provider and OAI-PMH set slug), ``tiers`` (metadata and content
    tier, ceiling, edm:type, the gap codes to the next tier, and the reasons it is no EDM)."""
    refused = [{"rule": f.rule, "nl": f.message_nl, "en": f.message_en}
               for f in result.findings if f.severity == "violation"]
    record = result.record
    provider = data_provider(record)
    tiers: dict[str, Any] = {"refused": refused} if refused else {}
    if record is not None:
        m, c = metadata_tier(record), content_tier(record, media)
        tiers.update({"metadata": m.tier, "content": c.tier, "ceiling": c.ceiling, "type": c.edm_type,
                      "gaps": list(dict.fromkeys([*m.gaps, *c.gaps]))})
    return {"edm": 0 if refused or record is None else 1, "provider": provider,
            "provider_set": set_slug(provider) if provider else None, "tiers": tiers}
