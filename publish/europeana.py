"""What Europeana requires of a delivery, as data: allowed rights, ids, types, per-feed settings.

Facts from ``../shared/reference/europeana.md`` (Metis' schematron, EuropeanaIdCreator and
tier code):

- :func:`rights_uri` turns a rights statement as partners write it (``https://``, no
  trailing slash, ``deed.nl``, ``/legalcode``, rightsstatements.org ``/page/`` URLs, "CC0",
  "CC BY-SA 4.0", "In copyright") into the one form Europeana accepts, or None;
  :func:`is_allowed_rights` checks a URI against the schematron's patterns exactly;
  :func:`rights_category` is the reuse category (open / restricted / closed) behind the
  content-tier licence cap.
- :func:`europeana_id` is Europeana's record id ``/{dataset}/{sanitised rdf:about}``, for
  collision checks before delivery.
- :data:`EDM_TYPES`, :class:`TypeRule`: ``edm:type`` from object names, AAT ids, DCMI types.
- :class:`DeliverySettings`: what one feed's delivery needs (provider, data provider,
  default rights, dataset id, country, language, type rule), checked once.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

from ..errors import ConfigError

__all__ = [
    "COUNTRIES",
    "DeliverySettings",
    "EDM_TYPES",
    "LANGUAGES",
    "TypeRule",
    "europeana_id",
    "is_allowed_rights",
    "rights_category",
    "rights_uri",
]

EDM_TYPES = ("TEXT", "IMAGE", "SOUND", "VIDEO", "3D")

# -- rights ---------------------------------------------------------------------------------
# The schematron's lib:isValidRS patterns (schematron.xsl, license_patterns), verbatim.
_RIGHTS_PATTERNS = [
    re.compile(p)
    for p in (
        r"^http[:]//creativecommons[.]org/licenses/(by|by-sa|by-nd|by-nc|by-nc-sa|by-nc-nd|by-nd-nc)/1[.]0/((fi|il|nl)/)?$",
        r"^http[:]//creativecommons[.]org/licenses/(by|by-sa|by-nd|by-nc|by-nc-sa|by-nc-nd)/2[.]0/"
        r"((au|at|be|br|ca|cl|hr|uk|fr|de|it|jp|nl|pl|kr|es|tw)/)?$",
        r"^http[:]//creativecommons[.]org/licenses/(by|by-sa|by-nd|by-nc|by-nc-sa|by-nc-nd)/2[.]1/((au|es|jp)/)$",
        r"^http[:]//creativecommons[.]org/licenses/(by|by-sa|by-nd|by-nc|by-nc-sa|by-nc-nd)/2[.]5/"
        r"((ar|au|br|bg|ca|cn|co|hr|dk|hu|in|il|it|mk|my|mt|mx|nl|pe|pl|pt|scotland|si|za|es|se|ch|tw)/)?$",
        r"^http[:]//creativecommons[.]org/licenses/(by|by-sa|by-nd|by-nc|by-nc-sa|by-nc-nd)/3[.]0/"
        r"((au|at|br|cl|cn|cr|hr|cz|ec|eg|ee|fr|de|gr|gt|hk|igo|ie|it|lu|nl|nz|no|ph|pl|pt|pr|ro|rs|sg|za|es"
        r"|ch|tw|th|ug|us|ve|vn)/)?$",
        r"^http[:]//creativecommons[.]org/licenses/(by|by-sa|by-nd|by-nc|by-nc-sa|by-nc-nd)/4[.]0/$",
        r"^http[:]//creativecommons[.]org/publicdomain/(zero|mark)/1[.]0/$",
        r"^http[:]//rightsstatements[.]org/vocab/(NoC-NC|NoC-OKLR|InC|InC-EDU|InC-OW-EU|CNE)/1[.]0/$",
    )
]
_CC = "http://creativecommons.org/"
_RS = "http://rightsstatements.org/vocab/"
CC0 = _CC + "publicdomain/zero/1.0/"
PDM = _CC + "publicdomain/mark/1.0/"
_RS_CODES = {code.lower(): code for code in ("NoC-NC", "NoC-OKLR", "InC", "InC-EDU", "InC-OW-EU", "CNE")}
_CC_PATH = re.compile(
    r"^/(licenses|publicdomain)/([a-z-]+)/(\d\.\d)(?:/([a-z]{2,8}))?(?:/|/deed\.[\w-]+|/legalcode[\w.-]*)?/?$"
)
_RS_PATH = re.compile(r"^/(?:vocab|page|data)/([A-Za-z-]+)/(\d\.\d)(?:/.*)?$")
_RIGHTS_WORDS = {
    **dict.fromkeys(("publiek domein", "public domain", "domaine public", "pdm", "public domain mark",
                     "public domain mark 1.0"), PDM),
    **dict.fromkeys(("cc0", "cc0 1.0", "cc zero", "cc0 1.0 universal"), CC0),
    **dict.fromkeys(("in copyright", "inc", "auteursrechtelijk beschermd", "alle rechten voorbehouden",
                     "all rights reserved", "tous droits réservés"), _RS + "InC/1.0/"),
    **dict.fromkeys(("in copyright - educational use permitted", "inc-edu"), _RS + "InC-EDU/1.0/"),
    **dict.fromkeys(("in copyright - eu orphan work", "inc-ow-eu"), _RS + "InC-OW-EU/1.0/"),
    **dict.fromkeys(("copyright not evaluated", "cne", "auteursrecht niet geëvalueerd"), _RS + "CNE/1.0/"),
    **dict.fromkeys(("no copyright - non-commercial use only", "noc-nc"), _RS + "NoC-NC/1.0/"),
    **dict.fromkeys(("no copyright - other known legal restrictions", "noc-oklr"), _RS + "NoC-OKLR/1.0/"),
}
_CC_WORDS = re.compile(r"^(?:cc|creative commons)[\s-]*(by(?:[\s-]*(?:nc|sa|nd))*)(?:[\s-]*(\d\.\d))?$")

OPEN, RESTRICTED, CLOSED = "open", "restricted", "closed"


def is_allowed_rights(uri: str | None) -> bool:
    """Whether ``uri`` is, exactly, one of the rights statements Europeana accepts."""
    return bool(uri) and any(p.match(uri) for p in _RIGHTS_PATTERNS)


@lru_cache(maxsize=1024)
def rights_uri(value: str | None) -> str | None:
    """The Europeana form of a rights statement (URL or words), or None when it is none of
    the accepted ones. ``https://creativecommons.org/licenses/by/4.0/deed.nl`` →
    ``http://creativecommons.org/licenses/by/4.0/``; "CC BY-SA" → CC BY-SA 4.0; the old
    ``http://www.europeana.eu/rights/…`` URIs have no equivalent and give None."""
    if not value:
        return None
    text = " ".join(value.split())
    if is_allowed_rights(text):
        return text
    lower = text.lower()
    if "creativecommons.org" in lower or "rightsstatements.org" in lower:
        url = text if "://" in text else f"http://{text}"
        parts = urlsplit(url)
        host = parts.netloc.lower().removeprefix("www.")
        candidate = None
        if host == "creativecommons.org" and (match := _CC_PATH.match(parts.path.lower())):
            kind, code, version, port = match.groups()
            candidate = f"{_CC}{kind}/{code}/{version}/" + (f"{port}/" if port else "")
        elif host == "rightsstatements.org" and (match := _RS_PATH.match(parts.path)):
            code = _RS_CODES.get(match.group(1).lower())
            candidate = f"{_RS}{code}/{match.group(2)}/" if code else None
        return candidate if is_allowed_rights(candidate) else None
    words = re.sub(r"\s*[-–]\s*", " - ", lower.replace("©", "")).strip(" .;,")
    words = " ".join(words.split())
    if words in _RIGHTS_WORDS:
        return _RIGHTS_WORDS[words]
    if match := _CC_WORDS.match(words.replace(" - ", "-")):
        code = "-".join(re.findall(r"by|nc|sa|nd", match.group(1)))
        candidate = f"{_CC}licenses/{code}/{match.group(2) or '4.0'}/"
        return candidate if is_allowed_rights(candidate) else None
    return None


def rights_category(uri: str | None) -> str | None:
    """open / restricted / closed (corelib's RightReusabilityCategorizer), or None for a URI
    that is not an accepted rights statement."""
    if not is_allowed_rights(uri):
        return None
    if uri.startswith(_CC + "publicdomain/"):
        return OPEN
    if uri.startswith(_RS):
        code = uri[len(_RS):].split("/")[0]
        return RESTRICTED if code in ("NoC-NC", "NoC-OKLR", "InC-EDU") else CLOSED
    code = uri[len(_CC + "licenses/"):].split("/")[0]
    return OPEN if code in ("by", "by-sa") else RESTRICTED


# -- Europeana ids ----------------------------------------------------------------------------
_NOT_ID = re.compile(r"[^a-zA-Z0-9_]")
_EUROPEANA_ID = re.compile(r"^/[0-9]+/[A-Za-z0-9_]+$")


def _java_underscores(match: re.Match[str]) -> str:
    # Metis works on Java (UTF-16) strings: a character beyond the BMP is two chars, two '_'.
    return "__" if ord(match.group()) > 0xFFFF else "_"


def europeana_id(dataset_id: str, about: str) -> str:
    """Europeana's record id for a ProvidedCHO ``about`` in dataset ``dataset_id``
    (Metis EuropeanaIdCreator, legacy mode): ``/{dataset}/{about}`` where a trailing letter
    of the dataset id is dropped; an ``http://`` about loses its scheme and host (everything
    up to the first ``/`` after it: ``http://host`` alone gives an empty id) and every
    character outside ``[a-zA-Z0-9_]`` becomes ``_``. ``https://`` is not shortened."""
    if _EUROPEANA_ID.match(about):
        return about
    dataset = dataset_id.strip()
    if dataset and dataset[-1].isascii() and dataset[-1].isalpha():
        dataset = dataset[:-1]
    local = about
    if about.startswith("http://"):
        rest = about[len("http://"):]
        cut = rest.find("/")
        local = rest[cut + 1:] if cut >= 0 else ""
    return f"/{dataset}/{_NOT_ID.sub(_java_underscores, local)}"


# -- edm:type ---------------------------------------------------------------------------------
_AAT = "http://vocab.getty.edu/aat/"
_DCMI = "http://purl.org/dc/dcmitype/"
# AAT concepts (the ones the Flemish concordance and the samples use) → edm:type.
AAT_TYPES: dict[str, str] = {
    **dict.fromkeys(("300028051", "300026879", "300028569", "300026685", "300215389", "300026451",
                     "300026393", "300055033", "300026657", "300026656"), "TEXT"),
    **dict.fromkeys(("300033618", "300033799", "300181918", "300389785", "300078925", "300078928",
                     "300033973", "300069413", "300390908", "300395514", "300041273", "300041340",
                     "300041365", "300041366", "300041379", "300041405", "300041393", "300041402",
                     "300041412", "300190525", "300041356", "300053228", "300046300", "300027221",
                     "300026816", "300189621", "300177433", "300033963", "300028094", "300154358",
                     "300264707", "300127145", "300178688", "300015578", "300027354"), "IMAGE"),
    **dict.fromkeys(("300102067", "300136900"), "VIDEO"),
    "300028633": "SOUND",
}
DCMI_TYPES = {"Text": "TEXT", "Image": "IMAGE", "StillImage": "IMAGE", "MovingImage": "VIDEO", "Sound": "SOUND"}
# Words (nl, fr, en; singular, plural and common compounds' endings) → edm:type.
_TERM_TYPES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("TEXT", ("boek", "boeken", "book", "books", "livre", "livres", "brief", "brieven", "letter", "letters",
              "lettre", "lettres", "handschrift", "handschriften", "manuscript", "manuscripten", "manuscrit",
              "manuscrits", "document", "documenten", "documents", "tijdschrift", "tijdschriften", "periodical",
              "magazine", "revue", "krant", "kranten", "newspaper", "journal", "pamflet", "pamphlet", "brochure",
              "drukwerk", "imprimé", "akte", "oorkonde", "charter", "charte", "dagboek", "diary", "journal intime",
              "register", "registre", "catalogus", "catalogue", "catalog", "gedicht", "poem", "poème", "tekst",
              "text", "texte", "archiefstuk", "incunabel", "incunable", "incunabula", "partituur", "score",
              "partition", "notitieboek", "notebook", "carnet", "atlas", "reisgids", "guidebook", "kroniek")),
    ("VIDEO", ("film", "films", "video", "vidéo", "videofilm", "bewegend beeld", "moving image", "moving images",
               "videokunst", "video art", "art vidéo", "filmopname", "documentaire", "documentary")),
    ("SOUND", ("geluidsopname", "geluidsopnamen", "sound recording", "sound recordings", "enregistrement sonore",
               "audio", "grammofoonplaat", "plaat (geluid)", "phonograph record", "disque", "cassette",
               "audiocassette", "muziekopname", "interview (geluid)", "oral history", "geluid", "sound", "son")),
    ("3D", ("3d-model", "3d model", "3d-scan", "3d scan", "modèle 3d")),
    ("IMAGE", ("schilderij", "schilderijen", "schildering", "painting", "paintings", "peinture", "tableau",
               "tekening", "tekeningen", "drawing", "drawings", "dessin", "prent", "prenten", "print", "prints",
               "estampe", "gravure", "gravures", "engraving", "ets", "etsen", "etching", "eau-forte", "litho",
               "lithografie", "lithograph", "lithographie", "houtsnede", "woodcut", "foto", "foto's", "fotografie",
               "photo", "photograph", "photographs", "photographie", "prentkaart", "prentbriefkaart", "postkaart",
               "postcard", "carte postale", "affiche", "affiches", "poster", "posters", "kaart", "kaarten", "map",
               "maps", "carte", "plan", "plattegrond", "aquarel", "watercolour", "watercolor", "aquarelle",
               "glasnegatief", "negatief", "schetsboek", "sketchbook", "negative", "dia", "diapositief", "slide", "beeld", "beeldhouwwerk",
               "sculpture", "sculptuur", "wandtapijt", "tapestry", "tapisserie", "image", "stilstaand beeld",
               "still image", "werk op papier", "work on paper", "oeuvre sur papier")),
)
TERM_TYPES: dict[str, str] = {term: edm_type for edm_type, terms in _TERM_TYPES for term in terms}
# Dutch compounds end in their head word: "olieverfschilderij", "pentekening", "kleurenfoto".
_COMPOUND_ENDINGS = (("schilderij", "IMAGE"), ("schildering", "IMAGE"), ("tekening", "IMAGE"), ("foto", "IMAGE"),
                     ("gravure", "IMAGE"), ("snede", "IMAGE"), ("prent", "IMAGE"), ("kaart", "IMAGE"),
                     ("affiche", "IMAGE"), ("boek", "TEXT"), ("brief", "TEXT"), ("handschrift", "TEXT"),
                     ("tijdschrift", "TEXT"))


def term_type(word: str) -> str | None:
    """The edm:type a term (object name, category) stands for, or None."""
    key = " ".join(word.casefold().split())
    found = TERM_TYPES.get(key)
    if found:
        return found
    for ending, edm_type in _COMPOUND_ENDINGS:
        if key.endswith(ending) and " " not in key:
            return edm_type
    return None


def concept_type(iri: str) -> str | None:
    """The edm:type an AAT or DCMI type IRI stands for, or None."""
    if iri.startswith(_AAT):
        return AAT_TYPES.get(iri[len(_AAT):].strip("/"))
    if iri.startswith(_DCMI):
        return DCMI_TYPES.get(iri[len(_DCMI):])
    return None


@dataclass(frozen=True)
class TypeRule:
    """A feed's own say over ``edm:type``.

    ``terms`` (term, AAT IRI or id, DCMI type IRI → type) are looked up before the built-in
    tables; ``default`` applies when nothing in the record gives a type; ``force`` gives every
    record of the feed one type (a photo archive: IMAGE). Read from a mapping::

        {"force": "IMAGE"}   or   {"default": "IMAGE", "terms": {"bidprentje": "TEXT"}}
    """

    terms: Mapping[str, str] = field(default_factory=dict)
    default: str | None = None
    force: str | None = None

    @classmethod
    def from_config(cls, data: Mapping[str, Any] | str | None, *, feed: str | None = None) -> TypeRule:
        if data is None:
            return cls()
        if isinstance(data, str):
            data = {"force": data}
        unknown = set(data) - {"terms", "default", "force"}
        if unknown:
            raise ConfigError(f"unknown keys in the type rule: {', '.join(sorted(unknown))}", feed=feed,
                              hint="a type rule has 'terms', 'default' and 'force'")

        def check(value: Any, where: str) -> str | None:
            if value is None:
                return None
            text = str(value).strip().upper()
            if text not in EDM_TYPES:
                raise ConfigError(f"{where}: {value!r} is not an edm:type", feed=feed,
                                  hint=f"use one of {', '.join(EDM_TYPES)}")
            return text

        terms = {}
        for key, value in dict(data.get("terms") or {}).items():
            key = str(key).strip()
            normalised = key if key.startswith("http") else " ".join(key.casefold().split())
            if key.isdigit():
                normalised = _AAT + key
            terms[normalised] = check(value, f"type rule term {key!r}")
        return cls(terms=terms, default=check(data.get("default"), "type rule default"),
                   force=check(data.get("force"), "type rule force"))

    def lookup(self, key: str) -> str | None:
        if key.startswith("http"):
            return self.terms.get(key)
        return self.terms.get(" ".join(key.casefold().split()))


# -- the delivery settings of one feed ---------------------------------------------------------
# EDM-COMMON-MAIN.xsd: CountryCodes and LanguageCodes (the dataset's country and language).
COUNTRIES = frozenset((
    "Albania", "Andorra", "Armenia", "Austria", "Azerbaijan", "Australia", "Belarus", "Belgium",
    "Bosnia and Herzegovina", "Bulgaria", "Canada", "China", "Croatia", "Cyprus", "Czech Republic", "Denmark",
    "Estonia", "Europe", "Finland", "France", "Georgia", "Germany", "Greece", "Holy See (Vatican City State)",
    "Hungary", "Iceland", "India", "Ireland", "Italy", "Israel", "Japan", "Kazakhstan", "Korea, Republic of",
    "Latvia", "Lebanon", "Liechtenstein", "Lithuania", "Luxembourg", "North Macedonia", "Malta", "Moldova",
    "Monaco", "Montenegro", "Netherlands", "Norway", "Poland", "Portugal", "Romania", "Russia", "San Marino",
    "Serbia", "Slovakia", "Slovenia", "Spain", "Sweden", "Switzerland", "Turkey", "Ukraine", "United Kingdom",
    "United States of America"))
LANGUAGES = frozenset((
    "ar az be bg bs ca cs cy da de el en es et eu fi fr ga gd gl he hi hr hu hy ie is it ja ka ko lt lv mk mt "
    "mul nl no pl pt ro ru sk sl sq sr sv tr uk yi zh").split())
_DATASET_ID = re.compile(r"^[0-9]+[A-Za-z]?$")


@dataclass(frozen=True)
class DeliverySettings:
    """How one feed is delivered to Europeana.

    ``provider`` is ``edm:provider``: the accredited aggregator that delivers (a name or an
    IRI); ``intermediate_provider`` the aggregator between it and the data provider (this
    oogst instance, when it is not the provider itself); ``data_provider`` the institution
    (name or IRI; empty: each record's keeper); ``default_rights`` applies to records that
    state no rights; ``dataset_id`` is Europeana's dataset id (record ids and collisions);
    ``country`` and ``language`` are the dataset's (Europeana's lists); ``type_rule`` the
    feed's say over edm:type.
    """

    provider: str
    data_provider: str | None = None
    intermediate_provider: str | None = None
    default_rights: str | None = None
    dataset_id: str | None = None
    country: str = "Belgium"
    language: str = "nl"
    type_rule: TypeRule = field(default_factory=TypeRule)

    @classmethod
    def from_config(cls, data: Mapping[str, Any], *, feed: str | None = None) -> DeliverySettings:
        """Settings from a feed's configuration (TOML/JSON keys as the fields' names),
        checked: a bad value is a :class:`~oogst.errors.ConfigError` that names the fix."""
        known = {"provider", "data_provider", "intermediate_provider", "default_rights", "dataset_id",
                 "country", "language", "type_rule"}
        unknown = set(data) - known
        if unknown:
            raise ConfigError(f"unknown delivery settings: {', '.join(sorted(unknown))}", feed=feed,
                              hint=f"known: {', '.join(sorted(known))}")
        values = {"provider": "", **{k: v for k, v in data.items() if k != "type_rule"}}
        settings = cls(**values, type_rule=TypeRule.from_config(data.get("type_rule"), feed=feed))
        settings.check(feed=feed)
        return settings

    def check(self, *, feed: str | None = None) -> None:
        if not (self.provider or "").strip():
            raise ConfigError("Europeana delivery needs edm:provider, the accredited aggregator", feed=feed,
                              hint="set provider to its name or IRI")
        if self.default_rights and not rights_uri(self.default_rights):
            raise ConfigError(f"default_rights {self.default_rights!r} is none of the rights statements "
                              "Europeana accepts", feed=feed,
                              hint="use a CC licence, CC0, the Public Domain Mark or a rightsstatements.org URI")
        if self.dataset_id is not None and not _DATASET_ID.match(str(self.dataset_id)):
            raise ConfigError(f"dataset_id {self.dataset_id!r} is not a Europeana dataset id", feed=feed,
                              hint="digits, as Europeana assigned them (e.g. 2048128)")
        if self.country not in COUNTRIES:
            raise ConfigError(f"country {self.country!r} is not in Europeana's list", feed=feed,
                              hint="an English country name such as 'Belgium'")
        if self.language not in LANGUAGES:
            raise ConfigError(f"language {self.language!r} is not in Europeana's list", feed=feed,
                              hint="a two-letter code such as 'nl', or 'mul'")

    @property
    def rights(self) -> str | None:
        """The default rights in Europeana's form."""
        return rights_uri(self.default_rights)
