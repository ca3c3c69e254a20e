"""The records in a file, for ``oogst map`` (``Oogst.map_file``); file-based feeds are read by
``harvest/files.py`` instead.

A file may hold one record, or many:

- XML formats (``lido``, ``oai_dc``, ``edm``, ``adlib``, ``mods``, ``qdc``, ``ead``,
  ``marcxml``): an OAI-PMH response (every ``<record>``, deleted ones left out and counted),
  a wrapper of many records (``lido:lidoWrap``, ``adlibXML/recordList``,
  ``mods:modsCollection``, ``marc:collection``), or one record (a bare ``lido:lido``,
  ``oai_dc:dc``, ``rdf:RDF``, ``mods:mods``, ``ead``, an OAI-PMH ``<record>``);
- ``oslo-jsonld``: a JSON array of members, a TREE page whose members are in ``@included``,
  or one member.

Each record gets a source id: its OAI identifier, its ``lidoRecID``, Adlib ``priref``, MODS
``recordIdentifier``, MARC 001, its member ``@id``, or else the file name with its position
(``records.xml#3``). A format whose mapper can ``split`` a record (EAD: a finding aid into its
described units) has every record split.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import orjson
from lxml import etree

from ..errors import MappingError
from ..records import SourceRecord
from .payload import OAI, parser

_LIDO = "{http://www.lido-schema.org}"
_MODS = "{http://www.loc.gov/mods/v3}"
_MARC = "{http://www.loc.gov/MARC21/slim}"
_JSON_FORMATS = frozenset({"oslo-jsonld"})


def _first_text(element: etree._Element, path: str) -> str:
    found = element.find(path) if path else None
    return (found.text or "").strip() if found is not None and found.text else ""


# wrapper root tag → (path to its records, how a record names itself)
_WRAPPERS = {
    _LIDO + "lidoWrap": (_LIDO + "lido", lambda e: _first_text(e, _LIDO + "lidoRecID")),
    "adlibXML": ("recordList/record", lambda e: (e.get("priref") or _first_text(e, "priref")).strip()),
    _MODS + "modsCollection": (_MODS + "mods", lambda e: _first_text(e, f"{_MODS}recordInfo/{_MODS}recordIdentifier")),
    _MARC + "collection": (_MARC + "record", lambda e: _first_text(e, f"{_MARC}controlfield[@tag='001']")),
}


@dataclass
class FileRecords:
    """The records found in a file, and how many deleted OAI-PMH records were left out."""

    records: list[SourceRecord] = field(default_factory=list)
    deleted: int = 0


def records_in_file(data: bytes, fmt: str, *, feed: str, name: str) -> FileRecords:
    """Split the bytes of file ``name`` into source records of format ``fmt``."""
    found = _json_records(data, fmt, feed, name) if fmt in _JSON_FORMATS else _xml_records(data, fmt, feed, name)
    split = _splitter(fmt)
    if split is not None:
        found.records = [part for record in found.records for part in _split_one(split, record)]
    return found


def _split_one(split: Callable[[SourceRecord], list[SourceRecord]], record: SourceRecord) -> list[SourceRecord]:
    """A record the mapper cannot split stays whole: mapping it reports what is wrong."""
    try:
        return split(record)
    except MappingError:
        return [record]


def _splitter(fmt: str) -> Callable[[SourceRecord], list[SourceRecord]] | None:
    """The ``split`` of the format's mapper, if it has one."""
    from . import _MAPPERS  # the registry imports this module

    return getattr(_MAPPERS.get(fmt), "split", None)


def _xml_records(data: bytes, fmt: str, feed: str, name: str) -> FileRecords:
    try:
        root = etree.fromstring(data, parser())
    except etree.XMLSyntaxError as exc:
        raise MappingError(f"{name} is not well-formed XML: {exc}", feed=feed, record=name) from exc
    found = FileRecords()
    if root.tag == f"{{{OAI}}}OAI-PMH" or root.tag == f"{{{OAI}}}ListRecords":
        for k, record in enumerate(root.iter(f"{{{OAI}}}record"), 1):
            header = record.find(f"{{{OAI}}}header")
            if header is not None and header.get("status") == "deleted":
                found.deleted += 1
                continue
            identifier = header.findtext(f"{{{OAI}}}identifier") if header is not None else None
            datestamp = header.findtext(f"{{{OAI}}}datestamp") if header is not None else None
            source_id = (identifier or "").strip() or f"{name}#{k}"
            found.records.append(SourceRecord(feed, source_id, datestamp, etree.tostring(record), fmt))
        return found
    if root.tag in _WRAPPERS:
        path, own_id = _WRAPPERS[root.tag]
        for k, element in enumerate(root.iterfind(path), 1):
            found.records.append(SourceRecord(feed, own_id(element) or f"{name}#{k}", None, etree.tostring(element), fmt))
        return found
    found.records.append(SourceRecord(feed, name, None, data, fmt))
    return found


def _json_records(data: bytes, fmt: str, feed: str, name: str) -> FileRecords:
    try:
        document: Any = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise MappingError(f"{name} is not valid JSON: {exc}", feed=feed, record=name) from exc
    if isinstance(document, dict) and isinstance(document.get("@included"), list):
        members = document["@included"]
    elif isinstance(document, list):
        members = document
    else:
        members = [document]
    found = FileRecords()
    for k, member in enumerate(members, 1):
        member_id = member.get("@id") if isinstance(member, dict) else None
        source_id = member_id if isinstance(member_id, str) and member_id else f"{name}#{k}"
        found.records.append(
            SourceRecord(feed, source_id, None, orjson.dumps(member), fmt, media_type="application/ld+json")
        )
    return found
