"""Reading a record's XML payload: parse it safely and find the format's root element.

A payload is what the harvester received: an OAI-PMH ``<record>`` (header + metadata), a
bare metadata document, or a wrapper (``lido:lidoWrap``). Broken XML is never "repaired":
the mapper reports it with the parser's line and column, so the partner can fix the export.
"""

from __future__ import annotations

import threading

from lxml import etree

from ..errors import MappingError
from ..records import SourceRecord

OAI = "http://www.openarchives.org/OAI/2.0/"

_local = threading.local()
_OAI_IDENTIFIER = etree.XPath(
    "//oai:header/oai:identifier",
    namespaces={"oai": OAI},
    smart_strings=False,
)


def _parser() -> etree.XMLParser:
    # lxml parsers must not be shared between threads; entities from a DTD on the network
    # or on disk are never loaded (XXE).
    parser = getattr(_local, "parser", None)
    if parser is None:
        parser = _local.parser = etree.XMLParser(
            resolve_entities="internal", no_network=True, load_dtd=False, huge_tree=False
        )
    return parser


def find_root(
    record: SourceRecord, tag: str, descendants: etree.XPath, source_path: str
) -> tuple[etree._Element, list[str]]:
    """Parse ``record.payload`` and return the element ``tag`` (``{ns}local``) and warnings.

    ``descendants`` is a compiled XPath that finds every ``tag`` element below the document
    root. Raises :class:`MappingError` when the payload is empty, not well-formed XML, or
    holds no such element.
    """
    if not record.payload or not record.payload.strip():
        raise MappingError(
            "the record has no payload", feed=record.feed, record=record.source_id, source_path=source_path
        )
    try:
        document = etree.fromstring(record.payload, _parser())
    except etree.XMLSyntaxError as exc:
        raise MappingError(
            f"the payload is not well-formed XML: {exc}",
            feed=record.feed,
            record=record.source_id,
            source_path=source_path,
            hint="the partner's export must be fixed; oogst does not repair XML",
        ) from exc
    if document.tag == tag:
        return document, []
    found = descendants(document)
    if not found:
        raise MappingError(
            f"the payload holds no {source_path} element (root element is {document.tag})",
            feed=record.feed,
            record=record.source_id,
            source_path=source_path,
            hint=f"is the feed's format {record.format!r} right?",
        )
    warnings = []
    if len(found) > 1:
        warnings.append(f"the payload holds {len(found)} {source_path} elements; only the first was mapped")
    return found[0], warnings


def oai_identifier(element: etree._Element) -> str | None:
    """The OAI-PMH header identifier of the record ``element`` sits in, if any."""
    found = _OAI_IDENTIFIER(element.getroottree().getroot())
    return found[0].text.strip() if found and found[0].text else None
