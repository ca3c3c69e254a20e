"""Pre-flight checks before a delivery to Europeana: pure functions over exported records.

- :class:`EdmValidator` validates EDM RDF/XML with Europeana's own rules: ``EDM.xsd`` (lxml,
  offline) and the compiled schematron ``schematron.xsl`` (XSLT 2.0, run with ``saxonche``).
  Both come from a schema folder (the ``edm_schemas_dir`` setting: the layout of Metis'
  schema zip, ``edm/EDM.xsd`` and ``edm-schematron/schematron.xsl``). When the folder or a
  file is missing, :attr:`EdmValidator.unavailable` says what and how to get it, and
  validation is skipped — the checks that need no schema still run; without saxonche only the
  XSD runs (:attr:`EdmValidator.schematron_unavailable` says so).
- :func:`id_collisions` finds records whose ``rdf:about`` values sanitise to one Europeana id.
- :func:`preflight` runs everything over a feed's results and returns a :class:`Preflight`
  report: records refused by the crosswalk (missing or invalid rights, no link, no type …),
  id collisions, records at content tier 0, and XSD or schematron failures.
"""

from __future__ import annotations

import logging
import threading
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lxml import etree

from ..records import Finding
from .edm import EdmResult
from .europeana import europeana_id

__all__ = ["EdmValidator", "Preflight", "id_collisions", "preflight"]

logger = logging.getLogger(__name__)

SVRL = "http://purl.oclc.org/dsdl/svrl"
# SaxonC runs one processor (a GraalVM isolate) per process, for the process' lifetime: every
# validator shares it, under one lock (it is not safe to share between threads without one).
_SAXON: list[Any] = []
_SAXON_LOCK = threading.Lock()


def _saxon() -> Any:
    if not _SAXON:
        from saxonche import PySaxonProcessor

        _SAXON.append(PySaxonProcessor(license=False))
    return _SAXON[0]
XSD_PATH = Path("edm") / "EDM.xsd"
SCHEMATRON_PATH = Path("edm-schematron") / "schematron.xsl"


class EdmValidator:
    """EDM external validation against a folder of Europeana's schemas.

    ``validate(xml)`` returns findings (empty: valid). The XSD and the schematron are
    compiled once, on first use; the schematron runs in the process' one saxonche processor,
    guarded by a lock.
    """

    def __init__(self, schemas_dir: str | Path | None) -> None:
        self.schemas_dir = Path(schemas_dir) if schemas_dir else None
        self._schema: etree.XMLSchema | None = None
        self._executable: Any = None

    @property
    def unavailable(self) -> str | None:
        """Why validation cannot run here, or None when it can."""
        if self.schemas_dir is None:
            return ("no EDM schema folder is set: set edm_schemas_dir to a folder holding edm/EDM.xsd and "
                    "edm-schematron/schematron.xsl (Europeana's metis-schema files)")
        for part in (XSD_PATH, SCHEMATRON_PATH):
            if not (self.schemas_dir / part).is_file():
                return f"{self.schemas_dir / part} is missing: edm_schemas_dir must hold Europeana's metis-schema files"
        return None

    @property
    def schematron_unavailable(self) -> str | None:
        """Why the schematron cannot run (the XSD still can), or None."""
        try:
            import saxonche  # noqa: F401
        except ImportError:
            return "the EDM schematron (XSLT 2.0) needs saxonche: pip install 'oogst[edm]'; only EDM.xsd was checked"
        return None

    def _compile(self) -> None:
        if self._schema is None:
            self._schema = etree.XMLSchema(etree.parse(str(self.schemas_dir / XSD_PATH)))
        if self._executable is None and self.schematron_unavailable is None:
            xslt = _saxon().new_xslt30_processor()
            self._executable = xslt.compile_stylesheet(stylesheet_file=str(self.schemas_dir / SCHEMATRON_PATH))

    def validate(self, xml: bytes, record: str | None = None) -> list[Finding]:
        """XSD and schematron findings for one EDM document; ``record`` names it in messages."""
        reason = self.unavailable
        if reason:
            raise RuntimeError(reason)
        with _SAXON_LOCK:
            self._compile()
            try:
                document = etree.fromstring(xml)
            except etree.XMLSyntaxError as exc:
                return [_invalid("xml", f"geen goed gevormde XML: {exc}", f"not well-formed XML: {exc}", record)]
            findings = []
            if not self._schema.validate(document):
                for error in self._schema.error_log:
                    findings.append(_invalid("xsd", f"EDM.xsd, regel {error.line}: {error.message}",
                                             f"EDM.xsd, line {error.line}: {error.message}", record))
            if self._executable is None:
                return findings
            node = _saxon().parse_xml(xml_text=xml.decode("utf-8"))
            report = self._executable.transform_to_string(xdm_node=node)
        for failed in etree.fromstring(report.encode("utf-8")).iter(f"{{{SVRL}}}failed-assert"):
            text = " ".join("".join(failed.itertext()).split())
            where = failed.get("location", "")
            findings.append(_invalid("schematron", f"schematron: {text} ({where})", f"schematron: {text} ({where})",
                                     record))
        return findings


def _invalid(kind: str, nl: str, en: str, record: str | None) -> Finding:
    return Finding(rule=f"edm:{kind}", severity="violation", path=None, source_path=None,
                   message_nl=nl, message_en=en, value=record)


def id_collisions(abouts: Iterable[str], dataset_id: str) -> dict[str, list[str]]:
    """Europeana id → the distinct ``rdf:about`` values that sanitise to it, for ids shared
    by more than one (Europeana rejects the second as a duplicate)."""
    by_id: dict[str, list[str]] = defaultdict(list)
    for about in abouts:
        eid = europeana_id(dataset_id, about)
        if about not in by_id[eid]:
            by_id[eid].append(about)
    return {eid: found for eid, found in by_id.items() if len(found) > 1}


@dataclass
class Preflight:
    """A feed's readiness for delivery: counts and, per record, what stands in the way."""

    total: int = 0
    exportable: int = 0
    refused: dict[str, list[Finding]] = field(default_factory=dict)  # record → why it is no EDM
    invalid: dict[str, list[Finding]] = field(default_factory=dict)  # record → XSD/schematron findings
    collisions: dict[str, list[str]] = field(default_factory=dict)  # Europeana id → record abouts
    tier_zero: dict[str, list[dict[str, str]]] = field(default_factory=dict)  # record → reasons {nl, en}
    validation_skipped: str | None = None

    @property
    def ready(self) -> bool:
        return not (self.refused or self.invalid or self.collisions)

    def as_dict(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "exportable": self.exportable,
            "ready": self.ready,
            "refused": {k: [f.as_dict() for f in v] for k, v in self.refused.items()},
            "invalid": {k: [f.as_dict() for f in v] for k, v in self.invalid.items()},
            "collisions": self.collisions,
            "tier_zero": self.tier_zero,
            "validation_skipped": self.validation_skipped,
        }


def preflight(results: Iterable[tuple[str, EdmResult]], *, dataset_id: str | None,
              validator: EdmValidator | None = None, media: dict[str, Any] | None = None) -> Preflight:
    """Check a feed's export results (record id, :func:`~oogst.publish.edm.export` result).

    Records without EDM land in ``refused`` with the crosswalk's reasons; the others are
    validated (when ``validator`` can run), checked for content tier 0 (``media``: what
    :func:`~oogst.publish.tiers.content_tier` may know of the media) and for Europeana id
    collisions (when ``dataset_id`` is known; else under the placeholder dataset "0")."""
    from .tiers import content_tier

    report = Preflight()
    if validator is not None:
        report.validation_skipped = validator.unavailable or validator.schematron_unavailable
    abouts: dict[str, str] = {}
    for record_id, result in results:
        report.total += 1
        if result.record is None:
            report.refused[record_id] = [f for f in result.findings if f.severity == "violation"]
            continue
        report.exportable += 1
        abouts[result.record.about] = record_id
        if validator is not None and validator.unavailable is None and result.xml is not None:
            findings = validator.validate(result.xml, record_id)
            if findings:
                report.invalid[record_id] = findings
        tier = content_tier(result.record, media)
        if tier.ceiling == 0:
            report.tier_zero[record_id] = [{"nl": nl, "en": en} for nl, en in tier.reasons]
    for eid, found in id_collisions(abouts, dataset_id or "0").items():
        report.collisions[eid] = [abouts[about] for about in found]
    return report
