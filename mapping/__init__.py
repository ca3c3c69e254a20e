"""Format mappers: a partner's record → an OSLO Cultureel Erfgoed graph.

Mappers are looked up by format name (the ``format`` of a :class:`~oogst.records.SourceRecord`
and of a feed): ``lido`` (LIDO 1.0 and 1.1), ``oai_dc``, ``oslo-jsonld`` (OSLO JSON-LD, LDES
members), ``edm`` (EDM as providers deliver it), ``adlib`` (Adlib/Axiell adlibXML), ``mods``
(MODS 3), ``qdc`` (qualified Dublin Core), ``ead`` (EAD 2002 and EAD3 finding aids) and
``marcxml`` (MARC 21 bibliographic records). The built-in ones register through the same
:func:`register` a plugin would use; a name can be registered once::

    from oogst.mapping import Profile, get_mapper

    mapped = get_mapper("lido").map(source_record, Profile(feed="msk-gent"))
"""

from __future__ import annotations

from typing import Protocol

from ..errors import ConfigError
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


_MAPPERS: dict[str, Mapper] = {}


def register(name: str, mapper: Mapper) -> Mapper:
    """Make ``mapper`` the mapper of format ``name``; a name already taken is an error."""
    if name in _MAPPERS:
        raise ConfigError(
            f"format {name!r} already has a mapper ({type(_MAPPERS[name]).__name__})",
            hint="choose another format name",
        )
    _MAPPERS[name] = mapper
    return mapper


def get_mapper(name: str) -> Mapper:
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
