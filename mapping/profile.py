"""The mapping profile: what a mapper needs to know about one feed beyond its records.

A profile is plain data, checked once when it is made: a bad language tag or a rights value
that is no rights URI fails here, with a :class:`~oogst.errors.ConfigError`, before any
record is mapped.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import ConfigError
from . import iris, normalize

# Bumped whenever the RDF a mapper writes for the same input changes, so that stored records
# can be re-mapped (and goldens re-read) deliberately.
MAPPING_VERSION = "1"


@dataclass(frozen=True, slots=True)
class Profile:
    """Per-feed mapping settings.

    ``language`` tags literals that carry no ``xml:lang``; ``default_rights`` is the rights
    URI (or words such as "CC0") for records that state none; ``provider_name`` and
    ``provider_iri`` name the partner, whose IRI is used for a keeper the source names
    without an http identifier.
    """

    feed: str
    base_iri: str = iris.DEFAULT_BASE
    language: str = "nl"
    default_rights: str | None = None
    provider_name: str | None = None
    provider_iri: str | None = None
    mapping_version: str = field(default=MAPPING_VERSION, init=False)

    def __post_init__(self) -> None:
        lang = normalize.language(self.language)
        if lang is None:
            raise ConfigError(
                f"language {self.language!r} is not a language tag",
                feed=self.feed,
                hint="use a BCP 47 tag such as 'nl', 'fr' or 'en'",
            )
        object.__setattr__(self, "language", lang)
        if self.default_rights is not None:
            rights = normalize.rights_uri(self.default_rights)
            if rights is None:
                raise ConfigError(
                    f"default_rights {self.default_rights!r} is not a rights URI",
                    feed=self.feed,
                    hint="use a rightsstatements.org or Creative Commons URI, or e.g. 'CC0'",
                )
            object.__setattr__(self, "default_rights", rights)
        if self.provider_iri is not None and not iris.is_http_iri(self.provider_iri):
            raise ConfigError(f"provider_iri {self.provider_iri!r} is not an http(s) IRI", feed=self.feed)

    @property
    def minter(self) -> iris.Minter:
        return iris.Minter(self.feed, self.base_iri)
