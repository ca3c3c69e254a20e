"""The mapping profile: what a mapper needs to know about one feed beyond its records.

A profile is plain data, checked once when it is made: a bad language tag, a rights value
that is no rights URI, a value map to something that is no IRI or an extra field whose path
does not compile fails here, with a :class:`~oogst.errors.ConfigError`, before any record
is mapped. Partners never write Python: everything a feed needs is in a small TOML file,
read with :meth:`Profile.from_toml`::

    language = "nl"                       # literals without xml:lang get this language
    default_rights = "CC0"                # for records that state no rights URI

    [provider]                            # the data provider (the partner)
    name = "Museum Hof van Leie"
    iri = "https://www.hofvanleie.be/"

    [values.materiaal]                    # local terms → concept IRIs, per kind of term
    "doek" = "http://vocab.getty.edu/aat/300014078"
    [values."*"]                          # … or for every kind
    "olieverf" = "http://vocab.getty.edu/aat/300015050"

    aggregators = ["Erfgoedbank Voorbeeldstreek"]  # intermediaries named in records: never the keeper

    [[fields]]                            # what the built-in mapper does not know
    path = "lido:descriptiveMetadata/lido:objectIdentificationWrap/lido:displayStateEditionWrap/lido:displayEdition"
    property = "crm:P3_has_note"          # a CURIE of oogst.mapping.vocab.PREFIXES or a full IRI
    kind = "literal"                      # literal (with language) | string | iri

The kinds of terms (``values`` tables) are the schemes of the mappers: ``objectnaam``,
``objectcategorie``, ``classificatie``, ``materiaal``, ``techniek``, ``rol``, ``onderwerp``,
``dimensie``, ``periode``, ``cultuur``, ``gebeurtenis``, ``methode``, ``type`` (oai_dc, EDM).

An extra field's ``path`` is an XPath 1.0 expression for XML formats, evaluated from the
format's root element (``lido:lido``, ``oai_dc:dc``, ``edm:ProvidedCHO``) with the prefixes
``lido``, ``oai_dc``, ``dc``, ``dcterms``, ``edm``, ``ore``, ``rdf``, ``skos``; or a JSON path
for ``oslo-jsonld`` (``$["MensgemaaktObject.opschrift"][*]["@value"]``: dotted names,
bracketed names, ``[*]`` and ``[n]``), evaluated on the member as received.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lxml import etree

from ..errors import ConfigError
from ..jsonld import ContextCache
from .. import iris
from . import normalize, vocab

# Bumped whenever the RDF a mapper writes for the same input changes, so that stored records
# can be re-mapped (and goldens re-read) deliberately.
MAPPING_VERSION = "3"

# Resolves a JSON-LD context URL to the parsed context document; raises LookupError when
# it has none. oogst.jsonld.ContextCache is one (and the one oslo-jsonld needs: it also
# inlines contexts and repairs undefined prefixes).
DocumentLoader = Callable[[str], Any]

XML_NAMESPACES = {
    "lido": "http://www.lido-schema.org",
    "oai_dc": "http://www.openarchives.org/OAI/2.0/oai_dc/",
    "dc": "http://purl.org/dc/elements/1.1/",
    "dcterms": vocab.DCTERMS,
    "edm": "http://www.europeana.eu/schemas/edm/",
    "ore": "http://www.openarchives.org/ore/terms/",
    "rdf": vocab.RDF,
    "skos": vocab.SKOS,
}
FIELD_KINDS = ("literal", "string", "iri")
_JSON_STEP = re.compile(r"""\.([^.\[\]]+)|\[\s*(?:"([^"]*)"|'([^']*)'|(\*)|(\d+))\s*\]""")


def expand_curie(value: str, *, where: str) -> str:
    """``crm:P3_has_note`` → its IRI; a full http(s) IRI is returned as it is."""
    if iris.is_http_iri(value):
        return value.strip()
    prefix, sep, local = value.strip().partition(":")
    if sep and prefix in vocab.PREFIXES and local:
        return vocab.PREFIXES[prefix] + local
    raise ConfigError(
        f"{where}: {value!r} is neither a known prefixed name nor an http(s) IRI",
        hint=f"use a full IRI or one of the prefixes {', '.join(sorted(vocab.PREFIXES))}",
    )


def json_path_steps(path: str) -> tuple[str | int | None, ...]:
    """A JSON path as steps: a key (str), an index (int) or every item (None)."""
    if not path.startswith("$"):
        raise ValueError("a JSON path starts with '$'")
    steps: list[str | int | None] = []
    position = 1
    while position < len(path):
        match = _JSON_STEP.match(path, position)
        if match is None:
            raise ValueError(f"cannot read the JSON path from character {position + 1}: {path[position:]!r}")
        name, double, single, star, index = match.groups()
        if star:
            steps.append(None)
        elif index is not None:
            steps.append(int(index))
        else:
            steps.append(next(v for v in (name, double, single) if v is not None))
        position = match.end()
    return tuple(steps)


# XPath 1.0's core functions, and the node tests that look like calls: nothing else may be
# called from a profile's path (no document(), no extension functions: nothing that reads
# files or the network, nothing that fails only when a record is mapped).
XPATH_FUNCTIONS = frozenset(
    "last position count id local-name namespace-uri name string concat starts-with contains substring-before "
    "substring-after substring string-length normalize-space translate boolean not true false lang number sum "
    "floor ceiling round node text comment processing-instruction and or div mod".split())
_XPATH_LITERAL = re.compile(r'"[^"]*"|\'[^\']*\'')
_XPATH_CALL = re.compile(r"([A-Za-z_][\w.-]*(?::[A-Za-z_][\w.-]*)?)\s*\(")


def check_xpath_functions(path: str) -> None:
    """Refuse a path that calls anything but XPath 1.0's core functions (ValueError)."""
    calls = {m.group(1) for m in _XPATH_CALL.finditer(_XPATH_LITERAL.sub('""', path))}
    others = sorted(c for c in calls if c not in XPATH_FUNCTIONS)
    if others:
        raise ValueError(f"it calls {', '.join(f'{c}()' for c in others)}, which a profile may not: only XPath 1.0's "
                         "core functions (string(), concat(), normalize-space(), …)")


@dataclass(frozen=True, slots=True)
class ExtraField:
    """One partner field the built-in mapper does not know: ``path`` → ``property`` on the
    heritage object. ``kind`` is ``literal`` (text in the record's language), ``string``
    (text without language: codes, numbers) or ``iri`` (values that are http(s) IRIs)."""

    path: str
    property: str
    kind: str = "literal"
    xpath: etree.XPath | None = field(default=None, init=False, compare=False, repr=False)
    json_steps: tuple[str | int | None, ...] | None = field(default=None, init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        where = f"extra field {self.path!r}"
        if self.kind not in FIELD_KINDS:
            raise ConfigError(f"{where}: kind {self.kind!r} is unknown", hint=f"use one of {', '.join(FIELD_KINDS)}")
        object.__setattr__(self, "property", expand_curie(self.property, where=where))
        try:
            if self.path.startswith("$"):
                object.__setattr__(self, "json_steps", json_path_steps(self.path))
            else:
                check_xpath_functions(self.path)
                xpath = etree.XPath(self.path, namespaces=XML_NAMESPACES, smart_strings=False)
                object.__setattr__(self, "xpath", xpath)
        except (ValueError, etree.XPathSyntaxError) as exc:
            raise ConfigError(
                f"{where}: the path does not compile: {exc}",
                hint="write an XPath 1.0 expression (prefixes " + ", ".join(XML_NAMESPACES) + ") or a JSON path ($.a.b)",
            ) from exc


@dataclass(frozen=True, slots=True)
class Profile:
    """Per-feed mapping settings.

    ``language`` tags literals that carry no ``xml:lang``; ``default_rights`` is the rights
    URI (or words such as "CC0") for records that state none; ``provider_name`` and
    ``provider_iri`` name the partner, whose IRI is used for a keeper the source names
    without an http identifier. ``values`` maps local terms to concept IRIs per kind of term
    (``"*"``: every kind); ``fields`` are extra field paths. ``contexts`` resolves JSON-LD
    context URLs (only ``oslo-jsonld`` needs it; the pipeline passes its context cache).
    """

    feed: str
    base_iri: str = iris.DEFAULT_BASE
    language: str = "nl"
    default_rights: str | None = None
    provider_name: str | None = None
    provider_iri: str | None = None
    values: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    fields: tuple[ExtraField, ...] = ()
    aggregators: tuple[str, ...] = ()
    contexts: ContextCache | None = field(default=None, compare=False, repr=False)
    mapping_version: str = field(default=MAPPING_VERSION, init=False)
    # What the profile decides for a concept (its IRI from ids, value maps, concordance),
    # remembered across the records mapped with it: concepts repeat from record to record.
    cache: dict[Any, Any] = field(default_factory=dict, init=False, compare=False, repr=False)

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
            raise ConfigError(f"provider_iri {self.provider_iri!r} is not an http(s) IRI", feed=self.feed,
                              hint="use the provider's Wikidata or OVO IRI, e.g. http://www.wikidata.org/entity/Q1809071")
        object.__setattr__(self, "values", self._checked_values(self.values))
        object.__setattr__(self, "fields", tuple(self.fields))
        object.__setattr__(self, "aggregators", tuple(" ".join(str(name).casefold().split()) for name in self.aggregators))

    def _checked_values(self, values: Mapping[str, Mapping[str, str]]) -> dict[str, dict[str, str]]:
        """Keys case-folded with whitespace collapsed (as terms are looked up); every target
        an http(s) IRI."""
        checked: dict[str, dict[str, str]] = {}
        for scheme, table in values.items():
            if not isinstance(table, Mapping):
                raise ConfigError(f"values.{scheme} must be a table of term = IRI", feed=self.feed)
            for term, target in table.items():
                url = normalize.http_iri(target) if isinstance(target, str) else None
                if url is None:
                    raise ConfigError(
                        f"values.{scheme}: {term!r} maps to {target!r}, which is not an http(s) IRI",
                        feed=self.feed,
                        hint="map local terms to concept IRIs such as http://vocab.getty.edu/aat/300014078",
                    )
                checked.setdefault(scheme, {})[term_key(term)] = url
        return checked

    @property
    def minter(self) -> iris.Minter:
        return iris.Minter(self.feed, self.base_iri)

    def lookup(self, scheme: str, term: str) -> str | None:
        """The IRI the profile gives a local term of kind ``scheme``, if any."""
        if not self.values:
            return None
        key = term_key(term)
        return self.values.get(scheme, {}).get(key) or self.values.get("*", {}).get(key)

    @classmethod
    def from_toml(cls, path: str | Path, feed: str, **defaults: Any) -> Profile:
        """Read a profile file; ``defaults`` (``base_iri``, ``language``, ``contexts`` …)
        apply where the file is silent."""
        path = Path(path)
        try:
            data = tomllib.loads(path.read_text("utf-8"))
        except OSError as exc:
            raise ConfigError(f"cannot read the mapping profile {path}: {exc.strerror}", feed=feed) from exc
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"the mapping profile {path} is not valid TOML: {exc}", feed=feed) from exc
        return cls.from_dict(data, feed=feed, source=str(path), **defaults)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], feed: str, source: str = "profile", **defaults: Any) -> Profile:
        """A profile from the parsed TOML (see the module docstring for the keys)."""
        known = {"language", "default_rights", "provider", "provider_name", "provider_iri", "values", "fields",
                 "aggregators"}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ConfigError(
                f"{source}: unknown key(s) {', '.join(unknown)}", feed=feed, hint=f"known keys: {', '.join(sorted(known))}"
            )
        _check_types(data, source, feed)
        values = dict(defaults)
        aggregators = data.get("aggregators", ())
        if not isinstance(aggregators, (list, tuple)) or not all(isinstance(a, str) for a in aggregators):
            raise ConfigError(f"{source}: aggregators is a list of names", feed=feed)
        for key in ("language", "default_rights", "provider_name", "provider_iri", "values", "aggregators"):
            if key in data:
                values[key] = data[key]
        provider = data.get("provider", {})
        if not isinstance(provider, Mapping) or set(provider) - {"name", "iri"}:
            raise ConfigError(f"{source}: [provider] holds only name and iri", feed=feed)
        if "name" in provider:
            values["provider_name"] = provider["name"]
        if "iri" in provider:
            values["provider_iri"] = provider["iri"]
        extra = []
        for spec in data.get("fields", ()):
            if (not isinstance(spec, Mapping) or not {"path", "property"} <= set(spec)
                    or set(spec) - {"path", "property", "kind"} or not all(isinstance(v, str) for v in spec.values())):
                raise ConfigError(f"{source}: every [[fields]] entry has path, property and optionally kind, "
                                  "each a text", feed=feed)
            try:
                extra.append(ExtraField(spec["path"], spec["property"], spec.get("kind", "literal")))
            except ConfigError as exc:
                raise ConfigError(f"{source}: {exc.message}", feed=feed, hint=exc.hint) from exc
        if extra:
            values["fields"] = tuple(extra)
        return cls(feed=feed, **values)


def _check_types(data: Mapping[str, Any], source: str, feed: str) -> None:
    """Each key of a profile of its TOML type, before any value is looked at."""
    def refuse(key: str, what: str, example: str) -> None:
        raise ConfigError(f"{source}: {key} = {data_value(key)!r} is not {what}", feed=feed, hint=f"e.g. {example}")

    def data_value(key: str) -> Any:
        head, _, tail = key.partition(".")
        return data[head][tail] if tail else data[head]

    texts = {"language": 'language = "nl"', "default_rights": 'default_rights = "CC0"',
             "provider_name": 'provider_name = "Museum Hof van Leie"', "provider_iri": 'provider_iri = "https://…"'}
    for key, example in texts.items():
        if key in data and not isinstance(data[key], str):
            refuse(key, "a text", example)
    provider = data.get("provider", {})
    if isinstance(provider, Mapping):
        for key in ("name", "iri"):
            if key in provider and not isinstance(provider[key], str):
                refuse(f"provider.{key}", "a text", f'[provider] {key} = "…"')
    if "values" in data and not isinstance(data["values"], Mapping):
        refuse("values", "a table of tables", '[values.materiaal] "doek" = "http://vocab.getty.edu/aat/300014078"')
    for scheme, table in data.get("values", {}).items():
        if isinstance(table, Mapping) and not all(isinstance(t, str) for t in table.values()):
            raise ConfigError(f"{source}: values.{scheme} maps terms to texts (IRIs) only", feed=feed,
                              hint='e.g. "doek" = "http://vocab.getty.edu/aat/300014078"')
    if "fields" in data and not isinstance(data["fields"], list):
        refuse("fields", "a list of [[fields]] tables", '[[fields]] path = "…" property = "crm:P3_has_note"')


def term_key(term: str) -> str:
    """How local terms are compared: case-folded, whitespace collapsed."""
    return " ".join(term.casefold().split())


# Prefixes for the extra fields of MODS, MARCXML and EAD feeds (Adlib and qualified DC need
# none beyond dc and dcterms).
XML_NAMESPACES.update(
    {
        "mods": "http://www.loc.gov/mods/v3",
        "marc": "http://www.loc.gov/MARC21/slim",
        "ead": "urn:isbn:1-931666-22-9",
        "ead3": "http://ead3.archivists.org/schema/",
        "xlink": "http://www.w3.org/1999/xlink",
    }
)
