"""A feed's delivery to Europeana in one call: the zip of EDM files and its pre-flight report.

``oogst export edm NAME --out FILE.zip [--check]`` calls :func:`export_feed` with the feed's
published records (record id, OSLO N-Triples from the store) and its
:class:`~oogst.publish.europeana.DeliverySettings`. Each record that is valid EDM becomes one
RDF/XML file in the zip — the form Europeana takes as an HTTP/zip harvest — named after its
Europeana id; the others are listed with their reasons. ``check=True`` also runs the XSD and
the schematron (``validator``) on every file. The returned :class:`Delivery` holds the
:class:`~oogst.publish.edm_check.Preflight` report and the dataset's tier counts.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import IO, Any

from .edm import EdmResult, export
from .edm_check import EdmValidator, Preflight, preflight
from .europeana import DeliverySettings, europeana_id
from .tiers import MediaInfo, dataset_tiers

__all__ = ["Delivery", "export_feed"]


@dataclass
class Delivery:
    preflight: Preflight
    tiers: dict[str, Any] = field(default_factory=dict)
    files: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {"files": self.files, "tiers": self.tiers, **self.preflight.as_dict()}


def export_feed(records: Iterable[tuple[str, str | bytes]], settings: DeliverySettings, *,
                out: IO[bytes] | None = None, validator: EdmValidator | None = None, check: bool = False,
                media: Mapping[str, MediaInfo] | None = None) -> Delivery:
    """Export ``records`` (record id, N-Triples) as EDM: into the zip ``out`` when given,
    validated when ``check``; the report either way."""
    results: list[tuple[str, EdmResult]] = []
    names: set[str] = set()
    archive = zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) if out is not None else None
    files = 0
    try:
        for record_id, ntriples in records:
            result = export(ntriples, settings)
            results.append((record_id, result))
            if archive is not None and result.xml is not None:
                name = _file_name(result, settings, names)
                archive.writestr(name, result.xml)
                files += 1
    finally:
        if archive is not None:
            archive.close()
    report = preflight(results, dataset_id=settings.dataset_id, validator=validator if check else None,
                       media=media)
    tiers = dataset_tiers((r.record for _, r in results if r.record is not None), media)
    return Delivery(report, tiers, files)


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
