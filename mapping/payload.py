"""Reading a record's XML payload: parse it safely and find the format's root element.

A payload is what the harvester received: an OAI-PMH ``<record>`` (header + metadata), a
bare metadata document, or a wrapper (``lido:lidoWrap``). Broken XML is never "repaired":
the mapper reports it with the parser's line and column, so the partner can fix the export.

The parser drops comments, processing instructions and whitespace-only text between
elements (which none of the mapped formats gives a meaning), and keeps no ID index: the
mappers never need them, and parsing is the largest single cost of mapping.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

from lxml import etree

from ..errors import MappingError
from ..records import SourceRecord
from .profile import ExtraField

OAI = "http://www.openarchives.org/OAI/2.0/"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

_local = threading.local()
_OAI_IDENTIFIER = etree.XPath(
    "//oai:header/oai:identifier",
    namespaces={"oai": OAI},
    smart_strings=False,
)
_INHERITED_LANG = etree.XPath("ancestor-or-self::*[@xml:lang][1]/@xml:lang", smart_strings=False)


def parser() -> etree.XMLParser:
    """This thread's XML parser: lxml parsers must not be shared between threads; entities
    from a DTD on the network or on disk are never loaded (XXE)."""
    found = getattr(_local, "parser", None)
    if found is None:
        found = _local.parser = etree.XMLParser(
            resolve_entities="internal",
            no_network=True,
            load_dtd=False,
            huge_tree=False,
            remove_blank_text=True,
            remove_comments=True,
            remove_pis=True,
            collect_ids=False,
        )
    return found


def parse(record: SourceRecord, source_path: str) -> etree._Element:
    """The payload's root element; :class:`MappingError` when it is empty or not XML."""
    if not record.payload or record.payload.isspace():
        raise MappingError(
            "the record has no payload", feed=record.feed, record=record.source_id, source_path=source_path
        )
    try:
        return etree.fromstring(record.payload, parser())
    except etree.XMLSyntaxError as exc:
        raise MappingError(
            f"the payload is not well-formed XML: {exc}",
            feed=record.feed,
            record=record.source_id,
            source_path=source_path,
            hint="the partner's export must be fixed; oogst does not repair XML",
        ) from exc


def find_root(
    record: SourceRecord, tag: str, descendants: etree.XPath, source_path: str
) -> tuple[etree._Element, list[str]]:
    """Parse ``record.payload`` and return the element ``tag`` (``{ns}local``) and warnings.

    ``descendants`` is a compiled XPath that finds every ``tag`` element below the document
    root. Raises :class:`MappingError` when the payload is empty, not well-formed XML, or
    holds no such element.
    """
    document = parse(record, source_path)
    if document.tag == tag:
        return document, []
    matches = document.iter(tag)  # lazy: an OAI record holds one, found without an XPath
    first = next(matches, None)
    if first is not None and next(matches, None) is None:
        return first, []
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


def xml_values(root: etree._Element, extra: ExtraField) -> Iterator[tuple[str, str | None]]:
    """The (text, xml:lang) values of a profile's extra field in one record: the XPath is
    evaluated from the format's root element; elements give their text and inherited
    language, attributes and strings their value."""
    if extra.xpath is None:
        return
    try:
        result = extra.xpath(root)
    except etree.XPathError as exc:
        raise MappingError(f"the extra field {extra.path!r} cannot be evaluated: {exc}",
                           hint="fix the path in the feed's mapping profile") from exc
    for item in result if isinstance(result, list) else [result]:
        if isinstance(item, etree._Element):
            langs = _INHERITED_LANG(item)
            yield "".join(item.itertext()), (langs[0] if langs else None)
        elif isinstance(item, (str, int, float)) and not isinstance(item, bool):
            yield str(item), None


__all__ = ["OAI", "XML_LANG", "find_root", "oai_identifier", "parse", "parser", "xml_values"]
