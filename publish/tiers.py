"""Europeana Publishing Framework tiers of an EDM record, and what would raise them.

Computed as Metis does at indexing (``../shared/reference/europeana.md`` §5), from the
record alone — no media is downloaded:

- :func:`metadata_tier`: 0/A/B/C, the minimum of three classifiers — language (share of
  the 22 qualified properties with a language-tagged value or a link to an in-record entity
  with a language-tagged label), enabling elements (13 elements in four groups) and
  contextual classes (complete in-record Agents, Concepts, Places, TimeSpans).
- :func:`content_tier`: 0–4, from the edm:type, the media stated for ``edm:isShownBy`` and
  ``edm:hasView`` (their media type, and width × height when the partner states them or a
  media check found them: ``media``), the landing page and the licence cap (closed 2,
  restricted 3, open 4). What is not known gives a range: ``tier`` is what is certain,
  ``ceiling`` the most the unknowns allow.

Each result lists ``next_steps``: what the partner could add to reach the next tier, as
(Dutch, English) pairs. :func:`dataset_tiers` counts a feed's records per tier.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from . import europeana
from .edm_model import EdmRecord, WebResource
from .ntgraph import Lit

__all__ = ["ContentTier", "MediaInfo", "MetadataTier", "content_tier", "dataset_tiers", "metadata_tier"]

Message = tuple[str, str]  # (nl, en)

LANGUAGE_PROPERTIES = (
    "dc:coverage", "dc:description", "dc:format", "dc:relation", "dc:rights", "dc:source", "dc:subject", "dc:title",
    "dc:type", "dcterms:alternative", "dcterms:hasPart", "dcterms:isPartOf", "dcterms:isReferencedBy",
    "dcterms:medium", "dcterms:provenance", "dcterms:references", "dcterms:spatial", "dcterms:tableOfContents",
    "dcterms:temporal", "edm:currentLocation", "edm:hasType", "edm:isRelatedTo",
)
TEMPORAL, CONCEPTUAL, PERSONAL, GEOGRAPHICAL = "temporal", "conceptual", "personal", "geographical"
_GROUP_CLASS = {TEMPORAL: "TimeSpan", CONCEPTUAL: "Concept", PERSONAL: "Agent", GEOGRAPHICAL: "Place"}
ENABLING_ELEMENTS: dict[str, tuple[str, ...]] = {
    "dcterms:created": (TEMPORAL,), "dcterms:issued": (TEMPORAL,), "dcterms:temporal": (TEMPORAL,),
    "dc:format": (CONCEPTUAL,), "dc:type": (CONCEPTUAL,), "dcterms:medium": (CONCEPTUAL,),
    "dc:creator": (PERSONAL,), "dc:contributor": (PERSONAL,), "dc:publisher": (PERSONAL,),
    "dcterms:spatial": (GEOGRAPHICAL,), "edm:currentLocation": (GEOGRAPHICAL,),
}
LINKED_ENABLING = {"edm:hasMet": (TEMPORAL, PERSONAL), "dc:subject": (CONCEPTUAL, PERSONAL, GEOGRAPHICAL)}
_TIERS = ("0", "A", "B", "C")
_EMBEDDABLE_HOSTS = ("youtube.com", "youtu.be", "vimeo.com", "soundcloud.com", "sketchfab.com", "euscreen.eu",
                     "sounds.bl.uk", "dismarc.org", "ina.fr", "ccma.cat", "picturepipe.net",
                     "theeuropeanlibrary.org", "crem.cnrs.fr")
_OEMBED = ("application/json+oembed", "application/xml+oembed")
_LICENCE_CAP = {europeana.OPEN: 4, europeana.RESTRICTED: 3, europeana.CLOSED: 2}
_EXTENSIONS = {".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png", ".gif": "image/gif",
               ".tif": "image/tiff", ".tiff": "image/tiff", ".jp2": "image/jp2", ".webp": "image/webp",
               ".pdf": "application/pdf", ".mp4": "video/mp4", ".webm": "video/webm", ".mp3": "audio/mpeg",
               ".wav": "audio/wav", ".ogg": "audio/ogg", ".glb": "model/gltf-binary", ".stl": "model/stl"}


@dataclass(frozen=True)
class MediaInfo:
    """What is known of one media file: from the partner's record or from ``oogst media-check``.
    ``available`` False means the check could not fetch it."""

    mime: str | None = None
    width: int | None = None
    height: int | None = None
    size: int | None = None
    available: bool | None = None

    @property
    def pixels(self) -> int | None:
        return self.width * self.height if self.width and self.height else None


# -- metadata tier ------------------------------------------------------------------------------
@dataclass
class MetadataTier:
    tier: str
    language: str
    enabling: str
    contextual: str
    qualified: list[str] = field(default_factory=list)
    with_language: list[str] = field(default_factory=list)
    elements: list[str] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)
    classes: list[str] = field(default_factory=list)
    next_steps: list[Message] = field(default_factory=list)

    @property
    def language_share(self) -> float:
        return len(self.with_language) / len(self.qualified) if self.qualified else 0.0


def _complete(record: EdmRecord, about: str) -> str | None:
    """The class of the in-record entity ``about`` when it is complete (Metis' rules)."""
    entity = record.entities.get(about)
    if entity is None:
        return None
    p = entity.props
    label = bool(p.get("skos:prefLabel"))
    if entity.kind == "Agent":
        ok = label and any(p.get(k) for k in ("edm:begin", "rdaGr2:dateOfBirth", "rdaGr2:placeOfBirth", "edm:end",
                                             "rdaGr2:dateOfDeath", "rdaGr2:placeOfDeath",
                                             "rdaGr2:professionOrOccupation", "rdaGr2:dateOfEstablishment",
                                             "rdaGr2:dateOfTermination"))
    elif entity.kind == "Concept":
        ok = label and any(p.get(k) for k in ("skos:note", "skos:broader", "skos:narrower", "skos:exactMatch",
                                             "skos:closeMatch", "skos:related"))
    elif entity.kind == "Place":
        ok = label and bool(p.get("wgs84_pos:lat")) and bool(p.get("wgs84_pos:long"))
    else:
        ok = bool(p.get("edm:begin")) and bool(p.get("edm:end"))
    return entity.kind if ok else None


def metadata_tier(record: EdmRecord) -> MetadataTier:
    cho, entities = record.cho, record.entities

    def tagged_entity(value: str) -> bool:
        entity = entities.get(value)
        return (entity is not None and entity.kind in ("Place", "TimeSpan", "Concept")
                and any(type(v) is Lit and v.lang for v in entity.props.get("skos:prefLabel", ())))

    qualified = [p for p in LANGUAGE_PROPERTIES if cho.get(p)]
    with_language = [p for p in qualified if any((type(v) is Lit and v.lang) or (type(v) is str and tagged_entity(v))
                                                 for v in cho[p])]
    share = len(with_language) / len(qualified) if qualified else 0.0
    language = "0" if share < 0.25 else "A" if share < 0.5 else "B" if share < 0.75 else "C"

    elements: list[str] = []
    groups: set[str] = set()
    for element, fixed in ENABLING_ELEMENTS.items():
        if cho.get(element):
            elements.append(element)
            groups.update(fixed)
    for element, candidates in LINKED_ENABLING.items():
        found = {g for v in cho.get(element, ()) if type(v) is str for g in candidates
                 if (e := entities.get(v)) is not None and e.kind == _GROUP_CLASS[g]}
        if found:
            elements.append(element)
            groups |= found
    n, k = len(elements), len(groups)
    enabling = "C" if n >= 4 and k >= 2 else "B" if n >= 3 and k >= 2 else "A" if n >= 1 and k >= 1 else "0"

    linked = {v for values in cho.values() for v in values if type(v) is str}
    classes = sorted({c for about in linked if (c := _complete(record, about))})
    contextual = "C" if len(classes) >= 2 else "B" if classes else "A"

    tier = min((language, enabling, contextual), key=_TIERS.index)
    result = MetadataTier(tier, language, enabling, contextual, qualified, with_language, elements, sorted(groups),
                          classes)
    result.next_steps = _metadata_steps(result)
    return result


def _metadata_steps(t: MetadataTier) -> list[Message]:
    if t.tier == "C":
        return []
    target = _TIERS[_TIERS.index(t.tier) + 1]
    steps: list[Message] = []
    if _TIERS.index(t.language) < _TIERS.index(target):
        need = {"A": 25, "B": 50, "C": 75}[target]
        steps.append((f"Geef meer velden een taal (xml:lang) of koppel ze aan een begrip met een label in een taal: "
                      f"nu {len(t.with_language)} van {len(t.qualified)}, nodig is {need}%.",
                      f"Give more fields a language (xml:lang) or link them to a concept with a language-tagged "
                      f"label: now {len(t.with_language)} of {len(t.qualified)}, {need}% is needed."))
    if _TIERS.index(t.enabling) < _TIERS.index(target):
        need = {"A": (1, 1), "B": (3, 2), "C": (4, 2)}[target]
        steps.append((f"Vul meer beschrijvende velden in (datering, vervaardiger, objectnaam, materiaal, plaats): nu "
                      f"{len(t.elements)} velden in {len(t.groups)} groepen, nodig zijn {need[0]} in {need[1]}.",
                      f"Fill in more descriptive fields (date, maker, object name, material, place): now "
                      f"{len(t.elements)} fields in {len(t.groups)} groups, {need[0]} in {need[1]} are needed."))
    if _TIERS.index(t.contextual) < _TIERS.index(target):
        steps.append(("Beschrijf meer gekoppelde entiteiten volledig: een persoon met levensdata, een plaats met "
                      "coördinaten, een periode met begin en einde, een begrip met een gelijkwaardig begrip (AAT).",
                      "Describe more linked entities completely: a person with life dates, a place with "
                      "coordinates, a period with begin and end, a concept with a matching concept (AAT)."))
    return steps


# -- content tier -------------------------------------------------------------------------------
@dataclass
class ContentTier:
    tier: int  # what is certain
    ceiling: int  # the most it can be, given what is not known
    edm_type: str | None
    licence: str | None  # open / restricted / closed
    licence_cap: int
    reasons: list[Message] = field(default_factory=list)
    next_steps: list[Message] = field(default_factory=list)

    @property
    def known(self) -> bool:
        return self.tier == self.ceiling


def _mime(resource: WebResource, info: MediaInfo | None) -> str | None:
    if info and info.mime:
        return info.mime.lower()
    if resource.mime:
        return resource.mime
    path = urlsplit(resource.about).path.lower()
    return next((mime for ext, mime in _EXTENSIONS.items() if path.endswith(ext)), None)


def _image_tier(pixels: int | None) -> tuple[int, int]:
    """(certain, possible) tier of an image of ``pixels`` (None: size unknown)."""
    if pixels is None:
        return 0, 4
    if pixels >= 950_000:
        return 4, 4
    if pixels >= 420_000:
        return 2, 2
    if pixels >= 100_000:
        return 1, 1
    return 0, 0


def content_tier(record: EdmRecord, media: Mapping[str, MediaInfo] | None = None) -> ContentTier:
    """The content tier of ``record``; ``media`` maps media URLs to what is known of them."""
    media = media or {}
    kind = record.edm_type
    licence = europeana.rights_category(record.rights)
    cap = _LICENCE_CAP.get(licence, 0)
    shown_by = record.aggregation.get("edm:isShownBy", [])
    candidates = [r for r in record.web_resources if r.about in shown_by or r.about in
                  record.aggregation.get("edm:hasView", [])]
    pages = record.aggregation.get("edm:isShownAt", [])
    page_info = media.get(pages[0]) if pages else None
    page = (0, 0) if not pages or (page_info and page_info.available is False) else (1, 1)
    low = high = 0
    reasons: list[Message] = []
    for resource in candidates:
        info = media.get(resource.about)
        if info and info.available is False:
            reasons.append((f"Het bestand {resource.about} is niet bereikbaar.",
                            f"The file {resource.about} cannot be fetched."))
            continue
        mime = _mime(resource, info) or ""
        pixels = info.pixels if info else None
        embeddable = mime in _OEMBED or (resource.about in shown_by and _embeddable(resource.about))
        if kind == "IMAGE":
            r = _image_tier(pixels) if mime.startswith("image/") or not mime else (0, 0)
        elif kind == "TEXT":
            if mime == "application/pdf":
                r = (4, 4)
            elif mime.startswith("image/") or not mime:
                lo, hi = _image_tier(pixels)
                r = (max(lo, page[0]), hi)
            else:
                r = page
        elif kind == "VIDEO":
            tall = info is not None and info.height is not None and info.height >= 480
            known_height = info is not None and info.height is not None
            r = (4, 4) if embeddable or (mime.startswith("video/") and tall) else \
                ((1, 1) if known_height else (1, 4)) if mime.startswith("video/") else \
                (page[0], 4) if not mime else page
        elif kind == "SOUND":
            r = (4, 4) if embeddable or mime.startswith("audio/") else (0, 4) if not mime else page
        else:  # 3D
            r = (4, 4) if mime and not mime.startswith("image/") and mime != "application/pdf" else \
                (0, 4) if not mime else (0, 0)
        rights = europeana.rights_category(resource.rights) if resource.rights else licence
        resource_cap = _LICENCE_CAP.get(rights, 0)
        low, high = max(low, min(r[0], resource_cap)), max(high, min(r[1], resource_cap))
    if not candidates and kind in ("TEXT", "VIDEO", "SOUND", "3D"):
        low, high = page
    if kind is None:
        low = high = 0
    result = ContentTier(low, high, kind, licence, cap, reasons)
    _content_explain(result, record, candidates, media)
    return result


def _embeddable(url: str) -> bool:
    host = urlsplit(url).netloc.lower().removeprefix("www.")
    return any(host == h or host.endswith("." + h) for h in _EMBEDDABLE_HOSTS)


def _content_explain(t: ContentTier, record: EdmRecord, candidates: list[WebResource],
                     media: Mapping[str, MediaInfo]) -> None:
    add, step = t.reasons.append, t.next_steps.append
    if t.edm_type is None:
        add(("Het record heeft geen type.", "The record has no type."))
        return
    if not candidates:
        add(("Het record heeft geen mediabestand (edm:isShownBy).", "The record has no media file (edm:isShownBy)."))
    unknown = [r.about for r in candidates if (i := media.get(r.about)) is None or i.pixels is None]
    if t.edm_type in ("IMAGE", "TEXT") and candidates and unknown and t.tier < t.ceiling:
        add(("De afmetingen van het beeld zijn niet bekend.", "The image's dimensions are not known."))
    if t.tier >= 4:
        return
    target = t.tier + 1
    if t.licence_cap < 4 and t.ceiling >= t.licence_cap:
        add((f"De licentie ({t.licence}) beperkt het record tot niveau {t.licence_cap}.",
             f"The licence ({t.licence}) limits the record to tier {t.licence_cap}."))
    if t.licence_cap < 4 and t.ceiling >= t.licence_cap and target > t.licence_cap:
        step(("Kies een opener licentie (CC BY, CC BY-SA, CC0 of het Public Domain Mark) voor niveau "
              f"{min(4, t.licence_cap + 1)}.", "Choose a more open licence (CC BY, CC BY-SA, CC0 or the Public "
              f"Domain Mark) to reach tier {min(4, t.licence_cap + 1)}."))
        if t.ceiling <= t.licence_cap and not unknown:
            return
    if t.edm_type == "IMAGE":
        if not candidates:
            step(("Voeg een link naar een digitaal beeld toe (edm:isShownBy).",
                  "Add a link to a digital image (edm:isShownBy)."))
        elif unknown and t.tier < t.ceiling:
            step(("Vermeld breedte en hoogte van het beeld, of laat `oogst media-check` ze meten.",
                  "State the image's width and height, or let `oogst media-check` measure them."))
        else:
            need = {1: "0,1", 2: "0,42", 3: "0,95", 4: "0,95"}[target]
            step((f"Lever een beeld van minstens {need} megapixel.",
                  f"Supply an image of at least {need.replace(',', '.')} megapixel."))
    elif t.edm_type == "TEXT":
        step(("Lever een PDF of een beeld van minstens 0,95 megapixel.",
              "Supply a PDF or an image of at least 0.95 megapixel."))
    elif t.edm_type in ("VIDEO", "SOUND"):
        step(("Lever het mediabestand zelf of een insluitbare speler (bv. YouTube, Vimeo, SoundCloud).",
              "Supply the media file itself or an embeddable player (e.g. YouTube, Vimeo, SoundCloud)."))
    else:
        step(("Lever een 3D-model (bv. glTF) of een insluitbare viewer (Sketchfab).",
              "Supply a 3D model (e.g. glTF) or an embeddable viewer (Sketchfab)."))


# -- per dataset -------------------------------------------------------------------------------
def dataset_tiers(records: Iterable[EdmRecord], media: Mapping[str, MediaInfo] | None = None) -> dict[str, object]:
    """Counts per tier over a feed's EDM records: ``content`` (certain tier), ``content_ceiling``,
    ``metadata`` — the figures for ``oogst report``, the API and the feed's page."""
    content: Counter[int] = Counter()
    ceiling: Counter[int] = Counter()
    meta: Counter[str] = Counter()
    for record in records:
        c = content_tier(record, media)
        content[c.tier] += 1
        ceiling[c.ceiling] += 1
        meta[metadata_tier(record).tier] += 1
    return {
        "records": sum(content.values()),
        "content": {str(k): content.get(k, 0) for k in range(5)},
        "content_ceiling": {str(k): ceiling.get(k, 0) for k in range(5)},
        "metadata": {k: meta.get(k, 0) for k in _TIERS},
    }
