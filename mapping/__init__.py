"""Format mappers: a partner's record → an OSLO Cultureel Erfgoed graph.

Mappers are looked up by format name (the ``format`` of a :class:`~oogst.records.SourceRecord`
and of a feed): ``lido`` (LIDO 1.0 and 1.1), ``oai_dc``, ``oslo-jsonld`` (OSLO JSON-LD, LDES
members), ``edm`` (EDM as providers deliver it), ``adlib`` (Adlib/Axiell adlibXML), ``mods``
(MODS 3), ``qdc`` (qualified Dublin Core), ``ead`` (EAD 2002 and EAD3 finding aids) and
``marcxml`` (MARC 21 bibliographic records). The built-in ones register through the same
:func:`register` a plugin would use; a name can be registered once. Every mapper is called
through a :class:`Guard`: whatever goes wrong inside it (a bug, input nobody foresaw) comes
out as a :class:`~oogst.errors.MappingError` naming the record, never as a traceback::

    from oogst.mapping import Profile, get_mapper

    mapped = get_mapper("lido").map(source_record, Profile(feed="msk-gent"))
"""

from __future__ import annotations

import logging
import traceback
from typing import Protocol

from ..errors import ConfigError, MappingError
from ..records import MappedRecord, SourceRecord
from .adlib import AdlibMapper
from .ead import EadMapper
from .edm_in import EdmMapper
from .files import FileRecords, records_in_file
from .lido import LidoMapper
from .marcxml import MarcXmlMapper
from .mods import ModsMapper
from .oai_dc import OaiDcMapper
from .oslo_jsonld import OsloJsonLdMapper
from .profile import MAPPING_VERSION, DocumentLoader, ExtraField, Profile
from .qdc import QdcMapper

__all__ = [
    "MAPPING_VERSION",
    "DocumentLoader",
    "ExtraField",
    "FileRecords",
    "Guard",
    "Mapper",
    "Profile",
    "formats",
    "get_mapper",
    "records_in_file",
    "register",
]


class Mapper(Protocol):
    """Maps one source record to OSLO; raises :class:`~oogst.errors.MappingError` when the
    payload is unusable (not XML, no root element), never for missing fields.

    The built-in mappers also declare ``oai_prefixes``: the OAI-PMH metadataPrefix values
    their format goes by, the usual one first. A mapper whose records arrive bundled (EAD:
    one finding aid, many described units) has ``split(record) -> list[SourceRecord]``,
    which cuts a harvested record into the records to map."""

    def map(self, record: SourceRecord, profile: Profile) -> MappedRecord: ...


log = logging.getLogger(__name__)


class Guard:
    """A registered mapper as the pipeline calls it: :class:`MappingError` passes through;
    any other exception becomes one, with the record, the mapper's root path (``root``, e.g.
    ``lido:lido``, when the mapper declares it) and where in oogst it happened, so one odd
    record is quarantined with a message instead of stopping a run or ``oogst map``."""

    __slots__ = ("name", "mapper")

    def __init__(self, name: str, mapper: Mapper) -> None:
        self.name = name
        self.mapper = mapper

    def map(self, record: SourceRecord, profile: Profile) -> MappedRecord:
        try:
            return self.mapper.map(record, profile)
        except MappingError:
            raise
        except Exception as exc:  # noqa: BLE001 — the guard's purpose
            where = traceback.extract_tb(exc.__traceback__)[-1]
            log.exception("mapper %s failed on record %s of feed %s", self.name, record.source_id, record.feed)
            raise MappingError(
                f"oogst could not map this record ({type(exc).__name__}: {exc}, in {where.name})",
                feed=record.feed,
                record=record.source_id,
                source_path=getattr(self.mapper, "root", None),
                hint="this is a bug in oogst, not in the partner's data: report it with the record",
            ) from exc

    def __getattr__(self, attribute: str):
        return getattr(self.mapper, attribute)

    def __repr__(self) -> str:
        return f"Guard({self.name!r}, {type(self.mapper).__name__})"


_MAPPERS: dict[str, Guard] = {}


def register(name: str, mapper: Mapper) -> Mapper:
    """Make ``mapper`` the mapper of format ``name``; a name already taken is an error.
    :func:`get_mapper` returns it wrapped in a :class:`Guard`."""
    if name in _MAPPERS:
        raise ConfigError(
            f"format {name!r} already has a mapper ({type(_MAPPERS[name].mapper).__name__})",
            hint="choose another format name",
        )
    _MAPPERS[name] = Guard(name, mapper)
    return mapper


def get_mapper(name: str) -> Guard:
    """The mapper of format ``name`` (in its :class:`Guard`); ConfigError for an unknown name."""
    try:
        return _MAPPERS[name]
    except KeyError:
        raise ConfigError(
            f"no mapper for format {name!r}",
            hint=f"known formats: {', '.join(formats())}",
        ) from None


def formats() -> list[str]:
    """The registered format names, sorted."""
    return sorted(_MAPPERS)


register("lido", LidoMapper())
register("oai_dc", OaiDcMapper())
register("oslo-jsonld", OsloJsonLdMapper())
register("edm", EdmMapper())
register("adlib", AdlibMapper())
register("mods", ModsMapper())
register("qdc", QdcMapper())
register("ead", EadMapper())
register("marcxml", MarcXmlMapper())
